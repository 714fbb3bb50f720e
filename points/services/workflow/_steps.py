"""Shared machinery of the workflow steps: permission checks, compare-and-set, the transition log."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from ...models import (
    EntryType,
    Transition,
)
from ...scoring import Bonus, Deduction, Judgment, MemberFacts, ScoringError
from ...scoring import score_provisional as engine_provisional


def _deny(message: str = "您没有权限进行此操作。"):
    raise ValidationError(message)


def _require(user, perm: str, obj, message: str = "您没有权限进行此操作。") -> None:
    if not user.has_perm(perm, obj):
        _deny(message)


def _log(subject_type: str, subject_id: int, from_state: str, to_state: str, actor, reason: str = "") -> None:
    Transition.objects.create(
        subject_type=subject_type,
        subject_id=subject_id,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        reason=reason[:500],
    )


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
        raise ValidationError(
            f"当前状态为“{getattr(current, f'get_{field}_display')()}”，不能进行此操作（可能已被他人处理）。"
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
