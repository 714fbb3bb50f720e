"""A session near midnight on New Year's Eve belongs to the year of Beijing's calendar, not UTC's."""

import datetime
import zoneinfo

from points.models import Attendance
from points.selectors.facts import branch_facts
from tests.factories import record_session

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_it_counts_a_new_years_eve_and_a_new_years_morning_session_in_their_local_years(clock, cast):
    clock.move_to("2027-01-01 00:05")  # the moment the local and UTC years differ
    member = cast.member.member
    eve = record_session(cast.b1, datetime.datetime(2026, 12, 31, 23, 30, tzinfo=TZ), hours_long=0.5)
    morning = record_session(cast.b1, datetime.datetime(2027, 1, 1, 0, 5, tzinfo=TZ), hours_long=0.5)
    Attendance.objects.create(session=eve, member=member, status="present")
    Attendance.objects.create(session=morning, member=member, status="absent")
    # 2027-01-01 00:05 in Beijing is 2026-12-31 16:05 in UTC, the zone the database stores.
    assert morning.starts_at.astimezone(datetime.UTC).year == 2026

    def org_life(year):
        record = branch_facts(cast.b1, year)[member.pk].attendance["org_life"]
        return record.required, record.attended

    assert org_life(2026) == (1, 1)
    assert org_life(2027) == (1, 0)
