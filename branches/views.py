from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from members.selectors import roster

from . import selectors
from .access import actor_for, get_object_for_user, visible_organizations
from .home import waiting_items


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    return render(request, "branches/home.html", {"items": waiting_items(request.user, actor)})


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
    }
    return render(request, "branches/unit_detail.html", context)
