import datetime
import zoneinfo
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import OrgKind
from members.models import Category, Exemption, ExemptionState
from points.models import (
    Attendance,
    AttendanceStatus,
    DuesRecord,
    DuesStatus,
    EntryType,
    PointEntry,
    Quarter,
    QuarterState,
    ThoughtReport,
)
from points.reports.annual import scope_branches
from points.reports.dashboard import build_dashboard, last_full_months, months_before, provisional_totals
from points.scoring import score_provisional
from points.selectors.facts import branch_facts, branch_members, scheme_for
from tests.factories import make_member, make_org, record_session

from .conftest import YEAR

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(YEAR, 12, 15)


def test_it_counts_months_as_the_guideline_does():
    assert months_before(datetime.date(2025, 5, 31), 3) == datetime.date(2025, 2, 28)
    assert months_before(datetime.date(2025, 1, 15), 3) == datetime.date(2024, 10, 15)
    assert last_full_months(datetime.date(2025, 2, 10), 3) == [(2025, 1), (2024, 12), (2024, 11)]


def test_it_warns_about_org_life_dues_and_mobile_reports(cast):
    b1 = cast.b1
    regular = make_member(b1, name="按时参加")
    absent = make_member(b1, name="长期缺席")
    mobile = make_member(b1, name="流动未汇报", is_mobile=True, mobile_destination="苏州市")
    mobile_ok = make_member(b1, name="流动已汇报", is_mobile=True, mobile_destination="南京市")
    activist = make_member(b1, name="积极分子", category=Category.ACTIVIST)
    exempt = make_member(b1, name="免于积分")
    Exemption.objects.create(
        member=exempt, year=YEAR, reason="away", detail="外出", state=ExemptionState.APPROVED
    )
    recent = record_session(b1, datetime.date(YEAR, 11, 20))
    old = record_session(b1, datetime.date(YEAR, 8, 1))
    for m in (regular, mobile_ok, activist):
        Attendance.objects.create(session=recent, member=m, status=AttendanceStatus.LATE)
    Attendance.objects.create(session=old, member=absent, status=AttendanceStatus.PRESENT)
    Attendance.objects.create(session=recent, member=absent, status=AttendanceStatus.ABSENT)
    DuesRecord.objects.create(member=regular, year=YEAR, month=10, status=DuesStatus.LATE)
    DuesRecord.objects.create(member=absent, year=YEAR, month=11, status=DuesStatus.UNPAID)
    ThoughtReport.objects.create(member=mobile_ok, received_on=datetime.date(YEAR, 10, 1))
    ThoughtReport.objects.create(member=mobile, received_on=datetime.date(YEAR, 8, 1))

    board = build_dashboard(cast.b1, YEAR, TODAY)
    row = board.rows[0]
    no_life = set(board.details["近3个月无正当理由未参加组织生活"])
    unpaid = set(board.details["连续3个月未交党费"])
    assert {"长期缺席", "流动未汇报", "普通党员"} <= no_life
    assert not no_life & {"按时参加", "流动已汇报", "积极分子", "免于积分"}
    assert "长期缺席" in unpaid and "按时参加" not in unpaid
    assert not unpaid & {"积极分子", "免于积分"}
    assert board.details["流动党员3个月未汇报思想"] == ["流动未汇报"]
    assert row.no_org_life == len(no_life) and row.dues_unpaid == len(unpaid) and row.mobile_no_report == 1


def test_an_excused_leave_is_a_valid_reason_and_an_unexcused_absence_is_not(cast):
    """The guideline deducts for missing organisational life 无正当理由: a member whose only absence in
    the three months was an excused leave is not warned; one absent without a reason is."""
    excused = make_member(cast.b1, name="请假出差")
    unexcused = make_member(cast.b1, name="无故缺席")
    session = record_session(cast.b1, datetime.date(YEAR, 11, 20))
    Attendance.objects.create(session=session, member=excused, status=AttendanceStatus.EXCUSED, reason="出差")
    Attendance.objects.create(session=session, member=unexcused, status=AttendanceStatus.ABSENT)

    board = build_dashboard(cast.b1, YEAR, TODAY)
    warned = set(board.details["近3个月无正当理由未参加组织生活"])
    assert "无故缺席" in warned
    assert "请假出差" not in warned


def test_it_shows_progress_of_the_current_quarter(cast):
    quarter = Quarter.objects.create(branch=cast.b1, year=YEAR, number=4, state=QuarterState.IN_REVIEW)
    record_session(cast.b1, datetime.date(YEAR, 10, 9))
    board = build_dashboard(cast.committee, YEAR, TODAY)
    rows = {row.branch.name: row for row in board.rows}
    assert board.quarter == 4
    assert rows["第一党支部"].quarter_label == "支委初评中"
    assert rows["第一党支部"].sessions == 1
    assert [done for _, done in rows["第一党支部"].steps] == [True, True, True, False, False, False]
    assert rows["第二党支部"].quarter_label == "未开启" and quarter.pk


def test_it_counts_provisional_scores_the_way_the_branch_does(cast):
    """The overview's aggregate path and the branch's own facts give the same low scores."""
    q = Quarter.objects.create(branch=cast.b1, year=YEAR, number=1, state=QuarterState.CLOSED)
    weak = make_member(cast.b1, name="积分偏低")
    for kind in ("negative_attitude", "other_violation"):
        PointEntry.objects.create(
            quarter=q,
            member=weak,
            entry_type=EntryType.DEDUCTION,
            kind=kind,
            value=Decimal(10),
            measure="criticism",
            reason="经批评教育仍无改观",
        )
    totals = provisional_totals(scope_branches(cast.committee), YEAR, 3)
    ours = {name: total for name, total, _ in totals[cast.b1.pk]}
    scheme = scheme_for(cast.b1, YEAR)
    facts = branch_facts(cast.b1, YEAR, upto_quarter=3)
    for m in branch_members(cast.b1):
        assert ours[m.name] == score_provisional(scheme, facts[m.pk]).total
    board = build_dashboard(cast.committee, YEAR, datetime.date(YEAR, 10, 20))
    low = sum(1 for total in ours.values() if total is not None and total < 70)
    assert low >= 1
    assert {row.branch.name: row.low_score for row in board.rows}["第一党支部"] == low
    assert board.distribution_source == f"暂计积分（截至{YEAR}年第3季度末）"


def test_it_draws_the_distribution_of_a_filed_year(cast, year, login):
    response = login(cast.dept).get(reverse("points:dashboard") + f"?unit={cast.committee.pk}&year={YEAR}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and "各党支部积分分布" in page
    assert "2025年度积分（已汇总的支部）" in page
    assert "已审核备案" in page
    assert "学习教育完成情况" in page
    board = response.context["board"]
    assert sum({row.branch.name: row for row in board.rows}["第一党支部"].bands) == 7


def test_it_drills_down_into_a_branch(cast, year, login):
    response = login(cast.gb_secretary).get(reverse("points:dashboard") + f"?unit={cast.b1.pk}&year={YEAR}")
    assert response.status_code == 200
    details = response.context["board"].details
    assert "2025年度积分低于70分" in details
    assert details["2025年度积分低于70分"] == ["预备党员甲"]


def _grow(cast, branches: int, members: int):
    """More branches under both general branches, each with members and a few records."""
    made = []
    for i in range(branches):
        branch = make_org(
            f"扩展党支部{len(made)}-{i}-{members}", OrgKind.BRANCH, cast.g1 if i % 2 else cast.g2
        )
        made.append(branch)
        Quarter.objects.create(branch=branch, year=YEAR, number=4, state=QuarterState.OPEN)
        session = record_session(branch, datetime.date(YEAR, 11, 3))
        for k in range(members):
            m = make_member(branch, is_mobile=k % 5 == 0, mobile_destination="苏州市" if k % 5 == 0 else "")
            Attendance.objects.create(session=session, member=m, status=AttendanceStatus.PRESENT)
            DuesRecord.objects.create(member=m, year=YEAR, month=10, status=DuesStatus.ON_TIME)
    return made


def _queries(client, unit):
    url = reverse("points:dashboard") + f"?unit={unit.pk}&year={YEAR}"
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_it_runs_a_fixed_number_of_queries(cast, login):
    client = login(cast.dept)
    _grow(cast, 2, 5)
    small = _queries(client, cast.committee), _queries(client, cast.g1)
    _grow(cast, 6, 50)
    assert (_queries(client, cast.committee), _queries(client, cast.g1)) == small
