"""Reads for study: scopes (twins of study.rules), arrangements, hours, sessions, completion."""

from .arrangements import (
    arrangement_list,
    arrangement_sessions,
    covered_branches,
    organizer_units,
    own_branch_sessions,
    revisions,
    schedule_date_for,
    with_content,
)
from .completion import CompletionRow, completion_table
from .hours import (
    hours_attended,
    study_year,
    target_hours,
)
from .scopes import (
    listed_inspections,
    listed_notices,
    readable_study_sessions,
    visible_arrangements,
    visible_branches,
    visible_inspections,
    visible_notices,
    visible_study_sessions,
)
from .sessions import absentees, session_attachments, session_attendance, session_notices, upcoming_sessions

__all__ = [
    "CompletionRow",
    "absentees",
    "arrangement_list",
    "arrangement_sessions",
    "completion_table",
    "covered_branches",
    "listed_inspections",
    "listed_notices",
    "hours_attended",
    "study_year",
    "organizer_units",
    "own_branch_sessions",
    "readable_study_sessions",
    "revisions",
    "schedule_date_for",
    "session_attachments",
    "session_attendance",
    "session_notices",
    "target_hours",
    "upcoming_sessions",
    "visible_arrangements",
    "visible_branches",
    "visible_inspections",
    "visible_notices",
    "visible_study_sessions",
    "with_content",
]
