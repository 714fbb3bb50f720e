"""The worker's score cache (points.selectors.cached): a write of any kind, by any path, shows at once.

The versions are bumped by database triggers, so these tests write the way services do not, too: bulk
updates, raw queryset updates and deletes.
"""

import datetime
import zoneinfo
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import Exemption, ExemptionState, Member
from points.models import (
    Attendance,
    AttendanceStatus,
    DuesRecord,
    EntryType,
    PointEntry,
    Quarter,
    SchemeConfig,
    Session,
    ThoughtReport,
)
from points.scoring import GUIDELINE_SCHEME
from points.selectors import cached
from tests.factories import make_member, record_session

from .workflow.conftest import YEAR
from .workflow.test_views_matrix import advance, deduct, open_quarter

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def _bumps(branch, write) -> bool:
    before = cached.branch_version(branch.pk)
    write()
    return cached.branch_version(branch.pk) != before


def test_it_bumps_the_version_on_every_kind_of_write(cast):
    b1, member = cast.b1, cast.member.member
    session = record_session(b1, datetime.date(YEAR, 2, 1))
    assert _bumps(b1, lambda: Attendance.objects.create(session=session, member=member, status="present"))
    assert _bumps(b1, lambda: Attendance.objects.filter(member=member).update(status=AttendanceStatus.ABSENT))
    assert _bumps(b1, lambda: Attendance.objects.filter(member=member).delete())
    assert _bumps(
        b1, lambda: DuesRecord.objects.create(member=member, year=YEAR, month=1, status="on_time", amount=1)
    )
    assert _bumps(b1, lambda: Session.objects.filter(pk=session.pk).update(is_cancelled=True))
    assert _bumps(b1, lambda: Member.objects.filter(pk=member.pk).update(is_mobile=True))
    assert _bumps(
        b1,
        lambda: Exemption.objects.create(
            member=member, year=YEAR, reason="长期病休", state=ExemptionState.APPROVED
        ),
    )
    q = open_quarter(cast)
    assert _bumps(b1, lambda: deduct(cast, advance(cast, q, "in_review")))
    assert _bumps(b1, lambda: PointEntry.objects.filter(member=member).update(is_current=False))
    # Schemes and the organization tree concern every branch.
    assert _bumps(
        cast.b3,
        lambda: SchemeConfig.objects.create(
            organization=cast.committee, applies_from=YEAR, title="细则", data=GUIDELINE_SCHEME.to_dict()
        ),
    )
    assert _bumps(cast.b3, lambda: type(cast.b1).objects.filter(pk=cast.b1.pk).update(name="改名党支部"))


def test_it_bumps_both_branches_when_a_member_moves(cast):
    member = cast.member.member
    before = cached.branch_version(cast.b1.pk), cached.branch_version(cast.b3.pk)
    Member.objects.filter(pk=member.pk).update(branch=cast.b3)
    assert cached.branch_version(cast.b1.pk) != before[0]
    assert cached.branch_version(cast.b3.pk) != before[1]


def test_it_leaves_other_branches_cached(cast):
    session = record_session(cast.b1, datetime.date(YEAR, 2, 1))
    assert not _bumps(
        cast.b3,
        lambda: Attendance.objects.create(session=session, member=cast.member.member, status="present"),
    )


def test_the_review_pages_show_a_new_entry_at_once(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    client = login(cast.committee_member)
    member_url = reverse("points:review_member", args=[q.pk, cast.member.member.pk])
    list_url = reverse("points:review", args=[q.pk])
    before = client.get(member_url).context["score"].total
    client.get(list_url)
    deduct(cast, q, value=8)
    assert client.get(member_url).context["score"].total == before - Decimal(8)
    rows = {row.member.pk: row for row in client.get(list_url).context["rows"]}
    assert rows[cast.member.member.pk].score.total == before - Decimal(8)


def test_the_review_page_of_a_member_scores_again_after_a_bulk_update(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    session = record_session(cast.b1, datetime.date(YEAR, 2, 1), kind="party_lecture")
    Attendance.objects.create(session=session, member=cast.member.member, status="present")
    client = login(cast.committee_member)
    url = reverse("points:review_member", args=[q.pk, cast.member.member.pk])
    attended = client.get(url).context["facts"].attendance["org_life"].attended
    Attendance.objects.filter(session=session).update(status=AttendanceStatus.ABSENT)  # no save(), no signal
    assert client.get(url).context["facts"].attendance["org_life"].attended == attended - 1


def test_the_home_page_warning_follows_a_new_attendance(client, cast):
    today = timezone.localdate()
    session = record_session(cast.b1, today - datetime.timedelta(days=20))
    for person in (cast.secretary, cast.recorder, cast.committee_member):
        Attendance.objects.create(session=session, member=person.member, status="present")
    client.force_login(cast.secretary.user)

    def warned():
        titles = [item.title for item in client.get(reverse("home")).context["items"]]
        return any("未参加组织生活" in t and "普通党员" in t for t in titles)

    assert warned()
    assert warned()  # from the cache
    Attendance.objects.create(session=session, member=cast.member.member, status="present")
    assert not warned()


def test_the_home_page_scores_the_branch_once_until_it_changes(clock, client, cast):
    clock.move_to("2026-05-20 10:00", tick=True)  # a day with open quarters to warn about
    for _ in range(10):
        make_member(cast.b1)
    client.force_login(cast.recorder.user)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("home"))
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("home"))
    # The warnings (three lists and the branch's facts pass) are not run again: one version read instead.
    assert len(again.captured_queries) <= len(first.captured_queries) - 5
    Member.objects.filter(pk=cast.member.member.pk).update(is_mobile=True)  # the roster: everything again
    with CaptureQueriesContext(connection) as after_write:
        client.get(reverse("home"))
    # All of it but the branch's own row: the warning lists' SQL is kept for the day.
    assert len(after_write.captured_queries) == len(first.captured_queries) - 1


def test_the_warning_lists_are_compiled_once_a_day_and_again_when_the_tree_changes(cast, monkeypatch):
    from points.reports import dashboard

    built = []

    def counting(query):
        return lambda branch, today: built.append(branch.path) or query(branch, today)

    warnings = {key: (label, counting(query)) for key, (label, query) in dashboard.WARNINGS.items()}
    monkeypatch.setattr(dashboard, "WARNINGS", warnings)
    today = datetime.date(YEAR, 11, 25)
    member = cast.member.member
    assert any(member.name in names for _label, names in cached.branch_warnings(cast.b1.pk, today).lists)
    assert len(built) == len(warnings)

    session = record_session(cast.b1, datetime.date(YEAR, 11, 20))
    Attendance.objects.create(session=session, member=member, status="present")
    Member.objects.filter(pk=member.pk).update(is_mobile=False)
    lists = cached.branch_warnings(cast.b1.pk, today).lists
    assert not any(member.name in names for label, names in lists if "组织生活" in label)  # run again
    assert len(built) == len(warnings)  # with the SQL compiled before

    cached.branch_warnings(cast.b1.pk, today + datetime.timedelta(days=1))  # another day: new dates
    assert len(built) == 2 * len(warnings)
    type(cast.b1).objects.filter(pk=cast.b1.pk).update(name="改名党支部")  # the tree: paths may differ
    cached.branch_warnings(cast.b1.pk, today)
    assert len(built) == 3 * len(warnings)


def test_a_write_in_the_current_quarter_leaves_the_complete_quarters_scores_cached(cast):
    """The recorder's usual day: today's attendance changes the warnings' lists, which are made again,
    but not the scores of quarters 1..3, which the low-score warning and the review pages keep."""
    today = datetime.date(YEAR, 11, 25)
    b1, member = cast.b1, cast.member.member
    warnings = cached.branch_warnings(b1.pk, today)
    assert any("组织生活" in label and member.name in names for label, names in warnings.lists)
    board = cached.branch_board(b1, YEAR, 3)

    session = record_session(b1, datetime.date(YEAR, 11, 20))
    with CaptureQueriesContext(connection) as write:
        Attendance.objects.create(session=session, member=member, status="present")
    assert cached.branch_board(b1, YEAR, 3) is board
    with CaptureQueriesContext(connection) as again:
        warnings = cached.branch_warnings(b1.pk, today)
    assert not any(member.name in names for label, names in warnings.lists if "组织生活" in label)
    # The lists and the versions were read again; no facts pass (members, tallies, records, entries).
    assert not [q for q in again.captured_queries if "points_pointentry" in q["sql"]], write

    september = record_session(b1, datetime.date(YEAR, 9, 20))
    Attendance.objects.create(session=september, member=member, status="present")
    rescored = cached.branch_board(b1, YEAR, 3)
    assert rescored is not board
    assert rescored.facts[member.pk].attendance["org_life"].attended == (
        board.facts[member.pk].attendance["org_life"].attended + 1
    )


def _changes(branch, upto: int, write) -> bool:
    before = cached.scores_version(branch.pk, YEAR, upto)
    write()
    return cached.scores_version(branch.pk, YEAR, upto) != before


def test_each_write_changes_the_scores_of_the_quarters_it_is_dated_in_only(cast):
    b1, member = cast.b1, cast.member.member
    q1, q2 = (Quarter.objects.create(branch=b1, year=YEAR, number=n) for n in (1, 2))

    def entry(quarter):
        return lambda: PointEntry.objects.create(
            quarter=quarter,
            member=member,
            entry_type=EntryType.DEDUCTION,
            kind="discipline",
            value=5,
            reason="x",
        )

    may = record_session(b1, datetime.date(YEAR, 5, 12))
    writes_in_q2 = [
        lambda: Attendance.objects.create(session=may, member=member, status="present"),
        lambda: Attendance.objects.filter(session=may).update(status=AttendanceStatus.ABSENT),
        lambda: Session.objects.filter(pk=may.pk).update(is_cancelled=True),
        lambda: DuesRecord.objects.create(member=member, year=YEAR, month=4, status="on_time", amount=1),
        lambda: ThoughtReport.objects.create(
            member=member, received_on=datetime.date(YEAR, 6, 30), summary="x"
        ),
        entry(q2),
        lambda: Attendance.objects.filter(session=may).delete(),
    ]
    for write in writes_in_q2:
        assert not _changes(b1, 1, write)
    for write in (
        lambda: DuesRecord.objects.create(member=member, year=YEAR, month=6, status="on_time", amount=1),
        entry(q2),
        lambda: Session.objects.filter(pk=may.pk).update(is_cancelled=False),
    ):
        assert _changes(b1, 2, write)
    for write in (
        lambda: DuesRecord.objects.create(member=member, year=YEAR, month=3, status="on_time", amount=1),
        lambda: ThoughtReport.objects.create(
            member=member, received_on=datetime.date(YEAR, 1, 1), summary="x"
        ),
        entry(q1),
        # A session moved from May into March changes both quarters' scores.
        lambda: Session.objects.filter(pk=may.pk).update(
            starts_at=datetime.datetime(YEAR, 3, 3, 9, tzinfo=TZ)
        ),
        lambda: Exemption.objects.create(
            member=member, year=YEAR, reason="长期病休", state=ExemptionState.APPROVED
        ),
        lambda: Member.objects.filter(pk=member.pk).update(is_mobile=True),
    ):
        assert _changes(b1, 1, write)
    # Another year's exemption, and another branch's records, leave them as they were.
    assert not _changes(
        b1,
        4,
        lambda: Exemption.objects.create(
            member=member, year=YEAR + 1, reason="长期病休", state=ExemptionState.APPROVED
        ),
    )
    assert not _changes(cast.b3, 4, entry(q1))


def test_a_change_of_a_session_counts_in_the_branch_of_a_member_who_moved_since(cast):
    """Records follow a member to another branch: the session they attended in their old branch, when
    cancelled, changes their new branch's scores and warnings too."""
    member = cast.member.member
    session = record_session(cast.b1, datetime.date(YEAR, 2, 10), kind="party_lecture")
    Attendance.objects.create(session=session, member=member, status="present")
    Member.objects.filter(pk=member.pk).update(branch=cast.b3)
    board = cached.branch_board(cast.b3, YEAR, 1)
    assert board.facts[member.pk].attendance["org_life"].attended == 1
    before = cached.branch_version(cast.b3.pk), cached.scores_version(cast.b3.pk, YEAR, 1)
    Session.objects.filter(pk=session.pk).update(is_cancelled=True)
    assert cached.branch_version(cast.b3.pk) != before[0]
    assert cached.scores_version(cast.b3.pk, YEAR, 1) != before[1]
    assert cached.branch_board(cast.b3, YEAR, 1).facts[member.pk].attendance["org_life"].attended == 0


def test_a_session_late_on_a_months_last_day_counts_in_that_month(cast):
    """Beijing's 23:30 on 31 March is 15:30 UTC: the database does not know the site's time zone, and
    bumps every month the moment may fall in anywhere."""
    member = cast.member.member
    late = datetime.datetime(YEAR, 3, 31, 23, 30, tzinfo=TZ)
    before = cached.scores_version(cast.b1.pk, YEAR, 1)
    session = record_session(cast.b1, late, kind="party_lecture")
    assert cached.scores_version(cast.b1.pk, YEAR, 1) != before
    board = cached.branch_board(cast.b1, YEAR, 1)
    Attendance.objects.create(session=session, member=member, status="present")
    assert cached.branch_board(cast.b1, YEAR, 1).facts[member.pk].attendance["org_life"].attended == (
        board.facts[member.pk].attendance["org_life"].attended + 1
    )
    # Early on 1 April (Beijing) is still 31 March in UTC: the second quarter is bumped too.
    before = cached.scores_version(cast.b1.pk, YEAR, 2)
    record_session(cast.b1, datetime.datetime(YEAR, 4, 1, 0, 30, tzinfo=TZ))
    assert cached.scores_version(cast.b1.pk, YEAR, 2) != before


def test_a_members_year_page_shows_the_new_score_after_a_write(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    client = login(cast.secretary)
    url = reverse("points:member_year", args=[cast.member.member.pk, YEAR])
    before = client.get(url).context["data"].score.total
    deduct(cast, q, value=6)
    assert client.get(url).context["data"].score.total == before - Decimal(6)


def test_a_new_scheme_is_used_at_once(cast):
    import dataclasses

    first = cached.scheme_for(cast.b1, YEAR)
    assert cached.scheme_for(cast.b1, YEAR) is first  # kept
    stricter = dataclasses.replace(
        GUIDELINE_SCHEME, thresholds=dataclasses.replace(GUIDELINE_SCHEME.thresholds, low_below=75)
    )
    SchemeConfig.objects.create(
        organization=cast.committee, applies_from=YEAR, title="细则", data=stricter.to_dict()
    )
    assert cached.scheme_for(cast.b1, YEAR).thresholds.low_below == 75


def test_the_year_page_takes_the_review_board_and_drops_it_after_a_write(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    client = login(cast.secretary)
    review = reverse("points:review_member", args=[q.pk, cast.member.member.pk])
    year = reverse("points:member_year", args=[cast.member.member.pk, YEAR])
    client.get(review)  # scores the whole branch for quarters 1..1
    full_year = client.get(year).context["data"]  # the secretary sees quarters 1..4: scored alone
    assert full_year.upto == 4
    deduct(cast, q, value=6)
    assert client.get(year).context["data"].score.total == full_year.score.total - Decimal(6)
    assert client.get(review).context["score"].total == full_year.score.total - Decimal(6)


def test_it_keeps_at_most_max_entries_least_recently_used_out_first(monkeypatch):
    monkeypatch.setattr(cached, "MAX_ENTRIES", 2)
    calls = []

    def value(key):
        return cached._cached(key, lambda: calls.append(key) or key)

    value("a"), value("b"), value("a"), value("c")  # "b" is the least recently used
    value("a"), value("c"), value("b")
    assert calls == ["a", "b", "c", "b"]


def test_a_rolled_back_write_leaves_the_score_right_and_its_version_is_never_reused(cast, login):
    """A page computed inside a transaction that then rolls back was cached under that transaction's
    version: after the rollback the page shows the committed score, and the next committed write must
    not get the same version (SQLite would rewind a counter)."""
    from django.db import transaction

    q = advance(cast, open_quarter(cast), "in_review")
    client = login(cast.committee_member)
    url = reverse("points:review_member", args=[q.pk, cast.member.member.pk])
    before = client.get(url).context["score"].total
    try:
        with transaction.atomic():
            deduct(cast, q, value=8)
            assert client.get(url).context["score"].total == before - 8  # cached under the bumped version
            raise RuntimeError
    except RuntimeError:
        pass
    assert client.get(url).context["score"].total == before  # the rolled-back write is gone
    deduct(cast, q, value=5)
    assert client.get(url).context["score"].total == before - 5


def test_a_member_the_engine_refuses_does_not_take_the_branch_board_down(cast):
    from points.models import EntryType
    from points.scoring import MemberScore, ScoringError

    q = open_quarter(cast)
    PointEntry.objects.create(  # above the item's cap: the engine refuses this member's facts
        quarter=q,
        member=cast.member.member,
        entry_type=EntryType.JUDGMENT,
        kind="discipline",
        value=99,
        reason="x",
    )
    board = cached.branch_board(cast.b1, YEAR, 1)
    assert isinstance(board.outcomes[cast.member.member.pk], ScoringError)
    assert isinstance(board.outcomes[cast.committee_member.member.pk], MemberScore)
