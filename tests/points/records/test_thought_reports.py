"""Thought reports received: add, change in place while open, correct with a new row once locked."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from points.models import ThoughtReport
from points.services.records import thought_report_add, thought_report_change

from .helpers import assert_holds_quarter, lock, open_quarter, postgres_row_locks, year_end_quarters

RECEIVED = datetime.date(2025, 3, 5)
TODAY = datetime.date(2025, 6, 1)


def _add(cast, who="member", actor="recorder", **kwargs):
    kwargs.setdefault("received_on", RECEIVED)
    kwargs.setdefault("today", TODAY)
    return thought_report_add(member=getattr(cast, who).member, actor=getattr(cast, actor).user, **kwargs)


def _snapshot():
    return list(
        ThoughtReport.objects.order_by("pk").values_list("pk", "received_on", "summary", "is_current")
    )


def test_it_records_a_report(cast):
    report = _add(cast, summary="学习体会")
    assert (report.member, report.summary, report.recorded_by) == (
        cast.member.member,
        "学习体会",
        cast.recorder.user,
    )
    assert report.is_current and report.correction_reason == ""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"who": "recorder"}, "积分记录员本人的思想汇报由支部书记或副书记登记"),
        ({"actor": "committee_member"}, "您没有权限进行此操作"),
        ({"actor": "other_secretary"}, "您没有权限进行此操作"),
        ({"received_on": datetime.date(2025, 6, 2)}, "收到日期不能晚于今天"),
    ],
)
def test_it_refuses_a_bad_report(cast, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        _add(cast, **kwargs)
    assert not ThoughtReport.objects.exists()


def test_it_lets_the_secretary_record_the_recorders_report(cast):
    assert _add(cast, who="recorder", actor="secretary").member == cast.recorder.member


def test_it_needs_a_reason_to_add_to_a_locked_quarter(cast):
    lock(cast.b1, RECEIVED)
    with pytest.raises(ValidationError, match="补登思想汇报须填写更正理由"):
        _add(cast)
    assert not ThoughtReport.objects.exists()
    assert _add(cast, correction_reason="漏登").correction_reason == "漏登"


def test_it_changes_a_report_in_place_while_open(cast):
    report = _add(cast)
    changed = thought_report_change(
        report=report, received_on=RECEIVED, summary="改", actor=cast.recorder.user, today=TODAY
    )
    assert changed.pk == report.pk and ThoughtReport.objects.get().summary == "改"


def test_it_corrects_a_locked_report_with_a_new_row(cast):
    report = _add(cast, summary="原")
    lock(cast.b1, RECEIVED)
    before = _snapshot()
    with pytest.raises(ValidationError, match="修改属于更正，请填写更正理由"):
        thought_report_change(report=report, received_on=RECEIVED, summary="新", actor=cast.secretary.user)
    assert _snapshot() == before
    new = thought_report_change(
        report=report,
        received_on=RECEIVED,
        summary="新",
        actor=cast.secretary.user,
        correction_reason="摘要有误",
    )
    report.refresh_from_db()
    assert (report.is_current, report.summary) == (False, "原")
    assert (new.corrects, new.summary, new.correction_reason) == (report, "新", "摘要有误")
    with pytest.raises(ValidationError, match="该记录已被更正"):
        thought_report_change(report=report, received_on=RECEIVED, summary="再", actor=cast.secretary.user)


def test_it_refuses_a_change_by_the_recorder_to_their_own_report(cast):
    report = _add(cast, who="recorder", actor="secretary")
    with pytest.raises(ValidationError, match="积分记录员本人的思想汇报"):
        thought_report_change(report=report, received_on=RECEIVED, summary="x", actor=cast.recorder.user)
    assert ThoughtReport.objects.get().summary == ""


def test_it_refuses_an_unchanged_report(cast):
    report = _add(cast, summary="同")
    with pytest.raises(ValidationError, match="内容没有变化"):
        thought_report_change(report=report, received_on=RECEIVED, summary="同", actor=cast.recorder.user)


def _change(cast, report, **kwargs):
    return thought_report_change(report=report, actor=cast.recorder.user, today=TODAY, **kwargs)


@postgres_row_locks
@pytest.mark.parametrize("step", ["add", "change"])
def test_a_report_holds_its_quarter_open_until_it_commits(cast, step):
    """Sending the quarter to review waits for a report added or changed in place as open."""
    report = _add(cast) if step == "change" else None
    quarter = open_quarter(cast, RECEIVED)
    steps = {
        "add": lambda: _add(cast),
        "change": lambda: _change(cast, report, received_on=RECEIVED, summary="改"),
    }
    assert_holds_quarter(quarter, steps[step])


@postgres_row_locks
@pytest.mark.parametrize("held", ["from", "into"])
def test_a_report_moved_to_another_year_holds_both_quarters_open_until_it_commits(cast, held):
    report = _add(cast, received_on=datetime.date(RECEIVED.year - 1, 12, 20))
    quarters = year_end_quarters(cast)
    assert_holds_quarter(quarters[held], lambda: _change(cast, report, received_on=RECEIVED))


# --- pages ---------------------------------------------------------------------------------------


def test_it_adds_a_report_through_the_page(client, cast):
    client.force_login(cast.recorder.user)
    url = reverse("points:thought_reports", args=[cast.b1.pk])
    page = client.get(url).content.decode()
    assert "普通党员" in page
    assert f'<option value="{cast.recorder.member.pk}"' not in page  # not offered to the recorder
    today = timezone.localdate()
    response = client.post(
        url, {"member": cast.member.member.pk, "received_on": today.isoformat(), "summary": "汇报"}
    )
    assert response.status_code == 302
    assert ThoughtReport.objects.get().summary == "汇报"
    assert "汇报" in client.get(f"{url}?year={today.year}").content.decode()


def test_it_shows_form_errors_and_saves_nothing(client, cast):
    client.force_login(cast.recorder.user)
    url = reverse("points:thought_reports", args=[cast.b1.pk])
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = client.post(url, {"member": cast.member.member.pk, "received_on": future})
    assert "收到日期不能晚于今天" in response.content.decode()
    assert not ThoughtReport.objects.exists()


def test_it_corrects_through_the_page(client, cast):
    report = _add(cast, summary="原")
    lock(cast.b1, RECEIVED)
    client.force_login(cast.secretary.user)
    url = reverse("points:thought_report_change", args=[report.pk])
    assert "原" in client.get(url).content.decode()
    response = client.post(
        url, {"received_on": RECEIVED.isoformat(), "summary": "新", "correction_reason": "有误"}
    )
    assert response.status_code == 302
    assert ThoughtReport.objects.filter(is_current=True).get().summary == "新"
