"""名册导入导出: upload a roster (xlsx or csv), preview it, import it all or nothing; export to xlsx.

columns.py holds the one column definition; upload.py the guards run before any parser; importing.py
the preview and the import; export.py the template and the export.
"""

from .columns import COLUMNS, MemberResource
from .export import example_branch_name, export_members, export_xlsx, template_xlsx
from .importing import EXAMPLE_CODE, ImportReport, roster_import_apply, roster_import_preview
from .upload import RosterRefused, check_size, check_upload, discard, stash, unstash

__all__ = [
    "COLUMNS",
    "EXAMPLE_CODE",
    "ImportReport",
    "MemberResource",
    "RosterRefused",
    "check_size",
    "check_upload",
    "discard",
    "example_branch_name",
    "export_members",
    "export_xlsx",
    "roster_import_apply",
    "roster_import_preview",
    "stash",
    "template_xlsx",
    "unstash",
]
