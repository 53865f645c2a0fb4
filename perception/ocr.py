"""Reading label crops with PP-OCR (rapidocr, recognition only, fully offline).

rapidocr 3.10 ships PP-OCRv6-small ONNX models in its wheel. Only the recognizer runs:
the detector already found the text box, and rapidocr's own text detector misses single
letters. ``use_det``/``use_cls``/``use_rec`` are passed on every call because rapidocr keeps
them between calls.

Crops are cut exactly at the box: a white border hurts once line fragments sit inside the
crop. What a one-line recognizer cannot read is handled around it:

* a stacked fraction is split at its bar and read as two lines;
* vertical text (a rotated axis title) is also read turned a quarter;
* a horizontal or vertical figure stroke that runs into the box from outside (an axis, a
  tick) is painted over and the crop read again (:func:`erase_lines`), and so are light grey
  grid dashes crossing black text (:func:`erase_light`);
* glyph shapes settle O/0 and a prime or degree sign the recognizer dropped
  (:func:`check_glyphs`), and glyph positions give
  :class:`~img2asy.perception.latex.TextContext` its scripts, so ``A_1`` and ``x^2`` come
  back as such.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from .latex import TextContext, to_latex

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Reading:
    """One label: OCR text, its confidence, and the LaTeX built from it."""

    text: str
    conf: float
    latex: str
    context: TextContext


def as_rgb(image: Image.Image | np.ndarray) -> np.ndarray:
    """An ``H x W x 3`` uint8 array (RGB) of a PIL image or an array (grey is expanded)."""
    arr = np.asarray(image.convert("RGB")) if isinstance(image, Image.Image) else np.asarray(image)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    return arr[:, :, :3]


def crop_box(image: Image.Image | np.ndarray, box: Box) -> np.ndarray:
    """The RGB pixels inside ``box`` (x0, y0, x1, y1 in px), cut as they are (no border)."""
    arr = as_rgb(image)
    h, w = arr.shape[:2]
    x0, y0 = max(0, int(math.floor(box[0]))), max(0, int(math.floor(box[1])))
    x1, y1 = min(w, int(math.ceil(box[2]))), min(h, int(math.ceil(box[3])))
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f"empty crop for box {box} in a {w}x{h} image")
    return arr[y0:y1, x0:x1]


def ink_mask(rgb: np.ndarray, level: float = 0.35) -> np.ndarray:
    """Dark-on-light ink as booleans (darker than ``level`` of the way from paper to ink)."""
    gray = rgb.astype(np.float32).mean(axis=2) if rgb.ndim == 3 else rgb.astype(np.float32)
    paper, ink = float(np.percentile(gray, 90)), float(gray.min())
    if paper - ink < 40:
        return np.zeros(gray.shape, dtype=bool)
    return gray < paper - level * (paper - ink)  # light enough to keep thin antialiased strokes joined


def fraction_split(mask: np.ndarray) -> tuple[slice, slice] | None:
    """Row ranges of numerator and denominator when the crop is a stacked fraction.

    A fraction bar is a thin band of rows whose ink spans most of the crop, separated by
    blank rows from ink above and below it (a radical's overline has nothing above it; the
    bar of a theta touches its outline).
    """
    h, w = mask.shape
    cols = np.nonzero(mask.any(axis=0))[0]
    if cols.size:
        w = int(cols[-1] - cols[0] + 1)  # the ink's width: a padded crop has margins beside the bar
    if h < 12 or w < 3:
        return None
    rows = mask.sum(axis=1)
    full = rows >= 0.75 * w
    blank = rows <= max(0, int(0.05 * w))
    reach = max(2, h // 6)
    i = 0
    while i < h:
        if not full[i]:
            i += 1
            continue
        j = i
        while j < h and full[j]:
            j += 1
        if j - i <= max(3, h // 8):
            gap_above = [k for k in range(max(0, i - reach), i) if blank[k]]
            gap_below = [k for k in range(j, min(h, j + reach)) if blank[k]]
            if gap_above and gap_below and rows[: gap_above[0]].sum() and rows[gap_below[-1] + 1 :].sum():
                return slice(0, i), slice(j, h)
        i = j
    return None


def _trim(mask: np.ndarray, rows: slice) -> tuple[slice, slice] | None:
    sub = mask[rows]
    ys, xs = np.nonzero(sub)
    if ys.size == 0:
        return None
    start = rows.start or 0
    return slice(start + int(ys.min()), start + int(ys.max()) + 1), slice(int(xs.min()), int(xs.max()) + 1)


def glyph_columns(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Glyph boxes (x0, y0, x1, y1), left to right: ink components merged when they share columns."""
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    comps = [(int(x), int(y), int(x + bw), int(y + bh)) for x, y, bw, bh, area in stats[1:] if area >= 1]
    comps.sort()
    glyphs: list[list[int]] = []
    for x0, y0, x1, y1 in comps:
        if glyphs:
            g = glyphs[-1]
            overlap = min(g[2], x1) - max(g[0], x0)
            if overlap > 0.5 * min(x1 - x0, g[2] - g[0]):  # "=", "i", ":" are one glyph
                glyphs[-1] = [min(g[0], x0), min(g[1], y0), max(g[2], x1), max(g[3], y1)]
                continue
        glyphs.append([x0, y0, x1, y1])
    return [tuple(g) for g in glyphs]


def _reference(glyphs: list[tuple[int, int, int, int]], chars: list[str]) -> tuple[int, float, float] | None:
    """Index, height and baseline of the first alphanumeric glyph: scripts are measured against it."""
    first = next((i for i, c in enumerate(chars) if c.isalnum()), None)
    if first is None or first >= len(glyphs):
        return None
    ref = glyphs[first]
    ref_h = max(ref[3] - ref[1], 1)
    return first, ref_h, ref[3] - (0.25 * ref_h if chars[first] in "gjpqy" else 0.0)


def glyph_scripts(mask: np.ndarray, text: str) -> tuple[str, ...] | None:
    """``base``/``sup``/``sub`` per non-space character, or None when glyphs and characters do not pair up."""
    chars = [c for c in text if not c.isspace()]
    glyphs = glyph_columns(mask)
    if len(chars) < 2 or len(glyphs) != len(chars):
        return None
    ref = _reference(glyphs, chars)
    if ref is None:
        return None
    first, ref_h, base_bottom = ref
    top = glyphs[first][1]
    out = []
    for i, ((x0, y0, x1, y1), ch) in enumerate(zip(glyphs, chars)):
        pos = "base"
        if i > first and ch.isalnum():  # operators sit at their own heights; scripts follow a base
            if y1 < base_bottom - 0.3 * ref_h:
                pos = "sup"
            elif (chars[i - 1].isalpha() or out[-1] == "sub") and y1 > base_bottom + (0.45 if ch in "gjpqy" else 0.12) * ref_h and y0 > top + 0.3 * ref_h:  # fmt: skip
                pos = "sub"
        out.append(pos)
    return tuple(out)


def _round_glyph(rgb: np.ndarray) -> str:
    """``O`` or ``0`` from the shape of the largest ink blob, hairlines included.

    Computer Modern's O is about as wide as tall (0.95-1.1), its 0 narrow (0.68-0.78).
    """
    import cv2

    light = ink_mask(rgb, level=0.15).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(light, connectivity=8)
    if n < 2:
        return "0"
    x, y, w, h, _ = max(stats[1:], key=lambda st: st[4])
    return "O" if w >= 0.86 * h else "0"


def check_glyphs(mask: np.ndarray, text: str, rgb: np.ndarray) -> str:
    """Repair what the recognizer gets wrong but glyph shapes settle.

    A lone round glyph is the letter O when it is about as wide as tall, else the digit 0;
    a small raised mark the recognizer dropped at the end is a prime (thin) or a degree
    sign (round); a raised ``o`` at the end is a degree sign.
    """
    t = text.strip()
    if not t or not mask.any():
        return text
    if t in ("0", "O", "o", "〇"):
        return _round_glyph(rgb)
    glyphs = glyph_columns(mask)
    chars = [c for c in t if not c.isspace()]
    ref = _reference(glyphs, chars)
    if not chars or ref is None:
        return text
    _, ref_h, base_bottom = ref
    last = glyphs[-1]
    lw, lh = last[2] - last[0], last[3] - last[1]
    first = _reference(glyphs, chars)[0]
    prev = glyphs[-2] if len(glyphs) > 1 else None
    raised_small = last[3] < base_bottom - 0.35 * ref_h and lh < 0.55 * ref_h
    # a prime or degree sign hugs the glyph before it and starts near the top of the line;
    # a point's dot or open circle beside the label does not
    hugging = prev is not None and last[0] - prev[2] < 0.35 * ref_h and last[1] < glyphs[first][1] + 0.2 * ref_h
    if not (raised_small and hugging):
        return text
    sub = mask[last[1] : last[3], last[0] : last[2]]
    ring = sub.mean() < 0.62  # a degree sign is a ring; a point's dot next to the label is solid
    if len(glyphs) == len(chars) + 1 and chars[-1] not in "'°":
        if lh > 1.5 * lw and chars[-1].isalpha():
            return t + "'"
        if ring and (chars[-1].isdigit() or chars[-1] in ")x"):
            return t + "°"
    if len(glyphs) == len(chars) and ring and chars[-1] in "oO0" and len(chars) > 1:
        return t[:-1] + "°"
    return text


def _runs_inward(mask: np.ndarray, inner: tuple[int, int, int, int], reach: int) -> np.ndarray:
    """Pixels of horizontal runs of ink that come into the box from its left or right side
    after running at least ``reach`` pixels outside it (columns: transpose the mask)."""
    ix0, iy0, ix1, iy1 = inner
    hit = np.zeros_like(mask)
    for y in range(iy0, iy1):
        row = mask[y]
        for edge, step in ((ix0, -1), (ix1 - 1, 1)):
            out = edge + step  # first pixel outside the box on this side
            k = out
            while 0 <= k < row.size and row[k]:
                k += step
            if abs(k - out) < reach:
                continue
            j = edge
            while ix0 <= j < ix1 and row[j]:
                j -= step
            lo, hi = sorted((j + step, k - step))
            hit[y, lo : hi + 1] = True
    # where a glyph stroke crosses the line (ink right above and below its band), keep the glyph
    for x in np.flatnonzero(hit.any(axis=0)):
        ys = np.flatnonzero(hit[:, x])
        for band in np.split(ys, np.flatnonzero(np.diff(ys) > 1) + 1):
            top, bot = band[0], band[-1]
            above = top - 1 >= 0 and mask[top - 1, x]
            below = bot + 1 < mask.shape[0] and mask[bot + 1, x]
            if above and below:
                hit[band, x] = False
    return hit


def erase_light(rgb: np.ndarray, core: float = 0.35, faint: float = 0.08) -> np.ndarray | None:
    """The crop with light-grey ink away from the dark glyphs painted over, or None if it has none.

    Grid lines are usually light grey and dashed, and cross tick labels between a minus sign
    and its digit: the recognizer then drops the minus (``-2`` reads ``2``). Dashes are too
    short for :func:`erase_lines`; their grey sets them apart from black text. A glyph's own
    antialiased rim lies next to its dark core and stays.
    """
    gray = rgb.astype(np.float32).mean(axis=2)
    if float(np.percentile(gray, 90)) - float(gray.min()) < 100:  # no black text here: nothing to tell grey from
        return None
    dark = ink_mask(rgb, core)
    rim = cv2.dilate(dark.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    erase = ink_mask(rgb, faint) & ~rim
    if erase.sum() < 3:
        return None
    out = rgb.copy()
    out[erase] = np.percentile(rgb.reshape(-1, rgb.shape[-1]), 90, axis=0)
    return out


def erase_lines(image: np.ndarray, box: Box) -> np.ndarray | None:
    """The crop with horizontal and vertical strokes that run into it from outside painted
    over, or None if there are none.

    A label box is tight around its glyphs, so ink that runs well past the box is a figure
    stroke crossing the label (an axis, a tick, a side). Such strokes read as extra
    characters (``2 ml``, ``θ`` for a struck-through 0); glyph strokes never leave the box.
    """
    h_img, w_img = image.shape[:2]
    x0, y0 = max(0, int(math.floor(box[0]))), max(0, int(math.floor(box[1])))
    x1, y1 = min(w_img, int(math.ceil(box[2]))), min(h_img, int(math.ceil(box[3])))
    m = max(4, int(0.6 * (y1 - y0)))
    ex0, ey0, ex1, ey1 = max(0, x0 - m), max(0, y0 - m), min(w_img, x1 + m), min(h_img, y1 + m)
    ext = image[ey0:ey1, ex0:ex1]
    mask = ink_mask(ext)
    ix0, iy0, ix1, iy1 = x0 - ex0, y0 - ey0, x1 - ex0, y1 - ey0
    reach = max(3, int(0.35 * (y1 - y0)))
    hit = _runs_inward(mask, (ix0, iy0, ix1, iy1), reach)
    hit |= _runs_inward(mask.T, (iy0, ix0, iy1, ix1), reach).T
    if not hit[iy0:iy1, ix0:ix1].any():
        return None
    out = ext.copy()
    grown = np.zeros_like(hit)  # antialiased edges of the stroke go too
    grown[1:] |= hit[:-1]
    grown[:-1] |= hit[1:]
    grown[:, 1:] |= hit[:, :-1]
    grown[:, :-1] |= hit[:, 1:]
    out[(grown & ~mask) | hit] = np.percentile(ext.reshape(-1, ext.shape[-1]), 90, axis=0)
    return np.ascontiguousarray(out[iy0:iy1, ix0:ix1])


_FRACTION_PART = re.compile(r"[0-9A-Za-z+\-−.,()√π]{1,6}")


def _vertical(mask: np.ndarray) -> bool:
    """The ink is more than 3.2 times as tall as wide: a word set vertically, not a fraction."""
    ys, xs = np.nonzero(mask)
    return np.ptp(ys) + 1 > 3.2 * (np.ptp(xs) + 1)


class Recognizer:
    """PP-OCR recognition on label crops; ``read`` gives text, ``read_label`` LaTeX too."""

    def __init__(self, engine=None):
        if engine is None:
            from rapidocr import RapidOCR

            engine = RapidOCR(params={"Global.log_level": "error", "Global.use_det": False,
                                      "Global.use_cls": False, "Global.use_rec": True})  # fmt: skip
        self.engine = engine

    def _rec(self, rgb: np.ndarray) -> tuple[str, float]:
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        out = self.engine(bgr, use_det=False, use_cls=False, use_rec=True)
        txts = getattr(out, "txts", None) or ()
        scores = getattr(out, "scores", None) or ()
        if not txts:
            return "", 0.0
        return str(txts[0]).strip(), float(scores[0])

    def read_crop(self, rgb: np.ndarray) -> tuple[str, float]:
        """Text of one crop; tall crops are also read turned a quarter each way (vertical axis titles)."""
        text, conf = self._rec(rgb)
        h, w = rgb.shape[:2]
        if h > 2.5 * w and h >= 30:
            for k in (1, 3):
                t, c = self._rec(np.ascontiguousarray(np.rot90(rgb, k)))
                if c > conf + 0.05 and len(t) > len(text):
                    text, conf = t, c
        return text, conf

    def read(self, image: Image.Image | np.ndarray, box: Box) -> tuple[str, float]:
        """OCR text and confidence of the label inside ``box`` (a fraction reads as ``p/q``)."""
        r = self.read_label(image, box)
        return r.text, r.conf

    def read_label(self, image: Image.Image | np.ndarray, box: Box, near_point: bool = False) -> Reading:
        """Text, confidence and LaTeX of the label inside ``box``; ``near_point``: it names a point."""
        full = as_rgb(image)
        rgb = crop_box(full, box)
        mask = ink_mask(rgb)
        if not mask.any():
            return Reading("", 0.0, "", TextContext(near_point=near_point))
        split = fraction_split(mask)
        if split is not None and not _vertical(mask):
            parts = [_trim(mask, rows) for rows in split]
            if all(parts):
                (nt, nc), (dt, dc) = (self._rec(np.ascontiguousarray(rgb[r, c])) for r, c in parts)
                # both parts short math (a word set vertically, "Eaten", splits into "5" over "中")
                if _FRACTION_PART.fullmatch(nt) and _FRACTION_PART.fullmatch(dt):
                    ctx = TextContext(near_point=near_point, fraction=True)
                    text = f"{nt}/{dt}"
                    return Reading(text, min(nc, dc), to_latex(text, ctx), ctx)
        text, conf = self.read_crop(rgb)
        cleaned = erase_lines(full, box)
        if cleaned is not None:  # a figure stroke runs through the label: read it without the stroke too
            t2, c2 = self.read_crop(cleaned)
            if t2 and c2 >= conf - 0.02:
                text, conf, rgb = t2, c2, cleaned
                mask = ink_mask(rgb)
        light = erase_light(rgb)
        if light is not None:  # grey grid dashes cross the label: read it without them too
            t3, c3 = self.read_crop(light)  # the recognizer is often surely wrong on the dashed crop
            if t3 and c3 >= conf - 0.1:
                text, conf, rgb = t3, c3, light
                mask = ink_mask(rgb)
        text = check_glyphs(mask, text, rgb)
        ctx = TextContext(near_point=near_point, scripts=glyph_scripts(mask, text), shape_checked=True)
        return Reading(text, conf, to_latex(text, ctx), ctx)

    def read_many(self, image: Image.Image, boxes: list[Box], near_point: list[bool] | None = None) -> list[Reading]:
        """Readings for several boxes of one image; a box that fails reads as empty text."""
        img = as_rgb(image)
        flags = near_point or [False] * len(boxes)
        out = []
        for box, near in zip(boxes, flags):
            try:
                out.append(self.read_label(img, box, near))
            except ValueError:
                out.append(Reading("", 0.0, "", TextContext(near_point=near)))
        return out
