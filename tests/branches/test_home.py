import datetime

from django.urls import reverse
from django.utils import timezone

from points.models import Declaration, DeclarationState, EntryType, Objection, ObjectionChannel, Quarter
from points.services import workflow


def _titles(client, person):
    client.force_login(person.user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return [item.title for item in response.context["items"]]


def test_it_invites_members_to_declare_while_the_window_is_open(client, cast):
    today = timezone.localdate()
    workflow.quarter_open(
        branch=cast.b1, year=today.year, number=(today.month - 1) // 3 + 1, actor=cast.secretary.user
    )
    assert any("积分申报" in t for t in _titles(client, cast.member))
    assert not any("积分申报" in t for t in _titles(client, cast.other_member))


def test_it_shows_the_committee_the_declarations_to_review(client, cast):
    today = timezone.localdate()
    number = (today.month - 1) // 3 + 1
    q = workflow.quarter_open(branch=cast.b1, year=today.year, number=number, actor=cast.secretary.user)
    d = workflow.declaration_create(
        quarter=q,
        actor=cast.member.user,
        subject=cast.member.member,
        entry_type=EntryType.BONUS,
        kind="long_term_task",
        value=2,
        occurred_on=today,
        description="党员中心户",
    )
    workflow.declaration_submit(declaration=d, actor=cast.member.user)
    workflow.quarter_start_review(quarter=q, actor=cast.secretary.user)
    assert any("待初评的申报" in t for t in _titles(client, cast.committee_member))
    assert not any("待初评" in t for t in _titles(client, cast.member))
    Declaration.objects.filter(pk=d.pk).update(state=DeclarationState.REJECTED)
    assert any("待召开党员大会评定" in t for t in _titles(client, cast.secretary))
    assert not any("党员大会" in t for t in _titles(client, cast.committee_member))


def test_it_sends_appeals_to_the_higher_organization_and_objections_to_the_branch(client, cast):
    q = Quarter.objects.create(
        branch=cast.b1, year=2025, number=1, state="published", publicity_end=datetime.date(2025, 4, 10)
    )
    Objection.objects.create(
        quarter=q, member=cast.member.member, channel=ObjectionChannel.APPEAL, text="申诉"
    )
    assert any("异议和申诉" in t for t in _titles(client, cast.gb_secretary))
    assert not any("异议和申诉" in t for t in _titles(client, cast.secretary))
    Objection.objects.create(
        quarter=q, member=cast.member.member, channel=ObjectionChannel.BRANCH, text="异议"
    )
    assert any("异议和申诉" in t for t in _titles(client, cast.secretary))


def test_it_reminds_the_secretary_and_the_department_of_last_years_filing(client, cast):
    assert any("年度积分待汇总" in t for t in _titles(client, cast.secretary))
    assert any("尚未备案的党支部" in t for t in _titles(client, cast.dept))
    assert not any("备案" in t for t in _titles(client, cast.member))


def test_it_runs_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    client.force_login(cast.dept.user)
    client.get(reverse("home"))
    with django_assert_max_num_queries(25):
        client.get(reverse("home"))


def test_it_warns_the_branch_of_a_member_missing_organizational_life(client, cast):
    import zoneinfo

    from points.models import Attendance, Session

    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    start = datetime.datetime.combine(
        timezone.localdate() - datetime.timedelta(days=20), datetime.time(14), tzinfo=tz
    )
    session = Session.objects.create(
        branch=cast.b1,
        kind="activity_day",
        title="主题党日",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        signin_secret="s",
    )
    for person in (cast.secretary, cast.recorder, cast.committee_member):
        Attendance.objects.create(session=session, member=person.member, status="present")
    Attendance.objects.create(session=session, member=cast.member.member, status="absent")
    titles = _titles(client, cast.secretary)
    assert any("未参加组织生活" in t and "普通党员" in t for t in titles)
    assert not any("预警" in t for t in _titles(client, cast.member))
    assert any("各支部预警人次" in t for t in _titles(client, cast.gb_secretary))


def test_it_warns_the_branch_of_members_heading_below_the_low_line(clock, client, cast):
    """Issue 4 §7: provisional totals below the scheme's line (70 under clause 五, which unit rules may
    not move) are named on the branch leaders' home page, and only there."""
    from points.models import PointEntry
    from points.scoring import GUIDELINE_SCHEME
    from points.selectors.facts import provisional_scores

    clock.move_to("2026-08-20 10:00", tick=True)  # two quarters of the year are over; the first is scored
    today = timezone.localdate()
    upto = (today.month - 1) // 3
    quarter = workflow.quarter_open(branch=cast.b1, year=today.year, number=1, actor=cast.secretary.user)
    for _ in range(4):  # 4 × 10 points off: well below the line
        PointEntry.objects.create(
            quarter=quarter,
            member=cast.member.member,
            entry_type=EntryType.DEDUCTION,
            kind="absence_or_dues",
            value=10,
            measure="criticism",
            reason="连续 3 个月未参加组织生活",
        )
    line = GUIDELINE_SCHEME.thresholds.low_below
    board = provisional_scores(cast.b1, today.year, upto)
    low = sorted(m.name for m in board.members if board.scores[m.pk].total < line)
    assert low == [cast.member.member.name]
    warning = next(t for t in _titles(client, cast.secretary) if "暂计积分" in t)
    assert f"暂计积分低于 {line} 分" in warning
    assert cast.member.member.name in warning
    assert not any("暂计积分" in t for t in _titles(client, cast.member))


def test_the_branch_leaders_warnings_take_the_same_queries_for_4_or_60_members(clock, client, cast):
    """The warning lists and the low scores are worked out on every visit, in queries that do not grow
    with the branch."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_member

    clock.move_to("2026-08-20 10:00", tick=True)  # a quarter of the year is scored
    workflow.quarter_open(branch=cast.b1, year=2026, number=3, actor=cast.secretary.user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            titles = _titles(client, cast.secretary)
        assert any("未参加组织生活" in t for t in titles)
        return len(ctx.captured_queries)

    _titles(client, cast.secretary)  # a first visit: what a process does once
    few = count()
    for _ in range(56):
        make_member(cast.b1)
    assert cast.b1.members.count() == 60
    assert count() == few
