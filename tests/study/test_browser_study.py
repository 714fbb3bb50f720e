"""On a 375-px phone: the branch secretary plans the branch's session of the published arrangement, the
recorder records attendance on the shared attendance screen, and the member's study hours go up."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from points.models import Attendance
from study.models import StudySession
from tests.browser.conftest import (  # noqa: F401  (fixtures shared with the other browser tests)
    CHROMIUM,
    PHONE,
    browser_type_launch_args,
    log_in,
    phone_page,
    server,
)

from .conftest import member_study_hours

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: apt-get install chromium"),
]
SCREENSHOT = Path("/tmp/study-arrangement-phone.png")


def _fits_375(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"the page scrolls sideways at 375 px (scrollWidth {width})"


def test_it_plans_a_session_and_records_attendance_on_a_phone(server, cast, arrangement, phone_page, browser):  # noqa: F811  (imported fixtures)
    page = phone_page
    log_in(page, server, "secretary")
    page.goto(server.url + reverse("study:arrangement_detail", args=[arrangement.pk]))
    assert page.get_by_role("heading", name="党员学习教育安排").is_visible()
    assert page.get_by_text("（2030年第3期）").is_visible()
    _fits_375(page)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_role("link", name="安排本支部学习").click()
    today = timezone.localdate()
    page.fill("#id_date", today.isoformat())
    page.fill("#id_start", "08:00")
    page.fill("#id_end", "10:00")
    page.fill("#id_venue", "党员活动室")
    page.select_option("#id_format", "集中学习")
    page.fill("#id_hours", "2")
    _fits_375(page)
    page.get_by_role("button", name="保存安排").click()
    page.wait_for_url("**/study/sessions/*/")
    assert page.get_by_text("学习教育活动已安排").is_visible()
    ss = StudySession.objects.get()
    assert ss.session.branch == cast.b1 and ss.session.hours == Decimal("2.0")
    assert timezone.localtime(ss.session.starts_at) == timezone.make_aware(
        datetime.datetime.combine(today, datetime.time(8, 0))
    )

    recorder_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        rec = recorder_context.new_page()
        rec.set_default_timeout(10_000)
        log_in(rec, server, "recorder")
        rec.goto(server.url + reverse("study:session_detail", args=[ss.pk]))
        rec.get_by_role("link", name="登记出勤 / 扫码签到").click()
        rec.wait_for_url("**/points/sessions/*/attendance/")
        _fits_375(rec)
        rec.get_by_role("button", name="全部出席").click()
        member, absent = cast.member.member, cast.committee_member.member
        rec.locator(f"input[name='status-{absent.pk}'][value='excused']").check(force=True)
        rec.fill(f"input[name='reason-{absent.pk}']", "外出培训")
        rec.get_by_role("button", name="保存出勤").click()
        rec.wait_for_load_state()
        assert rec.get_by_text("已保存").first.is_visible()
    finally:
        recorder_context.close()

    statuses = dict(
        Attendance.objects.filter(session=ss.session, is_current=True).values_list("member_id", "status")
    )
    assert statuses[member.pk] == "present" and statuses[absent.pk] == "excused"
    assert member_study_hours(member, today.year) == Decimal("2.0")
    assert member_study_hours(absent, today.year) == 0

    page.goto(server.url + reverse("study:session_detail", args=[ss.pk]))
    assert page.get_by_text("支委委员 · 请假：外出培训").is_visible()
    _fits_375(page)
