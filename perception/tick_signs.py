"""Minus signs of axis numbers, settled from the axis.

A tick label's minus is a short dash; on graph paper it can lie on the grid line through the
label, and then it goes to the vectoriser with the line and OCR reads ``3`` for ``-3``. Axis
numbers run evenly along their axis, so a row of them (numbers of the x-axis, at one height) or
a column (of the y-axis, ending at one x) whose values are not evenly spaced, but are once the
numbers on one side of some point are negative, lost those minus signs. On the first 250 real
train figures, 6 of the 49 negative labels had lost theirs.
"""

from __future__ import annotations

import dataclasses
import re
import statistics

import numpy as np

from .assemble import LabelRead

_INT = re.compile(r"\$?(-?\d{1,4})\$?")
MIN_LABELS = 4  # a row needs this many numbers, at least 2 on either side of the sign change
MAX_RESIDUAL = 0.25  # of the median step between neighbouring values


def _value(lab: LabelRead) -> int | None:
    m = _INT.fullmatch(lab.latex.strip())
    return int(m[1]) if m else None


def _along(lab: LabelRead, axis: int) -> float:
    """A label's place along an x-axis (``axis`` 0, rightwards) or a y-axis (1, upwards)."""
    b = lab.bbox
    return (b[0] + b[2]) / 2 if axis == 0 else -(b[1] + b[3]) / 2


def _lines(idx: list[int], labels: list[LabelRead], axis: int) -> list[list[int]]:
    """Groups of labels in one row (``axis`` 0: same vertical centre) or one column (1: same
    right edge), each ordered along the axis, left to right or bottom to top."""
    def key(i: int) -> float:
        b = labels[i].bbox
        return (b[1] + b[3]) / 2 if axis == 0 else b[2]

    out: list[list[int]] = []
    for i in sorted(idx, key=key):
        tol = max(2.0, 0.5 * (labels[i].bbox[3] - labels[i].bbox[1]))
        if out and abs(key(i) - key(out[-1][-1])) <= tol:
            out[-1].append(i)
        else:
            out.append([i])
    return [sorted(g, key=lambda i: _along(labels[i], axis)) for g in out if len(g) >= MIN_LABELS]


def _evenly(values: list[int], pos: list[float]) -> float | None:
    """How far ``values`` are from a rising straight line in ``pos`` (in median steps; None
    when they do not rise)."""
    if any(b <= a for a, b in zip(values, values[1:])):
        return None
    v, p = np.array(values, float), np.array(pos, float)
    slope, icpt = np.polyfit(p, v, 1)
    step = statistics.median(np.diff(v))
    return float(np.abs(v - (slope * p + icpt)).max() / step) if slope > 0 else None


def restore_minus(labels: list[LabelRead]) -> list[LabelRead]:
    """``labels`` with the minus signs their axis says they lost (unchanged otherwise)."""
    idx = [i for i, lab in enumerate(labels) if _value(lab) is not None]
    out = list(labels)
    for axis in (0, 1):
        for line in _lines(idx, labels, axis):
            vals = [_value(labels[i]) for i in line]
            pos = [_along(labels[i], axis) for i in line]
            res = _evenly(vals, pos)
            if res is not None and res <= MAX_RESIDUAL:
                continue  # already an axis
            best = None
            for k in range(2, len(line) - 1):
                signed = [-abs(v) for v in vals[:k]] + vals[k:]
                res = _evenly(signed, pos)
                if res is not None and res <= MAX_RESIDUAL and (best is None or res < best[0]):
                    best = (res, k)
            if best is None:
                continue
            for i, v in zip(line[: best[1]], vals[: best[1]]):
                if v > 0 and out[i] is labels[i]:  # once: a label can sit in a row and a column
                    lab = out[i]
                    out[i] = dataclasses.replace(lab, text="-" + lab.text.strip(), latex=f"$-{v}$")
    return out
