from django.db.models import Count, Q, QuerySet

from members.models import MemberStatus

from .access import visible_organizations
from .models import Organization, Position


def org_tree(user) -> QuerySet[Organization]:
    """Visible units in tree order with their active member counts (one query)."""
    return (
        visible_organizations(user)
        .annotate(member_count=Count("members", filter=Q(members__status=MemberStatus.ACTIVE)))
        .order_by("path")
    )


def current_positions(org: Organization) -> QuerySet[Position]:
    return Position.objects.filter(organization=org, end_date__isnull=True).select_related("member")


def child_units(org: Organization) -> QuerySet[Organization]:
    return org.children.annotate(
        member_count=Count("members", filter=Q(members__status=MemberStatus.ACTIVE))
    ).order_by("sort_order", "name")
