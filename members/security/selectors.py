"""Reads of the security code."""

from django.db.models import QuerySet

from branches.access import actor_for, path_q
from members.models import SecurityEvent


def visible_security_events(user) -> QuerySet[SecurityEvent]:
    """Events the user may read: a department sees those of its committee's members; a superuser all.

    An event without a member (a mistyped name, an account with no member record) belongs to no
    committee, so only a superuser sees it.
    """
    actor = actor_for(user)
    if actor.is_superuser:
        return SecurityEvent.objects.all()
    return SecurityEvent.objects.filter(path_q(actor.staff_paths, "user__member__branch__path"))
