"""Errors of the evidence store.

CrawlError (crawlers.exceptions)
 └── EvidenceError        the evidence store cannot write or read what it must
      ├── RecordNotFound  a document points at a WARC record that the store does not hold
      ├── BundleInvalid   a bundle cannot be read at all (not a zip, no manifest)
      ├── KeyUnavailable  a secret key is missing, malformed or readable by others
      └── SessionError    an imported session cannot be read, decrypted or stored
A bundle that opens but fails a check is not an error: `verify_bundle` reports its problems.
"""

from __future__ import annotations

from crawlers.exceptions import CrawlError


class EvidenceError(CrawlError):
    """The evidence store cannot write or read what it must."""


class RecordNotFound(EvidenceError):
    """A document points at a WARC record the store does not hold."""


class BundleInvalid(EvidenceError):
    """The file is not a readable evidence bundle."""


class KeyUnavailable(EvidenceError):
    """A secret key (session encryption, bundle signature) is missing, malformed or exposed."""


class SessionError(EvidenceError):
    """An operator-imported session cannot be parsed, decrypted or stored."""
