"""The attendance screen: one page, one POST, constant queries, the recorder's own row read-only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from points.models import Attendance, AttendanceStatus
from points.selectors.records import session_attendance

from .helpers import DAY, add_members, lock, record


def _url(session):
    return reverse("points:attendance", args=[session.pk])


def _post_all(members, status="present"):
    data = {f"status-{m.pk}": status for m in members}
    data.update({f"reason-{m.pk}": "" for m in members})
    return data


def test_it_shows_every_expected_member(client, cast, session, b1_people):
    client.force_login(cast.recorder.user)
    body = client.get(_url(session)).content.decode()
    for m in b1_people:
        assert m.name in body
    assert "全部出席" in body and "js/attendance.js" in body
    assert f'name="status-{cast.member.member.pk}"' in body


def test_it_shows_the_recorders_own_row_read_only_to_the_recorder(client, cast, session):
    client.force_login(cast.recorder.user)
    body = client.get(_url(session)).content.decode()
    assert f'name="status-{cast.recorder.member.pk}"' not in body
    assert "积分记录员本人的出勤由支部书记或副书记登记" in body


def test_it_lets_the_secretary_edit_the_recorders_row(client, cast, session):
    client.force_login(cast.secretary.user)
    body = client.get(_url(session)).content.decode()
    assert f'name="status-{cast.recorder.member.pk}"' in body


def test_it_saves_the_sheet_in_one_post(client, cast, session, b1_people):
    client.force_login(cast.recorder.user)
    others = [m for m in b1_people if m != cast.recorder.member]
    data = _post_all(others)
    data[f"status-{cast.member.member.pk}"] = "excused"
    data[f"reason-{cast.member.member.pk}"] = "出差"
    response = client.post(_url(session), data)
    assert response.status_code == 302 and response["Location"] == _url(session)
    assert Attendance.objects.filter(session=session).count() == 3
    assert Attendance.objects.get(member=cast.member.member).reason == "出差"
    assert "已保存：新增 3 条" in client.get(_url(session)).content.decode()


def test_it_refuses_the_whole_post_when_the_recorder_sends_their_own_row(client, cast, session, b1_people):
    client.force_login(cast.recorder.user)
    response = client.post(_url(session), _post_all(b1_people))
    assert response.status_code == 200
    assert "积分记录员本人的出勤由支部书记或副书记登记" in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status-{member}": "excused"}, "普通党员请假，须填写请假事由"),
        ({"status-{member}": "sleeping"}, "“sleeping”不是有效的出勤状态"),
        ({"status-999999": "present"}, "提交的党员（编号 999999）不存在"),
        ({"status-{other}": "present"}, "外支部党员不在本次活动的应参加人员名单中"),
        ({"status-abc": "present"}, "无法识别的提交内容：status-abc"),
    ],
)
def test_it_refuses_bad_input_with_a_message_and_keeps_what_was_typed(client, cast, session, data, message):
    client.force_login(cast.recorder.user)
    ids = {"member": cast.member.member.pk, "other": cast.other_member.member.pk}
    payload = {k.format(**ids): v for k, v in data.items()}
    payload[f"status-{cast.committee_member.member.pk}"] = "late"
    response = client.post(_url(session), payload)
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert not Attendance.objects.exists()
    # The recorder's choice for the committee member is still on screen.
    assert f'name="status-{cast.committee_member.member.pk}" value="late" checked' in body


def test_it_shows_no_form_before_the_session_day(client, cast, make_session):
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    future = make_session(starts_at=tomorrow)
    client.force_login(cast.recorder.user)
    body = client.get(_url(future)).content.decode()
    assert "活动尚未开始" in body and 'type="radio"' not in body
    response = client.post(_url(future), {f"status-{cast.member.member.pk}": "present"})
    assert "活动尚未开始" in response.content.decode()
    assert not Attendance.objects.exists()


def test_it_shows_the_original_beside_the_correction(client, cast, session):
    record(session, {cast.member.member.pk: ("present", "")}, cast.recorder.user)
    lock(cast.b1, DAY)
    client.force_login(cast.secretary.user)
    body = client.get(_url(session)).content.decode()
    assert "修改将作为更正保存" in body and 'name="correction_reason"' in body
    refused = client.post(_url(session), {f"status-{cast.member.member.pk}": "absent"})
    assert "请填写更正理由" in refused.content.decode()
    client.post(_url(session), {f"status-{cast.member.member.pk}": "absent", "correction_reason": "核实未到"})
    body = client.get(_url(session)).content.decode()
    assert "原记录：出席 → 现为缺席；更正理由：核实未到" in body
    assert Attendance.objects.filter(member=cast.member.member).count() == 2


def _measure(client, url, method="get", data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), response.content.decode()[:500]
    return len(ctx.captured_queries)


def test_it_reads_and_saves_the_sheet_in_constant_queries(client, cast, make_session, b1_people):
    client.force_login(cast.secretary.user)
    add_members(cast.b1, 1)  # 5 members
    small = make_session(title="五人")
    small_members = [
        r.member for r in __import__("points.selectors.records", fromlist=["x"]).session_attendance(small)
    ]
    assert len(small_members) == 5
    get_small = _measure(client, _url(small))
    post_small = _measure(client, _url(small), "post", _post_all(small_members))
    repost_small = _measure(client, _url(small), "post", _post_all(small_members, AttendanceStatus.LATE))

    add_members(cast.b1, 55)  # 60 members
    big = make_session(title="六十人")
    big_members = [r.member for r in session_attendance(big)]
    assert len(big_members) == 60
    get_big = _measure(client, _url(big))
    post_big = _measure(client, _url(big), "post", _post_all(big_members))
    repost_big = _measure(client, _url(big), "post", _post_all(big_members, AttendanceStatus.LATE))
    assert Attendance.objects.filter(session=big, status="late").count() == 60

    assert get_small == get_big
    assert post_small == post_big
    assert repost_small == repost_big
