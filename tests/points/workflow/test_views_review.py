import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import OrgKind, PositionRole
from branches.services import position_assign
from points.models import (
    Attendance,
    AttendanceStatus,
    Declaration,
    DeclarationState,
    PointEntry,
    Session,
    SessionKind,
)
from points.services import workflow
from tests.factories import UserFactory, make_member, make_org

from .conftest import YEAR
from .test_views_matrix import advance, declare, deduct, open_quarter


@pytest.fixture
def in_review(cast):
    q = open_quarter(cast)
    declare(cast, q, submit=True)
    return advance(cast, q, "in_review")


def _member_page(client, quarter, member):
    return client.get(reverse("points:review_member", args=[quarter.pk, member.pk])).content.decode()


def test_it_lists_members_with_provisional_scores_and_pending_counts(cast, login, in_review):
    html = login(cast.committee_member).get(reverse("points:review", args=[in_review.pk])).content.decode()
    assert "普通党员" in html and "待初评的申报 1 项" in html
    assert '<span class="badge">1</span>' in html


def _branch_with(cast, n):
    """A branch whose secretary reviews, with `n` members in all."""
    branch = make_org("计数党支部", OrgKind.BRANCH, cast.g1)
    secretary = make_member(branch, name="计数书记", user=UserFactory(username="count-secretary"))
    position_assign(
        member=secretary,
        organization=branch,
        role=PositionRole.SECRETARY,
        start_date=datetime.date(2024, 1, 1),
    )
    for _ in range(n - 1):
        make_member(branch)
    return branch, secretary


def _grow(branch, n):
    for _ in range(n):
        make_member(branch)


def test_it_reviews_5_or_60_members_in_the_same_number_of_queries(client, cast):
    branch, secretary = _branch_with(cast, 5)
    q = workflow.quarter_open(branch=branch, year=YEAR, number=1, actor=secretary.user)
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    start = datetime.datetime(YEAR, 2, 1, 9, tzinfo=tz)
    session = Session.objects.create(
        branch=branch,
        kind=SessionKind.ACTIVITY_DAY,
        title="主题党日",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        signin_secret="x",
    )
    workflow.quarter_start_review(quarter=q, actor=secretary.user)
    client.force_login(secretary.user)
    url = reverse("points:review", args=[q.pk])

    def count():
        for m in branch.members.exclude(attendances__session=session):
            Attendance.objects.create(session=session, member=m, status=AttendanceStatus.PRESENT)
            workflow.entry_add(
                quarter=q,
                member=m,
                actor=secretary.user,
                entry_type="judgment",
                kind="masses",
                value=11,
                reason="较少联系群众",
            )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    five = count()
    _grow(branch, 55)
    assert branch.members.count() == 60
    assert count() == five


def test_it_shows_facts_lines_with_clauses_and_the_declaration(cast, login, in_review):
    html = _member_page(login(cast.secretary), in_review, cast.member.member)
    assert "组织生活" in html and "学习学时" in html and "思想汇报" in html
    assert "三(一)1" in html and "认真学习" in html and "三(一)8" in html
    assert "参加社区爱心捐款" in html and "保存初评意见" in html


def test_it_approves_a_declaration(cast, login, in_review):
    d = Declaration.objects.get()
    login(cast.committee_member).post(
        reverse("points:declaration_review", args=[d.pk]), {f"d{d.pk}-decision": "approve"}
    )
    d.refresh_from_db()
    assert d.state == DeclarationState.APPROVED
    assert PointEntry.objects.get().value == 2


def test_it_approves_another_value_only_with_a_reason(cast, login, in_review):
    d = Declaration.objects.get()
    client = login(cast.committee_member)
    url = reverse("points:declaration_review", args=[d.pk])
    response = client.post(url, {f"d{d.pk}-decision": "adjust", f"d{d.pk}-value": "1"})
    assert response.status_code == 200 and "须写明理由" in response.content.decode()
    d.refresh_from_db()
    assert d.state == DeclarationState.SUBMITTED and not PointEntry.objects.exists()
    client.post(
        url, {f"d{d.pk}-decision": "adjust", f"d{d.pk}-value": "1", f"d{d.pk}-reason": "单位统一组织"}
    )
    assert PointEntry.objects.get().value == 1


def test_it_refuses_an_adjusted_value_outside_the_range_and_changes_nothing(cast, login, in_review):
    d = Declaration.objects.get()
    response = login(cast.secretary).post(
        reverse("points:declaration_review", args=[d.pk]),
        {f"d{d.pk}-decision": "adjust", f"d{d.pk}-value": "3", f"d{d.pk}-reason": "多加"},
    )
    assert response.status_code == 200 and "1-2 分" in response.content.decode()
    d.refresh_from_db()
    assert d.state == DeclarationState.SUBMITTED and not PointEntry.objects.exists()


def test_it_rejects_only_with_a_reason(cast, login, in_review):
    d = Declaration.objects.get()
    client = login(cast.secretary)
    url = reverse("points:declaration_review", args=[d.pk])
    assert client.post(url, {f"d{d.pk}-decision": "reject"}).status_code == 200
    d.refresh_from_db()
    assert d.state == DeclarationState.SUBMITTED
    client.post(url, {f"d{d.pk}-decision": "reject", f"d{d.pk}-reason": "无证明材料"})
    d.refresh_from_db()
    assert (d.state, d.review_reason) == (DeclarationState.REJECTED, "无证明材料")


def _deduction(value, measure="criticism"):
    return {
        "deduction-kind": "absence_or_dues",
        "deduction-value": value,
        "deduction-measure": measure,
        "deduction-reason": "连续 3 个月未参加组织生活",
    }


@pytest.mark.parametrize(("value", "measure"), [("4", "criticism"), ("10.5", "criticism"), ("6", "")])
def test_it_refuses_a_bad_deduction_and_changes_nothing(cast, login, in_review, value, measure):
    url = reverse("points:entry_add", args=[in_review.pk, cast.member.member.pk, "deduction"])
    response = login(cast.secretary).post(url, _deduction(value, measure))
    assert response.status_code == 200
    html = response.content.decode()
    assert "5-10 分" in html or "帮教整改方式" in html
    assert not PointEntry.objects.exists()


def test_it_enters_a_deduction_with_its_measure(cast, login, in_review):
    url = reverse("points:entry_add", args=[in_review.pk, cast.member.member.pk, "deduction"])
    response = login(cast.secretary).post(url, _deduction("7.5"))
    assert response.status_code == 302
    e = PointEntry.objects.get()
    assert (e.value, e.measure, e.created_by) == (Decimal("7.5"), "criticism", cast.secretary.user)
    html = _member_page(login(cast.secretary), in_review, cast.member.member)
    assert "批评教育" in html and "−7.5" in html


def test_it_enters_a_commendation_at_its_level(cast, login, in_review):
    url = reverse("points:entry_add", args=[in_review.pk, cast.member.member.pk, "bonus"])
    data = {
        "bonus-kind": "commendation",
        "bonus-level": "city",
        "bonus-content_key": "优秀共产党员",
        "bonus-reason": "市级表彰",
    }
    assert login(cast.secretary).post(url, data).status_code == 302
    e = PointEntry.objects.get()
    assert (e.level, e.value) == ("city", 3)


def test_it_judges_a_base_item_below_the_cap_with_a_reason(cast, login, in_review):
    url = reverse("points:entry_add", args=[in_review.pk, cast.member.member.pk, "judgment"])
    client = login(cast.committee_member)
    assert (
        client.post(
            url, {"judgment-kind": "masses", "judgment-value": "13", "judgment-reason": "x"}
        ).status_code
        == 200
    )
    assert not PointEntry.objects.exists()
    client.post(
        url, {"judgment-kind": "masses", "judgment-value": "10", "judgment-reason": "联系群众不够经常"}
    )
    assert "支委会评定 10 分：联系群众不够经常" in _member_page(client, in_review, cast.member.member)


def test_it_refuses_an_unknown_entry_type(cast, login, in_review):
    url = reverse("points:entry_add", args=[in_review.pk, cast.member.member.pk, "gift"])
    assert login(cast.secretary).post(url, {}).status_code == 404


def test_it_refuses_a_member_of_another_branch(cast, login, in_review):
    url = reverse("points:review_member", args=[in_review.pk, cast.other_member.member.pk])
    assert login(cast.secretary).get(url).status_code == 404


def test_it_corrects_an_entry_and_shows_both(cast, login, in_review):
    entry = deduct(cast, in_review)
    client = login(cast.secretary)
    url = reverse("points:entry_correct", args=[entry.pk])
    assert client.post(url, {f"c{entry.pk}-value": "5"}).status_code == 200  # a reason is required
    assert PointEntry.objects.count() == 1
    client.post(url, {f"c{entry.pk}-value": "5", f"c{entry.pk}-reason": "情节较轻"})
    entry.refresh_from_db()
    assert not entry.is_current and PointEntry.objects.get(is_current=True).value == 5
    html = _member_page(client, in_review, cast.member.member)
    assert "更正为 5" in html and "更正了原条目：8" in html


def test_it_is_read_only_outside_the_review(cast, login):
    q = open_quarter(cast)
    html = _member_page(login(cast.secretary), q, cast.member.member)
    assert "不在初评阶段" in html and "记入减分" not in html


def test_a_members_review_page_runs_the_same_queries_for_one_or_three_declarations(
    cast, login, django_assert_num_queries
):
    """Reports from the committee member, reviewed by the secretary: each shows who reported it and who
    reviewed it, and the page's queries do not grow with the declarations."""
    lines = [(cast.member, 3), (cast.recorder, 1)]
    quarter = open_quarter(cast)
    made = [
        declare(
            cast, quarter, "committee_member", subject=person.member, submit=True, description=f"好人好事{n}"
        )
        for person, count in lines
        for n in range(count)
    ]
    quarter = advance(cast, quarter, "in_review")
    for d in made:
        workflow.declaration_review(declaration=d, actor=cast.secretary.user, approve=True)
    client = login(cast.committee_member)
    _member_page(client, quarter, cast.recorder.member)  # a first visit: what a process does once
    with CaptureQueriesContext(connection) as one:
        assert "好人好事0" in _member_page(client, quarter, cast.recorder.member)
    with django_assert_num_queries(len(one)):
        html = _member_page(client, quarter, cast.member.member)
    assert all(f"好人好事{n}" in html for n in range(3))
    assert html.count(f"{cast.committee_member.member.name}报告") == 3
    assert html.count(f"（{cast.secretary.member.name}）") == 3


def test_the_blank_entry_forms_are_those_of_the_branchs_scheme(cast, login, in_review):
    import dataclasses

    from django.template.loader import render_to_string

    from points.forms.workflow.review import ENTRY_FORMS
    from points.models import SchemeConfig
    from points.scoring import GUIDELINE_SCHEME
    from points.selectors.facts import scheme_for

    client = login(cast.committee_member)
    page = _member_page(client, in_review, cast.member.member)
    scheme = scheme_for(cast.b1, YEAR)
    for entry_type, form_class in ENTRY_FORMS.items():
        assert render_to_string("_form.html", {"form": form_class(scheme=scheme)}) in page
        assert f'name="{entry_type}-kind"' in page

    # Another scheme (the committee's own rules): its forms, rendered for it.
    renamed = dataclasses.replace(
        GUIDELINE_SCHEME,
        deduction_kinds=tuple(
            dataclasses.replace(kind, label=kind.label + "（细则）")
            for kind in GUIDELINE_SCHEME.deduction_kinds
        ),
    )
    SchemeConfig.objects.create(
        organization=cast.committee, applies_from=YEAR, title="细则", data=renamed.to_dict()
    )
    page = _member_page(client, in_review, cast.member.member)
    assert "（细则）" in page


def test_a_posted_entry_form_with_errors_is_shown_with_them_and_the_next_page_is_blank(
    cast, login, in_review
):
    client = login(cast.secretary)
    url = reverse("points:entry_add", args=[in_review.pk, cast.member.member.pk, "deduction"])
    html = client.post(url, _deduction("4", "criticism")).content.decode()
    assert '<details class="form-box" open><summary>认定减分事项' in html
    assert "不能扣 4 分" in html and 'name="deduction-value" value="4"' in html
    page = _member_page(client, in_review, cast.member.member)
    assert '<details class="form-box"><summary>认定减分事项' in page
    assert "不能扣 4 分" not in page and 'name="deduction-value" value="4"' not in page


def test_it_shows_the_refusal_to_the_second_of_two_reviews_of_a_declaration(cast, login, in_review):
    """Two phones, one declaration: the second request's form is no longer on the page (the declaration
    is reviewed), so its refusal is shown as a message."""
    d = Declaration.objects.get()
    url = reverse("points:declaration_review", args=[d.pk])
    login(cast.committee_member).post(url, {f"d{d.pk}-decision": "approve"})
    response = login(cast.secretary).post(url, {f"d{d.pk}-decision": "approve"})
    html = response.content.decode()
    assert response.status_code == 200 and "当前状态为“已认定”，不能进行此操作" in html
    assert PointEntry.objects.count() == 1


def test_it_shows_the_refusal_to_the_second_of_two_corrections_of_an_entry(cast, login, in_review):
    entry = deduct(cast, in_review)
    url = reverse("points:entry_correct", args=[entry.pk])
    data = {f"c{entry.pk}-value": "5", f"c{entry.pk}-reason": "情节较轻"}
    login(cast.secretary).post(url, data)
    response = login(cast.committee_member).post(url, {**data, f"c{entry.pk}-value": "6"})
    assert response.status_code == 200 and "该积分条目已被更正" in response.content.decode()
    assert PointEntry.objects.get(is_current=True).value == 5
