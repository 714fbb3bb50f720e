"""The recorder on a phone: the attendance sheet fits 375 px, "全部出席" then one exception, one save.
Drives Debian's chromium through the browser tests' fixtures (skipped where chromium is missing)."""

import pytest
from django.urls import reverse

from points.models import Attendance
from tests.browser.conftest import (  # noqa: F401 - fixtures shared with tests/browser
    CHROMIUM,
    browser_type_launch_args,
    log_in,
    phone_page,
    server,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing"),
]
SCREENSHOT = "/tmp/attendance-phone.png"


def test_it_records_a_session_on_a_phone(server, cast, make_session, phone_page):  # noqa: F811
    session = make_session()
    page = phone_page
    log_in(page, server, "secretary")
    page.goto(server.url + reverse("points:attendance", args=[session.pk]))

    page.get_by_role("button", name="全部出席").click()
    row = page.locator(".att-row", has_text="普通党员")
    row.locator("label.seg-excused").click()
    row.get_by_placeholder("事由（请假必填）").fill("出差")
    width = page.evaluate("document.documentElement.scrollWidth")
    target = row.locator("label.seg-late").bounding_box()
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.get_by_role("button", name="保存出勤").click()
    page.wait_for_selector("text=已保存")

    assert width <= 375 + 1, f"the sheet scrolls sideways at 375 px (scrollWidth {width})"
    assert target["height"] >= 44, "segment buttons must be at least 44 px tall to tap"
    statuses = dict(Attendance.objects.values_list("member__name", "status"))
    assert statuses == {
        "支部书记": "present",
        "记录员": "present",
        "支委委员": "present",
        "普通党员": "excused",
    }
    assert Attendance.objects.get(member=cast.member.member).reason == "出差"


def test_it_fits_the_dues_grid_and_the_qr_screen_on_a_phone(server, cast, live_session, phone_page):  # noqa: F811
    page = phone_page
    log_in(page, server, "recorder")
    page.goto(server.url + reverse("points:dues", args=[cast.b1.pk, 2025]))
    page.select_option(f'select[name="d-{cast.member.member.pk}-1"]', "late")
    page.screenshot(path="/tmp/dues-phone.png", full_page=True)
    dues_width = page.evaluate("document.documentElement.scrollWidth")
    page.get_by_role("button", name="保存党费记录").click()
    page.wait_for_selector("text=已保存")

    page.goto(server.url + reverse("points:session_qr", args=[live_session.pk]))
    qr = page.locator(".qr-box svg").bounding_box()
    page.screenshot(path="/tmp/qr-phone.png", full_page=True)
    qr_width = page.evaluate("document.documentElement.scrollWidth")

    assert dues_width <= 375 + 1, f"the dues page scrolls sideways at 375 px (scrollWidth {dues_width})"
    assert qr_width <= 375 + 1 and qr["width"] >= 250
