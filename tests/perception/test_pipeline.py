"""perceive() end to end on figures rendered by the real toolchain, scored against the annotator."""

from __future__ import annotations

import dataclasses
import math

import pytest

from img2asy.data.annotate import annotate
from img2asy.eval.ink import coverage
from img2asy.eval.perception import compare
from img2asy.perception.pipeline import Perceiver, Perception, default_config, estimate_dpi, perceive
from img2asy.scene_graph.schema import SceneGraph
from img2asy.scene_graph.serialize import to_text

TRIANGLE = r"""unitsize(1cm);
pair A=(0,0), B=(5,0), C=(1.5,3.5);
draw(A--B--C--cycle);
draw(C--(1.5,0), dashed);
draw((1.3,0)--(1.3,0.2)--(1.5,0.2));
dot(A); dot(B); dot(C);
label("$A$", A, SW); label("$B$", B, SE); label("$C$", C, N);
"""

CIRCLE = r"""unitsize(1cm);
pair O=(0,0);
draw(circle(O, 2));
draw(O--2*dir(30));
draw((-2.5,-2.5)--(2.5,-2.5), Arrow);
dot(O);
fill((3,0)--(5,0)--(5,2)--(3,2)--cycle, gray(0.7));
"""


def _render(toolchain, code: str, dpi: float = 150):
    res = toolchain.compile(code)
    assert res.ok, res.errors
    img = toolchain.rasterize(res.pdf, dpi)
    return img, annotate(res.pdf, res.tex, dpi, img.size)


@pytest.fixture(scope="module")
def fast() -> Perception:
    return Perception(dataclasses.replace(Perceiver(), ocr=False, detector=None))


def test_triangle_with_labels_matches_ground_truth(toolchain):
    img, gt = _render(toolchain, TRIANGLE)
    graph = perceive(img, dataclasses.replace(Perceiver(), detector=None))
    sc = compare(gt, graph)
    for kind in ("point", "segment", "label"):
        tp, npred, ngt = sc.counts[kind]
        assert tp == ngt == npred, (kind, sc.counts[kind])
    assert sc.counts["mark"][0] == 1  # the right-angle mark
    assert max(sc.point_errors) < 2.0
    latex = sorted(d["latex"] for _, d in graph.nodes("label"))
    assert latex == ["$A$", "$B$", "$C$"]
    dashed = [d for _, d in graph.nodes("segment") if d["dash"] == "dashed"]
    assert len(dashed) == 1
    # every label names the point next to it
    named = {graph.g.nodes[n]["latex"] for n, _ in graph.nodes("label") if any(True for _ in graph.g.successors(n))}
    assert named == {"$A$", "$B$", "$C$"}
    assert coverage(img, graph) > 0.97


def test_circle_arrow_dot_and_fill(toolchain, fast):
    img, gt = _render(toolchain, CIRCLE)
    graph = fast.perceive(img)
    sc = compare(gt, graph)
    assert sc.counts["circle"][:2] == [1, 1]
    assert sc.counts["region"][0] == 1
    assert sc.counts["arrowhead"][0] == 1
    assert sc.counts["segment"][0] == sc.counts["segment"][2]
    (c, d), = graph.nodes("circle")
    centre = [p for p, pd in graph.nodes("point") if pd["dot"]]
    assert any(graph.g.edges[c, p]["rel"] == "center" for p in centre if graph.g.has_edge(c, p))
    assert coverage(img, graph) > 0.97


def test_low_resolution_copy_is_perceived_at_its_scale(toolchain, fast):
    img, gt = _render(toolchain, TRIANGLE, dpi=100)
    graph = Perception(dataclasses.replace(fast.config, dpi=100)).perceive(img)
    assert graph.dpi == 100 and graph.width == img.width
    sc = compare(gt, graph)
    assert sc.counts["segment"][0] >= 3 and sc.counts["point"][0] >= 3


def test_high_resolution_image_is_shrunk_to_150_dpi_and_mapped_back(toolchain, fast):
    """A 300 dpi render with no dpi in the file: its stroke width gives the dpi away, it is
    perceived at 150 dpi, and the graph comes back in the input's pixels."""
    img, gt = _render(toolchain, TRIANGLE, dpi=300)
    graph = fast.perceive(img)
    assert (graph.width, graph.height) == img.size
    assert graph.dpi == pytest.approx(300, rel=0.25)
    sc = compare(gt, graph)
    for kind in ("point", "segment"):
        assert sc.counts[kind][0] == sc.counts[kind][2], (kind, sc.counts[kind])
    kept = Perception(dataclasses.replace(fast.config, resample=0)).perceive(img)
    assert kept.dpi == graph.dpi and (kept.width, kept.height) == img.size


def test_jpeg_copy_keeps_its_strokes(toolchain, fast):
    """JPEG at quality 40 grows hairs on every stroke; the ink threshold rises with the
    ringing, and the figure comes out whole. With the rule off its segments do not (the circle
    is found either way since session 15: it is looked for among the pieces before merging)."""
    from img2asy.data.augment import Degradation, degrade

    code = r"""unitsize(1cm);
    pair A=(0,0), B=(6,0), C=(4,3), D=(1,3);
    draw(A--B--C--D--cycle); draw(A--C); draw(B--D);
    draw(circle((9,1.5), 1.5));
    """
    res = toolchain.compile(code)
    truth = annotate(res.pdf, res.tex, 150, toolchain.rasterize(res.pdf, 150).size)
    img, gt = degrade(res.pdf, truth, Degradation(jpeg_quality=40), toolchain, seed=1)
    sc = compare(gt, fast.perceive(img))
    for kind in ("point", "segment", "circle"):
        assert sc.counts[kind][0] == sc.counts[kind][1] == sc.counts[kind][2], (kind, sc.counts)
    off = Perception(dataclasses.replace(fast.config, strokes=dataclasses.replace(fast.config.strokes, ring_gain=0)))
    worse = compare(gt, off.perceive(img))
    assert worse.counts["segment"][0] < sc.counts["segment"][0]


def test_lattice_is_found_and_recorded(toolchain, fast):
    code = "unitsize(0.8cm);\nfor (int i=0; i<6; ++i) for (int j=0; j<4; ++j) dot((i,j));\ndraw((0,0)--(5,3));"
    img, gt = _render(toolchain, code)
    graph = fast.perceive(img)
    lat = graph.g.graph.get("lattice")
    assert lat is not None
    step = 0.8 * 150 / 2.54
    assert lat["step"][0] == pytest.approx(step, abs=0.5) and lat["step"][1] == pytest.approx(step, abs=0.5)
    assert compare(gt, graph).counts["point"][0] == 24


def test_a_figure_of_dots_alone_is_dots_not_text(toolchain):
    # A 3x3 lattice of dots with no line in it (as MATH draws for counting problems), small:
    # its line width must not be read off the dots, and OCR's "bullet" readings are no labels.
    code = "size(50);\nfor (int i=0; i<3; ++i) for (int j=0; j<3; ++j) dot((5i,5j));"
    img, gt = _render(toolchain, code, dpi=90)
    graph = perceive(img)
    assert list(graph.nodes("label")) == []
    assert compare(gt, graph).counts["point"] == [9, 9, 9]


def test_graph_serialises_and_round_trips(toolchain, fast):
    img, _ = _render(toolchain, TRIANGLE)
    graph = fast.perceive(img)
    again = SceneGraph.from_json(graph.dumps())
    assert again.count() == graph.count()
    text = to_text(graph)
    assert text.startswith("scene ") and "segment" in text or "polyline" in text


def test_config_file_and_dpi_estimate():
    cfg = default_config()
    assert cfg.strokes.dash_gap > 0 and cfg.ocr
    with pytest.raises(ValueError, match="unknown"):
        Perceiver.from_dict({"no_such_setting": 1})
    # small text says the image is at a low resolution; ordinary text leaves the default
    assert estimate_dpi([(0, 0, 5, 8)] * 4) < 100
    assert estimate_dpi([(0, 0, 10, 17)] * 4) == 150.0
    assert math.isclose(estimate_dpi([]), 150.0)
    # strokes twice as wide as a 0.5 bp pen at 150 dpi, and text that is not small: 300 dpi
    big = [(0, 0, 20, 36)] * 4
    assert estimate_dpi(big, width=2.7) == pytest.approx(300, rel=0.01)
    assert estimate_dpi([], width=2.7) == pytest.approx(300, rel=0.01)
    # a moderately thick pen with text of the usual size is a thick pen, not a higher dpi
    assert estimate_dpi([(0, 0, 10, 17)] * 4, width=2.1) == 150.0
    # large text over strokes of the usual width is large text
    assert estimate_dpi(big, width=1.35) == 150.0
    # small text over strokes of the usual width is small text (MATH figures with 8 pt labels
    # were read at 50-76 dpi); over thin strokes it is a lower dpi
    small = [(0, 0, 5, 8)] * 4
    assert estimate_dpi(small, width=1.35) == 150.0
    assert estimate_dpi(small, width=0.8) < 100


def test_an_image_over_the_time_limit_is_a_clear_error_and_the_next_one_runs(toolchain):
    from img2asy.perception.image import PerceptionError

    img, _ = _render(toolchain, TRIANGLE)
    slow = Perception(dataclasses.replace(Perceiver(), ocr=False, detector=None, time_limit=0.001))
    with pytest.raises(PerceptionError, match="longer than 0.001 s"):
        slow.perceive(img)
    relaxed = Perception(dataclasses.replace(Perceiver(), ocr=False, detector=None, time_limit=60))
    assert len(list(relaxed.perceive(img).nodes("point"))) >= 4  # the alarm of the first call is gone


def test_readings_of_signs_alone_are_line_art_not_labels() -> None:
    from img2asy.perception.pipeline import signs_only

    for junk in ("$+$", "$-+$", "$--$", "$-$", "$十$", "$,$", "$\\cdot$", "$●$", "$\\bullet$"):
        assert signs_only(junk), junk
    for label in ("$-3$", "$+5$", "?", "$?$", "$A$", "$x$", "", "$\\cdot A$"):
        assert not signs_only(label), label


def test_one_glyph_readings_of_line_art_are_not_labels(toolchain, fast) -> None:
    import numpy as np

    from img2asy.perception.assemble import LabelRead
    from img2asy.perception.strokes import prepare

    img, gt = _render(toolchain, 'unitsize(1cm); draw((0,0)--(0,4)); label("$1$", (2,2)); draw((3,0)--(4,1), dashed);')
    prep = prepare(np.asarray(img.convert("RGB")), (255, 255, 255), 1.0, fast.config.strokes)
    one = next(d for _, d in gt.nodes("label"))["bbox"]
    assert not fast._line_art(LabelRead(tuple(one), "1", "$1$", 0.9), prep)
    assert not fast._line_art(LabelRead(tuple(one), "A", "$A$", 0.9), prep)
    tall = (one[0] - 40, 5.0, one[2] + 40, 5.0 + 2 * 28 * 1.0)  # a detector box over line art
    assert fast._line_art(LabelRead(tall, "1", "$1$", 0.9), prep)
    speck = (one[0], one[1], one[2], one[1] + 4)
    assert fast._line_art(LabelRead(speck, "l", "$l$", 0.9), prep)
    assert fast._line_art(LabelRead(tuple(one), "•", "$\\cdot$", 0.9), prep)  # signs alone
    assert fast._line_art(LabelRead(tuple(one), "_", "", 0.9), prep)  # read, but no LaTeX
    assert fast._line_art(LabelRead(tall, "", "", 0.0), prep)  # nothing read: its strokes go back to the vectoriser
