"""The quarterly workflow of clause 四: quarter states, declarations, assembly, objections, annual filing."""

import json

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..audit import AuditChained


class QuarterState(models.TextChoices):
    OPEN = "open", "记录与申报中"
    IN_REVIEW = "in_review", "支委初评中"
    DETERMINED = "determined", "党员大会已评定"
    PUBLISHED = "published", "公示中"
    CLOSED = "closed", "公示结束"


# A quarter whose results members may see: published for objections, or publicity over.
PUBLISHED_STATES = (QuarterState.PUBLISHED, QuarterState.CLOSED)


class Quarter(models.Model):
    """积分季度: a branch's quarter moving through record → review → assembly → publicity."""

    branch = models.ForeignKey("branches.Organization", on_delete=models.PROTECT, related_name="quarters")
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveSmallIntegerField("季度")
    state = models.CharField("状态", max_length=20, choices=QuarterState.choices, default=QuarterState.OPEN)
    declaration_closes = models.DateField("申报截止", null=True, blank=True)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示截止", null=True, blank=True)

    class Meta:
        verbose_name = "积分季度"
        verbose_name_plural = "积分季度"
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year", "number"], name="quarter_unique"),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=4), name="quarter_number_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.year}年第{self.number}季度"

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.number}季度"


class DeclarationState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已认定"
    REJECTED = "rejected", "未认定"
    WITHDRAWN = "withdrawn", "已撤回"  # by its author, before submitting: never reviewed


class Declaration(models.Model):
    """党员申报: an item a member declares for themselves or reports about another member (clause 四.2)."""

    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="declarations")
    declarant = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="declarations_made"
    )
    subject = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="declarations_about")
    entry_type = models.CharField("类别", max_length=20, choices=[("bonus", "加分"), ("deduction", "减分")])
    kind = models.CharField("项目", max_length=40)
    value = models.DecimalField("申报分值", max_digits=5, decimal_places=1, null=True, blank=True)
    level = models.CharField("表彰级别", max_length=20, blank=True)
    content_key = models.CharField("表彰内容", max_length=200, blank=True)
    own_duty = models.BooleanField("属本职工作", default=False)
    occurred_on = models.DateField("发生日期")
    description = models.TextField("事项说明", max_length=2000)
    evidence = models.FileField("证明材料", upload_to="evidence/declarations/%Y/", blank=True)
    state = models.CharField(
        "状态", max_length=20, choices=DeclarationState.choices, default=DeclarationState.DRAFT
    )
    review_reason = models.CharField("初评意见", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "积分申报"
        verbose_name_plural = "积分申报"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["quarter", "state"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.kind}"

    @property
    def is_report(self) -> bool:
        return self.declarant_id != self.subject_id


class Assembly(models.Model):
    """支部党员大会评定: the assembly that determined a quarter's points (quorate only over half)."""

    quarter = models.OneToOneField(Quarter, on_delete=models.PROTECT, related_name="assembly")
    held_on = models.DateField("召开日期")
    voting_total = models.PositiveIntegerField("有表决权的党员人数")
    present = models.ManyToManyField(
        "members.Member", related_name="assemblies_attended", verbose_name="到会党员"
    )
    decision = models.TextField("评定结论", max_length=2000)
    shown_results = models.JSONField("提交大会的初评结果")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党员大会评定"
        verbose_name_plural = "党员大会评定"


class ObjectionChannel(models.TextChoices):
    BRANCH = "branch", "向党支部反映"
    APPEAL = "appeal", "向上级党组织申诉"


class ObjectionState(models.TextChoices):
    SUBMITTED = "submitted", "待核实"
    UPHELD = "upheld", "异议成立，已更正"
    DISMISSED = "dismissed", "异议不成立"


class Objection(models.Model):
    """积分异议/申诉: a member's objection to their own published result."""

    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="objections")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="objections")
    channel = models.CharField("途径", max_length=20, choices=ObjectionChannel.choices)
    text = models.TextField("异议内容", max_length=2000)
    state = models.CharField(
        "状态", max_length=20, choices=ObjectionState.choices, default=ObjectionState.SUBMITTED
    )
    findings = models.TextField("核实情况", max_length=2000, blank=True)
    feedback = models.TextField("向党员反馈", max_length=2000, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    correction = models.ForeignKey(
        "points.PointEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    announced_at = models.ForeignKey(
        Assembly, null=True, blank=True, on_delete=models.SET_NULL, related_name="announced_objections"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "积分异议"
        verbose_name_plural = "积分异议"
        ordering = ["created_at", "id"]


class FilingState(models.TextChoices):
    ROLLED_UP = "rolled_up", "已汇总"
    SUBMITTED = "submitted", "已报上级党组织"
    FILED = "filed", "已审核备案"
    RETURNED = "returned", "退回修改"


class AnnualFiling(models.Model):
    """年度积分汇总与审核备案: a branch's year, rolled up and filed with the higher organization."""

    branch = models.ForeignKey("branches.Organization", on_delete=models.PROTECT, related_name="filings")
    year = models.PositiveSmallIntegerField("年度")
    state = models.CharField(
        "状态", max_length=20, choices=FilingState.choices, default=FilingState.ROLLED_UP
    )
    scheme = models.JSONField("所用细则")
    rolled_up_at = models.DateTimeField(auto_now_add=True)
    remarks = models.TextField("审核意见", max_length=2000, blank=True)

    class Meta:
        verbose_name = "年度积分备案"
        verbose_name_plural = "年度积分备案"
        constraints = [models.UniqueConstraint(fields=["branch", "year"], name="filing_unique")]

    def __str__(self) -> str:
        return f"{self.branch} {self.year}年度"


def stored_line(line) -> list:
    """An explained line of the scoring engine as `AnnualResult.lines` keeps it:
    [section, code, clause, label, points as text or None, text]."""
    points = None if line.points is None else str(line.points)
    return [line.section, line.code, line.clause, line.label, points, line.text]


class PlainTextJSONEncoder(json.JSONEncoder):
    """JSON with Chinese written as it is, not as \\uXXXX escapes, whose backslashes the database driver
    must quote one by one: most of the time a 10,000-member roll-up spent writing its results."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class AnnualResult(models.Model):
    """年度积分: one member's annual score, rank and clause 五 results, as rolled up."""

    # No index of its own: annual_result_unique (filing, member) leads with it and serves every lookup by
    # filing.
    filing = models.ForeignKey(AnnualFiling, on_delete=models.PROTECT, related_name="results", db_index=False)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="annual_results")
    category = models.CharField(max_length=20)
    exempt = models.BooleanField(default=False)
    base_items = models.JSONField(default=dict)
    base = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    bonus = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    deductions = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    total = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    rank = models.PositiveIntegerField(null=True)
    near_bottom = models.BooleanField(default=False)
    results = models.JSONField(default=list)
    # The engine's explained lines, in order, each as `stored_line` gives it.
    lines = models.JSONField(default=list, encoder=PlainTextJSONEncoder)

    class Meta:
        verbose_name = "年度积分结果"
        verbose_name_plural = "年度积分结果"
        ordering = ["rank", "member__code"]
        constraints = [models.UniqueConstraint(fields=["filing", "member"], name="annual_result_unique")]


class Transition(AuditChained):
    """流转记录: every workflow step — who, when, from which state to which, and why (audit-chained)."""

    subject_type = models.CharField(max_length=20)  # quarter, declaration, objection, filing
    subject_id = models.PositiveBigIntegerField()
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
