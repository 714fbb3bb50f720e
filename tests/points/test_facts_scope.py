"""A member's own facts read only that member's rows, and are the same as the branch's facts of them."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from points.selectors.facts import branch_facts

from .workflow.conftest import YEAR, full_year_records


def test_one_members_facts_equal_the_branch_facts_of_that_member_and_read_only_their_rows(cast):
    full_year_records(cast, cast.member.member)
    full_year_records(cast, cast.committee_member.member)
    whole = branch_facts(cast.b1, YEAR)
    with CaptureQueriesContext(connection) as queries:
        alone = branch_facts(cast.b1, YEAR, members=[cast.member.member])
    assert alone == {cast.member.member.pk: whole[cast.member.member.pk]}
    record_reads = [
        q["sql"] for q in queries if '"points_attendance"' in q["sql"] or "points_duesrecord" in q["sql"]
    ]
    assert record_reads and all(f'."member_id" IN ({cast.member.member.pk})' in sql for sql in record_reads)
