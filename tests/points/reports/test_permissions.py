"""Every report URL × every role of the cast.

404 outside what the user can see, 403 visible but not theirs to download, login for anonymous,
405 for a wrong method. One filed year serves the whole matrix (built once per test, then every
role asks every URL).
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from members.models import Category
from points.models import AnnualFiling, AnnualResult, FilingState, Quarter, QuarterState
from points.scoring import GUIDELINE_SCHEME
from tests.conftest import ROLES as CAST_ROLES

from .conftest import YEAR, build_year

ANON = "anonymous"
ROLES = [ANON, *CAST_ROLES]
ALL = {role: 200 for role in CAST_ROLES} | {ANON: 302}


def row(dept, gb, secretary, recorder, committee_member, member, other_member):
    return {
        ANON: 302,
        "dept": dept,
        "gb_secretary": gb,
        "secretary": secretary,
        "recorder": recorder,
        "committee_member": committee_member,
        "member": member,
        "other_member": other_member,
    }


B1_EXPORT = row(200, 200, 200, 403, 200, 403, 404)
B3_EXPORT = row(200, 404, 404, 404, 404, 404, 403)

EXPECTED = {
    "index": ALL,
    "dashboard": row(200, 200, 403, 403, 403, 403, 403),
    "dashboard_b1": row(200, 200, 403, 403, 403, 403, 403),
    "dashboard_b3": row(200, 404, 403, 403, 403, 403, 403),
    "workbook_committee": row(200, 404, 404, 404, 404, 404, 404),
    "workbook_g1": row(200, 200, 404, 404, 404, 404, 404),
    "workbook_b1": B1_EXPORT,
    "workbook_b3": B3_EXPORT,
    "report_b1": B1_EXPORT,
    "report_b3": B3_EXPORT,
    "results_b1": B1_EXPORT,
    "results_b3": B3_EXPORT,
    "entries_b1": B1_EXPORT,
    "entries_b3": B3_EXPORT,
    "quarter_notice_b1": row(200, 200, 200, 200, 200, 200, 404),
    "quarter_notice_b3": row(200, 404, 404, 404, 404, 404, 200),
    "annual_notice_b1": row(200, 200, 200, 200, 200, 200, 404),
    "annual_notice_b3": row(200, 404, 404, 404, 404, 404, 200),
    "sheet_member": row(200, 200, 200, 403, 200, 200, 404),
    "sheet_secretary": row(200, 200, 200, 403, 200, 404, 404),
    "sheet_other_member": row(200, 404, 404, 404, 404, 404, 200),
    "import_results": row(200, 200, 200, 403, 403, 403, 403),
    "import_entries": row(200, 200, 200, 403, 403, 403, 403),
    "import_template": row(200, 200, 200, 403, 403, 403, 403),
}


def _b3_year(cast):
    """Branch 3's filed year, stored directly: only its visibility matters here."""
    quarter = Quarter.objects.create(
        branch=cast.b3,
        year=YEAR,
        number=4,
        state=QuarterState.CLOSED,
        publicity_start=datetime.date(2026, 1, 5),
        publicity_end=datetime.date(2026, 1, 12),
    )
    filing = AnnualFiling.objects.create(
        branch=cast.b3,
        year=YEAR,
        state=FilingState.FILED,
        scheme=GUIDELINE_SCHEME.to_dict(),
    )
    result = AnnualResult.objects.create(
        filing=filing,
        member=cast.other_member.member,
        category=Category.FULL,
        base=Decimal(100),
        bonus=Decimal(0),
        deductions=Decimal(0),
        total=Decimal(100),
        rank=1,
        lines=[["base", "study", "三(一)1", "认真学习", "12", "全年集中学习 32 学时"]],
    )
    return quarter, filing, result


def _urls(cast, year, b3):
    b3_quarter, b3_filing, b3_result = b3
    dash = reverse("points:dashboard")
    results = {r.member_id: r.pk for r in AnnualResult.objects.filter(filing=year.filing)}

    def unit(name, org):
        return reverse(f"points:{name}", args=[org.pk, YEAR])

    return {
        "index": reverse("points:reports"),
        "dashboard": dash,
        "dashboard_b1": f"{dash}?unit={cast.b1.pk}&year={YEAR}",
        "dashboard_b3": f"{dash}?unit={cast.b3.pk}&year={YEAR}",
        "workbook_committee": unit("annual_workbook", cast.committee),
        "workbook_g1": unit("annual_workbook", cast.g1),
        "workbook_b1": unit("annual_workbook", cast.b1),
        "workbook_b3": unit("annual_workbook", cast.b3),
        "report_b1": unit("annual_report_pdf", cast.b1),
        "report_b3": unit("annual_report_pdf", cast.b3),
        "results_b1": unit("results_export", cast.b1),
        "results_b3": unit("results_export", cast.b3),
        "entries_b1": unit("entries_export", cast.b1),
        "entries_b3": unit("entries_export", cast.b3),
        "quarter_notice_b1": reverse("points:quarter_publicity_pdf", args=[year.quarters[3].pk]),
        "quarter_notice_b3": reverse("points:quarter_publicity_pdf", args=[b3_quarter.pk]),
        "annual_notice_b1": reverse("points:annual_publicity_pdf", args=[year.filing.pk]),
        "annual_notice_b3": reverse("points:annual_publicity_pdf", args=[b3_filing.pk]),
        "sheet_member": reverse("points:member_sheet_pdf", args=[results[cast.member.member.pk]]),
        "sheet_secretary": reverse("points:member_sheet_pdf", args=[results[cast.secretary.member.pk]]),
        "sheet_other_member": reverse("points:member_sheet_pdf", args=[b3_result.pk]),
        "import_results": reverse("points:import_data", args=["results"]),
        "import_entries": reverse("points:import_data", args=["entries"]),
        "import_template": reverse("points:import_template", args=["results"]),
    }


@pytest.fixture
def matrix(cast):
    year = build_year(cast)
    return _urls(cast, year, _b3_year(cast))


def test_it_answers_every_role_on_every_url(cast, matrix, client):
    assert set(matrix) == set(EXPECTED)
    failures = []
    for role in ROLES:
        client.logout()
        if role != ANON:
            client.force_login(getattr(cast, role).user)
        for name, url in matrix.items():
            response = client.get(url)
            if response.status_code != EXPECTED[name][role]:
                failures.append(f"{name} as {role}: {response.status_code}, expected {EXPECTED[name][role]}")
            if role == ANON and response.status_code == 302:
                assert response["Location"].startswith(reverse("login"))
    assert not failures, "\n".join(failures)


def test_it_refuses_wrong_methods(cast, matrix, client):
    client.force_login(cast.dept.user)
    for name, url in matrix.items():
        if name.startswith("import_") and name != "import_template":
            assert client.put(url).status_code == 405, name
        else:
            assert client.post(url).status_code == 405, name


def test_it_keeps_an_unreported_year_from_members(cast, login):
    year = build_year(cast, file=False)
    url = reverse("points:annual_publicity_pdf", args=[year.filing.pk])
    assert login(cast.member).get(url).status_code == 403
    assert login(cast.secretary).get(url).status_code == 200


def test_it_lets_a_plain_member_find_their_downloads(cast, login):
    year = build_year(cast)
    page = login(cast.member).get(reverse("points:reports") + f"?year={YEAR}").content.decode()
    result = AnnualResult.objects.get(filing=year.filing, member=cast.member.member)
    assert reverse("points:member_sheet_pdf", args=[result.pk]) in page
    assert reverse("points:quarter_publicity_pdf", args=[year.quarters[3].pk]) in page
    assert reverse("points:annual_workbook", args=[cast.b1.pk, YEAR]) not in page


def test_a_branch_with_published_quarters_but_no_annual_filing_yet_lists_them(cast, login):
    """The publicity heading names the branch from its quarters when there is no filing yet: Django's
    engine refused the page (500) on the filing's branch it could not look up."""
    from points.services import workflow
    from tests.points.workflow.conftest import run_quarter

    quarter = run_quarter(
        cast, workflow.quarter_open(branch=cast.b1, year=YEAR, number=1, actor=cast.secretary.user)
    )
    response = login(cast.secretary).get(reverse("points:reports") + f"?unit={cast.b1.pk}&year={YEAR}")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"积分公示 · {cast.b1.name}" in page
    assert reverse("points:quarter_publicity_pdf", args=[quarter.pk]) in page
