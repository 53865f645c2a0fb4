"""A lone c, s, u, v, w, x or z takes the case its height says, measured against the figure's
other labels on real rendered ink (the recognizer's guess is what this step overrides)."""

from __future__ import annotations

import numpy as np

from img2asy.perception.assemble import LabelRead
from img2asy.perception.glyphs import glyph_boxes
from img2asy.perception.letter_case import em_height, measure_em, settle_case


def test_em_heights_follow_computer_modern() -> None:
    assert em_height("c") < em_height("t") < em_height("1") < em_height("C") < em_height("b")
    assert em_height("y") > em_height("x")  # a descender
    assert em_height("10") == em_height("1")


def _ink(toolchain, code: str) -> np.ndarray:
    res = toolchain.compile(code)
    assert res.ok, res.errors
    return np.asarray(toolchain.rasterize(res.pdf, 150).convert("L")) < 235


FIGURE = r"""unitsize(1cm);
draw((0,-1)--(6,-1));
label("$b$", (0,0)); label("$a$", (1,0)); label("$c$", (2,0)); label("$C$", (3,0));
label("$s$", (4,0)); label("$Z$", (5,0));
"""


def test_case_is_settled_by_height(toolchain) -> None:
    ink = _ink(toolchain, FIGURE)
    boxes = sorted(glyph_boxes(ink), key=lambda b: b[0])
    assert len(boxes) == 6
    read = ["b", "a", "C", "c", "S", "z"]  # the recognizer's case guesses, all four wrong
    labels = [LabelRead(b, t, f"${t}$", 0.9) for b, t in zip(boxes, read)]
    got = [lab.latex for lab in settle_case(labels, ink)]
    assert got == ["$b$", "$a$", "$c$", "$C$", "$s$", "$Z$"]


def test_no_reference_no_change(toolchain) -> None:
    ink = _ink(toolchain, r'unitsize(1cm); draw((0,-1)--(2,-1)); label("$c$", (0,0)); label("$x$", (1,0));')
    boxes = sorted(glyph_boxes(ink), key=lambda b: b[0])
    labels = [LabelRead(b, t, f"${t}$", 0.9) for b, t in zip(boxes, ["C", "X"])]
    assert settle_case(labels, ink) == labels  # both ambiguous: nothing measures the em


def test_small_tick_numbers_do_not_set_the_size(toolchain) -> None:
    # tick numbers set smaller than the axis letters (common in MATH plots) would make x look big
    ticks = "".join(f'label(scale(0.6)*"${k}$", ({k},-0.5));' for k in range(1, 5))
    ink = _ink(toolchain, "unitsize(1cm); draw((0,-1)--(6,-1));" + ticks + 'label("$y$", (5,0)); label("$x$", (6,0));')
    boxes = sorted(glyph_boxes(ink), key=lambda b: b[0])
    assert len(boxes) == 6
    read = ["1", "2", "3", "4", "y", "X"]
    labels = [LabelRead(b, t, f"${t}$", 0.9) for b, t in zip(boxes, read)]
    assert settle_case(labels, ink)[-1].latex == "$x$"


def test_a_fragment_left_by_a_touching_stroke_does_not_measure() -> None:
    from img2asy.perception.letter_case import ink_extent

    ink = np.zeros((40, 40), bool)
    ink[10:30, 10:22] = True  # a glyph-sized blob inside the box
    assert ink_extent(ink, (10.0, 10.0, 22.0, 30.0)) == (20.0, 12.0)
    ink[10:30, 5:22] = False
    ink[20:30, 0:22] = True  # now most of it is part of a stroke running out of the box
    ink[12:16, 14:17] = True  # and a fragment is left inside
    assert ink_extent(ink, (10.0, 10.0, 22.0, 30.0)) is None


def test_font_sizes_are_measured_from_the_ink(toolchain) -> None:
    """Each plain label's em is its ink height over its Computer Modern height (8 pt tick
    numbers and 12 pt names apart); a reading with a script takes the figure's median."""
    code = (r"unitsize(1cm); draw((0,-1)--(6,-1));"
            r'label("$2$", (0,0), fontsize(8pt)); label("$4$", (1,0), fontsize(8pt));'
            r'label("$A$", (2,0)); label("$km$", (3,0)); label("$Q$", (4,0)); label("$P_1$", (5.2,0));')  # fmt: skip
    ink = _ink(toolchain, code)
    boxes = sorted(glyph_boxes(ink), key=lambda b: b[0])
    assert len(boxes) == 6
    read = ["$2$", "$4$", "$A$", "$km$", "$Q$", "$P_1$"]
    labels = measure_em([LabelRead(b, t.strip("$"), t, 0.9) for b, t in zip(boxes, read)], ink)
    pt = [lab.em * 72 / 150 for lab in labels]
    for got, want in zip(pt, [8, 8, 12, 12, 12]):
        assert abs(got / want - 1) < 0.1, (pt, want)
    assert pt[5] == sorted(pt[:5])[2]  # P_1 is not plain: the median of the measured ones


def test_no_readable_label_leaves_the_size_to_the_box(toolchain) -> None:
    ink = _ink(toolchain, r'unitsize(1cm); label("$\frac{1}{2}$", (0,0));')
    labels = [LabelRead(b, "1/2", r"$\frac{1}{2}$", 0.9) for b in glyph_boxes(ink)]
    assert all(lab.em is None for lab in measure_em(labels, ink))

