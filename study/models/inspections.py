"""定期检查 (general branch) and 不定期督查 (the school) of a branch's study records (学习要求 2)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class InspectionKind(models.TextChoices):
    PERIODIC = "periodic", "定期检查"
    SPOT = "spot", "不定期督查"


class Rating(models.TextChoices):
    GOOD = "good", "好"
    FAIRLY_GOOD = "fairly_good", "较好"
    FAIR = "fair", "一般"
    POOR = "poor", "差"


class Inspection(models.Model):
    """学习检查: one check of a branch's study records, what must be fixed by when, and the branch's answer."""

    branch = models.ForeignKey(
        "branches.Organization", verbose_name="党支部", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=20, choices=InspectionKind.choices)
    inspected_on = models.DateField("检查日期")
    inspector_name = models.CharField("检查人", max_length=100)
    rating = models.CharField("评价", max_length=20, choices=Rating.choices)
    remarks = models.TextField("检查情况", max_length=2000, blank=True)
    fix_required = models.TextField("整改要求", max_length=2000, blank=True)
    fix_due = models.DateField("整改期限", null=True, blank=True)
    response = models.TextField("整改情况", max_length=2000, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField("反馈时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "学习检查"
        verbose_name_plural = "学习检查"
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fix_due__isnull=True) | ~Q(fix_required=""),
                name="inspection_due_needs_requirement",
                violation_error_message="填写整改期限时须写明整改要求。",
            ),
        ]
        indexes = [models.Index(fields=["branch", "inspected_on"])]

    def __str__(self) -> str:
        return f"{self.branch} {self.get_kind_display()} {self.inspected_on}"

    @property
    def needs_fix(self) -> bool:
        return bool(self.fix_required)

    @property
    def is_answered(self) -> bool:
        return self.responded_at is not None
