"""With DEBUG off, the 400, 403, 404 and 500 pages are Chinese and in the site's layout; the 500 page
needs neither a context nor the database."""

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path, reverse
from django.views import defaults

from config.urls import urlpatterns as site_urlpatterns


def _boom(request):
    raise RuntimeError("an unexpected error")


def _ok(request):
    return HttpResponse("ok")


# This module is also the URLconf of the 500 test: the site's pages plus one that fails.
urlpatterns = [*site_urlpatterns, path("test-boom/", _boom), path("test-ok/", _ok)]

ENGLISH = ("Not Found", "Forbidden", "Bad Request", "Server Error", "The requested resource")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_debug_off")]


@pytest.fixture
def _debug_off(settings):
    settings.DEBUG = False


def _page(response):
    text = response.content.decode()
    assert not any(word in text for word in ENGLISH), text
    assert '<html lang="zh-Hans">' in text
    assert 'class="topbar"' in text and "党员积分管理" in text
    return text


def test_404_is_chinese_in_the_layout(client, cast):
    client.force_login(cast.member.user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = _page(response)
    assert "页面不存在" in text and "/no-such-page/" in text
    assert "返回首页" in text
    # The layout's navigation is there for a signed-in member.
    assert reverse("members:detail", args=[cast.member.member.pk]) in text


def test_404_of_an_object_out_of_scope_is_the_same_page(client, cast):
    client.force_login(cast.member.user)
    response = client.get(reverse("members:detail", args=[cast.other_member.member.pk]))
    assert response.status_code == 404
    assert "不在您可查看的范围内" in _page(response)


def test_403_is_chinese_in_the_layout(client, cast):
    client.force_login(cast.member.user)
    response = client.get(reverse("security:log"))
    assert response.status_code == 403
    text = _page(response)
    assert "没有访问权限" in text and "错误代码 403" in text


def test_a_refused_csrf_token_is_a_chinese_403(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.member.user)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    text = _page(response)
    assert "页面已过期" in text and "没有保存" in text
    # Nothing happened: the member is still signed in.
    assert client.get(reverse("home")).wsgi_request.user == cast.member.user


def test_400_is_chinese_in_the_layout(client):
    response = client.get("/", HTTP_HOST="not-this-site.example")
    assert response.status_code == 400
    assert "请求无效" in _page(response)


@override_settings(ROOT_URLCONF=__name__)
def test_500_is_chinese_in_the_layout(client, cast):
    client.raise_request_exception = False
    client.force_login(cast.member.user)
    assert client.get("/test-ok/").status_code == 200
    response = client.get("/test-boom/")
    assert response.status_code == 500
    text = _page(response)
    assert "系统出错" in text and "错误代码 500" in text
    assert "/static/css/app.css" in text


def test_500_needs_no_context_and_no_database(django_db_blocker):
    request = RequestFactory().get("/anything/")
    with django_db_blocker.block():
        response = defaults.server_error(request)
    assert response.status_code == 500
    assert "系统出错" in _page(response)
