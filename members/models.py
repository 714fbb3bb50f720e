from django.conf import settings
from django.db import models
from django.db.models import Q

from points.audit import AuditChained


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Category(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"
    ACTIVIST = "activist", "入党积极分子"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    TRANSFERRED_OUT = "transferred_out", "已转出"


class Member(models.Model):
    """党员 (含预备党员、参照管理的入党积极分子). Only the personal data the work needs: no ID numbers."""

    committee = models.ForeignKey(
        "branches.Organization",
        verbose_name="党委",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    code = models.CharField("党员编号", max_length=40)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=10, choices=Gender.choices)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    join_date = models.DateField(
        "入党日期", null=True, blank=True, help_text="入党积极分子填写确定为积极分子的日期"
    )
    probation_start = models.DateField("预备期开始", null=True, blank=True)
    probation_end = models.DateField("预备期结束", null=True, blank=True)
    branch = models.ForeignKey(
        "branches.Organization", verbose_name="所在党支部", on_delete=models.PROTECT, related_name="members"
    )
    group = models.ForeignKey(
        "branches.Organization",
        verbose_name="所在党小组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_members",
    )
    is_mobile = models.BooleanField("流动党员", default=False)
    mobile_destination = models.CharField("流入地", max_length=100, blank=True)
    activity_card_no = models.CharField("流动党员活动证编号", max_length=40, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["branch__path", "code"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "code"], name="member_code_unique_in_committee"),
            models.CheckConstraint(
                condition=~Q(category="probationary")
                | Q(probation_start__isnull=False, probation_end__isnull=False),
                name="member_probation_dates_required",
            ),
            models.CheckConstraint(
                condition=Q(probation_end__isnull=True)
                | Q(probation_start__isnull=True)
                | Q(probation_end__gt=models.F("probation_start")),
                name="member_probation_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["branch", "status"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class MemberChange(models.Model):
    """党员信息变更记录: who changed which field of a member, when, from what to what."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=40)
    old_value = models.CharField(max_length=255, blank=True)
    new_value = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class ExemptionReason(models.TextChoices):
    # Clause 二 of 锡组通〔2020〕8号: the four grounds for not taking part in points management.
    AWAY = "away", "一年内连续外出（无锡市外）"
    INFIRM = "infirm", "年老体弱卧床不起或长期病休生活不能自理"
    NEW = "new", "新发展或市外转入半年以下"
    OTHER = "other", "其他特殊情况"


class ExemptionState(models.TextChoices):
    APPLIED = "applied", "本人已申请"
    REVIEWED = "reviewed", "支委会已审核"
    PASSED = "passed", "党员大会已通过"
    IN_PUBLICITY = "in_publicity", "公示中"
    APPROVED = "approved", "公示无异议，已生效"
    REJECTED = "rejected", "未通过"


class Exemption(models.Model):
    """免于积分管理: a member's exemption for one year (clause 二), with its approval path."""

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="exemptions"
    )
    year = models.PositiveSmallIntegerField("积分年度")
    reason = models.CharField("申请理由", max_length=20, choices=ExemptionReason.choices)
    detail = models.TextField("情况说明", max_length=1000)
    state = models.CharField(
        "状态", max_length=20, choices=ExemptionState.choices, default=ExemptionState.APPLIED
    )
    publicity_end = models.DateField("公示截止", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "免于积分管理"
        verbose_name_plural = "免于积分管理"
        ordering = ["-year", "member__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"],
                condition=~Q(state="rejected"),
                name="exemption_one_open_per_member_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year} {self.get_reason_display()}"


class ExemptionTransition(AuditChained):
    """免于积分管理 审批记录: who moved an exemption from one state to the next, when and why (audit-chained)."""

    exemption = models.ForeignKey(Exemption, on_delete=models.PROTECT, related_name="transitions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    from_state = models.CharField(max_length=20, choices=ExemptionState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ExemptionState.choices)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]


# --- security (members/security/): accounts, login lockout and the security log -------------------


class AccountSecurity(models.Model):
    """账号安全状态: whether the account must change its password, and its session epoch.

    A row exists only for accounts that were ever flagged or revoked; no row means "nothing special".
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    # Sessions remember the epoch they were opened in; raising it ends every open session.
    session_epoch = models.PositiveIntegerField(default=0)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "账号安全状态"
        verbose_name_plural = "账号安全状态"


class LoginFailure(models.Model):
    """登录失败记录: one failed attempt, counted for the account and for the address."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["username", "at"]), models.Index(fields=["ip", "at"])]


class LockScope(models.TextChoices):
    ACCOUNT = "account", "账号"
    ADDRESS = "address", "地址"


class LoginLock(models.Model):
    """登录锁定: an account or an address refused for a while after repeated failures."""

    scope = models.CharField("对象", max_length=10, choices=LockScope.choices)
    key = models.CharField("账号或地址", max_length=150)
    locked_at = models.DateTimeField("锁定时间")
    until = models.DateTimeField("锁定至")
    lifted_at = models.DateTimeField("解除时间", null=True, blank=True)

    class Meta:
        verbose_name = "登录锁定"
        verbose_name_plural = "登录锁定"
        ordering = ["-locked_at"]
        indexes = [
            models.Index(fields=["scope", "key", "until"]),
            models.Index(fields=["lifted_at", "until"]),
        ]


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", "登录"
    LOGOUT = "logout", "退出登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED = "locked", "登录锁定"
    UNLOCKED = "unlocked", "解除锁定"
    SESSION_ENDED = "session_ended", "会话终止"
    PASSWORD_CHANGED = "password_changed", "修改密码"
    PASSWORD_CHANGE_REQUIRED = "password_change_required", "要求修改密码"
    FORBIDDEN = "forbidden", "拒绝访问（403）"
    NOT_FOUND = "not_found", "访问不存在或不可见的对象（404）"
    EXPORT = "export", "导出数据"


class SecurityOutcome(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


class SecurityEvent(models.Model):
    """安全审计日志: who did what security-relevant thing, when, from where, with what outcome.

    Written only by members/security; never changed through the app; kept at least 180 days.
    """

    at = models.DateTimeField("时间", db_index=True)
    kind = models.CharField("事件", max_length=30, choices=SecurityEventKind.choices)
    outcome = models.CharField("结果", max_length=10, choices=SecurityOutcome.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The name as typed or as it was then: kept when the account is renamed or deleted.
    username = models.CharField("用户名", max_length=150, blank=True)
    ip = models.GenericIPAddressField("地址", null=True)
    path = models.CharField("访问路径", max_length=500, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)
    request_id = models.CharField("请求编号", max_length=32, blank=True)

    class Meta:
        verbose_name = "安全审计日志"
        verbose_name_plural = "安全审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "at"]), models.Index(fields=["username", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_kind_display()}"
