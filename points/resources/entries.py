"""历史积分条目: past quarters' point items, imported into closed quarters."""

from __future__ import annotations

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from import_export.fields import Field
from import_export.widgets import DateWidget

from ..models import (
    EntryType,
    PointEntry,
    Quarter,
    QuarterState,
    Transition,
)
from ..scoring import (
    GUIDELINE_SCHEME,
)
from ..selectors.facts import scheme_for
from ..selectors.quarters import final_filing, final_text
from ..services.workflow import check_item
from ._common import (
    ENTRY_TYPE_LABELS,
    HISTORY_REASON,
    NUMBER,
    QUARTER_LABEL,
    _ScopedResource,
    by_code_or_label,
    cell_number,
    cell_text,
)


class PointEntryResource(_ScopedResource):
    """历史积分条目: bonuses, deductions and judgments, each filed in the closed quarter of its date."""

    branch_name = Field(column_name="党支部", readonly=True)
    member_code = Field(column_name="党员编号")
    member_name = Field(column_name="姓名")
    occurred_on = Field(
        attribute="occurred_on", column_name="日期", widget=DateWidget(coerce_to_string=False)
    )
    quarter_label = Field(column_name="季度")
    entry_type = Field(attribute="entry_type", column_name="类别")
    kind = Field(attribute="kind", column_name="项目")
    value = Field(attribute="value", column_name="分值", widget=NUMBER)
    level = Field(attribute="level", column_name="表彰级别")
    content_key = Field(attribute="content_key", column_name="表彰内容")
    measure = Field(attribute="measure", column_name="帮教整改措施")
    reason = Field(attribute="reason", column_name="事由与依据")

    required_columns = ("党员编号", "日期", "类别", "项目", "分值", "事由与依据")
    # 日期 may be left blank when 季度 names the quarter (entries recorded without a date export so).

    class Meta:
        model = PointEntry
        fields = (
            "branch_name",
            "member_code",
            "member_name",
            "occurred_on",
            "quarter_label",
            "entry_type",
            "kind",
            "value",
            "level",
            "content_key",
            "measure",
            "reason",
        )
        force_init_instance = True
        clean_model_instances = False
        skip_diff = True
        use_transactions = True

    def __init__(self, actor=None, **kwargs):
        super().__init__(actor=actor, **kwargs)
        self._quarters: dict[tuple[int, int, int], Quarter | None] = {}
        self._judged: set[tuple[int, int, str]] = set()

    # export ------------------------------------------------------------------------------------

    def dehydrate_branch_name(self, obj):
        return obj.quarter.branch.name

    def dehydrate_member_code(self, obj):
        return obj.member.code

    def dehydrate_member_name(self, obj):
        return obj.member.name

    def dehydrate_quarter_label(self, obj):
        return obj.quarter.label

    def dehydrate_entry_type(self, obj):
        return ENTRY_TYPE_LABELS.get(obj.entry_type, obj.entry_type)

    def dehydrate_kind(self, obj):
        return dict(_kind_choices(GUIDELINE_SCHEME, obj.entry_type)).get(obj.kind, obj.kind)

    def dehydrate_level(self, obj):
        return dict(_level_choices(GUIDELINE_SCHEME)).get(obj.level, obj.level)

    def dehydrate_measure(self, obj):
        return dict(GUIDELINE_SCHEME.choices("measures")).get(obj.measure, obj.measure)

    # import ------------------------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        # Stays long: each column's lookup and check in the workbook's column order, errors in that order.
        errors: dict[str, list[str]] = {}
        member = self.member_by_code(cell_text(row.get("党员编号")), errors)
        name = cell_text(row.get("姓名"))
        if member and name and name != member.name:
            errors.setdefault("姓名", []).append(f"姓名“{name}”与党员编号对应的“{member.name}”不符。")
        when = _when(row.get("日期"), row.get("季度"), errors)

        entry_type = by_code_or_label(cell_text(row.get("类别")), EntryType.choices)
        if entry_type is None:
            errors["类别"] = [f"类别应为{'、'.join(ENTRY_TYPE_LABELS.values())}之一。"]
        reason = cell_text(row.get("事由与依据"))
        if not reason:
            errors["事由与依据"] = ["请写明事由与依据。"]
        if errors or member is None or when is None:
            raise ValidationError(errors or {NON_FIELD_ERRORS: ["无法读取本行。"]})
        year, number, day = when

        scheme = scheme_for(member.branch, year)
        kind_text = cell_text(row.get("项目"))
        kind = by_code_or_label(kind_text, _kind_choices(scheme, entry_type))
        if kind is None:
            options = "、".join(label for _, label in _kind_choices(scheme, entry_type))
            errors["项目"] = [f"“{kind_text}”不是{ENTRY_TYPE_LABELS[entry_type]}项目，可选：{options}。"]
        level = ""
        level_text = cell_text(row.get("表彰级别"))
        if level_text:
            level = by_code_or_label(level_text, _level_choices(scheme)) or ""
            if not level:
                errors["表彰级别"] = [f"“{level_text}”不是表彰级别。"]
        measure = ""
        measure_text = cell_text(row.get("帮教整改措施"))
        if entry_type == EntryType.DEDUCTION:
            measure = by_code_or_label(measure_text, scheme.choices("measures")) or ""
            if not measure:
                labels = "、".join(label for _, label in scheme.choices("measures"))
                errors["帮教整改措施"] = [f"减分须注明帮教整改措施：{labels}。"]
        value = cell_number(row.get("分值"), "分值", errors, required=not level)
        content_key = cell_text(row.get("表彰内容"))
        if not errors:
            try:
                value = check_item(
                    scheme,
                    entry_type=entry_type,
                    kind=kind,
                    value=value,
                    level=level,
                    measure=measure,
                    reason=reason,
                    content_key=content_key,
                )
            except ValidationError as exc:
                errors["分值"] = exc.messages
        if not errors:
            quarter = self._quarter(member.branch, year, number, errors)
            if quarter is not None and entry_type == EntryType.JUDGMENT:
                key = (quarter.pk, member.pk, kind)
                taken = (
                    key in self._judged
                    or PointEntry.objects.filter(
                        quarter=quarter,
                        member=member,
                        entry_type=EntryType.JUDGMENT,
                        kind=kind,
                        is_current=True,
                    ).exists()
                )
                if taken:
                    errors["项目"] = [
                        f"{member.name}{quarter.label}的“{kind_text}”已有评定，每季度每项只能评定一次。"
                    ]
                self._judged.add(key)
            instance.quarter = quarter
        if errors:
            raise ValidationError(errors)
        instance.member = member
        instance.entry_type = entry_type
        instance.kind = kind
        instance.value = value
        instance.level = level
        instance.content_key = content_key
        instance.measure = measure
        instance.occurred_on = day
        instance.reason = f"{reason}（{HISTORY_REASON}）"
        instance.created_by = self.actor

    def _quarter(self, branch, year: int, number: int, errors: dict) -> Quarter | None:
        """The closed quarter, created closed (with its transition) if the branch never had it."""
        key = (branch.pk, year, number)
        if key not in self._quarters:
            filing = final_filing(branch.pk, [year])
            quarter = Quarter.objects.filter(branch=branch, year=year, number=number).first()
            if filing is not None:
                errors["日期"] = [final_text(filing)]
                quarter = None
            elif quarter is None and _quarter_end(year, number) >= timezone.localdate():
                errors["日期"] = [f"{year}年第{number}季度尚未结束，请在季度流程中录入。"]
            elif quarter is None:
                quarter = Quarter.objects.create(
                    branch=branch, year=year, number=number, state=QuarterState.CLOSED
                )
                Transition.objects.create(
                    subject_type="quarter",
                    subject_id=quarter.pk,
                    from_state="",
                    to_state=QuarterState.CLOSED,
                    actor=self.actor,
                    reason=HISTORY_REASON,
                )
            elif quarter.state != QuarterState.CLOSED:
                errors["日期"] = [
                    f"{branch.name}{quarter.label}{quarter.get_state_display()}，请在季度流程中录入，不能作为历史数据导入。"
                ]
                quarter = None
            self._quarters[key] = quarter
        quarter = self._quarters[key]
        if quarter is None and "日期" not in errors:
            errors["日期"] = ["该季度不能导入历史数据（见上文同一季度的行）。"]
        return quarter


def _quarter_end(year: int, number: int) -> datetime.date:
    if number == 4:
        return datetime.date(year, 12, 31)
    return datetime.date(year, 3 * number + 1, 1) - datetime.timedelta(days=1)


def _when(date_value, quarter_value, errors: dict) -> tuple[int, int, datetime.date | None] | None:
    """(year, quarter, date) of a row: from 日期, or from 季度 ("2025年第4季度") when 日期 is blank."""
    quarter_text = cell_text(quarter_value)
    if cell_text(date_value):
        day = _date(date_value, errors)
        if day is None:
            return None
        number = (day.month - 1) // 3 + 1
        if quarter_text and quarter_text != f"{day.year}年第{number}季度":
            errors["季度"] = [f"“{quarter_text}”与日期 {day.isoformat()} 所在季度不符。"]
            return None
        return day.year, number, day
    match = QUARTER_LABEL.match(quarter_text)
    if not match:
        errors["日期"] = ["请填写日期（例如 2024-06-30），或在“季度”列写明季度（例如 2024年第2季度）。"]
        return None
    year, number = int(match[1]), int(match[2])
    if not 2000 <= year <= timezone.localdate().year:
        errors["季度"] = [f"“{quarter_text}”不是可以导入历史数据的季度。"]
        return None
    return year, number, None


def _date(value, errors: dict) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        text = cell_text(value).replace("/", "-").replace(".", "-")
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            errors["日期"] = [f"“{cell_text(value)}”不是日期（例如 2024-06-30）。"]
            return None
    if day > timezone.localdate():
        errors["日期"] = ["历史数据的日期不能晚于今天。"]
        return None
    if day.year < 2000:
        errors["日期"] = ["日期应在 2000 年以后。"]
        return None
    return day


def _kind_choices(scheme, entry_type: str | None) -> list[tuple[str, str]]:
    if entry_type == EntryType.BONUS:
        return scheme.choices("bonus_kinds")
    if entry_type == EntryType.DEDUCTION:
        return scheme.choices("deduction_kinds")
    if entry_type == EntryType.JUDGMENT:
        return [(i.code, i.label) for i in scheme.base_items if i.method == "judgment"]
    return []


def _level_choices(scheme) -> list[tuple[str, str]]:
    return [(level.code, level.label) for kind in scheme.bonus_kinds for level in kind.levels]
