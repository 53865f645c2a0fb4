"""Ground truth from the PDF, on a hand-made figure whose primitives are known exactly."""

from __future__ import annotations

import math

import pytest

from img2asy.data.annotate import annotate, fit_circle
from img2asy.eval.ink import coverage

CM = 150 / 2.54  # pixels per cm at 150 dpi

FIGURE = r"""unitsize(1cm);
pair A=(0,0), B=(4,0), C=(0,3);
draw(A--B);
draw(circle((6,1),1));
dot((6,1));
draw((0,-1)--(4,-1), Arrow);
fill((5,3)--(7,3)--(7,4)--cycle, gray(0.5));
draw((0,0.3)--(0.3,0.3)--(0.3,0));
draw((2,-0.15)--(2,0.15));
draw(A--C, dashed);
draw(arc((6,1),1.5,0,90), blue);
label("$A$", A, SW);
label("$\frac{1}{2}$", (1,0), N);
"""


@pytest.fixture(scope="module")
def annotated(toolchain):
    res = toolchain.compile(FIGURE)
    assert res.ok
    img = toolchain.rasterize(res.pdf, 150)
    return img, annotate(res.pdf, res.tex, 150, img.size)


def _one(g, kind, **match):
    found = [d for _, d in g.nodes(kind) if all(d.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (kind, match, found)
    return found[0]


def test_primitives_have_the_right_kinds(annotated):
    _, g = annotated
    counts = g.count()
    assert counts["circle"] == 1 and counts["arc"] == 1 and counts["region"] == 1 and counts["arrowhead"] == 1
    assert counts["label"] == 2 and counts["mark"] == 2
    assert {d["type"] for _, d in g.nodes("mark")} == {"right_angle", "tick"}


def test_geometry_is_in_pixels(annotated):
    _, g = annotated
    ab = [d for _, d in g.nodes("segment") if abs(d["a"][1] - d["b"][1]) < 0.1 and d["dash"] == "solid"]
    lengths = sorted(math.dist(d["a"], d["b"]) for d in ab)
    assert lengths[-1] == pytest.approx(4 * CM, abs=1.0)  # A--B (the arrow shaft is shortened by its head)
    circ = _one(g, "circle")
    assert circ["r"] == pytest.approx(CM, abs=0.5)
    dot = [d for _, d in g.nodes("point") if d["dot"]][0]
    assert math.dist(dot["xy"], circ["center"]) < 0.5
    arc = _one(g, "arc")
    assert arc["r"] == pytest.approx(1.5 * CM, abs=0.5) and arc["color"] == [0.0, 0.0, 1.0]
    assert arc["start"] == pytest.approx(0, abs=1) and arc["end"] == pytest.approx(90, abs=1)
    dashed = _one(g, "segment", dash="dashed")
    assert math.dist(dashed["a"], dashed["b"]) == pytest.approx(3 * CM, abs=1.0)
    assert _one(g, "region")["fill"] == [0.5, 0.5, 0.5]


def test_relations(annotated):
    _, g = annotated
    rels = {(g.g.nodes[u]["kind"], g.g.nodes[v]["kind"], d["rel"]) for u, v, d in g.g.edges(data=True)}
    assert ("circle", "point", "center") in rels
    assert ("arrowhead", "segment", "head") in rels
    assert ("label", "point", "labels") in rels
    lab = _one(g, "label", latex="$A$")
    assert lab["text"] == "A"
    frac = _one(g, "label", latex=r"$\frac{1}{2}$")
    assert frac["text"] == "12" and frac["bbox"][3] - frac["bbox"][1] > 20  # bar and both digits


def test_annotation_explains_all_ink(annotated):
    img, g = annotated
    assert coverage(img, g) >= 0.995


def test_empty_graph_explains_nothing(annotated):
    from img2asy.scene_graph.schema import SceneGraph

    img, _ = annotated
    assert coverage(img, SceneGraph(img.width, img.height, 150)) == 0.0


def test_fit_circle():
    pts = [(10 + 5 * math.cos(t / 10), 20 + 5 * math.sin(t / 10)) for t in range(30)]
    cx, cy, r, resid = fit_circle(pts)
    assert (round(cx, 6), round(cy, 6), round(r, 6)) == (10, 20, 5) and resid < 1e-9


def _marks_and_polylines(code: str, toolchain) -> tuple[int, int]:
    res = toolchain.compile(code)
    assert res.ok, res.errors
    g = annotate(res.pdf, res.tex, 150, toolchain.rasterize(res.pdf, 150).size)
    return sum(1 for _ in g.nodes("mark")), sum(1 for _ in g.nodes("polyline"))


def test_a_whole_square_at_a_corner_is_a_right_angle_mark(toolchain):
    # MATH draws right-angle marks as whole squares too: two sides on the figure's lines
    square = "draw((0,0)--(0.6,0)--(0.6,0.6)--(0,0.6)--cycle);"
    assert _marks_and_polylines("size(200); draw((0,0)--(10,0)--(0,6)--cycle);" + square, toolchain) == (1, 1)
    # at a foot: one line ends at the corner, the other passes through it
    foot = "size(200); draw((-5,0)--(10,0)); draw((0,0)--(0,6)); draw((0,0)--(-0.6,0)--(-0.6,0.6)--(0,0.6)--cycle);"
    assert _marks_and_polylines(foot, toolchain) == (1, 0)
    # the same square away from a corner, or as a cell among cells, is a square
    assert _marks_and_polylines("size(200); draw((2,2)--(10,0)--(0,6)--cycle);" + square, toolchain) == (0, 2)
    grid = "size(200); for(int i=0;i<20;++i) for(int j=0;j<3;++j) draw(shift(i,j)*unitsquare); draw((0,0)--(20,0)--(20,10)--(0,10)--cycle);"
    assert _marks_and_polylines(grid, toolchain)[0] == 0
