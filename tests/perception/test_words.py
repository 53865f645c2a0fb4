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
