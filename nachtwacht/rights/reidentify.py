"""Re-identification of a pseudonym: admins only, with a reason, always written to the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nachtwacht.rights.exceptions import ReidentifyRefused
from nachtwacht.rights.policy import load_rights
from nachtwacht.rights.pseudonym import Pseudonymiser, PseudonymVault, load_key

__all__ = ["MIN_REASON", "reidentify"]

MIN_REASON = 10  # characters: the reason must say why (and for which case)


def reidentify(data_dir: str | Path, pseudonym: str, *, username: str, password: str, reason: str,
               case_ref: str = "") -> dict[str, Any]:
    """The clear value behind `pseudonym`, for an admin who gives a reason.

    The user is authenticated against the user store and must have the role `admin`. Every
    attempt, refused or not, is written to the audit log (the reason; never the clear value).
    Raises ReidentifyRefused (nothing revealed) or the user store's AuthError.
    """
    from nachtwacht.audit import AuditLog
    from nachtwacht.users import UserStore

    audit = AuditLog(data_dir)

    def log(outcome: str) -> None:
        audit.append(actor=username, role=role, action="pseudonym.reidentify", target=pseudonym,
                     case_ref=case_ref, details={"reason": reason, "outcome": outcome})

    role = ""
    try:
        user = UserStore(data_dir).authenticate(username, password, client="cli")
    except Exception:
        log("refused: authentication failed")
        raise
    role = user.role
    if role != "admin":
        log("refused: not an admin")
        raise ReidentifyRefused(f"user {username} is {role}: only an admin may re-identify")
    if len(reason.strip()) < MIN_REASON:
        log("refused: no reason")
        raise ReidentifyRefused(f"give a reason of at least {MIN_REASON} characters (why, for which case)")
    key = load_key(data_dir, load_rights().minimisation, create=False)
    try:
        found = Pseudonymiser(key, PseudonymVault(data_dir)).reveal(pseudonym)
    except ReidentifyRefused as exc:
        log(f"refused: {exc}")
        raise
    log("revealed")
    return found
