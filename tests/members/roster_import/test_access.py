"""名册导入: who may open, upload and confirm; the template download."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.roster import COLUMNS, EXAMPLE_CODE

from ...conftest import ROLES
from .helpers import ANON, IMPORTERS, confirm, page, person, snapshot, upload, xlsx

GET_URLS = {"import": "members:import", "import_template": "members:import_template"}


@pytest.mark.parametrize("role", [ANON, *ROLES])
@pytest.mark.parametrize("url_name", GET_URLS.values())
def test_it_lets_only_importers_open_the_import_pages(client, cast, url_name, role):
    if role != ANON:
        client.force_login(getattr(cast, role).user)

    response = client.get(reverse(url_name))

    if role == ANON:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == (200 if role in IMPORTERS else 403), role


@pytest.mark.parametrize("role", [ANON, *ROLES])
def test_it_lets_only_importers_upload_and_confirm(client, cast, role):
    if role != ANON:
        client.force_login(getattr(cast, role).user)
    before = snapshot(cast)

    uploaded = upload(client, xlsx([person("T0001", "王小明")]))
    confirmed = confirm(client, "A" * 32)

    if role == ANON:
        assert uploaded.status_code == confirmed.status_code == 302
        assert confirmed["Location"].startswith(reverse("login"))
    elif role in IMPORTERS:
        assert uploaded.status_code == 200
    else:
        assert uploaded.status_code == confirmed.status_code == 403
    assert snapshot(cast) == before


def test_it_refuses_wrong_methods(client, cast):
    client.force_login(cast.secretary.user)
    assert client.put(reverse("members:import")).status_code == 405
    assert client.delete(reverse("members:import")).status_code == 405
    assert client.post(reverse("members:import_template")).status_code == 405
    assert client.get(reverse("members:import_confirm")).status_code == 405


def test_it_downloads_the_template_with_chinese_headers(client, cast):
    client.force_login(cast.secretary.user)

    response = client.get(reverse("members:import_template"))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["党员名册"].iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert rows[0][:3] == ("党员编号", "姓名", "性别")
    assert rows[1][0] == EXAMPLE_CODE and rows[1][7] == "第一党支部"
    assert "填写说明" in book.sheetnames


def test_it_refuses_the_untouched_template(client, cast):
    client.force_login(cast.secretary.user)
    template = client.get(reverse("members:import_template")).content

    response = upload(client, template)

    assert "示例行" in page(response)
    assert not response.context["report"].ok
