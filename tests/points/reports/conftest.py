"""A filed year for branch 1, built through the workflow's own services (tests/points/workflow)."""

import io
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from members.models import Category
from points.models import EntryType
from points.services import workflow
from tests.factories import make_member
from tests.points.workflow.conftest import YEAR, full_year_records, run_quarter

__all__ = ["YEAR"]


def build_year(cast, *, file=True):
    """Branch 1's 2025: perfect records for some, a bonus and a deduction in Q4, filed by the general
    branch. Adds "=1+1" (a formula-looking name), a probationary member and an activist."""
    formula = make_member(cast.b1, name="=1+1")
    probationary = make_member(cast.b1, name="预备党员甲", category=Category.PROBATIONARY)
    activist = make_member(cast.b1, name="积极分子乙", category=Category.ACTIVIST)
    for m in (cast.member.member, cast.secretary.member, formula):
        full_year_records(cast, m)

    def decide(quarter):
        workflow.entry_add(
            quarter=quarter,
            member=cast.member.member,
            actor=cast.secretary.user,
            entry_type=EntryType.BONUS,
            kind="commendation",
            value=None,
            level="city",
            content_key="优秀共产党员",
            reason="市级表彰",
        )
        workflow.entry_add(
            quarter=quarter,
            member=probationary,
            actor=cast.secretary.user,
            entry_type=EntryType.DEDUCTION,
            kind="other_violation",
            value=5,
            measure="criticism",
            reason="无故不参加志愿服务",
        )

    quarters = []
    for n in (1, 2, 3, 4):
        q = workflow.quarter_open(branch=cast.b1, year=YEAR, number=n, actor=cast.secretary.user)
        quarters.append(run_quarter(cast, q, decide=decide if n == 4 else None))
    filing = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    if file:
        workflow.filing_submit(filing=filing, actor=cast.secretary.user)
        workflow.filing_review(filing=filing, actor=cast.gb_secretary.user, approve=True)
        filing.refresh_from_db()
    return SimpleNamespace(
        filing=filing, quarters=quarters, formula=formula, probationary=probationary, activist=activist
    )


@pytest.fixture
def year(cast):
    return build_year(cast)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def pdf_fonts(data: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return fonts


def dark_share(data: bytes, tmp_path) -> float | None:
    """Render page 1 at 50 dpi with pdftoppm and return the share of dark pixels (None without poppler)."""
    if shutil.which("pdftoppm") is None:
        return None
    from PIL import Image

    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "page")],
        check=True,
    )
    png = next(tmp_path.glob("page*.png"))
    histogram = Image.open(png).convert("L").histogram()
    return sum(histogram[:128]) / sum(histogram)
