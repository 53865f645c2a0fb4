"""Minus signs of axis numbers restored from the axis's even spacing (hand-made label rows)."""

from __future__ import annotations

from img2asy.perception.assemble import LabelRead
from img2asy.perception.tick_signs import restore_minus


def _row(values: list[str], y: float = 100.0, step: float = 30.0, skip: int | None = None) -> list[LabelRead]:
    """Numbers on an x-axis: one per tick, left to right, none at tick ``skip`` (the origin)."""
    out, x = [], 20.0
    for k, v in enumerate(values):
        if k == skip:
            x += step
        out.append(LabelRead((x, y, x + 8 * len(v), y + 12), v, f"${v}$"))
        x += step
    return out


def _column(values: list[str], x1: float = 50.0, step: float = 25.0) -> list[LabelRead]:
    """Numbers on a y-axis, top to bottom, right-aligned at ``x1``."""
    return [LabelRead((x1 - 8 * len(v), 10 + k * step, x1, 22 + k * step), v, f"${v}$") for k, v in enumerate(values)]


def _latex(labels: list[LabelRead]) -> list[str]:
    return [lab.latex for lab in labels]


def test_numbers_left_of_the_origin_get_their_minus_back():
    got = restore_minus(_row(["3", "2", "1", "1", "2", "3"], skip=3))
    assert _latex(got) == ["$-3$", "$-2$", "$-1$", "$1$", "$2$", "$3$"]
    assert got[0].text == "-3"
    # one minus read, the others lost
    assert _latex(restore_minus(_row(["-4", "2", "0", "2", "4"]))) == ["$-4$", "$-2$", "$0$", "$2$", "$4$"]


def test_numbers_below_the_origin_on_a_y_axis():
    got = restore_minus(_column(["3", "2", "1", "0", "1", "2", "3"]))
    assert _latex(got) == ["$3$", "$2$", "$1$", "$0$", "$-1$", "$-2$", "$-3$"]


def test_rows_that_are_already_axes_or_are_not_axes_stay():
    axis = _row(["-3", "-2", "-1", "1", "2", "3"], skip=3)
    assert restore_minus(axis) == axis
    positive = _row(["1", "2", "3", "4", "5"])
    assert restore_minus(positive) == positive
    sides = _row(["5", "3", "3", "5"])  # side lengths along a figure: -5 -3 3 5 is not even either
    assert restore_minus(sides) == sides
    short = _row(["2", "1", "1", "2"][:3])  # too few numbers to tell
    assert restore_minus(short) == short
    words = [LabelRead((0, 0, 10, 10), "A", "$A$"), *_row(["2", "1", "1", "2"], skip=2)]
    assert _latex(restore_minus(words)) == ["$A$", "$-2$", "$-1$", "$1$", "$2$"]
