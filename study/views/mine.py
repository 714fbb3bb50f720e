from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from branches.access import actor_for
from members.models import Member

from .. import selectors
from ..forms import YearForm


@require_GET
@login_required
def my_study(request: HttpRequest) -> HttpResponse:
    """我的学习: the member's own study hours for the year and the sessions they missed."""
    if not request.user.has_perm("study.view_own_study"):
        raise PermissionDenied
    member_id = actor_for(request.user).member_id
    if member_id is None:  # an account with no member record (the administrator): no study of its own
        raise PermissionDenied
    member = Member.objects.select_related("branch", "group").get(pk=member_id)
    this_year = timezone.localdate().year
    year = YearForm(request.GET).year_or(this_year)
    attended, missed = selectors.study_year(member, year)
    hours = selectors.hours_attended(attended)
    target = selectors.target_hours(member, year)
    context = {
        "member": member,
        "year": year,
        "years": range(this_year - 3, this_year + 1),
        "hours": hours,
        "target": target,
        "short": max(target - hours, 0),
        "percent": min(int(hours * 100 / target), 100) if target else 100,
        "attended": attended,
        "missed": missed,
        "upcoming": selectors.upcoming_sessions(member) if year == this_year else [],
    }
    return render(request, "study/my_study.html", context)
