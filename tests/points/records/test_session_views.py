"""The branch calendar pages: list by quarter, create, edit, cancel."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from points.models import Session

from .helpers import DAY, START, at, lock


def _form(**overrides):
    data = {
        "kind": "activity_day",
        "title": "主题党日：重温入党誓词",
        "date": "2025-03-20",
        "start_time": "14:30",
        "end_time": "16:30",
        "venue": "党员活动室",
        "format": "集中学习",
        "hours": "2",
        "audience": "branch",
        "group": "",
    }
    data.update(overrides)
    return data


def test_it_creates_a_session_from_the_form(client, cast):
    client.force_login(cast.recorder.user)
    url = reverse("points:session_new", args=[cast.b1.pk])
    assert "安排活动" in client.get(url).content.decode()
    response = client.post(url, _form())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('points:sessions', args=[cast.b1.pk])}?year=2025"
    session = Session.objects.get()
    assert session.starts_at == at(datetime.date(2025, 3, 20), 14, 30)
    assert session.created_by == cast.recorder.user


def test_it_shows_form_errors_and_creates_nothing(client, cast):
    client.force_login(cast.recorder.user)
    url = reverse("points:session_new", args=[cast.b1.pk])
    body = client.post(url, _form(end_time="14:00")).content.decode()
    assert "结束时间须晚于开始时间" in body
    body = client.post(url, _form(kind="committee_meeting")).content.decode()
    assert "支委会的应参加人员应为支委会成员" in body
    body = client.post(url, _form(audience="group")).content.decode()
    assert "请选择党小组" in body
    assert not Session.objects.exists()


def test_it_refuses_a_new_session_in_a_locked_quarter_on_the_page(client, cast):
    lock(cast.b1, DAY)
    client.force_login(cast.secretary.user)
    body = client.post(reverse("points:session_new", args=[cast.b1.pk]), _form()).content.decode()
    assert "2025年第1季度的日常记录已锁定" in body
    assert not Session.objects.exists()


def test_it_edits_a_session(client, cast, session):
    client.force_login(cast.recorder.user)
    url = reverse("points:session_edit", args=[session.pk])
    assert 'value="三月支部党员大会"' in client.get(url).content.decode()
    response = client.post(url, _form(kind="assembly", title="改", date="2025-03-10"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "改"


def test_it_refuses_an_edit_in_a_locked_quarter_on_the_page(client, cast, session):
    lock(cast.b1, DAY)
    client.force_login(cast.secretary.user)
    url = reverse("points:session_edit", args=[session.pk])
    assert "不能再修改" in client.get(url).content.decode()
    body = client.post(url, _form(kind="assembly", title="改", date="2025-03-10")).content.decode()
    assert "该活动不能再修改" in body
    session.refresh_from_db()
    assert session.title == "三月支部党员大会"


def test_it_cancels_a_session(client, cast, session):
    client.force_login(cast.recorder.user)
    response = client.post(reverse("points:session_cancel", args=[session.pk]))
    assert response.status_code == 302
    assert Session.objects.get().is_cancelled
    again = client.post(reverse("points:session_cancel", args=[session.pk]), follow=True)
    assert "该活动已取消" in again.content.decode()


def test_it_lists_sessions_by_quarter_with_upcoming_first(client, cast, make_session):
    make_session(title="一季度会")
    make_session(starts_at=at(datetime.date(2025, 5, 6), 9), title="二季度会")
    make_session(starts_at=timezone.now() + datetime.timedelta(days=3), title="下周的党课")
    lock(cast.b1, DAY)
    client.force_login(cast.member.user)
    body = client.get(reverse("points:sessions", args=[cast.b1.pk]) + "?year=2025").content.decode()
    assert body.index("即将进行") < body.index("下周的党课") < body.index("第1季度")
    assert body.index("第1季度") < body.index("一季度会") < body.index("第2季度") < body.index("二季度会")
    assert "已锁定" in body
    assert "安排活动</a>" not in body  # a plain member only reads the calendar


def test_it_lists_any_number_of_sessions_in_constant_queries(client, cast, make_session):
    client.force_login(cast.recorder.user)
    url = reverse("points:sessions", args=[cast.b1.pk]) + "?year=2025"

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        make_session(starts_at=START + datetime.timedelta(days=i * 20), title=f"会{i}")
    small = measure()
    for i in range(5, 40):
        make_session(starts_at=START + datetime.timedelta(days=i * 7), title=f"会{i}")
    assert measure() == small


def test_it_lists_thought_reports_and_evidence_in_constant_queries(client, cast):
    from members.services import member_update
    from points.models import MobileEvidence, ThoughtReport
    from tests.factories import make_member

    client.force_login(cast.recorder.user)
    urls = [
        reverse("points:thought_reports", args=[cast.b1.pk]) + "?year=2025",
        reverse("points:evidence", args=[cast.b1.pk]),
    ]

    def measure():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts.append(len(ctx.captured_queries))
        return counts

    def add(n):
        for _ in range(n):
            m = make_member(cast.b1)
            member_update(member=m, is_mobile=True, reason="外出")
            ThoughtReport.objects.create(member=m, received_on=DAY, summary="汇报")
            MobileEvidence.objects.create(
                member=m, activity_on=DAY, description="活动", file="evidence/mobile/x.jpg"
            )

    add(2)
    small = measure()
    add(20)
    assert measure() == small
