"""Who may download which report, as `rules` permissions with their queryset scopes.

Lookups go through `branches.access.get_object_for_user`: a unit, member sheet or notice outside
what the user can see is a 404; one they can see but not download is a 403.
"""

import rules
from django.db.models import Q, QuerySet

from branches.access import MANAGER_ROLES, actor_for, path_q
from branches.models import BRANCH_KINDS, Organization, OrgKind

from ..models import AnnualFiling, AnnualResult, FilingState, Quarter
from ..rules import BRANCH_LEADER_ROLES, belongs_to_branch, manages_branch, oversees_branch, reads_branch

# A branch's annual notice goes up for its members once the branch has reported the year.
REPORTED_STATES = (FilingState.SUBMITTED, FilingState.FILED)


def _leads_branch(user, org) -> bool:
    roles = {p.role for p in actor_for(user).posts if p.org_id == org.pk}
    return org.is_branch and bool(roles & set(BRANCH_LEADER_ROLES))


@rules.predicate
def exports_unit(user, org) -> bool:
    """The department anywhere, general-branch leaders over their sub-tree, and a branch's secretary,
    deputy and committee members for their own branch."""
    if org is None:
        return False
    return actor_for(user).oversees(org.path) or _leads_branch(user, org)


@rules.predicate
def imports_for_branch(user, branch) -> bool:
    """Historical data goes into a branch through its secretary or deputy, or the higher organization."""
    return (
        branch is not None
        and branch.is_branch
        and (manages_branch(user, branch) or oversees_branch(user, branch))
    )


@rules.predicate
def imports_anything(user) -> bool:
    actor = actor_for(user)
    return bool(actor.oversight_paths) or any(
        p.role in MANAGER_ROLES and p.org_kind in BRANCH_KINDS for p in actor.posts
    )


@rules.predicate
def owns_result(user, result) -> bool:
    return result is not None and result.member_id == actor_for(user).member_id


@rules.predicate
def exports_result_branch(user, result) -> bool:
    return result is not None and exports_unit(user, result.filing.branch)


@rules.predicate
def sees_quarter_branch(user, quarter) -> bool:
    return quarter is not None and (
        reads_branch(user, quarter.branch) or belongs_to_branch(user, quarter.branch)
    )


@rules.predicate
def exports_filing_branch(user, filing) -> bool:
    return filing is not None and exports_unit(user, filing.branch)


@rules.predicate
def filing_reported_to_member(user, filing) -> bool:
    return (
        filing is not None
        and filing.state in REPORTED_STATES
        and (reads_branch(user, filing.branch) or belongs_to_branch(user, filing.branch))
    )


@rules.predicate
def oversees_something(user) -> bool:
    return bool(actor_for(user).oversight_paths)


rules.add_perm("points.export_unit", rules.is_authenticated & exports_unit)
rules.add_perm("points.import_history", rules.is_authenticated & imports_anything)
rules.add_perm("points.import_into_branch", rules.is_authenticated & imports_for_branch)
rules.add_perm("points.view_annual_sheet", rules.is_authenticated & (owns_result | exports_result_branch))
rules.add_perm("points.view_publicity", rules.is_authenticated & sees_quarter_branch)
rules.add_perm(
    "points.view_annual_publicity",
    rules.is_authenticated & (exports_filing_branch | filing_reported_to_member),
)
rules.add_perm("points.view_dashboard", rules.is_authenticated & oversees_something)


# --- queryset twins -----------------------------------------------------------------------------


def report_units(user) -> QuerySet[Organization]:
    """Units whose reports the user may download (no party groups: they are not scored on their own)."""
    actor = actor_for(user)
    q = path_q(actor.oversight_paths)
    leader_branches = [p.org_id for p in actor.posts if p.role in BRANCH_LEADER_ROLES]
    q |= Q(pk__in=leader_branches, kind__in=BRANCH_KINDS)
    return Organization.objects.filter(q).exclude(kind=OrgKind.GROUP).order_by("path")


def dashboard_units(user) -> QuerySet[Organization]:
    """Units the dashboard may show: the sub-trees the user oversees, without party groups."""
    return (
        Organization.objects.filter(path_q(actor_for(user).oversight_paths))
        .exclude(kind=OrgKind.GROUP)
        .order_by("path")
    )


def visible_results(user) -> QuerySet[AnnualResult]:
    """Annual results the user may open: their own, and those of branches they can see."""
    actor = actor_for(user)
    q = path_q(actor.view_paths, "filing__branch__path")
    if actor.member_id:
        q |= Q(member_id=actor.member_id)
    return AnnualResult.objects.filter(q).select_related("filing", "filing__branch", "member")


def visible_quarters(user) -> QuerySet[Quarter]:
    actor = actor_for(user)
    q = path_q(actor.view_paths, "branch__path")
    if actor.branch_id:
        q |= Q(branch_id=actor.branch_id)
    return Quarter.objects.filter(q).select_related("branch", "branch__parent")


def visible_filings(user) -> QuerySet[AnnualFiling]:
    actor = actor_for(user)
    q = path_q(actor.view_paths, "branch__path")
    if actor.branch_id:
        q |= Q(branch_id=actor.branch_id)
    return AnnualFiling.objects.filter(q).select_related("branch", "branch__parent")
