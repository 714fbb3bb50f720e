from django.urls import reverse

from members.models import AccountSecurity, SecurityEvent, SecurityEventKind
from members.security import require_password_change

from .conftest import PASSWORD

NEW_PASSWORD = "Hongqi-piaopiao-2026"


def test_it_sends_an_imported_account_to_the_password_change_page(client, cast):
    require_password_change(cast.member.user, actor=cast.secretary.user)
    client.force_login(cast.member.user)
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse("password_change")
    assert client.get(reverse("members:detail", args=[cast.member.member.pk])).url == reverse(
        "password_change"
    )
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "首次登录请先修改初始密码" in page.content.decode()


def test_it_lets_them_in_once_the_password_is_changed(client, cast):
    require_password_change(cast.member.user)
    client.force_login(cast.member.user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    assert client.get("/").status_code == 200
    state = AccountSecurity.objects.get(user=cast.member.user)
    assert not state.must_change_password and state.password_changed_at
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.PASSWORD_CHANGED, user=cast.member.user
    ).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGE_REQUIRED).exists()


def test_it_refuses_the_initial_password_again(client, cast):
    require_password_change(cast.member.user)
    client.force_login(cast.member.user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "新密码不能与原密码相同" in response.content.decode()
    assert AccountSecurity.objects.get(user=cast.member.user).must_change_password


def test_it_refuses_a_weak_password(client, cast):
    client.force_login(cast.member.user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()


def test_it_lets_a_forced_user_log_out(client, cast):
    require_password_change(cast.member.user)
    client.force_login(cast.member.user)
    assert client.post(reverse("logout")).url == reverse("login")


def test_it_does_not_force_accounts_nobody_flagged(client, cast):
    client.force_login(cast.secretary.user)
    assert client.get("/").status_code == 200


def test_it_needs_a_login_to_change_a_password(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
