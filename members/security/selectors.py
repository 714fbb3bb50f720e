"""Reads of the security code."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.db.models.functions import Lower

from branches.access import actor_for, path_q
from members.models import LockScope, LoginLock, SecurityEvent


def visible_security_events(user) -> QuerySet[SecurityEvent]:
    """Events the user may read: a department sees those of its committee's members; a superuser all.

    An event without a member (a mistyped name, an account with no member record) belongs to no
    committee, so only a superuser sees it.
    """
    actor = actor_for(user)
    if actor.is_superuser:
        return SecurityEvent.objects.all()
    return SecurityEvent.objects.filter(path_q(actor.staff_paths, "user__member__branch__path"))


def visible_login_locks(user, now: datetime.datetime) -> QuerySet[LoginLock]:
    """Locks still running that the user may see, on the same terms as the events: a department sees
    the account locks of its committee's members; a superuser every lock.

    A lock is keyed by the lowercased name typed at login (members.security.lockout), so it is matched
    to an account by name. A lock on a name no account has, and an address lock (an address belongs
    to no committee), is shown to a superuser only.
    """
    actor = actor_for(user)
    running = LoginLock.objects.filter(until__gt=now)
    if actor.is_superuser:
        return running
    names = (
        get_user_model()
        .objects.filter(path_q(actor.staff_paths, "member__branch__path"))
        .annotate(key=Lower("username"))
        .values("key")
    )
    return running.filter(scope=LockScope.ACCOUNT, key__in=names)
