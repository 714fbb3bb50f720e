from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.forms import PositionEndForm, PositionForm
from members.models import Member, MemberStatus
from members.selectors import roster

from . import selectors, services
from .access import actor_for, get_object_for_user, visible_organizations
from .home import waiting_items
from .models import Position


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    today = timezone.localdate()
    leads = {p.role for p in actor.posts if p.org_id == actor.branch_id}
    context = {
        "items": waiting_items(request.user, actor),
        "this_year": today.year,
        "last_year": today.year - 1,
        "is_recorder": bool(actor.recorder_paths),
        "leads_branch": bool(leads & {"secretary", "deputy_secretary", "committee_member"}),
    }
    return render(request, "branches/home.html", context)


@require_GET
@login_required
def tree(request: HttpRequest) -> HttpResponse:
    return render(request, "branches/tree.html", {"units": selectors.org_tree(request.user)})


@require_GET
@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_for_user(request.user, visible_organizations(request.user), "branches.view_unit", pk=pk)
    can_roster = request.user.has_perm("branches.view_roster", org)
    context = {
        "org": org,
        "positions": selectors.current_positions(org),
        "children": selectors.child_units(org),
        "members": roster(org) if (org.is_branch and can_roster) else None,
        "can_roster": can_roster,
        "can_manage": request.user.has_perm("branches.manage_unit", org),
        "this_year": timezone.localdate().year,
        "last_year": timezone.localdate().year - 1,
    }
    return render(request, "branches/unit_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def position_new(request: HttpRequest, pk: int) -> HttpResponse:
    """任命: appoint a member of the unit's sub-tree to a post in the unit."""
    org = get_object_for_user(
        request.user, visible_organizations(request.user), "branches.manage_unit", pk=pk
    )
    candidates = Member.objects.filter(
        branch__path__startswith=org.path, status=MemberStatus.ACTIVE
    ).order_by("code")
    form = PositionForm(
        request.POST or None, members=candidates, initial={"start_date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.position_assign(actor=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, "任命已登记。")
            return redirect("branches:unit", pk=org.pk)
    return render(request, "branches/position_form.html", {"org": org, "form": form})


@require_POST
@login_required
def position_end(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(
        Position.objects.filter(organization__in=visible_organizations(request.user)).select_related(
            "organization"
        ),
        pk=pk,
    )
    if not request.user.has_perm("branches.manage_unit", position.organization):
        raise PermissionDenied
    form = PositionEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的离任日期。")
    else:
        try:
            services.position_end(position=position, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"{position.member.name}已离任{position.get_role_display()}。")
    return redirect("branches:unit", pk=position.organization_id)
