"""Who may read the security log. The matching queryset scope is members.security.selectors."""

import rules

from branches.access import actor_for


@rules.predicate
def reads_security_log(user) -> bool:
    actor = actor_for(user)
    return bool(actor.is_superuser or actor.is_department)


rules.add_perm("members.view_securityevent_log", rules.is_authenticated & reads_security_log)
