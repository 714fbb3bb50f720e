"""党员学习教育安排: the department's issue (e.g. 2020年第3期) with its schedule, readings and requirements."""

from django.conf import settings
from django.db import models
from django.utils import timezone

WEEKDAYS = "一二三四五六日"


class ArrangementState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class Arrangement(models.Model):
    """党员学习教育安排: one issue published by the organization department to the whole committee."""

    committee = models.ForeignKey(
        "branches.Organization", verbose_name="党委", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("标题", max_length=100, default="党员学习教育安排")
    issue_label = models.CharField("期号", max_length=40, help_text="例如：2020年第3期")
    issuer = models.CharField("编发单位", max_length=100, default="党委组织部")
    issued_on = models.DateField("印发日期")
    theme = models.TextField("学习教育主题", max_length=500)
    purpose = models.TextField("学习教育目的", max_length=3000)
    discussion = models.TextField("学习讨论", max_length=1000)
    state = models.CharField(
        "状态", max_length=20, choices=ArrangementState.choices, default=ArrangementState.DRAFT
    )
    # Bumped by every saved change: an edit form carries it so a concurrent edit is refused, not lost.
    version = models.PositiveIntegerField("版本", default=1)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "学习教育安排"
        verbose_name_plural = "学习教育安排"
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "issue_label"],
                name="arrangement_unique_issue",
                violation_error_message="本党委已有同一期号的学习教育安排。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.issue_label}）"

    @property
    def full_title(self) -> str:
        return str(self)

    @property
    def is_published(self) -> bool:
        return self.state == ArrangementState.PUBLISHED


class ScheduleRow(models.Model):
    """时间安排: one row of the schedule (周次、日期、星期、组织者)."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="schedule")
    position = models.PositiveSmallIntegerField(default=0)
    week = models.PositiveSmallIntegerField("周次")
    date = models.DateField("日期")
    # The organizers as printed; `organizers` holds the units the text was matched to.
    organizers_text = models.CharField("组织者", max_length=200)
    organizers = models.ManyToManyField(
        "branches.Organization", verbose_name="组织单位", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "时间安排"
        verbose_name_plural = "时间安排"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"第{self.week}周 {self.date:%m.%d} {self.organizers_text}"

    @property
    def weekday(self) -> str:
        """星期 is derived from the date so the two can never disagree."""
        return WEEKDAYS[self.date.weekday()]


class Reading(models.Model):
    """学习内容: one numbered reading, with its source, a link or attachment, and its page in the booklet."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="readings")
    number = models.PositiveSmallIntegerField("序号")
    title = models.CharField("篇目", max_length=300)
    source = models.CharField("来源", max_length=200, blank=True)
    url = models.URLField("链接", max_length=500, blank=True)
    attachment = models.FileField("附件", upload_to="study/readings/%Y/", blank=True, max_length=200)
    attachment_name = models.CharField("附件名", max_length=120, blank=True)
    page = models.PositiveSmallIntegerField("页码", null=True, blank=True, help_text="在印发材料中的页码")

    class Meta:
        verbose_name = "学习篇目"
        verbose_name_plural = "学习篇目"
        ordering = ["number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "number"], name="reading_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Requirement(models.Model):
    """学习要求: one numbered requirement."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="requirements")
    number = models.PositiveSmallIntegerField("序号")
    text = models.TextField("要求", max_length=2000)

    class Meta:
        verbose_name = "学习要求"
        verbose_name_plural = "学习要求"
        ordering = ["number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "number"], name="requirement_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:30]}"


class RevisionAction(models.TextChoices):
    PUBLISH = "publish", "发布"
    REVISE = "revise", "修订"


class ArrangementRevision(models.Model):
    """发布与修订记录: who published or changed an arrangement, when, what changed, and the content before."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.PROTECT, related_name="revisions")
    action = models.CharField("操作", max_length=20, choices=RevisionAction.choices)
    version = models.PositiveIntegerField("版本")
    from_state = models.CharField(max_length=20, choices=ArrangementState.choices)
    to_state = models.CharField(max_length=20, choices=ArrangementState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    # For a revision, the content as it stood before the change; for publishing, the content published.
    snapshot = models.JSONField("原内容")
    # [{"label": "学习教育主题", "old": "...", "new": "..."}]: what a reader of the list needs to see.
    changes = models.JSONField("修改内容", default=list, blank=True)
    reason = models.CharField("修订说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "学习安排修订记录"
        verbose_name_plural = "学习安排修订记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.arrangement} {self.get_action_display()} v{self.version}"
