"""Study records (学习要求 2): content, discussion rows, absentees from attendance, checked uploads."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from config.uploads import MAX_UPLOAD_BYTES
from study import services
from study.models import DiscussionEntry, StudyAttachment, StudyRecord

from .conftest import PDF_BYTES, attend, jpeg_bytes, png_bytes, stored_files, upload


@pytest.fixture
def ss(plan):
    return plan()


def test_it_saves_a_record_with_discussion_rows(cast, ss):
    reading = ss.arrangement.readings.first()
    record = services.study_record_save(
        study_session=ss,
        content="集中学习《三十讲》第十九讲",
        minutes="书记领学，党员交流。",
        note_taker="记录员",
        readings=[reading],
        discussion=[
            {"speaker": cast.member.member, "points": "立足岗位比学赶超。"},
            {"speaker": None, "speaker_name": "列席同志", "points": "做好疫情防控。"},
        ],
        actor=cast.secretary.user,
    )
    assert list(record.readings.all()) == [reading]
    assert list(record.discussion.values_list("speaker_name", "points")) == [
        ("普通党员", "立足岗位比学赶超。"),
        ("列席同志", "做好疫情防控。"),
    ]
    services.study_record_save(
        study_session=ss, content="改", note_taker="记录员", discussion=[], actor=cast.secretary.user
    )
    assert StudyRecord.objects.count() == 1 and not DiscussionEntry.objects.exists()


def test_it_refuses_a_speaker_from_another_branch_and_changes_nothing(cast, ss):
    with pytest.raises(ValidationError, match="不是本支部党员"):
        services.study_record_save(
            study_session=ss,
            content="学习",
            note_taker="记录员",
            actor=cast.secretary.user,
            discussion=[{"speaker": cast.other_member.member, "points": "发言"}],
        )
    assert not StudyRecord.objects.exists()


def test_it_refuses_the_record_to_the_recorder(cast, ss):
    with pytest.raises(ValidationError, match="书记或副书记"):
        services.study_record_save(study_session=ss, content="学习", note_taker="x", actor=cast.recorder.user)


def test_it_shows_absentees_and_their_reasons_from_attendance(login, cast, ss):
    attend(ss, cast.member.member, "excused", "外出培训")
    attend(ss, cast.committee_member.member, "absent")
    attend(ss, cast.recorder.member, "present")
    body = login(cast.secretary).get(reverse("study:session_detail", args=[ss.pk])).content.decode()
    assert "普通党员 · 请假：外出培训" in body and "支委委员 · 缺席" in body
    assert "应到 3 人，实到 1 人" in body
    assert reverse("points:attendance", args=[ss.session_id]) in body


def test_it_writes_the_record_through_the_page(login, cast, ss):
    client = login(cast.secretary)
    data = {
        "content": "学习第十九讲",
        "minutes": "",
        "note_taker": "记录员",
        "readings": [ss.arrangement.readings.first().pk],
        "discussion-TOTAL_FORMS": 2,
        "discussion-INITIAL_FORMS": 0,
        "discussion-MIN_NUM_FORMS": 0,
        "discussion-MAX_NUM_FORMS": 1000,
        "discussion-0-speaker": cast.member.member.pk,
        "discussion-0-points": "结合岗位谈体会",
        "discussion-1-speaker": "",
        "discussion-1-speaker_name": "",
        "discussion-1-points": "",
    }
    response = client.post(reverse("study:session_record", args=[ss.pk]), data)
    assert response.status_code == 302
    record = StudyRecord.objects.get()
    assert record.content == "学习第十九讲" and record.discussion.get().speaker == cast.member.member


# --- uploads ---------------------------------------------------------------------------------


def test_it_re_encodes_a_jpeg_and_drops_its_exif(cast, ss, media):
    original = jpeg_bytes()
    assert b"SecretCam" in original
    attachment = services.attachment_add(
        study_session=ss, uploaded=upload("现场.jpg", original, "image/jpeg"), actor=cast.secretary.user
    )
    stored = attachment.file.read()
    assert stored != original and b"SecretCam" not in stored
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
    assert attachment.content_type == "image/jpeg" and attachment.original_name == "现场.jpg"
    assert attachment.file.name.endswith(".jpg") and "现场" not in attachment.file.name


def test_it_accepts_png_and_pdf_by_their_content(cast, ss, media):
    png = services.attachment_add(
        study_session=ss, uploaded=upload("a.bin", png_bytes()), actor=cast.secretary.user
    )
    pdf = services.attachment_add(
        study_session=ss, uploaded=upload("b.dat", PDF_BYTES), actor=cast.secretary.user
    )
    assert (png.content_type, pdf.content_type) == ("image/png", "application/pdf")
    assert len(stored_files(media)) == 2


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.jpg", b"MZ\x90\x00 this is an exe renamed", "只能上传 JPG、PNG 图片或 PDF 文件"),
        ("photo.jpg", b"\xff\xd8\xff\xe0 truncated jpeg", "图片文件已损坏或无法识别"),
        ("scan.pdf", b"%PDF-1.4 no end marker", "PDF 文件不完整或已损坏"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * MAX_UPLOAD_BYTES + b"\n%%EOF", "文件不能超过 5 MB"),
        ("empty.png", b"", "文件是空的"),
    ],
)
def test_it_refuses_bad_uploads_and_leaves_nothing_behind(cast, ss, media, name, data, message):
    with pytest.raises(ValidationError, match=message):
        services.attachment_add(study_session=ss, uploaded=upload(name, data), actor=cast.secretary.user)
    assert not StudyAttachment.objects.exists()
    assert stored_files(media) == []


def test_it_refuses_an_upload_through_the_page_with_a_message(login, cast, ss, media):
    client = login(cast.secretary)
    response = client.post(
        reverse("study:attachment_upload", args=[ss.pk]),
        {"file": upload("x.jpg", b"GIF89a not allowed"), "caption": "合影"},
        follow=True,
    )
    assert "上传失败：只能上传 JPG、PNG 图片或 PDF 文件。" in response.content.decode()
    assert not StudyAttachment.objects.exists() and stored_files(media) == []


def test_it_serves_attachments_only_to_those_who_may_read_the_record(client, cast, ss, media):
    attachment = services.attachment_add(
        study_session=ss, uploaded=upload("a.png", png_bytes()), actor=cast.secretary.user
    )
    url = reverse("study:attachment", args=[attachment.pk])
    client.force_login(cast.recorder.user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(cast.member.user)
    assert client.get(url).status_code == 403
    client.force_login(cast.other_member.user)
    assert client.get(url).status_code == 404
