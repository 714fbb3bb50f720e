"""The arrangement printed as the department prints it: A4, Chinese font, page numbers at the foot.

WeasyPrint fetches nothing from the network or the file system: the fetcher below serves only our own
static files (the template needs none today; a logo or stylesheet added later would come from there).
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE_URL = "https://print.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
# Listed first so every machine that has it prints the same; the others cover a desk without it.
CJK_FONTS = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'


class StaticOnlyFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        if url.startswith(STATIC_PREFIX):
            relative = url[len(STATIC_PREFIX) :].split("?")[0]
            if ".." not in relative.split("/"):
                found = finders.find(relative)
                if found:
                    with open(found, "rb") as fh:
                        body = fh.read()
                    content_type = "text/css" if relative.endswith(".css") else None
                    return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type or ""})
        # WeasyPrint skips a resource whose fetch raises: the page prints without it.
        raise ValueError(f"打印时不加载外部资源：{url}")


def arrangement_html(arrangement, *, font_family: str = CJK_FONTS) -> str:
    return render_to_string("study/arrangement_pdf.html", {"a": arrangement, "font_family": font_family})


def arrangement_pdf(arrangement, *, font_family: str = CJK_FONTS) -> bytes:
    """`arrangement` should come through selectors.with_content so rendering runs no extra queries."""
    html = arrangement_html(arrangement, font_family=font_family)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()


def pdf_filename(arrangement) -> str:
    return f"{arrangement.title}（{arrangement.issue_label}）.pdf"
