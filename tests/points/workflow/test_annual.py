import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from points.models import (
    AnnualFiling,
    AnnualResult,
    Attendance,
    AttendanceStatus,
    EntryType,
    FilingState,
    SessionKind,
)
from points.models.workflow import stored_line
from points.scoring import Line
from points.services import workflow
from tests.factories import record_session

from .conftest import TZ, YEAR, full_year_records, run_quarter


def _year(cast, decide_q4=None):
    for n in (1, 2, 3, 4):
        q = workflow.quarter_open(branch=cast.b1, year=YEAR, number=n, actor=cast.secretary.user)
        run_quarter(cast, q, decide=decide_q4 if n == 4 else None)


def test_it_refuses_a_roll_up_before_four_quarters_close(cast):
    q = workflow.quarter_open(branch=cast.b1, year=YEAR, number=1, actor=cast.secretary.user)
    run_quarter(cast, q)
    with pytest.raises(ValidationError, match="3 个季度"):
        workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    assert not AnnualResult.objects.exists()


def test_it_rolls_up_ranks_and_files_a_year(cast):
    full_year_records(cast, cast.member.member)

    def deduct(quarter):
        workflow.entry_add(
            quarter=quarter,
            member=cast.member.member,
            actor=cast.secretary.user,
            entry_type=EntryType.BONUS,
            kind="commendation",
            value=None,
            level="city",
            content_key="优秀共产党员",
            reason="市级表彰",
        )

    _year(cast, decide_q4=deduct)
    filing = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    result = AnnualResult.objects.get(filing=filing, member=cast.member.member)
    assert result.total == Decimal(103)
    assert result.rank == 1
    assert "priority_recommendation" in result.results
    assert any(line[1] == "study" and "32" in line[5] for line in result.lines)

    workflow.filing_submit(filing=filing, actor=cast.secretary.user)
    with pytest.raises(ValidationError, match="上级党组织"):
        workflow.filing_review(filing=filing, actor=cast.secretary.user, approve=True)
    workflow.filing_review(filing=filing, actor=cast.gb_secretary.user, approve=True)
    filing.refresh_from_db()
    assert filing.state == FilingState.FILED
    with pytest.raises(ValidationError, match="已审核备案"):
        workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    assert AnnualResult.objects.get(filing=filing, member=cast.member.member).total == Decimal(103)


def test_it_returns_a_filing_only_with_remarks(cast):
    _year(cast)
    filing = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    workflow.filing_submit(filing=filing, actor=cast.secretary.user)
    with pytest.raises(ValidationError, match="审核意见"):
        workflow.filing_review(filing=filing, actor=cast.dept.user, approve=False)
    workflow.filing_review(filing=filing, actor=cast.dept.user, approve=False, remarks="请补充第三季度记录")
    filing.refresh_from_db()
    assert filing.state == FilingState.RETURNED
    workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    filing.refresh_from_db()
    assert filing.state == FilingState.ROLLED_UP


def test_it_leaves_exempt_members_unscored(cast):
    from members.models import Exemption, ExemptionState

    Exemption.objects.create(
        member=cast.member.member, year=YEAR, reason="away", detail="外出", state=ExemptionState.APPROVED
    )
    _year(cast)
    filing = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    result = AnnualResult.objects.get(filing=filing, member=cast.member.member)
    assert result.exempt and result.total is None and result.rank is None


def _close_year(cast, branch, secretary):
    for n in (1, 2, 3, 4):
        q = workflow.quarter_open(branch=branch, year=YEAR, number=n, actor=secretary)
        workflow.quarter_start_review(quarter=q, actor=secretary)
        workflow.assembly_record(
            quarter=q,
            actor=secretary,
            held_on=datetime.date(2026, 1, 5),
            present=workflow.voting_members(branch),
            decision="同意",
        )
        workflow.quarter_publish(quarter=q, actor=secretary, start=datetime.date(2026, 1, 5))
        q.refresh_from_db()
        workflow.quarter_close(quarter=q, actor=secretary, today=datetime.date(2026, 2, 1))


def test_it_lets_the_department_roll_up_many_branches_at_once(cast):
    _year(cast)
    _close_year(cast, cast.b3, cast.other_secretary.user)
    filings = workflow.annual_roll_up_many(branches=[cast.b1, cast.b3], year=YEAR, actor=cast.dept.user)
    assert [f.branch for f in filings] == [cast.b1, cast.b3]
    assert AnnualResult.objects.filter(filing__branch=cast.b3).count() == 2
    assert AnnualResult.objects.filter(filing__branch=cast.b1).count() == 4


def test_it_writes_nothing_when_one_branch_is_not_ready(cast):
    _year(cast)
    with pytest.raises(ValidationError, match="第三党支部.*4 个季度"):
        workflow.annual_roll_up_many(branches=[cast.b1, cast.b3], year=YEAR, actor=cast.dept.user)
    assert not AnnualResult.objects.exists()


def test_it_refuses_a_branch_secretary_rolling_up_another_branch(cast):
    _year(cast)
    with pytest.raises(ValidationError, match="无权"):
        workflow.annual_roll_up_many(branches=[cast.b1], year=YEAR, actor=cast.other_secretary.user)
    assert not AnnualResult.objects.exists()


def _engine_lines(monkeypatch) -> dict:
    """member_id -> the stored form of the lines the engine gave the roll-up for that member."""
    from points.services.workflow import annual

    seen = {}
    real = annual.assess_branch

    def spy(*args, **kwargs):
        assessed = real(*args, **kwargs)
        for r in assessed:
            seen[r.member_id] = [stored_line(line) for line in (*r.score.lines, *r.lines)]
        return assessed

    monkeypatch.setattr(annual, "assess_branch", spy)
    return seen


def _check_lines(filing, engine: dict) -> list[AnnualResult]:
    """Each result keeps the lines the engine gave it, in order."""
    results = list(AnnualResult.objects.filter(filing=filing))
    for r in results:
        assert r.lines == engine[r.member_id]
    return results


def test_every_result_keeps_the_engines_lines_in_every_filing_also_when_rolled_up_again(cast, monkeypatch):
    full_year_records(cast, cast.member.member)
    _year(cast)
    _close_year(cast, cast.b3, cast.other_secretary.user)
    engine = _engine_lines(monkeypatch)
    b1, b3 = workflow.annual_roll_up_many(branches=[cast.b1, cast.b3], year=YEAR, actor=cast.dept.user)
    results = _check_lines(b1, engine) + _check_lines(b3, engine)
    assert all(r.lines for r in results)

    # Rolled up again, nothing changed: the same lines.
    workflow.annual_roll_up_many(branches=[cast.b1, cast.b3], year=YEAR, actor=cast.dept.user)
    _check_lines(b1, engine)
    _check_lines(b3, engine)


def test_a_result_reads_its_lines_with_its_row(cast, django_assert_num_queries):
    full_year_records(cast, cast.member.member)
    _year(cast)
    filing = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    with django_assert_num_queries(1):
        result = AnnualResult.objects.get(filing=filing, member=cast.member.member)
        assert any(line[5].startswith("全年集中学习 32 学时") for line in result.lines)
        assert result.lines[0][0] == "base"
    with django_assert_num_queries(1):
        assert all(r.lines for r in AnnualResult.objects.filter(filing=filing))


def test_a_results_lines_are_sent_to_the_database_with_chinese_as_it_is(cast):
    """Not as \\uXXXX escapes (PlainTextJSONEncoder): the driver quotes every backslash of them."""
    full_year_records(cast, cast.member.member)
    _year(cast)
    filing = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    result = AnnualResult.objects.get(filing=filing, member=cast.member.member)
    sent = AnnualResult._meta.get_field("lines").get_db_prep_save(result.lines, connection)
    text = getattr(sent, "obj", sent) if connection.vendor != "postgresql" else sent.dumps(sent.obj)
    assert "全年集中学习" in text and "\\u" not in text


def test_it_shows_the_new_lines_when_rolled_up_again(cast, monkeypatch):
    full_year_records(cast, cast.member.member)
    _year(cast)
    filing = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    mine = AnnualResult.objects.get(filing=filing, member=cast.member.member)
    (studied,) = [line for line in mine.lines if line[5].startswith("全年集中学习 32 学时")]

    session = record_session(
        cast.b1, datetime.datetime(YEAR, 12, 20, 14, tzinfo=TZ), hours_long=8, kind=SessionKind.STUDY, hours=8
    )
    Attendance.objects.create(session=session, member=cast.member.member, status=AttendanceStatus.PRESENT)
    engine = _engine_lines(monkeypatch)
    again = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    assert again.pk == filing.pk

    _check_lines(again, engine)
    mine = AnnualResult.objects.get(filing=filing, member=cast.member.member)
    assert studied not in mine.lines
    assert any(line[5].startswith("全年集中学习 40 学时") for line in mine.lines)


def test_a_stored_line_keeps_the_points_as_the_engine_printed_them():
    twelve = Line("base", "discipline", "三(一)7", "遵守纪律", Decimal(12), "满分")
    assert stored_line(twelve) == ["base", "discipline", "三(一)7", "遵守纪律", "12", "满分"]
    assert stored_line(twelve._replace(points=Decimal("12.0")))[4] == "12.0"
    assert stored_line(twelve._replace(points=None))[4] is None


def test_a_branch_the_engine_refuses_undoes_the_whole_roll_up(cast):
    from members.models import Member
    from points.models import AnnualFiling, Transition

    full_year_records(cast, cast.member.member)
    _year(cast)
    _close_year(cast, cast.b3, cast.other_secretary.user)
    Member.objects.filter(pk=cast.other_member.member.pk).update(category="bogus")  # b3's member
    transitions = Transition.objects.count()
    with pytest.raises(ValidationError, match="第三党支部积分计算有误"):
        workflow.annual_roll_up_many(branches=[cast.b1, cast.b3], year=YEAR, actor=cast.dept.user)
    assert not AnnualFiling.objects.exists() and not AnnualResult.objects.exists()
    assert Transition.objects.count() == transitions


def test_each_filing_keeps_the_scheme_its_branch_was_rolled_up_with_also_when_rolled_up_again(cast):
    from points.models import AnnualFiling
    from points.scoring import GUIDELINE_SCHEME
    from points.services.schemes import scheme_config_save

    own = GUIDELINE_SCHEME.derive(
        {"base_items": [{"code": "study", "params": {"target_hours": 40}}]}
    ).to_dict()
    scheme_config_save(organization=cast.b1, applies_from=YEAR, title="支部细则", data=own)
    full_year_records(cast, cast.member.member)
    _year(cast)
    _close_year(cast, cast.b3, cast.other_secretary.user)
    for _ in range(2):  # created, then re-rolled (one UPDATE per distinct scheme)
        workflow.annual_roll_up_many(branches=[cast.b1, cast.b3], year=YEAR, actor=cast.dept.user)
        schemes = dict(AnnualFiling.objects.values_list("branch_id", "scheme"))
        assert schemes == {cast.b1.pk: own, cast.b3.pk: GUIDELINE_SCHEME.to_dict()}
        mine = AnnualResult.objects.get(member=cast.member.member)
        assert any("32 学时" in line[5] and "40" in line[5] for line in mine.lines)  # short of 40


def test_a_filing_rolled_up_again_under_new_rules_stores_them_and_rewrites_no_other(
    cast, django_assert_num_queries
):
    from points.models import AnnualFiling
    from points.scoring import GUIDELINE_SCHEME
    from points.services.schemes import scheme_config_save

    _year(cast)
    _close_year(cast, cast.b3, cast.other_secretary.user)
    workflow.annual_roll_up_many(branches=[cast.b1, cast.b3], year=YEAR, actor=cast.dept.user)
    own = GUIDELINE_SCHEME.derive(
        {"base_items": [{"code": "study", "params": {"target_hours": 40}}]}
    ).to_dict()
    scheme_config_save(organization=cast.b1, applies_from=YEAR, title="支部细则", data=own)
    updated = []

    def spy(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('UPDATE "points_annualfiling"'):
            updated.append(context["cursor"].rowcount)
        return result

    with connection.execute_wrapper(spy):
        b1, b3 = workflow.annual_roll_up_many(branches=[cast.b1, cast.b3], year=YEAR, actor=cast.dept.user)
    assert sorted(updated) == [0, 1]  # b3's filing already held its rules and state
    with django_assert_num_queries(0):  # the filings handed back hold the rules they were rolled up with
        assert (b1.scheme, b3.scheme) == (own, GUIDELINE_SCHEME.to_dict())
    schemes = dict(AnnualFiling.objects.values_list("branch_id", "scheme"))
    assert schemes == {cast.b1.pk: own, cast.b3.pk: GUIDELINE_SCHEME.to_dict()}


def test_a_refused_branch_undoes_the_whole_roll_up(cast):
    from members.models import Member

    _year(cast)
    _close_year(cast, cast.b3, cast.other_secretary.user)
    Member.objects.filter(pk=cast.other_member.member.pk).update(category="bogus")  # b3's member
    with pytest.raises(ValidationError, match="第三党支部积分计算有误"):
        workflow.annual_roll_up_many(branches=[cast.b1, cast.b3], year=YEAR, actor=cast.dept.user)
    assert not AnnualResult.objects.exists()


def test_results_are_found_by_filing_through_their_unique_index_alone(db):
    """The unique index on (filing, member) serves lookups by filing: no second index to write."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, AnnualResult._meta.db_table)
    indexed = [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]
    assert ["filing_id", "member_id"] in indexed and ["member_id"] in indexed
    assert ["filing_id"] not in indexed


def test_a_result_of_a_filing_or_member_that_does_not_exist_is_refused(cast):
    """Both are real foreign keys (migration points/0014 put the filing's back)."""
    from django.db import IntegrityError, transaction

    filing = AnnualFiling.objects.create(branch=cast.b1, year=YEAR, scheme={})
    for bad in (dict(filing_id=10**9, member=cast.member.member), dict(filing=filing, member_id=10**9)):
        with pytest.raises(IntegrityError), transaction.atomic():
            AnnualResult.objects.create(category="full", **bad)
            connection.check_constraints()  # SQLite and PostgreSQL defer the check to COMMIT
    assert not AnnualResult.objects.exists()


def test_it_stores_text_with_backslashes_tabs_and_line_breaks_as_given(cast):
    filing = AnnualFiling.objects.create(branch=cast.b1, year=YEAR, scheme={})
    odd = "a\\b\tc\nd\re\\N"
    items = {"x\\y": "1\t2"}
    AnnualResult.objects.create(filing=filing, member=cast.member.member, category=odd, base_items=items)
    stored = AnnualResult.objects.get(filing=filing)
    assert (stored.category, stored.base_items) == (odd, items)
