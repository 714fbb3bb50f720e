"""The arrangement printed as the department prints it: A4, Chinese font, page numbers at the foot.

Printed through config/pdf.py: WeasyPrint fetches nothing but our own static files (``static:`` links;
the template needs none today).
"""

from __future__ import annotations

from django.template.loader import render_to_string

from config.pdf import CJK_FONTS, html_pdf


def arrangement_html(arrangement, *, font_family: str = CJK_FONTS) -> str:
    return render_to_string("study/arrangement_pdf.html", {"a": arrangement, "font_family": font_family})


def arrangement_pdf(arrangement, *, font_family: str = CJK_FONTS) -> bytes:
    """`arrangement` should come through selectors.with_content so rendering runs no extra queries."""
    html = arrangement_html(arrangement, font_family=font_family)
    return html_pdf(html)


def pdf_filename(arrangement) -> str:
    return f"{arrangement.title}（{arrangement.issue_label}）.pdf"
