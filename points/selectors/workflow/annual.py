"""The annual filing's ranked table (clause 四.6)."""

from __future__ import annotations

from dataclasses import dataclass

from ...models import AnnualFiling, AnnualResult
from ...scoring import CATEGORY_LABELS, RESULT_LABELS, Scheme


@dataclass
class AnnualRow:
    result: AnnualResult
    base_items: list[str]
    result_labels: list[str]

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.result.category, self.result.category)


@dataclass
class AnnualTable:
    columns: list[tuple[str, str]]  # the scheme's base items (code, label)
    rows: list[AnnualRow]
    bottom_share: str  # 排名靠后 as the scheme set it, e.g. "10%（至少 1 名）"


def annual_table(filing: AnnualFiling, *, member_id: int | None = None) -> AnnualTable:
    """The filing's ranked rows under the scheme it was rolled up with (one member's when `member_id`)."""
    scheme = Scheme.from_dict(filing.scheme)
    columns = [(item.code, item.label) for item in scheme.base_items]
    results = filing.results.select_related("member")
    if member_id is not None:
        results = results.filter(member_id=member_id)
    rows = [
        AnnualRow(
            result=r,
            base_items=[r.base_items.get(code, "") for code, _ in columns],
            result_labels=[RESULT_LABELS.get(code, code) for code in r.results],
        )
        for r in results.order_by("exempt", "rank", "member__code")
    ]
    bottom = scheme.bottom_rank
    percent = f"{bottom.share * 100:f}".rstrip("0").rstrip(".")
    share = f"后 {percent}%（至少 {bottom.min_count} 名）"
    return AnnualTable(columns, rows, share)
