"""Chinese names for the workflow pages: the scheme's kinds and items, and each state's label."""

from __future__ import annotations

from dataclasses import dataclass

from ...models import DeclarationState, EntryType, FilingState, ObjectionState, QuarterState, Transition
from ...scoring import Scheme

STATE_LABELS = {
    "quarter": dict(QuarterState.choices),
    "declaration": dict(DeclarationState.choices),
    "objection": dict(ObjectionState.choices),
    "filing": dict(FilingState.choices),
}


@dataclass(frozen=True)
class Labels:
    """The scheme's Chinese names for kinds, base items, measures and levels, with clause refs."""

    items: dict[tuple[str, str], str]
    clauses: dict[tuple[str, str], str]
    measures: dict[str, str]
    levels: dict[str, str]

    def item(self, entry_type: str, kind: str) -> str:
        return self.items.get((entry_type, kind), kind)

    def attach(self, row) -> None:
        """Give an entry or a declaration its Chinese names for the templates."""
        row.kind_label = self.item(row.entry_type, row.kind)
        row.clause = self.clauses.get((row.entry_type, row.kind), "")
        row.measure_label = self.measures.get(getattr(row, "measure", ""), "")
        row.level_label = self.levels.get(row.level, "")


def labels_for(scheme: Scheme) -> Labels:
    items, clauses, levels = {}, {}, {}
    for kind in scheme.bonus_kinds:
        items[(EntryType.BONUS, kind.code)] = kind.label
        clauses[(EntryType.BONUS, kind.code)] = kind.clause
        levels.update({level.code: level.label for level in kind.levels})
    for kind in scheme.deduction_kinds:
        items[(EntryType.DEDUCTION, kind.code)] = kind.label
        clauses[(EntryType.DEDUCTION, kind.code)] = kind.clause
    for item in scheme.base_items:
        items[(EntryType.JUDGMENT, item.code)] = item.label
        clauses[(EntryType.JUDGMENT, item.code)] = item.clause
    return Labels(items, clauses, {m.code: m.label for m in scheme.measures}, levels)


def attach_labels(rows, scheme: Scheme):
    labels = labels_for(scheme)
    for row in rows:
        labels.attach(row)
    return rows


@dataclass(frozen=True)
class Step:
    at: object
    actor: object
    from_label: str
    to_label: str
    reason: str


def timeline(subject_type: str, subject_id: int) -> list[Step]:
    labels = STATE_LABELS[subject_type]
    return [
        Step(
            t.at,
            t.actor,
            labels.get(t.from_state, t.from_state),
            labels.get(t.to_state, t.to_state),
            t.reason,
        )
        for t in Transition.objects.filter(subject_type=subject_type, subject_id=subject_id).select_related(
            "actor__member"
        )
    ]
