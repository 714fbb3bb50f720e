"""On PostgreSQL a result's filing is checked per statement by triggers (migration points/0009), with the
foreign key's promises: no result without its filing, no filing removed from under its results."""

import threading

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError

from points.models import AnnualFiling, AnnualResult
from tests.pg import other_connection

from .conftest import YEAR

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's triggers")

INSERT = (
    "INSERT INTO points_annualresult (filing_id, member_id, category, exempt, base_items, near_bottom, "
    "results, line_refs) VALUES (%s, %s, 'full', false, '{}', false, '[]', '[]')"
)


ROW = "(%s, %s, 'full', false, '{}', false, '[]', '[]')"
INSERT_TWO = INSERT + ", " + ROW


def _filing_with_result(cast) -> tuple[AnnualFiling, AnnualResult]:
    filing = AnnualFiling.objects.create(branch=cast.b1, year=YEAR, scheme={})
    result = AnnualResult.objects.create(filing=filing, member=cast.member.member, category="full")
    return filing, result


def _sql(statement: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_there_is_no_row_by_row_foreign_key_on_the_filing(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, AnnualResult._meta.db_table)
    keys = sorted(c["columns"][0] for c in constraints.values() if c["foreign_key"])
    assert keys == ["member_id"]


def test_a_result_of_a_filing_that_does_not_exist_is_refused(cast):
    filing, _ = _filing_with_result(cast)
    with pytest.raises(IntegrityError, match="annual_result_filing"):
        _sql(INSERT, [filing.pk + 1000, cast.other_member.member.pk])
    with pytest.raises(IntegrityError, match="annual_result_filing"):
        _sql("UPDATE points_annualresult SET filing_id = filing_id + 1000")
    assert list(AnnualResult.objects.values_list("filing_id", "member_id")) == [
        (filing.pk, cast.member.member.pk)
    ]


def test_a_statement_naming_several_filings_is_checked_whole(cast):
    filing, _ = _filing_with_result(cast)
    other = AnnualFiling.objects.create(branch=cast.b3, year=YEAR, scheme={})
    _sql(
        INSERT_TWO,
        [other.pk, cast.other_member.member.pk, filing.pk, cast.secretary.member.pk],
    )
    assert AnnualResult.objects.count() == 3
    with pytest.raises(IntegrityError):
        _sql(
            INSERT_TWO,
            [other.pk, cast.recorder.member.pk, other.pk + 1000, cast.committee_member.member.pk],
        )
    assert AnnualResult.objects.count() == 3


def test_a_filing_with_results_cannot_be_deleted_renumbered_or_truncated(cast):
    filing, _ = _filing_with_result(cast)
    with pytest.raises(IntegrityError, match="still has results"):
        _sql("DELETE FROM points_annualfiling WHERE id = %s", [filing.pk])
    with pytest.raises(IntegrityError, match="still has results"):
        _sql("UPDATE points_annualfiling SET id = id + 1000 WHERE id = %s", [filing.pk])
    with pytest.raises(IntegrityError, match="cannot truncate"):
        # The test's own transaction has foreign-key checks pending, which TRUNCATE would not wait for.
        _sql("SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE points_annualfiling")
    with pytest.raises(ProtectedError):  # and Django refuses before the database is asked
        filing.delete()
    assert AnnualFiling.objects.filter(pk=filing.pk).exists() and AnnualResult.objects.count() == 1
    # Other changes to a filing, and removing one without results, are not in the way.
    _sql("UPDATE points_annualfiling SET remarks = 'x' WHERE id = %s", [filing.pk])
    empty = AnnualFiling.objects.create(branch=cast.b3, year=YEAR, scheme={})
    _sql("DELETE FROM points_annualfiling WHERE id = %s", [empty.pk])
    assert list(AnnualFiling.objects.values_list("pk", "remarks")) == [(filing.pk, "x")]


@pytest.mark.django_db(transaction=True)
def test_a_filing_being_written_to_cannot_be_deleted_until_the_writer_ends(cast):
    """The check locks the filings it finds, as a foreign key's does: another transaction's delete waits
    for the writer, then sees its results and is refused."""
    filing = AnnualFiling.objects.create(branch=cast.b1, year=YEAR, scheme={})
    other = other_connection()
    outcome: list[str] = []
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(INSERT, [filing.pk, cast.member.member.pk])

            def delete():
                try:
                    other.execute("DELETE FROM points_annualfiling WHERE id = %s", [filing.pk])
                    other.commit()
                    outcome.append("deleted")
                except psycopg.errors.ForeignKeyViolation:
                    other.rollback()
                    outcome.append("refused")

            deleter = threading.Thread(target=delete)
            deleter.start()
            deleter.join(0.5)
            assert deleter.is_alive()  # waiting for this transaction's lock on the filing
        deleter.join(10)
        assert outcome == ["refused"]
        assert AnnualFiling.objects.filter(pk=filing.pk).exists() and AnnualResult.objects.count() == 1
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_older_than_the_results_cannot_delete_their_filing(cast):
    """A REPEATABLE READ transaction would not see results committed after it began: the triggers
    refuse it deleting a filing at all, where a foreign key would have found the results."""
    filing = AnnualFiling.objects.create(branch=cast.b1, year=YEAR, scheme={})
    deleter = other_connection()
    try:
        deleter.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        deleter.execute("SELECT count(*) FROM points_annualresult")  # its snapshot: no results yet
        _sql(INSERT, [filing.pk, cast.member.member.pk])  # committed by another transaction
        with pytest.raises(psycopg.errors.SerializationFailure, match="READ COMMITTED"):
            deleter.execute("DELETE FROM points_annualfiling WHERE id = %s", [filing.pk])
        deleter.rollback()
        assert AnnualFiling.objects.filter(pk=filing.pk).exists() and AnnualResult.objects.count() == 1
        # Under READ COMMITTED the same delete sees the results and is refused as by a foreign key.
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            deleter.execute("DELETE FROM points_annualfiling WHERE id = %s", [filing.pk])
        deleter.rollback()
    finally:
        deleter.close()
