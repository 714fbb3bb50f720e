from xml.etree import ElementTree

from points.reports import charts
from points.reports.annual import score_bands
from points.scoring import GUIDELINE_SCHEME

LABELS = [band.label for band in score_bands(GUIDELINE_SCHEME.thresholds)]


def test_it_cuts_bands_at_the_guidelines_numbers():
    assert LABELS == ["低于70分", "70分至不满80分", "80分至不满90分", "90分至不满100分", "100分以上"]


def test_it_draws_well_formed_svg_with_escaped_names():
    svg = charts.stacked_bars(
        [("<script>alert(1)</script>&支部", [1, 0, 2, 0, 3]), ("空支部", [0] * 5)], LABELS, "分布"
    )
    root = ElementTree.fromstring(str(svg))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<script>" not in str(svg)
    assert "<script>alert(1)</…" in texts or any(t.startswith("<script>") for t in texts)
    assert "6人" in texts and "暂无积分" in texts


def test_it_draws_a_histogram_of_counts():
    root = ElementTree.fromstring(str(charts.histogram([1, 2, 0, 4, 3], LABELS, "年度积分分布")))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert ["1人", "2人", "0人", "4人", "3人"] == [
        t for t in texts if t.endswith("人") and not t.startswith("合计")
    ]
    assert "合计 10 人" in texts


def test_it_groups_many_branches_by_parent_unit():
    items = [(f"支部{i}", f"总支{i % 3}", [1, 0, 0, 0, 0]) for i in range(charts.MAX_BRANCH_BARS + 1)]
    svg = str(charts.unit_bars(items, LABELS))
    assert "各党总支（直属党支部）积分分布" in svg and "支部7" not in svg
