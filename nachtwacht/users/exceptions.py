"""Errors of users, sessions and tokens.

NachtwachtError
 └── AuthError               authentication or authorisation failed
      ├── InvalidCredentials  unknown user, wrong password, disabled user, bad or expired token
      ├── LoginThrottled      too many failed logins: wait `retry_after` seconds
      ├── Forbidden           authenticated, but the role does not allow this
      └── UserExists          a user with this name already exists
"""

from __future__ import annotations

from nachtwacht.exceptions import NachtwachtError


class AuthError(NachtwachtError):
    """Root of authentication and authorisation errors."""


class InvalidCredentials(AuthError):
    """Unknown user, wrong password, disabled account, unknown or expired token or session."""


class LoginThrottled(AuthError):
    """Too many failed logins for this user or client in the window."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Forbidden(AuthError):
    """The caller's role does not grant the permission."""


class UserExists(AuthError):
    """A user with this name already exists."""
