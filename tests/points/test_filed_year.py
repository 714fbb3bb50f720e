"""A year gone to the higher organization is final (issue 21 §1): every write touching its facts is
refused by the one check (points/services/filed.py) with the filing named, nothing changes, and only the
higher organization's 退回 reopens it — logged in the transition chain."""

import datetime
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from members.models import Exemption, ExemptionReason, ExemptionState
from members.services import exemption_advance, exemption_apply, exemption_reject
from points.audit import verify_chain
from points.models import (
    AnnualFiling,
    Attendance,
    AttendanceStatus,
    Declaration,
    DeclarationState,
    DuesRecord,
    DuesStatus,
    EntryType,
    FilingState,
    MobileEvidence,
    Objection,
    ObjectionChannel,
    PointEntry,
    Quarter,
    QuarterState,
    Session,
    SessionKind,
    ThoughtReport,
    Transition,
)
from points.scoring import GUIDELINE_SCHEME
from points.services import records, workflow
from points.services.records import signin_slot, signin_token
from tests.factories import record_session

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = 2025
FILED_TEXT = "第一党支部2025年度积分已经上级党组织审核备案，该年度的记录已锁定，不能再修改。"
SUBMITTED_TEXT = "第一党支部2025年度积分已报上级党组织审核备案，该年度的记录已锁定，不能再修改。"


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, "PNG")
    return SimpleUploadedFile("证明.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def year(cast, clock):
    """Branch 1's 2025 as it stands once filed: four closed quarters, the records, a draft and a
    submitted declaration, an objection and an exemption left open, a ledger entry; then the filing."""
    clock.move_to("2026-03-02 10:00")
    quarters = {
        n: Quarter.objects.create(branch=cast.b1, year=YEAR, number=n, state=QuarterState.CLOSED)
        for n in (1, 2, 3, 4)
    }
    session = record_session(cast.b1, datetime.date(YEAR, 2, 10), title="2月主题党日")
    Attendance.objects.create(session=session, member=cast.member.member, status=AttendanceStatus.LATE)
    DuesRecord.objects.create(member=cast.member.member, year=YEAR, month=3, status=DuesStatus.ON_TIME)
    report = ThoughtReport.objects.create(member=cast.member.member, received_on=datetime.date(YEAR, 4, 5))
    q4 = quarters[4]
    fields = dict(
        quarter=q4,
        declarant=cast.member.member,
        subject=cast.member.member,
        entry_type=EntryType.BONUS,
        kind="public_welfare",
        value=Decimal(1),
        occurred_on=datetime.date(YEAR, 11, 3),
        description="社区志愿服务",
    )
    draft = Declaration.objects.create(**fields)
    submitted = Declaration.objects.create(**fields, state=DeclarationState.SUBMITTED)
    entry = PointEntry.objects.create(
        quarter=q4,
        member=cast.member.member,
        entry_type=EntryType.BONUS,
        kind="public_welfare",
        value=Decimal(1),
        reason="志愿服务",
        created_by=cast.secretary.user,
    )
    objection = Objection.objects.create(
        quarter=q4, member=cast.member.member, channel=ObjectionChannel.BRANCH, text="分数有误"
    )
    exemption = Exemption.objects.create(
        member=cast.recorder.member, year=YEAR, reason=ExemptionReason.AWAY, detail="外出务工"
    )
    filing = AnnualFiling.objects.create(
        branch=cast.b1, year=YEAR, scheme=GUIDELINE_SCHEME.to_dict(), state=FilingState.FILED
    )
    return dict(
        quarters=quarters,
        session=session,
        report=report,
        draft=draft,
        submitted=submitted,
        entry=entry,
        objection=objection,
        exemption=exemption,
        filing=filing,
    )


def snapshot():
    """Everything a write to the year could change."""
    return (
        sorted(Attendance.objects.values_list("pk", "status", "reason", "is_current")),
        sorted(DuesRecord.objects.values_list("pk", "month", "status", "is_current")),
        sorted(ThoughtReport.objects.values_list("pk", "received_on", "summary", "is_current")),
        MobileEvidence.objects.count(),
        sorted(Session.objects.values_list("pk", "title", "starts_at", "is_cancelled")),
        sorted(Quarter.objects.values_list("pk", "year", "number", "state")),
        sorted(Declaration.objects.values_list("pk", "state", "description", "value")),
        sorted(PointEntry.objects.values_list("pk", "value", "is_current")),
        sorted(Objection.objects.values_list("pk", "state")),
        sorted(Exemption.objects.values_list("pk", "state")),
        Transition.objects.count(),
    )


def refused(call, text=FILED_TEXT):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        call()
    assert text in " ".join(exc.value.messages)
    assert "须由上级党组织退回后办理" in " ".join(exc.value.messages)
    assert snapshot() == before


# --- each kind of record -------------------------------------------------------------------------


def test_attendance_of_a_filed_year_cannot_be_corrected(cast, year):
    entries = {cast.member.member.pk: (AttendanceStatus.ABSENT, "")}
    refused(
        lambda: records.attendance_record(
            session=year["session"], entries=entries, actor=cast.recorder.user, correction_reason="记错了"
        )
    )


def test_a_qr_sign_in_to_a_filed_year_is_refused(cast, year):
    session = year["session"]
    Attendance.objects.filter(session=session).delete()
    at = session.starts_at
    token = signin_token(session, signin_slot(at))
    refused(lambda: records.attendance_sign_in(session=session, user=cast.member.user, token=token, now=at))


def test_dues_of_a_filed_year_cannot_be_changed(cast, year):
    refused(
        lambda: records.dues_record(
            branch=cast.b1,
            year=YEAR,
            entries={(cast.member.member.pk, 3): DuesStatus.UNPAID},
            actor=cast.recorder.user,
            correction_reason="核对有误",
        )
    )


def test_a_thought_report_cannot_be_added_to_or_moved_out_of_a_filed_year(cast, year):
    refused(
        lambda: records.thought_report_add(
            member=cast.member.member,
            received_on=datetime.date(YEAR, 6, 1),
            actor=cast.recorder.user,
            correction_reason="补登",
        )
    )
    refused(
        lambda: records.thought_report_change(
            report=year["report"],
            received_on=datetime.date(2026, 1, 5),
            actor=cast.recorder.user,
            correction_reason="日期记错",
        )
    )


def test_mobile_evidence_dated_in_a_filed_year_is_refused(cast, year):
    cast.member.member.is_mobile = True
    cast.member.member.save(update_fields=["is_mobile"])
    refused(
        lambda: records.mobile_evidence_add(
            member=cast.member.member,
            activity_on=datetime.date(YEAR, 9, 1),
            description="外地支部活动",
            upload=png(),
            actor=cast.recorder.user,
        )
    )


def test_sessions_of_a_filed_year_cannot_be_added_changed_or_cancelled(cast, year):
    start = datetime.datetime(YEAR, 12, 20, 9, tzinfo=TZ)
    refused(
        lambda: records.session_create(
            branch=cast.b1,
            kind=SessionKind.ACTIVITY_DAY,
            title="补开主题党日",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            actor=cast.recorder.user,
        )
    )
    refused(lambda: records.session_update(session=year["session"], actor=cast.recorder.user, title="改名"))
    refused(lambda: records.session_cancel(session=year["session"], actor=cast.recorder.user))


def test_a_session_cannot_be_moved_into_a_filed_year(cast, year):
    start = datetime.datetime(2026, 3, 10, 9, tzinfo=TZ)
    session = record_session(cast.b1, start, title="3月主题党日", created_by=cast.recorder.user)
    back = datetime.datetime(YEAR, 12, 10, 9, tzinfo=TZ)
    refused(
        lambda: records.session_update(
            session=session,
            actor=cast.recorder.user,
            starts_at=back,
            ends_at=back + datetime.timedelta(hours=2),
        )
    )


def test_quarter_steps_of_a_filed_year_are_refused_naming_the_filing(cast, year):
    refused(lambda: workflow.quarter_open(branch=cast.b1, year=YEAR, number=4, actor=cast.secretary.user))
    q3 = year["quarters"][3]
    secretary = cast.secretary.user
    refused(lambda: workflow.quarter_start_review(quarter=q3, actor=secretary))
    refused(
        lambda: workflow.assembly_record(
            quarter=q3, actor=secretary, held_on=datetime.date(2026, 1, 5), present=[], decision="同意"
        )
    )
    refused(lambda: workflow.quarter_publish(quarter=q3, actor=secretary, start=datetime.date(2026, 1, 5)))
    refused(lambda: workflow.quarter_close(quarter=q3, actor=secretary, today=datetime.date(2026, 3, 2)))


def test_declarations_of_a_filed_year_are_refused(cast, year):
    member = cast.member.member
    details = dict(
        actor=cast.member.user,
        subject=member,
        entry_type=EntryType.BONUS,
        kind="public_welfare",
        value=1,
        occurred_on=datetime.date(YEAR, 11, 5),
        description="志愿服务",
    )
    refused(lambda: workflow.declaration_create(quarter=year["quarters"][4], **details))
    refused(lambda: workflow.declaration_update(declaration=year["draft"], **details))
    refused(lambda: workflow.declaration_submit(declaration=year["draft"], actor=cast.member.user))
    refused(lambda: workflow.declaration_withdraw(declaration=year["draft"], actor=cast.member.user))


def test_review_and_corrections_of_a_filed_year_are_refused(cast, year):
    secretary = cast.secretary.user
    refused(lambda: workflow.declaration_review(declaration=year["submitted"], actor=secretary, approve=True))
    refused(
        lambda: workflow.entry_add(
            quarter=year["quarters"][4],
            member=cast.member.member,
            actor=secretary,
            entry_type=EntryType.BONUS,
            kind="public_welfare",
            value=1,
            reason="补记",
        )
    )
    refused(lambda: workflow.entry_correct(entry=year["entry"], actor=secretary, value=2, reason="更正"))


def test_objections_to_a_filed_year_are_refused(cast, year):
    refused(
        lambda: workflow.objection_submit(
            quarter=year["quarters"][4],
            actor=cast.member.user,
            channel=ObjectionChannel.BRANCH,
            text="还有异议",
            today=datetime.date(2026, 3, 2),
        )
    )
    refused(
        lambda: workflow.objection_handle(
            objection=year["objection"],
            actor=cast.secretary.user,
            upheld=False,
            findings="经核实无误",
            feedback="维持原结果",
        )
    )


def test_exemptions_of_a_filed_year_are_refused(cast, year):
    Exemption.objects.filter(pk=year["exemption"].pk).update(state=ExemptionState.REJECTED)
    refused(
        lambda: exemption_apply(
            member=cast.recorder.member, year=YEAR, reason=ExemptionReason.AWAY, detail="外出", actor=None
        )
    )
    Exemption.objects.filter(pk=year["exemption"].pk).update(state=ExemptionState.APPLIED)
    exemption = Exemption.objects.get(pk=year["exemption"].pk)
    refused(lambda: exemption_advance(exemption=exemption, step="review", actor=cast.secretary.user))
    refused(lambda: exemption_reject(exemption=exemption, actor=cast.secretary.user, reason="不符合条件"))


def test_other_years_and_other_branches_stay_open(cast, year):
    member = cast.member.member
    report = records.thought_report_add(
        member=member, received_on=datetime.date(2026, 2, 1), actor=cast.recorder.user
    )
    assert report.pk
    other = records.thought_report_add(
        member=cast.other_member.member,
        received_on=datetime.date(YEAR, 6, 1),
        actor=cast.other_secretary.user,
    )
    assert other.pk


def test_a_submitted_year_is_locked_as_well(cast, year):
    AnnualFiling.objects.filter(pk=year["filing"].pk).update(state=FilingState.SUBMITTED)
    refused(
        lambda: records.dues_record(
            branch=cast.b1,
            year=YEAR,
            entries={(cast.member.member.pk, 3): DuesStatus.UNPAID},
            actor=cast.recorder.user,
            correction_reason="核对有误",
        ),
        text=SUBMITTED_TEXT,
    )


def test_a_history_import_into_a_filed_year_is_refused(cast, year, login):
    from tests.points.reports.test_imports import ENTRY_HEADERS, upload, xlsx

    row = [cast.member.member.code, "", "2025-05-10", "", "加分", "public_welfare", 1, "", "", "", "志愿服务"]
    before = snapshot()
    response = upload(login(cast.dept), "entries", xlsx(ENTRY_HEADERS, [row]))
    problems = [p.message for p in response.context["problems"]]
    assert any(FILED_TEXT in p for p in problems)
    assert snapshot() == before


# --- reopening -------------------------------------------------------------------------------------


def test_only_the_higher_organizations_return_reopens_the_year_and_it_is_logged(cast, year):
    filing = year["filing"]
    with pytest.raises(ValidationError, match="只有上级党组织"):
        workflow.filing_reopen(filing=filing, actor=cast.secretary.user, reason="想改")
    with pytest.raises(ValidationError, match="须写明理由"):
        workflow.filing_reopen(filing=filing, actor=cast.gb_secretary.user, reason="  ")
    assert AnnualFiling.objects.get(pk=filing.pk).state == FilingState.FILED

    workflow.filing_reopen(filing=filing, actor=cast.gb_secretary.user, reason="一季度出勤登记有误")
    filing.refresh_from_db()
    assert filing.state == FilingState.RETURNED
    log = Transition.objects.filter(subject_type="filing", subject_id=filing.pk).latest("pk")
    assert (log.from_state, log.to_state, log.actor) == ("filed", "returned", cast.gb_secretary.user)
    assert log.reason == "撤销备案，退回重新办理：一季度出勤登记有误"
    assert verify_chain(Transition).ok

    result = records.attendance_record(
        session=year["session"],
        entries={cast.member.member.pk: (AttendanceStatus.ABSENT, "")},
        actor=cast.recorder.user,
        correction_reason="记错了",
    )
    assert result.corrected == 1
    with pytest.raises(ValidationError, match="当前状态为“退回修改”"):
        workflow.filing_reopen(filing=filing, actor=cast.gb_secretary.user, reason="再退一次")


# --- pages -----------------------------------------------------------------------------------------


def test_the_attendance_page_of_a_filed_year_says_it_is_filed_and_a_post_changes_nothing(cast, year, login):
    client = login(cast.recorder)
    url = reverse("points:attendance", args=[year["session"].pk])
    page = client.get(url).content.decode()
    assert FILED_TEXT in page
    assert "已转入支委初评" not in page
    assert "保存出勤" not in page
    before = snapshot()
    response = client.post(url, {f"status-{cast.member.member.pk}": "absent", "correction_reason": "记错了"})
    assert FILED_TEXT in response.content.decode()
    assert snapshot() == before


def test_the_dues_and_calendar_pages_of_a_filed_year_offer_no_saving(cast, year, login):
    client = login(cast.recorder)
    dues = client.get(reverse("points:dues", args=[cast.b1.pk, YEAR])).content.decode()
    assert FILED_TEXT in dues
    assert "保存党费记录" not in dues
    calendar = client.get(reverse("points:sessions", args=[cast.b1.pk]) + f"?year={YEAR}").content.decode()
    assert FILED_TEXT in calendar
    assert reverse("points:session_edit", args=[year["session"].pk]) not in calendar


def test_the_annual_page_offers_the_return_to_the_higher_organization_only(cast, year, login):
    url = reverse("points:annual", args=[cast.b1.pk, YEAR])
    reopen = reverse("points:filing_reopen", args=[year["filing"].pk])
    assert reopen in login(cast.gb_secretary).get(url).content.decode()
    assert reopen not in login(cast.secretary).get(url).content.decode()


def test_the_return_through_the_page(cast, year, login):
    client = login(cast.gb_secretary)
    reopen = reverse("points:filing_reopen", args=[year["filing"].pk])
    response = client.post(reopen, {"reason": ""}, follow=True)
    assert "须写明理由" in response.content.decode()
    assert AnnualFiling.objects.get(pk=year["filing"].pk).state == FilingState.FILED
    response = client.post(reopen, {"reason": "出勤有误"}, follow=True)
    assert "已撤销备案，退回支部重新办理" in response.content.decode()
    assert AnnualFiling.objects.get(pk=year["filing"].pk).state == FilingState.RETURNED
    # The branch's secretary cannot reopen a year (403, nothing changed).
    AnnualFiling.objects.filter(pk=year["filing"].pk).update(state=FilingState.FILED)
    assert login(cast.secretary).post(reopen, {"reason": "想改"}).status_code in (403, 404)
    assert AnnualFiling.objects.get(pk=year["filing"].pk).state == FilingState.FILED


def test_the_issues_scenario_a_year_filed_through_the_workflow_stays_as_filed(cast, login, clock):
    """Issue 21 §1 as found: after 审核备案 the recorder corrected a Q1 attendance, set a month's dues to
    未交纳 and added a report with a 补登 reason. Each is now refused on its page, and nothing changes."""
    from tests.points.reports.conftest import build_year

    clock.move_to("2026-03-02 10:00")
    built = build_year(cast)
    assert built.filing.state == FilingState.FILED
    member = cast.member.member
    q1_session = Session.objects.filter(branch=cast.b1, starts_at__year=YEAR, starts_at__month=1).first()
    client = login(cast.recorder)
    before = snapshot()

    page = client.post(
        reverse("points:attendance", args=[q1_session.pk]),
        {f"status-{member.pk}": "absent", "correction_reason": "记错了"},
    )
    assert FILED_TEXT in page.content.decode()
    page = client.post(
        reverse("points:dues", args=[cast.b1.pk, YEAR]),
        {f"d-{member.pk}-2": "unpaid", "correction_reason": "核对有误"},
    )
    assert FILED_TEXT in page.content.decode()
    page = client.post(
        reverse("points:thought_reports", args=[cast.b1.pk]),
        {"member": member.pk, "received_on": "2025-06-01", "correction_reason": "补登"},
    )
    assert FILED_TEXT in page.content.decode()
    assert snapshot() == before


def test_a_roll_up_the_records_no_longer_agree_with_cannot_be_reported(cast, clock):
    """A change between the roll-up and the report would leave the filed total beside records that do
    not add up to it: the report is refused until the year is rolled up again."""
    from tests.points.reports.conftest import build_year

    clock.move_to("2026-03-02 10:00")
    filing = build_year(cast, file=False).filing
    member = cast.member.member
    session = Session.objects.filter(branch=cast.b1, starts_at__year=YEAR, starts_at__month=1).first()
    records.attendance_record(
        session=session,
        entries={member.pk: (AttendanceStatus.ABSENT, "")},
        actor=cast.recorder.user,
        correction_reason="核对签到表",
    )
    with pytest.raises(ValidationError, match=f"{member.name}的年度积分与汇总结果不一致"):
        workflow.filing_submit(filing=filing, actor=cast.secretary.user)
    assert AnnualFiling.objects.get(pk=filing.pk).state == FilingState.ROLLED_UP

    filing = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    workflow.filing_submit(filing=filing, actor=cast.secretary.user)
    assert AnnualFiling.objects.get(pk=filing.pk).state == FilingState.SUBMITTED
