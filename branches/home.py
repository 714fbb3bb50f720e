"""What waits for each role on the home page (issue 4 §7): a fixed handful of queries per role."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from members.models import Exemption, ExemptionState

from .access import Actor, path_q


@dataclass(frozen=True)
class WaitingItem:
    title: str
    count: int
    url: str


def waiting_items(user, actor: Actor) -> list[WaitingItem]:
    items: list[WaitingItem] = []
    if actor.manage_paths:
        pending = Exemption.objects.filter(
            path_q(actor.manage_paths, "member__branch__path"),
            state__in=[
                ExemptionState.APPLIED,
                ExemptionState.REVIEWED,
                ExemptionState.PASSED,
                ExemptionState.IN_PUBLICITY,
            ],
        ).count()
        if pending:
            items.append(WaitingItem("待办理的免于积分管理申请", pending, reverse("members:exemptions")))
    items += _records_items(actor)
    items += _workflow_items(user, actor, timezone.localdate())
    items += _warning_items(actor, timezone.localdate())
    return items


# --- daily records (points app): the recorder's sessions still without attendance -------------------


def _records_items(actor: Actor) -> list[WaitingItem]:
    if not actor.recorder_paths:
        return []
    from points.selectors.records import sessions_without_attendance

    count = sessions_without_attendance(actor.recorder_paths).count()
    if not count:
        return []
    branch_id = next(p.org_id for p in actor.posts if p.org_path == actor.recorder_paths[0])
    return [WaitingItem("近30天未登记出勤的活动", count, reverse("points:sessions", args=[branch_id]))]


# --- the quarterly workflow (points app): what waits for members, the committee and higher levels ------


def _next_quarter_items(manages: set[int], today) -> list[WaitingItem]:
    """ "开始下一季度" for a managed branch whose newest quarter is closed (publicity over) once the next
    quarter has begun: one query for all the branches."""
    from points.models import Quarter, QuarterState

    items, seen = [], set()
    newest = Quarter.objects.filter(branch_id__in=manages, year__gte=today.year - 1).order_by(
        "branch_id", "-year", "-number"
    )
    for q in newest.only("branch_id", "year", "number", "state"):
        if q.branch_id in seen:
            continue
        seen.add(q.branch_id)
        year, number = (q.year + 1, 1) if q.number == 4 else (q.year, q.number + 1)
        if q.state == QuarterState.CLOSED and datetime.date(year, 3 * number - 2, 1) <= today:
            items.append(
                WaitingItem(
                    f"{q.label}公示已结束，开始下一季度（{year}年第{number}季度）",
                    0,
                    reverse("points:quarters", args=[q.branch_id]),
                )
            )
    return items


def _workflow_items(user, actor: Actor, today) -> list[WaitingItem]:
    from points.rules import BRANCH_LEADER_ROLES

    from .access import MANAGER_ROLES
    from .models import BRANCH_KINDS

    leads = {p.org_id for p in actor.posts if p.role in BRANCH_LEADER_ROLES and p.org_kind in BRANCH_KINDS}
    manages = {p.org_id for p in actor.posts if p.role in MANAGER_ROLES and p.org_kind in BRANCH_KINDS}
    return [
        *_member_quarter_items(actor, today),
        *_leader_quarter_items(leads, manages, today),
        *_next_quarter_items(manages, today),
        *_objection_items(user),
        *_filing_items(manages, today.year - 1),
        *_oversight_items(actor, today.year - 1),
    ]


def _member_quarter_items(actor: Actor, today) -> list[WaitingItem]:
    """The member's own branch: a quarter open for declarations, or published for objections."""
    from points.models import Quarter, QuarterState

    items = []
    if not actor.branch_id:
        return items
    for q in Quarter.objects.filter(
        branch_id=actor.branch_id, state__in=[QuarterState.OPEN, QuarterState.PUBLISHED]
    ):
        if q.state == QuarterState.OPEN and (q.declaration_closes is None or today <= q.declaration_closes):
            until = f"，{q.declaration_closes:%m月%d日}截止" if q.declaration_closes else ""
            items.append(WaitingItem(f"{q.label}积分申报{until}", 0, reverse("points:declare", args=[q.pk])))
        elif q.state == QuarterState.PUBLISHED and q.publicity_end and today <= q.publicity_end:
            items.append(
                WaitingItem(
                    f"{q.label}积分公示中，{q.publicity_end:%m月%d日}前可提出异议",
                    0,
                    reverse("points:quarter", args=[q.pk]),
                )
            )
    return items


def _leader_quarter_items(leads: set[int], manages: set[int], today) -> list[WaitingItem]:
    """The next step of each unclosed quarter of the branches a user leads (review) or manages."""
    from django.db.models import Count, Q

    from points.models import DeclarationState, Quarter, QuarterState

    items = []
    if not leads:
        return items
    quarters = (
        Quarter.objects.filter(branch_id__in=leads)
        .exclude(state=QuarterState.CLOSED)
        .annotate(pending=Count("declarations", filter=Q(declarations__state=DeclarationState.SUBMITTED)))
    )
    for q in quarters:
        manager = q.branch_id in manages
        if manager and q.state == QuarterState.OPEN:
            closes = f"（申报{q.declaration_closes:%m月%d日}截止）" if q.declaration_closes else ""
            items.append(
                WaitingItem(
                    f"{q.label}申报中{closes}：申报截止后“截止申报，转入支委初评”",
                    0,
                    reverse("points:quarter", args=[q.pk]),
                )
            )
        elif q.state == QuarterState.IN_REVIEW and q.pending:
            items.append(
                WaitingItem(f"{q.label}待初评的申报", q.pending, reverse("points:review", args=[q.pk]))
            )
        elif manager and q.state == QuarterState.IN_REVIEW:
            items.append(
                WaitingItem(
                    f"{q.label}初评已完成，待召开党员大会评定", 0, reverse("points:assembly", args=[q.pk])
                )
            )
        elif manager and q.state == QuarterState.DETERMINED:
            items.append(
                WaitingItem(f"{q.label}已评定，待发布公示", 0, reverse("points:quarter", args=[q.pk]))
            )
        elif manager and q.state == QuarterState.PUBLISHED and q.publicity_end < today:
            items.append(
                WaitingItem(f"{q.label}公示期满，待结束公示", 0, reverse("points:quarter", args=[q.pk]))
            )
    return items


def _objection_items(user) -> list[WaitingItem]:
    """Objections still unanswered, in the objections list's own scope (points.handle_objection's twin)."""
    from points.models import ObjectionState
    from points.selectors.workflow_scopes import handles_objections, objections_to_handle

    if not handles_objections(user):
        return []
    pending = objections_to_handle(user).filter(state=ObjectionState.SUBMITTED).count()
    return [WaitingItem("待处理的积分异议和申诉", pending, reverse("points:objections"))] if pending else []


def _filing_items(manages: set[int], last_year: int) -> list[WaitingItem]:
    """Last year's roll-up of each managed branch, until it is reported (or again after a return)."""
    from points.models import AnnualFiling, FilingState

    if not manages:
        return []
    filed = dict(
        AnnualFiling.objects.filter(branch_id__in=manages, year=last_year).values_list("branch_id", "state")
    )
    items = []
    for branch_id in sorted(manages):
        state = filed.get(branch_id)
        if state in (None, FilingState.ROLLED_UP, FilingState.RETURNED):
            title = (
                f"{last_year}年度积分被退回，待修改后重新报送"
                if state == FilingState.RETURNED
                else f"{last_year}年度积分待汇总并报上级党组织"
            )
            items.append(WaitingItem(title, 0, reverse("points:annual", args=[branch_id, last_year])))
    return items


def _oversight_items(actor: Actor, last_year: int) -> list[WaitingItem]:
    """The higher organization: filings to review, and branches whose last year is not filed yet."""
    from points.models import AnnualFiling, FilingState

    from .models import BRANCH_KINDS, Organization

    if not actor.oversight_paths:
        return []
    items = []
    submitted = AnnualFiling.objects.filter(
        path_q(actor.oversight_paths, "branch__path"), state=FilingState.SUBMITTED
    ).count()
    if submitted:
        items.append(WaitingItem("待审核备案的年度积分", submitted, reverse("points:filings")))
    unfiled = (
        Organization.objects.filter(path_q(actor.oversight_paths), kind__in=BRANCH_KINDS)
        .exclude(filings__year=last_year, filings__state=FilingState.FILED)
        .count()
    )
    if unfiled:
        items.append(WaitingItem(f"{last_year}年度积分尚未备案的党支部", unfiled, reverse("points:filings")))
    return items


# --- early warnings (issue 4 §7): before a deduction of 三(三) is due, and scores heading below 70 ---------


def _warning_items(actor: Actor, today) -> list[WaitingItem]:
    from points.reports import dashboard
    from points.scoring.numbers import show_number

    from .models import BRANCH_KINDS, Organization

    items: list[WaitingItem] = []
    if actor.branch_id and (
        actor.recorder_paths
        or any(
            p.org_id == actor.branch_id and p.org_kind in BRANCH_KINDS
            for p in actor.posts
            if p.role != "group_leader"
        )
    ):
        branch = Organization.objects.get(pk=actor.branch_id)
        url = reverse("branches:unit", args=[branch.pk])
        for label, query in dashboard.WARNINGS.values():
            names = list(query(branch, today).order_by("code").values_list("name", flat=True)[:6])
            if names:
                items.append(
                    WaitingItem(
                        f"预警：{label}（{'、'.join(names[:5])}{'等' if len(names) > 5 else ''}）",
                        len(names),
                        url,
                    )
                )
        upto = dashboard.scored_upto(today.year, today)
        totals = dashboard.provisional_totals([branch], today.year, upto)[branch.pk] if upto else []
        # Exempt members (no total) and those the engine refuses (left out) are not warned of.
        low = [
            name
            for name, total, scheme in totals
            if total is not None and total < scheme.thresholds.low_below
        ]
        if low:
            line = show_number(totals[0][2].thresholds.low_below)
            items.append(WaitingItem(f"预警：暂计积分低于 {line} 分（{'、'.join(low[:5])}）", len(low), url))
    for path in actor.oversight_paths:
        unit = Organization.objects.filter(path=path).first()
        if unit is None:
            continue
        total = sum(query(unit, today).count() for _label, query in dashboard.WARNINGS.values())
        if total:
            items.append(
                WaitingItem(
                    f"{unit.name}各支部预警人次", total, f"{reverse('points:dashboard')}?unit={unit.pk}"
                )
            )
    return items
