"""Object permissions for members. The matching queryset scope is members.selectors.visible_members."""

import rules

from branches.access import actor_for


@rules.predicate
def is_self(user, member) -> bool:
    return member is not None and member.pk == actor_for(user).member_id


@rules.predicate
def reads_member(user, member) -> bool:
    return member is not None and actor_for(user).sees(member.branch.path)


@rules.predicate
def manages_member(user, member) -> bool:
    return member is not None and actor_for(user).manages(member.branch.path)


rules.add_perm("members.view_member", rules.is_authenticated & (is_self | reads_member))
rules.add_perm("members.change_member", rules.is_authenticated & manages_member)


@rules.predicate
def manages_exemption(user, exemption) -> bool:
    return exemption is not None and actor_for(user).manages(exemption.member.branch.path)


rules.add_perm("members.change_member_exemption", rules.is_authenticated & manages_exemption)
