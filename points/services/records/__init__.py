"""日常记录 (clause 四.1): the recorder's writes — sessions, attendance, QR sign-in, dues, thought reports
and mobile members' evidence.

Each service checks the actor's right, refuses bad input with a Chinese message before writing anything
and runs in one transaction. Records are edited in place while their quarter is open; once the quarter
has gone to review (`records_locked`) a change is a correction: a new row pointing at the old one, which
stays in the database with `is_current=False`. The recorder never records their own items
(`points.record_member`): the secretary or deputy does.
"""

from .attendance import attendance_record
from .common import SaveResult
from .dues import dues_record
from .evidence import EVIDENCE_KINDS, EVIDENCE_MAX_BYTES, evidence_file_clean, mobile_evidence_add
from .reports import thought_report_add, thought_report_change
from .sessions import session_cancel, session_create, session_update
from .signin import (
    LATE_AFTER,
    SIGNIN_GRACE,
    SIGNIN_OPENS_BEFORE,
    SIGNIN_SLOT_SECONDS,
    attendance_sign_in,
    signin_check,
    signin_open,
    signin_slot,
    signin_token,
    signin_token_valid,
    signin_window,
    signin_window_text,
)

__all__ = [
    "EVIDENCE_KINDS",
    "EVIDENCE_MAX_BYTES",
    "LATE_AFTER",
    "SIGNIN_GRACE",
    "SIGNIN_OPENS_BEFORE",
    "SIGNIN_SLOT_SECONDS",
    "SaveResult",
    "attendance_record",
    "attendance_sign_in",
    "dues_record",
    "evidence_file_clean",
    "mobile_evidence_add",
    "session_cancel",
    "session_create",
    "session_update",
    "signin_check",
    "signin_open",
    "signin_slot",
    "signin_token",
    "signin_token_valid",
    "signin_window",
    "signin_window_text",
    "thought_report_add",
    "thought_report_change",
]
