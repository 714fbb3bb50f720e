"""Browser tests: Playwright drives Debian's chromium against `live_server`.

`playwright install` cannot download on these machines, so the tests use /usr/bin/chromium and are
skipped (with the reason) where it is missing. Every test here is marked `browser`, so a run can
leave them out with `-m "not browser"`.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures
# (the cast, logins) happen outside it, so Django's async guard would refuse them needlessly.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).parent
PASSWORD = "pass-for-tests-2026"  # tests.factories.UserFactory
PHONE = {"width": 375, "height": 812}


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium"
    )
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def server(live_server, transactional_db):
    """The live server, with the database flushed after each test (live_server needs real commits)."""
    return live_server


@pytest.fixture
def phone_page(browser):
    """A page in a phone-sized, touch, Chinese-language browser context."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page, server, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form, as a person would."""
    page.goto(server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(server.url + reverse("home"))
