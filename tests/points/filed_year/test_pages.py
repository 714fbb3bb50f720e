"""The pages of a filed year say so and change nothing."""

from django.urls import reverse

from points.models import (
    AnnualFiling,
    FilingState,
    Session,
)

from .helpers import FILED_TEXT, YEAR, snapshot


def test_the_attendance_page_of_a_filed_year_says_it_is_filed_and_a_post_changes_nothing(cast, year, login):
    client = login(cast.recorder)
    url = reverse("points:attendance", args=[year["session"].pk])
    page = client.get(url).content.decode()
    assert FILED_TEXT in page
    assert "已转入支委初评" not in page
    assert "保存出勤" not in page
    before = snapshot()
    response = client.post(url, {f"status-{cast.member.member.pk}": "absent", "correction_reason": "记错了"})
    assert FILED_TEXT in response.content.decode()
    assert snapshot() == before


def test_the_dues_and_calendar_pages_of_a_filed_year_offer_no_saving(cast, year, login):
    client = login(cast.recorder)
    dues = client.get(reverse("points:dues", args=[cast.b1.pk, YEAR])).content.decode()
    assert FILED_TEXT in dues
    assert "保存党费记录" not in dues
    calendar = client.get(reverse("points:sessions", args=[cast.b1.pk]) + f"?year={YEAR}").content.decode()
    assert FILED_TEXT in calendar
    assert reverse("points:session_edit", args=[year["session"].pk]) not in calendar


def test_the_annual_page_offers_the_return_to_the_higher_organization_only(cast, year, login):
    url = reverse("points:annual", args=[cast.b1.pk, YEAR])
    reopen = reverse("points:filing_reopen", args=[year["filing"].pk])
    assert reopen in login(cast.gb_secretary).get(url).content.decode()
    assert reopen not in login(cast.secretary).get(url).content.decode()


def test_the_return_through_the_page(cast, year, login):
    client = login(cast.gb_secretary)
    reopen = reverse("points:filing_reopen", args=[year["filing"].pk])
    response = client.post(reopen, {"reason": ""}, follow=True)
    assert "须写明理由" in response.content.decode()
    assert AnnualFiling.objects.get(pk=year["filing"].pk).state == FilingState.FILED
    response = client.post(reopen, {"reason": "出勤有误"}, follow=True)
    assert "已撤销备案，退回支部重新办理" in response.content.decode()
    assert AnnualFiling.objects.get(pk=year["filing"].pk).state == FilingState.RETURNED
    # The branch's secretary cannot reopen a year (403, nothing changed).
    AnnualFiling.objects.filter(pk=year["filing"].pk).update(state=FilingState.FILED)
    assert login(cast.secretary).post(reopen, {"reason": "想改"}).status_code in (403, 404)
    assert AnnualFiling.objects.get(pk=year["filing"].pk).state == FilingState.FILED


def test_the_issues_scenario_a_year_filed_through_the_workflow_stays_as_filed(cast, login, clock):
    """Issue 21 §1 as found: after 审核备案 the recorder corrected a Q1 attendance, set a month's dues to
    未交纳 and added a report with a 补登 reason. Each is now refused on its page, and nothing changes."""
    from tests.points.reports.conftest import build_year

    clock.move_to("2026-03-02 10:00")
    built = build_year(cast)
    assert built.filing.state == FilingState.FILED
    member = cast.member.member
    q1_session = Session.objects.filter(branch=cast.b1, starts_at__year=YEAR, starts_at__month=1).first()
    client = login(cast.recorder)
    before = snapshot()

    page = client.post(
        reverse("points:attendance", args=[q1_session.pk]),
        {f"status-{member.pk}": "absent", "correction_reason": "记错了"},
    )
    assert FILED_TEXT in page.content.decode()
    page = client.post(
        reverse("points:dues", args=[cast.b1.pk, YEAR]),
        {f"d-{member.pk}-2": "unpaid", "correction_reason": "核对有误"},
    )
    assert FILED_TEXT in page.content.decode()
    page = client.post(
        reverse("points:thought_reports", args=[cast.b1.pk]),
        {"member": member.pk, "received_on": "2025-06-01", "correction_reason": "补登"},
    )
    assert FILED_TEXT in page.content.decode()
    assert snapshot() == before
