"""The secretary's to-do list names each next step of the quarter, and the quick links reach the
objections page (#21 item 6)."""

from django.urls import reverse

from points.models import Quarter, QuarterState


def _home(login, person) -> str:
    return login(person).get(reverse("home")).content.decode()


def test_an_open_quarter_asks_the_secretary_to_close_declarations(cast, login, clock):
    clock.move_to("2026-03-10 09:00")
    q = Quarter.objects.create(branch=cast.b1, year=2026, number=1, state=QuarterState.OPEN)
    page = _home(login, cast.secretary)
    assert "2026年第1季度申报中" in page and "截止申报，转入支委初评" in page
    assert reverse("points:quarter", args=[q.pk]) in page
    # A member is asked to declare, not to close the window.
    assert "截止申报，转入支委初评" not in _home(login, cast.member)


def test_a_closed_quarter_asks_for_the_next_once_it_has_begun(cast, login, clock):
    Quarter.objects.create(branch=cast.b1, year=2026, number=1, state=QuarterState.CLOSED)
    clock.move_to("2026-03-31 20:00")
    assert "开始下一季度" not in _home(login, cast.secretary)  # the second quarter has not begun
    clock.move_to("2026-04-20 09:00")
    page = _home(login, cast.secretary)
    assert "公示已结束，开始下一季度（2026年第2季度）" in page
    assert reverse("points:quarters", args=[cast.b1.pk]) in page
    Quarter.objects.create(branch=cast.b1, year=2026, number=2, state=QuarterState.OPEN)
    assert "开始下一季度" not in _home(login, cast.secretary)


def test_the_fourth_quarter_leads_to_the_first_of_next_year(cast, login, clock):
    Quarter.objects.create(branch=cast.b1, year=2026, number=4, state=QuarterState.CLOSED)
    clock.move_to("2027-01-15 09:00")
    assert "开始下一季度（2027年第1季度）" in _home(login, cast.secretary)


def test_the_secretary_has_a_quick_link_to_objections(cast, login):
    assert reverse("points:objections") in _home(login, cast.secretary)
    assert reverse("points:objections") in _home(login, cast.dept)
