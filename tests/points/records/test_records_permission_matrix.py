"""Every daily-records URL × every role of the cast: 404 outside scope, 403 in scope but not
permitted, a login redirect for anonymous, 405 for the wrong method."""

import pytest
from django.urls import reverse
from django.utils import timezone

from members.services import member_update
from points.models import MobileEvidence, ThoughtReport
from points.services.records import signin_slot, signin_token

from .helpers import DAY

ANON = "anonymous"
ROLES = [ANON, "dept", "gb_secretary", "secretary", "recorder", "committee_member", "member", "other_member"]


def _row(anon=302, dept=403, gb=403, sec=200, rec=200, cm=403, member=403, other=404):
    return dict(zip(ROLES, [anon, dept, gb, sec, rec, cm, member, other], strict=True))


RECORDER_PAGE = _row()
EXPECTED = {
    # The calendar is readable by everyone who sees the branch, members included.
    "sessions": _row(dept=200, gb=200, cm=200, member=200),
    "sessions_b3": _row(dept=200, gb=404, sec=404, rec=404, cm=404, member=404, other=200),
    "session_new": RECORDER_PAGE,
    "session_new_b3": _row(dept=403, gb=404, sec=404, rec=404, cm=404, member=404, other=403),
    "session_edit": RECORDER_PAGE,
    "attendance": RECORDER_PAGE,
    "attendance_b3": _row(dept=403, gb=404, sec=404, rec=404, cm=404, member=404, other=403),
    "session_qr": RECORDER_PAGE,
    "session_qr_svg": RECORDER_PAGE,
    # Anyone who can see the session may open the sign-in page; the page itself says who may sign in.
    "signin": _row(dept=200, gb=200, cm=200, member=200),
    "dues": RECORDER_PAGE,
    "thought_reports": RECORDER_PAGE,
    "thought_report_change": RECORDER_PAGE,
    "evidence": RECORDER_PAGE,
    # Scope and permission coincide (members.view_member): the member sees their own, leaders all.
    "evidence_file": _row(dept=200, gb=200, cm=200, member=200),
}


@pytest.fixture
def urls(cast, make_session, live_session, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    b3_session = make_session(cast.b3, title="三支部大会")
    member = cast.member.member
    report = ThoughtReport.objects.create(member=member, received_on=DAY)
    member_update(member=member, is_mobile=True, reason="外出")
    from django.core.files.base import ContentFile

    item = MobileEvidence(member=member, activity_on=DAY, description="活动")
    item.file.save("x.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    token = signin_token(live_session, signin_slot(timezone.now()))
    return {
        "sessions": reverse("points:sessions", args=[cast.b1.pk]),
        "sessions_b3": reverse("points:sessions", args=[cast.b3.pk]),
        "session_new": reverse("points:session_new", args=[cast.b1.pk]),
        "session_new_b3": reverse("points:session_new", args=[cast.b3.pk]),
        "session_edit": reverse("points:session_edit", args=[live_session.pk]),
        "attendance": reverse("points:attendance", args=[live_session.pk]),
        "attendance_b3": reverse("points:attendance", args=[b3_session.pk]),
        "session_qr": reverse("points:session_qr", args=[live_session.pk]),
        "session_qr_svg": reverse("points:session_qr_svg", args=[live_session.pk]),
        "signin": reverse("points:signin", args=[live_session.pk, token]),
        "dues": reverse("points:dues", args=[cast.b1.pk, DAY.year]),
        "thought_reports": reverse("points:thought_reports", args=[cast.b1.pk]),
        "thought_report_change": reverse("points:thought_report_change", args=[report.pk]),
        "evidence": reverse("points:evidence", args=[cast.b1.pk]),
        "evidence_file": reverse("points:evidence_file", args=[item.pk]),
        "session_cancel": reverse("points:session_cancel", args=[live_session.pk]),
    }


CASES = [(page, role) for page, by_role in EXPECTED.items() for role in by_role]


@pytest.mark.parametrize(("page", "role"), CASES)
def test_it_answers_each_role_as_expected(client, cast, urls, page, role):
    if role != ANON:
        client.force_login(getattr(cast, role).user)
    response = client.get(urls[page])
    assert response.status_code == EXPECTED[page][role], (page, role)
    if role == ANON:
        assert response["Location"].startswith(reverse("login"))


CANCEL = _row(sec=302, rec=302)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_branchs_recorders_cancel(client, cast, urls, role):
    if role != ANON:
        client.force_login(getattr(cast, role).user)
    response = client.post(urls["session_cancel"])
    assert response.status_code == CANCEL[role], role
    if role == ANON:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", ["sessions", "session_qr", "session_qr_svg", "evidence_file"])
def test_it_refuses_post_on_read_pages(client, cast, urls, page):
    client.force_login(cast.secretary.user)
    assert client.post(urls[page]).status_code == 405


def test_it_refuses_get_on_the_cancel_endpoint(client, cast, urls):
    client.force_login(cast.secretary.user)
    assert client.get(urls["session_cancel"]).status_code == 405


@pytest.mark.parametrize(
    "page",
    [
        "session_new",
        "session_edit",
        "attendance",
        "signin",
        "dues",
        "thought_reports",
        "thought_report_change",
        "evidence",
    ],
)
def test_it_refuses_other_methods_on_forms(client, cast, urls, page):
    client.force_login(cast.secretary.user)
    assert client.put(urls[page]).status_code == 405
    assert client.delete(urls[page]).status_code == 405
