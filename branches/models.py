from django.conf import settings
from django.db import models
from django.db.models import Q


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", "党委"
    WORKING_COMMITTEE = "working_committee", "机关党工委"
    GENERAL_BRANCH = "general_branch", "党总支"
    DIRECT_BRANCH = "direct_branch", "直属党支部"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"


# Units whose members are scored together: a 直属党支部 is a branch that also does the
# general branch's duties for itself.
BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.DIRECT_BRANCH)

# Which kinds may sit under which: keeps the tree the shape the guideline assumes.
ALLOWED_PARENTS = {
    OrgKind.COMMITTEE: (),
    OrgKind.WORKING_COMMITTEE: (OrgKind.COMMITTEE,),
    OrgKind.GENERAL_BRANCH: (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE),
    OrgKind.DIRECT_BRANCH: (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE),
    OrgKind.BRANCH: (OrgKind.GENERAL_BRANCH, OrgKind.WORKING_COMMITTEE),
    OrgKind.GROUP: (OrgKind.BRANCH, OrgKind.DIRECT_BRANCH),
}


class Organization(models.Model):
    """党组织: a unit of the tree 党委 → 机关党工委 → 党总支/直属党支部 → 党支部 → 党小组."""

    name = models.CharField("名称", max_length=100)
    code = models.CharField("组织代码", max_length=40, unique=True)
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialized path ("/1/4/9/") so a whole sub-tree is one indexed prefix filter.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="org_unique_name_under_parent")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.kind in BRANCH_KINDS

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class PositionRole(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    COMMITTEE_MEMBER = "committee_member", "委员"
    RECORDER = "recorder", "积分记录员"
    GROUP_LEADER = "group_leader", "党小组长"
    ORG_STAFF = "org_staff", "组织部工作人员"


# A branch may have at most one current secretary and one current recorder.
SINGLE_HOLDER_ROLES = (PositionRole.SECRETARY, PositionRole.RECORDER)


class Position(models.Model):
    """职务: a member's post in a unit, with its term."""

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="positions"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="positions"
    )
    role = models.CharField("职务", max_length=20, choices=PositionRole.choices)
    start_date = models.DateField("任职日期")
    end_date = models.DateField("离任日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "职务"
        verbose_name_plural = "职务"
        ordering = ["organization__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "role"],
                condition=Q(end_date__isnull=True, role__in=["secretary", "recorder"]),
                name="position_one_current_secretary_and_recorder",
            ),
            models.UniqueConstraint(
                fields=["organization", "role", "member"],
                condition=Q(end_date__isnull=True),
                name="position_no_duplicate_current",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="position_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_role_display()} {self.member}"
