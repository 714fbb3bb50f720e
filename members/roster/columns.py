"""The roster's columns: one definition for the template, the import and the export.

Chinese headers and labels in the file, choice values and foreign keys in the database. Writes go
through `members.services` (history rows, placement rules, full_clean), never `Model.save()`.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import CachedInstanceLoader
from openpyxl.utils.datetime import from_excel

from branches.access import actor_for, path_q
from branches.models import BRANCH_KINDS, Organization, OrgKind

from .. import services
from ..models import Category, Gender, Member
from ..services import TRACKED_FIELDS

IMPORT_REASON = "名册导入"
BRANCH_COLUMN = "所在党支部"
# Cells starting with these would be formulas in Excel (and in a CSV saved from it).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


@dataclass
class Change:
    column: str
    old: str
    new: str


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code or phone typed into a number cell
    if isinstance(value, datetime.datetime):
        value = value.date()
    text = str(value).strip()
    # Our export puts a quote before text that would start a formula; take it off again.
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES:
        text = text[1:]
    return text


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceLabelWidget(widgets.Widget):
    """Chinese labels in the file (男, 正式党员), choice values in the database."""

    def __init__(self, choices, noun: str):
        super().__init__()
        self.labels = {str(label): value for value, label in choices.choices}
        self.noun = noun

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        if text in self.labels:
            return self.labels[text]
        raise ValueError(f"“{text}”不是有效的{self.noun}，应填写：{'、'.join(self.labels)}。")

    def render(self, value, obj=None, **kwargs):
        return next((label for label, v in self.labels.items() if v == value), value or "")


class DateWidget(widgets.Widget):
    """YYYY-MM-DD text, a real Excel date, or an Excel day number from a CSV saved by Excel."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self._serial(value, str(value))
        text = cell_text(value)
        if not text:
            return None
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        if text.isdigit():
            return self._serial(int(text), text)
        raise ValueError(f"日期“{text}”无法识别，请按 YYYY-MM-DD 填写，如 2015-07-01。")

    @staticmethod
    def _serial(number, text: str) -> datetime.date:
        # 10000..80000 is 1927..2119: anything else is not a date someone meant.
        if not 10000 <= number <= 80000:
            raise ValueError(f"日期“{text}”无法识别，请按 YYYY-MM-DD 填写，如 2015-07-01。")
        return from_excel(number).date()

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value)
        if text in ("", "否"):
            return False
        if text == "是":
            return True
        raise ValueError(f"“{text}”无法识别，请填写“是”或“否”。")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class _Units:
    """The importer's committees' units, loaded once: branches by code or name, groups by name."""

    def __init__(self, actor):
        self.actor = actor
        roots = {"/" + path.strip("/").split("/")[0] + "/" for path in actor.manage_paths}
        self.committee_ids = {int(root.strip("/")) for root in roots}
        units = list(Organization.objects.filter(path_q(roots)))
        self.by_code = {unit.code.casefold(): unit for unit in units}
        self.by_name = defaultdict(list)
        for unit in units:
            self.by_name[unit.name].append(unit)

    def branch(self, text: str) -> Organization:
        unit = self.by_code.get(text.casefold())
        if unit is None:
            named = self.by_name.get(text, [])
            branches = [u for u in named if u.kind in BRANCH_KINDS]
            if len(branches) > 1:
                # 第一党支部 exists under several general branches: the importer's own one wins.
                branches = [u for u in branches if self.actor.manages(u.path)]
            if len(branches) > 1:
                raise ValueError(f"有多个名为“{text}”的党支部，请改填组织代码。")
            unit = branches[0] if branches else (named[0] if named else None)
        if unit is None:
            raise ValueError(f"找不到党支部“{text}”，请填写本党委所属党支部的名称或组织代码。")
        if unit.kind not in BRANCH_KINDS:
            raise ValueError(f"“{text}”是{unit.get_kind_display()}，党员只能编入党支部或直属党支部。")
        return unit

    def group(self, branch: Organization, text: str) -> Organization:
        for unit in self.by_name.get(text, []) + [self.by_code.get(text.casefold())]:
            if unit is not None and unit.kind == OrgKind.GROUP and unit.parent_id == branch.pk:
                return unit
        raise ValueError(f"{branch.name}下没有党小组“{text}”。")


class BranchWidget(widgets.Widget):
    def __init__(self, units: _Units | None = None):
        super().__init__()
        self.units = units

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            raise ValueError("请填写所在党支部。")
        return self.units.branch(text)

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class GroupWidget(BranchWidget):
    """A group is named within the row's branch (names repeat from branch to branch)."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        try:
            branch = self.units.branch(cell_text(row.get(BRANCH_COLUMN)))
        except ValueError:
            return None  # the branch column carries the error
        return self.units.group(branch, text)


class MemberResource(resources.ModelResource):
    code = Field(attribute="code", column_name="党员编号", widget=TextWidget())
    name = Field(attribute="name", column_name="姓名", widget=TextWidget())
    gender = Field(attribute="gender", column_name="性别", widget=ChoiceLabelWidget(Gender, "性别"))
    category = Field(attribute="category", column_name="类别", widget=ChoiceLabelWidget(Category, "类别"))
    join_date = Field(attribute="join_date", column_name="入党日期", widget=DateWidget())
    probation_start = Field(attribute="probation_start", column_name="预备期开始", widget=DateWidget())
    probation_end = Field(attribute="probation_end", column_name="预备期结束", widget=DateWidget())
    branch = Field(attribute="branch", column_name=BRANCH_COLUMN, widget=BranchWidget())
    group = Field(attribute="group", column_name="党小组", widget=GroupWidget())
    is_mobile = Field(attribute="is_mobile", column_name="流动党员", widget=YesNoWidget())
    mobile_destination = Field(attribute="mobile_destination", column_name="流入地", widget=TextWidget())
    activity_card_no = Field(
        attribute="activity_card_no", column_name="流动党员活动证编号", widget=TextWidget()
    )
    phone = Field(attribute="phone", column_name="联系电话", widget=TextWidget())

    class Meta:
        model = Member
        # The roster's columns are the member fields the app keeps history of, less the status
        # (transfers go through their own step, not an import).
        fields = tuple(f for f in TRACKED_FIELDS if f != "status")
        import_id_fields = ("code",)
        instance_loader_class = CachedInstanceLoader
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True

    def __init__(self, *, user=None):
        super().__init__()
        self.user = user
        self.row_changes: dict[int, list[Change]] = {}
        self.out_of_scope: list[int] = []
        self._before: dict[int, list[str]] = {}
        self._old_path: dict[int, str] = {}
        if user is not None:
            self.actor = actor_for(user)
            self.units = _Units(self.actor)
            self.fields["branch"].widget = BranchWidget(self.units)
            self.fields["group"].widget = GroupWidget(self.units)

    def get_queryset(self):
        # Codes are unique per committee: match within the importer's.
        return Member.objects.filter(committee_id__in=self.units.committee_ids).select_related(
            "branch", "group"
        )

    def rendered(self, member: Member) -> list[str]:
        return [f.export(member) for f in self.get_import_fields()]

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            self._before[kwargs["row_number"]] = self.rendered(instance)
            self._old_path[kwargs["row_number"]] = instance.branch.path

    def import_instance(self, instance, row, **kwargs):
        """Read the row into the member, then refuse it if the member or its branch is out of scope."""
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        number = kwargs["row_number"]
        old_path = self._old_path.get(number)
        if old_path is not None and not self.actor.manages(old_path):
            errors.setdefault("code", []).append(
                ValidationError("该党员编号属于您管理范围以外的党员，不能在此导入。")
            )
            self.out_of_scope.append(number)
        elif "branch" not in errors and not self.actor.manages(instance.branch.path):
            errors.setdefault("branch", []).append(
                ValidationError(f"“{instance.branch.name}”不在您的管理范围内。")
            )
            self.out_of_scope.append(number)
        start, end = instance.probation_start, instance.probation_end
        if start and end and end <= start and "probation_end" not in errors:
            # Said here in words; the database constraint would only give its name.
            errors["probation_end"] = [ValidationError("预备期结束日期须晚于预备期开始日期。")]
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Write through the services: history rows, placement rules and full_clean."""
        values = {
            f.attribute: getattr(instance, f.attribute)
            for f in self.get_import_fields()
            if f.column_name in row
        }
        if is_create:
            member = services.member_create(actor=self.user, reason=IMPORT_REASON, **values)
            instance.pk, instance.committee_id = member.pk, member.committee_id
            return
        number = kwargs["row_number"]
        self.row_changes[number] = [
            Change(f.column_name, old, new)
            for f, old, new in zip(
                self.get_import_fields(), self._before[number], self.rendered(instance), strict=True
            )
            if old != new
        ]
        services.member_update(member=instance, actor=self.user, reason=IMPORT_REASON, **values)

    def after_import(self, dataset, result, **kwargs):
        # The library resets the id sequence here; we never supply ids, and on PostgreSQL a reset
        # can race with another transaction's insert.
        pass

    def column_for(self, key: str) -> str:
        if key == NON_FIELD_ERRORS:
            return ""
        for f in self.fields.values():
            if f.attribute == key:
                return f.column_name
        try:
            return str(Member._meta.get_field(key).verbose_name)
        except Exception:
            return key


COLUMNS = tuple(f.column_name for f in MemberResource().get_import_fields())
