"""Turn a branch's records and ledger into the scoring engine's `MemberFacts`, in a fixed number of
queries however many members the branch has (one per kind of record)."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from branches.services import committee_of
from members.models import Category, Member, MemberStatus
from members.selectors import exempt_member_ids

from ..models import (
    Attendance,
    AttendanceStatus,
    DuesRecord,
    DuesStatus,
    EntryType,
    PointEntry,
    SchemeConfig,
    ThoughtReport,
)
from ..models.records import MEETING_KINDS, ORG_LIFE_KINDS, STUDY_HOUR_KINDS
from ..scoring import GUIDELINE_SCHEME, Bonus, Deduction, Judgment, MemberFacts, Scheme
from ..scoring import Attendance as AttendanceFacts
from ..scoring import Dues as DuesFacts

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)
LATE_OR_EARLY = (AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)
NO_JUDGMENT = "支委会未作扣分评定，按满分计"


def scheme_for(branch, year: int) -> Scheme:
    """The branch's own 实施细则 if it has one for `year`, else its committee's, else the guideline."""
    committee = committee_of(branch)
    configs = SchemeConfig.objects.filter(
        organization__in=[branch, committee], applies_from__lte=year
    ).order_by("-applies_from")
    by_org = {}
    for config in configs:
        by_org.setdefault(config.organization_id, config)
    config = by_org.get(branch.pk) or by_org.get(committee.pk)
    return Scheme.from_dict(config.data) if config else GUIDELINE_SCHEME


def _period(year: int, upto_quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, 1, 1)
    end_month = upto_quarter * 3
    end = datetime.date(year + 1, 1, 1) if end_month == 12 else datetime.date(year, end_month + 1, 1)
    return start, end


def _months_required(member: Member, year: int, upto_quarter: int) -> int:
    """Months of dues owed in the period: activists pay none; members from the month they joined."""
    if member.category == Category.ACTIVIST:
        return 0
    months = upto_quarter * 3
    joined = member.probation_start or member.join_date
    if joined and joined.year == year:
        months = max(0, months - (joined.month - 1))
    return months


def branch_members(branch) -> list[Member]:
    return list(Member.objects.filter(branch=branch, status=MemberStatus.ACTIVE).order_by("code"))


def branch_facts(
    branch, year: int, *, upto_quarter: int = 4, members: list[Member] | None = None, judgment_default=True
) -> dict[int, MemberFacts]:
    """Facts of every active member of `branch` for `year`, quarters 1..`upto_quarter`.

    Judgments not entered by the committee count as full marks (the committee records only where a
    member falls short, with its reason) when `judgment_default` is set.
    """
    scheme = scheme_for(branch, year)
    members = members if members is not None else branch_members(branch)
    ids = [m.pk for m in members]
    start, end = _period(year, upto_quarter)
    exempt = exempt_member_ids(member_ids=ids, year=year)

    attendance = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    study_hours: dict[int, Decimal] = defaultdict(Decimal)
    rows = (
        Attendance.objects.filter(
            member_id__in=ids,
            is_current=True,
            session__is_cancelled=False,
            session__starts_at__date__gte=start,
            session__starts_at__date__lt=end,
        )
        .values("member_id", "session__kind")
        .annotate(
            required=Count("id"),
            attended=Count("id", filter=Q(status__in=ATTENDED)),
            late=Count("id", filter=Q(status__in=LATE_OR_EARLY)),
            excused=Count("id", filter=Q(status=AttendanceStatus.EXCUSED)),
            hours=Sum("session__hours", filter=Q(status__in=ATTENDED)),
        )
    )
    for row in rows:
        kind = row["session__kind"]
        item = "org_life" if kind in ORG_LIFE_KINDS else "meetings" if kind in MEETING_KINDS else None
        if item:
            sums = attendance[row["member_id"]][item]
            sums[0] += row["required"]
            sums[1] += row["attended"]
            sums[2] += row["late"]
            sums[3] += row["excused"]
        if kind in STUDY_HOUR_KINDS and row["hours"]:
            study_hours[row["member_id"]] += row["hours"]

    dues_on_time = dict(
        DuesRecord.objects.filter(
            member_id__in=ids,
            year=year,
            month__lte=upto_quarter * 3,
            is_current=True,
            status=DuesStatus.ON_TIME,
        )
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    reports = dict(
        ThoughtReport.objects.filter(
            member_id__in=ids, is_current=True, received_on__gte=start, received_on__lt=end
        )
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )

    bonuses = defaultdict(list)
    deductions = defaultdict(list)
    judgments: dict[int, dict[str, Judgment]] = defaultdict(dict)
    entries = PointEntry.objects.filter(
        member_id__in=ids, is_current=True, quarter__year=year, quarter__number__lte=upto_quarter
    ).order_by("quarter__number", "created_at", "id")
    for e in entries.values(
        "member_id", "entry_type", "kind", "value", "level", "content_key", "own_duty", "measure", "reason"
    ):
        if e["entry_type"] == EntryType.BONUS:
            bonuses[e["member_id"]].append(
                Bonus(
                    kind=e["kind"],
                    value=None if e["level"] else e["value"],
                    level=e["level"] or None,
                    content_key=e["content_key"],
                    own_duty=e["own_duty"],
                    note=e["reason"],
                )
            )
        elif e["entry_type"] == EntryType.DEDUCTION:
            deductions[e["member_id"]].append(
                Deduction(kind=e["kind"], value=e["value"], measure=e["measure"], note=e["reason"])
            )
        else:
            judgments[e["member_id"]][e["kind"]] = Judgment(value=e["value"], reason=e["reason"])

    judgment_items = [item for item in scheme.base_items if item.method == "judgment"]
    facts = {}
    for m in members:
        member_judgments = dict(judgments.get(m.pk, {}))
        if judgment_default:
            for item in judgment_items:
                member_judgments.setdefault(item.code, Judgment(value=item.cap, reason=NO_JUDGMENT))
        att = attendance.get(m.pk, {})
        facts[m.pk] = MemberFacts(
            member_id=m.pk,
            category=m.category,
            exempt=m.pk in exempt,
            study_hours=study_hours.get(m.pk, Decimal(0)),
            attendance={
                code: AttendanceFacts(*att.get(code, [0, 0, 0, 0])) for code in ("org_life", "meetings")
            },
            dues=DuesFacts(
                months_on_time=min(dues_on_time.get(m.pk, 0), _months_required(m, year, upto_quarter)),
                months_required=_months_required(m, year, upto_quarter),
            ),
            thought_reports=reports.get(m.pk, 0),
            judgments=member_judgments,
            bonuses=tuple(bonuses.get(m.pk, ())),
            deductions=tuple(deductions.get(m.pk, ())),
        )
    return facts
