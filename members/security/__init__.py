"""账号与安全审计: login lockout, session limits, forced password change, the security log, operations.

This package is also the `members.security` app (label "security"), so it is imported before the app
registry is ready and must not import models at module level. The functions other code calls are
re-exported here and load their implementation on first use:

    from members.security import log_export, require_password_change, sessions_revoke
"""


def log_export(request, what: str) -> None:
    """Record in the security log that `request.user` exported `what` (e.g. "党员名册 第一党支部")."""
    from .services import log_export as _log_export

    _log_export(request, what)


def log_event(request, kind: str, outcome: str, **fields) -> None:
    """Record one security event for the request's user and address (see SecurityEventKind)."""
    from .services import log_event as _log_event

    _log_event(request, kind, outcome, **fields)


def require_password_change(user, *, actor=None) -> None:
    """Make `user` change their password at their next request (accounts created by an import)."""
    from .services import require_password_change as _require

    _require(user, actor=actor)


def sessions_revoke(user, *, reason: str = "") -> None:
    """End every open session of `user` at its next request (account disabled, member transferred out)."""
    from .services import sessions_revoke as _revoke

    _revoke(user, reason=reason)
