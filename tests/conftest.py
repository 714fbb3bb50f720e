"""The fixed role cast every view test uses.

alice-like names would not read well for party posts, so the cast is named by role:
dept (organization department), gb_secretary (general branch 1), secretary / recorder /
committee_member / member (branch 1), other_member (branch 3, under general branch 2).
"""

import datetime
import os
import zoneinfo
from types import SimpleNamespace

import pytest

from branches.models import PositionRole
from branches.services import position_assign

from .factories import UserFactory, make_committee_tree, make_member

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

START = datetime.date(2024, 1, 1)
LOCAL = zoneinfo.ZoneInfo("Asia/Shanghai")

# The date sweep of `.ci/run` sets TEST_CLOCK to an ISO moment (e.g. "2026-12-31T23:30+08:00"): every
# test that is not a browser test then starts at that moment, with the clock ticking on from there.
SWEPT_MOMENT = os.environ.get("TEST_CLOCK", "")


def local_moment(value: str | datetime.datetime | datetime.date) -> datetime.datetime:
    """An aware moment from an ISO string, a datetime or a date; naive values are Asia/Shanghai."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    elif not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(9, 0))
    return value if value.tzinfo else value.replace(tzinfo=LOCAL)


class Clock:
    """The suite's one pinned clock (time-machine): `clock.move_to("2027-03-31 23:59")`."""

    def __init__(self, machine):
        self._machine = machine

    def move_to(self, moment, tick: bool = False) -> datetime.datetime:
        moment = local_moment(moment)
        self._machine.move_to(moment, tick=tick)
        return moment

    def shift(self, **delta) -> None:
        self._machine.shift(datetime.timedelta(**delta))


@pytest.fixture
def clock(time_machine) -> Clock:
    """Pins the clock for a test that needs a particular moment (the swept moment is overridden)."""
    return Clock(time_machine)


@pytest.fixture(autouse=True)
def _swept_clock(request):
    """Moves every non-browser test to TEST_CLOCK when the date sweep sets it.

    Browser tests keep the real clock: Chromium's own clock cannot be moved, and cookies the server
    dates in another year would expire in the browser at once. So do tests marked `real_clock`, which
    compare the clock with file modification times that the kernel stamps with the real time.
    """
    node = request.node
    if SWEPT_MOMENT and not (node.get_closest_marker("browser") or node.get_closest_marker("real_clock")):
        request.getfixturevalue("time_machine").move_to(local_moment(SWEPT_MOMENT), tick=True)


@pytest.fixture
def cast(db):
    committee, g1, g2, b1, b2, b3, group1 = make_committee_tree()
    people = {}

    def person(key, branch, role=None, org=None, **extra):
        user = UserFactory(username=key)
        member = make_member(branch, name=extra.pop("name", key), user=user, **extra)
        if role:
            position_assign(member=member, organization=org or branch, role=role, start_date=START)
        people[key] = SimpleNamespace(user=user, member=member)
        return people[key]

    person("dept", b2, PositionRole.ORG_STAFF, committee, name="组织部干事")
    person("gb_secretary", b2, PositionRole.SECRETARY, g1, name="总支书记")
    person("secretary", b1, PositionRole.SECRETARY, name="支部书记", group=group1)
    person("recorder", b1, PositionRole.RECORDER, name="记录员", group=group1)
    person("committee_member", b1, PositionRole.COMMITTEE_MEMBER, name="支委委员")
    person("member", b1, name="普通党员", group=group1)
    person("other_member", b3, name="外支部党员")
    person("other_secretary", b3, PositionRole.SECRETARY, name="三支部书记")
    return SimpleNamespace(committee=committee, g1=g1, g2=g2, b1=b1, b2=b2, b3=b3, group1=group1, **people)


ROLES = ["dept", "gb_secretary", "secretary", "recorder", "committee_member", "member", "other_member"]


@pytest.fixture
def login(client):
    """login(cast.secretary) → the client, logged in as that person."""

    def _login(person):
        client.force_login(person.user)
        return client

    return _login
