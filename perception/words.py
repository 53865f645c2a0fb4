"""Joining the words of one label.

Text boxes come from glyph clusters and the detector, and both split a label at a word
space: ``Stage 1`` reads as ``Stage`` and ``1``, ``Q(0, 12)`` as ``Q(0,`` and ``12)``,
``12 cm`` as ``12`` and ``cm``. Two read boxes on one text line, closer than a word space
(a fraction of the text height), are one label, unless both are numbers (neighbouring tick
labels, read with or without their signs) or both single letters (names of two nearby points). The joined box is read again,
and kept only when the recognizer is about as sure of it as of its parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .assemble import LabelRead
from .glyphs import line_between

Box = tuple[float, float, float, float]

_NUMBER = re.compile(r"^[-−+.,\d$]+$")  # digits and signs only: tick labels (and grid crossings read as +)
_LETTER = re.compile(r"^\$?[A-Za-z]'?\$?$")


@dataclass(frozen=True)
class WordConfig:
    gap: float = 0.7  # text heights: boxes on one line closer than this are words of one label
    overlap: float = 0.6  # of the shorter box's height: how much two boxes share to be on one line
    height_ratio: float = 2.2  # taller / shorter box beyond this: not the same text size
    conf_drop: float = 0.1  # the joined reading may be this much less sure than its weakest part


def _kind(lab: LabelRead) -> str:
    t = (lab.latex or lab.text).replace(" ", "")  # the LaTeX: OCR's dashes (—, 一) are minus signs there
    if _NUMBER.match(t):
        return "number"
    if _LETTER.match(t):
        return "letter"
    return "other"


def same_line(a: Box, b: Box, cfg: WordConfig = WordConfig()) -> bool:
    """Whether ``b`` follows ``a`` on one text line within a word space."""
    ha, hb = a[3] - a[1], b[3] - b[1]
    if min(ha, hb) <= 0 or max(ha, hb) / min(ha, hb) > cfg.height_ratio:
        return False
    shared = min(a[3], b[3]) - max(a[1], b[1])
    if shared < cfg.overlap * min(ha, hb):
        return False
    gap = b[0] - a[2]
    return -0.25 * min(ha, hb) <= gap <= cfg.gap * max(ha, hb)


def joinable(a: LabelRead, b: LabelRead, cfg: WordConfig = WordConfig()) -> bool:
    if not a.text or not b.text or not same_line(a.bbox, b.bbox, cfg):
        return False
    ka, kb = _kind(a), _kind(b)
    return not (ka == kb and ka in ("number", "letter"))


def _whole(lab: LabelRead) -> bool:
    """Whether a reading's brackets balance. ``B`` and ``1,0)`` either side of an axis are one
    label drawn over it (``B(1,0)``), so a stroke between two boxes parts only whole readings."""
    t = lab.latex or lab.text
    return t.count("(") == t.count(")") and t.count("[") == t.count("]")


def join_words(labels: list[LabelRead], reread: Callable[[Box], LabelRead],
               cfg: WordConfig = WordConfig(), ink: np.ndarray | None = None) -> list[LabelRead]:  # fmt: skip
    """Labels with split words joined, left to right; ``reread`` reads a joined box. With the
    page's ``ink``, two whole readings with a stroke between them (:func:`line_between`) stay apart."""
    out = sorted(labels, key=lambda r: (r.bbox[0], r.bbox[1]))
    refused: set[Box] = set()
    changed = True
    while changed:
        changed = False
        for i, a in enumerate(out):
            for j, b in enumerate(out):
                if i == j or not joinable(a, b, cfg) or (ink is not None and _whole(a) and _whole(b)
                                                         and line_between(ink, a.bbox, b.bbox)):
                    continue
                box = (min(a.bbox[0], b.bbox[0]), min(a.bbox[1], b.bbox[1]), max(a.bbox[2], b.bbox[2]), max(a.bbox[3], b.bbox[3]))
                if box in refused:
                    continue
                r = reread(box)
                if not r.text or r.conf < min(a.conf, b.conf) - cfg.conf_drop:
                    refused.add(box)
                    continue
                out = [x for k, x in enumerate(out) if k not in (i, j)] + [r]
                out.sort(key=lambda r: (r.bbox[0], r.bbox[1]))
                changed = True
                break
            if changed:
                break
    return out
