"""Reads for arrangements: lists, the detail page, which branches an issue covers, its revisions."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from branches.access import actor_for, path_q
from branches.models import BRANCH_KINDS, Organization

from ..models import Arrangement, ArrangementRevision, ScheduleRow, StudySession
from .scopes import readable_study_sessions, visible_arrangements


def arrangement_list(user) -> QuerySet[Arrangement]:
    return visible_arrangements(user).select_related("committee").order_by("-issued_on", "-id")


def with_content(qs: QuerySet[Arrangement]) -> QuerySet[Arrangement]:
    """Everything the page and the PDF print, in a fixed number of queries."""
    return qs.select_related("committee", "published_by").prefetch_related(
        Prefetch(
            "schedule",
            queryset=ScheduleRow.objects.prefetch_related(
                Prefetch("organizers", queryset=Organization.objects.order_by("sort_order", "path"))
            ),
        ),
        "readings",
        "requirements",
    )


def organizer_units(arrangement: Arrangement) -> list[Organization]:
    seen: dict[int, Organization] = {}
    for row in arrangement.schedule.all():
        for org in row.organizers.all():
            seen.setdefault(org.pk, org)
    return list(seen.values())


def covered_branches(arrangement: Arrangement) -> QuerySet[Organization]:
    """Branches under the schedule's organizing units; the whole committee when no unit was matched."""
    units = organizer_units(arrangement)
    paths = [u.path for u in units] or [f"/{arrangement.committee_id}/"]
    return Organization.objects.filter(path_q(paths), kind__in=BRANCH_KINDS).order_by("path")


def schedule_date_for(arrangement: Arrangement, branch: Organization):
    """The scheduled date whose organizers cover `branch` (the first row when none was matched)."""
    rows = list(arrangement.schedule.all())
    for row in rows:
        units = list(row.organizers.all())
        if not units or any(branch.path.startswith(u.path) for u in units):
            return row.date
    return rows[0].date if rows else None


def arrangement_sessions(user, arrangement: Arrangement) -> QuerySet[StudySession]:
    """The arrangement's sessions whose pages the user may open (twin of `study.view_session`)."""
    return (
        readable_study_sessions(user)
        .filter(arrangement=arrangement, session__is_cancelled=False)
        .order_by("session__branch__path", "session__starts_at")
    )


def own_branch_sessions(user, arrangement: Arrangement) -> QuerySet[StudySession]:
    """What a member needs to know: when and where their branch (or group) meets for this issue."""
    actor = actor_for(user)
    if not actor.branch_id:
        return StudySession.objects.none()
    from members.models import Member

    group_id = Member.objects.filter(pk=actor.member_id).values_list("group_id", flat=True).first()
    return (
        StudySession.objects.filter(
            arrangement=arrangement, session__branch_id=actor.branch_id, session__is_cancelled=False
        )
        .filter(Q(session__group__isnull=True) | Q(session__group_id=group_id))
        .select_related("session", "session__branch", "session__group")
        .order_by("session__starts_at")
    )


def revisions(arrangement: Arrangement) -> QuerySet[ArrangementRevision]:
    return arrangement.revisions.select_related("actor").order_by("-at", "-id")
