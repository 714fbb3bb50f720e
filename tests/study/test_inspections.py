"""定期检查 by the general branch, 不定期督查 by the department, the branch's answer, and the completion
table (and its xlsx export) that feeds the party-building assessment."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from study import services
from study.models import Inspection, InspectionKind
from study.selectors import completion_table
from study.xlsx import HEADERS

from .conftest import TZ, attend


def _check(cast, person, kind, branch=None, **extra):
    return services.inspection_record(
        branch=branch or cast.b1,
        kind=kind,
        inspected_on=timezone.localdate(),
        inspector_name=person.member.name,
        rating=extra.pop("rating", "fairly_good"),
        actor=person.user,
        **extra,
    )


def test_it_records_periodic_checks_by_the_general_branch_only(cast):
    check = _check(
        cast,
        cast.gb_secretary,
        InspectionKind.PERIODIC,
        fix_required="补全讨论记录",
        fix_due=timezone.localdate() + datetime.timedelta(days=7),
    )
    assert check.get_rating_display() == "较好" and check.recorded_by == cast.gb_secretary.user
    for person in (cast.dept, cast.secretary, cast.other_secretary):
        with pytest.raises(ValidationError, match="党总支"):
            _check(cast, person, InspectionKind.PERIODIC)
    assert Inspection.objects.count() == 1


def test_it_records_spot_inspections_by_the_department_only(cast):
    _check(cast, cast.dept, InspectionKind.SPOT, branch=cast.b3, rating="good")
    with pytest.raises(ValidationError, match="党委组织部"):
        _check(cast, cast.gb_secretary, InspectionKind.SPOT)
    assert Inspection.objects.count() == 1


def test_it_refuses_a_due_date_without_what_to_fix(cast):
    with pytest.raises(ValidationError, match="整改要求"):
        _check(cast, cast.gb_secretary, InspectionKind.PERIODIC, fix_due=timezone.localdate())
    assert not Inspection.objects.exists()


def test_it_takes_the_branch_answer_once(cast):
    check = _check(cast, cast.gb_secretary, InspectionKind.PERIODIC, fix_required="补全讨论记录")
    with pytest.raises(ValidationError, match="书记或副书记"):
        services.inspection_answer(inspection=check, response="已补全", actor=cast.recorder.user)
    services.inspection_answer(inspection=check, response="已补全 5 月讨论记录", actor=cast.secretary.user)
    with pytest.raises(ValidationError, match="不能重复提交"):
        services.inspection_answer(inspection=check, response="再次", actor=cast.secretary.user)
    check.refresh_from_db()
    assert check.response == "已补全 5 月讨论记录" and check.responded_by == cast.secretary.user


def test_it_records_a_check_and_the_answer_through_the_pages(login, cast):
    client = login(cast.gb_secretary)
    response = client.post(
        reverse("study:inspection_new", args=[cast.b1.pk]),
        {
            "kind": "periodic",
            "inspected_on": timezone.localdate().isoformat(),
            "inspector_name": "总支书记",
            "rating": "fair",
            "remarks": "记录不全",
            "fix_required": "补记讨论发言",
            "fix_due": "",
        },
    )
    check = Inspection.objects.get()
    assert response.status_code == 302 and check.get_rating_display() == "一般"
    client = login(cast.secretary)
    client.post(reverse("study:inspection_answer", args=[check.pk]), {"response": "已补记"})
    check.refresh_from_db()
    assert check.is_answered


def _held_session(plan, arrangement, day: datetime.date):
    """A session that has already started (midnight of `day`, today at the latest)."""
    return plan(starts_at=datetime.datetime(day.year, day.month, day.day, 0, tzinfo=TZ), target=arrangement)


def _this_years(make_arrangement, schedule_day: datetime.date, label="本年第1期"):
    return make_arrangement(
        issue_label=label,
        issued_on=schedule_day.replace(month=1, day=1),
        schedule=[{"week": 1, "date": schedule_day, "organizers_text": "第一党总支"}],
    )


@pytest.fixture
def past(make_arrangement):
    """An arrangement of this year scheduled a few days ago (or today, early in January)."""
    today = timezone.localdate()
    day = max(today - datetime.timedelta(days=3), today.replace(month=1, day=1))
    return _this_years(make_arrangement, day), day


def test_it_builds_the_completion_table_per_branch(cast, plan, past):
    arrangement, day = past
    ss = _held_session(plan, arrangement, day)
    attend(ss, cast.member.member, "present")
    attend(ss, cast.recorder.member, "late")
    attend(ss, cast.committee_member.member, "absent")
    services.study_record_save(
        study_session=ss,
        content="学习",
        note_taker="记录员",
        actor=cast.secretary.user,
        discussion=[{"speaker": cast.member.member, "points": "体会"}],
    )
    _check(cast, cast.gb_secretary, InspectionKind.PERIODIC, rating="good", fix_required="归档照片")
    _check(cast, cast.dept, InspectionKind.SPOT, rating="fair")

    rows = {r.branch.name: r for r in completion_table(cast.dept.user, day.year)}
    b1 = rows["第一党支部"]
    assert (b1.expected, b1.held, b1.on_time, b1.required, b1.attended) == (1, 1, 1, 3, 2)
    assert b1.attendance_rate == Decimal("66.7") and b1.records_complete == 1
    assert (b1.periodic_text, b1.spot_text, b1.open_fixes) == ("好", "一般", 1)
    assert (rows["第二党支部"].expected, rows["第二党支部"].held) == (1, 0)
    assert rows["第三党支部"].expected == 0  # its general branch was not among the organizers
    gb_rows = {r.branch.name for r in completion_table(cast.gb_secretary.user, day.year)}
    assert gb_rows == {"第一党支部", "第二党支部"}


def test_it_counts_a_session_off_the_scheduled_date_as_not_on_time(clock, cast, plan, make_arrangement):
    # Mid-year, so the scheduled day (tomorrow) is in the same year as the session (today).
    clock.move_to("2031-05-14 10:00", tick=True)  # not 2030, the fixture arrangement's year
    today = timezone.localdate()
    arrangement = _this_years(make_arrangement, today + datetime.timedelta(days=1))
    _held_session(plan, arrangement, today)
    row = next(r for r in completion_table(cast.dept.user, today.year) if r.branch == cast.b1)
    assert (row.expected, row.held, row.on_time) == (1, 1, 0)


def test_it_exports_the_completion_table_to_xlsx(login, cast, plan, past):
    arrangement, day = past
    _held_session(plan, arrangement, day)
    from branches.services import org_create

    org_create(name='=HYPERLINK("http://x")支部', code="EVIL", kind="branch", parent=cast.g1)
    response = login(cast.dept).get(reverse("study:completion_xlsx") + f"?year={day.year}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[0][:4] == ("上级党组织", "党支部", "应开展次数", "已开展次数")
    names = [r[1] for r in rows[1:]]
    assert "第一党支部" in names
    assert '\'=HYPERLINK("http://x")支部' in names  # text, not a formula
    b1 = next(r for r in rows[1:] if r[1] == "第一党支部")
    assert b1[0] == "第一党总支" and b1[2:5] == (1, 1, 1)


def test_it_refuses_the_completion_table_to_a_branch_secretary(login, cast):
    assert login(cast.secretary).get(reverse("study:completion")).status_code == 403
