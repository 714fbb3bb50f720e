"""Migration 0016: each result keeps its own copy of its explanation lines (the lines stored once,
ExplanationLine, go), and back."""

import importlib

import pytest
from django.db import connection

from points.models import AnnualResult
from tests.factories import make_committee_tree, make_member
from tests.points.migrating import migrate, migrate_to_head

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("points", "0015_drop_data_versions")]
AFTER = [("points", "0016_annual_result_lines")]
plain_lines = importlib.import_module("points.migrations.0016_annual_result_lines")

STUDY = ["base", "study", "三(一)1", "认真学习", "12", "全年集中学习 32 学时，达到 32 学时 → 满分 12 分"]
DUES = ["base", "dues", "三(一)4", "主动交纳党费", "12", "应交纳党费 12 个月，均按时足额交纳 → 满分 12 分"]
SHORT = ["base", "dues", "三(一)4", "主动交纳党费", "11", "应交纳党费 12 个月，按时足额交纳 11 个月"]
AWARD = ["result", "excellent_candidate", "五1", "可作为民主评议“优秀”等次人选", None, "年度积分 100 分"]


def _line_id(line) -> int:  # as points.models.workflow.line_id(line_digest(line)) gave it before 0016
    return plain_lines._id(plain_lines._digest(line))


@pytest.fixture
def at_0015(monkeypatch):
    # A few results per batch, so that the test goes through several batches and lookups.
    monkeypatch.setattr(plain_lines, "BATCH", 2)
    monkeypatch.setattr(plain_lines, "CHUNK", 2)
    apps = migrate(BEFORE)
    yield apps
    migrate_to_head()


def test_every_result_keeps_its_lines_and_going_back_stores_them_once_again(at_0015):
    _committee, _g1, _g2, b1, b2, _b3, _group = make_committee_tree()
    a, b, c, d, e = (make_member(b1), make_member(b1), make_member(b1), make_member(b2), make_member(b2))
    Filing = at_0015.get_model("points", "AnnualFiling")
    Result = at_0015.get_model("points", "AnnualResult")
    Line = at_0015.get_model("points", "ExplanationLine")
    f1 = Filing.objects.create(branch_id=b1.pk, year=2024, scheme={})
    f2 = Filing.objects.create(branch_id=b2.pk, year=2024, scheme={})
    for line in (STUDY, DUES, SHORT, AWARD):
        Line.objects.create(id=_line_id(line), digest=plain_lines._digest(line), line=line)
    lines = {
        a.pk: [STUDY, DUES, AWARD],
        b.pk: [STUDY, SHORT],
        c.pk: [],
        d.pk: [STUDY, SHORT],  # the same lines in another filing
        e.pk: [DUES, DUES],  # a line shown twice
    }
    for member_id, shown in lines.items():
        Result.objects.create(
            filing=f2 if member_id in (d.pk, e.pk) else f1,
            member_id=member_id,
            category="full",
            line_refs=[_line_id(line) for line in shown],
        )

    migrate(AFTER)
    assert {r.member_id: r.lines for r in AnnualResult.objects.all()} == lines
    assert "points_explanationline" not in connection.introspection.table_names()

    apps = migrate(BEFORE)
    Result = apps.get_model("points", "AnnualResult")
    Line = apps.get_model("points", "ExplanationLine")
    book = dict(Line.objects.values_list("pk", "line"))
    assert book == {_line_id(line): line for line in (STUDY, DUES, SHORT, AWARD)}
    assert {r.member_id: r.line_refs for r in Result.objects.all()} == {
        member_id: [_line_id(line) for line in shown] for member_id, shown in lines.items()
    }
    assert Line.objects.get(pk=_line_id(AWARD)).digest == plain_lines._digest(AWARD)
