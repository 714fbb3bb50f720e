"""名册导入: the uploaded file is kept for this user only and dropped after confirm or cancel."""

import stat

from django.urls import reverse

from members.models import Member
from members.roster_views import SESSION_KEY

from .helpers import confirm, page, person, snapshot, upload, xlsx


def test_the_preview_keeps_the_file_for_this_user_only_and_cancel_drops_it(client, cast, media_root):
    client.force_login(cast.secretary.user)
    before = snapshot(cast)
    upload(client, xlsx([person("T0001", "王小明")]))
    [stashed] = (media_root / "imports").iterdir()
    assert stat.S_IMODE(stashed.stat().st_mode) == 0o600
    token = client.session[SESSION_KEY]["token"]

    response = client.post(reverse("members:import"), {"action": "cancel"}, follow=True)

    assert "已取消导入，上传的文件已删除" in page(response)
    assert list((media_root / "imports").iterdir()) == []
    assert SESSION_KEY not in client.session
    assert "已失效" in page(client.post(reverse("members:import_confirm"), {"token": token}, follow=True))
    assert snapshot(cast) == before


def test_the_confirmed_import_drops_the_stashed_file(client, cast, media_root):
    client.force_login(cast.secretary.user)
    upload(client, xlsx([person("T0001", "王小明")]))
    confirm(client)
    assert Member.objects.filter(code="T0001").exists()
    assert list((media_root / "imports").iterdir()) == []
