"""积分管理 models: daily records, the quarterly workflow and the append-only points ledger."""

from .ledger import EntryType, PointEntry, SchemeConfig
from .records import (
    Attendance,
    AttendanceStatus,
    Audience,
    DuesRecord,
    DuesStatus,
    MobileEvidence,
    Session,
    SessionKind,
    ThoughtReport,
)
from .tallies import QuarterTally
from .workflow import (
    AnnualFiling,
    AnnualResult,
    Assembly,
    Declaration,
    DeclarationState,
    ExplanationLine,
    FilingState,
    Objection,
    ObjectionChannel,
    ObjectionState,
    Quarter,
    QuarterState,
    Transition,
)

__all__ = [
    "AnnualFiling",
    "AnnualResult",
    "Assembly",
    "Attendance",
    "AttendanceStatus",
    "Audience",
    "QuarterTally",
    "Declaration",
    "DeclarationState",
    "ExplanationLine",
    "DuesRecord",
    "DuesStatus",
    "EntryType",
    "FilingState",
    "MobileEvidence",
    "Objection",
    "ObjectionChannel",
    "ObjectionState",
    "PointEntry",
    "Quarter",
    "QuarterState",
    "SchemeConfig",
    "Session",
    "SessionKind",
    "ThoughtReport",
    "Transition",
]
