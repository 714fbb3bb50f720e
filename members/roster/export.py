"""The import template and the roster export, both xlsx written with openpyxl's write-only mode."""

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from branches.access import actor_for, path_q
from branches.models import BRANCH_KINDS, Organization, OrgKind

from ..models import Member, MemberStatus
from .columns import BRANCH_COLUMN, COLUMNS, FORMULA_PREFIXES, MemberResource
from .importing import EXAMPLE_CODE
from .upload import SHEET_TITLE

COLUMN_NOTES = {
    "党员编号": ("必填", "本党委内唯一；已有的编号会更新该党员，新编号会新增党员。"),
    "姓名": ("必填", ""),
    "性别": ("新增时必填", "男 或 女"),
    "类别": ("新增时必填", "正式党员、预备党员 或 入党积极分子"),
    "入党日期": ("", "YYYY-MM-DD，如 2015-07-01；入党积极分子填确定为积极分子的日期"),
    "预备期开始": ("预备党员必填", "YYYY-MM-DD"),
    "预备期结束": ("预备党员必填", "YYYY-MM-DD，须晚于预备期开始"),
    "所在党支部": ("必填", "党支部名称或组织代码；同名党支部请填组织代码"),
    "党小组": ("", "所在党支部下的党小组名称"),
    "流动党员": ("", "是 或 否，空白视为否"),
    "流入地": ("", ""),
    "流动党员活动证编号": ("", ""),
    "联系电话": ("", ""),
}
COLUMN_WIDTHS = {"党员编号": 14, "姓名": 10, "入党日期": 12, "预备期开始": 12, "预备期结束": 12}


def _safe(value):
    """Text that Excel would read as a formula is written with a leading quote, as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _roster_book(rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = COLUMN_WIDTHS.get(column, 16)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_safe(value) for value in row])
    return book


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_xlsx(*, example_branch: str) -> bytes:
    example = {
        "党员编号": EXAMPLE_CODE,
        "姓名": "张三",
        "性别": "男",
        "类别": "正式党员",
        "入党日期": "2015-07-01",
        BRANCH_COLUMN: example_branch,
        "流动党员": "否",
        "联系电话": "13800000000",
    }
    book = _roster_book([[example.get(column, "") for column in COLUMNS]])
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "说明"])
    for column in COLUMNS:
        notes.append([column, *COLUMN_NOTES[column]])
    notes.append([])
    notes.append(["注意", "", f"第二行是示例（党员编号 {EXAMPLE_CODE}），导入前请删除。第一行列名不要修改。"])
    return _save(book)


def example_branch_name(user) -> str:
    first = Organization.objects.filter(path_q(actor_for(user).manage_paths), kind__in=BRANCH_KINDS)
    unit = first.order_by("path").first()
    return unit.name if unit else "第一党支部"


def export_members(org: Organization):
    """The roster under a unit: a branch's members, or everyone in a higher unit's sub-tree."""
    members = Member.objects.filter(status=MemberStatus.ACTIVE).select_related("branch", "group")
    if org.kind == OrgKind.GROUP:
        members = members.filter(group=org)
    else:
        members = members.filter(branch__path__startswith=org.path)
    return members.order_by("branch__path", "code")


def export_xlsx(members) -> bytes:
    resource = MemberResource()
    fields = resource.get_import_fields()
    return _save(_roster_book([f.export(m) for f in fields] for m in members.iterator(chunk_size=500)))
