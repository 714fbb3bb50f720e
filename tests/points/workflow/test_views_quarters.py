import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from points.models import Quarter, QuarterState, Transition
from points.services import workflow

from .conftest import YEAR
from .test_views_matrix import advance, deduct, open_quarter


def _page(client, quarter):
    return client.get(reverse("points:quarter", args=[quarter.pk])).content.decode()


def test_it_lists_the_branch_quarters_with_their_state(cast, login):
    q = open_quarter(cast)
    html = login(cast.member).get(reverse("points:quarters", args=[cast.b1.pk])).content.decode()
    assert q.label in html and "记录与申报中" in html
    assert "开启积分季度" not in html  # only the secretary or deputy opens quarters


def test_it_opens_the_next_quarter(cast, login):
    open_quarter(cast)
    advance(cast, Quarter.objects.get(), "closed")
    client = login(cast.secretary)
    page = client.get(reverse("points:quarters", args=[cast.b1.pk])).content.decode()
    assert 'value="2"' in page  # the next quarter is offered
    response = client.post(
        reverse("points:quarters", args=[cast.b1.pk]),
        {"year": YEAR, "number": 2, "declaration_closes": f"{YEAR}-06-25"},
    )
    q2 = Quarter.objects.get(number=2)
    assert response.status_code == 302 and response["Location"] == reverse("points:quarter", args=[q2.pk])
    assert q2.declaration_closes == datetime.date(YEAR, 6, 25)


def test_it_refuses_a_quarter_out_of_order_and_changes_nothing(cast, login):
    open_quarter(cast)
    response = login(cast.secretary).post(
        reverse("points:quarters", args=[cast.b1.pk]), {"year": YEAR, "number": 2}
    )
    assert response.status_code == 200
    assert "上一季度的积分尚未公示结束" in response.content.decode()
    assert Quarter.objects.count() == 1


def test_it_refuses_a_bad_quarter_number(cast, login):
    response = login(cast.secretary).post(
        reverse("points:quarters", args=[cast.b1.pk]), {"year": YEAR, "number": 5}
    )
    assert response.status_code == 200 and "季度" in response.content.decode()
    assert not Quarter.objects.exists()


def test_it_shows_the_timeline_in_chinese(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    html = _page(login(cast.member), q)
    assert "记录与申报中 → <b>支委初评中</b>" in html
    assert "申报截止，转入支委初评" in html and "支部书记" in html


def test_it_hides_results_from_members_until_published(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    deduct(cast, q, value=7)
    client = login(cast.member)
    html = _page(client, q)
    assert "积分公示" not in html and "−7" not in html
    advance_from_review(cast, q)
    html = _page(client, q)
    assert "积分公示" in html and "−7<" in html
    assert "普通党员" in html and "支委委员" in html  # every member of the branch is listed


def advance_from_review(cast, q):
    workflow.assembly_record(
        quarter=q,
        actor=cast.secretary.user,
        held_on=timezone.localdate(),
        present=workflow.voting_members(cast.b1),
        decision="同意",
    )
    q.refresh_from_db()
    workflow.quarter_publish(quarter=q, actor=cast.secretary.user)
    q.refresh_from_db()


def test_it_shows_the_published_results_to_the_higher_organization(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    html = _page(login(cast.gb_secretary), q)
    assert "积分公示" in html and "普通党员" in html


def test_it_offers_each_role_only_its_own_steps(cast, login, client):
    q = open_quarter(cast)
    assert "截止申报，转入支委初评" in _page(login(cast.secretary), q)
    html = _page(login(cast.member), q)
    assert "截止申报" not in html and "申报积分事项" in html
    assert "申报积分事项" not in _page(login(cast.gb_secretary), q)


def test_it_starts_the_review(cast, login):
    q = open_quarter(cast)
    response = login(cast.secretary).post(reverse("points:quarter_start_review", args=[q.pk]), follow=True)
    q.refresh_from_db()
    assert q.state == QuarterState.IN_REVIEW
    assert "转入支委初评" in response.content.decode()


def test_it_publishes_a_determined_quarter(cast, login):
    q = advance(cast, open_quarter(cast), "determined")
    login(cast.secretary).post(reverse("points:quarter_publish", args=[q.pk]))
    q.refresh_from_db()
    assert q.state == QuarterState.PUBLISHED and q.publicity_end > q.publicity_start


def test_it_refuses_publishing_before_the_assembly_and_changes_nothing(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    before = Transition.objects.count()
    response = login(cast.secretary).post(reverse("points:quarter_publish", args=[q.pk]), follow=True)
    q.refresh_from_db()
    assert q.state == QuarterState.IN_REVIEW and Transition.objects.count() == before
    page = response.content.decode()
    assert "当前状态为“支委初评中”，不能进行此操作：请先完成支委初评，再登记支部党员大会评定。" in page
    assert "可能已被他人处理" not in page  # nobody else acted: the step is out of order


def test_a_step_already_done_says_so(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    before = Transition.objects.count()
    response = login(cast.secretary).post(reverse("points:quarter_publish", args=[q.pk]), follow=True)
    q.refresh_from_db()
    assert q.state == QuarterState.PUBLISHED and Transition.objects.count() == before
    assert "这一步已经办理，无需重复操作。" in response.content.decode()


def test_a_page_overtaken_by_someone_else_says_so(cast):
    """The page showed 党员大会已评定; another secretary published meanwhile."""
    q = advance(cast, open_quarter(cast), "determined")
    stale = Quarter.objects.get(pk=q.pk)
    workflow.quarter_publish(quarter=q, actor=cast.secretary.user)
    with pytest.raises(ValidationError, match="可能已被他人处理"):
        workflow.quarter_publish(quarter=stale, actor=cast.secretary.user)


def test_it_refuses_closing_during_publicity(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    response = login(cast.secretary).post(reverse("points:quarter_close", args=[q.pk]), follow=True)
    q.refresh_from_db()
    assert q.state == QuarterState.PUBLISHED
    assert "期满后才能结束公示" in response.content.decode()


def test_it_closes_after_publicity(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    Quarter.objects.filter(pk=q.pk).update(
        publicity_start=datetime.date(2026, 1, 5), publicity_end=datetime.date(2026, 1, 12)
    )
    login(cast.secretary).post(reverse("points:quarter_close", args=[q.pk]))
    q.refresh_from_db()
    assert q.state == QuarterState.CLOSED
