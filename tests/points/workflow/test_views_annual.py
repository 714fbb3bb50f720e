from django.urls import reverse

from points.models import AnnualFiling, AnnualResult, FilingState
from points.services import workflow

from .conftest import YEAR, full_year_records, run_quarter
from .test_views_matrix import closed_year, open_quarter, rolled_up


def _url(cast):
    return reverse("points:annual", args=[cast.b1.pk, YEAR])


def test_it_refuses_a_roll_up_before_four_quarters_close_and_changes_nothing(cast, login):
    run_quarter(cast, open_quarter(cast))
    client = login(cast.secretary)
    assert "四个季度均公示结束后" in client.get(_url(cast)).content.decode()
    response = client.post(reverse("points:annual_roll_up", args=[cast.b1.pk, YEAR]), follow=True)
    assert "3 个季度未完成公示" in response.content.decode()
    assert not AnnualFiling.objects.exists()


def test_it_rolls_up_and_shows_the_ranked_table_with_clause_five(cast, login):
    full_year_records(cast, cast.member.member)
    closed_year(cast)
    client = login(cast.secretary)
    response = client.post(reverse("points:annual_roll_up", args=[cast.b1.pk, YEAR]), follow=True)
    html = response.content.decode()
    assert "年度积分已汇总" in html and "年度积分排名" in html
    assert "认真学习" in html and "深入联系群众" in html  # the eight base items are columns
    assert "可作为民主评议“优秀”等次人选" in html  # 100 without deductions
    assert "不得参加党内各级各类评先评优" in html  # 72 points: below 80
    top = AnnualResult.objects.get(member=cast.member.member)
    assert top.rank == 1 and top.total == 100


def test_it_shows_a_plain_member_only_their_own_line(cast, login):
    rolled_up(cast)
    html = login(cast.member).get(_url(cast)).content.decode()
    assert "我的年度积分" in html and "普通党员" in html and "支委委员" not in html


def test_it_submits_and_the_higher_organization_files_it(cast, login):
    filing = rolled_up(cast)
    login(cast.secretary).post(reverse("points:filing_submit", args=[filing.pk]))
    filing.refresh_from_db()
    assert filing.state == FilingState.SUBMITTED
    client = login(cast.gb_secretary)
    listing = client.get(reverse("points:filings")).content.decode()
    assert "第一党支部" in listing and "待审核" in listing
    client.post(reverse("points:filing_review", args=[filing.pk]), {"decision": "file"})
    filing.refresh_from_db()
    assert filing.state == FilingState.FILED


def test_it_returns_a_filing_only_with_remarks(cast, login):
    filing = rolled_up(cast, submit=True)
    client = login(cast.dept)
    response = client.post(
        reverse("points:filing_review", args=[filing.pk]), {"decision": "return"}, follow=True
    )
    assert "退回须写明审核意见" in response.content.decode()
    filing.refresh_from_db()
    assert filing.state == FilingState.SUBMITTED
    client.post(
        reverse("points:filing_review", args=[filing.pk]), {"decision": "return", "remarks": "请补充记录"}
    )
    filing.refresh_from_db()
    assert filing.state == FilingState.RETURNED
    html = login(cast.secretary).get(_url(cast)).content.decode()
    assert "请补充记录" in html and "重新汇总" in html


def test_it_locks_a_filed_year(cast, login):
    filing = rolled_up(cast, submit=True)
    workflow.filing_review(filing=filing, actor=cast.dept.user, approve=True)
    client = login(cast.secretary)
    html = client.get(_url(cast)).content.decode()
    assert "结果锁定" in html
    assert reverse("points:annual_roll_up", args=[cast.b1.pk, YEAR]) not in html
    assert reverse("points:filing_submit", args=[filing.pk]) not in html
    before = list(AnnualResult.objects.values_list("pk", "total"))
    response = client.post(reverse("points:annual_roll_up", args=[cast.b1.pk, YEAR]), follow=True)
    assert "已审核备案，不能重新汇总" in response.content.decode()
    assert list(AnnualResult.objects.values_list("pk", "total")) == before


def test_it_refuses_filing_by_the_branch_itself(cast, login):
    filing = rolled_up(cast, submit=True)
    assert (
        login(cast.secretary)
        .post(reverse("points:filing_review", args=[filing.pk]), {"decision": "file"})
        .status_code
        == 403
    )
    filing.refresh_from_db()
    assert filing.state == FilingState.SUBMITTED


def test_it_refuses_a_year_out_of_range(cast, login):
    assert login(cast.secretary).get(reverse("points:annual", args=[cast.b1.pk, 1999])).status_code == 404
