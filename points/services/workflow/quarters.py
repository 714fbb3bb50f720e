"""Opening a quarter and sending it to review (clause 四)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ...locks import TRANSITIONS, take_locks
from ...models import (
    Quarter,
    QuarterState,
)
from ..filed import require_year_open
from ._steps import _log, _move, _require, _year_open

# --- quarters ------------------------------------------------------------------------------


@transaction.atomic
def quarter_open(*, branch, year: int, number: int, actor, declaration_closes: datetime.date | None = None):
    """开启季度: the secretary opens a quarter for records and declarations."""
    take_locks(TRANSITIONS)
    _require(actor, "points.manage_quarter", branch, "只有支部书记或副书记可以开启积分季度。")
    if number not in (1, 2, 3, 4):
        raise ValidationError("季度应为 1 至 4。")
    if not branch.is_branch:
        raise ValidationError("积分管理以党支部为单位。")
    require_year_open(branch, year)
    if Quarter.objects.filter(branch=branch, year=year, number=number).exists():
        raise ValidationError(f"{year}年第{number}季度已开启。")
    earlier_open = Quarter.objects.filter(branch=branch).exclude(state=QuarterState.CLOSED).filter(
        year__lt=year
    ) | Quarter.objects.filter(branch=branch, year=year, number__lt=number).exclude(state=QuarterState.CLOSED)
    if earlier_open.exists():
        raise ValidationError("上一季度的积分尚未公示结束，请先完成上一季度。")
    quarter = Quarter(branch=branch, year=year, number=number, declaration_closes=declaration_closes)
    quarter.full_clean()
    try:
        with transaction.atomic():
            quarter.save()
    except IntegrityError:  # opened meanwhile by another request (quarter_unique)
        raise ValidationError(f"{year}年第{number}季度已开启。") from None
    _log("quarter", quarter.pk, "", QuarterState.OPEN, actor, "开启季度")
    return quarter


@transaction.atomic
def quarter_start_review(*, quarter: Quarter, actor):
    """申报截止、转入支委初评: records of the quarter are locked from now on."""
    take_locks(TRANSITIONS)
    _require(actor, "points.manage_quarter", quarter.branch, "只有支部书记或副书记可以启动支委初评。")
    _year_open(quarter)
    return _move(
        Quarter,
        quarter,
        from_states=QuarterState.OPEN,
        to_state=QuarterState.IN_REVIEW,
        actor=actor,
        reason="申报截止，转入支委初评",
        subject_type="quarter",
    )
