"""日常记录 pages (clause 四.1): the branch calendar, the attendance sheet, QR sign-in, the dues grid,
thought reports and mobile members' evidence. Thin views: parse, call one service, redirect."""

from .attendance import attendance
from .calendar import session_cancel, session_edit, session_list, session_new
from .dues import dues
from .evidence import evidence, evidence_file
from .reports import thought_report_change, thought_reports
from .signin import session_qr, session_qr_svg, signin

__all__ = [
    "attendance",
    "dues",
    "evidence",
    "evidence_file",
    "session_cancel",
    "session_edit",
    "session_list",
    "session_new",
    "session_qr",
    "session_qr_svg",
    "signin",
    "thought_report_change",
    "thought_reports",
]
