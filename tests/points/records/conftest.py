"""Fixtures for the daily-records tests: sessions made through the service."""

import datetime

import pytest
from django.utils import timezone

from points.models import SessionKind
from points.services.records import session_create

from .helpers import START


@pytest.fixture
def make_session(cast):
    def _make(branch=None, *, starts_at=START, hours_long: float = 2, actor=None, **fields):
        branch = branch or cast.b1
        if actor is None:
            actor = (cast.secretary if branch == cast.b1 else cast.other_secretary).user
        fields.setdefault("kind", SessionKind.ASSEMBLY)
        fields.setdefault("title", "三月支部党员大会")
        return session_create(
            branch=branch,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=hours_long),
            actor=actor,
            **fields,
        )

    return _make


@pytest.fixture
def session(make_session):
    return make_session()


@pytest.fixture
def live_session(make_session):
    """A session under way right now (sign-in window open)."""
    now = timezone.now()
    return make_session(starts_at=now - datetime.timedelta(minutes=5), title="正在进行的主题党日")


@pytest.fixture
def b1_people(cast):
    """The four members of branch 1 in the cast, by role."""
    return [cast.secretary.member, cast.recorder.member, cast.committee_member.member, cast.member.member]
