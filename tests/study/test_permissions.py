"""Every study URL × every role of the cast, with the expected status.

Outside the user's scope → 404, in scope but not permitted → 403, anonymous → the login page; the
wrong method → 405.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from study import services
from study.models import InspectionKind

from .conftest import PDF_BYTES, content, png_bytes, upload

ANON = "anonymous"
ROLES = [
    ANON,
    "dept",
    "gb_secretary",
    "secretary",
    "recorder",
    "committee_member",
    "member",
    "other_member",
    "other_secretary",
]


def _all(status):
    return {role: status for role in ROLES if role != ANON}


def _only(ok: set, default, **others):
    expected = {role: (200 if role in ok else default) for role in ROLES if role != ANON}
    expected.update(others)
    return expected


@pytest.fixture
def world(cast, arrangement, make_arrangement, plan, media):
    draft = make_arrangement(publish=False, issue_label="2030年第9期")
    with_file = services.arrangement_create(
        committee=cast.committee,
        content=content(
            issue_label="2030年第8期",
            readings=[
                {"title": "附件篇目", "attachment": upload("学习材料.pdf", PDF_BYTES)},
            ],
        ),
        actor=cast.dept.user,
    )
    services.arrangement_publish(arrangement=with_file, actor=cast.dept.user)
    ss = plan()
    attachment = services.attachment_add(
        study_session=ss, uploaded=upload("a.png", png_bytes()), actor=cast.secretary.user
    )
    import datetime

    new = ss.session.starts_at + datetime.timedelta(days=1)
    notice = services.reschedule_submit(
        study_session=ss,
        new_starts_at=new,
        new_ends_at=new + datetime.timedelta(hours=2),
        new_venue="线上",
        new_format="线上学习",
        reason="冲突",
        actor=cast.secretary.user,
    )
    inspection = services.inspection_record(
        branch=cast.b1,
        kind=InspectionKind.PERIODIC,
        inspected_on=timezone.localdate(),
        inspector_name="总支",
        rating="good",
        actor=cast.gb_secretary.user,
    )
    return {
        "arrangements": reverse("study:arrangements"),
        "arrangement_new": reverse("study:arrangement_new"),
        "arrangement": reverse("study:arrangement_detail", args=[arrangement.pk]),
        "draft": reverse("study:arrangement_detail", args=[draft.pk]),
        "edit": reverse("study:arrangement_edit", args=[arrangement.pk]),
        "revisions": reverse("study:arrangement_revisions", args=[arrangement.pk]),
        "pdf": reverse("study:arrangement_pdf", args=[arrangement.pk]),
        "reading_file": reverse("study:reading_file", args=[with_file.readings.get().pk]),
        "session_new": reverse("study:session_new", args=[arrangement.pk]),
        "session": reverse("study:session_detail", args=[ss.pk]),
        "record": reverse("study:session_record", args=[ss.pk]),
        "reschedule": reverse("study:reschedule_new", args=[ss.pk]),
        "attachment": reverse("study:attachment", args=[attachment.pk]),
        "notices": reverse("study:notices"),
        "inspections": reverse("study:inspections"),
        "inspection": reverse("study:inspection_detail", args=[inspection.pk]),
        "inspection_new": reverse("study:inspection_new", args=[cast.b1.pk]),
        "completion": reverse("study:completion"),
        "completion_xlsx": reverse("study:completion_xlsx"),
        "mine": reverse("study:mine"),
        # POST-only endpoints
        "publish": reverse("study:arrangement_publish", args=[draft.pk]),
        "upload": reverse("study:attachment_upload", args=[ss.pk]),
        "forward": reverse("study:notice_forward", args=[notice.pk]),
        "accept": reverse("study:notice_accept", args=[notice.pk]),
        "return": reverse("study:notice_return", args=[notice.pk]),
        "answer": reverse("study:inspection_answer", args=[inspection.pk]),
    }


B1_READERS = {"dept", "gb_secretary", "secretary", "recorder", "committee_member"}
OUTSIDERS = {"other_member": 404, "other_secretary": 404}

GET_EXPECTED = {
    "arrangements": _all(200),
    "arrangement_new": _only({"dept"}, 403),
    "arrangement": _all(200),
    "draft": _only({"dept"}, 404),
    "edit": _only({"dept"}, 403),
    "revisions": _all(200),
    "pdf": _all(200),
    "reading_file": _all(200),
    "session_new": _only({"secretary", "other_secretary"}, 403),
    "session": _only(B1_READERS, 403, **OUTSIDERS),
    "record": _only({"secretary"}, 403, **OUTSIDERS),
    "reschedule": _only({"secretary", "gb_secretary"}, 403, **OUTSIDERS),
    "attachment": _only(B1_READERS, 403, **OUTSIDERS),
    "notices": _only({"dept", "gb_secretary", "secretary", "other_secretary"}, 403),
    "inspections": _only({"dept", "gb_secretary", "secretary", "committee_member", "other_secretary"}, 403),
    "inspection": _only({"dept", "gb_secretary", "secretary", "committee_member"}, 403, **OUTSIDERS),
    "inspection_new": _only({"dept", "gb_secretary"}, 403, **OUTSIDERS),
    "completion": _only({"dept", "gb_secretary"}, 403),
    "completion_xlsx": _only({"dept", "gb_secretary"}, 403),
    "mine": _all(200),
}

POST_EXPECTED = {
    "publish": {**_all(404), "dept": 302},
    "upload": {**_only(set(), 403, **OUTSIDERS), "secretary": 302},
    "forward": {**_only(set(), 403, **OUTSIDERS), "gb_secretary": 302},
    "accept": {**_only(set(), 403, **OUTSIDERS), "dept": 302},
    "return": {**_only(set(), 403, **OUTSIDERS), "dept": 302, "gb_secretary": 302},
    "answer": {**_only(set(), 403, **OUTSIDERS), "secretary": 302},
}
POST_DATA = {"return": {"note": "请重新安排"}, "answer": {"response": "已整改"}}


def _statuses(client, cast, url, *, method="get", data=None, last=()) -> dict:
    """Each role's status for `url`, one login after the other on the same world; the roles in `last`
    go last, so a write that succeeds does not change what the others see."""
    seen = {}
    for role in sorted(ROLES, key=lambda r: r in last):
        client.logout()
        if role != ANON:
            client.force_login(getattr(cast, role).user)
        payload = data() if callable(data) else data
        response = getattr(client, method)(url, payload or {})
        if role == ANON:
            login_url = reverse("login")
            seen[role] = (
                "login"
                if response.status_code == 302 and response["Location"].startswith(login_url)
                else response.status_code
            )
        else:
            seen[role] = response.status_code
    return seen


@pytest.mark.parametrize("page", list(GET_EXPECTED))
def test_it_answers_each_role_as_expected(client, cast, world, page):
    assert _statuses(client, cast, world[page]) == {ANON: "login", **GET_EXPECTED[page]}


@pytest.mark.parametrize("page", list(POST_EXPECTED))
def test_it_answers_each_role_on_write_endpoints(client, cast, world, page):
    data = POST_DATA.get(page)
    if page == "upload":
        data = lambda: {"file": upload("b.png", png_bytes())}  # noqa: E731  (a fresh file per request)
    expected = {ANON: "login", **POST_EXPECTED[page]}
    writers = {role for role, status in expected.items() if status == 302}
    assert _statuses(client, cast, world[page], method="post", data=data, last=writers) == expected


FORM_PAGES = ["arrangement_new", "edit", "session_new", "record", "reschedule", "inspection_new"]
READ_ONLY = [
    "arrangements",
    "arrangement",
    "revisions",
    "pdf",
    "reading_file",
    "session",
    "attachment",
    "notices",
    "inspections",
    "inspection",
    "completion",
    "completion_xlsx",
    "mine",
]


def test_it_answers_405_to_the_wrong_method(client, cast, world):
    client.force_login(cast.dept.user)
    wrong = {page: client.post(world[page]).status_code for page in READ_ONLY}
    wrong.update({page: client.get(world[page]).status_code for page in POST_EXPECTED})
    for page in FORM_PAGES:
        wrong[f"{page} PUT"] = client.put(world[page]).status_code
        wrong[f"{page} DELETE"] = client.delete(world[page]).status_code
    assert wrong == dict.fromkeys(wrong, 405)
