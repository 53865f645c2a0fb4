"""Perception metrics on hand-made graphs: matching, canonical form, tolerances, aggregation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image

from img2asy.eval.perception import Tolerances, aggregate, canonical, compare, evaluate_items, hungarian, match
from img2asy.scene_graph.schema import SceneGraph, Stroke


def _graph(dpi: float = 150) -> SceneGraph:
    return SceneGraph(400, 300, dpi)


def _segment(g: SceneGraph, a, b, dash: str = "solid") -> str:
    s = g.add("segment", Stroke(dash=dash), a=list(a), b=list(b))
    for p in (a, b):
        g.relate(s, g.add("point", xy=list(p), dot=False), "endpoint")
    return s


def _triangle(shift=(0.0, 0.0)) -> SceneGraph:
    g = _graph()
    pts = [(50 + shift[0], 250 + shift[1]), (350 + shift[0], 250 + shift[1]), (200 + shift[0], 50 + shift[1])]
    pl = g.add("polyline", Stroke(), pts=[list(p) for p in pts], closed=True)
    for p in pts:
        g.relate(pl, g.add("point", xy=list(p), dot=False), "vertex")
    g.add("circle", Stroke(), center=[200.0, 180.0], r=40.0)
    g.add("label", bbox=[40, 255, 52, 270], text="A", latex="$A$", fontsize=12.0, angle=0.0)
    return g


def test_hungarian_is_optimal_against_brute_force():
    rng = np.random.default_rng(1)
    for _ in range(200):
        n, m = (int(v) for v in rng.integers(1, 6, 2))
        c = rng.random((n, m)) * 10
        pairs = hungarian(c)
        got = sum(c[i, j] for i, j in pairs)
        if n <= m:
            best = min(sum(c[i, p] for i, p in enumerate(perm)) for perm in itertools.permutations(range(m), n))
        else:
            best = min(sum(c[p, j] for j, p in enumerate(perm)) for perm in itertools.permutations(range(n), m))
        assert len(pairs) == min(n, m) and got == pytest.approx(best)


def test_match_maximises_matches_within_tolerance():
    # the greedy choice (0,0) would leave row 1 unmatched; optimal matching takes both
    cost = np.array([[1.0, 2.0], [1.5, 9.0]])
    pairs = match(cost, tol=2.5)
    assert sorted((i, j) for i, j, _ in pairs) == [(0, 1), (1, 0)]
    assert match(np.array([[5.0]]), tol=3.0) == []


def test_identical_graphs_score_perfectly():
    sc = compare(_triangle(), _triangle())
    for kind in ("point", "segment", "circle", "label"):
        tp, npred, ngt = sc.counts[kind]
        assert tp == npred == ngt > 0, kind
    assert sc.labels_exact == 1 and max(sc.point_errors) == 0


@pytest.mark.parametrize("shift,hit", [((2.0, 0.0), True), ((0.0, 2.8), True), ((5.0, 0.0), False)])
def test_point_and_segment_tolerances(shift, hit):
    sc = compare(_triangle(), _triangle(shift))
    assert (sc.counts["point"][0] == 3) is hit
    assert (sc.counts["segment"][0] == 3) is hit


def test_tolerances_scale_with_dpi():
    g300, p300 = _graph(300), _graph(300)
    _segment(g300, (10, 10), (200, 10))
    _segment(p300, (15, 10), (205, 10))  # 5 px at 300 dpi is 2.5 px at 150 dpi
    assert compare(g300, p300).counts["segment"][0] == 1


def test_polyline_and_split_segments_compare_equal():
    """A--B--C on one line drawn as a polyline, as two segments or as one segment: one stroke."""
    a = _graph()
    pl = a.add("polyline", Stroke(), pts=[[10, 100], [100, 100], [300, 100]], closed=False)
    for p in ([10, 100], [100, 100], [300, 100]):
        a.relate(pl, a.add("point", xy=p, dot=False), "vertex")
    b = _graph()
    _segment(b, (10, 100), (100, 100))
    _segment(b, (100, 100), (300, 100))
    c = _graph()
    _segment(c, (10, 100), (300, 100))
    for x, y in itertools.permutations([a, b, c], 2):
        sc = compare(x, y)
        assert sc.counts["segment"] == [1, 1, 1] and sc.counts["point"] == [2, 2, 2]


def test_dashed_and_solid_pieces_do_not_merge():
    g = _graph()
    _segment(g, (10, 100), (100, 100))
    _segment(g, (100, 100), (300, 100), dash="dashed")
    assert len(canonical(g).segments) == 2


def test_sampled_function_graph_is_one_curve():
    g = _graph()
    xs = np.linspace(20, 380, 60)
    pts = [[float(x), float(280 - (x - 200) ** 2 / 150)] for x in xs]
    pl = g.add("polyline", Stroke(), pts=pts, closed=False)
    for p in pts:
        g.relate(pl, g.add("point", xy=p, dot=False), "vertex")
    c = canonical(g)
    assert len(c.curves) == 1 and not c.segments
    assert len(c.points) == 0  # vertices of a smooth run are not visible points
    smooth = _graph()
    smooth.add("curve", Stroke(), pts=pts[::3] + [pts[-1]], closed=False)
    assert compare(g, smooth).counts["curve"] == [1, 1, 1]


def test_touching_arcs_of_one_circle_are_a_circle():
    g = _graph()
    g.add("arc", Stroke(), center=[200, 150], r=50, start=0, end=200)
    g.add("arc", Stroke(), center=[200.5, 150], r=50.3, start=200, end=360)
    c = canonical(g)
    assert len(c.circles) == 1 and not c.arcs
    p = _graph()
    p.add("circle", Stroke(), center=[201, 151], r=49.5)
    assert compare(g, p).counts["circle"] == [1, 1, 1]


def test_small_filled_shape_at_a_stroke_end_is_an_arrowhead():
    g = _graph()
    _segment(g, (10, 100), (200, 100))
    g.add("region", pts=[[200, 96], [215, 100], [200, 104]], fill=[0, 0, 0], closed=True)
    p = _graph()
    _segment(p, (10, 100), (215, 100))
    h = p.add("arrowhead", pts=[[200, 95], [215, 100], [200, 105], [200, 95]], tip=[215, 100])
    p.relate(h, "s0", "head")
    cg, cp = canonical(g), canonical(p)
    assert len(cg.arrowheads) == 1 and not cg.regions
    assert np.allclose(cg.arrowheads[0], [215, 100])
    sc = compare(g, p)
    assert sc.counts["arrowhead"] == [1, 1, 1] and sc.counts["segment"] == [1, 1, 1]


def test_touching_regions_of_one_colour_are_one_area():
    g = _graph()
    for x in (0, 50):  # two adjacent squares filled separately
        g.add("region", pts=[[x, 0], [x + 50, 0], [x + 50, 50], [x, 50]], fill=[0.8, 0.8, 0.8], closed=True)
    p = _graph()
    p.add("region", pts=[[1, 1], [99, 1], [99, 49], [1, 49]], fill=[0.8, 0.8, 0.8], closed=True)
    assert compare(g, p).counts["region"] == [1, 1, 1]


def test_labels_match_by_box_and_latex_is_normalised():
    g, p = _graph(), _graph()
    g.add("label", bbox=[100, 100, 130, 118], text="45°", latex=r"$45^{\circ}$", fontsize=12.0, angle=0.0)
    p.add("label", bbox=[102, 102, 128, 116], text="45°", latex=r"$45^\circ$", fontsize=12.0, angle=0.0)
    sc = compare(g, p)
    assert sc.counts["label"] == [1, 1, 1] and sc.labels_exact == 1 and sc.label_misreads == []
    p.add("label", bbox=[300, 100, 320, 118], text="B", latex="$B$", fontsize=12.0, angle=0.0)
    g.add("label", bbox=[301, 101, 319, 117], text="8", latex="$8$", fontsize=12.0, angle=0.0)
    sc = compare(g, p)
    assert sc.counts["label"] == [2, 2, 2] and sc.labels_exact == 1 and sc.label_misreads == [("$8$", "$B$")]


def test_font_sizes_of_matched_labels_are_compared():
    g, p = _graph(), _graph()
    for x, true_pt, read_pt in ((100, 12.0, 12.5), (200, 12.0, 18.0), (300, 8.0, 8.0)):
        g.add("label", bbox=[x, 100, x + 20, 118], text="A", latex="$A$", fontsize=true_pt, angle=0.0)
        p.add("label", bbox=[x, 100, x + 20, 118], text="A", latex="$A$", fontsize=read_pt, angle=0.0)
    p.add("label", bbox=[500, 100, 520, 118], text="B", latex="$B$", fontsize=30.0, angle=0.0)  # unmatched
    sc = compare(g, p)
    assert sorted(sc.font_ratios) == pytest.approx([1.0, 12.5 / 12, 1.5], abs=1e-3)
    agg = aggregate([sc])
    assert agg["label_fontsize_ratio_median"] == pytest.approx(12.5 / 12, abs=1e-3)
    assert agg["label_fontsize_within_15pct"] == pytest.approx(2 / 3, abs=1e-3)


def test_segment_colours_are_compared_as_drawn():
    g, p = _graph(), _graph()
    g.add("segment", Stroke(color=(0.0, 0.0, 0.0)), a=[10, 10], b=[200, 10])
    g.add("segment", Stroke(color=(0.7, 0.7, 0.7)), a=[10, 50], b=[200, 50])
    g.add("segment", Stroke(color=(0.0, 0.0, 0.0)), a=[10, 90], b=[200, 90])
    p.add("segment", Stroke(color=(0.05, 0.05, 0.05)), a=[11, 10], b=[199, 10])  # black: agrees
    p.add("segment", Stroke(color=(0.5, 0.5, 0.5)), a=[10, 50], b=[200, 50])  # 0.2 darker: agrees
    p.add("segment", Stroke(color=(0.46, 0.46, 0.46)), a=[10, 90], b=[200, 90])  # black read grey
    sc = compare(g, p)
    assert (sc.colour_ok, sc.colour_n) == (2, 3)
    assert aggregate([sc])["segment_colour_accuracy"] == pytest.approx(2 / 3, abs=1e-3)


def test_aggregate_is_micro_averaged():
    a = compare(_triangle(), _triangle())
    b = compare(_triangle(), _graph())  # nothing perceived
    agg = aggregate([a, b])
    assert agg["segment"]["recall"] == pytest.approx(0.5) and agg["segment"]["precision"] == 1.0
    assert agg["images"] == 2 and agg["point_error_median_px"] == 0


def test_evaluate_items_runs_perception_on_rows(toolchain):
    from img2asy.data.annotate import annotate

    res = toolchain.compile("unitsize(1cm); draw((0,0)--(4,0)--(2,3)--cycle); draw(circle((2,1),0.8));")
    img = toolchain.rasterize(res.pdf, 150)
    gt = annotate(res.pdf, res.tex, 150, img.size)
    blank = Image.new("RGB", (100, 100), "white")
    rows = [{"id": "ok", "family": "t", "image": img, "annotation": gt.dumps()},
            {"id": "blank", "family": "t", "image": blank, "annotation": SceneGraph(100, 100, 150).dumps()}]  # fmt: skip
    from img2asy.perception.pipeline import Perceiver

    summary, records = evaluate_items(rows, Perceiver(ocr=False, detector=None), progress=False)
    assert summary["images"] == 2 and summary["failed"] == 1  # the blank page is refused, not fatal
    assert records[1]["error"] and "blank" in records[1]["error"]
    assert summary["segment"]["f1"] == 1.0 and summary["circle"]["f1"] == 1.0
    assert summary["ink_explained_mean"] is not None


def test_tolerances_are_stated():
    t = Tolerances()
    assert t.point == 3.0 and t.segment >= t.point


def test_per_family_subset_covers_every_family(tiny_dataset):
    from img2asy.eval.perception import evaluate

    summary, records = evaluate(str(tiny_dataset), "val", per_family=1)
    assert sorted(r["family"] for r in records) == ["math", "triangle"]
    assert summary["images"] == 2 and summary["failed"] == 0
    _, only_real = evaluate(str(tiny_dataset), "val", source="math")
    assert sorted(r["id"] for r in only_real) == ["math-75e7f6dcdcf8", "math-8cb7c9fdc36d"]


def test_markdown_table_has_a_row_per_summary():
    from img2asy.eval.perception import markdown_table

    prf = {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "tp": 1, "pred": 1, "gt": 2}
    empty = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "pred": 0, "gt": 0}
    s = {"split": "val", "source": "math", "degraded": True, "images": 3, "point": prf, "segment": prf, "circle": empty,
         "label_latex_exact": 0.9, "label_fontsize_within_15pct": 0.8, "point_error_median_px": 0.71,
         "ink_explained_mean": 0.99, "seconds_median": 0.4}  # fmt: skip
    lines = markdown_table([s, s]).splitlines()
    assert len(lines) == 4 and lines[0].count("|") == lines[2].count("|")
    assert lines[2].startswith("| val | math | degraded | 3 | 0.667 | 0.667 | - |") and "| 0.900 | 0.800 | 0.71 | 0.990 | 0.40 |" in lines[2]
