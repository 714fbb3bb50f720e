from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

from ...selectors.workflow_scopes import scoped_quarter

MIN_YEAR, MAX_YEAR = 2000, 2100


def error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def get_for(user, queryset, perm: str, *, on=None, **lookup):
    """`branches.access.get_object_for_user` for rows whose permission is held on another object
    (usually their branch): `on(obj)` names it. Outside the scope 404, not permitted 403."""
    obj = get_object_or_404(queryset, **lookup)
    if not user.has_perm(perm, on(obj) if on else obj):
        raise PermissionDenied
    return obj


def quarter_for(user, pk: int, perm: str):
    """The quarter `pk` for a page of it: outside the user's scope 404, `perm` not held on its branch
    403."""
    quarter = scoped_quarter(user, pk)
    if not user.has_perm(perm, quarter.branch):
        raise PermissionDenied
    return quarter


def check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("没有该年度。")
    return year
