"""What both history resources share: reading cells, and the scope every imported row must be in."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.db import connection
from import_export import resources
from import_export.widgets import DecimalWidget

from branches.models import BRANCH_KINDS, Organization
from members.models import Member

from ..locks import LEDGER, TRANSITIONS, take_locks
from ..models import (
    EntryType,
)
from ..reports.access import imports_for_branch

HISTORY_REASON = "历史数据导入"
YES = {"是", "Y", "y", "yes", "true", "1", "√"}
NO = {"", "否", "N", "n", "no", "false", "0"}
ENTRY_TYPE_LABELS = dict(EntryType.choices)
# Exports keep numbers and dates as such, so the file sorts and sums in Excel.
NUMBER = DecimalWidget(coerce_to_string=False)
QUARTER_LABEL = re.compile(r"^(\d{4})年第([1-4])季度$")


def cell_text(value) -> str:
    """A cell as text: whole numbers without '.0' (a code typed as a number), dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value).strip()


def cell_number(value, column: str, errors: dict, *, required: bool = True) -> Decimal | None:
    text = cell_text(value)
    if not text:
        if required:
            errors.setdefault(column, []).append("不能为空。")
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.setdefault(column, []).append(f"“{text}”不是数字。")
        return None
    if not number.is_finite() or number < 0 or (number * 2) % 1:
        errors.setdefault(column, []).append(f"“{text}”应为不小于 0 的数，且为 0.5 分的整数倍。")
        return None
    return number


def by_code_or_label(text: str, choices: list[tuple[str, str]]) -> str | None:
    for code, label in choices:
        if text in (code, label):
            return code
    return None


class _ScopedResource(resources.ModelResource):
    """Shared by both resources: the importing user, their branches, and Chinese errors per column."""

    def __init__(self, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self._branches: dict[int, Organization] = {}

    def importable_branch(self, branch) -> bool:
        if branch.pk not in self._branches:
            self._branches[branch.pk] = branch if imports_for_branch(self.actor, branch) else None
        return self._branches[branch.pk] is not None

    def member_by_code(self, code: str, errors: dict) -> Member | None:
        member = (
            Member.objects.filter(code=code, branch__kind__in=BRANCH_KINDS).select_related("branch").first()
            if code
            else None
        )
        if member is None or not self.importable_branch(member.branch):
            errors.setdefault("党员编号", []).append(f"党员编号“{code}”不存在，或不在您可以导入的范围内。")
            return None
        return member

    def before_import(self, dataset, **kwargs):
        missing = [c for c in self.required_columns if c not in (dataset.headers or [])]
        if missing:
            raise ValueError(f"表头缺少以下列：{'、'.join(missing)}。请使用导入模板。")
        # The import writes transitions and ledger entries row by row: both chain locks first, in the one
        # order every service takes them (docs/concurrency.md). Inside import-export's transaction.
        if connection.in_atomic_block:
            take_locks(LEDGER, TRANSITIONS)


# --- annual results ---------------------------------------------------------------------------------
