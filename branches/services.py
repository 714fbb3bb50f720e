import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import ALLOWED_PARENTS, Organization, OrgKind, Position, PositionRole


@transaction.atomic
def org_create(*, name: str, code: str, kind: str, parent: Organization | None = None, sort_order: int = 0):
    """Add a unit to the tree, checking that its kind may sit under the parent's."""
    allowed = ALLOWED_PARENTS[OrgKind(kind)]
    if parent is None and allowed:
        raise ValidationError(f"{OrgKind(kind).label}必须有上级党组织。")
    if parent is not None and parent.kind not in allowed:
        raise ValidationError(f"{OrgKind(kind).label}不能设在{parent.get_kind_display()}之下。")
    org = Organization(name=name, code=code, kind=kind, parent=parent, sort_order=sort_order, path="/")
    org.full_clean(exclude=["path"])
    org.save()
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    Organization.objects.filter(pk=org.pk).update(path=org.path)
    return org


def committee_of(org: Organization) -> Organization:
    """The 党委 at the top of `org`'s tree (one query)."""
    root_id = int(org.path.strip("/").split("/")[0])
    return org if org.pk == root_id else Organization.objects.get(pk=root_id)


@transaction.atomic
def position_assign(*, member, organization: Organization, role: str, start_date: datetime.date, actor=None):
    """Give a member a post. A second current secretary or recorder is refused by the database too."""
    if role == PositionRole.ORG_STAFF and organization.kind != OrgKind.COMMITTEE:
        raise ValidationError("组织部工作人员只能设在党委。")
    if role == PositionRole.GROUP_LEADER and organization.kind != OrgKind.GROUP:
        raise ValidationError("党小组长只能设在党小组。")
    if role == PositionRole.RECORDER and not organization.is_branch:
        raise ValidationError("积分记录员只能设在党支部。")
    position = Position(
        member=member, organization=organization, role=role, start_date=start_date, created_by=actor
    )
    try:
        with transaction.atomic():
            position.save()
    except IntegrityError:
        raise ValidationError(
            f"{organization.name}已有在任的{PositionRole(role).label}，请先办理离任。"
        ) from None
    return position


@transaction.atomic
def position_end(*, position: Position, end_date: datetime.date, actor=None):
    if position.end_date is not None:
        raise ValidationError("该职务已离任。")
    if end_date < position.start_date:
        raise ValidationError("离任日期不能早于任职日期。")
    updated = Position.objects.filter(pk=position.pk, end_date__isnull=True).update(end_date=end_date)
    if updated != 1:
        raise ValidationError("该职务已离任。")
    position.end_date = end_date
    return position
