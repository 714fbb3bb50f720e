"""expected_members / session_attendance / dues_for_member / branch_sessions."""

import datetime

from branches.models import Position, PositionRole
from members.models import Category, Exemption, ExemptionState
from members.services import member_transfer_out
from points.models import Audience, DuesRecord, SessionKind
from points.selectors.records import (
    branch_sessions,
    dues_for_member,
    expected_list,
    expected_members,
    session_attendance,
)
from tests.factories import make_member

from .helpers import DAY, at, lock, record


def _names(qs):
    return sorted(m.name for m in qs)


def test_it_expects_the_active_members_of_the_branch(cast, session):
    gone = make_member(cast.b1, name="已转出")
    member_transfer_out(member=gone, reason="调动")
    assert _names(expected_members(session)) == ["支委委员", "支部书记", "普通党员", "记录员"]


def test_it_expects_activists_at_lectures_but_not_at_the_assembly(cast, make_session):
    make_member(cast.b1, category=Category.ACTIVIST, name="积极分子")
    lecture = make_session(kind=SessionKind.PARTY_LECTURE, title="党课")
    assembly = make_session(kind=SessionKind.ASSEMBLY)
    work = make_session(kind=SessionKind.WORK_MEETING, title="发展党员")
    assert "积极分子" in _names(expected_members(lecture))
    assert "积极分子" not in _names(expected_members(assembly))
    assert "积极分子" not in _names(expected_members(work))


def test_it_expects_probationary_members_everywhere(cast, session):
    make_member(cast.b1, category=Category.PROBATIONARY, name="预备党员")
    assert "预备党员" in _names(expected_members(session))


def test_it_expects_the_group_for_a_group_meeting(cast, make_session):
    meeting = make_session(kind=SessionKind.GROUP_MEETING, audience=Audience.GROUP, group=cast.group1)
    assert _names(expected_members(meeting)) == ["支部书记", "普通党员", "记录员"]


def test_it_expects_the_committee_for_a_committee_meeting(cast, make_session):
    meeting = make_session(kind=SessionKind.COMMITTEE_MEETING, audience=Audience.COMMITTEE, title="支委会")
    assert _names(expected_members(meeting)) == ["支委委员", "支部书记"]


def test_it_marks_exempt_members_but_still_lists_them(cast, session):
    Exemption.objects.create(
        member=cast.member.member, year=DAY.year, reason="away", detail="外出", state=ExemptionState.APPROVED
    )
    rows = {r.member.name: r for r in session_attendance(session)}
    assert rows["普通党员"].is_exempt
    assert not rows["支部书记"].is_exempt


def test_it_marks_exempt_members_of_the_branch_and_from_elsewhere_for_the_sessions_year_only(cast, session):
    """The branch's exemptions come from one query of the branch; a member on the sheet who is now in
    another branch is looked up by id."""
    from members.models import Member

    record(session, {cast.member.member.pk: ("present", "")}, cast.recorder.user)
    Member.objects.filter(pk=cast.member.member.pk).update(branch=cast.b3)  # moved since the session
    exempt = {"state": ExemptionState.APPROVED, "reason": "away", "detail": "外出"}
    Exemption.objects.create(member=cast.member.member, year=DAY.year, **exempt)
    Exemption.objects.create(member=cast.secretary.member, year=DAY.year - 1, **exempt)  # another year
    Exemption.objects.create(
        member=cast.recorder.member, year=DAY.year, **{**exempt, "state": ExemptionState.APPLIED}
    )
    Exemption.objects.create(member=cast.other_member.member, year=DAY.year, **exempt)  # not on the sheet
    rows = {r.member.name: r for r in session_attendance(session)}
    assert rows["普通党员"].is_exempt and not rows["普通党员"].is_expected
    assert not rows["支部书记"].is_exempt and not rows["记录员"].is_exempt
    assert "外支部党员" not in rows


def test_it_shows_the_original_beside_the_correction(cast, session):
    record(session, {cast.member.member.pk: ("present", "")}, cast.recorder.user)
    lock(cast.b1, DAY)
    record(
        session, {cast.member.member.pk: ("absent", "")}, cast.secretary.user, correction_reason="核实未到"
    )
    record(
        session, {cast.member.member.pk: ("excused", "补假")}, cast.secretary.user, correction_reason="补假条"
    )
    row = next(r for r in session_attendance(session) if r.member == cast.member.member)
    assert row.current.status == "excused"
    assert [h.status for h in row.history] == ["present", "absent"]
    assert row.original.status == "present"


def test_it_keeps_rows_of_members_who_left(cast, session):
    record(session, {cast.member.member.pk: ("present", "")}, cast.recorder.user)
    member_transfer_out(member=cast.member.member, reason="调动")
    rows = {r.member.name: r for r in session_attendance(session)}
    assert not rows["普通党员"].is_expected
    assert rows["普通党员"].current.status == "present"


def test_it_lists_a_members_twelve_months_of_dues(cast):
    DuesRecord.objects.create(member=cast.member.member, year=2025, month=2, status="on_time")
    cells = dues_for_member(cast.member.member, 2025)
    assert [c.month for c in cells] == list(range(1, 13))
    assert cells[1].status == "on_time" and cells[0].current is None


def test_it_counts_recorded_attendance_per_session(cast, make_session):
    first = make_session()
    make_session(starts_at=at(datetime.date(2024, 12, 1), 9), title="去年")
    record(first, {cast.member.member.pk: ("present", "")}, cast.recorder.user)
    sessions = list(branch_sessions(cast.b1, 2025))
    assert [(s.title, s.recorded_count) for s in sessions] == [("三月支部党员大会", 1)]


def test_the_list_shares_the_session_branch_and_reads_another_members_branch_once(
    cast, make_session, django_assert_num_queries
):
    """A committee member whose own branch is elsewhere (posted from b2) is expected at b1's 支委会 and
    keeps their own branch; everyone else holds the session's branch object itself."""
    outsider = make_member(cast.b2, name="外支部委员")
    Position.objects.create(
        member=outsider, organization=cast.b1, role=PositionRole.COMMITTEE_MEMBER, start_date=DAY
    )
    meeting = make_session(kind=SessionKind.COMMITTEE_MEETING, audience=Audience.COMMITTEE, title="支委会")
    meeting = type(meeting).objects.select_related("branch").get(pk=meeting.pk)
    with django_assert_num_queries(2):  # the members, then the one other branch
        members = expected_list(meeting)
    with django_assert_num_queries(0):
        branches = {m.name: m.branch for m in members}
    assert branches["外支部委员"] == cast.b2
    assert all(b is meeting.branch for name, b in branches.items() if name != "外支部委员")
    assert sorted(branches) == sorted(m.name for m in expected_members(meeting))
