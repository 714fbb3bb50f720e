"""登记党费: a branch's year of monthly dues, saved as one grid."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ...models import DuesRecord, DuesStatus
from ...selectors.quarters import locked_quarters
from ...selectors.records import dues_members, first_dues_month, last_open_month
from ..filed import require_year_open
from .common import OWN_ROW, SaveResult, member_names, require


@transaction.atomic
def dues_record(
    *,
    branch,
    year: int,
    entries: Mapping[tuple[int, int], str],
    actor,
    correction_reason: str = "",
    today: datetime.date | None = None,
) -> SaveResult:
    """登记党费: save the year's grid at once — `entries` maps (member id, month) → status ("" = none).

    A month whose quarter is locked can only be corrected (with a reason); one bad cell refuses the
    whole request.
    """
    # Stays long: checks, locked read and writes run in this order in one transaction.
    today = today or timezone.localdate()
    require(actor, "points.record", branch, "只有积分记录员或支部书记、副书记可以登记党费。")
    require_year_open(branch, year)
    members = {m.pk: m for m in dues_members(branch)}
    last = last_open_month(year, today)
    correction_reason = (correction_reason or "").strip()

    errors = _grid_errors(entries, members, year, last, actor)
    if errors:
        raise ValidationError(errors)

    # The rows read are locked, in one order, until the save commits: a concurrent save of the same cells
    # (the secretary and the recorder at once) waits, rather than both writing from the same old state or
    # deadlocking on each other's UPDATEs. It then sees the cells changed in place; a cell the first one
    # corrected (a new row) makes it fail on the one-current-row constraint, refused below with a message.
    current = {
        (r.member_id, r.month): r
        for r in DuesRecord.objects.filter(
            member_id__in=[pk for pk, _ in entries], year=year, is_current=True
        )
        .select_for_update()
        .order_by("pk")
    }
    # Only now, with the rows locked, which quarters are locked, held until commit (see locked_quarters):
    # read before, a save that waited above for another one would still edit in place the cells of a
    # quarter sent to review meanwhile.
    locked_q = locked_quarters(branch, year, hold=True)
    to_create, retired = [], []
    to_update: dict[str, list[int]] = {}  # status -> ids of rows changed in place
    unchanged = 0
    touches_locked = False
    for (pk, month), status in sorted(entries.items()):
        old = current.get((pk, month))
        if not status:
            if old is not None:
                errors.append(
                    f"{members[pk].name}{month}月已有记录，不能清空；如有错误请改为正确的交纳情况。"
                )
            continue
        if old is not None and old.status == status:
            unchanged += 1
            continue
        if (month - 1) // 3 + 1 not in locked_q:
            if old is None:
                to_create.append(
                    DuesRecord(member_id=pk, year=year, month=month, status=status, recorded_by=actor)
                )
            else:
                to_update.setdefault(status, []).append(old.pk)
            continue
        touches_locked = True
        if old is not None:
            retired.append(old.pk)
        to_create.append(
            DuesRecord(
                member_id=pk,
                year=year,
                month=month,
                status=status,
                recorded_by=actor,
                corrects=old,
                correction_reason=correction_reason,
            )
        )
    if touches_locked and not correction_reason:
        numbers = "、".join(f"第{n}季度" for n in sorted(locked_q))
        errors.append(f"{year}年{numbers}的日常记录已锁定，修改党费属于更正，请填写更正理由。")
    if errors:
        raise ValidationError(errors)
    # One UPDATE per status among the changed cells (a handful), as the attendance sheet does, rather
    # than bulk_update's CASE per row.
    try:
        with transaction.atomic():
            if retired:
                DuesRecord.objects.filter(pk__in=retired).update(is_current=False)
            now = timezone.now()
            for status, pks in to_update.items():
                DuesRecord.objects.filter(pk__in=pks).update(
                    status=status, recorded_by=actor, recorded_at=now
                )
            if to_create:
                DuesRecord.objects.bulk_create(to_create)
    except IntegrityError:
        raise ValidationError("记录已被他人同时修改，请刷新页面后重试。") from None
    return SaveResult(
        created=len(to_create) - len(retired),
        updated=sum(len(pks) for pks in to_update.values()),
        corrected=len(retired),
        unchanged=unchanged,
    )


def _grid_errors(
    entries: Mapping[tuple[int, int], str], members: dict, year: int, last: int, actor
) -> list[str]:
    """What is wrong with the grid's cells before anything is read for saving: one message a problem."""
    valid = set(DuesStatus.values)
    errors: list[str] = []
    unknown = {pk for pk, _ in entries if pk not in members}
    if unknown:
        names = member_names(unknown)
        for pk in sorted(unknown):
            errors.append(
                f"{names[pk]}不在本支部的党费名单中。" if pk in names else f"提交的党员（编号 {pk}）不存在。"
            )
    refused: set[int] = set()
    for (pk, month), status in sorted(entries.items()):
        member = members.get(pk)
        if member is None:
            continue
        if not 1 <= month <= 12:
            errors.append(f"{member.name}：月份应为 1 至 12。")
            continue
        if status and status not in valid:
            errors.append(f"{member.name}{month}月：“{status}”不是有效的交纳情况。")
        if status and month < first_dues_month(member, year):
            errors.append(f"{member.name}{year}年{month}月尚未入党，无需登记党费。")
        if status and month > last:
            errors.append(f"{member.name}：{year}年{month}月尚未到期，不能登记党费。")
        if pk not in refused and not actor.has_perm("points.record_member", member):
            refused.add(pk)
            own = member.user_id == actor.pk
            errors.append(OWN_ROW.format(what="党费") if own else f"您不能登记{member.name}的党费。")
    return errors
