import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from points.models import Attendance, AttendanceStatus, DuesRecord, DuesStatus, EntryType, ThoughtReport
from points.services import workflow
from tests.factories import record_session

from .conftest import YEAR, full_year_records
from .test_views_matrix import advance, declare, deduct, object_to, open_quarter, rolled_up


def _url(person, year=YEAR):
    return reverse("points:member_year", args=[person.member.pk, year])


def test_it_explains_every_line_with_its_clause(cast, login):
    full_year_records(cast, cast.member.member)
    advance(cast, open_quarter(cast), "published")
    html = login(cast.member).get(_url(cast.member)).content.decode()
    assert "截至第1季度（已公示）" in html
    for clause, label in [
        ("三(一)1", "认真学习"),
        ("三(一)3", "自觉参加组织生活"),
        ("三(一)4", "主动交纳党费"),
    ]:
        assert clause in html and label in html
    assert "1月主题党日" in html and "出席" in html  # the facts behind the lines
    assert "按时足额" in html


def test_it_keeps_unpublished_items_from_the_member_but_shows_them_to_leaders(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    deduct(cast, q, value=6)
    mine = login(cast.member).get(_url(cast.member)).content.decode()
    assert "本年度尚无已公示的积分" in mine and "连续 3 个月未参加组织生活" not in mine
    theirs = login(cast.secretary).get(_url(cast.member)).content.decode()
    assert "连续 3 个月未参加组织生活" in theirs and "由支部书记记入" in theirs.replace("\n", "")
    assert "三(三)1" in theirs and "批评教育" in theirs


def test_it_shows_declarations_objections_and_feedback(cast, login):
    q = open_quarter(cast)
    declare(cast, q, submit=True)
    declare(
        cast,
        q,
        who="committee_member",
        subject=cast.member.member,
        submit=True,
        description="委员报告的好人好事",
    )
    advance(cast, q, "in_review")
    for d in q.declarations.all():
        workflow.declaration_review(declaration=d, actor=cast.secretary.user, approve=True)
    q = advance_published(cast, q)
    o = object_to(cast, q)
    workflow.objection_handle(
        objection=o, actor=cast.secretary.user, upheld=False, findings="核实无误", feedback="维持原评定"
    )
    html = login(cast.member).get(_url(cast.member)).content.decode()
    assert "本人申报" in html and "已认定" in html
    assert "其他党员报告" in html and "支委委员报告" not in html  # the reporter is not named to the subject
    assert "维持原评定" in html and "核实无误" in html
    leader = login(cast.secretary).get(_url(cast.member)).content.decode()
    assert "支委委员报告" in leader


def advance_published(cast, q):
    from django.utils import timezone

    workflow.assembly_record(
        quarter=q,
        actor=cast.secretary.user,
        held_on=timezone.localdate(),
        present=workflow.voting_members(cast.b1),
        decision="同意",
    )
    q.refresh_from_db()
    workflow.quarter_publish(quarter=q, actor=cast.secretary.user)
    q.refresh_from_db()
    return q


def test_it_shows_the_rolled_up_year_once_it_exists(cast, login):
    full_year_records(cast, cast.member.member)
    rolled_up(cast)
    html = login(cast.member).get(_url(cast.member)).content.decode()
    assert "在本支部排第 1 名" in html and "五1" in html and "可作为民主评议“优秀”等次人选" in html


def test_it_shows_a_correction_beside_the_original(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    entry = deduct(cast, q, value=8)
    workflow.entry_correct(entry=entry, actor=cast.committee_member.user, value=5, reason="情节较轻")
    html = login(cast.gb_secretary).get(_url(cast.member)).content.decode()
    assert "更正为 5 分" in html and "更正了原条目：8 分" in html and "情节较轻" in html


def test_it_hides_other_members_pages_from_a_plain_member(cast, login):
    assert login(cast.member).get(_url(cast.secretary)).status_code == 404
    assert login(cast.other_member).get(_url(cast.member)).status_code == 404


def test_it_lists_a_judgment_with_its_reason(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    workflow.entry_add(
        quarter=q,
        member=cast.member.member,
        actor=cast.secretary.user,
        entry_type=EntryType.JUDGMENT,
        kind="exemplary_role",
        value=10,
        reason="岗位示范作用不够突出",
    )
    html = login(cast.dept).get(_url(cast.member)).content.decode()
    assert "支委会评定 10 分：岗位示范作用不够突出" in html


def test_it_lists_the_facts_in_date_order_whatever_order_they_were_recorded_in(cast, login):
    import datetime

    from points.models import Attendance, AttendanceStatus, DuesRecord, DuesStatus
    from tests.factories import record_session

    member = cast.member.member
    for month in (9, 2, 5):  # recorded out of order
        s = record_session(cast.b1, datetime.date(YEAR, month, 10), title=f"第{month}月活动")
        Attendance.objects.create(session=s, member=member, status=AttendanceStatus.PRESENT)
        DuesRecord.objects.create(member=member, year=YEAR, month=month, status=DuesStatus.ON_TIME)
    data = login(cast.secretary).get(_url(cast.member)).context["data"]
    assert [a.session.title for a in data.attendance] == ["第2月活动", "第5月活动", "第9月活动"]
    assert [d.month for d in data.dues] == [2, 5, 9]


def _corrected(model, reason: str, original: dict, correction: dict, **common):
    """A record and the correction that replaced it (the original kept, no longer current)."""
    first = model.objects.create(**common, **original, is_current=False)
    model.objects.create(**common, **correction, corrects=first, correction_reason=reason)


def _records(cast, person, month: int):
    """One attendance, dues and report line, each corrected once, recorded by someone."""
    member, recorder = person.member, cast.recorder.user
    session = record_session(cast.b1, datetime.date(YEAR, month, 10), title=f"{month}月主题党日")
    _corrected(
        Attendance,
        "补登",
        {"status": AttendanceStatus.ABSENT, "recorded_by": recorder},
        {"status": AttendanceStatus.PRESENT, "recorded_by": cast.secretary.user},
        session=session,
        member=member,
    )
    _corrected(
        DuesRecord,
        "已补交",
        {"status": DuesStatus.UNPAID},
        {"status": DuesStatus.ON_TIME},
        member=member,
        year=YEAR,
        month=month,
        recorded_by=recorder,
    )
    _corrected(
        ThoughtReport,
        "日期有误",
        {"received_on": datetime.date(YEAR, month, 5)},
        {"received_on": datetime.date(YEAR, month, 6)},
        member=member,
        recorded_by=recorder,
    )


def test_it_lists_any_number_of_lines_in_the_same_number_of_queries(cast, login, django_assert_num_queries):
    """The member has three lines of every kind, the committee member one: the same queries."""
    lines = {"member": 3, "committee_member": 1}
    quarter = open_quarter(cast)
    declarations = []
    for who, n in lines.items():
        for month in range(1, n + 1):
            _records(cast, getattr(cast, who), month)
            declarations.append(declare(cast, quarter, who, submit=True, description=f"{month}月的好人好事"))
    quarter = advance(cast, quarter, "in_review")
    for d in declarations:
        workflow.declaration_review(declaration=d, actor=cast.secretary.user, approve=True)
    for who, n in lines.items():
        for _ in range(n):
            entry = deduct(cast, quarter, member=getattr(cast, who).member, value=6)
            workflow.entry_correct(entry=entry, actor=cast.secretary.user, value=7, reason="重新评定")
    page = login(cast.secretary)
    with CaptureQueriesContext(connection) as one_of_each:
        assert page.get(_url(cast.committee_member)).status_code == 200
    with django_assert_num_queries(len(one_of_each)):
        html = page.get(_url(cast.member)).content.decode()
    # Every line is there, with who recorded it and what it corrected.
    for month in (1, 2, 3):
        assert f"{month}月主题党日" in html and f"{month}月的好人好事" in html
    assert html.count("更正了“缺席”：补登") == 3 and html.count("更正：日期有误") == 3
    assert html.count("更正了“未交纳”：已补交") == 3
    assert html.count("更正了原条目：6 分") == 3 and html.count("更正为 7 分") == 3
    assert f"{cast.recorder.member.name}登记" in html and f"{cast.secretary.member.name}登记" in html


def test_it_names_who_recorded_every_line_from_one_query(cast, login):
    quarter = open_quarter(cast)
    for month in (1, 2):
        _records(cast, cast.member, month)
    declare(cast, quarter, "member", submit=True, description="好人好事")
    quarter = advance(cast, quarter, "in_review")
    entry = deduct(cast, quarter, value=6)
    workflow.entry_correct(entry=entry, actor=cast.secretary.user, value=7, reason="重新评定")
    page = login(cast.secretary)
    with CaptureQueriesContext(connection) as queries:
        html = page.get(_url(cast.member)).content.decode()
    # The logged-in user, then the people named on the page: no list joins the user table itself.
    assert sum('"auth_user"' in q["sql"] for q in queries.captured_queries) == 2
    # Each month: both dues rows, both reports and the original attendance.
    assert html.count(f"{cast.recorder.member.name}登记") == 10
    assert html.count(f"{cast.secretary.member.name}登记") == 2  # the corrected attendance
    assert f"由{cast.secretary.member.name}记入" in html


def test_it_shows_a_report_corrected_from_the_year_before(cast, login):
    member = cast.member.member
    _corrected(
        ThoughtReport,
        "日期应为次年",
        {"received_on": datetime.date(YEAR - 1, 12, 30)},
        {"received_on": datetime.date(YEAR, 1, 2)},
        member=member,
        recorded_by=cast.recorder.user,
    )
    html = login(cast.secretary).get(_url(cast.member)).content.decode()
    assert f"{YEAR}-01-02 收到" in html and "更正：日期应为次年" in html
    assert f"{YEAR - 1}-12-30" not in html  # the original belongs to the year before's page
