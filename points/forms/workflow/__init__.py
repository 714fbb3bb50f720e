"""Forms of the quarterly workflow pages: they parse what was typed; the workflow services decide.

Choices come from the branch's scheme (`Scheme.choices`), so a unit's 实施细则 shows its own kinds.
"""

from .declarations import DeclarationForm, QuarterOpenForm
from .publicity import AssemblyForm, FilingReopenForm, FilingReviewForm, ObjectionForm, ObjectionHandleForm
from .review import (
    ENTRY_FORMS,
    BonusEntryForm,
    DeclarationReviewForm,
    DeductionEntryForm,
    EntryCorrectForm,
    JudgmentEntryForm,
)

__all__ = [
    "ENTRY_FORMS",
    "AssemblyForm",
    "BonusEntryForm",
    "DeclarationForm",
    "DeclarationReviewForm",
    "DeductionEntryForm",
    "EntryCorrectForm",
    "FilingReopenForm",
    "FilingReviewForm",
    "JudgmentEntryForm",
    "ObjectionForm",
    "ObjectionHandleForm",
    "QuarterOpenForm",
]
