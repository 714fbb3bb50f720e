from django.core.exceptions import PermissionDenied
from django.http import Http404

from ...selectors.workflow_scopes import scoped_quarter

MIN_YEAR, MAX_YEAR = 2000, 2100


def quarter_for(user, pk: int, perm: str):
    """The quarter `pk` for a page of it: outside the user's scope 404, `perm` not held on its branch
    403 (`get_object_for_user` over `quarter_scope`)."""
    quarter = scoped_quarter(user, pk)
    if not user.has_perm(perm, quarter.branch):
        raise PermissionDenied
    return quarter


def check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("没有该年度。")
    return year
