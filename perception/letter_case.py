"""Settling a letter's case from its height against the figure's other labels.

``c s u v w x z`` have one shape in both cases; only the size tells ``c`` (x-height) from ``C``
(cap height), and OCR reads each crop alone, so it guesses. On the real train split the rule
printer's outputs had ``C`` for ``c``, ``Z`` for ``z`` and ``S`` for ``s`` in 7 figures. The
figure's other labels give the size of its text: a reading of letters has a known height in
Computer Modern, in em, and an ink height in pixels; the median of their ratios is the em in
pixels. ``o``/``O`` is left to :func:`.ocr.check_glyphs` (O against 0).
"""

from __future__ import annotations

import dataclasses
import re
import statistics

import cv2
import numpy as np

from .assemble import LabelRead

Box = tuple[float, float, float, float]

AMBIGUOUS = frozenset("csuvwxz")
_X_HEIGHT, _CAP, _ASCENDER, _DIGIT, _DEPTH = 0.431, 0.683, 0.694, 0.644, 0.194  # em, cmmi10 / cmr10
_TALL = {**{c: _ASCENDER for c in "bdhklf"}, "t": 0.615, "i": 0.661, "j": 0.661}
_DEEP = frozenset("gjpqyfQ")
_PLAIN = re.compile(r"\$?([A-Za-z0-9]+)\$?")


def em_height(text: str) -> float:
    """Height of ``text``'s ink from its highest top to its lowest bottom, in em."""
    top = max(_CAP if c.isupper() else _DIGIT if c.isdigit() else _TALL.get(c, _X_HEIGHT) for c in text)
    return top + (_DEPTH if any(c in _DEEP for c in text) else 0.0)


def ink_extent(ink: np.ndarray, box: Box, pad: int = 2, fill: float = 0.5) -> tuple[float, float] | None:
    """(height, width) of the ink of the glyphs in ``box``: parts that touch the padded crop's
    edge are strokes running through it and are left out. None when nothing is left, or when
    what is left spans less than ``fill`` of the box either way (a glyph that touches a stroke
    left only a fragment: a ``P`` measured 6 px of its 22)."""
    h, w = ink.shape
    x0, y0 = max(0, int(box[0]) - pad), max(0, int(box[1]) - pad)
    x1, y1 = min(w, int(np.ceil(box[2])) + pad), min(h, int(np.ceil(box[3])) + pad)
    crop = ink[y0:y1, x0:x1].astype(np.uint8)
    if crop.size == 0:
        return None
    n, _, st, _ = cv2.connectedComponentsWithStats(crop, connectivity=8)
    ch, cw = crop.shape
    inside = [s for s in st[1:] if s[4] >= 2 and s[0] > 0 and s[1] > 0 and s[0] + s[2] < cw and s[1] + s[3] < ch]
    if not inside:
        return None
    eh = float(max(s[1] + s[3] for s in inside) - min(s[1] for s in inside))
    ew = float(max(s[0] + s[2] for s in inside) - min(s[0] for s in inside))
    if eh < fill * (box[3] - box[1]) or ew < fill * (box[2] - box[0]):
        return None
    return eh, ew


def _plain(lab: LabelRead) -> str | None:
    m = _PLAIN.fullmatch((lab.latex or lab.text).strip())
    return m.group(1) if m else None


def _em_px(lab: LabelRead, t: str, ink: np.ndarray, rim: float = 0.0) -> float | None:
    """The em (px) that ``lab``'s ink says for its plain reading ``t``, less ``rim`` px of
    antialiasing; None when the ink cannot be measured."""
    ext = ink_extent(ink, lab.bbox)
    if not (ext and ext[0] and (len(t) == 1 or ext[1] > ext[0])):  # a word set upright measures its length
        return None
    return max(1.0, ext[0] - rim) / em_height(t)  # ext[0] is a whole number of px, at least 1


def settle_case(labels: list[LabelRead], ink: np.ndarray, lower: float = 0.53, upper: float = 0.60) -> list[LabelRead]:
    """Labels with each lone ``c s u v w x z`` in the case its height says: below ``lower`` em
    it is small, above ``upper`` em a capital, between the two as read. The em comes from the
    labels of letters only: tick numbers are often set smaller than the names and axis letters
    (on real train they turned three axis ``x`` into ``X``). Unchanged when no label measures it."""
    ems = []
    for lab in labels:
        t = _plain(lab)
        if t and t.isalpha() and not (len(t) == 1 and t.lower() in AMBIGUOUS) and (e := _em_px(lab, t, ink)):
            ems.append(e)
    if not ems:
        return labels
    em = statistics.median(ems)
    out = []
    for lab in labels:
        t = _plain(lab)
        if t and len(t) == 1 and t.lower() in AMBIGUOUS:
            ext = ink_extent(ink, lab.bbox)
            if ext and ext[0]:
                size = ext[0] / em
                want = t.lower() if size < lower else t.upper() if size > upper else t
                if want != t:
                    lab = dataclasses.replace(lab, text=lab.text.replace(t, want), latex=lab.latex.replace(t, want))
        out.append(lab)
    return out


def measure_em(labels: list[LabelRead], ink: np.ndarray, rim: float = 1.0) -> list[LabelRead]:
    """Labels with their font size (``em``, px) measured from the ink: a plain reading's ink
    height over its Computer Modern height. Readings that are not plain letters and digits
    (scripts, signs, fractions) and labels whose ink cannot be measured take the median em of
    the figure's measured labels; with none measured, ``em`` stays unset (the box decides).
    ``rim`` px of the ink height is antialiasing, half a pixel above and below the glyphs.

    The box alone overstated sizes: on real train the rule printer's labels came out a median
    1.31 times their true size (boxes are padded beyond the ink, and by differing amounts)."""
    ems = [_em_px(lab, t, ink, rim) if (t := _plain(lab)) else None for lab in labels]
    known = [e for e in ems if e]
    if not known:
        return labels
    median = statistics.median(known)
    return [dataclasses.replace(lab, em=round(e or median, 2)) for lab, e in zip(labels, ems)]
