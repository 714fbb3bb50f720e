"""Server-side SVG charts of score distributions: no JavaScript, no CDN, the same markup in a phone's
browser and in WeasyPrint. Every label is XML-escaped; the SVG scales to its container (viewBox)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

# Low bands warm, high bands green: read at a glance, and still apart in greyscale print.
BAND_COLOURS = ("#b71c1c", "#ef6c00", "#f9a825", "#7cb342", "#2e7d32", "#1b5e20", "#004d40")
FONT = "WenQuanYi Micro Hei, PingFang SC, Microsoft YaHei, sans-serif"
WIDTH = 640


def _colour(index: int) -> str:
    return BAND_COLOURS[min(index, len(BAND_COLOURS) - 1)]


def _text(x, y, text, *, size=12, anchor="start", fill="#212121", weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}">{escape(str(text))}</text>'
    )


def _svg(height: int, body: list[str], title: str) -> SafeString:
    return _svg_sized(WIDTH, height, body, title)


def _legend(labels: list[str], y: float) -> tuple[list[str], float]:
    """Legend swatches, wrapped over as many lines as the labels need."""
    body, x = [], 0.0
    for index, label in enumerate(labels):
        width = 22 + 12 * len(label) + 14
        if x and x + width > WIDTH:
            x, y = 0.0, y + 20
        body.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="14" height="12" fill="{_colour(index)}"/>')
        body.append(_text(x + 20, y, label, size=12))
        x += width
    return body, y + 14


def histogram(counts: list[int], labels: list[str], title: str) -> SafeString:
    """Columns: how many members fall in each band."""
    height, top, bottom = 250, 28, 200
    body = [_text(0, 16, title, size=14, weight="bold")]
    peak = max(counts) if counts and max(counts) else 1
    slot = WIDTH / max(len(counts), 1)
    bar = min(slot * 0.6, 90)
    body.append(f'<line x1="0" y1="{bottom}" x2="{WIDTH}" y2="{bottom}" stroke="#9e9e9e"/>')
    for index, (count, label) in enumerate(zip(counts, labels, strict=True)):
        h = (bottom - top - 18) * count / peak
        x = slot * index + (slot - bar) / 2
        body.append(
            f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{_colour(index)}"/>'
        )
        body.append(_text(x + bar / 2, bottom - h - 5, f"{count}人", anchor="middle"))
        body.append(_text(slot * index + slot / 2, bottom + 18, label, size=11, anchor="middle"))
    total = sum(counts)
    body.append(_text(WIDTH, height - 10, f"合计 {total} 人", size=12, anchor="end", fill="#6b6b6b"))
    return _svg(height, body, title)


def _svg_sized(width: int, height: int, body: list[str], title: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every text node went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" font-family="{FONT}" class="chart">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _segments(counts, labels, name, x, y, bar_w, bar_h, size) -> list[str]:
    body, total = [], sum(counts)
    if total == 0:
        body.append(f'<rect x="{x}" y="{y}" width="{bar_w}" height="{bar_h}" fill="#eeeeee"/>')
        body.append(_text(x + 6, y + bar_h - 4, "暂无积分", size=size - 1, fill="#6b6b6b"))
        return body
    for index, count in enumerate(counts):
        if not count:
            continue
        w = bar_w * count / total
        body.append(
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{_colour(index)}">'
            f"<title>{escape(name)} {escape(labels[index])}：{count}人</title></rect>"
        )
        if w >= 2 * size:
            body.append(
                _text(x + w / 2, y + bar_h - 4, count, size=size - 1, anchor="middle", fill="#ffffff")
            )
        x += w
    return body


def stacked_bars(
    rows: list[tuple[str, list[int]]], labels: list[str], title: str, *, narrow: bool = False
) -> SafeString:
    """One bar per unit, split by band in proportion (100% each), with the head count at the end.

    `narrow` is the phone layout: a narrower drawing with the name above its bar, so the text stays
    legible at 375 px; the default puts names beside the bars, for print."""
    if narrow:
        return _stacked_narrow(rows, labels, title)
    label_w, count_w, row_h = 150, 56, 24
    body = [_text(0, 16, title, size=14, weight="bold")]
    legend, y = _legend(labels, 38)
    body += legend
    bar_w = WIDTH - label_w - count_w
    y += 4
    for name, counts in rows:
        shown = name if len(name) <= 11 else name[:10] + "…"
        body.append(_text(label_w - 6, y + 16, shown, anchor="end"))
        body += _segments(counts, labels, name, float(label_w), y + 3, bar_w, row_h - 6, 12)
        body.append(_text(WIDTH, y + 16, f"{sum(counts)}人", anchor="end", fill="#6b6b6b"))
        y += row_h
    return _svg(int(y + 8), body, title)


def _stacked_narrow(rows, labels, title) -> SafeString:
    width, size = 360, 14
    body = [_text(0, 18, title, size=16, weight="bold")]
    x, y = 0.0, 44.0
    for index, label in enumerate(labels):  # legend, wrapped to the narrow width
        item_w = 20 + size * len(label) + 12
        if x and x + item_w > width:
            x, y = 0.0, y + 22
        body.append(f'<rect x="{x:.1f}" y="{y - 12:.1f}" width="14" height="14" fill="{_colour(index)}"/>')
        body.append(_text(x + 19, y, label, size=size - 1))
        x += item_w
    y += 16
    for name, counts in rows:
        body.append(_text(0, y + 16, name, size=size))
        body.append(_text(width, y + 16, f"{sum(counts)}人", size=size - 1, anchor="end", fill="#6b6b6b"))
        body += _segments(counts, labels, name, 0.0, y + 22, width, 18, size)
        y += 50
    return _svg_sized(width, int(y + 4), body, title)


# Per-branch bars stay readable up to this many branches; beyond it they are grouped by parent unit.
MAX_BRANCH_BARS = 60


def unit_bars(
    items: list[tuple[str, str, list[int]]], labels: list[str], *, narrow: bool = False
) -> SafeString:
    """Stacked bars per branch, or per parent unit (党总支, 直属党支部) when there are too many branches.

    `items` are (branch name, parent name, band counts)."""
    if len(items) <= MAX_BRANCH_BARS:
        return stacked_bars(
            [(name, counts) for name, _, counts in items], labels, "各党支部积分分布", narrow=narrow
        )
    grouped: dict[str, list[int]] = {}
    for name, parent, counts in items:
        sums = grouped.setdefault(parent or name, [0] * len(labels))
        for index, n in enumerate(counts):
            sums[index] += n
    return stacked_bars(list(grouped.items()), labels, "各党总支（直属党支部）积分分布", narrow=narrow)
