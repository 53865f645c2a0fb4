"""Vectorisation pieces: thinning, the pixel graph, fitting, and primitives from real renders."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from img2asy.data.annotate import annotate
from img2asy.perception.fitting import fit_circle, fit_line, split_run
from img2asy.perception.skeleton import pixel_graph, thin
from img2asy.perception.strokes import StrokeConfig, ink_along, ink_layers, ink_width, prepare, ringing, vectorise


def test_thinning_gives_one_pixel_wide_connected_lines():
    m = np.zeros((60, 120), np.uint8)
    cv2.line(m, (10, 30), (110, 30), 1, 5)
    sk = thin(m > 0)
    cols = sk[:, 20:100].sum(axis=0)
    assert (cols == 1).all()  # exactly one pixel per column along the line
    assert cv2.connectedComponents(sk.astype(np.uint8), connectivity=8)[0] == 2


def test_pixel_graph_of_a_cross_and_a_ring():
    m = np.zeros((100, 160), np.uint8)
    cv2.line(m, (10, 50), (90, 50), 1, 2)
    cv2.line(m, (50, 10), (50, 90), 1, 2)
    cv2.circle(m, (130, 50), 20, 1, 1)
    g = pixel_graph(thin(m > 0))
    junctions = [n for n in g.nodes if n.kind == "junction"]
    assert len(junctions) == 1 and math.dist(junctions[0].xy, (50.5, 50.5)) < 2.5
    assert sum(1 for c in g.chains if c.closed) == 1
    assert sum(1 for c in g.chains if not c.closed) == 4


def test_line_and_circle_fits():
    t = np.linspace(0, 2, 50)
    line = np.c_[3 + 10 * t, 5 + 4 * t]
    assert fit_line(line).dev < 1e-9
    ang = np.linspace(0, 1.5, 40)
    arc = np.c_[40 + 25 * np.cos(ang), 30 + 25 * np.sin(ang)]
    cf = fit_circle(arc + np.random.default_rng(0).normal(0, 0.2, arc.shape))
    assert math.dist(cf.c, (40, 30)) < 0.5 and abs(cf.r - 25) < 0.5


def test_split_run_finds_the_corner_of_an_l():
    a = np.c_[np.arange(0, 40), np.zeros(40)]
    b = np.c_[np.full(30, 39.0), np.arange(1, 31)]
    pieces = split_run(np.vstack([a, b]).astype(float))
    assert [p.kind for p in pieces] == ["segment", "segment"]
    assert abs(pieces[0].i1 - 39) <= 1


def test_split_run_keeps_a_cut_corner_straight_and_an_arc_round():
    """The skeleton cuts a 90-degree corner of graph paper with a one-pixel diagonal step (this
    run is real train 4962a698e46b's, from the junction 15 px along the top edge to the first
    one down the side). The recursion split it at the top of the step, and a circle of radius
    26 fitted the step and the side within a pixel: the side's first cell became an arc. A run
    that is straight but for a sharp turn in its last pixels splits there; an arc of the same
    size keeps its circle."""
    top = [[194.5, 380.75]] + [[x + 0.5, 380.5] for x in range(192, 178, -1)]
    side = [[178.5, 381.5]] + [[177.5, y + 0.5] for y in range(382, 396)] + [[177.75, 397.5]]
    pieces = split_run(np.array(top + side)[2:-2])
    assert [p.kind for p in pieces if p.i1 - p.i0 >= 3] == ["segment", "segment"]
    t = np.linspace(0, math.radians(60), 30)
    arc = np.c_[26 * np.cos(t), 26 * np.sin(t)]
    assert [p.kind for p in split_run(arc)] == ["arc"]


def _render(toolchain, code: str):
    res = toolchain.compile(code)
    assert res.ok, res.errors
    img = toolchain.rasterize(res.pdf, 150)
    return img, res


def _vec(img):
    arr = np.asarray(img.convert("RGB"))
    prep = prepare(arr, (255, 255, 255), 1.0)
    return prep, vectorise(prep, [], StrokeConfig())


def test_blobs_dots_arrowheads_and_regions(toolchain):
    code = r"""unitsize(1cm);
    fill((0,0)--(3,0)--(3,2)--cycle, rgb(0.6,0.8,1));
    dot((5,1));
    draw((6,0)--(9,0), Arrow(TeXHead));
    draw((6,1)--(9,1), Arrow);
    """
    img, res = _render(toolchain, code)
    prep, vec = _vec(img)
    assert len(prep.regions) == 1 and abs(prep.regions[0].fill[2] - 1.0) < 0.05
    assert len(prep.dots) == 1
    tips = [h.tip for h in vec.heads if h.tip is not None and not h.wedge]
    truth = [d["tip"] for _, d in annotate(res.pdf, res.tex, 150, img.size).nodes("arrowhead")]
    assert truth and any(math.dist(t, g) < 3 for t in tips for g in truth)


def test_small_arrowheads_on_a_thick_axis_are_heads_and_dots_at_stroke_ends_stay_dots(toolchain):
    """``Arrows(size=0.14cm)`` on a 1.3bp axis (MATH's ``rr_cartesian_axes``, real train
    00f3568eef23) leaves heads 7 px wide and 11 long: opening the shaft away rounded them into
    dots, so the axis stopped 6 px short of each tip. Dots drawn at a segment's ends (and one in
    its middle, one with a dashed line through it) are the same size and must stay dots; a label
    beside a head does not make it a dot. (The same heads on a horizontal axis are
    still lost here: too round for a head, too long for a dot.)"""
    code = r"""unitsize(1cm);
    for (int i = -2; i <= 2; ++i) { draw((i,-2.5)--(i,2.5), gray(0.22)); draw((-2.5,i)--(2.5,i), gray(0.22)); }
    draw((0,-2.5)--(0,2.5), black+1.3bp, Arrows(size=0.14cm));
    draw((4,-2)--(6,2), black+1.3bp); dot((4,-2)); dot((6,2)); dot((5,0));
    draw((8,-2)--(8,2), black+1.3bp, Arrow(size=0.14cm)); label("$C$", (8,1.9), W);
    draw((10,-2)--(12,-2)--(12,2)); dot((11,-2)); draw((11,-2.5)--(11,2.5), dashed);
    """
    img, res = _render(toolchain, code)
    prep, vec = _vec(img)
    truth = [d["tip"] for _, d in annotate(res.pdf, res.tex, 150, img.size).nodes("arrowhead")]
    tips = [h.tip for h in vec.heads if h.tip is not None and not h.wedge]
    assert len(truth) == 3 and len(tips) == 3  # and the head with a label beside it
    assert all(min(math.dist(t, g) for t in tips) < 4.0 for g in truth)  # the metric's tip tolerance
    drawn = [d["xy"] for _, d in annotate(res.pdf, res.tex, 150, img.size).nodes("point") if d.get("dot")]
    # the dot on a side with a dashed line through it (real train 14a53ff60016) stays a dot too
    assert len(drawn) == 4 and all(min(math.dist(d.xy, g) for d in prep.dots) < 1.5 for g in drawn)
    assert not any(math.dist(d.xy, g) < 12 for d in prep.dots for g in truth)  # no dot at a head


def test_paper_inside_a_fill_is_a_hole_and_a_label_on_it_is_not(toolchain):
    """A white square filled over a black one shows paper: the black region has a hole
    (real train 506801d3651c). A grey ring (a disc with a white disc over it) has one too; the
    label written on the grey square is ink, not paper, and makes no hole."""
    code = r"""unitsize(0.5cm);
    fill((0,0)--(10,0)--(10,10)--(0,10)--cycle, black); fill((4,2)--(8,2)--(8,7)--(4,7)--cycle, white);
    fill(circle((16,5),5), gray(0.6)); fill(circle((16,5),2.5), white);
    fill((23,0)--(33,0)--(33,10)--(23,10)--cycle, gray(0.8)); label("\Huge $A$", (28,5));
    """
    img, res = _render(toolchain, code)
    prep, _ = _vec(img)
    regions = sorted(prep.regions, key=lambda r: min(p[0] for p in r.pts))
    assert len(regions) == 3
    assert [len(r.holes) for r in regions] == [1, 1, 0]
    hole = np.asarray(regions[0].holes[0])
    assert hole[:, 0].max() - hole[:, 0].min() == pytest.approx(4 * 0.5 / 2.54 * 150, abs=3)


def test_dashed_and_dotted_lines_become_one_primitive_each(toolchain):
    code = r"""unitsize(1cm);
    draw((0,0)--(6,0), dashed);
    draw((0,1)--(6,1), dotted);
    draw(circle((9,0.5), 1.5), dashed);
    """
    img, _ = _render(toolchain, code)
    _, vec = _vec(img)
    kinds = sorted((p.kind, p.dash) for p in vec.prims)
    assert ("segment", "dashed") in kinds and ("segment", "dotted") in kinds
    assert any(p.dash == "dashed" and p.kind in ("circle", "arc") for p in vec.prims)
    long_dashed = [p for p in vec.prims if p.kind == "segment" and p.dash == "dashed"]
    assert max(p.length() for p in long_dashed) > 0.9 * 6 * 150 / 2.54


def test_short_grid_dashes_are_dashed_not_dotted(toolchain):
    """MATH graph paper: linetype("2 2") at 0.7 bp gives 3 px dashes, as short as dots; their
    duty cycle (about 75% ink against about 35% for dots) makes them dashed, as drawn."""
    code = r"""unitsize(1cm);
    draw((0,0)--(6,0), gray(0.75)+linewidth(0.7)+linetype("2 2"));
    draw((0,1)--(6,1), linewidth(0.7)+dotted);
    """
    img, _ = _render(toolchain, code)
    prep, vec = _vec(img)
    rows = sorted((p.pts[:, 1].mean(), p.dash) for p in vec.prims if p.kind == "segment" and p.length() > 100)
    assert [d for _, d in rows] == ["dotted", "dashed"]  # y down: the dotted row is on top
    grid, dots = (min(rows, key=lambda r: -r[0]), min(rows, key=lambda r: r[0]))
    line = np.array([[10.0, grid[0]], [300.0, grid[0]]])
    assert ink_along(line, prep.strokes) > 0.6 > ink_along(np.array([[10.0, dots[0]], [300.0, dots[0]]]), prep.strokes)


def test_a_dashed_grid_gives_no_diagonal_rows(toolchain):
    """MATH graph paper ("2 2" grey dashes): the dashes of neighbouring upright and level lines
    line up diagonally across each cell; rows through them were read as dotted diagonals (62 of
    this grid's rows, 47 of 92 on real train figure 329adc7f2e55). Rows of pieces too short to
    show a direction can still run across a cell (8 here)."""
    code = r"""unitsize(0.6cm);
    pen gs = linewidth(0.7) + gray(0.75) + linetype("2 2");
    for (int i = 0; i <= 8; ++i) { draw((0,i)--(8,i), gs); draw((i,0)--(i,8), gs); }
    """
    img, _ = _render(toolchain, code)
    _, vec = _vec(img)
    dashed = [p for p in vec.prims if p.kind == "segment" and p.dash != "solid" and p.length() > 15]
    assert len(dashed) >= 18  # the grid lines themselves are still rows
    angles = [math.degrees(math.atan2(*(p.pts[-1] - p.pts[0])[::-1])) % 90 for p in dashed]
    assert len([a for a in angles if 10 < a < 80]) <= 10


def test_crossing_lines_stay_whole_and_corners_are_exact(toolchain):
    code = r"""unitsize(1cm);
    draw((0,0)--(4,0)--(2,3)--cycle, linewidth(1));
    draw((-1,1)--(5,1));
    """
    img, res = _render(toolchain, code)
    _, vec = _vec(img)
    segs = [p for p in vec.prims if p.kind == "segment"]
    lengths = sorted(p.length() for p in segs)
    assert lengths[-1] > 5.5 * 150 / 2.54  # the crossing line is not cut at the triangle
    assert len(segs) == 4


def test_a_plotted_parabola_is_one_curve_and_polygons_and_tracks_keep_their_pieces(toolchain):
    """A sampled function graph is fitted piecewise (straight arms, an arc at each side of the
    vertex) and was drawn as those pieces; a chain that joins smoothly, turns one way and bends
    between two straight pieces is one curve. A side with one slight bend and a running track
    (lines tangent to arcs) are not plotted curves and keep their pieces."""
    parabola = r"""import graph; unitsize(0.5cm);
    draw((-4,0)--(4,0)); draw((0,-2)--(0,6));
    draw(graph(new real(real x){return x^2-1;}, -2.5, 2.5));
    """
    _, vec = _vec(_render(toolchain, parabola)[0])
    kinds = sorted(p.kind for p in vec.prims)
    assert kinds == ["curve", "segment", "segment"]  # the parabola and the two axes
    curve = next(p for p in vec.prims if p.kind == "curve")
    assert curve.length() > 400  # whole: through the vertex on the y axis

    bent = r"""unitsize(1cm); draw((0,0)--(3,0.2)--(6,0)--(6,-3)--(0,-3)--cycle);"""
    _, vec = _vec(_render(toolchain, bent)[0])
    assert sorted(p.kind for p in vec.prims) == ["segment"] * 5

    track = r"""unitsize(1cm); draw((0,0)--(4,0)); draw(arc((4,1),1,-90,90));
    draw((4,2)--(0,2)); draw(arc((0,1),1,90,270));"""
    _, vec = _vec(_render(toolchain, track)[0])
    assert sorted(p.kind for p in vec.prims) == ["arc", "arc", "segment", "segment"]


def test_grid_lines_cut_by_a_boxed_label_are_whole(toolchain):
    """A boxed label on graph paper cuts grid lines; a cut line ends where it meets the next line
    across (its stub into the box is a spur), so it is bridged under the label from there, not
    only from a free end (real train 2f6900de287e, 12771521ee73, 3d579b24ebf8)."""
    from img2asy.data.annotate import annotate
    from img2asy.perception.strokes import segment_ends

    code = r"""unitsize(0.3cm);
    for (int i = 0; i <= 16; ++i) { draw((0,i)--(16,i), gray(0.7)); draw((i,0)--(i,16), gray(0.7)); }
    label("$y=f(x)$", (8,8.5), UnFill);
    """
    img, res = _render(toolchain, code)
    box = next(d for _, d in annotate(res.pdf, res.tex, 150, img.size).nodes("label"))["bbox"]
    prep = prepare(np.asarray(img.convert("RGB")), (255, 255, 255), 1.0)
    vec = vectorise(prep, [(box[0] - 4, box[1] - 4, box[2] + 4, box[3] + 4)], StrokeConfig())
    side = 16 * 0.3 / 2.54 * 150
    lengths = [float(np.hypot(*np.subtract(*segment_ends(p, vec.nodes)))) for p in vec.prims if p.kind == "segment"]
    assert len(lengths) == 34 and min(lengths) > 0.95 * side  # 17 + 17 whole lines


def test_graph_paper_lines_run_edge_to_edge_under_tick_labels_and_across_axes(toolchain):
    """Grey "2 2" graph paper with black axes, ticks, tick labels and a curve: every grid line is
    one dashed segment from edge to edge (real train 329adc7f2e55, 69c2d6b76250). The old code
    left 26 pieces (lines cut at the axes and labels, the tick marks made part of the grey rows
    and painted them black); the lines under the axes are the axes."""
    from img2asy.perception.strokes import segment_ends

    code = r"""unitsize(0.6cm);
    pen gs = linewidth(0.7) + gray(0.75) + linetype("2 2");
    for (int i = -5; i <= 5; ++i) { draw((i,-5)--(i,5), gs); draw((-5,i)--(5,i), gs); }
    draw((-5,0)--(5,0), Arrows(6)); draw((0,-5)--(0,5), Arrows(6));
    for (int i = -4; i <= 4; ++i) if (i != 0) {
      draw((i,-0.12)--(i,0.12)); draw((-0.12,i)--(0.12,i));
      label("$" + string(i) + "$", (i,0), S); label("$" + string(i) + "$", (0,i), W); }
    draw((-2.2,-5)..(0,-1)..(2.2,5), linewidth(1));
    """
    img, res = _render(toolchain, code)
    boxes = [d["bbox"] for _, d in annotate(res.pdf, res.tex, 150, img.size).nodes("label")]
    prep = prepare(np.asarray(img.convert("RGB")), (255, 255, 255), 1.0)
    vec = vectorise(prep, [(b[0] - 2, b[1] - 2, b[2] + 2, b[3] + 2) for b in boxes], StrokeConfig())
    side = 10 * 0.6 / 2.54 * 150
    grid = [p for p in vec.prims if p.kind == "segment" and p.dash != "solid"]
    lengths = [float(np.hypot(*np.subtract(*segment_ends(p, vec.nodes)))) for p in grid]
    assert len(grid) == 20 and min(lengths) > side - 4  # 11 + 11 lines, less the two under the axes
    assert all(min(p.color) > 0.6 for p in grid)  # grey, as drawn


def test_long_dashes_are_one_dashed_side_and_squares_side_by_side_are_not(toolchain):
    """``dashed`` at linewidth 1 repeats every 33 px at 150 dpi, beyond the 22 px reach of the
    dash rows, so a side drawn that way was 10 short solid segments (real train 2bb8c7fc157f).
    Rows of long dashes need isolated pieces in line at regular gaps; squares drawn side by side
    (whose sides meet) stay solid sides."""
    from img2asy.perception.strokes import segment_ends

    code = r"""unitsize(1cm);
    pair D=(0,3), E=(3,0), F=(6,3);
    draw(D--E--F, linewidth(1)); draw(D--F, linewidth(1)+dashed);
    draw((7,0)--(8,0)--(8,1)--(7,1)--cycle); draw((8,0)--(9,0)--(9,1)--(8,1));
    """
    img, _ = _render(toolchain, code)
    _, vec = _vec(img)
    dashed = [p for p in vec.prims if p.dash != "solid"]
    solid = [p for p in vec.prims if p.dash == "solid"]
    assert len(dashed) == 1 and dashed[0].kind == "segment"
    a, b = segment_ends(dashed[0], vec.nodes)
    assert abs(math.dist(a, b) - 6 * 150 / 2.54) < 4  # D to F, the dashes at both vertices included
    assert len(solid) == 7 and all(p.kind == "segment" for p in solid)  # DE, EF; 2 + 3 sides of the squares


def _jpeg(img, quality: int):
    import io

    from PIL import Image

    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def test_jpeg_ringing_raises_the_ink_threshold_but_keeps_light_grid_lines(toolchain):
    """JPEG leaves faint speckle beside every dark stroke; at a fixed threshold it becomes
    hairs on the strokes (real val circle F1 0.125 at quality 40). The threshold rises with
    the ringing, and faint ink in long runs of its own (a light grid line) still counts."""
    code = r"""unitsize(1cm);
    for (int i=0; i<=6; ++i) draw((i,0)--(i,4), gray(0.88));
    draw(circle((3,2), 1.8), linewidth(0.8));
    draw((0,2)--(6,2), linewidth(0.8));
    """
    img, _ = _render(toolchain, code)
    clean = np.asarray(img.convert("RGB"))
    lossy = np.asarray(_jpeg(img, 40))
    lum = lambda a: a.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)  # noqa: E731
    assert ringing(lum(clean), 255.0) < 3 < 8 < ringing(lum(lossy), 255.0)
    fixed, _ = ink_layers(lossy, (255, 255, 255), 20)
    adaptive, _ = ink_layers(lossy, (255, 255, 255), 20, ring_gain=4.0)
    truth, _ = ink_layers(clean, (255, 255, 255), 20)
    dark = cv2.dilate((lum(clean) < 128).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    beside = ~truth & dark  # paper within 2 px of dark ink: where the hairs grow
    assert adaptive[beside].sum() < 0.5 * fixed[beside].sum()
    grid_x = [round(i * 150 / 2.54) for i in (0, 6)]  # the light grid lines at either side survive
    col = lambda m, x: m[:, max(0, x - 3) : x + 4].any(axis=1).mean()  # noqa: E731
    for x in grid_x:
        x += int(np.argmax(truth.any(axis=0)))  # the drawing's left edge in the image
        assert col(adaptive, x) > 0.8 * col(truth, x)
    assert np.array_equal(ink_layers(clean, (255, 255, 255), 20, ring_gain=4.0)[0], truth)


def test_ink_width_is_sub_pixel_and_follows_the_dpi(toolchain):
    res = toolchain.compile("unitsize(1cm);\ndraw((0,0)--(5,3)--(6,0)--cycle);\ndraw(circle((3,1),1));")
    widths = {}
    for dpi in (72, 150, 300):
        arr = np.asarray(toolchain.rasterize(res.pdf, dpi).convert("RGB"))
        widths[dpi] = ink_width(prepare(arr, (255, 255, 255), 1.0))
    assert widths[72] < 1.0 < widths[150] < 1.8 < widths[300]
    assert widths[300] / widths[150] == pytest.approx(2.0, rel=0.25)
    # without antialiasing widths are whole pixels and say nothing about the dpi
    aliased = np.asarray(toolchain.rasterize(res.pdf, 150, "all", False).convert("RGB"))
    assert ink_width(prepare(aliased, (255, 255, 255), 1.0)) is None


def test_neighbour_index_finds_exactly_the_points_within_its_radius():
    from img2asy.perception.strokes import _Neighbours

    rng = np.random.default_rng(0)
    pts = rng.uniform(0, 200, size=(400, 2))
    near = _Neighbours(pts, 17.5)
    for k in range(0, 400, 7):
        brute = np.nonzero(np.hypot(*(pts - pts[k]).T) <= 17.5)[0]
        assert near.of(k).tolist() == brute.tolist()


def test_a_grid_of_dotted_lines_is_rows_of_dots(toolchain):
    """Hundreds of specks: every dotted grid line is covered by dotted segments along it
    (growing rows scans only a speck's neighbours; a full scan per step made a 21 x 21 dotted
    grid run past the pipeline's time limit). Rows may still break where lines cross."""
    code = r"""unitsize(0.6cm);
    for (int i = 0; i <= 8; ++i) { draw((0,i)--(8,i), dotted); draw((i,0)--(i,8), dotted); }
    """
    img, _ = _render(toolchain, code)
    _, vec = _vec(img)
    dotted = [p for p in vec.prims if p.kind == "segment" and p.dash == "dotted"]
    step = 0.6 * 150 / 2.54
    lo, hi = min(float(p.pts[:, 0].min()) for p in dotted), max(float(p.pts[:, 0].max()) for p in dotted)
    assert hi - lo == pytest.approx(8 * step, abs=6)
    for axis in (0, 1):  # 0: upright lines (constant x), 1: level lines (constant y)
        for i in range(9):
            c = lo + i * step
            spans = sorted(sorted((float(p.pts[0][1 - axis]), float(p.pts[-1][1 - axis])))
                           for p in dotted if all(abs(float(q[axis]) - c) < 4 for q in (p.pts[0], p.pts[-1])))  # fmt: skip
            covered, end = 0.0, -math.inf
            for a, b in spans:
                covered += max(0.0, b - max(a, end))
                end = max(end, b)
            assert covered > 0.9 * 8 * step, (axis, i, spans)


def test_a_thin_dark_pen_between_two_pixel_rows_is_dark_and_a_grey_pen_stays_grey():
    """A 0.5 bp black line centred between two pixel rows leaves both half dark; read pixel by
    pixel it was a grey line twice as wide (60 of 294 black segments on real train)."""
    img = np.full((120, 300, 3), 255, np.uint8)
    img[30:32, 20:280] = 127  # black, straddling rows 30 and 31
    img[60, 20:280] = 179  # gray(0.7), one row
    img[90:93, 20:280] = 60  # dark and wide: a thick pen, left as it is
    prep = prepare(img, (255, 255, 255), 1.0)
    vec = vectorise(prep, [], StrokeConfig())
    segs = sorted((p for p in vec.prims if p.kind == "segment"), key=lambda p: p.pts[:, 1].mean())
    assert len(segs) == 3
    straddling, grey, thick = segs
    assert max(straddling.color) < 0.1 and straddling.width < 1.5
    assert 0.6 < min(grey.color) < 0.8
    assert max(thick.color) < 0.3 and thick.width > 2.5


def test_graph_paper_corners_axis_heads_and_tangent_arcs_leave_lines_whole(toolchain):
    """MATH's function-graph panels (real train 59e0a0dfa4c7, 1feb267ca3cf): grey graph paper,
    black axes with ``Arrows(6)`` whose tips touch the paper's edge, a red arc leaving the y axis
    tangentially. The old code left 19 of the 22 lines whole: the arc pulled the axis's skeleton
    aside where it leaves, so the x axis stayed in pieces (joined by a short tilted one), and the
    heads of the x axis took the paper's edge by their tips for their shafts (the tip moved onto
    the edge, the axis stopped 19 px short of it and the edge was cut in two). Every grid line,
    both axes (tip to tip) and the paper's edges are now one segment each."""
    from img2asy.perception.strokes import segment_ends

    code = r"""unitsize(0.5cm);
    for (int i = -5; i <= 5; ++i) { draw((i,-5)--(i,5), gray(0.7)); draw((-5,i)--(5,i), gray(0.7)); }
    draw((-5,0)--(5,0), Arrows(6)); draw((0,-5)--(0,5), Arrows(6));
    draw(arc((-2,2), 2, 270, 360), red); draw(box((-6,-6), (6,6)), invisible);
    """
    img, _ = _render(toolchain, code)
    prep, vec = _vec(img)
    side = 10 * 0.5 / 2.54 * 150
    ends = [segment_ends(p, vec.nodes) for p in vec.prims if p.kind == "segment"]
    whole = [e for e in ends if abs(math.dist(*e) - side) < 4]
    assert len(whole) == 22  # 11 + 11 lines; the two under the axes are the axes
    tips = sorted(h.tip for h in vec.heads if h.tip is not None and not h.wedge)
    axis = next(e for e, p in zip(ends, [p for p in vec.prims if p.kind == "segment"])
                if max(p.color) < 0.3 and abs(e[0][1] - e[1][1]) < 1)  # fmt: skip
    for tip in (tips[0], tips[-1]):  # the x axis's heads: tips on the axis, which ends at them
        assert abs(tip[1] - axis[0][1]) < 1.5 and min(math.dist(tip, e) for e in axis) < 2
    assert not prep.dots


def test_overlapping_pieces_of_one_line_join_and_pieces_with_a_gap_do_not():
    """A short spur merged into a line across a junction makes it pass the end of the line's
    next piece (real train 1feb267ca3cf: two pieces of one grid line overlapping by 2 px, with no
    node in common). Overlapping pieces of one line are one segment; pieces with a gap between
    them (dashes, a line cut by a label) and a piece lying within another are left alone."""
    from img2asy.perception.fitting import fit_line
    from img2asy.perception.strokes import Prim, VNode, _join_overlapping, segment_ends

    def run(spans):
        nodes, prims = [], []
        for x0, x1 in spans:
            nodes += [VNode(np.array([x0, 10.0]), "junction"), VNode(np.array([x1, 10.0]), "junction")]
            pts = np.c_[np.linspace(x0, x1, 20), np.full(20, 10.0)]
            prims.append(Prim("segment", pts, len(nodes) - 2, len(nodes) - 1, line=fit_line(pts)))
        _join_overlapping(prims, nodes, StrokeConfig(), 1.0)
        return sorted(tuple(round(float(e[0])) for e in segment_ends(p, nodes)) for p in prims if p.alive)

    assert run([(0, 50), (47, 120)]) == [(0, 120)]
    assert run([(0, 50), (56, 120)]) == [(0, 50), (56, 120)]
    assert run([(0, 120), (30, 60)]) == [(0, 120), (30, 60)]


def test_touching_circles_are_circles_and_lines_touching_them_stay_whole(toolchain):
    """Circles packed in a box (real train 300518e52546, 172aa456cf8b): the skeleton cuts each
    circle at every point of contact, and merging then joined one circle's quarter to its
    neighbour's. The old code found none of the 8; whole circles are now found before any
    merging, and the box's sides, which touch the circles, stay one segment each."""
    from img2asy.perception.strokes import segment_ends

    code = r"""unitsize(1cm);
    for (int i = 0; i < 4; ++i) for (int j = 0; j < 2; ++j) draw(circle((0.5+i, 0.5+j), 0.5), linewidth(1.5));
    draw((0,0)--(4,0)--(4,2.6)--(0,2.6)--cycle, linewidth(1.5));
    """
    img, _ = _render(toolchain, code)
    _, vec = _vec(img)
    px = 150 / 2.54
    circles = [p.circle for p in vec.prims if p.kind == "circle"]
    assert len(circles) >= 6 and all(abs(c.r - 0.5 * px) < 2 for c in circles)
    sides = [math.dist(*segment_ends(p, vec.nodes)) for p in vec.prims if p.kind == "segment"]
    assert sum(abs(d - 4 * px) < 6 for d in sides) == 2 and sum(abs(d - 2.6 * px) < 6 for d in sides) == 2


def test_a_tangent_stays_a_line_and_an_arrowed_arc_or_a_dotted_square_is_no_circle(toolchain):
    """A tangent's piece along the circle stays the tangent's; an angle's arc whose arrowheads
    close its gap, and a small square with dots at its corners, have ink all round a circle but
    are not circles."""
    from img2asy.perception.strokes import segment_ends

    img, _ = _render(toolchain, r"""unitsize(1cm); draw(circle((0,0),1)); draw((-2.5,1)--(2.5,1)); dot((0,0));""")
    _, vec = _vec(img)
    px = 150 / 2.54
    assert [round(p.circle.r / px, 2) for p in vec.prims if p.kind == "circle"] == [1.0]
    assert max(math.dist(*segment_ends(p, vec.nodes)) for p in vec.prims if p.kind == "segment") > 4.9 * px
    for code in (r"""unitsize(1cm); draw(arc((0,0),0.5,-60,240), Arrows); draw((0,0)--(1,-2)); draw((0,0)--(-1,-2));""",
                 r"""unitsize(1cm); draw(box((0,0),(0.4,0.4)), linewidth(1)); dot((0,0)); dot((0.4,0)); dot((0,0.4)); dot((0.4,0.4));"""):
        img, _ = _render(toolchain, code)
        _, vec = _vec(img)
        assert not [p for p in vec.prims if p.kind == "circle"]
