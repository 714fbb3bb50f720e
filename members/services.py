import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from branches.models import BRANCH_KINDS, OrgKind
from branches.services import committee_of
from points.locks import EXEMPTIONS, take_locks
from points.services.filed import require_year_open

from .models import (
    Category,
    Exemption,
    ExemptionState,
    ExemptionTransition,
    Member,
    MemberChange,
    MemberStatus,
)

# Fields whose changes are kept in the member's history.
TRACKED_FIELDS = (
    "code",
    "name",
    "gender",
    "category",
    "join_date",
    "probation_start",
    "probation_end",
    "branch",
    "group",
    "is_mobile",
    "mobile_destination",
    "activity_card_no",
    "status",
    "phone",
)


def _check_placement(member: Member) -> None:
    if member.branch.kind not in BRANCH_KINDS:
        raise ValidationError({"branch": "党员只能编入党支部或直属党支部。"})
    if member.group is not None and (
        member.group.kind != OrgKind.GROUP or member.group.parent_id != member.branch_id
    ):
        raise ValidationError({"group": f"党小组“{member.group}”不属于{member.branch}。"})
    if member.category == Category.PROBATIONARY and not (member.probation_start and member.probation_end):
        raise ValidationError({"probation_end": "预备党员须填写预备期起止日期。"})


def _display(member: Member, field: str) -> str:
    value = getattr(member, field)
    if value is None or value == "":
        return ""
    if hasattr(member, f"get_{field}_display"):
        return str(getattr(member, f"get_{field}_display")())
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


@transaction.atomic
def member_create(*, actor=None, reason: str = "新增", **fields) -> Member:
    member = Member(**fields)
    member.committee = committee_of(member.branch)
    _check_placement(member)
    member.full_clean()
    member.save()
    MemberChange.objects.create(member=member, actor=actor, field="*", new_value=str(member), reason=reason)
    return member


@transaction.atomic
def member_update(*, member: Member, actor=None, reason: str = "", **changes) -> list[str]:
    """Change a member's data; every changed field is written to the history. Returns the changed fields."""
    # of=("self",): PostgreSQL cannot lock the nullable side (group) of the outer join.
    locked = (
        Member.objects.select_for_update(of=("self",)).select_related("branch", "group").get(pk=member.pk)
    )
    before = {f: _display(locked, f) for f in TRACKED_FIELDS}
    for name, value in changes.items():
        if name not in TRACKED_FIELDS:
            raise ValidationError(f"不能修改字段 {name}。")
        setattr(locked, name, value)
    _check_placement(locked)
    locked.full_clean()
    changed = [f for f in TRACKED_FIELDS if _display(locked, f) != before[f]]
    if not changed:
        return []
    locked.save()
    MemberChange.objects.bulk_create(
        MemberChange(
            member=locked,
            actor=actor,
            field=f,
            old_value=before[f][:255],
            new_value=_display(locked, f)[:255],
            reason=reason,
        )
        for f in changed
    )
    member.refresh_from_db()
    return changed


@transaction.atomic
def member_transfer_out(*, member: Member, actor=None, reason: str) -> Member:
    """转出: the member leaves the roster; their history and points stay."""
    if member.status == MemberStatus.TRANSFERRED_OUT:
        raise ValidationError("该党员已转出。")
    member_update(
        member=member, actor=actor, reason=reason or "组织关系转出", status=MemberStatus.TRANSFERRED_OUT
    )
    from branches.models import Position

    Position.objects.filter(member=member, end_date__isnull=True).update(end_date=timezone.localdate())
    if member.user_id:
        from .security import sessions_revoke

        type(member.user).objects.filter(pk=member.user_id).update(is_active=False)
        sessions_revoke(member.user, reason="组织关系转出")
    return member


# --- exemption from points management (clause 二) -------------------------------------------

EXEMPTION_STEPS = {
    # step: (from state, to state, label used in refusals)
    "review": (ExemptionState.APPLIED, ExemptionState.REVIEWED, "支委会审核"),
    "pass": (ExemptionState.REVIEWED, ExemptionState.PASSED, "党员大会通过"),
    "publicize": (ExemptionState.PASSED, ExemptionState.IN_PUBLICITY, "公示"),
    "confirm": (ExemptionState.IN_PUBLICITY, ExemptionState.APPROVED, "公示期满无异议"),
}


def _transition(
    exemption: Exemption, *, to_state: str, from_states, actor, reason: str, **extra
) -> Exemption:
    updated = Exemption.objects.filter(pk=exemption.pk, state__in=from_states).update(state=to_state, **extra)
    if updated != 1:
        current = Exemption.objects.get(pk=exemption.pk)
        raise ValidationError(f"当前状态为“{current.get_state_display()}”，不能进行此操作。")
    ExemptionTransition.objects.create(
        exemption=exemption, actor=actor, from_state=exemption.state, to_state=to_state, reason=reason
    )
    exemption.refresh_from_db()
    return exemption


@transaction.atomic
def exemption_apply(*, member: Member, year: int, reason: str, detail: str, actor=None) -> Exemption:
    take_locks(EXEMPTIONS)
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError("已转出的党员不能申请免于积分管理。")
    require_year_open(member.branch_id, year)
    if Exemption.objects.filter(member=member, year=year).exclude(state=ExemptionState.REJECTED).exists():
        raise ValidationError(f"{member.name}在{year}年度已有免于积分管理的申请。")
    exemption = Exemption(member=member, year=year, reason=reason, detail=detail)
    exemption.full_clean()
    try:
        with transaction.atomic():
            exemption.save()
    except IntegrityError:  # applied for meanwhile by another request (exemption_one_open_per_member_year)
        raise ValidationError(f"{member.name}在{year}年度已有免于积分管理的申请。") from None
    ExemptionTransition.objects.create(
        exemption=exemption, actor=actor, to_state=ExemptionState.APPLIED, reason="本人申请"
    )
    return exemption


@transaction.atomic
def exemption_advance(
    *,
    exemption: Exemption,
    step: str,
    actor,
    reason: str = "",
    today: datetime.date | None = None,
    publicity_days: int = 5,
) -> Exemption:
    """One step of the approval path: 支委会审核 → 党员大会通过 → 公示 → 公示期满无异议."""
    take_locks(EXEMPTIONS)
    if step not in EXEMPTION_STEPS:
        raise ValidationError("未知的审批步骤。")
    from_state, to_state, label = EXEMPTION_STEPS[step]
    require_year_open(exemption.member.branch_id, exemption.year)
    today = today or timezone.localdate()
    extra = {}
    if step == "publicize":
        extra["publicity_end"] = today + datetime.timedelta(days=publicity_days)
    if step == "confirm" and exemption.publicity_end and today <= exemption.publicity_end:
        raise ValidationError(f"公示期至 {exemption.publicity_end:%Y-%m-%d} 结束，期满后才能确认。")
    return _transition(
        exemption, to_state=to_state, from_states=[from_state], actor=actor, reason=reason or label, **extra
    )


@transaction.atomic
def exemption_reject(*, exemption: Exemption, actor, reason: str) -> Exemption:
    """Refused at review or assembly, or an objection upheld during publicity."""
    take_locks(EXEMPTIONS)
    if not reason.strip():
        raise ValidationError("请填写不予通过的理由。")
    require_year_open(exemption.member.branch_id, exemption.year)
    open_states = [
        ExemptionState.APPLIED,
        ExemptionState.REVIEWED,
        ExemptionState.PASSED,
        ExemptionState.IN_PUBLICITY,
    ]
    return _transition(
        exemption, to_state=ExemptionState.REJECTED, from_states=open_states, actor=actor, reason=reason
    )


@transaction.atomic
def member_account_create(*, member: Member, actor) -> str:
    """开通登录账号: the user name is the member code; the initial password is shown once and must be
    changed at the first login. Returns that password."""
    from django.contrib.auth import get_user_model

    from .security import require_password_change

    if member.status != MemberStatus.ACTIVE:
        raise ValidationError("已转出的党员不能开通账号。")
    if member.user_id:
        raise ValidationError(f"{member.name}已有登录账号。")
    User = get_user_model()
    if User.objects.filter(username=member.code).exists():
        raise ValidationError(f"用户名 {member.code} 已被占用，请联系系统管理员。")
    password = secrets.token_urlsafe(9)
    user = User.objects.create_user(username=member.code, password=password, first_name=member.name)
    if Member.objects.filter(pk=member.pk, user__isnull=True).update(user=user) != 1:
        raise ValidationError(f"{member.name}已有登录账号。")
    MemberChange.objects.create(
        member=member, actor=actor, field="user", new_value=member.code, reason="开通登录账号"
    )
    require_password_change(user, actor=actor)
    member.refresh_from_db()
    return password
