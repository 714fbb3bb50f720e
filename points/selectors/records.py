"""Reads for the daily records of clause 四.1: session calendars, attendance sheets, dues grids.

Every function here runs a fixed number of queries however many members or rows a branch has, so
the pages built on them stay fast for a 200-member branch.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from branches.access import LEADER_ROLES, actor_for, first_seen_or_own, path_q
from branches.models import Organization, Position
from config.prepared import prepared
from members.models import Category, Exemption, ExemptionState, Member, MemberStatus
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
from .quarters import local_year, locked_quarters, quarter_number

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
    actor = actor_for(user)
    q = path_q(actor.view_paths, "branch__path")
    if actor.branch_id:
        q |= Q(branch_id=actor.branch_id)
    return Session.objects.filter(q).select_related("branch", "group")


def scoped_session(user, pk: int) -> Session:
    """`session_scope(user).get(pk=pk)`, 404 outside it, from a query compiled once (config/prepared.py)
    and the scope's twin (`Actor.sees_or_own`): the attendance sheet opens it on every visit and save."""
    return first_seen_or_own(user, _session_with_branch(session_id=pk), "没有该活动。")


@prepared(session_id=int)
def _session_with_branch(session_id):
    return Session.objects.filter(pk=session_id).select_related("branch", "group")


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


# --- sessions and attendance -------------------------------------------------------------------


def expected_members(session: Session) -> QuerySet[Member]:
    """Who must attend: active members of the branch, of the group, or of the branch committee, with
    their group (`expected_list` gives each their branch too)."""
    whole_branch = _whole_branch_members(session)
    if whole_branch is not None:
        return whole_branch.build(session.branch_id)
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
    else:  # Audience.GROUP
        if session.group_id is None:
            return Member.objects.none()
        qs = qs.filter(branch_id=session.branch_id, group_id=session.group_id)
    if session.kind not in ACTIVIST_KINDS:
        qs = qs.exclude(category=Category.ACTIVIST)
    return qs.select_related("group").order_by("code")


def _whole_branch_members(session: Session):
    """For a session of the whole branch (most of them), its expected members as a query compiled once
    (config/prepared.py): the active members, and the activists for the sessions they attend. None for a
    committee's or a group's session."""
    if session.audience in (Audience.COMMITTEE, Audience.GROUP):
        return None
    return _branch_members_all if session.kind in ACTIVIST_KINDS else _branch_members_no_activists


def _branch_members_query(branch_id: int, *, activists: bool) -> QuerySet[Member]:
    qs = Member.objects.filter(status=MemberStatus.ACTIVE, branch_id=branch_id)
    if not activists:
        qs = qs.exclude(category=Category.ACTIVIST)
    return qs.select_related("group").order_by("code")


_branch_members_all = prepared(branch_id=int)(
    lambda branch_id: _branch_members_query(branch_id, activists=True)
)
_branch_members_no_activists = prepared(branch_id=int)(
    lambda branch_id: _branch_members_query(branch_id, activists=False)
)


def expected_list(session: Session) -> list[Member]:
    """`expected_members` as a list, each member holding the session's own branch object rather than a
    copy of the branch row per member (a committee member from elsewhere gets theirs, in one query)."""
    whole_branch = _whole_branch_members(session)
    members = whole_branch(branch_id=session.branch_id) if whole_branch else list(expected_members(session))
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
    entries = _sheet_entries(session_id=session.pk)
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
    exempt = _exempt(session, rows)
    for pk, row in rows.items():
        row.is_exempt = pk in exempt
    return list(rows.values())


@prepared(session_id=int)
def _sheet_entries(session_id):
    return (
        Attendance.objects.filter(session_id=session_id)
        .only("member_id", "status", "reason", "via_qr", "is_current", "corrects_id", "correction_reason")
        .order_by("recorded_at", "pk")
    )


def _exempt(session: Session, rows: dict[int, AttendanceRow]) -> set[int]:
    """Which members of the sheet are exempt for the session's year: those of the session's branch from a
    query compiled once (config/prepared.py), anyone from elsewhere (a committee member, a member moved
    since) by `exempt_member_ids`."""
    year = local_day(session.starts_at).year
    exempt = {e.member_id for e in _branch_exemptions(branch_id=session.branch_id, year=year)} & rows.keys()
    elsewhere = [pk for pk, row in rows.items() if row.member.branch_id != session.branch_id]
    if elsewhere:
        exempt |= exempt_member_ids(member_ids=elsewhere, year=year)
    return exempt


@prepared(branch_id=int, year=int)
def _branch_exemptions(branch_id, year):
    return Exemption.objects.filter(
        member__branch_id=branch_id, year=year, state=ExemptionState.APPROVED
    ).only("member_id")


def branch_sessions(branch, year: int) -> list[Session]:
    """A branch's sessions of `year` (in the current time zone), oldest first, with how many members
    have a current attendance entry (compiled once: config/prepared.py)."""
    since, until = local_year(year)
    return _branch_sessions(branch_id=branch.pk, since=since, until=until)


@prepared(branch_id=int, since=datetime.datetime, until=datetime.datetime)
def _branch_sessions(branch_id, since, until):
    return (
        Session.objects.filter(branch_id=branch_id, starts_at__gte=since, starts_at__lt=until)
        .select_related("group")
        .annotate(recorded_count=Count("attendances", filter=Q(attendances__is_current=True)))
        .order_by("starts_at", "pk")
    )


UPCOMING = 10


def upcoming_sessions(branch, *, now: datetime.datetime | None = None) -> list[Session]:
    """The branch's next UPCOMING sessions not cancelled (compiled once: config/prepared.py)."""
    return _upcoming_sessions(branch_id=branch.pk, now=now or timezone.now())


@prepared(branch_id=int, now=datetime.datetime)
def _upcoming_sessions(branch_id, now):
    return (
        Session.objects.filter(branch_id=branch_id, ends_at__gte=now, is_cancelled=False)
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
