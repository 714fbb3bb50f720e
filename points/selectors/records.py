"""Reads for the daily records of clause 四.1: session calendars, attendance sheets, dues grids.

Every function here runs a fixed number of queries however many members or rows a branch has, so
the pages built on them stay fast for a 200-member branch.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from branches.access import LEADER_ROLES, actor_for, path_q, seen_or_own
from branches.models import Organization, Position
from members.models import Category, Member, MemberStatus
from members.selectors import exempt_member_ids

from ..models import (
    Attendance,
    Audience,
    DuesRecord,
    MobileEvidence,
    Session,
    SessionKind,
    ThoughtReport,
)
from .quarters import locked_quarters, quarter_number

# Activists (入党积极分子) are managed by reference (参照管理): they take part in the branch's education
# and activities, so they are expected at 党课, 统一活动日/主题党日, 集中学习 and 党小组会. Meetings of the
# party members as such — 支部党员大会, 支委会 and 工作会议 (decisions, recruitment, appraisal, where
# an activist may be the very subject) — are not open to them, so they are not expected there.
ACTIVIST_KINDS = (
    SessionKind.PARTY_LECTURE,
    SessionKind.ACTIVITY_DAY,
    SessionKind.STUDY,
    SessionKind.GROUP_MEETING,
)

MONTHS = tuple(range(1, 13))


def session_scope(user) -> QuerySet[Session]:
    """Sessions the user may open: those of sub-trees they lead or record for, and their own branch's
    (members open their own branch's sessions to sign in)."""
    return Session.objects.filter(seen_or_own(actor_for(user), "branch")).select_related("branch", "group")


def scoped_session(user, pk: int) -> Session:
    """`session_scope(user).get(pk=pk)`, 404 outside it."""
    return get_object_or_404(session_scope(user), pk=pk)


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


# --- sessions and attendance -------------------------------------------------------------------


def expected_members(session: Session) -> QuerySet[Member]:
    """Who must attend: active members of the branch, of the group, or of the branch committee, with
    their group (`expected_list` gives each their branch too)."""
    qs = Member.objects.filter(status=MemberStatus.ACTIVE)
    if session.audience == Audience.COMMITTEE:
        qs = qs.filter(
            Exists(
                Position.objects.filter(
                    member=OuterRef("pk"),
                    organization_id=session.branch_id,
                    role__in=LEADER_ROLES,
                    end_date__isnull=True,
                )
            )
        )
    elif session.audience == Audience.GROUP:
        if session.group_id is None:
            return Member.objects.none()
        qs = qs.filter(branch_id=session.branch_id, group_id=session.group_id)
    else:
        qs = qs.filter(branch_id=session.branch_id)
    if session.kind not in ACTIVIST_KINDS:
        qs = qs.exclude(category=Category.ACTIVIST)
    return qs.select_related("group").order_by("code")


def expected_list(session: Session) -> list[Member]:
    """`expected_members` as a list, each member holding the session's own branch object rather than a
    copy of the branch row per member (a committee member from elsewhere gets theirs, in one query)."""
    members = list(expected_members(session))
    branches = {session.branch_id: session.branch}
    elsewhere = {m.branch_id for m in members} - branches.keys()
    if elsewhere:
        branches.update(Organization.objects.in_bulk(elsewhere))
    for m in members:
        m.branch = branches[m.branch_id]
    return members


@dataclass
class AttendanceRow:
    member: Member
    current: Attendance | None = None
    # Earlier rows this member's entry corrects, oldest first (shown beside the correction).
    history: list[Attendance] = field(default_factory=list)
    is_expected: bool = True
    is_exempt: bool = False

    @property
    def original(self) -> Attendance | None:
        return self.history[0] if self.history else None


def session_attendance(session: Session) -> list[AttendanceRow]:
    """One row per expected member with their current entry and the entries it corrected; members
    with an entry who are no longer expected (e.g. transferred out) follow at the end."""
    members = expected_list(session)
    # Only what the sheet shows of an entry and its history.
    entries = list(
        Attendance.objects.filter(session=session)
        .only("member_id", "status", "reason", "via_qr", "is_current", "corrects_id", "correction_reason")
        .order_by("recorded_at", "pk")
    )
    rows: dict[int, AttendanceRow] = {m.pk: AttendanceRow(member=m) for m in members}
    missing = {e.member_id for e in entries} - rows.keys()
    if missing:
        for m in Member.objects.filter(pk__in=missing).select_related("branch", "group").order_by("code"):
            rows[m.pk] = AttendanceRow(member=m, is_expected=False)
    by_pk = {e.pk: e for e in entries}
    for entry in entries:
        if entry.is_current:
            row = rows[entry.member_id]
            row.current = entry
            chain, prev = [], by_pk.get(entry.corrects_id)
            while prev is not None:
                chain.append(prev)
                prev = by_pk.get(prev.corrects_id)
            row.history = chain[::-1]
    exempt = exempt_member_ids(member_ids=list(rows), year=local_day(session.starts_at).year)
    for pk, row in rows.items():
        row.is_exempt = pk in exempt
    return list(rows.values())


def branch_sessions(branch, year: int) -> QuerySet[Session]:
    """A branch's sessions of `year` (in the current time zone), oldest first, with how many members
    have a current attendance entry."""
    return (
        Session.objects.filter(branch=branch, starts_at__year=year)
        .select_related("group")
        .annotate(recorded_count=Count("attendances", filter=Q(attendances__is_current=True)))
        .order_by("starts_at", "pk")
    )


UPCOMING = 10


def upcoming_sessions(branch, *, now: datetime.datetime | None = None) -> QuerySet[Session]:
    """The branch's next UPCOMING sessions not cancelled."""
    return (
        Session.objects.filter(branch=branch, ends_at__gte=now or timezone.now(), is_cancelled=False)
        .select_related("group")
        .order_by("starts_at", "pk")[:UPCOMING]
    )


def sessions_by_quarter(sessions) -> list[tuple[int, list[Session]]]:
    grouped: dict[int, list[Session]] = defaultdict(list)
    for s in sessions:
        grouped[quarter_number(local_day(s.starts_at))].append(s)
    return sorted(grouped.items())


def sessions_without_attendance(
    paths, *, now: datetime.datetime | None = None, days: int = 30
) -> QuerySet[Session]:
    """Sessions of the last `days` days in the given branches where no attendance is recorded yet."""
    now = now or timezone.now()
    return Session.objects.filter(
        path_q(paths, "branch__path"),
        is_cancelled=False,
        starts_at__lte=now,
        starts_at__gte=now - datetime.timedelta(days=days),
    ).exclude(Exists(Attendance.objects.filter(session=OuterRef("pk"))))


# --- dues -------------------------------------------------------------------------------------


def dues_members(branch) -> QuerySet[Member]:
    """Members who owe dues: activists pay none (they are not yet party members)."""
    return (
        Member.objects.filter(branch=branch, status=MemberStatus.ACTIVE)
        .exclude(category=Category.ACTIVIST)
        .select_related("branch")
        .order_by("code")
    )


def first_dues_month(member: Member, year: int) -> int:
    """Dues are owed from the month the member joined (the probation start for new members)."""
    joined = member.probation_start or member.join_date
    if joined and joined.year == year:
        return joined.month
    if joined and joined.year > year:
        return 13
    return 1


def last_open_month(year: int, today: datetime.date) -> int:
    """Months after the current one have not fallen due and cannot be recorded yet."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


@dataclass
class DuesCell:
    month: int
    current: DuesRecord | None = None
    history: list[DuesRecord] = field(default_factory=list)
    owed: bool = True  # False before the member joined
    due: bool = True  # False for months still to come
    locked: bool = False  # its quarter has gone to review: a change is a correction

    @property
    def status(self) -> str:
        return self.current.status if self.current else ""

    @property
    def original(self) -> DuesRecord | None:
        return self.history[0] if self.history else None


@dataclass
class DuesRow:
    member: Member
    cells: list[DuesCell]
    is_exempt: bool = False


@dataclass
class DuesGrid:
    year: int
    rows: list[DuesRow]
    locked_months: set[int]

    @property
    def locked_quarter_numbers(self) -> list[int]:
        return sorted({(m - 1) // 3 + 1 for m in self.locked_months})


def _dues_chains(records: list[DuesRecord]) -> dict[tuple[int, int], tuple[DuesRecord, list[DuesRecord]]]:
    by_pk = {r.pk: r for r in records}
    chains = {}
    for r in records:
        if r.is_current:
            chain, prev = [], by_pk.get(r.corrects_id)
            while prev is not None:
                chain.append(prev)
                prev = by_pk.get(prev.corrects_id)
            chains[(r.member_id, r.month)] = (r, chain[::-1])
    return chains


def dues_grid(branch, year: int, *, today: datetime.date | None = None) -> DuesGrid:
    """Members × 12 months of `year` with each month's current record and its corrections."""
    today = today or timezone.localdate()
    members = list(dues_members(branch))
    ids = [m.pk for m in members]
    records = list(DuesRecord.objects.filter(member_id__in=ids, year=year).order_by("recorded_at", "pk"))
    chains = _dues_chains(records)
    quarters = locked_quarters(branch, year)
    locked = {m for m in MONTHS if (m - 1) // 3 + 1 in quarters}
    exempt = exempt_member_ids(member_ids=ids, year=year)
    last = last_open_month(year, today)
    rows = []
    for m in members:
        first = first_dues_month(m, year)
        cells = []
        for month in MONTHS:
            current, history = chains.get((m.pk, month), (None, []))
            cells.append(
                DuesCell(
                    month=month,
                    current=current,
                    history=history,
                    owed=month >= first,
                    due=month <= last,
                    locked=month in locked,
                )
            )
        rows.append(DuesRow(member=m, cells=cells, is_exempt=m.pk in exempt))
    return DuesGrid(year=year, rows=rows, locked_months=locked)


def dues_for_member(member: Member, year: int) -> list[DuesCell]:
    """A member's twelve months of `year` (for their own page)."""
    records = list(DuesRecord.objects.filter(member=member, year=year).order_by("recorded_at", "pk"))
    chains = _dues_chains(records)
    first = first_dues_month(member, year)
    last = last_open_month(year, timezone.localdate())
    cells = []
    for month in MONTHS:
        current, history = chains.get((member.pk, month), (None, []))
        cells.append(
            DuesCell(month=month, current=current, history=history, owed=month >= first, due=month <= last)
        )
    return cells


# --- thought reports and mobile members' evidence --------------------------------------------


def branch_thought_reports(branch, year: int) -> QuerySet[ThoughtReport]:
    """Current reports received in `year` from the branch's members, newest first."""
    return (
        ThoughtReport.objects.filter(member__branch=branch, is_current=True, received_on__year=year)
        .select_related("member", "corrects")
        .order_by("-received_on", "-pk")
    )


def thought_report_counts(branch, year: int) -> dict[int, int]:
    return dict(
        ThoughtReport.objects.filter(member__branch=branch, is_current=True, received_on__year=year)
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )


def branch_members(branch) -> QuerySet[Member]:
    return (
        Member.objects.filter(branch=branch, status=MemberStatus.ACTIVE)
        .select_related("branch")
        .order_by("code")
    )


def mobile_members(branch) -> QuerySet[Member]:
    return branch_members(branch).filter(is_mobile=True)


def branch_evidence(branch) -> QuerySet[MobileEvidence]:
    return (
        MobileEvidence.objects.filter(member__branch=branch)
        .select_related("member")
        .order_by("-activity_on", "-pk")
    )


def evidence_scope(user) -> QuerySet[MobileEvidence]:
    """Evidence the user may open: that of members they may see (themselves included)."""
    from members.selectors import visible_members

    return MobileEvidence.objects.filter(member__in=visible_members(user)).select_related("member__branch")
