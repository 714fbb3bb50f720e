"""Planning a branch's session of an arrangement; attended sessions give the member study hours."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from points.models import Session, SessionKind
from study.models import StudySession
from study.selectors import hours_attended, study_year

from .conftest import TZ, at, attend, member_study_hours


def test_it_plans_a_study_session_on_the_shared_session_model(cast, arrangement, plan):
    ss = plan()
    s = ss.session
    assert (s.kind, s.branch, s.venue, s.format, s.hours) == (
        SessionKind.STUDY,
        cast.b1,
        "党员活动室",
        "集中学习",
        Decimal("2.0"),
    )
    assert s.title == "党员学习教育（2030年第3期）"
    assert len(s.signin_secret) == 64 and ss.arrangement == arrangement


def test_it_refuses_a_second_session_for_the_same_branch(cast, plan):
    plan()
    with pytest.raises(ValidationError, match="不能重复安排"):
        plan()
    assert StudySession.objects.count() == 1


def test_it_lets_party_groups_plan_their_own_sessions(cast, plan):
    ss = plan(group=cast.group1)
    assert ss.session.group == cast.group1 and ss.session.audience == "group"
    with pytest.raises(ValidationError, match="不能重复安排"):
        plan()  # the whole branch after a group: the group's members would be counted twice


def test_it_refuses_a_branch_outside_the_organizing_units(cast, make_arrangement, plan):
    only_g1 = make_arrangement(
        issue_label="2030年第4期",
        schedule=[{"week": 14, "date": datetime.date(2030, 5, 19), "organizers_text": "第一党总支"}],
    )
    with pytest.raises(ValidationError, match="不在本期学习教育的组织范围内"):
        plan(branch=cast.b3, target=only_g1)
    assert not Session.objects.filter(branch=cast.b3).exists()


def test_it_refuses_a_planner_who_is_not_the_branch_secretary(cast, arrangement, plan):
    with pytest.raises(ValidationError):
        plan(person=cast.recorder)
    with pytest.raises(ValidationError):
        plan(branch=cast.b3, person=cast.secretary)
    assert not Session.objects.exists()


def test_it_refuses_hours_longer_than_the_session(cast, plan):
    with pytest.raises(ValidationError, match="学时不能超过活动时长"):
        plan(hours=Decimal("3"))
    assert not Session.objects.exists()


def test_it_counts_hours_of_attended_study_sessions_for_the_year(clock, cast, make_arrangement, plan):
    # Early in the year, so today + 10, 20 and 30 days all fall in it (in December they did not).
    clock.move_to("2030-05-01 10:00")
    member = cast.member.member
    year = 2030
    assert at(10).year == at(30).year == year
    first = plan()
    second = plan(target=make_arrangement(issue_label="2030年第4期"), starts_at=at(20), hours=Decimal("1.5"))
    third = plan(target=make_arrangement(issue_label="2030年第5期"), starts_at=at(30))
    assert member_study_hours(member, year) == 0

    attend(first, member, "present")
    assert member_study_hours(member, year) == Decimal("2.0")
    attend(second, member, "late")
    assert member_study_hours(member, year) == Decimal("3.5")
    attend(third, member, "excused", "出差")
    assert member_study_hours(member, year) == Decimal("3.5")
    assert [a.session_id for a in study_year(member, year)[1]] == [third.session_id]
    assert member_study_hours(member, year + 1) == 0
    # The 我的学习 page adds up the rows it lists instead of asking the database again.
    assert hours_attended(study_year(member, year)[0]) == Decimal("3.5")


@pytest.mark.parametrize(
    ("status", "counts"),
    [
        ("present", True),
        ("late", True),
        ("left_early", True),
        ("excused", False),
        ("absent", False),
    ],
)
def test_it_counts_hours_by_attendance_status(cast, plan, status, counts):
    ss = plan()
    attend(ss, cast.member.member, status, "事由" if status == "excused" else "")
    assert member_study_hours(cast.member.member, at(10).year) == (Decimal("2.0") if counts else 0)


def test_it_leaves_cancelled_sessions_and_old_corrections_out(cast, plan):
    ss = plan()
    old = attend(ss, cast.member.member, "present")
    old.is_current = False
    old.save()
    assert member_study_hours(cast.member.member, at(10).year) == 0
    attend(ss, cast.member.member, "present")
    Session.objects.filter(pk=ss.session_id).update(is_cancelled=True)
    assert member_study_hours(cast.member.member, at(10).year) == 0


def test_it_agrees_with_the_scoring_facts(cast, plan):
    from points.selectors.facts import branch_facts

    ss = plan()
    attend(ss, cast.member.member, "left_early")
    year = at(10).year
    facts = branch_facts(cast.b1, year)
    assert facts[cast.member.member.pk].study_hours == member_study_hours(cast.member.member, year)


def test_it_plans_through_the_page(login, cast, arrangement):
    client = login(cast.secretary)
    url = reverse("study:session_new", args=[arrangement.pk])
    page = client.get(url)
    assert page.status_code == 200 and "第一党支部" in page.content.decode()
    day = at(10)
    response = client.post(
        url,
        {
            "branch": cast.b1.pk,
            "group": "",
            "date": day.date().isoformat(),
            "start": "14:00",
            "end": "16:00",
            "venue": "三楼会议室",
            "format": "专题研讨",
            "hours": "2",
        },
    )
    ss = StudySession.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "study:session_detail", args=[ss.pk]
    )
    assert ss.session.starts_at == day and ss.session.venue == "三楼会议室"


def test_it_shows_a_clear_message_for_a_bad_plan_and_saves_nothing(login, cast, arrangement):
    client = login(cast.secretary)
    response = client.post(
        reverse("study:session_new", args=[arrangement.pk]),
        {
            "branch": cast.b1.pk,
            "date": at(10).date().isoformat(),
            "start": "16:00",
            "end": "14:00",
            "venue": "",
            "format": "集中学习",
            "hours": "2",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "结束时间须晚于开始时间" in body and "活动地点：这个字段是必填项。" in body
    assert not StudySession.objects.exists()


def test_it_shows_the_member_their_hours_and_missed_sessions(login, cast, make_arrangement, plan):
    ss = plan()
    other = plan(target=make_arrangement(issue_label="2030年第4期"), starts_at=at(20))
    attend(ss, cast.member.member, "present")
    attend(other, cast.member.member, "absent", "未请假")
    client = login(cast.member)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("study:mine") + f"?year={at(10).year}").content.decode()
    assert "2.0" in body and "/ 32 学时" in body
    assert "缺席" in body and "未请假" in body
    # Both lists, attended and missed, from one query.
    assert sum('FROM "points_attendance"' in q["sql"] for q in queries.captured_queries) == 1


def test_it_reads_both_lists_of_the_year_in_one_query(
    cast, make_arrangement, plan, django_assert_num_queries
):
    member = cast.member.member
    sessions = [plan()] + [
        plan(target=make_arrangement(issue_label=f"2030年第{n}期"), starts_at=at(10 + n)) for n in range(4, 8)
    ]
    for ss, status in zip(sessions, ["present", "absent", "late", "excused", "left_early"], strict=True):
        attend(ss, member, status, "" if status != "excused" else "出差")
    year = at(10).year
    with django_assert_num_queries(1):
        attended, missed = study_year(member, year)
    # Newest first: left early, late, present; then excused, absent.
    assert [a.session_id for a in attended] == [sessions[i].session_id for i in (4, 2, 0)]
    assert [a.session_id for a in missed] == [sessions[i].session_id for i in (3, 1)]
    assert (len(attended), len(missed)) == (3, 2)
    with django_assert_num_queries(0):  # the page shows each row's session without asking again
        assert all(a.session.title for a in attended + missed)


def test_it_counts_hours_recorded_with_the_attendance_service(cast, plan):
    """The recorder's own service (points daily records) feeds the same hours."""
    from points.services.records import attendance_record

    today = timezone.localdate()
    ss = plan(starts_at=datetime.datetime(today.year, today.month, today.day, 0, tzinfo=TZ))
    attendance_record(
        session=ss.session,
        entries={
            cast.member.member.pk: ("present", ""),
            cast.committee_member.member.pk: ("excused", "出差"),
        },
        actor=cast.recorder.user,
    )
    assert member_study_hours(cast.member.member, today.year) == Decimal("2.0")
    assert member_study_hours(cast.committee_member.member, today.year) == 0
    assert [a.reason for a in study_year(cast.committee_member.member, today.year)[1]] == ["出差"]


def test_it_tells_members_when_and_where_their_branch_meets(login, cast, arrangement, plan):
    plan()
    url = reverse("study:arrangement_detail", args=[arrangement.pk])
    body = login(cast.member).get(url).content.decode()
    assert "本支部的学习安排" in body and "党员活动室" in body
    assert "各支部学习活动" not in body  # the branches' session pages are for leaders and recorders
    assert "党员活动室" not in login(cast.other_member).get(url).content.decode()
    assert "各支部学习活动" in login(cast.gb_secretary).get(url).content.decode()


def test_an_account_without_a_member_record_has_no_study_page_of_its_own(client, django_user_model):
    """The administrator (no member record) got a server error; now a refusal, and nothing is written."""
    admin = django_user_model.objects.create_superuser("root", password="x-Long-Pass-123")
    client.force_login(admin)
    assert client.get(reverse("study:mine")).status_code == 403
