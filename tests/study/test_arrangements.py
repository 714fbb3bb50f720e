"""Writing, publishing and revising an arrangement; the demo's 2020年第3期 issue."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from study import services
from study.models import Arrangement, ArrangementRevision, ArrangementState, RevisionAction

from .conftest import content

NOW = datetime.datetime(2030, 5, 8, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def test_it_publishes_a_draft_with_a_transition_row(cast, make_arrangement):
    draft = make_arrangement(publish=False)
    assert draft.state == ArrangementState.DRAFT

    published = services.arrangement_publish(arrangement=draft, actor=cast.dept.user, now=NOW)

    assert published.state == ArrangementState.PUBLISHED
    assert published.published_by == cast.dept.user and published.published_at == NOW
    rev = ArrangementRevision.objects.get(arrangement=draft)
    assert (rev.action, rev.from_state, rev.to_state) == (RevisionAction.PUBLISH, "draft", "published")
    assert rev.actor == cast.dept.user and rev.at == NOW
    assert rev.snapshot["theme"] == published.theme


def test_it_refuses_to_publish_twice(cast, arrangement):
    with pytest.raises(ValidationError, match="已发布"):
        services.arrangement_publish(arrangement=arrangement, actor=cast.dept.user)
    assert ArrangementRevision.objects.filter(arrangement=arrangement).count() == 1


def test_it_refuses_to_publish_without_readings_or_requirements(cast, make_arrangement):
    draft = make_arrangement(publish=False, readings=[], requirements=[])
    with pytest.raises(ValidationError, match="学习内容、学习要求"):
        services.arrangement_publish(arrangement=draft, actor=cast.dept.user)
    draft.refresh_from_db()
    assert draft.state == ArrangementState.DRAFT
    assert not ArrangementRevision.objects.exists()


def test_it_records_a_revision_with_author_time_and_old_snapshot(cast, arrangement):
    old_theme = arrangement.theme
    new = content(theme="新的学习主题", requirements=["只有一条要求。"])
    new["readings"] = [
        {"id": r.pk, "title": r.title, "source": r.source, "url": r.url, "page": r.page}
        for r in arrangement.readings.all()
    ]
    rev = services.arrangement_update(
        arrangement=arrangement, content=new, actor=cast.dept.user, reason="调整主题", now=NOW
    )

    assert rev.action == RevisionAction.REVISE and rev.actor == cast.dept.user and rev.at == NOW
    assert rev.snapshot["theme"] == old_theme
    assert len(rev.snapshot["requirements"]) == 2
    assert {c["label"] for c in rev.changes} == {"学习教育主题", "学习要求"}
    assert rev.reason == "调整主题"
    arrangement.refresh_from_db()
    assert arrangement.theme == "新的学习主题" and arrangement.version == rev.version
    assert [r.text for r in arrangement.requirements.all()] == ["只有一条要求。"]


def test_it_keeps_reading_rows_in_place_when_revising(cast, arrangement):
    first = arrangement.readings.get(number=1)
    new = content()
    new["readings"] = [{"id": first.pk, "title": first.title, "url": first.url, "page": 2}]
    services.arrangement_update(arrangement=arrangement, content=new, actor=cast.dept.user)
    assert list(arrangement.readings.values_list("pk", "number", "page")) == [(first.pk, 1, 2)]


def test_it_refuses_a_stale_edit_and_changes_nothing(cast, arrangement):
    stale = arrangement.version
    services.arrangement_update(
        arrangement=arrangement, content=_same(arrangement, theme="甲"), actor=cast.dept.user
    )
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.arrangement_update(
            arrangement=arrangement,
            content=_same(arrangement, theme="乙"),
            actor=cast.dept.user,
            expected_version=stale,
        )
    arrangement.refresh_from_db()
    assert arrangement.theme == "甲"
    assert arrangement.revisions.filter(action=RevisionAction.REVISE).count() == 1


def test_it_writes_no_revision_when_nothing_changed(cast, arrangement):
    version = arrangement.version
    assert (
        services.arrangement_update(arrangement=arrangement, content=_same(arrangement), actor=cast.dept.user)
        is None
    )
    arrangement.refresh_from_db()
    assert arrangement.version == version
    assert not arrangement.revisions.filter(action=RevisionAction.REVISE).exists()


def test_it_edits_a_draft_without_revision_rows(cast, make_arrangement):
    draft = make_arrangement(publish=False)
    services.arrangement_update(
        arrangement=draft, content=_same(draft, theme="草稿修改"), actor=cast.dept.user
    )
    assert not ArrangementRevision.objects.exists()


def test_it_refuses_an_arrangement_from_anyone_but_the_department(cast):
    with pytest.raises(ValidationError, match="党委组织部"):
        services.arrangement_create(committee=cast.committee, content=content(), actor=cast.gb_secretary.user)
    assert not Arrangement.objects.exists()


def test_it_refuses_a_duplicate_issue_label_in_the_committee(cast, arrangement):
    with pytest.raises(ValidationError, match="同一期号"):
        services.arrangement_create(committee=cast.committee, content=content(), actor=cast.dept.user)
    assert Arrangement.objects.count() == 1


def test_it_links_schedule_organizers_by_name_and_keeps_the_text(cast, make_arrangement):
    a = make_arrangement(
        schedule=[{"week": 1, "date": datetime.date(2030, 3, 1), "organizers_text": "第一党总支、 无此单位"}]
    )
    row = a.schedule.get()
    assert row.organizers_text == "第一党总支、 无此单位"
    assert list(row.organizers.all()) == [cast.g1]
    assert row.weekday == "五"


def test_it_publishes_and_revises_through_the_pages(login, cast, make_arrangement):
    client = login(cast.dept)
    draft = make_arrangement(publish=False)
    response = client.post(reverse("study:arrangement_publish", args=[draft.pk]), follow=True)
    assert "已发布" in response.content.decode()

    data = _post_data(draft, theme="页面修订的主题", reason="页面修订")
    response = client.post(reverse("study:arrangement_edit", args=[draft.pk]), data, follow=True)
    assert response.status_code == 200
    assert "修订记录已保存" in response.content.decode()
    page = client.get(reverse("study:arrangement_revisions", args=[draft.pk])).content.decode()
    assert "页面修订的主题" in page and "深入学习贯彻" in page and "页面修订" in page


def test_it_shows_form_errors_in_chinese_and_saves_nothing(login, cast, arrangement):
    client = login(cast.dept)
    data = _post_data(arrangement, theme="")
    data["schedule-0-date"] = "不是日期"
    response = client.post(reverse("study:arrangement_edit", args=[arrangement.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "学习教育主题：这个字段是必填项。" in body and "日期：" in body
    arrangement.refresh_from_db()
    assert arrangement.theme != "" and arrangement.version == 2


def test_it_seeds_the_2020_issue_3_from_the_source_document_once(db):
    from branches import demo as branch_demo
    from study.demo import seed_arrangement

    assert seed_arrangement() is None  # no demo committee yet
    branch_demo.seed(today=datetime.date(2026, 3, 1))
    first = seed_arrangement()
    again = seed_arrangement()

    assert first.pk == again.pk and Arrangement.objects.count() == 1
    assert (first.title, first.issue_label, first.issuer) == ("党员学习教育安排", "2020年第3期", "党委组织部")
    assert first.issued_on == datetime.date(2020, 5, 7) and first.is_published
    row = first.schedule.get()
    assert (row.week, row.date, row.weekday) == (13, datetime.date(2020, 5, 12), "二")
    assert row.organizers_text == "机关党工委、 党总支（直属党支部）"
    assert sorted(o.name for o in row.organizers.all()) == sorted(
        ["机关党工委", "机电工程学院党总支", "信息工程学院党总支", "经济管理学院党总支", "图书馆直属党支部"]
    )
    assert first.theme.endswith("在疫情常态化下“比学赶超”")
    assert first.purpose.startswith("通过集中学习《习近平新时代中国特色社会主义思想三十讲》")
    readings = list(first.readings.all())
    assert [r.page for r in readings] == [None, 3, 5, 13, 14, 16]
    assert readings[0].url == "http://www.xinhuanet.com/politics/xjpsxkj/index.html"
    assert readings[2].source == "《群众》2020 年第 9 期"
    assert "锡组通〔2020〕8 号" in readings[5].title
    assert first.discussion.startswith("结合学习体会")
    assert [r.number for r in first.requirements.all()] == [1, 2, 3]
    assert "提前半天" in first.requirements.get(number=1).text


def _same(arrangement, **overrides) -> dict:
    from study.services.arrangements import FIELDS

    data = {f: getattr(arrangement, f) for f in FIELDS}
    data["schedule"] = [
        {"week": r.week, "date": r.date, "organizers_text": r.organizers_text}
        for r in arrangement.schedule.all()
    ]
    data["readings"] = [
        {"id": r.pk, "title": r.title, "source": r.source, "url": r.url, "page": r.page}
        for r in arrangement.readings.all()
    ]
    data["requirements"] = [r.text for r in arrangement.requirements.all()]
    data.update(overrides)
    return data


def _post_data(arrangement, **overrides) -> dict:
    arrangement.refresh_from_db()
    data = {
        "title": arrangement.title,
        "issue_label": arrangement.issue_label,
        "issuer": arrangement.issuer,
        "issued_on": arrangement.issued_on.isoformat(),
        "theme": arrangement.theme,
        "purpose": arrangement.purpose,
        "discussion": arrangement.discussion,
        "version": arrangement.version,
        "reason": "",
    }
    rows = list(arrangement.schedule.all())
    data.update({"schedule-TOTAL_FORMS": len(rows), "schedule-INITIAL_FORMS": len(rows)})
    for i, r in enumerate(rows):
        data.update(
            {
                f"schedule-{i}-week": r.week,
                f"schedule-{i}-date": r.date.isoformat(),
                f"schedule-{i}-organizers_text": r.organizers_text,
            }
        )
    readings = list(arrangement.readings.all())
    data.update({"readings-TOTAL_FORMS": len(readings), "readings-INITIAL_FORMS": len(readings)})
    for i, r in enumerate(readings):
        data.update(
            {
                f"readings-{i}-id": r.pk,
                f"readings-{i}-title": r.title,
                f"readings-{i}-source": r.source,
                f"readings-{i}-url": r.url,
                f"readings-{i}-page": r.page or "",
            }
        )
    reqs = list(arrangement.requirements.all())
    data.update({"requirements-TOTAL_FORMS": len(reqs), "requirements-INITIAL_FORMS": len(reqs)})
    for i, r in enumerate(reqs):
        data[f"requirements-{i}-text"] = r.text
    for prefix in ("schedule", "readings", "requirements"):
        data.update({f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    data.update(overrides)
    return data
