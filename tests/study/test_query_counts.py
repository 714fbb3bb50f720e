"""List pages run the same number of queries with 5 rows as with 200."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import OrgKind
from points.models import Attendance, Session, SessionKind
from study.models import Arrangement, ArrangementState, Inspection, RescheduleNotice, StudySession

from ..factories import make_org
from .conftest import at


def _queries(client, url) -> tuple[int, str]:
    client.get(url)  # warm the session and the actor
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content


def _sessions(cast, arrangement, n: int, start: int = 0) -> list[StudySession]:
    sessions = Session.objects.bulk_create(
        Session(
            branch=cast.b1,
            kind=SessionKind.STUDY,
            title=f"学习{start + i}",
            starts_at=at(2) + datetime.timedelta(hours=i),
            ends_at=at(2) + datetime.timedelta(hours=i + 1),
            venue="活动室",
            format="集中学习",
            hours=1,
            signin_secret="x" * 64,
        )
        for i in range(n)
    )
    return StudySession.objects.bulk_create(
        StudySession(arrangement=arrangement, session=s) for s in sessions
    )


def _arrangements(cast, n, start):
    Arrangement.objects.bulk_create(
        Arrangement(
            committee=cast.committee,
            issue_label=f"第{start + i}期",
            issued_on=datetime.date(2030, 1, 1),
            theme="主题",
            purpose="目的",
            discussion="讨论",
            state=ArrangementState.PUBLISHED,
        )
        for i in range(n)
    )


def _notices(cast, arrangement, n, start):
    RescheduleNotice.objects.bulk_create(
        RescheduleNotice(
            study_session=ss,
            old_starts_at=ss.session.starts_at,
            old_ends_at=ss.session.ends_at,
            new_starts_at=at(40),
            new_ends_at=at(40) + datetime.timedelta(hours=1),
            new_venue="线上",
            new_format="线上学习",
            reason="冲突",
            submitted_by=cast.secretary.user,
            submitted_at=at(0),
            state="submitted" if i % 2 else "forwarded",
        )
        for i, ss in enumerate(_sessions(cast, arrangement, n, start))
    )


def _inspections(cast, n, start):
    Inspection.objects.bulk_create(
        Inspection(
            branch=cast.b1 if i % 2 else cast.b2,
            kind="periodic" if i % 3 else "spot",
            inspected_on=datetime.date(2030, 1, 1),
            inspector_name="检查人",
            rating="good",
            fix_required="整改" if i % 2 else "",
        )
        for i in range(n)
    )


def _attendance(cast, arrangement, n, start):
    for i, ss in enumerate(_sessions(cast, arrangement, n, start)):
        Attendance.objects.create(
            session=ss.session,
            member=cast.member.member,
            status="present" if i % 3 else "absent",
            reason="病假",
        )


def _branches(cast, n, start):
    for i in range(n):
        make_org(f"支部{start + i}", OrgKind.BRANCH, cast.g1)


# What shows each of the 200 rows made it onto the page.
MARKERS = {
    "arrangements": ("第199期", 1),
    "arrangement_sessions": ('href="/study/sessions/', 200),
    "notices": ("调整为", 200),
    "inspections": ('href="/study/inspections/', 200),
    "completion": ("支部199", 1),
    "completion_xlsx": (None, 0),
    "mine": ("学习199", 1),
}

PAGES = {
    # page: (who looks, url builder, how to add rows)
    "arrangements": (
        "member",
        lambda c, a: reverse("study:arrangements"),
        lambda c, a, n, s: _arrangements(c, n, s),
    ),
    "arrangement_sessions": (
        "dept",
        lambda c, a: reverse("study:arrangement_detail", args=[a.pk]),
        lambda c, a, n, s: _sessions(c, a, n, s),
    ),
    "notices": ("dept", lambda c, a: reverse("study:notices"), _notices),
    "inspections": (
        "dept",
        lambda c, a: reverse("study:inspections"),
        lambda c, a, n, s: _inspections(c, n, s),
    ),
    "completion": (
        "dept",
        lambda c, a: reverse("study:completion") + "?year=2030",
        lambda c, a, n, s: _branches(c, n, s),
    ),
    "completion_xlsx": (
        "gb_secretary",
        lambda c, a: reverse("study:completion_xlsx") + "?year=2030",
        lambda c, a, n, s: _branches(c, n, s),
    ),
    "mine": ("member", lambda c, a: reverse("study:mine") + f"?year={at(2).year}", _attendance),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_it_runs_the_same_queries_for_5_and_200_rows(client, cast, arrangement, page):
    who, url_of, add = PAGES[page]
    client.force_login(getattr(cast, who).user)
    url = url_of(cast, arrangement)
    add(cast, arrangement, 5, 0)
    few, _ = _queries(client, url)
    add(cast, arrangement, 195, 5)
    many, body = _queries(client, url)
    assert few == many, f"{page}: {few} queries with 5 rows, {many} with 200"
    marker, count = MARKERS[page]
    if marker:
        assert body.decode().count(marker) >= count, page
