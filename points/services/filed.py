"""A year gone to the higher organization is final (clause 四.6, issue 21 §1).

Once a branch has reported its year (报上级党组织审核备案) the records beside the reported total must keep
adding up to it. Every service that writes a year's facts — sessions, attendance, sign-in, dues, thought
reports, evidence, declarations, review, the assembly, publicity, objections, exemptions, history
imports — calls `require_year_open` first, so all of them refuse with the same message naming the
filing. Only the higher organization reopens the year: 退回 (`filing_review` with `approve=False`), which
the transition log (an audit chain) records with its reason.

The filing is read without a lock: a save already running when the year is reported may still commit.
The window is one click wide and the roll-up before the report is the secretary's own step.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ..selectors.quarters import final_filing, final_text


def require_year_open(branch_or_id, *years: int) -> None:
    """Refuse, with the filing named, a write to the facts of `years` of a branch whose year is final."""
    branch_id = getattr(branch_or_id, "pk", branch_or_id)
    filing = final_filing(branch_id, years)
    if filing is not None:
        raise ValidationError(final_text(filing))
