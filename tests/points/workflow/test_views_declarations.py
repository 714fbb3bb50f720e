import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from points.models import Declaration, DeclarationState, Quarter, Transition
from points.services import workflow

from .test_views_matrix import PDF, advance, declare, open_quarter


def _png() -> bytes:
    """A real (tiny) PNG: evidence is decoded and re-encoded, so magic bytes alone no longer pass."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


def _post(client, quarter, **fields):
    data = {
        "subject": fields.pop("subject"),
        "item": "bonus:public_welfare",
        "value": "2",
        "occurred_on": f"{quarter.year}-02-10",
        "description": "参加社区爱心捐款",
        **fields,
    }
    return client.post(reverse("points:declare", args=[quarter.pk]), data)


def test_it_saves_a_draft_then_submits_it(cast, login):
    q = open_quarter(cast)
    client = login(cast.member)
    response = _post(client, q, subject=cast.member.member.pk)
    assert response.status_code == 302
    d = Declaration.objects.get()
    assert (d.state, d.subject, d.kind, d.value) == (
        DeclarationState.DRAFT,
        cast.member.member,
        "public_welfare",
        2,
    )
    page = client.get(reverse("points:declare", args=[q.pk])).content.decode()
    assert "参加社区爱心捐款" in page and "草稿" in page and "提交" in page
    client.post(reverse("points:declaration_submit", args=[d.pk]))
    d.refresh_from_db()
    assert d.state == DeclarationState.SUBMITTED
    page = client.get(reverse("points:declare", args=[q.pk])).content.decode()
    assert reverse("points:declaration_withdraw", args=[d.pk]) not in page  # read-only once submitted


def test_it_withdraws_a_draft_as_withdrawn_not_as_refused(cast, login):
    q = open_quarter(cast)
    d = declare(cast, q)
    client = login(cast.member)
    client.post(reverse("points:declaration_withdraw", args=[d.pk]))
    d.refresh_from_db()
    assert d.state == DeclarationState.WITHDRAWN and d.review_reason == ""
    page = client.get(reverse("points:declare", args=[q.pk])).content.decode()
    assert "已撤回" in page
    assert "未认定" not in page  # the committee's refusal word
    assert reverse("points:declaration_edit", args=[d.pk]) not in page


def _edit(client, declaration, **fields):
    data = {
        "subject": declaration.subject_id,
        "item": "bonus:public_welfare",
        "value": "1",
        "occurred_on": f"{declaration.quarter.year}-02-20",
        "description": "参加社区爱心捐款（已补充时间地点）",
        **fields,
    }
    return client.post(reverse("points:declaration_edit", args=[declaration.pk]), data)


def test_the_author_edits_a_draft_before_submitting_it(cast, login):
    q = open_quarter(cast)
    client = login(cast.member)
    _post(client, q, subject=cast.member.member.pk)
    d = Declaration.objects.get()
    page = client.get(reverse("points:declare", args=[q.pk])).content.decode()
    assert reverse("points:declaration_edit", args=[d.pk]) in page
    form = client.get(reverse("points:declaration_edit", args=[d.pk])).content.decode()
    assert "参加社区爱心捐款" in form and 'value="bonus:public_welfare" selected' in form

    response = _edit(client, d)
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.state, d.value, d.occurred_on, d.description) == (
        DeclarationState.DRAFT,
        1,
        datetime.date(q.year, 2, 20),
        "参加社区爱心捐款（已补充时间地点）",
    )
    assert Transition.objects.filter(subject_type="declaration", subject_id=d.pk, reason="修改申报").exists()
    assert "草稿已修改" in client.get(reverse("points:declare", args=[q.pk])).content.decode()


def _snapshot(declaration):
    declaration.refresh_from_db()
    return (declaration.state, declaration.value, declaration.occurred_on, declaration.description)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"occurred_on": "{year}-05-10"}, "事项发生日期须在"),
        ({"value": ""}, "请填写加分分值。"),
        ({"item": "bonus:no_such_item"}, "选择一个有效的选项"),
    ],
)
def test_an_edit_is_checked_as_a_new_declaration_and_changes_nothing_when_refused(
    cast, login, fields, message
):
    q = open_quarter(cast)
    client = login(cast.member)
    d = declare(cast, q)
    before = _snapshot(d)
    fields = {k: v.format(year=q.year) for k, v in fields.items()}
    response = _edit(client, d, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _snapshot(d) == before


def test_a_submitted_declaration_can_no_longer_be_edited(cast, login):
    q = open_quarter(cast)
    client = login(cast.member)
    d = declare(cast, q)
    client.post(reverse("points:declaration_submit", args=[d.pk]))
    before = _snapshot(d)
    response = _edit(client, d)
    assert response.status_code == 302
    assert _snapshot(d) == before
    page = client.get(response.url).content.decode()
    assert "只有尚未提交的草稿可以修改" in page


def test_the_edit_service_refuses_a_draft_submitted_meanwhile(cast):
    """A stale edit page: the draft was submitted from another phone after the page was opened."""
    q = open_quarter(cast)
    d = declare(cast, q)
    stale = Declaration.objects.get(pk=d.pk)
    workflow.declaration_submit(declaration=d, actor=cast.member.user)
    with pytest.raises(ValidationError, match="只有尚未提交的草稿可以修改"):
        workflow.declaration_update(
            declaration=stale,
            actor=cast.member.user,
            subject=cast.member.member,
            entry_type="bonus",
            kind="public_welfare",
            value=3,
            occurred_on=datetime.date(q.year, 2, 20),
            description="改过",
        )
    assert _snapshot(d)[0] == DeclarationState.SUBMITTED and d.description != "改过"


def test_another_member_cannot_edit_someone_elses_draft(cast, login):
    q = open_quarter(cast)
    d = declare(cast, q)
    before = _snapshot(d)
    response = _edit(login(cast.committee_member), d)
    assert response.status_code in (403, 404)
    assert _snapshot(d) == before


def test_it_reports_another_members_deduction_item(cast, login):
    q = open_quarter(cast)
    response = _post(
        login(cast.member),
        q,
        subject=cast.committee_member.member.pk,
        item="deduction:negative_attitude",
        value="",
        description="群众反映工作态度消极",
    )
    assert response.status_code == 302
    d = Declaration.objects.get()
    assert d.is_report and d.subject == cast.committee_member.member and d.entry_type == "deduction"


def test_it_declares_a_commendation_by_its_level(cast, login):
    q = open_quarter(cast)
    response = _post(
        login(cast.member),
        q,
        subject=cast.member.member.pk,
        item="bonus:commendation",
        value="",
        level="district",
        content_key="优秀共产党员",
    )
    assert response.status_code == 302
    assert Declaration.objects.get().value == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"item": "bonus:public_welfare", "value": "3"}, "1-2 分"),
        ({"item": "bonus:emergency_service", "value": "2", "own_duty": "on"}, "本应履行的职责"),
        ({"item": "bonus:commendation", "value": ""}, "须选择表彰级别"),
        ({"occurred_on": "2025-05-10"}, "季度内"),
        ({"item": "bonus:no_such_kind"}, "选择一个有效的选项"),
    ],
)
def test_it_shows_the_reason_for_a_bad_declaration_and_saves_nothing(cast, login, fields, message, media):
    q = open_quarter(cast)
    response = _post(login(cast.member), q, subject=cast.member.member.pk, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Declaration.objects.exists() and not _stored(media)


def test_it_refuses_a_subject_from_another_branch(cast, login):
    q = open_quarter(cast)
    response = _post(login(cast.member), q, subject=cast.other_member.member.pk)
    assert response.status_code == 200 and not Declaration.objects.exists()


def test_it_stores_checked_evidence_under_its_own_name(cast, login, media):
    q = open_quarter(cast)
    upload = SimpleUploadedFile("../../证明.png", PNG, content_type="image/png")
    _post(login(cast.member), q, subject=cast.member.member.pk, evidence=upload)
    d = Declaration.objects.get()
    assert d.evidence.name.endswith(".png") and "证明" not in d.evidence.name and ".." not in d.evidence.name
    assert len(_stored(media)) == 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<script>alert(1)</script>", "photo.jpg", "只能上传 JPG、PNG 图片或 PDF 文件"),
        (b"MZ\x90\x00" + b"\x00" * 100, "scan.pdf", "只能上传 JPG、PNG 图片或 PDF 文件"),
        (b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "big.pdf", "不能超过 5 MB"),
    ],
)
def test_it_refuses_bad_evidence_and_stores_nothing(cast, login, media, content, name, message):
    q = open_quarter(cast)
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = _post(login(cast.member), q, subject=cast.member.member.pk, evidence=upload)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Declaration.objects.exists() and not _stored(media)


def test_it_serves_evidence_to_the_committee_but_not_to_the_recorder(cast, login):
    q = open_quarter(cast)
    _post(login(cast.member), q, subject=cast.member.member.pk, evidence=SimpleUploadedFile("a.pdf", PDF))
    d = Declaration.objects.get()
    url = reverse("points:declaration_evidence", args=[d.pk])
    response = login(cast.committee_member).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    assert login(cast.recorder).get(url).status_code == 403


def test_it_says_when_the_window_has_closed(cast, login):
    q = open_quarter(cast)
    Quarter.objects.filter(pk=q.pk).update(declaration_closes=datetime.date(q.year, 3, 31))
    client = login(cast.member)
    page = client.get(reverse("points:declare", args=[q.pk])).content.decode()
    assert f"申报已于 {q.year}-03-31 截止" in page and "新增申报" not in page
    response = _post(client, q, subject=cast.member.member.pk)
    assert "截止" in response.content.decode() and not Declaration.objects.exists()


def test_it_refuses_submitting_after_the_review_started(cast, login):
    q = open_quarter(cast)
    d = declare(cast, q)
    advance(cast, q, "in_review")
    client = login(cast.member)
    assert "申报已截止" in client.get(reverse("points:declare", args=[q.pk])).content.decode()
    response = client.post(reverse("points:declaration_submit", args=[d.pk]), follow=True)
    d.refresh_from_db()
    assert d.state == DeclarationState.DRAFT and "申报已截止" in response.content.decode()


def test_it_lists_only_my_own_declarations(cast, login):
    q = open_quarter(cast)
    declare(cast, q, who="committee_member", description="委员的申报")
    page = login(cast.member).get(reverse("points:declare", args=[q.pk])).content.decode()
    assert "委员的申报" not in page
