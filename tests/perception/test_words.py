"""Joining the words of a label: the rules on hand-made boxes, then real figures end to end."""

from __future__ import annotations

import pytest

from img2asy.perception.assemble import LabelRead
from img2asy.perception.latex import normalize_latex
from img2asy.perception.pipeline import perceive
from img2asy.perception.words import WordConfig, join_words, joinable, same_line


def _lab(box, latex: str, conf: float = 0.9) -> LabelRead:
    return LabelRead(box, latex.strip("$"), latex, conf)


def test_same_line_needs_a_word_gap_and_a_shared_line() -> None:
    a = (0.0, 0.0, 40.0, 20.0)
    assert same_line(a, (48.0, 2.0, 70.0, 20.0))  # 8 px apart, on the line
    assert not same_line(a, (70.0, 0.0, 90.0, 20.0))  # 30 px: a gap, not a space
    assert not same_line(a, (48.0, 15.0, 70.0, 35.0))  # below: another line
    assert not same_line(a, (48.0, 0.0, 60.0, 5.0))  # a speck, not text of this size
    assert not same_line((48.0, 2.0, 70.0, 20.0), a)  # order matters: b follows a


def test_numbers_and_single_letters_stay_apart() -> None:
    left, right = (0.0, 0.0, 20.0, 16.0), (26.0, 0.0, 46.0, 16.0)
    assert not joinable(_lab(left, "$-3$"), _lab(right, "$-2$"))  # two tick labels
    assert not joinable(_lab(left, "$A$"), _lab(right, "$B$"))  # two point names
    assert joinable(_lab(left, "$12$"), _lab(right, "cm"))  # a number and its unit
    assert joinable(_lab(left, "$y$"), _lab(right, "$=f(x)$"))


def test_join_keeps_the_reading_only_when_it_is_as_sure() -> None:
    parts = [_lab((0.0, 0.0, 30.0, 20.0), "$Q(0,$", 0.95), _lab((36.0, 0.0, 60.0, 20.0), "$12)$", 0.9)]
    sure = join_words(parts, lambda b: LabelRead(b, "Q(0, 12)", "$Q(0,12)$", 0.92))
    assert [r.latex for r in sure] == ["$Q(0,12)$"] and sure[0].bbox == (0.0, 0.0, 60.0, 20.0)
    unsure = join_words(parts, lambda b: LabelRead(b, "Q(0, 12)", "$Q(0,12)$", 0.3))
    assert [r.latex for r in unsure] == ["$Q(0,$", "$12)$"]
    off = join_words(parts, lambda b: pytest.fail("no join is tried"), WordConfig(gap=-1))
    assert off == sorted(parts, key=lambda r: r.bbox)


SPACED = r"""unitsize(1cm);
draw((0,0)--(6,0)--(6,4)--cycle);
dot((6,4));
label("$Q(0, 12)$", (6,4), NE);
label("$y = f(x)$", (3,-0.6));
label("12 cm", (6.1,2), E);
label("$-2$", (0,-1.5)); label("$-1$", (0.7,-1.5));
label("$A$", (5,-1.5)); label("$B$", (5.6,-1.5));
"""


def test_spaced_labels_come_back_whole_and_neighbours_apart(toolchain) -> None:
    res = toolchain.compile(SPACED)
    assert res.ok, res.errors
    got = sorted(normalize_latex(d["latex"]) for _, d in perceive(toolchain.rasterize(res.pdf, 150)).nodes("label"))
    for want in ("$Q(0, 12)$", "$y = f(x)$", "$-2$", "$-1$", "$A$", "$B$"):
        assert normalize_latex(want) in got, (want, got)
    assert any(g.replace(" ", "") in ("12cm", "$12$cm") for g in got), got


def test_a_stroke_in_the_gap_keeps_two_boxes_apart() -> None:
    import numpy as np

    from img2asy.perception.glyphs import line_between

    ink = np.zeros((100, 120), bool)
    a, b = (10.0, 40.0, 40.0, 60.0), (50.0, 40.0, 80.0, 60.0)
    ink[42:58, 12:38] = ink[42:58, 52:78] = True  # the two words' ink
    assert not line_between(ink, a, b)  # a blank word space
    ink[50:53, 44:46] = True  # a comma-sized speck in it
    assert not line_between(ink, a, b)
    ink[5:95, 45] = True  # a segment passing between them
    assert line_between(ink, a, b)
    assert line_between(ink, b, a)


SPLIT_BY_A_SIDE = r"""unitsize(1cm);
draw((-2,0)--(4,0)); draw((1,0)--(1,3));
label("$y^\circ$", (0.75,1.5));
label("$x^\circ$", (1.25,1.5));
"""


def test_labels_either_side_of_a_segment_stay_two(toolchain) -> None:
    res = toolchain.compile(SPLIT_BY_A_SIDE)
    assert res.ok, res.errors
    got = sorted(normalize_latex(d["latex"]) for _, d in perceive(toolchain.rasterize(res.pdf, 150)).nodes("label"))
    assert got == sorted([normalize_latex("$x^\\circ$"), normalize_latex("$y^\\circ$")]), got


def test_a_stroke_parts_whole_readings_but_not_a_label_drawn_over_it() -> None:
    import numpy as np

    ink = np.zeros((100, 120), bool)
    ink[5:95, 45] = True  # an axis between the two boxes
    a, b = (10.0, 40.0, 40.0, 60.0), (50.0, 40.0, 80.0, 60.0)
    joined = LabelRead((10.0, 40.0, 80.0, 60.0), "B(1,0)", "$B(1,0)$", 0.95)
    split = join_words([_lab(a, "$B$", 0.95), _lab(b, "$1,0)$", 0.95)], lambda box: joined, ink=ink)
    assert [r.latex for r in split] == ["$B(1,0)$"]  # "1,0)" is not whole: one label over the axis
    whole = join_words([_lab(a, "$y^\\circ$", 0.95), _lab(b, "$x^\\circ$", 0.95)],
                       lambda box: pytest.fail("no join is tried across the stroke"), ink=ink)
    assert [r.latex for r in whole] == ["$y^\\circ$", "$x^\\circ$"]
