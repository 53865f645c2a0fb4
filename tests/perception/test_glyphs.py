"""Text boxes from glyph clusters, and the dash test that keeps dashes of lines out of labels."""

from __future__ import annotations

import cv2
import numpy as np

from img2asy.perception.glyphs import glyph_boxes, is_dash


def _ink(toolchain, code: str) -> np.ndarray:
    res = toolchain.compile(code)
    assert res.ok, res.errors
    return np.asarray(toolchain.rasterize(res.pdf, 150).convert("L")) < 160


def _parts(mask: np.ndarray) -> list[tuple[float, float, float, float]]:
    n, _, st, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return [(float(x), float(y), float(x + w), float(y + h)) for x, y, w, h, _ in st[1:]]


def test_a_dash_of_a_dashed_line_is_a_dash_and_a_one_is_not(toolchain) -> None:
    ink = _ink(toolchain, 'unitsize(1cm); draw((0,0)--(2,3), dashed); label("$1$", (4,1)); draw((3,-1)--(5,-1));')
    parts = _parts(ink)
    dashes = [b for b in parts if b[2] < 2.3 * 150 / 2.54]  # the dashed line's pieces, left of the label
    assert len(dashes) >= 4
    assert all(is_dash(ink, b, 1.0) for b in dashes[1:-1])
    one = [b for b in parts if 3.6 * 150 / 2.54 < b[0] and b[3] - b[1] > 8]
    assert len(one) == 1 and not is_dash(ink, one[0], 1.0)


def test_a_lone_straight_stroke_is_not_a_dash(toolchain) -> None:
    ink = _ink(toolchain, 'unitsize(1cm); draw((0,0)--(0.1,0.25)); draw((2,0)--(3,0));')
    bars = [b for b in _parts(ink) if b[2] - b[0] < 20]
    assert len(bars) == 1 and not is_dash(ink, bars[0], 1.0)


def test_glyph_boxes_group_letters_and_skip_lines(toolchain) -> None:
    ink = _ink(toolchain, 'unitsize(1cm); draw((0,0)--(4,0)); label("$AB$", (2,1)); label("$C$", (5,0));')
    boxes = glyph_boxes(ink)
    assert len(boxes) == 2
    assert all(b[3] - b[1] < 28 for b in boxes)


def _boxes_of(ink: np.ndarray) -> list[tuple[float, float, float, float]]:
    return sorted(glyph_boxes(ink), key=lambda b: (b[0], b[1]))


def test_names_corner_to_corner_are_two_labels(toolchain) -> None:
    # B above-left of P, as two points' names beside one vertex: no shared rows or columns
    ink = _ink(toolchain, 'unitsize(1cm); label("$B$", (0,0)); label("$P$", (0.36,-0.36)); draw((2,0)--(3,0));')
    boxes = [b for b in _boxes_of(ink) if b[2] < 1.5 * 150 / 2.54]
    assert len(boxes) == 2


def test_a_side_between_two_names_does_not_join_them(toolchain) -> None:
    # a polygon side whose end dots were taken out (here: it stops short of the letters) lies
    # under A and B; it is a line, not a fraction bar, since no glyph sits under it
    ink = _ink(toolchain, 'unitsize(1cm); label("$A$", (0,0.25)); label("$B$", (1.6,0.25)); draw((0.2,0)--(1.4,0));')
    assert len(_boxes_of(ink)) == 2


def test_a_fraction_bar_longer_than_its_glyphs_still_joins_them(toolchain) -> None:
    # the bar is over 2.5 glyph heights long, with glyphs above and below it
    ink = _ink(toolchain, r'defaultpen(fontsize(14pt)); label("$\frac{x+1}{2x-3}$", (0,0)); draw((2cm,0)--(3cm,0));')
    boxes = [b for b in _boxes_of(ink) if b[2] < 1.5 * 150 / 2.54]
    assert len(boxes) == 1 and boxes[0][3] - boxes[0][1] > 25


def test_a_lone_digit_one_is_a_glyph_and_a_vertical_dash_is_not(toolchain) -> None:
    # a 1 is thin enough to pass for a stroke; its foot serif tells it from a dash
    ink = _ink(toolchain, 'unitsize(1cm); draw((0,-1)--(0,3)); label("$1$", (0,1), W); label("$-1$", (0,2), W);'
                          'draw((2,-1)--(2,3), dashed);')
    boxes = _boxes_of(ink)
    assert len(boxes) == 2 and all(b[2] < 1.0 * 150 / 2.54 for b in boxes)  # left of the axis; no dash
    assert max(b[2] - b[0] for b in boxes) > 1.8 * min(b[2] - b[0] for b in boxes)  # "-1" and "1"


def test_a_script_above_a_short_letter_stays_with_it(toolchain) -> None:
    # the degree sign of x° shares no rows with the x, but it is smaller: a script, not a name
    ink = _ink(toolchain, r'label("$x^\circ$", (0,0)); label("$a_1$", (1cm,0)); draw((2cm,0)--(3cm,0));')
    assert len([b for b in _boxes_of(ink) if b[3] - b[1] > 5]) == 2
