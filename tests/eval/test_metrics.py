"""Codegen metrics on hand-made cases: identical drawings score 1, damage scores lower."""

from __future__ import annotations

import numpy as np
import pytest

from img2asy.eval.metrics import (
    PRF,
    Reference,
    code_tokens,
    label_prf,
    length_ratio,
    normalise_label,
    outline_fills,
    score_program,
    strip_comments,
    stroke_prf,
)

TRIANGLE = """size(150);
pair A=(0,0), B=(4,0), C=(1,3);
draw(A--B--C--cycle);
draw(circle((3,2),0.8));
label("$A$", A, SW); label("$B$", B, SE); label("$C$", C, N);
"""


def _canvas(h: int = 200, w: int = 300) -> np.ndarray:
    return np.zeros((h, w), bool)


def _lines(*rows_cols) -> np.ndarray:
    m = _canvas()
    for kind, at, lo, hi in rows_cols:
        if kind == "h":
            m[at, lo:hi] = True
        else:
            m[lo:hi, at] = True
    return m


def test_identical_masks_score_one():
    m = _lines(("h", 50, 20, 280), ("v", 100, 10, 190))
    for align in (False, True):
        prf = stroke_prf(m, m, 3.0, align=align)
        assert prf.precision == prf.recall == prf.f1 == 1.0


def test_missing_stroke_lowers_recall_not_precision():
    ref = _lines(("h", 50, 20, 280), ("v", 150, 10, 190))
    cand = _lines(("h", 50, 20, 280))
    prf = stroke_prf(cand, ref, 3.0, align=False)
    assert prf.precision == 1.0
    assert 0.5 < prf.recall < 0.7  # 260 of 440 reference pixels
    extra = stroke_prf(ref, cand, 3.0, align=False)
    assert extra.recall == 1.0 and extra.precision < 0.7


def test_shift_beyond_tolerance_scores_low_within_scores_high():
    ref = _lines(("h", 50, 20, 280), ("h", 120, 20, 280), ("v", 150, 10, 190))
    near = np.roll(ref, 2, axis=0)
    far = _lines(("h", 60, 20, 280), ("h", 130, 20, 280), ("v", 170, 10, 190))
    assert stroke_prf(near, ref, 3.0, align=False).f1 == 1.0
    assert stroke_prf(far, ref, 3.0, align=False).f1 < 0.3


def test_alignment_undoes_scale_and_offset_but_not_a_different_drawing():
    ref = _lines(("h", 40, 40, 240), ("h", 140, 40, 240), ("v", 40, 40, 141), ("v", 240, 40, 141))
    half = np.zeros((120, 160), bool)  # the same rectangle drawn at half size, elsewhere
    half[10, 20:121] = half[60, 20:121] = True
    half[10:61, 20] = half[10:61, 120] = True
    assert stroke_prf(half, ref, 3.0).f1 > 0.9
    other = np.zeros((120, 160), bool)  # a cross instead of a rectangle
    other[35, 20:121] = True
    other[10:61, 70] = True
    assert stroke_prf(other, ref, 3.0).f1 < 0.5


def test_empty_cases():
    empty, m = _canvas(), _lines(("h", 50, 20, 280))
    assert stroke_prf(empty, empty).f1 == 1.0
    assert stroke_prf(empty, m).f1 == 0.0
    assert stroke_prf(m, empty).f1 == 0.0


def test_fills_count_by_their_outline():
    m = _canvas()
    m[50:150, 50:250] = True  # a filled block
    m[20, 10:290] = True  # a line
    out = outline_fills(m)
    assert out[20, 10:290].all()  # the line stays
    assert not out[100, 150] and out[50, 150] and out[100, 50]  # interior gone, border kept


def test_label_f1_multiset():
    assert label_prf(["$A$", "$B$"], ["$A$", "$B$"]).f1 == 1.0
    assert label_prf(["$A$", "$A$"], ["$A$", "$B$"]) == PRF(0.5, 0.5)
    assert label_prf(["$A$"], ["$A$", "$B$"]) == PRF(1.0, 0.5)
    assert label_prf([], []).f1 == 1.0 and label_prf([], ["$A$"]).f1 == 0.0
    assert normalise_label(r"\small $30^\circ$") == normalise_label("$30^{\\circ}$")
    assert normalise_label("$-2$") == "-2" and normalise_label("$x$") != normalise_label("$X$")


def test_length_ratio_ignores_comments():
    code = 'draw((0,0)--(1,1)); // a line\n/* block */ label("a//b", (0,0));\n'
    assert "a//b" in strip_comments(code) and "block" not in strip_comments(code)
    assert code_tokens(code) == code_tokens(strip_comments(code))
    assert length_ratio(code, code) == 1.0
    assert length_ratio("draw((0,0)--(1,1));", code) < 1.0


def test_programs_against_a_reference_program(toolchain):
    ref = Reference.from_program(TRIANGLE, toolchain)
    same = score_program(TRIANGLE, ref, toolchain)
    assert same.compiled and same.stroke_f1 == 1.0 and same.label_f1 == 1.0 and same.length_ratio == 1.0
    # the same drawing at another size and with other point names still matches
    resized = TRIANGLE.replace("size(150)", "size(220)").replace("A", "P").replace('"$P$"', '"$A$"')
    assert score_program(resized, ref, toolchain).stroke_f1 > 0.95
    moved = TRIANGLE.replace("circle((3,2),0.8)", "circle((1,-1.5),0.8)").replace('"$C$"', '"$D$"')
    sc = score_program(moved, ref, toolchain)
    assert sc.stroke_f1 < 0.85 and sc.labels == PRF(2 / 3, 2 / 3)
    broken = score_program("draw((0,0)--;", ref, toolchain)
    assert not broken.compiled and broken.stroke_f1 == 0.0 and broken.length_ratio is not None


def test_reference_program_must_compile(toolchain):
    with pytest.raises(ValueError, match="does not compile"):
        Reference.from_program("draw(;", toolchain)


def test_tick_label_phantoms_print_nothing():
    from img2asy.eval.metrics import label_prf, normalise_label

    assert normalise_label(r"\vphantom{$10^4$}$-2$") == normalise_label("$-2$")
    assert label_prf(["$-2$", "$4$"], [r"\vphantom{$10^4$}$-2$", r"\vphantom{$10^4$}$4$"]).f1 == 1.0


BOX3D = """import three;
size(150);
currentprojection = orthographic(4,3,2);
draw((0,0,0)--(1,0,0)--(1,1,0)--(0,1,0)--cycle);
draw((0,0,0)--(0,0,1));
label("$A$", (0,0,0), W); label("$B$", (1,0,0), S); label("$A$", (0,0,1), N);
"""


def test_a_3d_reference_draws_its_labels_as_paths(toolchain):
    # asy outlines a 3D figure's labels (no text to filter) and typesets each string once
    ref = Reference.from_program(BOX3D, toolchain)
    assert ref.path_labels and sorted(ref.labels) == ["$A$", "$B$"]
    same = score_program(BOX3D, ref, toolchain)
    assert same.label_f1 == 1.0 and same.stroke_f1 == 1.0
    # a 2D redraw (what codegen prints from an image): its labels are typeset, and count as ink
    redraw = score_program('size(150); draw((0,0)--(3,0)--(4,1)--(1,1)--cycle); label("$A$", (0,0), W);'
                           ' label("$B$", (3,0), S); label("$A$", (0,2), N); draw((0,0)--(0,2));', ref, toolchain)  # fmt: skip
    assert redraw.labels == PRF(1.0, 1.0)
    no_labels = score_program("size(150); draw((0,0)--(3,0)--(4,1)--(1,1)--cycle); draw((0,0)--(0,2));", ref, toolchain)
    assert no_labels.label_f1 == 0.0


def test_distinct_label_match():
    assert label_prf(["$A$", "$A$", "$B$"], ["$A$", "$B$"], distinct=True).f1 == 1.0
    assert label_prf(["$A$", "$C$"], ["$A$", "$B$"], distinct=True) == PRF(0.5, 0.5)
    assert normalise_label(r"$\surd$") == normalise_label(r"$\sqrt{}$")
