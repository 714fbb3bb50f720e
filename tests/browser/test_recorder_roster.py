"""The recorder opens the branch roster on a phone: the names are there and the page fits 375 px."""

from django.urls import reverse

from .conftest import log_in

SCREENSHOT = "/tmp/roster-phone.png"


def test_it_shows_the_roster_to_the_recorder_on_a_phone(server, cast, phone_page):
    page = phone_page
    log_in(page, server, "recorder")

    page.goto(server.url + reverse("branches:unit", args=[cast.b1.pk]))

    roster = page.locator("table.roster")
    for name in ["支部书记", "记录员", "支委委员", "普通党员"]:
        assert roster.get_by_text(name, exact=True).is_visible()
    assert roster.locator("xpath=ancestor::div[contains(@class, 'table-wrap')]").count() == 1
    page.screenshot(path=SCREENSHOT, full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"the page scrolls sideways at 375 px (scrollWidth {width})"
