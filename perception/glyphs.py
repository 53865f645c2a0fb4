"""Text boxes without a detector: clusters of glyph-sized ink components.

A fallback for when no trained detector is available. Letters are small, isolated
components that are not straight bars or specks; neighbouring glyphs (and the bars,
specks and dots that sit among them: minus signs, fraction bars, the dot of an i) are
grouped into one box per label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class GlyphConfig:
    max_height: float = 28.0  # px at 150 dpi: taller components are strokes
    max_width: float = 80.0  # words: letters touch at this resolution
    min_height: float = 5.0  # shorter components are specks or bars, never a glyph on their own
    gap_x: float = 0.55  # glyphs closer than this many glyph heights join one label
    gap_y: float = 0.4
    bar_thickness: float = 1.3  # px (std across the component): thinner and straight is a bar
    slash_reach: float = 1.75  # a slanted stroke longer than this many glyph heights passes by, not a "/" (a "(" is ~1.5)
    bar_reach: float = 2.5  # glyph heights: a longer bar is a fraction bar only between glyphs
    diagonal: float = 0.15  # glyphs sharing less than this of their rows and of their columns are two labels


@dataclass
class _Comp:
    box: list[float]
    area: int
    kind: str  # glyph | bar | slash | speck | art (repeated dash crossings) | line (a long bar)


def _classify(mask: np.ndarray, x: int, y: int, w: int, h: int, lab: np.ndarray, i: int, scale: float,
              cfg: GlyphConfig) -> str:  # fmt: skip
    if max(w, h) <= max(3, 3.5 * scale):
        return "speck"
    ys, xs = np.nonzero(lab[y : y + h, x : x + w] == i)
    pts = np.c_[xs, ys].astype(float)
    pts -= pts.mean(0)
    ev = np.linalg.eigvalsh(np.cov(pts.T)) if len(pts) > 2 else np.array([0.0, 1.0])
    thin_std = float(np.sqrt(max(ev[0], 0)))
    long_std = float(np.sqrt(max(ev[1], 0)))
    if thin_std <= cfg.bar_thickness * max(1.0, scale) and long_std >= 3.0 * max(thin_std, 0.3):
        if w >= 2 * h:
            return "bar"  # a horizontal bar (minus, fraction)
        return "glyph" if _digit_one(ys, xs, h, scale, cfg) else "slash"  # else a slanted stroke
    if h < cfg.min_height * scale and w < cfg.min_height * scale:
        return "speck"
    return "glyph"


def _digit_one(ys: np.ndarray, xs: np.ndarray, h: int, scale: float, cfg: GlyphConfig) -> bool:
    """Whether a thin upright stroke of glyph height has the digit ``1``'s serifs: a foot
    reaching out on both sides and a flag out to the left at the top. A ``1`` is thin enough to
    pass for a stroke, so tick labels ``1`` and ``-1`` were never boxed (the commonest label
    missing from real train outputs). A dash has rows of one width; where dashed grid lines
    meet (a dash on a dash, ``⊥``) there is no flag."""
    if not cfg.min_height * scale <= h <= cfg.max_height * scale or xs.max() - xs.min() >= 0.8 * h:
        return False
    rows = [xs[ys == r] for r in range(h)]
    if any(len(r) == 0 for r in rows):
        return False
    left = np.array([r.min() for r in rows])
    right = np.array([r.max() for r in rows])
    stem_l, stem_r = float(np.median(left)), float(np.median(right))
    stem = stem_r - stem_l + 1
    foot = left[-1] < stem_l and right[-1] > stem_r and right[-1] - left[-1] + 1 >= max(3.0 * scale, 2.5 * stem)
    flag = left[: max(1, int(0.4 * h))].min() <= stem_l - 1
    return h >= 3.0 * stem and foot and flag


def _mark_patterns(comps: list[_Comp], lab: np.ndarray, idx: list[int], scale: float, twins: int = 3) -> None:
    """Identical shapes repeated along a row or column are line art (dash crossings), not text."""
    g = [k for k, c in enumerate(comps) if c.kind == "glyph"]
    if len(g) <= twins:
        return
    info = np.array([[comps[k].box[2] - comps[k].box[0], comps[k].box[3] - comps[k].box[1],
                      (comps[k].box[0] + comps[k].box[2]) / 2, (comps[k].box[1] + comps[k].box[3]) / 2] for k in g], float)  # fmt: skip
    tol = max(1.0, scale)

    def bitmap(k: int) -> np.ndarray:
        x0, y0, x1, y1 = (int(v) for v in comps[k].box)
        return lab[y0:y1, x0:x1] == idx[k]

    for a_pos, k in enumerate(g):
        same = (np.abs(info[:, 0] - info[a_pos, 0]) <= tol) & (np.abs(info[:, 1] - info[a_pos, 1]) <= tol)
        same[a_pos] = False
        aligned = same & ((np.abs(info[:, 2] - info[a_pos, 2]) <= tol) | (np.abs(info[:, 3] - info[a_pos, 3]) <= tol))
        if aligned.sum() < twins:
            continue
        ref = bitmap(k)
        hits = 0
        for b_pos in np.nonzero(aligned)[0]:
            other = bitmap(g[b_pos])
            h, w = min(ref.shape[0], other.shape[0]), min(ref.shape[1], other.shape[1])
            inter = (ref[:h, :w] & other[:h, :w]).sum()
            union = (ref[:h, :w] | other[:h, :w]).sum()
            hits += union > 0 and inter / union >= 0.7
        if hits >= twins and _dashes_between(comps, k, info, g, aligned, tol):
            comps[k].kind = "art"


def _mark_long_bars(comps: list[_Comp], reach: float) -> None:
    """A bar longer than ``reach`` glyph heights is a fraction bar only with glyphs above and
    below it; else it is line art (a polygon's side cut off by the dots at its ends), which
    would chain the names of its two end points into one label (real train read ``AB``)."""
    glyphs = [c.box for c in comps if c.kind == "glyph"]
    if not glyphs:
        return
    h = float(np.median([b[3] - b[1] for b in glyphs]))
    for c in comps:
        x0, y0, x1, y1 = c.box
        if c.kind != "bar" or x1 - x0 <= reach * h:
            continue
        over = [b for b in glyphs if x0 <= (b[0] + b[2]) / 2 <= x1]
        above = any(y0 - 1.5 * h <= b[3] <= y0 + 2 for b in over)
        below = any(y1 - 2 <= b[1] <= y1 + 1.5 * h for b in over)
        if not (above and below):
            c.kind = "line"


def _dashes_between(comps: list[_Comp], k: int, info: np.ndarray, g: list[int], aligned: np.ndarray, tol: float) -> bool:
    """Dash pieces (bars, specks) lie on the line from this shape to its nearest twin: it is a
    crossing of dashed lines. Repeated digits of axis labels have other glyphs between them."""
    a_pos = g.index(k)
    cx, cy = info[a_pos, 2], info[a_pos, 3]
    small = [c for c in comps if c.kind in ("bar", "slash", "speck")]
    for b_pos in np.nonzero(aligned)[0]:
        bx, by = info[b_pos, 2], info[b_pos, 3]
        row = abs(by - cy) <= tol
        for c in small:
            mx, my = (c.box[0] + c.box[2]) / 2, (c.box[1] + c.box[3]) / 2
            if row and abs(my - cy) <= 2 * tol + 1 and min(cx, bx) < mx < max(cx, bx):
                return True
            if not row and abs(mx - cx) <= 2 * tol + 1 and min(cy, by) < my < max(cy, by):
                return True
    return False


def glyph_boxes(mask: np.ndarray, scale: float = 1.0, cfg: GlyphConfig = GlyphConfig(),
                exclude: np.ndarray | None = None) -> list[Box]:  # fmt: skip
    """Label boxes (x0, y0, x1, y1) in graph coordinates from a stroke-ink mask.

    ``exclude`` marks pixels known not to be text (e.g. dots); components touching it are skipped.
    """
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    comps: list[_Comp] = []
    idx: list[int] = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if h > cfg.max_height * scale or w > cfg.max_width * scale:
            continue
        if w > 1.6 * cfg.max_height * scale and area < 0.2 * w * h:
            continue  # long and sparse: line art, not a word
        kind = _classify(mask, x, y, w, h, lab, i, scale, cfg)
        comps.append(_Comp([x, y, x + w, y + h], area, kind))
        idx.append(i)
    _mark_patterns(comps, lab, idx, scale)
    _mark_long_bars(comps, cfg.bar_reach)
    glyphs = [c for c in comps if c.kind == "glyph"]
    if not glyphs:
        return []
    # union-find over glyphs whose widened boxes touch
    parent = list(range(len(comps)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def grown(c: _Comp) -> list[float]:
        h = max(c.box[3] - c.box[1], 6 * scale)
        gx, gy = cfg.gap_x * h, cfg.gap_y * h
        return [c.box[0] - gx, c.box[1] - gy, c.box[2] + gx, c.box[3] + gy]

    boxes = np.array([c.box for c in comps], float)
    g_idx = [k for k, c in enumerate(comps) if c.kind == "glyph"]
    gb = np.array([grown(comps[k]) for k in g_idx])
    for a_pos, a in enumerate(g_idx):
        ga = gb[a_pos]
        hit = (boxes[:, 0] <= ga[2]) & (boxes[:, 2] >= ga[0]) & (boxes[:, 1] <= ga[3]) & (boxes[:, 3] >= ga[1])
        for b in np.nonzero(hit)[0]:
            if b == a:
                continue
            bw, bh = comps[b].box[2] - comps[b].box[0], comps[b].box[3] - comps[b].box[1]
            if comps[b].kind == "slash" and math.hypot(bw, bh) > cfg.slash_reach * max(comps[a].box[3] - comps[a].box[1], 16.0 * scale):
                continue  # a slanted line longer than the glyph is a stroke passing by, not a "/"
            if comps[b].kind == "line":
                continue
            if comps[b].kind == "glyph" and (_diagonal(comps[a].box, comps[b].box, cfg.diagonal)
                                             or line_between(mask, comps[a].box, comps[b].box)):
                continue
            ra, rb = find(a), find(int(b))
            if ra != rb:
                parent[rb] = ra
    groups: dict[int, list[int]] = {}
    for k in range(len(comps)):
        groups.setdefault(find(k), []).append(k)
    out: list[Box] = []
    for members in groups.values():
        if not any(comps[k].kind == "glyph" for k in members):
            continue
        b = boxes[members]
        out.append((float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())))
    return out


def _diagonal(a: list[float], b: list[float], share: float, size: float = 0.8) -> bool:
    """Whether two glyphs of one size sit corner to corner, sharing almost no rows and no
    columns: the names of two points either side of a vertex (``B`` above-left of ``P``), not
    one label. Glyphs of one label share rows (a word) or columns (a fraction, two lines), or
    one is smaller (a script: the ``°`` of ``x°`` sits above the ``x``)."""
    ha, hb = a[3] - a[1], b[3] - b[1]
    if min(ha, hb) < size * max(ha, hb):
        return False
    rows = min(a[3], b[3]) - max(a[1], b[1])
    cols = min(a[2], b[2]) - max(a[0], b[0])
    return rows < share * min(ha, hb) and cols < share * min(a[2] - a[0], b[2] - b[0])


def line_between(ink: np.ndarray, a: Box, b: Box, reach: float = 0.25) -> bool:
    """Whether a stroke crosses the space between two boxes side by side: ink there that runs
    on above or below their shared rows by more than ``reach`` text heights. A word space is
    blank, so ``y°`` and ``x°`` either side of a segment are two labels (real train read ``y°x°``)."""
    (l, r) = (a, b) if a[0] <= b[0] else (b, a)
    x0, x1 = int(math.ceil(l[2])), int(math.floor(r[0]))
    if x1 - x0 < 1:
        return False
    y0, y1 = max(l[1], r[1]), min(l[3], r[3])
    h = max(l[3] - l[1], r[3] - r[1])
    top, bottom = max(0, int(y0 - 2 * h)), min(ink.shape[0], int(math.ceil(y1 + 2 * h)))
    left, right = max(0, int(l[0])), min(ink.shape[1], int(math.ceil(r[2])))
    n, lab = cv2.connectedComponents(ink[top:bottom, left:right].astype(np.uint8), connectivity=8)
    strip = lab[int(y0) - top : int(math.ceil(y1)) - top, x0 - left : x1 - left]
    for i in set(np.unique(strip).tolist()) - {0}:
        rows = np.nonzero((lab == i).any(axis=1))[0] + top
        if rows.min() < y0 - reach * h or rows.max() > y1 + reach * h:
            return True
    return False


def is_dash(ink: np.ndarray, box: Box, width: float, scale: float = 1.0, reach: float = 22.0) -> bool:
    """Whether the ink in ``box`` is one straight thin piece with more ink straight ahead along
    its axis: a dash of a dashed line, which OCR reads as ``1``, ``l`` or ``/`` (in real MATH
    train diagrams the commonest label that is not there), not a label. A drawn ``1`` or ``l``
    has a serif or a hook, so it is not straight to within half a line width."""
    h, w = ink.shape
    x0, y0 = max(0, int(math.floor(box[0])) - 1), max(0, int(math.floor(box[1])) - 1)
    x1, y1 = min(w, int(math.ceil(box[2])) + 1), min(h, int(math.ceil(box[3])) + 1)
    ys, xs = np.nonzero(ink[y0:y1, x0:x1])
    if len(xs) < 4:
        return False
    pts = np.c_[xs + x0 + 0.5, ys + y0 + 0.5]
    c = pts.mean(0)
    _, vecs = np.linalg.eigh(np.cov((pts - c).T))
    v, u = vecs[:, 0], vecs[:, 1]
    if float(np.abs((pts - c) @ v).max()) > 0.5 * width + 1.0:
        return False
    t = (pts - c) @ u
    for sign, end in ((1.0, float(t.max())), (-1.0, float(t.min()))):
        for s in np.arange(1.5, reach * scale, 1.0):
            for off in (-1.0, 0.0, 1.0):
                qx, qy = c + u * (end + sign * s) + v * off
                ix, iy = int(qx), int(qy)
                if not (0 <= ix < w and 0 <= iy < h):
                    continue
                if ink[iy, ix] and not (x0 <= ix < x1 and y0 <= iy < y1):
                    return True
    return False
