"""What every daily-records service shares: permission checks and the lock message."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from members.models import Member

from ...selectors.quarters import quarter_number

NO_RIGHT = "您没有权限进行此操作。"
OWN_ROW = "积分记录员本人的{what}由支部书记或副书记登记，不能自己登记。"


def require(user, perm: str, obj, message: str = NO_RIGHT) -> None:
    if not user.has_perm(perm, obj):
        raise ValidationError(message)


def require_member(user, member: Member, what: str) -> None:
    """`points.record_member`, with the clause 四.1 reason spelled out when it is the recorder's own row."""
    if user.has_perm("points.record_member", member):
        return
    if (
        member.user_id is not None
        and member.user_id == user.pk
        and user.has_perm("points.record", member.branch)
    ):
        raise ValidationError(OWN_ROW.format(what=what))
    raise ValidationError(NO_RIGHT)


def locked_text(day: datetime.date) -> str:
    return f"{day.year}年第{quarter_number(day)}季度的日常记录已锁定（已转入支委初评）"


def member_names(ids) -> dict[int, str]:
    return dict(Member.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


@dataclass(frozen=True)
class SaveResult:
    created: int = 0
    updated: int = 0
    corrected: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.corrected
