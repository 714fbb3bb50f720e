"""Object permissions for points. Queryset twins: points.selectors.scopes."""

import rules

from branches.access import MANAGER_ROLES, actor_for
from branches.models import PositionRole

BRANCH_LEADER_ROLES = (PositionRole.SECRETARY, PositionRole.DEPUTY_SECRETARY, PositionRole.COMMITTEE_MEMBER)


def _posts_at(user, org) -> set[str]:
    return {p.role for p in actor_for(user).posts if p.org_id == org.pk}


@rules.predicate
def records_for_branch(user, branch) -> bool:
    """积分记录员, or the branch's secretary / deputy (who also keep the recorder's own records)."""
    if branch is None:
        return False
    roles = _posts_at(user, branch)
    return PositionRole.RECORDER in roles or bool(roles & set(MANAGER_ROLES))


@rules.predicate
def records_for_member(user, member) -> bool:
    """Clause 四.1: the recorder never records their own items; the secretary or deputy does."""
    if member is None or not records_for_branch(user, member.branch):
        return False
    roles = _posts_at(user, member.branch)
    if member.pk == actor_for(user).member_id and not roles & set(MANAGER_ROLES):
        return False
    return True


@rules.predicate
def reviews_branch(user, branch) -> bool:
    """支委会: the branch's secretary, deputy and committee members."""
    return branch is not None and bool(_posts_at(user, branch) & set(BRANCH_LEADER_ROLES))


@rules.predicate
def manages_branch(user, branch) -> bool:
    """Steps that speak for the branch (assembly, publicity, roll-up): secretary or deputy."""
    return branch is not None and bool(_posts_at(user, branch) & set(MANAGER_ROLES))


@rules.predicate
def oversees_branch(user, branch) -> bool:
    """上级党组织: general-branch leaders over their branches, the department over all."""
    return branch is not None and actor_for(user).oversees(branch.path)


@rules.predicate
def belongs_to_branch(user, branch) -> bool:
    return branch is not None and actor_for(user).branch_id == branch.pk


@rules.predicate
def reads_branch(user, branch) -> bool:
    return branch is not None and actor_for(user).sees(branch.path)


rules.add_perm("points.record", rules.is_authenticated & records_for_branch)
rules.add_perm("points.record_member", rules.is_authenticated & records_for_member)
rules.add_perm("points.review", rules.is_authenticated & reviews_branch)
rules.add_perm("points.manage_quarter", rules.is_authenticated & manages_branch)
rules.add_perm("points.oversee", rules.is_authenticated & oversees_branch)
rules.add_perm("points.view_branch_points", rules.is_authenticated & (reads_branch | belongs_to_branch))


# --- quarterly workflow pages (points/views/workflow) ------------------------------------------
# Queryset twins: points.selectors.workflow_scopes (declaration_scope, objections_to_handle, ...).


@rules.predicate
def is_declarant(user, declaration) -> bool:
    """A draft declaration belongs to whoever wrote it until they submit it."""
    return declaration is not None and declaration.declarant_id == actor_for(user).member_id


@rules.predicate
def sees_evidence(user, declaration) -> bool:
    """Evidence may hold personal details: its author, the 支委会 that weighs it and the higher
    organization that oversees the branch — not every member who can open the quarter."""
    if declaration is None:
        return False
    branch = declaration.quarter.branch
    return bool(
        is_declarant(user, declaration) or reviews_branch(user, branch) or oversees_branch(user, branch)
    )


@rules.predicate
def handles_objection(user, objection) -> bool:
    """Clause 四.5: an objection goes to the branch (secretary/deputy), an appeal to the higher organization."""
    if objection is None:
        return False
    branch = objection.quarter.branch
    if objection.channel == "branch":
        return bool(manages_branch(user, branch))
    return bool(oversees_branch(user, branch))


# Members of the branch declare items and object to their published results (clause 四.2, 四.5).
rules.add_perm("points.declare", rules.is_authenticated & belongs_to_branch)
rules.add_perm("points.change_declaration", rules.is_authenticated & is_declarant)
rules.add_perm("points.view_evidence", rules.is_authenticated & sees_evidence)
rules.add_perm("points.handle_objection", rules.is_authenticated & handles_objection)
# The whole branch's annual table (ranks and clause 五 results); a plain member sees their own line.
rules.add_perm("points.view_branch_results", rules.is_authenticated & reads_branch)

# The reports permissions live beside the reports; importing them here registers them at start-up.
from .reports import access as _reports_access  # noqa: E402, F401
