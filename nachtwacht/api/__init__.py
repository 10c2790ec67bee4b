"""The REST API (FastAPI): search, documents, vendors, trends, exports, users, audit; roles and sessions.

Routes parse, check the caller's permission, write the audit record, call `nachtwacht.app.Nachtwacht`
and render JSON. Errors map to statuses in one place (`_app._STATUS`).
"""

from ._app import PUBLIC_PATHS, create_app
from ._context import SESSION_COOKIE, Principal, Services

__all__ = ["PUBLIC_PATHS", "SESSION_COOKIE", "Principal", "Services", "create_app"]
