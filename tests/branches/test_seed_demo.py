"""The demo seed runs the whole workflow for 12 branches (about 15 s), so it is seeded once here and
every promise of README's demo section is checked against that one seed."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from branches import demo
from branches.models import BRANCH_KINDS, Organization
from members.models import Category, Exemption, ExemptionState, Member
from points.models import AnnualFiling, FilingState, Quarter, QuarterState

TODAY = datetime.date(2026, 11, 24)


def test_it_seeds_the_demo_readme_describes_once_and_every_login_works(clock, client, db):
    clock.move_to(datetime.datetime.combine(TODAY, datetime.time(10)), tick=True)
    call_command("seed_demo", today=TODAY, stdout=open("/dev/null", "w"))

    assert Organization.objects.filter(kind__in=BRANCH_KINDS).count() == 12
    members = Member.objects.all()
    assert members.count() == 240
    assert set(members.values_list("category", flat=True)) == set(Category.values)
    assert members.filter(is_mobile=True).exists()
    assert Exemption.objects.filter(state=ExemptionState.APPROVED, year=TODAY.year).count() == 1
    assert AnnualFiling.objects.filter(year=2025, state=FilingState.FILED).count() == 12
    assert Quarter.objects.filter(year=2026, number=4, state=QuarterState.OPEN).count() == 12
    assert Quarter.objects.filter(year=2026, state=QuarterState.CLOSED).count() == 36

    before = (Member.objects.count(), Quarter.objects.count())
    call_command("seed_demo", today=TODAY, stdout=open("/dev/null", "w"))
    assert (Member.objects.count(), Quarter.objects.count()) == before

    for login, *_ in demo.DEMO_LOGINS:
        assert client.login(username=login, password=demo.DEMO_PASSWORD), login
        assert client.get(reverse("home")).status_code == 200, login
        client.logout()


def test_it_refuses_to_date_the_demo_after_today_and_seeds_nothing(clock, db):
    clock.move_to("2026-11-24 10:00")
    with pytest.raises(CommandError, match="晚于今天"):
        call_command("seed_demo", today=datetime.date(2026, 11, 25), stdout=open("/dev/null", "w"))
    assert not Member.objects.exists() and not Organization.objects.exists()


def test_it_dates_the_demo_by_the_local_day_on_new_years_morning(clock, db):
    # 00:05 on 1 January in Asia/Shanghai is still 31 December in UTC: the demo's year is the local one.
    clock.move_to("2027-01-01 00:05", tick=True)
    created = demo.seed()
    assert created
    assert Exemption.objects.filter(state=ExemptionState.APPROVED, year=2027).count() == 1
