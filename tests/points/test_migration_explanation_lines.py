"""Migration 0006: each result's copy of its lines becomes the ids of lines stored once, and back."""

import pytest

from tests.factories import make_committee_tree, make_member
from tests.points.migrating import migrate, migrate_to_head

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("points", "0005_quarter_tally")]
AFTER = [("points", "0006_explanation_lines")]

STUDY = ["base", "study", "三(一)1", "认真学习", "12", "全年集中学习 32 学时，达到 32 学时 → 满分 12 分"]
DUES = ["base", "dues", "三(一)4", "主动交纳党费", "12", "应交纳党费 12 个月，均按时足额交纳 → 满分 12 分"]
SHORT = ["base", "dues", "三(一)4", "主动交纳党费", "11", "应交纳党费 12 个月，按时足额交纳 11 个月"]
AWARD = ["result", "excellent_candidate", "五1", "可作为民主评议“优秀”等次人选", None, "年度积分 100 分"]


@pytest.fixture
def at_0005():
    apps = migrate(BEFORE)
    yield apps
    migrate_to_head()


def test_it_stores_each_distinct_line_once_and_puts_the_copies_back(at_0005):
    _committee, _g1, _g2, b1, b2, _b3, _group = make_committee_tree()
    a, b, c, d = make_member(b1), make_member(b1), make_member(b1), make_member(b2)
    Filing = at_0005.get_model("points", "AnnualFiling")
    Result = at_0005.get_model("points", "AnnualResult")
    f1 = Filing.objects.create(branch_id=b1.pk, year=2024, scheme={})
    f2 = Filing.objects.create(branch_id=b2.pk, year=2024, scheme={})
    before = {
        a.pk: [STUDY, DUES, AWARD],
        b.pk: [STUDY, SHORT],
        c.pk: [],
        d.pk: [STUDY, SHORT],
    }
    for member_id, lines in before.items():
        filing = f2 if member_id == d.pk else f1
        Result.objects.create(filing=filing, member_id=member_id, category="full", lines=lines)

    apps = migrate(AFTER)  # the models of 0006 (the current ones no longer have ExplanationLine)
    ExplanationLine = apps.get_model("points", "ExplanationLine")
    book = dict(ExplanationLine.objects.values_list("pk", "line"))
    results = {r.member_id: r for r in apps.get_model("points", "AnnualResult").objects.all()}
    assert {member_id: [book[i] for i in r.line_refs] for member_id, r in results.items()} == before
    assert sorted(book.values()) == sorted([STUDY, DUES, AWARD, SHORT])
    assert results[b.pk].line_refs == results[d.pk].line_refs  # the same lines in two filings

    apps = migrate(BEFORE)
    Result = apps.get_model("points", "AnnualResult")
    assert {r.member_id: r.lines for r in Result.objects.all()} == before
