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


@dataclass
class _Comp:
    box: list[float]
    area: int
    kind: str  # glyph | bar | slash | speck | art


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
        return "bar" if w >= 2 * h else "slash"  # a horizontal bar (minus, fraction) or a slanted stroke
    if h < cfg.min_height * scale and w < cfg.min_height * scale:
        return "speck"
    return "glyph"


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
