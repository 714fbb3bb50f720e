"""公示 counts 工作日 as Chinese offices do: State Council holidays off, 调休 weekend days on."""

import datetime

import pytest

from points.models import QuarterState
from points.services import workflow
from points.workdays import add_working_days, is_working_day

D = datetime.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 6, 19), False),  # Friday, Dragon Boat Festival
        (D(2026, 6, 22), True),  # the Monday after it
        (D(2026, 10, 1), False),  # Thursday, National Day
        (D(2026, 10, 10), True),  # Saturday worked in exchange (调休上班)
        (D(2026, 9, 20), True),  # Sunday worked in exchange
        (D(2026, 1, 10), False),  # an ordinary Saturday
    ],
)
def test_it_knows_the_state_councils_holidays(day, working):
    assert is_working_day(day) is working


def test_it_skips_a_holiday_when_counting_the_publicity_period():
    # Thursday 18 June 2026, the eve of the Dragon Boat Festival (Fri 19 - Sun 21 off): five working
    # days are 22-26 June; counting Monday to Friday would have ended it on Thursday 25.
    assert add_working_days(D(2026, 6, 18), 5) == D(2026, 6, 26)


def test_it_counts_across_national_day_and_its_exchanged_saturday():
    # 24 Sep 2026 (Thu): 28, 29, 30 Sep, then 1-7 Oct off, then Thu 8, Fri 9 Oct.
    assert add_working_days(D(2026, 9, 24), 5) == D(2026, 10, 9)
    # From Sunday 4 Oct: 8, 9, Sat 10 (worked), 12, 13 Oct.
    assert add_working_days(D(2026, 10, 4), 5) == D(2026, 10, 13)


def test_it_counts_across_the_new_year(settings):
    # 29 Dec 2026 (Tue): 30, 31 Dec; 1 Jan 2027 off; then 4, 5 Jan.
    settings.EXTRA_HOLIDAYS = [D(2027, 1, 1)]
    assert add_working_days(D(2026, 12, 29), 5) == D(2027, 1, 6)


def test_it_takes_a_year_the_package_does_not_know_from_the_settings(settings):
    settings.EXTRA_HOLIDAYS = [D(2031, 10, 1), D(2031, 10, 2)]
    settings.EXTRA_WORKDAYS = [D(2031, 10, 11)]  # a Saturday
    assert not is_working_day(D(2031, 10, 1))
    assert is_working_day(D(2031, 10, 11))
    assert is_working_day(D(2031, 10, 3))  # an ordinary Friday: Monday to Friday beyond the package
    # Tue 30 Sep 2031: Fri 3, Mon 6, Tue 7, Wed 8, Thu 9 Oct.
    assert add_working_days(D(2031, 9, 30), 5) == D(2031, 10, 9)


def test_it_ends_a_publicity_published_the_monday_after_a_holiday_five_working_days_later(
    clock, cast, quarter
):
    clock.move_to("2026-06-22 09:00")  # Monday after the Dragon Boat Festival
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    workflow.assembly_record(
        quarter=quarter,
        actor=cast.secretary.user,
        held_on=D(2026, 6, 22),
        present=workflow.voting_members(cast.b1),
        decision="同意初评结果",
    )
    quarter.refresh_from_db()
    workflow.quarter_publish(quarter=quarter, actor=cast.secretary.user)
    quarter.refresh_from_db()
    assert (quarter.state, quarter.publicity_start, quarter.publicity_end) == (
        QuarterState.PUBLISHED,
        D(2026, 6, 22),
        D(2026, 6, 29),
    )
