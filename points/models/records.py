"""日常记录 (clause 四.1): sessions and attendance, dues, thought reports, mobile members' evidence.

Records are editable until their quarter goes to review; after that a correction is a new row
that points at the one it corrects (`corrects`), and only rows with `is_current` count.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Correctable(models.Model):
    """A record the recorder edits in place while its quarter is open and corrects afterwards: the
    correction is a new row pointing at the old one (`corrects`), which stops counting (`is_current`)."""

    is_current = models.BooleanField(default=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    correction_reason = models.CharField("更正理由", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SessionKind(models.TextChoices):
    ASSEMBLY = "assembly", "支部党员大会"
    COMMITTEE_MEETING = "committee_meeting", "支委会"
    GROUP_MEETING = "group_meeting", "党小组会"
    PARTY_LECTURE = "party_lecture", "党课"
    ACTIVITY_DAY = "activity_day", "统一活动日/主题党日"
    STUDY = "study", "集中学习"
    WORK_MEETING = "work_meeting", "工作会议（重大事务决策、发展党员、评议党员等）"


# Which base item a session's attendance feeds (clause 三(一)): 三会一课 and the activity day are
# organizational life; work meetings are 按时参加会议; study sessions add study hours.
ORG_LIFE_KINDS = (
    SessionKind.ASSEMBLY,
    SessionKind.COMMITTEE_MEETING,
    SessionKind.GROUP_MEETING,
    SessionKind.PARTY_LECTURE,
    SessionKind.ACTIVITY_DAY,
)
MEETING_KINDS = (SessionKind.WORK_MEETING,)
STUDY_HOUR_KINDS = (SessionKind.STUDY, SessionKind.PARTY_LECTURE)


class Audience(models.TextChoices):
    BRANCH = "branch", "全体党员"
    GROUP = "group", "党小组成员"
    COMMITTEE = "committee", "支委会成员"


class Session(models.Model):
    """组织生活/会议/集中学习: one dated session of a branch's calendar."""

    branch = models.ForeignKey("branches.Organization", on_delete=models.PROTECT, related_name="sessions")
    group = models.ForeignKey(
        "branches.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_sessions",
    )
    kind = models.CharField("类型", max_length=20, choices=SessionKind.choices)
    title = models.CharField("主题", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    venue = models.CharField("地点", max_length=200, blank=True)
    format = models.CharField("活动方式", max_length=50, blank=True)
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1, default=0)
    audience = models.CharField(
        "应参加人员", max_length=20, choices=Audience.choices, default=Audience.BRANCH
    )
    signin_secret = models.CharField(max_length=64, editable=False)
    is_cancelled = models.BooleanField("已取消", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["branch", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(hours__gte=0) & Q(hours__lte=24), name="session_hours_range"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d} {self.get_kind_display()} {self.title}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    LATE = "late", "迟到"
    LEFT_EARLY = "left_early", "早退"
    EXCUSED = "excused", "请假"
    ABSENT = "absent", "缺席"


class Attendance(Correctable):
    """出勤记录: one member's attendance at one session (the current row counts)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendances")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField("出勤", max_length=20, choices=AttendanceStatus.choices)
    reason = models.CharField("事由", max_length=200, blank=True)
    via_qr = models.BooleanField("扫码签到", default=False)

    class Meta:
        verbose_name = "出勤记录"
        verbose_name_plural = "出勤记录"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"], condition=Q(is_current=True), name="attendance_one_current"
            ),
        ]
        indexes = [models.Index(fields=["member", "is_current"])]


class DuesStatus(models.TextChoices):
    ON_TIME = "on_time", "按时足额"
    LATE = "late", "逾期交纳"
    SHORT = "short", "未足额"
    UNPAID = "unpaid", "未交纳"


class DuesRecord(Correctable):
    """党费交纳: one member's dues for one month."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    status = models.CharField("交纳情况", max_length=20, choices=DuesStatus.choices)
    amount = models.DecimalField("金额（元）", max_digits=8, decimal_places=2, null=True, blank=True)
    paid_on = models.DateField("交纳日期", null=True, blank=True)

    class Meta:
        verbose_name = "党费记录"
        verbose_name_plural = "党费记录"
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year", "month"], condition=Q(is_current=True), name="dues_one_current"
            ),
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="dues_month_range"),
        ]


class ThoughtReport(Correctable):
    """思想汇报: a report received from a member (date received)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="thought_reports")
    received_on = models.DateField("收到日期")
    summary = models.CharField("摘要", max_length=200, blank=True)

    class Meta:
        verbose_name = "思想汇报"
        verbose_name_plural = "思想汇报"
        ordering = ["-received_on"]


class MobileEvidence(models.Model):
    """流动党员证明材料: a photo or scan of a page of the 《流动党员活动证》."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="mobile_evidence")
    activity_on = models.DateField("活动日期")
    description = models.CharField("活动内容", max_length=200)
    file = models.FileField("活动证页面", upload_to="evidence/mobile/%Y/")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "流动党员活动证明"
        verbose_name_plural = "流动党员活动证明"
        ordering = ["-activity_on"]
