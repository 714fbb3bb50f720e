import re

from django.contrib.auth import get_user_model
from django.urls import reverse

from members.models import AccountSecurity, Member, MemberChange
from tests.factories import make_member


def test_it_opens_an_account_that_must_change_its_password(client, cast):
    newcomer = make_member(cast.b1, code="M900001")
    client.force_login(cast.secretary.user)
    response = client.post(reverse("members:account_create", args=[newcomer.pk]), follow=True)
    text = response.content.decode()
    password = re.search(r"初始密码 (\S+?)（", text).group(1)
    user = Member.objects.get(pk=newcomer.pk).user
    assert user.username == "M900001" and user.check_password(password)
    assert AccountSecurity.objects.get(user=user).must_change_password
    assert MemberChange.objects.filter(member=newcomer, field="user", new_value="M900001").exists()
    client.logout()
    assert client.login(username="M900001", password=password)
    assert client.get(reverse("home")).status_code == 302  # straight to the password change


def test_it_refuses_a_second_account_and_changes_nothing(client, cast):
    client.force_login(cast.secretary.user)
    users = get_user_model().objects.count()
    response = client.post(reverse("members:account_create", args=[cast.member.member.pk]), follow=True)
    assert "已有登录账号" in response.content.decode()
    assert get_user_model().objects.count() == users


def test_it_answers_each_role(client, cast):
    target = make_member(cast.b1)
    url = reverse("members:account_create", args=[target.pk])
    for role, status in {
        "recorder": 403,
        "member": 404,
        "committee_member": 403,
        "other_secretary": 404,
    }.items():
        client.force_login(getattr(cast, role).user)
        assert client.post(url).status_code == status, role
    assert client.get(url).status_code == 405
    client.logout()
    assert client.post(url).status_code == 302
    assert Member.objects.get(pk=target.pk).user is None
