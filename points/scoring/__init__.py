"""党员积分 scoring engine: pure Python, no Django. See docs/scoring.md for the rules.

The Django side turns database rows into ``MemberFacts``, scores them with ``score_member`` under a
``Scheme`` (``GUIDELINE_SCHEME`` or a unit's scheme stored with ``Scheme.to_dict``), ranks a branch with
``assess_branch`` and stores the explained lines it gets back.
"""

from .codes import CATEGORY_LABELS, RESULT_LABELS, Category, Result
from .engine import Line, MemberScore, score_many, score_member, score_provisional
from .errors import SchemeError, ScoringError
from .facts import Attendance, Bonus, Deduction, Dues, Judgment, MemberFacts, combine_facts
from .guideline import GUIDELINE_SCHEME
from .results import MemberResult, assess_branch
from .scheme import BaseItem, BonusKind, BottomRank, DeductionKind, Level, Measure, Scheme, Thresholds

__all__ = [
    "CATEGORY_LABELS",
    "GUIDELINE_SCHEME",
    "RESULT_LABELS",
    "Attendance",
    "BaseItem",
    "Bonus",
    "BonusKind",
    "BottomRank",
    "Category",
    "Deduction",
    "DeductionKind",
    "Dues",
    "Judgment",
    "Level",
    "Line",
    "Measure",
    "MemberFacts",
    "MemberResult",
    "MemberScore",
    "Result",
    "Scheme",
    "SchemeError",
    "ScoringError",
    "Thresholds",
    "assess_branch",
    "combine_facts",
    "score_many",
    "score_member",
    "score_provisional",
]
