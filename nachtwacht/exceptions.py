"""Errors of the application layer.

NachtwachtError
 ├── SetupError        something the job needs is missing (tor not installed, no data directory)
 └── NotFound          a job, document or vendor that does not exist
Errors of the other packages (CrawlError, IndexerError, ExtractionError) are mapped by the CLI too.
"""

from __future__ import annotations


class NachtwachtError(Exception):
    """Root of the application layer's errors."""


class SetupError(NachtwachtError):
    """The machine or configuration lacks something the command needs."""


class NotFound(NachtwachtError):
    """The thing asked for does not exist."""
