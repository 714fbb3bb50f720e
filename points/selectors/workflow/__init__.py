"""Reads for the quarterly workflow pages (clause 四): scopes, results tables, timelines, a member's year.

The scopes are the queryset twins of the `points.*` rules: a row outside them is a 404. Every list
runs a fixed number of queries however many members the branch has. The views read all of them
through this package as `selectors.<name>`.
"""

from ..workflow_scopes import (
    declaration_scope,
    entry_scope,
    filing_scope,
    filings_to_review,
    handles_objections,
    objection_scope,
    objections_to_handle,
    points_branches,
    quarter_scope,
)
from .annual import AnnualRow, AnnualTable, annual_table
from .labels import STATE_LABELS, Labels, Step, attach_labels, labels_for, timeline
from .ledger import attach_people, link_corrections, unread
from .member_year import PUBLISHED_STATES, MemberYear, member_year
from .quarters import (
    MemberRow,
    announced_objections,
    branch_quarters,
    next_quarter,
    quarter_objections,
    quarter_rows,
    year_quarters,
)
from .review import ReviewDetail, own_declarations, review_detail

__all__ = [
    "PUBLISHED_STATES",
    "STATE_LABELS",
    "AnnualRow",
    "AnnualTable",
    "Labels",
    "MemberRow",
    "MemberYear",
    "ReviewDetail",
    "Step",
    "announced_objections",
    "annual_table",
    "attach_labels",
    "attach_people",
    "branch_quarters",
    "declaration_scope",
    "entry_scope",
    "filing_scope",
    "filings_to_review",
    "handles_objections",
    "labels_for",
    "link_corrections",
    "member_year",
    "next_quarter",
    "objection_scope",
    "objections_to_handle",
    "own_declarations",
    "points_branches",
    "quarter_objections",
    "quarter_rows",
    "quarter_scope",
    "review_detail",
    "timeline",
    "unread",
    "year_quarters",
]
