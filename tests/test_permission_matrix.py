"""Every URL × every role of the cast, with the expected status.

404 outside the user's scope, 403 in scope but not permitted, a login redirect for anonymous.
"""

import pytest
from django.urls import reverse

ANON = "anonymous"


def _urls(cast):
    b1, b3 = cast.b1, cast.b3
    member, other = cast.member.member, cast.other_member.member
    return {
        "home": reverse("home"),
        "tree": reverse("branches:tree"),
        "unit_b1": reverse("branches:unit", args=[b1.pk]),
        "unit_b3": reverse("branches:unit", args=[b3.pk]),
        "unit_g1": reverse("branches:unit", args=[cast.g1.pk]),
        "member_b1": reverse("members:detail", args=[member.pk]),
        "member_b3": reverse("members:detail", args=[other.pk]),
        "exemptions": reverse("members:exemptions"),
        "exemption_new_b1": reverse("members:exemption_new", args=[member.pk]),
    }


# Expected GET status per page and role.
EXPECTED = {
    "home": {
        ANON: 302,
        "dept": 200,
        "gb_secretary": 200,
        "secretary": 200,
        "recorder": 200,
        "committee_member": 200,
        "member": 200,
        "other_member": 200,
    },
    "tree": {
        ANON: 302,
        "dept": 200,
        "gb_secretary": 200,
        "secretary": 200,
        "recorder": 200,
        "committee_member": 200,
        "member": 200,
        "other_member": 200,
    },
    "unit_b1": {
        ANON: 302,
        "dept": 200,
        "gb_secretary": 200,
        "secretary": 200,
        "recorder": 200,
        "committee_member": 200,
        "member": 200,
        "other_member": 404,
    },
    "unit_b3": {
        ANON: 302,
        "dept": 200,
        "gb_secretary": 404,
        "secretary": 404,
        "recorder": 404,
        "committee_member": 404,
        "member": 404,
        "other_member": 200,
    },
    "unit_g1": {
        ANON: 302,
        "dept": 200,
        "gb_secretary": 200,
        "secretary": 404,
        "recorder": 404,
        "committee_member": 404,
        "member": 404,
        "other_member": 404,
    },
    "member_b1": {
        ANON: 302,
        "dept": 200,
        "gb_secretary": 200,
        "secretary": 200,
        "recorder": 200,
        "committee_member": 200,
        "member": 200,
        "other_member": 404,
    },
    "member_b3": {
        ANON: 302,
        "dept": 200,
        "gb_secretary": 404,
        "secretary": 404,
        "recorder": 404,
        "committee_member": 404,
        "member": 404,
        "other_member": 200,
    },
    "exemptions": {
        ANON: 302,
        "dept": 200,
        "gb_secretary": 200,
        "secretary": 200,
        "recorder": 403,
        "committee_member": 403,
        "member": 403,
        "other_member": 403,
    },
    "exemption_new_b1": {
        ANON: 302,
        "dept": 200,
        "gb_secretary": 200,
        "secretary": 200,
        "recorder": 403,
        "committee_member": 403,
        "member": 200,
        "other_member": 404,
    },
}

CASES = [(page, role) for page, by_role in EXPECTED.items() for role in by_role]


@pytest.mark.parametrize(("page", "role"), CASES)
def test_it_answers_each_role_as_expected(client, cast, page, role):
    url = _urls(cast)[page]
    if role != ANON:
        client.force_login(getattr(cast, role).user)
    response = client.get(url)
    assert response.status_code == EXPECTED[page][role], (page, role)
    if role == ANON:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", ["home", "tree", "unit_b1", "member_b1", "exemptions"])
def test_it_refuses_wrong_methods_on_read_pages(client, cast, page):
    client.force_login(cast.dept.user)
    assert client.post(_urls(cast)[page]).status_code == 405


def test_it_refuses_get_on_write_endpoints(client, cast):
    client.force_login(cast.secretary.user)
    assert client.get(reverse("members:transfer_out", args=[cast.member.member.pk])).status_code == 405
