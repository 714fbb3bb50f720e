"""The quarterly workflow of clause 四, one service per step.

Every step checks the actor's right and the current state, changes state by compare-and-set inside a
transaction (`filter(pk=…, state=old).update(state=new)` must return 1), and writes a Transition row.
A refused step raises ValidationError with a Chinese message and leaves the database as it was.
"""

from ...workdays import add_working_days
from ._steps import check_item
from .annual import annual_roll_up, annual_roll_up_many, filing_reopen, filing_review, filing_submit
from .assembly import assembly_record, provisional_scores, voting_members
from .declarations import declaration_create, declaration_submit, declaration_update, declaration_withdraw
from .publicity import (
    can_handle_objection,
    objection_handle,
    objection_submit,
    quarter_close,
    quarter_publish,
)
from .quarters import quarter_open, quarter_start_review
from .review import declaration_review, entry_add, entry_correct

__all__ = [
    "add_working_days",
    "annual_roll_up",
    "annual_roll_up_many",
    "assembly_record",
    "can_handle_objection",
    "check_item",
    "declaration_create",
    "declaration_review",
    "declaration_submit",
    "declaration_update",
    "declaration_withdraw",
    "entry_add",
    "entry_correct",
    "filing_reopen",
    "filing_review",
    "filing_submit",
    "objection_handle",
    "objection_submit",
    "provisional_scores",
    "quarter_close",
    "quarter_open",
    "quarter_publish",
    "quarter_start_review",
    "voting_members",
]
