"""积分台账: the append-only ledger of bonus, deduction and judgment entries, and the schemes."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..audit import AuditChained


class SchemeConfig(models.Model):
    """积分实施细则: a committee's (or one branch's) scheme, from the year it applies.

    `data` is the scoring engine's `Scheme.to_dict()`; the engine validates it on save.
    """

    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="schemes"
    )
    applies_from = models.PositiveSmallIntegerField("起始年度")
    title = models.CharField("名称", max_length=200)
    data = models.JSONField("细则内容")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "积分实施细则"
        verbose_name_plural = "积分实施细则"
        ordering = ["organization", "-applies_from"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "applies_from"], name="scheme_one_per_org_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.applies_from}年起 {self.title}"


class EntryType(models.TextChoices):
    BONUS = "bonus", "加分"
    DEDUCTION = "deduction", "减分"
    JUDGMENT = "judgment", "支委会评定"


class PointEntry(AuditChained):
    """积分台账条目: one bonus, deduction or committee judgment of a member in a quarter.

    Never edited or deleted: a correction is a new entry whose `corrects` points at the old one,
    which then stops counting (`is_current` False, flipped only by the correcting service).
    Each new entry is sealed into the ledger's audit chain (points/audit.py): never `bulk_create`.
    """

    quarter = models.ForeignKey("points.Quarter", on_delete=models.PROTECT, related_name="entries")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="point_entries")
    entry_type = models.CharField("类别", max_length=20, choices=EntryType.choices)
    # A bonus kind, a deduction kind or (for judgments) a base item code of the scheme.
    kind = models.CharField("项目", max_length=40)
    value = models.DecimalField("分值", max_digits=5, decimal_places=1)
    level = models.CharField("表彰级别", max_length=20, blank=True)
    content_key = models.CharField("表彰内容", max_length=200, blank=True)
    own_duty = models.BooleanField("属本职工作", default=False)
    measure = models.CharField("帮教整改措施", max_length=40, blank=True)
    occurred_on = models.DateField("发生日期", null=True, blank=True)
    reason = models.TextField("事由与依据", max_length=2000)
    declaration = models.ForeignKey(
        "points.Declaration", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    is_current = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "积分台账"
        verbose_name_plural = "积分台账"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["member", "is_current"]),
            models.Index(fields=["quarter", "is_current"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["corrects"], condition=Q(corrects__isnull=False), name="entry_corrected_once"
            ),
            # The committee's judgment of one base item: one that counts per member and quarter.
            models.UniqueConstraint(
                fields=["quarter", "member", "kind"],
                condition=Q(entry_type="judgment", is_current=True),
                name="entry_one_current_judgment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_entry_type_display()} {self.kind} {self.value}"
