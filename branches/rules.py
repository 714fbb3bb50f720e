"""Object permissions for units. Each predicate has its queryset twin in branches.access."""

import rules

from .access import actor_for


@rules.predicate
def sees_unit(user, org) -> bool:
    actor = actor_for(user)
    return org is not None and (actor.sees(org.path) or org.pk == actor.branch_id)


@rules.predicate
def reads_roster(user, org) -> bool:
    return org is not None and actor_for(user).sees(org.path)


@rules.predicate
def manages_unit(user, org) -> bool:
    return org is not None and actor_for(user).manages(org.path)


@rules.predicate
def manages_anything(user) -> bool:
    return bool(actor_for(user).manage_paths)


rules.add_perm("branches.view_unit", rules.is_authenticated & sees_unit)
rules.add_perm("branches.view_roster", rules.is_authenticated & reads_roster)
rules.add_perm("branches.manage_unit", rules.is_authenticated & manages_unit)
rules.add_perm("branches.import_roster", rules.is_authenticated & manages_anything)
