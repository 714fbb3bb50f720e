"""Migration 0014: AnnualResult's filing is a real foreign key again (0009's triggers go) and its JSON
columns are JSONField; every result keeps its values, and reversing gives the triggers back."""

import pytest
from django.db import connection

from tests.factories import make_committee_tree, make_member
from tests.points.migrating import migrate, migrate_to_head

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("points", "0013_drop_quarter_tally")]
AFTER = [("points", "0014_annual_result_plain")]


def _filing_keys() -> list:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "points_annualresult")
    return [
        c["foreign_key"] for c in constraints.values() if c["columns"] == ["filing_id"] and c["foreign_key"]
    ]


def _filing_triggers() -> set[str]:
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'points_annual%%'")
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture
def at_0013():
    apps = migrate(BEFORE)
    yield apps
    migrate_to_head()


def test_results_keep_their_values_and_get_their_filing_key_back(at_0013):
    _committee, _g1, _g2, b1, _b2, _b3, _group = make_committee_tree()
    a, b = make_member(b1), make_member(b1)
    Filing = at_0013.get_model("points", "AnnualFiling")
    Result = at_0013.get_model("points", "AnnualResult")
    filing = Filing.objects.create(branch_id=b1.pk, year=2024, scheme={})
    items = {"study": "12", "学习\t": "1\\2"}
    for i in (1, 2, 3):  # the lines line_refs points at (0016 copies them into each result)
        at_0013.get_model("points", "ExplanationLine").objects.create(id=i, digest=str(i), line=[str(i)])
    Result.objects.create(
        filing=filing,
        member_id=a.pk,
        category="full",
        base_items='{"study": "12", "学习\\t": "1\\\\2"}',
        results='["excellent_candidate"]',
        line_refs="[3, 1, 2]",
        total=100,
        rank=1,
    )
    Result.objects.create(filing=filing, member_id=b.pk, category="full", total=90, rank=2)
    if connection.vendor == "postgresql":
        assert _filing_keys() == [] and _filing_triggers()

    apps = migrate(AFTER)  # the models of 0014 (0016 replaced line_refs)
    assert _filing_keys() == [("points_annualfiling", "id")]
    assert _filing_triggers() == set()
    rows = {r.member_id: r for r in apps.get_model("points", "AnnualResult").objects.all()}
    assert (rows[a.pk].base_items, rows[a.pk].results, rows[a.pk].line_refs) == (
        items,
        ["excellent_candidate"],
        [3, 1, 2],
    )
    assert (rows[b.pk].base_items, rows[b.pk].results, rows[b.pk].line_refs, rows[b.pk].total) == (
        {},
        [],
        [],
        90,
    )

    migrate(BEFORE)
    if connection.vendor == "postgresql":
        assert _filing_keys() == [] and _filing_triggers()
