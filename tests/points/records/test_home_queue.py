"""The recorder's home-page queue: recent sessions with no attendance yet."""

import datetime

from django.urls import reverse
from django.utils import timezone

from points.services.records import attendance_record, session_cancel

QUEUE = "近30天未登记出勤的活动"


def test_it_lists_recent_sessions_without_attendance_for_the_recorder(client, cast, make_session):
    now = timezone.now()
    recent = make_session(starts_at=now - datetime.timedelta(days=2))
    make_session(starts_at=now - datetime.timedelta(days=40), title="太早")
    make_session(starts_at=now + datetime.timedelta(days=2), title="还没开")
    client.force_login(cast.recorder.user)
    body = client.get(reverse("home")).content.decode()
    assert QUEUE in body and reverse("points:sessions", args=[cast.b1.pk]) in body
    assert '<span class="badge">1</span>' in body

    attendance_record(
        session=recent, entries={cast.member.member.pk: ("present", "")}, actor=cast.recorder.user
    )
    assert QUEUE not in client.get(reverse("home")).content.decode()


def test_it_leaves_cancelled_sessions_out_of_the_queue(client, cast, make_session):
    session = make_session(starts_at=timezone.now() - datetime.timedelta(days=1))
    session_cancel(session=session, actor=cast.recorder.user)
    client.force_login(cast.recorder.user)
    assert QUEUE not in client.get(reverse("home")).content.decode()


def test_it_shows_the_queue_only_to_recorders(client, cast, make_session):
    make_session(starts_at=timezone.now() - datetime.timedelta(days=1))
    client.force_login(cast.member.user)
    assert QUEUE not in client.get(reverse("home")).content.decode()
