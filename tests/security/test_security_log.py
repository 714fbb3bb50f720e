import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import SecurityEvent, SecurityEventKind, SecurityOutcome
from members.security import log_export

URL = reverse("security:log")


def _event(n=0, **extra):
    return SecurityEvent.objects.create(
        at=extra.pop("at", timezone.now()),
        kind=extra.pop("kind", SecurityEventKind.LOGIN),
        outcome=SecurityOutcome.SUCCESS,
        username=extra.pop("username", f"user{n}"),
        ip="10.0.0.1",
        **extra,
    )


def test_it_shows_the_log_to_the_department(client, cast):
    _event(username="zhangsan", kind=SecurityEventKind.EXPORT, detail="党员名册", user=cast.member.user)
    client.force_login(cast.dept.user)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "zhangsan" in page and "党员名册" in page and "导出数据" in page


def test_it_filters_by_kind_and_name(client, cast):
    _event(username="zhangsan", kind=SecurityEventKind.EXPORT, user=cast.member.user)
    _event(username="lisi", kind=SecurityEventKind.LOGIN_FAILED, user=cast.secretary.user)
    client.force_login(cast.dept.user)
    page = client.get(URL, {"kind": "login_failed"}).content.decode()
    assert "lisi" in page and "zhangsan" not in page
    page = client.get(URL, {"username": "zhang"}).content.decode()
    assert "zhangsan" in page and "lisi" not in page


@pytest.mark.parametrize("role", ["gb_secretary", "secretary", "recorder", "member", "other_member"])
def test_it_refuses_the_log_to_everyone_else(client, cast, role):
    client.force_login(getattr(cast, role).user)
    assert client.get(URL).status_code == 403


def test_it_sends_anonymous_users_to_the_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_has_no_way_to_change_the_log_in_the_app(client, cast):
    client.force_login(cast.dept.user)
    assert client.post(URL, {"kind": "login"}).status_code == 405


def test_it_shows_the_log_read_only_in_the_admin(client, db):
    admin = get_user_model().objects.create_superuser("root", password="Admin#pass-2026")
    event = _event()
    client.force_login(admin)
    assert client.get(reverse("admin:members_securityevent_changelist")).status_code == 200
    change = reverse("admin:members_securityevent_change", args=[event.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"detail": "edited", "username": "x"}).status_code == 403
    assert client.get(reverse("admin:members_securityevent_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:members_securityevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.username == "user0"


def _log_queries(client, rows):
    SecurityEvent.objects.all().delete()
    for n in range(rows):
        _event(n)
    client.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


def test_it_runs_the_same_queries_for_5_and_200_rows(client, cast):
    client.force_login(cast.dept.user)
    assert _log_queries(client, 5) == _log_queries(client, 200)


def test_it_logs_a_403(client, cast):
    client.force_login(cast.member.user)
    client.get(URL)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.FORBIDDEN)
    assert (event.user, event.outcome, event.path, event.ip) == (
        cast.member.user,
        SecurityOutcome.DENIED,
        URL,
        "127.0.0.1",
    )


def test_it_logs_a_404_on_an_object_out_of_scope(client, cast):
    client.force_login(cast.member.user)
    url = reverse("members:detail", args=[cast.other_member.member.pk])
    assert client.get(url).status_code == 404
    event = SecurityEvent.objects.get(kind=SecurityEventKind.NOT_FOUND)
    assert (event.user, event.path) == (cast.member.user, url)


def test_it_does_not_log_paths_that_match_no_page(client, cast):
    client.force_login(cast.member.user)
    assert client.get("/favicon.ico").status_code == 404
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.NOT_FOUND).exists()


def test_it_logs_exports(cast):
    request = RequestFactory().get("/members/export/1.xlsx", REMOTE_ADDR="10.8.8.8")
    request.user = cast.secretary.user
    log_export(request, "党员名册 第一党支部")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT)
    assert (event.user, event.ip, event.detail, event.path) == (
        cast.secretary.user,
        "10.8.8.8",
        "党员名册 第一党支部",
        "/members/export/1.xlsx",
    )


def test_it_keeps_the_log_at_least_180_days(db):
    now = timezone.now()
    old = _event(1, at=now - datetime.timedelta(days=181))
    recent = _event(2, at=now - datetime.timedelta(days=179))
    with pytest.raises(CommandError, match="至少保留 180 天"):
        call_command("prune_security_log", "--days", "30")
    assert SecurityEvent.objects.filter(pk=old.pk).exists()
    call_command("prune_security_log")
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()
    assert SecurityEvent.objects.filter(pk=recent.pk).exists()


def _other_committee_dept():
    """The organization department of a second party committee, with one member of its own."""
    from branches.models import OrgKind, PositionRole
    from branches.services import position_assign
    from tests.factories import UserFactory, make_member, make_org

    committee = make_org("另一学院党委", OrgKind.COMMITTEE, code="C2")
    general = make_org("另一党总支", OrgKind.GENERAL_BRANCH, committee, code="C2G1")
    branch = make_org("另一党支部", OrgKind.BRANCH, general, code="C2B1")
    user = UserFactory(username="dept2")
    member = make_member(branch, name="另一组织部干事", user=user)
    position_assign(
        member=member,
        organization=committee,
        role=PositionRole.ORG_STAFF,
        start_date=datetime.date(2024, 1, 1),
    )
    return user


def test_it_shows_the_department_only_its_own_committees_events(client, cast):
    ours = _event(username="zhangsan_ours", user=cast.member.user)
    dept2 = _other_committee_dept()
    theirs = _event(username="wangwu_theirs", user=dept2)
    stray = _event(username="nobody_typed")
    client.force_login(dept2)
    page = client.get(URL).content.decode()
    assert "wangwu_theirs" in page
    assert "zhangsan_ours" not in page and "nobody_typed" not in page
    client.force_login(cast.dept.user)
    page = client.get(URL).content.decode()
    assert "zhangsan_ours" in page
    assert "wangwu_theirs" not in page and "nobody_typed" not in page
    assert SecurityEvent.objects.filter(pk__in=[ours.pk, theirs.pk, stray.pk]).count() == 3


def test_it_shows_a_superuser_every_event(client, cast):
    _event(username="zhangsan_ours", user=cast.member.user)
    _event(username="nobody_typed")
    admin = get_user_model().objects.create_superuser("root", password="Admin#pass-2026")
    client.force_login(admin)
    page = client.get(URL).content.decode()
    assert "zhangsan_ours" in page and "nobody_typed" in page


def _lock(key, scope="account", *, at):
    from members.models import LoginLock

    return LoginLock.objects.create(
        scope=scope, key=key, locked_at=at, until=at + datetime.timedelta(minutes=30)
    )


def _locks_listed(page):
    return sorted(line.split("：")[0].strip() for line in page.split("<li>")[1:] if "起锁定至" in line)


def test_it_lists_the_department_only_its_own_committees_locked_accounts(client, cast, clock):
    from tests.factories import UserFactory, make_member

    now = clock.move_to("2026-03-02 10:00")
    make_member(cast.b1, name="赵六", user=UserFactory(username="ZhaoLiu"))
    dept2 = _other_committee_dept()
    _lock("zhaoliu", at=now)  # a lock's key is the name as typed, lowercased
    _lock("member", at=now)
    _lock("dept2", at=now)
    _lock("nobody_typed", at=now)
    _lock("10.9.9.9", "address", at=now)
    _lock("other_member", at=now - datetime.timedelta(hours=1))  # ran out

    client.force_login(cast.dept.user)
    assert _locks_listed(client.get(URL).content.decode()) == ["账号 member", "账号 zhaoliu"]
    client.force_login(dept2)
    assert _locks_listed(client.get(URL).content.decode()) == ["账号 dept2"]


def test_it_lists_a_superuser_every_running_lock(client, cast, clock):
    now = clock.move_to("2026-03-02 10:00")
    _other_committee_dept()
    for key in ("member", "dept2", "nobody_typed"):
        _lock(key, at=now)
    _lock("10.9.9.9", "address", at=now)
    admin = get_user_model().objects.create_superuser("root", password="Admin#pass-2026")
    client.force_login(admin)
    assert _locks_listed(client.get(URL).content.decode()) == [
        "地址 10.9.9.9",
        "账号 dept2",
        "账号 member",
        "账号 nobody_typed",
    ]
