"""The demo seed runs the whole workflow for 12 branches (about 15 s), so it is seeded once here and
every promise of README's demo section is checked against that one seed."""

import datetime

from django.core.management import call_command
from django.urls import reverse

from branches import demo
from branches.models import BRANCH_KINDS, Organization
from members.models import Category, Exemption, ExemptionState, Member
from points.models import AnnualFiling, FilingState, Quarter, QuarterState

TODAY = datetime.date(2026, 11, 24)


def test_it_seeds_the_demo_readme_describes_once_and_every_login_works(client, db):
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
