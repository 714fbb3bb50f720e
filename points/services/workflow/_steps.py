"""Shared machinery of the workflow steps: permission checks, compare-and-set, the transition log."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from ...models import (
    EntryType,
    Transition,
)
from ...scoring import Bonus, Deduction, Judgment, MemberFacts, ScoringError
from ...scoring import score_provisional as engine_provisional
from ..filed import require_year_open


def _deny(message: str = "您没有权限进行此操作。"):
    raise ValidationError(message)


def _require(user, perm: str, obj, message: str = "您没有权限进行此操作。") -> None:
    if not user.has_perm(perm, obj):
        _deny(message)


def _year_open(quarter) -> None:
    """A quarter's step changes its year's facts: refused once the year has gone to the higher organization."""
    require_year_open(quarter.branch_id, quarter.year)


def _log(subject_type: str, subject_id: int, from_state: str, to_state: str, actor, reason: str = "") -> None:
    Transition.objects.create(
        subject_type=subject_type,
        subject_id=subject_id,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        reason=reason[:500],
    )


# What must happen next, by the state a record is in: an out-of-order step's refusal names it.
NEXT_STEP = {
    ("quarter", "open"): "请先“截止申报，转入支委初评”。",
    ("quarter", "in_review"): "请先完成支委初评，再登记支部党员大会评定。",
    ("quarter", "determined"): "请先发布公示。",
    ("quarter", "published"): "请在公示期满后先“结束公示”。",
    ("quarter", "closed"): "本季度积分已公示结束。",
    ("declaration", "draft"): "这条申报尚未提交，须申报人先提交。",
    ("declaration", "submitted"): "这条申报已提交，等待支委会初评。",
    ("declaration", "approved"): "这条申报已认定。",
    ("declaration", "rejected"): "这条申报已初评为未认定。",
    ("declaration", "withdrawn"): "这条申报已由本人撤回。",
    ("annualfiling", "rolled_up"): "请先将年度积分报上级党组织审核备案。",
    ("annualfiling", "submitted"): "已报上级党组织，请等待审核备案。",
    ("annualfiling", "filed"): "已审核备案，结果锁定。",
    ("annualfiling", "returned"): "上级党组织已退回，请修改后重新汇总上报。",
    ("objection", "upheld"): "这条异议已处理。",
    ("objection", "dismissed"): "这条异议已处理。",
}
LINEAR = {"quarter"}  # states in order: a step already passed is "done", not "missing"


def _next_step(model, current, field: str, to_state: str) -> str:
    name, state = model._meta.model_name, getattr(current, field)
    if name in LINEAR:
        order = [value for value, _ in model._meta.get_field(field).choices]
        if order.index(state) >= order.index(to_state):
            return "这一步已经办理，无需重复操作。"
    return NEXT_STEP.get((name, state), "请按流程先办理前一步骤。")


def _move(
    model,
    obj,
    *,
    field: str = "state",
    from_states,
    to_state: str,
    actor,
    reason: str = "",
    subject_type: str,
    **extra,
):
    """Compare-and-set a state; on a lost race or a wrong state, a clear refusal and no change."""
    from_states = [from_states] if isinstance(from_states, str) else list(from_states)
    updated = model.objects.filter(pk=obj.pk, **{f"{field}__in": from_states}).update(
        **{field: to_state}, **extra
    )
    if updated != 1:
        current = model.objects.get(pk=obj.pk)
        label = getattr(current, f"get_{field}_display")()
        if getattr(obj, field) in from_states:
            # The page showed a state that allowed this step: someone changed it meanwhile.
            raise ValidationError(f"当前状态为“{label}”，不能进行此操作（可能已被他人处理）。")
        raise ValidationError(
            f"当前状态为“{label}”，不能进行此操作：{_next_step(model, current, field, to_state)}"
        )
    old = getattr(obj, field)
    _log(subject_type, obj.pk, old, to_state, actor, reason)
    obj.refresh_from_db()
    return obj


def check_item(
    scheme,
    *,
    entry_type: str,
    kind: str,
    value=None,
    level: str = "",
    own_duty: bool = False,
    measure: str = "",
    reason: str = "",
    content_key: str = "",
) -> Decimal:
    """Let the engine judge one item against the scheme: a bad kind, value or measure is refused with
    the engine's own message naming the rule."""
    if entry_type == EntryType.BONUS:
        facts = MemberFacts(
            member_id=0,
            bonuses=(
                Bonus(
                    kind=kind,
                    value=None if level else value,
                    level=level or None,
                    own_duty=own_duty,
                    content_key=content_key or ("-" if level else ""),
                ),
            ),
        )
    elif entry_type == EntryType.DEDUCTION:
        facts = MemberFacts(member_id=0, deductions=(Deduction(kind=kind, value=value, measure=measure),))
    elif entry_type == EntryType.JUDGMENT:
        if kind not in {item.code for item in scheme.base_items if item.method == "judgment"}:
            raise ValidationError(f"“{kind}”不是由支委会评定的基础积分项目。")
        facts = MemberFacts(member_id=0, judgments={kind: Judgment(value=value, reason=reason)})
    else:
        raise ValidationError("未知的积分类别。")
    try:
        engine_provisional(scheme, facts)
    except ScoringError as exc:
        raise ValidationError(str(exc)) from None
    if entry_type == EntryType.BONUS and level:
        kind_def = next(k for k in scheme.bonus_kinds if k.code == kind)
        return next(lv.value for lv in kind_def.levels if lv.code == level)
    return Decimal(value)
