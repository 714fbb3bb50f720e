"""Helpers every daily-records page shares: scoped lookups and messages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.urls import reverse

from branches.access import actor_for, get_object_for_user

from ...models import Session
from ...selectors import records as selectors
from ...selectors.workflow_scopes import points_branches
from ...services import records as services


def branch_for(request: HttpRequest, pk: int, perm: str):
    return get_object_for_user(request.user, points_branches(request.user), perm, pk=pk)


def session_for(request: HttpRequest, pk: int, perm: str = "points.record") -> Session:
    """Outside the user's scope → 404; the points rules are keyed by branch, so the permission is
    asked of the session's branch → 403."""
    session = selectors.scoped_session(request.user, pk)
    if not request.user.has_perm(perm, session.branch):
        raise PermissionDenied
    return session


def may_record_own(request: HttpRequest, branch) -> bool:
    """Secretaries and deputies record their own items; the recorder does not (clause 四.1)."""
    return request.user.has_perm("points.manage_quarter", branch)


def recordable_members(request: HttpRequest, qs, branch):
    if may_record_own(request, branch):
        return qs
    return qs.exclude(pk=actor_for(request.user).member_id)


def calendar_url(session: Session) -> str:
    year = selectors.local_day(session.starts_at).year
    return f"{reverse('points:sessions', args=[session.branch_id])}?year={year}"


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def saved_text(result: services.SaveResult) -> str:
    if not result.changed:
        return "没有需要保存的变化。"
    parts = [
        f"{label} {n} 条"
        for label, n in (("新增", result.created), ("修改", result.updated), ("更正", result.corrected))
        if n
    ]
    return "已保存：" + "，".join(parts) + "。"
