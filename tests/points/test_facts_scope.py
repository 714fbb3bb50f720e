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


def test_members_with_the_same_counts_share_their_facts_and_a_judgment_stays_its_members(cast):
    from points.models import EntryType, PointEntry
    from points.services import workflow

    full_year_records(cast, cast.member.member)
    full_year_records(cast, cast.committee_member.member)
    quarter = workflow.quarter_open(branch=cast.b1, year=YEAR, number=1, actor=cast.secretary.user)
    PointEntry.objects.create(
        quarter=quarter,
        member=cast.member.member,
        entry_type=EntryType.JUDGMENT,
        kind="exemplary_role",
        value=6,
        reason="带头作用不够",
        created_by=cast.secretary.user,
    )
    facts = branch_facts(cast.b1, YEAR)
    a, b = facts[cast.member.member.pk], facts[cast.committee_member.member.pk]
    # Read-only objects shared, not copies: a committee has a few hundred distinct ones, not ten thousand.
    assert a.attendance is b.attendance and a.dues is b.dues
    # The judgment entered for one member is theirs alone; the others keep the default full marks.
    assert a.judgments["exemplary_role"].value == 6
    assert b.judgments["exemplary_role"].value != 6
    assert b.judgments is facts[cast.recorder.member.pk].judgments
