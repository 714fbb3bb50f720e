"""What a user may download for a year: their own sheets, their branch's notices, their units' reports."""

from __future__ import annotations

from django.db.models import Max

from branches.access import actor_for

from ..models import AnnualFiling, AnnualResult, Quarter
from ..models.workflow import PUBLISHED_STATES
from . import access


def latest_year(user) -> int | None:
    """The latest year with a filing the user can see: what the downloads page opens on."""
    return access.visible_filings(user).aggregate(y=Max("year"))["y"]


def downloads(user, *, unit_pk: str | None, year: int) -> dict:
    actor = actor_for(user)
    units = list(access.report_units(user))
    unit = next((u for u in units if str(u.pk) == unit_pk), units[0]) if units else None
    own_results = (
        AnnualResult.objects.filter(member_id=actor.member_id)
        .select_related("filing", "filing__branch")
        .order_by("-filing__year")
        if actor.member_id
        else []
    )
    # Notices: of the branch chosen among the user's units, else of the user's own branch.
    branch_id = unit.pk if unit is not None and unit.is_branch else actor.branch_id
    quarters = (
        Quarter.objects.filter(branch_id=branch_id, year=year, state__in=PUBLISHED_STATES)
        .select_related("branch")
        .order_by("number")
    )
    filing = AnnualFiling.objects.filter(branch_id=branch_id, year=year).select_related("branch").first()
    unit_results = None
    if unit is not None and unit.is_branch and filing is not None:
        unit_results = filing.results.select_related("member").order_by("member__code")
    return {
        "year": year,
        "units": units,
        "unit": unit,
        "own_results": own_results,
        "quarters": quarters,
        "filing": filing
        if filing is not None and user.has_perm("points.view_annual_publicity", filing)
        else None,
        "unit_results": unit_results,
        "can_import": user.has_perm("points.import_history"),
        "can_dashboard": user.has_perm("points.view_dashboard"),
    }
