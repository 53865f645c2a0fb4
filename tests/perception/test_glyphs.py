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
