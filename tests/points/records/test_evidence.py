"""Mobile members' evidence: JPEG/PNG/PDF judged by content, images re-encoded without EXIF, files
served only through a view that checks permission."""

import datetime
import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from members.services import member_update
from points.models import MobileEvidence
from points.services.records import mobile_evidence_add

ON = datetime.date(2025, 3, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def mobile(cast):
    member_update(member=cast.member.member, is_mobile=True, mobile_destination="苏州", reason="外出务工")
    cast.member.member.refresh_from_db()
    return cast.member.member


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° when shown
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(content: bytes, name="page.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _add(cast, member, upload, actor="recorder"):
    return mobile_evidence_add(
        member=member,
        activity_on=ON,
        description="参加流入地党组织主题党日",
        upload=upload,
        actor=getattr(cast, actor).user,
    )


def _files(media):
    return [p for p in media.rglob("*") if p.is_file()]


def test_it_stores_a_jpeg_without_its_exif_and_upright(cast, mobile, media):
    item = _add(cast, mobile, _upload(_jpeg_with_exif()))
    assert item.file.name.startswith("evidence/mobile/") and item.file.name.endswith(".jpg")
    with Image.open(item.file.path) as stored:
        assert stored.format == "JPEG"
        assert dict(stored.getexif()) == {}
        assert stored.size == (30, 40)  # the orientation was applied before EXIF was dropped


def test_it_stores_a_png(cast, mobile):
    item = _add(cast, mobile, _upload(_png(), "scan.png", "image/png"))
    with Image.open(item.file.path) as stored:
        assert stored.format == "PNG"


def test_it_stores_a_pdf_as_sent(cast, mobile):
    item = _add(cast, mobile, _upload(PDF, "scan.pdf", "application/pdf"))
    assert item.file.name.endswith(".pdf")
    with open(item.file.path, "rb") as fh:
        assert fh.read() == PDF


def png_header(width: int, height: int) -> bytes:
    """A PNG's signature and header chunk declaring `width`×`height`, with one tiny data chunk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"GIF89a" + b"\0" * 100, "x.gif", "只能上传 JPG、PNG 图片或 PDF 文件"),
        (b"<html><script>alert(1)</script>", "page.jpg", "只能上传 JPG、PNG 图片或 PDF 文件"),
        (b"MZ\x90\x00" + b"\0" * 100, "page.pdf", "只能上传 JPG、PNG 图片或 PDF 文件"),
        (b"\xff\xd8\xff\xe0" + b"garbage" * 50, "page.jpg", "图片文件已损坏或无法识别"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage", "page.png", "图片文件已损坏或无法识别"),
        (b"%PDF-1.4 truncated", "page.pdf", "PDF 文件不完整"),
        (b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024), "big.jpg", "文件不能超过 5 MB"),
        # A few bytes declaring 108 megapixels (beyond Pillow's own limit) and 45 megapixels (beyond ours):
        (png_header(12_000, 9_000), "huge.png", r"图片过大：最多 4000 万像素、5 MB"),
        (png_header(7_500, 6_000), "big.png", r"图片过大：最多 4000 万像素、5 MB.*7500×6000，约 4500 万像素"),
    ],
)
def test_it_refuses_other_files_and_stores_nothing(cast, mobile, media, content, name, message):
    with pytest.raises(ValidationError, match=message):
        _add(cast, mobile, _upload(content, name))
    assert not MobileEvidence.objects.exists()
    assert _files(media) == []


def test_it_refuses_a_member_who_is_not_mobile(cast, media):
    with pytest.raises(ValidationError, match="普通党员不是流动党员"):
        _add(cast, cast.member.member, _upload(_png(), "a.png"))
    assert _files(media) == []


def test_it_refuses_the_recorders_own_evidence(cast, media):
    member_update(member=cast.recorder.member, is_mobile=True, reason="外出")
    cast.recorder.member.refresh_from_db()
    with pytest.raises(ValidationError, match="积分记录员本人的活动证明由支部书记或副书记登记"):
        _add(cast, cast.recorder.member, _upload(_png(), "a.png"))
    assert not MobileEvidence.objects.exists() and _files(media) == []


def test_it_refuses_a_plain_member_uploading(cast, mobile, media):
    with pytest.raises(ValidationError, match="您没有权限"):
        _add(cast, mobile, _upload(_png(), "a.png"), actor="member")
    assert _files(media) == []


# --- pages ---------------------------------------------------------------------------------------


def test_it_uploads_through_the_page_and_serves_the_file_with_a_permission_check(client, cast, mobile):
    client.force_login(cast.recorder.user)
    url = reverse("points:evidence", args=[cast.b1.pk])
    response = client.post(
        url,
        {
            "member": mobile.pk,
            "activity_on": ON.isoformat(),
            "description": "主题党日",
            "file": _upload(_jpeg_with_exif(), "IMG_0001.JPG"),
        },
    )
    assert response.status_code == 302
    item = MobileEvidence.objects.get()
    file_url = reverse("points:evidence_file", args=[item.pk])
    assert file_url in client.get(url).content.decode()
    served = client.get(file_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert "no-store" in served["Cache-Control"]
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8\xff")
    # The media folder itself is not served.
    assert client.get(f"/media/{item.file.name}").status_code == 404
    client.force_login(cast.other_member.user)
    assert client.get(file_url).status_code == 404


def test_it_serves_a_pdf_as_a_download(client, cast, mobile):
    item = _add(cast, mobile, _upload(PDF, "a.pdf"))
    client.force_login(cast.member.user)  # the member sees their own evidence
    served = client.get(reverse("points:evidence_file", args=[item.pk]))
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment")


def test_it_shows_a_bad_file_as_a_form_error(client, cast, mobile, media):
    client.force_login(cast.recorder.user)
    response = client.post(
        reverse("points:evidence", args=[cast.b1.pk]),
        {
            "member": mobile.pk,
            "activity_on": ON.isoformat(),
            "description": "x",
            "file": _upload(b"GIF89a....", "a.gif"),
        },
    )
    assert response.status_code == 200
    assert "只能上传 JPG、PNG 图片或 PDF 文件" in response.content.decode()
    assert not MobileEvidence.objects.exists() and _files(media) == []
