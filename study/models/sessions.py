"""A branch's study session of an arrangement, its reschedule notices and its study record."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class StudySession(models.Model):
    """学习教育活动: a branch's (or party group's) session of an arrangement.

    Time, venue, format, hours and attendance live on the shared points.Session (kind `study`), so
    the attendance screen and the scoring read them like any other session.
    """

    arrangement = models.ForeignKey(
        "study.Arrangement", verbose_name="学习安排", on_delete=models.PROTECT, related_name="sessions"
    )
    session = models.OneToOneField(
        "points.Session", verbose_name="活动", on_delete=models.PROTECT, related_name="study"
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    planned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "学习教育活动"
        verbose_name_plural = "学习教育活动"
        ordering = ["-session__starts_at"]

    def __str__(self) -> str:
        return f"{self.session.branch} {self.arrangement.issue_label}"


class NoticeState(models.TextChoices):
    SUBMITTED = "submitted", "待党总支报送"
    FORWARDED = "forwarded", "已报党委组织部"
    ACCEPTED = "accepted", "组织部已同意"
    RETURNED = "returned", "已退回"


OPEN_NOTICE_STATES = (NoticeState.SUBMITTED, NoticeState.FORWARDED)


class RescheduleNotice(models.Model):
    """时间调整报备: moving a study session, reported through the general branch to the department half a
    day ahead, with the new format and venue (学习要求 1)."""

    study_session = models.ForeignKey(
        StudySession, verbose_name="学习教育活动", on_delete=models.PROTECT, related_name="notices"
    )
    state = models.CharField(
        "状态", max_length=20, choices=NoticeState.choices, default=NoticeState.SUBMITTED
    )
    # The session as it stood when the notice was filed; accepting checks it has not moved since.
    old_starts_at = models.DateTimeField("原开始时间")
    old_ends_at = models.DateTimeField("原结束时间")
    old_venue = models.CharField("原活动地点", max_length=200, blank=True)
    old_format = models.CharField("原活动方式", max_length=50, blank=True)
    new_starts_at = models.DateTimeField("调整后开始时间")
    new_ends_at = models.DateTimeField("调整后结束时间")
    new_venue = models.CharField("调整后活动地点", max_length=200)
    new_format = models.CharField("调整后活动方式", max_length=50)
    reason = models.CharField("调整原因", max_length=300)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间")
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    forwarded_at = models.DateTimeField("报送时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_note = models.CharField("处理意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "时间调整报备"
        verbose_name_plural = "时间调整报备"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_ends_at__gt=models.F("new_starts_at")), name="notice_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study_session} 调整至 {timezone.localtime(self.new_starts_at):%Y-%m-%d %H:%M}"


class NoticeTransition(models.Model):
    """报备流转记录: who moved a notice from one state to the next, when and why."""

    notice = models.ForeignKey(RescheduleNotice, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=NoticeState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=NoticeState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]


class StudyRecord(models.Model):
    """学习教育记录: what a session studied and discussed (学习要求 2), kept by the branch."""

    study_session = models.OneToOneField(StudySession, on_delete=models.PROTECT, related_name="record")
    content = models.TextField("学习内容", max_length=3000)
    readings = models.ManyToManyField(
        "study.Reading", verbose_name="学习篇目", blank=True, related_name="records"
    )
    minutes = models.TextField("活动纪要", max_length=10000, blank=True)
    note_taker = models.CharField("记录人", max_length=50)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "学习教育记录"
        verbose_name_plural = "学习教育记录"

    def __str__(self) -> str:
        return f"{self.study_session} 记录"


class DiscussionEntry(models.Model):
    """讨论发言: who spoke in the discussion and their key points."""

    record = models.ForeignKey(StudyRecord, on_delete=models.CASCADE, related_name="discussion")
    position = models.PositiveSmallIntegerField(default=0)
    speaker = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too: the record must still read right after a member transfers out.
    speaker_name = models.CharField("发言人", max_length=50)
    points = models.TextField("发言要点", max_length=2000)

    class Meta:
        verbose_name = "讨论发言"
        verbose_name_plural = "讨论发言"
        ordering = ["position", "id"]


class StudyAttachment(models.Model):
    """活动照片与附件: a JPEG, PNG or PDF of a session, served only through a permission-checked view."""

    study_session = models.ForeignKey(StudySession, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="study/records/%Y/%m/", max_length=200)
    content_type = models.CharField(max_length=40)
    original_name = models.CharField("文件名", max_length=120)
    size = models.PositiveIntegerField("大小")
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "活动附件"
        verbose_name_plural = "活动附件"
        ordering = ["uploaded_at", "id"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
