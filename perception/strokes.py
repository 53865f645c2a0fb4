"""Vectorisation: the non-text ink of a diagram as drawing primitives.

Steps (all in the image's pixel frame, thresholds given at 150 dpi and scaled by ``scale``):

1. ink mask (darker than the paper, the same rule as :mod:`img2asy.eval.ink`) and its
   distance transform;
2. blobs, where ink is thicker than any stroke: filled regions (segmented by fill colour,
   outline from ``cv2.findContours``/``approxPolyDP``), dots (small filled discs) and
   arrowheads (small filled triangles);
3. what remains, minus text, is thinned to a skeleton whose junctions and free ends become
   nodes and whose pixel runs become chains;
4. each chain is split into straight, circular and free-form pieces; pieces are merged across
   nodes where they continue (collinear, co-circular, tangent-smooth); short isolated pieces
   and specks in regular rows become dashed and dotted primitives;
5. node positions are refined (intersections of the fitted lines), free ends are snapped onto
   nearby strokes with shapely, and each primitive gets a width and a colour.

Nothing is dropped: a run that fits nothing specific stays a curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np

from .fitting import (
    CircleFit,
    LineFit,
    angle_deg,
    fit_circle,
    fit_line,
    line_angle,
    line_intersection,
    radial_residuals,
    resample,
    smooth,
    split_run,
    sweep_deg,
    unit,
)
from .skeleton import PixelGraph, pixel_graph, thin

_LUMA = np.array([0.299, 0.587, 0.114])  # luminance of an RGB colour


@dataclass(frozen=True)
class StrokeConfig:
    """Vectoriser thresholds; pixel values are at 150 dpi and scale with the image's dpi."""

    ink_delta: int = 20  # ink: darker than the paper by this much (235 on white, as eval.ink)
    ring_gain: float = 4.0  # raise ink_delta to this times the ringing beside dark strokes (JPEG); 0: off
    ring_cap: float = 50.0  # ... but never above this
    line_tol: float = 1.0  # max deviation of skeleton pixels from a straight piece
    arc_tol: float = 1.0  # max radial deviation for a circular piece
    merge_tol: float = 1.6  # max deviation when two pieces are merged into one
    min_arc_sweep: float = 25.0  # degrees
    smooth_turn: float = 14.0  # degrees: joints that turn less are smooth (curves)
    collinear_turn: float = 6.0  # degrees: joints that turn less may merge into one segment
    spur: float = 4.0  # side branches shorter than this are thinning artefacts
    snap: float = 3.0  # free ends this close to a stroke or node join it
    blob_dt: float = 2.2  # ink deeper than this (distance to paper) is a blob core
    dot_max_r: float = 7.0  # a round blob up to this radius is a dot
    head_max: float = 34.0  # arrowheads are at most this long
    region_thickness: float = 6.0  # a blob this thick (2*area/perimeter) is a filled region
    region_min_area: float = 120.0  # px^2
    colour_tol: int = 30  # max channel difference within one fill colour
    speck_max: float = 3.5  # components this small (bbox side) are specks (dotted lines)
    dash_max: float = 34.0  # isolated straight pieces up to this long may be dashes
    dash_gap: float = 22.0  # max gap between consecutive dashes / dots
    dash_ink: float = 0.6  # a row of short pieces this much ink along its length is dashed, not dotted


# ----------------------------------------------------------------------------- records
@dataclass
class Region:
    pts: list[list[float]]
    fill: tuple[float, float, float]
    area: float
    holes: list[list[list[float]]] = field(default_factory=list)  # paper inside the outline


@dataclass
class Dot:
    xy: tuple[float, float]
    r: float
    color: tuple[float, float, float]


@dataclass
class Head:
    """A small filled triangle; ``tip`` is set once the stroke it ends is known."""

    pts: list[list[float]]
    centroid: tuple[float, float]
    size: float
    color: tuple[float, float, float]
    tip: tuple[float, float] | None = None
    wedge: bool = False  # two strokes run into it: a thick acute corner, not an arrowhead
    ink: np.ndarray | None = None  # its ink pixels (graph coordinates)
    axis: np.ndarray | None = None  # principal direction (the shaft's, for an arrowhead)


@dataclass
class VNode:
    xy: np.ndarray
    kind: str  # junction | end | corner | dot | head
    ref: int = -1  # dot / head index for kind dot / head


@dataclass
class Prim:
    """One stroke primitive; ``pts`` is its ordered support from node ``na`` to node ``nb``."""

    kind: str  # segment | arc | circle | curve
    pts: np.ndarray
    na: int | None
    nb: int | None
    line: LineFit | None = None
    circle: CircleFit | None = None
    dash: str = "solid"
    width: float = 1.0
    color: tuple[float, float, float] = (0.0, 0.0, 0.0)
    through: list[int] = field(default_factory=list)
    alive: bool = True
    fit: np.ndarray | None = None  # support without the pixels bent by junctions and blobs
    period: float = 0.0  # a dashed row's repeat (dash + gap), px; 0 when unknown

    @property
    def fpts(self) -> np.ndarray:
        return self.fit if self.fit is not None and len(self.fit) >= 2 else self.pts

    def end_node(self, side: int) -> int | None:
        return self.na if side == 0 else self.nb

    def set_end(self, side: int, nid: int | None) -> None:
        if side == 0:
            self.na = nid
        else:
            self.nb = nid

    def length(self) -> float:
        return float(np.hypot(*np.diff(self.pts, axis=0).T).sum()) if len(self.pts) > 1 else 0.0


@dataclass
class Prepared:
    """The image split into ink layers, before text is known."""

    rgb: np.ndarray
    paper: tuple[int, int, int]
    ink: np.ndarray  # bool
    dark: np.ndarray  # float32 0-1: how much darker than paper
    strokes: np.ndarray  # bool: ink left for strokes (no regions, dots, heads)
    regions: list[Region]
    dots: list[Dot]
    heads: list[Head]
    region_mask: np.ndarray
    line_width: float  # typical stroke width, px
    scale: float
    dark_sum: np.ndarray | None = None  # integral image of ``dark`` (window sums for widths)
    blob_mask: np.ndarray | None = None  # dots and arrowheads


@dataclass
class Vectorised:
    prims: list[Prim]
    nodes: list[VNode]
    regions: list[Region]
    dots: list[Dot]
    heads: list[Head]
    line_width: float


# ----------------------------------------------------------------------------- ink
def ringing(lum: np.ndarray, ref: float, core: float = 100.0) -> float:
    """How rough the paper is 2-4 px beside dark ink (95th percentile of the difference from
    a 3x3 median, grey levels).

    A clean render has flat paper or flat fills there (0-5 on real val); JPEG ringing and
    noise do not (about 8 at quality 80, 12 at 60, 16 at 40), and a fixed ink threshold turns
    them into hairs along every stroke and broken circles."""
    dark = (ref - lum) > core
    if not dark.any():
        return 0.0
    dist = cv2.distanceTransform((~dark).astype(np.uint8), cv2.DIST_L2, 3)
    ring = (dist >= 2) & (dist <= 4)
    far = dist > 10
    if not ring.any():
        return 0.0
    grey = lum.clip(0, 255).astype(np.uint8)
    rough = np.abs(lum - cv2.medianBlur(grey, 3).astype(np.float32))
    base = float(np.percentile(rough[far], 95)) if far.any() else 0.0  # noise everywhere is not ringing
    return max(0.0, float(np.percentile(rough[ring], 95)) - base)


def ink_layers(rgb: np.ndarray, paper: tuple[int, int, int], delta: int,
               ring_gain: float = 0.0, ring_cap: float = 50.0) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Boolean ink mask and a 0-1 darkness map relative to the paper.

    The rule matches :func:`img2asy.eval.ink.ink`: darker than the paper by ``delta`` in
    luminance, or a saturated colour; faint specks of one to three pixels are noise. With
    ``ring_gain``, ``delta`` rises above the :func:`ringing` of a compressed image.
    """
    f = rgb.astype(np.float32)
    lum = 0.299 * f[:, :, 0] + 0.587 * f[:, :, 1] + 0.114 * f[:, :, 2]
    ref = 0.299 * paper[0] + 0.587 * paper[1] + 0.114 * paper[2]
    high = max(delta, min(ring_cap, ring_gain * ringing(lum, ref))) if ring_gain > 0 else delta
    spread = f.max(axis=2) - f.min(axis=2)
    ink = (lum < ref - high) | (spread > 3 * delta)
    if high > delta:  # faint ink counts where it forms long runs of its own (light grid lines), not specks
        faint = (lum < ref - delta) & ~ink
        n, lab, stats, _ = cv2.connectedComponentsWithStats(faint.astype(np.uint8), connectivity=8)
        runs = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) >= 12
        runs[0] = False
        ink |= runs[lab]
    dark = np.clip(np.maximum(ref - lum, 0.5 * spread) / max(ref, 1.0), 0, 1).astype(np.float32)
    near = np.abs(lum - ref) < delta
    noisy = near.any() and float(lum[near].std()) > 1.5  # clean renders keep their faint dotted lines
    n, lab, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    if n > 1 and noisy:  # noise specks: tiny and faint
        small = stats[:, cv2.CC_STAT_AREA] <= 3
        if small[1:].any():
            peak = np.zeros(n, np.float32)
            np.maximum.at(peak, lab[ink], dark[ink])
            kill = small & (peak < 0.35)
            kill[0] = False
            ink &= ~kill[lab]
    return ink, dark


def _typical_width(ink: np.ndarray, dt: np.ndarray, elongation: float = 3.0) -> float:
    """Median stroke width from the distance transform on ridge pixels of thin ink.

    Only ink parts at least ``elongation`` times as long as they are thick count: a figure of
    nothing but dots (a lattice) otherwise takes the dots' diameter for its line width, and the
    blob finder then looks for blobs thicker than the dots themselves."""
    ridge = ink & (dt >= cv2.dilate(dt, np.ones((3, 3), np.uint8)) - 1e-6) & (dt <= 4.5)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    if n > 1:
        thick = np.zeros(n, np.float32)
        np.maximum.at(thick, lab[ridge], dt[ridge])
        long = stats[:, cv2.CC_STAT_WIDTH].clip(min=stats[:, cv2.CC_STAT_HEIGHT]) >= elongation * 2 * thick
        ridge &= long[lab]
    vals = dt[ridge]
    if len(vals) < 10:
        return 1.0
    return float(max(0.8, 2 * np.median(vals) - 1))


def _rgb01(c) -> tuple[float, float, float]:
    return tuple(round(float(v) / 255.0, 3) for v in c)


# ----------------------------------------------------------------------------- blobs
def _contour_polys(mask: np.ndarray, eps: float, offset, min_area: float, ink: np.ndarray | None = None,
                   paper_frac: float = 0.85) -> list[tuple[list[list[float]], float, list[list[list[float]]]]]:  # fmt: skip
    """Outlines of a mask's parts (approxPolyDP), with their areas and their holes.

    A hole is kept when it is large and shows paper (at least ``paper_frac`` of it is not
    ``ink``): a white square cut out of a black one, the inside of a shaded ring. Holes of
    ink (labels, strokes of another colour drawn on the fill) stay part of the fill.
    """
    cs, hier = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    out = []

    def poly(c) -> list[list[float]] | None:
        ap = cv2.approxPolyDP(c, eps, True).reshape(-1, 2).astype(float)
        return [[float(x) + 0.5 + offset[0], float(y) + 0.5 + offset[1]] for x, y in ap] if len(ap) >= 3 else None

    for k, c in enumerate(cs):
        if hier is not None and hier[0][k][3] >= 0:
            continue  # a hole: taken with its outer outline
        area = float(cv2.contourArea(c))
        if area < min_area:
            continue
        pts = poly(c)
        if pts is None:
            continue
        holes = []
        j = hier[0][k][2] if hier is not None else -1
        while j >= 0 and ink is not None:
            ha = float(cv2.contourArea(cs[j]))
            if ha >= min_area:
                inside = np.zeros(mask.shape, np.uint8)
                cv2.drawContours(inside, cs, j, 1, -1)
                inside = inside.astype(bool) & ~mask.astype(bool)
                if inside.any() and 1.0 - float(ink[inside].mean()) >= paper_frac:
                    # outlined on the paper itself: the mask was closed, which rounds a hole's corners
                    pc, _ = cv2.findContours((inside & ~ink).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
                    hp = poly(max(pc, key=cv2.contourArea)) if pc else None
                    if hp is not None:
                        holes.append(hp)
                        area -= ha
            j = hier[0][j][0]
        out.append((pts, area, holes))
    return out


def find_blobs(rgb: np.ndarray, ink: np.ndarray, dark: np.ndarray, dt: np.ndarray, width: float, scale: float,
               cfg: StrokeConfig) -> tuple[list[Region], list[Dot], list[Head], np.ndarray, np.ndarray]:  # fmt: skip
    """Regions, dots and arrowheads; returns also the mask of region pixels and of dot/head pixels."""
    h, w = ink.shape
    t = max(cfg.blob_dt * scale, 1.6, 0.75 * width + 0.6)
    core = (dt > t).astype(np.uint8)
    regions: list[Region] = []
    dots: list[Dot] = []
    heads: list[Head] = []
    region_mask = np.zeros_like(ink)
    blob_mask = np.zeros_like(ink)
    n, lab, stats, cents = cv2.connectedComponentsWithStats(core, connectivity=8)
    if n <= 1:
        return regions, dots, heads, region_mask, blob_mask
    grow = int(math.ceil(t)) + 1
    kern = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
    small_max = max(2 * cfg.dot_max_r * scale + 2, cfg.head_max * scale)
    order = np.argsort(-stats[1:, cv2.CC_STAT_AREA]) + 1
    for i in order:
        x, y, bw, bh, area = stats[i]
        if region_mask[int(cents[i][1]), int(cents[i][0])] and area > 0:
            continue
        x0, y0 = max(0, x - grow - 2), max(0, y - grow - 2)
        x1, y1 = min(w, x + bw + grow + 2), min(h, y + bh + grow + 2)
        comp = (lab[y0:y1, x0:x1] == i).astype(np.uint8)
        colour = np.median(rgb[y0:y1, x0:x1][comp.astype(bool)], axis=0)
        sub_dt = np.where(comp.astype(bool), dt[y0:y1, x0:x1], 0)
        py, px = np.unravel_index(int(sub_dt.argmax()), sub_dt.shape)
        if blob_mask[y0 + py, x0 + px]:
            continue
        if max(bw, bh) <= small_max:
            blob = _small_blob(ink, (x0 + px, y0 + py), float(sub_dt.max()), width, colour, scale, cfg, dark)
            if blob is not None and blob[0] == "dot" and _lighter_than_strokes(blob, colour, ink, dark):
                blob = None  # a grey blob where anti-aliased strokes overlap, not a drawn dot
            if blob is not None:
                kind, obj, fp, (ox, oy) = blob
                (dots if kind == "dot" else heads).append(obj)
                blob_mask[oy : oy + fp.shape[0], ox : ox + fp.shape[1]] |= fp
                continue
        fp = cv2.dilate(comp, kern).astype(bool) & ink[y0:y1, x0:x1]
        fa = int(fp.sum())
        if fa == 0:
            continue
        cs, _ = cv2.findContours(fp.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        perim = max(sum(cv2.arcLength(c, True) for c in cs), 1.0)
        thick = 2 * fa / perim
        if thick < cfg.region_thickness * scale or fa < cfg.region_min_area * scale * scale:
            continue  # a thick stroke: left to the vectoriser
        sub_rgb = rgb[y0:y1, x0:x1]
        for col in _fill_colours(sub_rgb[comp.astype(bool)], cfg.region_min_area * scale * scale, cfg.colour_tol):
            seed = ink[y0:y1, x0:x1] & (np.abs(sub_rgb.astype(np.int16) - col).max(axis=2) <= cfg.colour_tol)
            seed &= ~region_mask[y0:y1, x0:x1]
            # only the thick parts of this colour: a fill, not the strokes drawn in it
            seed = cv2.morphologyEx(seed.astype(np.uint8), cv2.MORPH_OPEN, kern).astype(bool) & comp.astype(bool)
            if seed.sum() < cfg.region_min_area * scale * scale / 4:
                continue
            reg = _region_from_colour(rgb, ink, dark, seed.astype(np.uint8), (x0, y0, x1, y1), col, width, cfg)
            if reg is None:
                continue
            rmask, excl, (rx0, ry0) = reg
            polys = _contour_polys(rmask, max(0.8, 0.8 * scale), (rx0, ry0), cfg.region_min_area * scale * scale,
                                   ink[ry0 : ry0 + rmask.shape[0], rx0 : rx0 + rmask.shape[1]])  # fmt: skip
            for pts, area, holes in polys:
                regions.append(Region(pts, _rgb01(col), area, holes))
            if polys:
                region_mask[ry0 : ry0 + rmask.shape[0], rx0 : rx0 + rmask.shape[1]] |= excl
    return regions, dots, heads, region_mask, blob_mask


def _fill_colours(px: np.ndarray, min_count: float, tol: int) -> list[np.ndarray]:
    """The distinct flat colours among a blob's core pixels, commonest first."""
    q = (px // 16).astype(np.int32)
    keys = (q[:, 0] << 8) | (q[:, 1] << 4) | q[:, 2]
    counts = np.bincount(keys, minlength=4096)
    out: list[np.ndarray] = []
    for k in np.argsort(-counts):
        if counts[k] < min_count:
            break
        col = np.median(px[keys == k], axis=0).astype(np.int16)
        if all(np.abs(col - c).max() > tol for c in out):
            out.append(col)
    return out


def _small_blob(ink: np.ndarray, seed: tuple[int, int], depth: float, width: float, colour, scale: float,
                cfg: StrokeConfig, dark: np.ndarray | None = None):  # fmt: skip
    """A dot or an arrowhead around ``seed`` (None if neither).

    The ink is opened with a disc wider than the strokes but narrower than the blob, which
    strips the lines running into it and leaves its own shape; a thicker stroke than usual
    may need the next larger disc.
    """
    rho = max(1, int(math.ceil(0.5 * width + 0.3)), 2 if depth >= 2.2 else 1)
    for r in (rho, rho + 1) if depth >= 2 * rho + 2 else (rho,):
        out = _small_blob_at(ink, seed, r, colour, scale, cfg, width, dark)
        if out is not None:
            return out
    return None


def _lighter_than_strokes(blob, colour, ink: np.ndarray, dark: np.ndarray) -> bool:
    """The blob is clearly lighter than the strokes running into it."""
    _, dot, fp, (ox, oy) = blob
    ring = _grow(fp, 5) & ~_grow(fp, 2) & ink[oy : oy + fp.shape[0], ox : ox + fp.shape[1]]
    if not ring.any():
        return False
    c = np.asarray(colour, float)
    if float(c.max() - c.min()) > 80:
        return False  # a coloured dot: its own ink, not an overlap of strokes
    core = max(0.0, (255.0 - float(c @ _LUMA)) / 255.0)
    strokes = float(np.percentile(dark[oy : oy + fp.shape[0], ox : ox + fp.shape[1]][ring], 90))
    return core < 0.8 * strokes


def _exits(shape: np.ndarray, ink: np.ndarray, r0: int, r1: int) -> int:
    """How many strokes leave a blob: ink components in a ring around it."""
    ring = _grow(shape, r1) & ~_grow(shape, r0) & ink
    return cv2.connectedComponents(ring.astype(np.uint8), connectivity=8)[0] - 1


def _small_blob_at(ink: np.ndarray, seed: tuple[int, int], rho: int, colour, scale: float, cfg: StrokeConfig,
                   width: float = 1.0, dark: np.ndarray | None = None):  # fmt: skip
    h, w = ink.shape
    reach = int(cfg.head_max * scale) + rho + 3
    sx, sy = seed
    x0, y0, x1, y1 = max(0, sx - reach), max(0, sy - reach), min(w, sx + reach + 1), min(h, sy + reach + 1)
    win = ink[y0:y1, x0:x1].astype(np.uint8)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rho + 1, 2 * rho + 1))
    opened = cv2.morphologyEx(win, cv2.MORPH_OPEN, k, borderType=cv2.BORDER_REPLICATE)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    j = int(lab[sy - y0, sx - x0])
    if j == 0:
        return None
    bx, by, bw, bh, area = (int(v) for v in stats[j])
    if (bx == 0 and x0 > 0) or (by == 0 and y0 > 0) or (bx + bw >= x1 - x0 and x1 < w) or (by + bh >= y1 - y0 and y1 < h):
        return None  # runs out of the window: part of something larger
    shape = lab == j
    ys, xs = np.nonzero(shape)
    if len(ys) < 4:
        return None
    size = max(bw, bh)
    cs, _ = cv2.findContours(shape.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    perim = max(cv2.arcLength(cs[0], True), 1.0) if cs else 1.0
    circ = 4 * math.pi * area / (perim * perim)
    fill = area / float(bw * bh)
    aspect = max(bw, bh) / max(1, min(bw, bh))
    cx, cy = float(xs.mean()) + x0 + 0.5, float(ys.mean()) + y0 + 0.5
    r = math.sqrt(area / math.pi)
    crossing = r < 1.6 * width + 0.5 and _exits(shape, ink[y0:y1, x0:x1], int(r) + 2, int(r) + 5) >= 3
    if size <= 2 * cfg.dot_max_r * scale + 2 and aspect <= 1.35 and fill >= 0.6 and circ >= 0.7 and not crossing:
        win = ink[y0:y1, x0:x1]
        if dark is not None:  # lighter strokes passing by (graph paper under an axis's head) are not its own
            dwin = dark[y0:y1, x0:x1]
            win = win & (dwin >= 0.5 * float(np.median(dwin[shape])))
        head = _tapered_end(win, shape, (cx - x0, cy - y0), r, rho, colour, scale, (x0, y0))
        if head is not None:
            return "head", head[0], head[1] | (_grow(shape, rho + 1) & ink[y0:y1, x0:x1]), (x0, y0)
        yy, xx = np.ogrid[y0:y1, x0:x1]
        disc = (xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2 <= (r + 1.0) ** 2
        return "dot", Dot((cx, cy), r, _rgb01(colour)), disc & ink[y0:y1, x0:x1], (x0, y0)
    if size <= cfg.head_max * scale:
        hull = cv2.convexHull(np.c_[xs, ys].astype(np.int32))
        solidity = area / max(cv2.contourArea(hull), 1.0)
        tri_area, tri = cv2.minEnclosingTriangle(hull.astype(np.float32))
        tri_fill = area / max(float(tri_area), 1.0)  # ~0.85 for a (blunted) triangle, 0.6 for a disc
        if tri_fill >= 0.7 and (circ < 0.8 or tri_fill >= 0.78) and solidity > 0.75 and aspect <= 3.5 and _exits(shape, ink[y0:y1, x0:x1], rho + 3, rho + 6) <= 3:
            pts = [[float(px) + x0 + 0.5, float(py) + y0 + 0.5] for px, py in tri.reshape(-1, 2)]
            fp = _grow(shape, rho + 1) & ink[y0:y1, x0:x1]
            fys, fxs = np.nonzero(fp)
            ink_pts = np.c_[fxs + x0 + 0.5, fys + y0 + 0.5].astype(float)
            axis = fit_line(np.c_[xs + x0 + 0.5, ys + y0 + 0.5].astype(float)).u
            return "head", Head(pts, (cx, cy), float(size), _rgb01(colour), ink=ink_pts, axis=axis), fp, (x0, y0)
    return None


def _tapered_end(win: np.ndarray, shape: np.ndarray, c: tuple[float, float], r: float, rho: int, colour,
                 scale: float, origin: tuple[int, int]) -> tuple[Head, np.ndarray] | None:  # fmt: skip
    """A small arrowhead that opening rounded into a dot: a stroke runs into the blob, nothing
    leaves on the far side, and the blob's ink runs on there well beyond its radius (a tip).

    ``Arrows(size=0.14cm)`` heads on a thick axis are 7 px wide and 11 long: the disc that strips
    the shaft also blunts the tip, and what is left is as round as a dot. A drawn dot at the end
    of a stroke reaches no farther than its radius on the side away from the stroke, and a dot
    on a line has ink leaving on opposite sides. Other ink leaving beside the shaft (the point's
    label or a curve next to the head) is allowed. ``c`` and the footprint returned are in the
    window's coordinates (``win``, whose top-left pixel is ``origin`` in the image); the Head is in
    the image's. None when the blob is a dot.
    """
    h, w = win.shape
    yy, xx = np.mgrid[0:h, 0:w]
    d = np.hypot(xx + 0.5 - c[0], yy + 0.5 - c[1])
    far = win & (d >= r + 6.0 * scale) & (d <= r + 10.0 * scale)
    n, lab = cv2.connectedComponents(far.astype(np.uint8), connectivity=8)
    if n < 2:
        return None  # nothing leaves: a dot on its own
    dirs = []
    for k in range(1, n):
        fy, fx = np.nonzero(lab == k)
        dirs.append(unit(np.array([fx.mean() + 0.5 - c[0], fy.mean() + 0.5 - c[1]])))
    if any(float(a @ b) < -math.cos(math.radians(30)) for k, a in enumerate(dirs) for b in dirs[k + 1 :]):
        return None  # a line runs through the blob: a dot on it (heads end their strokes)
    near = (win & (d <= r + 5.0 * scale)).astype(np.uint8)
    _, nl = cv2.connectedComponents(near, connectivity=8)
    iy, ix = int(c[1]), int(c[0])
    if not (0 <= iy < h and 0 <= ix < w) or nl[iy, ix] == 0:
        return None
    by, bx = np.nonzero(nl == nl[iy, ix])
    rel = np.c_[bx + 0.5 - c[0], by + 0.5 - c[1]]
    best = None
    for k, ek in enumerate(dirs):  # the shaft: no other ink leaves on the tip's side (a label beside is no matter)
        if any(float(ej @ -ek) > math.cos(math.radians(60)) for j, ej in enumerate(dirs) if j != k):
            continue
        ahead = rel @ -ek
        side = np.abs(rel @ np.array([-ek[1], ek[0]]))
        t_far = float(ahead[side <= r + 1.0].max()) if (side <= r + 1.0).any() else 0.0
        if t_far >= r + 2.0 * scale and (best is None or t_far > best[1]):
            best = (ek, t_far)
    if best is None:
        return None
    e, t_far = best
    keep = rel @ e <= r  # the blob without the shaft beyond it
    pts = np.c_[bx[keep] + 0.5, by[keep] + 0.5].astype(float)
    hull = cv2.convexHull(pts.astype(np.float32))
    _, tri = cv2.minEnclosingTriangle(hull)
    fp = _grow(shape, rho + 1) & win
    fp[by[keep], bx[keep]] = True
    fys, fxs = np.nonzero(fp)
    ox, oy = origin
    hd = Head([[float(px) + ox, float(py) + oy] for px, py in tri.reshape(-1, 2)],
              (float(pts[:, 0].mean()) + ox, float(pts[:, 1].mean()) + oy), float(r + t_far), _rgb01(colour),
              ink=np.c_[fxs + 0.5, fys + 0.5].astype(float) + np.array([ox, oy], float), axis=-e)  # fmt: skip
    return hd, fp


def _grow(m: np.ndarray, r: int) -> np.ndarray:
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    return cv2.dilate(m.astype(np.uint8), k).astype(bool)


def _region_from_colour(rgb, ink, dark, comp, box, colour, width, cfg):
    """The connected area of the blob's fill colour, bridging thin strokes that cross it."""
    h, w = ink.shape
    col = np.asarray(colour, np.int16)
    close_r = int(math.ceil(width)) + 2
    # grow the search window until the closed colour area stops touching its border
    x0, y0, x1, y1 = box
    seed = np.zeros((h, w), bool)
    seed[y0:y1, x0:x1] = comp.astype(bool)
    colour_ok = ink & (np.abs(rgb.astype(np.int16) - col).max(axis=2) <= cfg.colour_tol)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * close_r + 1, 2 * close_r + 1))
    closed = cv2.morphologyEx(colour_ok.astype(np.uint8), cv2.MORPH_CLOSE, k)
    # strokes of the fill's own colour leave the area thin: opening cuts them off
    closed = cv2.morphologyEx(closed, cv2.MORPH_OPEN, k)
    n, lab = cv2.connectedComponents(closed, connectivity=8)
    ids = np.unique(lab[seed & (closed > 0)])
    ids = ids[ids > 0]
    if len(ids) == 0:
        return None
    rm = np.isin(lab, ids)
    ys, xs = np.nonzero(rm)
    rx0, ry0, rx1, ry1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    sub = rm[ry0:ry1, rx0:rx1]
    # pixels to take out of the stroke layer: the fill itself and its anti-aliased fringe
    pad = 2
    ex0, ey0, ex1, ey1 = max(0, rx0 - pad), max(0, ry0 - pad), min(w, rx1 + pad), min(h, ry1 + pad)
    fill_dark = float(np.median(dark[ry0:ry1, rx0:rx1][colour_ok[ry0:ry1, rx0:rx1] & sub]))
    excl = np.zeros((ey1 - ey0, ex1 - ex0), bool)
    excl[ry0 - ey0 : ry1 - ey0, rx0 - ex0 : rx1 - ex0] = colour_ok[ry0:ry1, rx0:rx1] & _grow(sub, 1)
    near = _grow(excl, 2)
    excl |= near & (dark[ey0:ey1, ex0:ex1] <= fill_dark + 0.06)
    full = np.zeros((ey1 - ey0, ex1 - ex0), bool)
    full[ry0 - ey0 : ry1 - ey0, rx0 - ex0 : rx1 - ex0] = sub
    return full, excl, (ex0, ey0)


# ----------------------------------------------------------------------------- prepare
def prepare(rgb: np.ndarray, paper: tuple[int, int, int], scale: float = 1.0, cfg: StrokeConfig = StrokeConfig()) -> Prepared:
    ink, dark = ink_layers(rgb, paper, cfg.ink_delta, cfg.ring_gain, cfg.ring_cap)
    dt = cv2.distanceTransform(np.pad(ink.astype(np.uint8), 1), cv2.DIST_L2, 5)[1:-1, 1:-1]  # paper beyond the edge
    width = _typical_width(ink, dt)
    regions, dots, heads, region_mask, blob_mask = find_blobs(rgb, ink, dark, dt, width, scale, cfg)
    strokes = ink & ~region_mask & ~blob_mask
    dark_sum = cv2.integral(np.where(strokes, dark, 0).astype(np.float32), sdepth=cv2.CV_64F)
    return Prepared(rgb, paper, ink, dark, strokes, regions, dots, heads, region_mask, width, scale, dark_sum, blob_mask)


def ink_width(prep: Prepared, min_length: int = 20, min_grey: float = 0.1) -> float | None:
    """Median sub-pixel width of the strokes: each stroke component's darkness over its
    skeleton length (a 0.5 bp line is 0.74 px at 72 dpi, 1.37 at 150 and 2.49 at 300 on real
    val, where :attr:`Prepared.line_width` stops at 1 px). None without long strokes, and
    None for an aliased image (under ``min_grey`` of the stroke pixels are grey): its widths
    are whole pixels, so a 0.5 bp pen at 150 dpi can be 2 px wide and look like 300 dpi."""
    d = prep.dark[prep.strokes]
    if d.size == 0 or float(((d > 0.15) & (d < 0.85)).mean()) < min_grey:
        return None
    n, lab = cv2.connectedComponents(prep.strokes.astype(np.uint8), connectivity=8)
    if n < 2:
        return None
    skel = thin(prep.strokes)
    length = np.bincount(lab[skel], minlength=n)
    dark = np.bincount(lab[prep.strokes], weights=d, minlength=n)
    ok = length >= min_length
    ok[0] = False
    return float(np.median(dark[ok] / length[ok])) if ok.any() else None


# ----------------------------------------------------------------------------- vectorise
def _box_mask(shape, boxes, pad: int) -> np.ndarray:
    h, w = shape
    m = np.zeros(shape, bool)
    for x0, y0, x1, y1 in boxes:
        m[max(0, int(y0) - pad) : min(h, int(math.ceil(y1)) + pad), max(0, int(x0) - pad) : min(w, int(math.ceil(x1)) + pad)] = True
    return m


def remove_boxes(mask: np.ndarray, boxes: list[tuple[float, float, float, float]], frac: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Drop connected components lying (``frac`` of their pixels) inside text boxes; returns (kept, removed)."""
    if not boxes:
        return mask, np.zeros_like(mask)
    h, w = mask.shape
    inbox = np.zeros_like(mask)
    for x0, y0, x1, y1 in boxes:
        inbox[max(0, int(y0) - 2) : min(h, int(math.ceil(y1)) + 2), max(0, int(x0) - 2) : min(w, int(math.ceil(x1)) + 2)] = True
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    inside = np.bincount(lab[mask & inbox], minlength=n)
    kill = inside >= frac * np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
    kill[0] = False
    removed = kill[lab] & mask
    return mask & ~removed, removed


def vectorise(prep: Prepared, text_boxes: list[tuple[float, float, float, float]] | None = None,
              cfg: StrokeConfig = StrokeConfig(), trace: Callable[..., None] | None = None) -> Vectorised:  # fmt: skip
    """The strokes of a prepared image as primitives; ``trace(stage, prims, nodes)`` sees each stage."""
    s = prep.scale
    w = prep.line_width
    mask, _ = remove_boxes(prep.strokes, text_boxes or [])
    if text_boxes:  # text touching lighter strokes: drop its dark glyphs and their fringe, keep the strokes
        f = prep.rgb.astype(np.float32)
        lum = 0.299 * f[:, :, 0] + 0.587 * f[:, :, 1] + 0.114 * f[:, :, 2]
        paper = 0.299 * prep.paper[0] + 0.587 * prep.paper[1] + 0.114 * prep.paper[2]
        _, glyphs = remove_boxes(mask & (lum < 0.55 * paper), text_boxes)
        if glyphs.any():
            mask &= ~(_grow(glyphs, 1) & _box_mask(mask.shape, text_boxes, 1))
    mask, specks = _split_specks(mask, max(2.0, cfg.speck_max * s, 1.6 * w))
    pg = pixel_graph(thin(mask))
    _open_heads_pixels(pg, prep, s)
    _prune(pg, max(2.0, cfg.spur * s, 1.2 * w + 1), max(12.0 * s, 4 * w))
    _contract(pg, max(8.0 * s, 3.0 * w + 2))
    if trace:
        trace("pixels", pg, None)
    nodes = [VNode(np.array(n.xy, float), n.kind, n.ref) for n in pg.nodes]
    _attach_blobs(pg, nodes, prep, s)
    prims = _fit_chains(pg, nodes, w, cfg, s)
    for p in prims:
        _style(p, prep)
    _set_head_tips(prims, nodes, prep)
    _find_circles(prims, nodes, prep, s, w)
    if trace:
        trace("fit", prims, nodes)
    _merge_all(prims, nodes, cfg, s, w)
    if _absorb_connectors(prims, nodes, max(8.0 * s, 4.0 * w + 2)) | _absorb_stems(prims, nodes, max(30.0 * s, 8 * w)):
        _merge_all(prims, nodes, cfg, s, w)
    _open_heads(prims, nodes, prep, s)
    if trace:
        trace("merge", prims, nodes)
    if _group_dashes(prims, nodes, specks, prep, cfg):
        _merge_all(prims, nodes, cfg, s, w)
        if trace:
            trace("dashes", prims, nodes)
    if text_boxes and _join_under_text(prims, nodes, text_boxes, s):
        _merge_all(prims, nodes, cfg, s, w)
    cover = _cover(text_boxes or [], _region_polygons(prep.regions) + _head_polygons(prep.heads), s)
    for _ in range(4):
        if not _bridge_text_gaps(prims, nodes, cover, prep, cfg, s):
            break
        _merge_all(prims, nodes, cfg, s, w)
    _complete_grids(prims, nodes, cover, prep, cfg, s)
    _close_arcs(prims, nodes)
    _assemble_circles(prims, nodes, s, w)
    _extend_dashed_ends(prims, nodes, max(cfg.dash_gap * s, 5 * w))
    if _absorb_connectors(prims, nodes, max(8.0 * s, 4.0 * w + 2)) | _snap_to_dots(prims, nodes, prep, s):
        _merge_all(prims, nodes, cfg, s, w)
    _smooth_chains(prims, nodes, cfg, s)
    _refine_nodes(prims, nodes, w, s)
    _snap_free_ends(prims, nodes, cfg.snap * s + 0.5 * w)
    _join_collinear(prims, nodes, cfg, s)
    if trace:
        trace("final", prims, nodes)
    live = [p for p in prims if p.alive]
    for p in live:
        _style(p, prep)
        _straddling(p, s)  # the output's pen only: joins and merges above compare raw readings
    return Vectorised(live, nodes, prep.regions, prep.dots, prep.heads, w)


def _split_specks(mask: np.ndarray, max_side: float) -> tuple[np.ndarray, list[np.ndarray]]:
    n, lab, stats, cents = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return mask, []
    side = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    small = side <= max_side
    small[0] = False
    specks = [cents[i] + 0.5 for i in np.nonzero(small)[0]]
    return mask & ~small[lab], specks


def _dir_from(c, at_a: bool, reach: float = 8.0) -> np.ndarray:
    """Direction of a chain leaving one of its ends, measured ``reach`` pixels along it."""
    pts = c.pts if at_a else c.pts[::-1]
    d = np.hypot(*(pts - pts[0]).T)
    far = np.nonzero(d >= reach)[0]
    k = int(far[0]) if len(far) else len(pts) - 1
    return unit(pts[k] - pts[0])


def _open_heads_pixels(pg: PixelGraph, prep: Prepared, s: float) -> None:
    """Stroked arrowheads (``TeXHead``): two short barbs splaying back from the end of a stroke,
    found before pruning (they are as short as thinning spurs)."""
    for j, node in enumerate(pg.nodes):
        if node.kind != "junction":
            continue
        live = sorted({k for k in node.chains if pg.chains[k] is not None and pg.chains[k].a != pg.chains[k].b})
        if len(live) != 3:
            continue
        live.sort(key=lambda k: -pg.chains[k].length())
        shaft, barbs = live[0], live[1:]
        blen = max(pg.chains[k].length() for k in barbs)
        if blen > 14 * s or blen < 2.0 or pg.chains[shaft].length() < 4 * blen:
            continue
        free = all(len(pg.nodes[pg.chains[k].b if pg.chains[k].a == j else pg.chains[k].a].chains) == 1 for k in barbs)
        if not free:
            continue
        u = _dir_from(pg.chains[shaft], pg.chains[shaft].a == j)
        dirs = [_dir_from(pg.chains[k], pg.chains[k].a == j, reach=3.0) for k in barbs]
        if not all(0.15 < float(np.dot(d, u)) < math.cos(math.radians(10)) for d in dirs):
            continue
        if float(np.cross(u, dirs[0])) * float(np.cross(u, dirs[1])) >= 0:
            continue
        tip = np.asarray(node.xy, float)
        ends = [pg.chains[k].pts[-1] if pg.chains[k].a == j else pg.chains[k].pts[0] for k in barbs]
        pts = [list(map(float, ends[0])), list(map(float, tip)), list(map(float, ends[1]))]
        prep.heads.append(Head(pts, (float(tip[0]), float(tip[1])), float(blen), (0.0, 0.0, 0.0),
                               tip=(float(tip[0]), float(tip[1]))))  # fmt: skip
        for k in node.chains:
            if k != shaft:
                pg.chains[k] = None
        node.chains = [shaft]
        node.kind, node.ref = "head", len(prep.heads) - 1


def _prune(pg: PixelGraph, spur: float, wedge_spur: float) -> None:
    """Remove short side branches: thinning artefacts at corners and blobs.

    A longer branch is removed too when it points into the tip of an acute corner (the
    skeleton of two strokes meeting at a small angle forks before their true meeting point).
    """
    for _ in range(3):
        changed = False
        for ci, c in enumerate(pg.chains):
            if c is None or c.closed:
                continue
            na, nb = pg.nodes[c.a], pg.nodes[c.b]
            free_a = na.kind == "end" and len(na.chains) == 1
            free_b = nb.kind == "end" and len(nb.chains) == 1
            if free_a == free_b:
                continue
            j = c.b if free_a else c.a
            other = pg.nodes[j]
            live = [k for k in other.chains if pg.chains[k] is not None and k != ci]
            kill = len(live) >= 2 and c.length() < spur
            if not kill and len(live) == 2 and c.length() < wedge_spur:
                u1, u2 = (_dir_from(pg.chains[k], pg.chains[k].a == j) for k in live)
                if float(np.dot(u1, u2)) > math.cos(math.radians(75)):
                    bis = unit(u1 + u2)
                    kill = float(np.dot(_dir_from(c, c.a == j), bis)) < -0.7
            if kill:
                pg.chains[ci] = None
                other.chains = [k for k in other.chains if k != ci]
                changed = True
        if not changed:
            break


def _contract(pg: PixelGraph, max_len: float) -> None:
    """Junction clusters joined by a very short chain are one junction (strokes crossing at a shallow angle)."""
    parent = list(range(len(pg.nodes)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    hit = False
    for ci, c in enumerate(pg.chains):
        if c is None or c.closed or c.a == c.b:
            continue
        if pg.nodes[c.a].kind == "junction" and pg.nodes[c.b].kind == "junction" and c.length() <= max_len:
            ra, rb = find(c.a), find(c.b)
            if ra != rb:
                parent[rb] = ra
            pg.chains[ci] = None
            hit = True
    for ci, c in enumerate(pg.chains):
        if c is not None and not c.closed and c.a == c.b and c.length() <= 2 * max_len:
            pg.chains[ci] = None  # a pinhole in thick ink: a tiny loop at a junction
            hit = True
    if not hit:
        return
    groups: dict[int, list[int]] = {}
    for i in range(len(pg.nodes)):
        groups.setdefault(find(i), []).append(i)
    for r, members in groups.items():
        if len(members) > 1:
            pg.nodes[r].xy = tuple(np.mean([pg.nodes[m].xy for m in members], axis=0))
    for n in pg.nodes:
        n.chains = []
    for ci, c in enumerate(pg.chains):
        if c is None or c.closed:
            continue
        c.a, c.b = find(c.a), find(c.b)
        if c.a == c.b and c.length() <= 2 * max_len:
            pg.chains[ci] = None
            continue
        if pg.nodes[c.a].kind == "junction":
            c.pts[0] = pg.nodes[c.a].xy
        if pg.nodes[c.b].kind == "junction":
            c.pts[-1] = pg.nodes[c.b].xy
        pg.nodes[c.a].chains.append(ci)
        if c.b != c.a:
            pg.nodes[c.b].chains.append(ci)


def prep_r(nodes: list[VNode], nid: int) -> float:
    """Extra trim around blob nodes (their support starts at the blob's centre)."""
    return 6.0 if nodes[nid].kind in ("dot", "head") else 0.0


def _fit_chains(pg: PixelGraph, nodes: list[VNode], width: float, cfg: StrokeConfig, s: float) -> list[Prim]:
    prims: list[Prim] = []
    trim = max(1.5, 0.8 * width + 0.5)
    for c in pg.chains:
        if c is None or len(c.pts) < 2:
            continue
        pts = c.pts
        if c.closed:
            cf = fit_circle(pts)
            if cf is not None and cf.dev <= cfg.arc_tol * 1.5 + 0.01 * cf.r and len(pts) >= 8:
                prims.append(Prim("circle", pts, None, None, circle=cf))
                continue
            # open the loop at the point farthest from the centroid (a likely corner)
            k = int(np.hypot(*(pts - pts.mean(0)).T).argmax())
            pts = np.vstack([pts[k:], pts[:k], pts[k : k + 1]])
            nid = len(nodes)
            nodes.append(VNode(pts[0].copy(), "corner"))
            na = nb = nid
        else:
            na, nb = c.a, c.b
        # Keep skeleton pixels near junctions out of the fit; they bend towards the junction.
        lo, hi = 0, len(pts) - 1
        if na is not None and nodes[na].kind in ("junction", "dot", "head"):
            r = trim + (prep_r(nodes, na))
            while lo < hi - 2 and math.dist(pts[lo], nodes[na].xy) < r:
                lo += 1
        if nb is not None and nodes[nb].kind in ("junction", "dot", "head"):
            r = trim + (prep_r(nodes, nb))
            while hi > lo + 2 and math.dist(pts[hi], nodes[nb].xy) < r:
                hi -= 1
        core = pts[lo : hi + 1]
        pieces = split_run(core, cfg.line_tol, cfg.arc_tol, cfg.min_arc_sweep, min_arc_len=max(10.0 * s, 3 * width))
        prev = na
        for j, pc in enumerate(pieces):
            a_i = 0 if j == 0 else lo + pc.i0
            b_i = len(pts) - 1 if j == len(pieces) - 1 else lo + pc.i1
            if j == len(pieces) - 1:
                nxt = nb
            else:
                nxt = len(nodes)
                nodes.append(VNode(pts[b_i].copy(), "corner"))
            sup = pts[a_i : b_i + 1]
            fit_pts = pts[max(a_i, lo + pc.i0) : min(b_i, lo + pc.i1) + 1]
            if pc.kind == "segment":
                prims.append(Prim("segment", sup, prev, nxt, line=fit_line(fit_pts) if len(fit_pts) >= 2 else pc.line,
                                  fit=fit_pts))  # fmt: skip
            else:
                prims.append(Prim("arc", sup, prev, nxt, circle=pc.circle, fit=fit_pts))
            prev = nxt
    return prims


# ----------------------------------------------------------------------------- blobs as nodes
def _ends_by_node(prims: list[Prim]) -> dict[int, list[tuple[int, int]]]:
    """(prim, side) of every live primitive's end, by the node it ends at."""
    out: dict[int, list[tuple[int, int]]] = {}
    for i, p in enumerate(prims):
        if p.alive:
            for side in (0, 1):
                nid = p.end_node(side)
                if nid is not None:
                    out.setdefault(nid, []).append((i, side))
    return out


def _ends_at(prims: list[Prim], node: int) -> list[tuple[int, int]]:
    out = []
    for i, p in enumerate(prims):
        if not p.alive:
            continue
        if p.na == node:
            out.append((i, 0))
        if p.nb == node:
            out.append((i, 1))
    return out


def _attach_blobs(pg: PixelGraph, nodes: list[VNode], prep: Prepared, s: float) -> None:
    """Chains that stop at a dot or an arrowhead end at that blob's node instead of a free end."""
    blob_nodes = []
    for k, d in enumerate(prep.dots):
        blob_nodes.append((len(nodes), np.array(d.xy), d.r + 4.0 * s + prep.line_width))
        nodes.append(VNode(np.array(d.xy), "dot", k))
    for k, hd in enumerate(prep.heads):
        blob_nodes.append((len(nodes), np.array(hd.centroid), 0.6 * hd.size + 2.5 * s))
        nodes.append(VNode(np.array(hd.centroid), "head", k))
    if not blob_nodes:
        return
    centres = np.array([b[1] for b in blob_nodes])
    for c in pg.chains:
        if c is None or c.closed:
            continue
        for side in (0, 1):
            nid = c.a if side == 0 else c.b
            if nid >= len(pg.nodes):
                continue  # already a blob's node
            free = nodes[nid].kind == "end" and len(pg.nodes[nid].chains) == 1
            if not free and nodes[nid].kind != "junction":
                continue
            d = np.hypot(*(centres - nodes[nid].xy).T)
            j = int(d.argmin())
            # strokes meeting right next to a dot meet at the dot (a junction there is the dot's vertex)
            if d[j] <= blob_nodes[j][2] and (free or nodes[blob_nodes[j][0]].kind == "dot"):
                if side == 0:
                    c.a = blob_nodes[j][0]
                    c.pts = np.vstack([centres[j][None], c.pts])
                else:
                    c.b = blob_nodes[j][0]
                    c.pts = np.vstack([c.pts, centres[j][None]])


def _shaft_into(prims: list[Prim], nodes: list[VNode], nid: int, hd: Head, s: float) -> list[tuple[int, int]]:
    """A stroke ending at a junction just short of the head (a tick crosses the shaft there)
    and pointing at it is the head's shaft: its end moves onto the head."""
    c = np.asarray(hd.centroid)
    best = None
    for i, p in enumerate(prims):
        if not p.alive:
            continue
        for side in (0, 1):
            e = p.end_node(side)
            if e is None or nodes[e].kind not in ("junction", "end"):
                continue
            d = math.dist(nodes[e].xy, c)
            if d > 0.8 * hd.size + 4 * s:
                continue
            if float(np.dot(unit(c - nodes[e].xy), -_direction(p, side))) < math.cos(math.radians(25)):
                continue
            if best is None or d < best[0]:
                best = (d, i, side)
    if best is None:
        return []
    _, i, side = best
    prims[i].set_end(side, nid)
    return [(i, side)]


def _own_end(p: Prim, side: int, c: np.ndarray) -> np.ndarray:
    """Where a stroke's own pixels end (without the blob's centre :func:`_attach_blobs` added)."""
    k, k2 = (0, 1) if side == 0 else (-1, -2)
    return p.pts[k2] if len(p.pts) > 2 and math.dist(p.pts[k], c) < 1e-6 else p.pts[k]


def _aimed_away(p: Prim, side: int, c: np.ndarray) -> bool:
    """Where its own pixels end, the stroke does not point at ``c`` (within 45 degrees)."""
    own = _own_end(p, side, c)
    return math.dist(own, c) > 1e-6 and float(np.dot(-_direction(p, side), unit(c - own))) <= math.cos(math.radians(45))


def _passing(p: Prim, side: int, c: np.ndarray, axis: np.ndarray) -> bool:
    """A stroke attached to a head that only passes by it: neither along the head's axis nor
    pointing at its centre (within 45 degrees) where its own pixels end."""
    return abs(float(np.dot(_direction(p, side), axis))) <= math.cos(math.radians(20)) and _aimed_away(p, side, c)


def _detach(prims: list[Prim], nodes: list[VNode], nid: int, ends: list[tuple[int, int]]) -> None:
    """Strokes that are not a head's shaft leave its node, each at a free end of its own. One
    aimed at the head keeps its end there (a thick acute corner read as a head); one passing by
    it (graph paper by the tip) ends where its own pixels end (the head's cover bridges a line
    past the tip, :func:`_bridge_text_gaps`)."""
    c = nodes[nid].xy
    for i, side in ends:
        q = prims[i]
        if _aimed_away(q, side, c):
            if len(q.pts) > 2 and math.dist(q.pts[0 if side == 0 else -1], c) < 1e-6:
                q.pts = q.pts[1:] if side == 0 else q.pts[:-1]
        nodes.append(VNode((q.pts[0] if side == 0 else q.pts[-1]).copy(), "end"))
        q.set_end(side, len(nodes) - 1)


def _set_head_tips(prims: list[Prim], nodes: list[VNode], prep: Prepared) -> None:
    """An arrowhead's tip is its corner farthest from where its stroke enters; the stroke ends there."""
    for nid, node in enumerate(nodes):
        if node.kind != "head":
            continue
        ends = _ends_at(prims, nid)
        hd = prep.heads[node.ref]
        if hd.tip is not None and hd.ink is None:
            continue  # an open (stroked) head: its tip is where the barbs meet
        if hd.axis is not None:  # lines passing by (graph paper at the tip or across the shaft) are not its strokes
            passing = [(i, sd) for i, sd in ends if _passing(prims[i], sd, node.xy, hd.axis)]
            _detach(prims, nodes, nid, passing)
            ends = [e for e in ends if e not in passing]
        if not ends:
            ends = _shaft_into(prims, nodes, nid, hd, prep.scale)
        if not ends:
            continue
        if len(ends) >= 2 and hd.axis is not None:
            # the shaft runs along the head's axis; other strokes only pass close by
            along = [(i, sd) for i, sd in ends if abs(float(np.dot(_direction(prims[i], sd), hd.axis))) > math.cos(math.radians(20))]
            _detach(prims, nodes, nid, [e for e in ends if e not in along[:1]])
            ends = along[:1] if len(along) == 1 else []
        if not ends:
            hd.wedge = True
            node.kind = "corner"
            continue
        i, side = ends[0]
        p = prims[i]
        # the tip: the head's ink farthest along the shaft, on the shaft's line
        u = -_direction(p, side)
        pts = p.pts[::-1] if side == 1 else p.pts
        entry = next((q for q in pts if math.dist(q, hd.centroid) > 0.5 * hd.size), pts[-1])
        if hd.ink is not None and len(hd.ink):
            t = float(((hd.ink - entry) @ u).max()) + 0.5
            tip = entry + t * u
        else:
            tip = max(hd.pts, key=lambda q: math.dist(q, entry))
        hd.tip = (float(tip[0]), float(tip[1]))
        node.xy = np.array(hd.tip)


# ----------------------------------------------------------------------------- dashes
@dataclass
class _Item:
    pts: np.ndarray  # ordered support (a speck is one point)
    prim: int = -1  # index of a short prim, -1 for a speck
    anchor: int | None = None  # node at an anchored end (dash touching a stroke)
    anchor_side: int = 0


def _group_dashes(prims: list[Prim], nodes: list[VNode], specks: list[np.ndarray], prep: Prepared, cfg: StrokeConfig) -> bool:
    """Rows of short isolated pieces and specks become one dashed or dotted primitive.

    Straight rows first (grown item by item along a refitted line, so crossing dashed lines
    of a grid can share their crossing pieces), then curved rows (dashed circles and arcs).
    """
    s = prep.scale
    dash_max = max(cfg.dash_max * s, 6 * prep.line_width)
    gap_max = max(cfg.dash_gap * s, 5 * prep.line_width)
    items: list[_Item] = [_Item(np.asarray(p, float)[None]) for p in specks]
    deg: dict[int, int] = {}
    for p in prims:
        if not p.alive:
            continue
        for nid in (p.na, p.nb):
            if nid is not None:
                deg[nid] = deg.get(nid, 0) + 1
    for i, p in enumerate(prims):
        if not p.alive or p.na is None or p.kind not in ("segment", "arc") or p.length() > dash_max:
            continue
        fa = nodes[p.na].kind == "end" and deg.get(p.na) == 1
        fb = nodes[p.nb].kind == "end" and deg.get(p.nb) == 1
        if fa and fb:
            items.append(_Item(p.pts, i))
        elif fa != fb and nodes[p.na if fb else p.nb].kind == "junction":
            items.append(_Item(p.pts, i, p.na if fb else p.nb, 0 if fb else 1))
    if len(items) < 3:
        return False
    rows = _straight_rows(items, gap_max, prep.line_width, s)
    used = {k for row in rows for k in row}
    rest = [k for k in range(len(items)) if k not in used]
    rows_c = _curved_rows([items[k] for k in rest], gap_max, s)
    in_c = {rest[k] for r in rows_c for k in r}
    free = [k for k in rest if k not in in_c and items[k].prim >= 0 and items[k].anchor is None
            and prims[items[k].prim].kind == "segment"]  # fmt: skip
    rows_l = _long_dash_rows([items[k] for k in free], prep, s)
    made = False
    for row, curved in ([(r, False) for r in rows] + [([rest[k] for k in r], True) for r in rows_c]
                        + [([free[k] for k in r], False) for r in rows_l]):  # fmt: skip
        its = [items[k] for k in row]
        pts = _row_points(its, curved)
        n_dash = sum(1 for it in its if it.prim >= 0 and len(it.pts) > 1 and _span(it.pts) >= 4.0 * s)
        prim = _fit_dashed(pts, False, cfg, curved)
        if prim is None:
            continue
        long_dashes = n_dash > len(its) // 3
        cen = np.array([it.pts.mean(axis=0) for it in its])
        prim.period = float(np.median(np.hypot(*np.diff(cen, axis=0).T)))
        prim.dash = "dashed" if long_dashes or ink_along(prim.pts, prep.strokes) >= cfg.dash_ink else "dotted"
        _style(prim, prep)
        ends = []
        for end_it, side in ((its[0], 0), (its[-1], 1)):
            if end_it.anchor is not None:
                ends.append(end_it.anchor)
            else:
                ends.append(len(nodes))
                nodes.append(VNode((pts[0] if side == 0 else pts[-1]).copy(), "end"))
        prim.na, prim.nb = ends
        for it in its:
            if it.prim >= 0 and prims[it.prim].alive:
                prims[it.prim].alive = False
                prim.through += prims[it.prim].through
        prims.append(prim)
        made = True
    return made


def _long_dash_rows(its: list[_Item], prep: Prepared, s: float) -> list[list[int]]:
    """Rows of long dashes, too far apart for :func:`_straight_rows` (``dashed`` at linewidth 1
    repeats every 33 px at 150 dpi): isolated straight pieces in line, each linked to its nearest
    neighbour on either side when the two agree, the gaps between their ends like the dashes'
    lengths. A row needs three dashes, gaps within 35% of their median and inner dashes within
    30% of the median length (the end ones may be cut short at a vertex), and paper in every gap
    (a bar chart's guide line between bars filled over it is not dashed). Squares side by side
    and grid lines are not rows: their sides meet, and are not isolated pieces.
    """
    width = prep.line_width
    n = len(its)
    if n < 3:
        return []
    ab = [(it.pts[0].astype(float), it.pts[-1].astype(float)) for it in its]
    length = np.array([math.dist(a, b) for a, b in ab])
    u = [unit(b - a) for a, b in ab]
    cen = np.array([(a + b) / 2 for a, b in ab])
    cos3, perp_tol = math.cos(math.radians(3)), 1.5 + 0.5 * width
    near: dict[tuple[int, int], tuple[float, int]] = {}  # (item, side) -> (distance, neighbour)
    for i in range(n):
        if length[i] < 4.0 * s:
            continue
        nrm = np.array([-u[i][1], u[i][0]])
        for j in range(n):
            if j == i or length[j] < 4.0 * s or abs(float(np.dot(u[i], u[j]))) < cos3:
                continue
            d = cen[j] - cen[i]
            t = float(d @ u[i])
            gap = abs(t) - (length[i] + length[j]) / 2
            if abs(float(d @ nrm)) > perp_tol or not 0.3 * min(length[i], length[j]) <= gap <= 1.6 * max(length[i], length[j]):
                continue
            key = (i, 1 if t > 0 else 0)
            if key not in near or abs(t) < near[key][0]:
                near[key] = (abs(t), j)
    links: dict[int, set[int]] = {i: set() for i in range(n)}
    for (i, side), (_, j) in near.items():
        back = 1 if float((cen[i] - cen[j]) @ u[j]) > 0 else 0
        if near.get((j, back), (0, -1))[1] == i:
            links[i].add(j)
    rows, seen = [], set()
    for start in [i for i in range(n) if len(links[i]) == 1]:
        if start in seen:
            continue
        row, prev = [start], -1
        while True:
            nxt = [k for k in links[row[-1]] if k != prev and k not in row]
            if len(nxt) != 1:
                break
            prev = row[-1]
            row.append(nxt[0])
        seen.update(row)
        if len(row) < 3:
            continue
        t = cen[row] @ u[row[0]]
        row = [row[k] for k in np.argsort(t)]
        lens = length[row]
        gaps = np.diff(np.sort(t)) - (lens[:-1] + lens[1:]) / 2
        inner = lens[1:-1]
        med = float(np.median(lens))
        mids = [_gap_middle(its[a].pts, its[b].pts) for a, b in zip(row[:-1], row[1:])]
        if (np.abs(gaps / np.median(gaps) - 1) <= 0.35).all() and (np.abs(inner / med - 1) <= 0.3).all() \
                and lens.max() <= 1.3 * med and fit_line(np.vstack([its[k].pts for k in row])).dev <= 1.0 + 0.25 * width \
                and not any(prep.ink[y, x] for x, y in mids):  # fmt: skip
            rows.append(row)
    return rows


def _gap_middle(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """The pixel halfway between the nearest ends of two pieces."""
    ends_a, ends_b = (a[0], a[-1]), (b[0], b[-1])
    p, q = min(((x, y) for x in ends_a for y in ends_b), key=lambda e: math.dist(*e))
    m = (np.asarray(p, float) + np.asarray(q, float)) / 2
    return int(m[0]), int(m[1])  # pixel (x, y) of the point (pixel centres at +0.5)


def _row_points(its: list[_Item], curved: bool) -> np.ndarray:
    """Ordered support of a row: pieces running along it in full, crossing pieces by their centre."""
    cen = np.array([it.pts.mean(axis=0) for it in its])
    u = unit(cen[-1] - cen[0])
    out = []
    for k, it in enumerate(its):
        along = len(it.pts) > 1 and (curved or abs(float(np.dot(fit_line(it.pts).u, u))) > math.cos(math.radians(15)))
        out.append(_oriented(it, its, k) if along else cen[k][None])
    return np.vstack(out)


def ink_along(pts: np.ndarray, mask: np.ndarray) -> float:
    """Fraction of a path's length (sampled every pixel) that lies on ink, allowing one pixel
    across the path but none along it. Short dashes ("2 2" grid lines: round caps make them
    ~75% ink) and dots (~35%) have pieces of the same few pixels; their duty cycle tells them apart."""
    pts = np.asarray(pts, float)
    if len(pts) < 2:
        return 0.0
    samples, normals = [], []
    for p, q in zip(pts[:-1], pts[1:]):
        d = q - p
        n = max(1, int(np.hypot(*d)))
        u = d / max(float(np.hypot(*d)), 1e-9)
        samples.append(p + d * (np.arange(n)[:, None] / n))
        normals.append(np.repeat([[-u[1], u[0]]], n, axis=0))
    c, nrm = np.vstack(samples), np.vstack(normals)
    hit = np.zeros(len(c), bool)
    for xy, inside in _beside(c, nrm, mask.shape):
        hit[inside] |= mask[xy[inside, 1], xy[inside, 0]]
    return float(hit.mean())


def _beside(c: np.ndarray, nrm: np.ndarray, shape: tuple[int, ...]):
    """For the samples ``c`` of a path and its normals ``nrm``: the pixels (x, y) on the path and
    one pixel either side across it, each with which of them lie in an image of ``shape``."""
    h, w = shape[:2]
    for k in (-1.0, 0.0, 1.0):
        xy = np.rint(c + k * nrm).astype(int)
        yield xy, (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)


def _span(pts: np.ndarray) -> float:
    return float(np.hypot(*(pts.max(0) - pts.min(0))))


class _Neighbours:
    """Indices of the points within ``radius`` of a point (a grid hash; lists built on demand)."""

    def __init__(self, pts: np.ndarray, radius: float):
        self.pts, self.r = pts, radius
        self.cells: dict[tuple[int, int], list[int]] = {}
        for k, (x, y) in enumerate(pts):
            self.cells.setdefault((int(x // radius), int(y // radius)), []).append(k)
        self.memo: dict[int, np.ndarray] = {}

    def of(self, k: int) -> np.ndarray:
        if k not in self.memo:
            cx, cy = int(self.pts[k, 0] // self.r), int(self.pts[k, 1] // self.r)
            ids = sorted(j for dx in (-1, 0, 1) for dy in (-1, 0, 1) for j in self.cells.get((cx + dx, cy + dy), ()))
            ids = np.array(ids, int)
            d = np.hypot(*(self.pts[ids] - self.pts[k]).T)
            self.memo[k] = ids[d <= self.r]
        return self.memo[k]


def _straight_rows(items: list[_Item], gap_max: float, width: float, s: float) -> list[list[int]]:
    """Grow straight rows: each new item must lie on the line refitted through the row so far."""
    cen = np.array([it.pts.mean(axis=0) for it in items])
    # each piece's direction, computed once: pieces of 6 px or more must run along a row (dirs);
    # shorter ones of 2.9 px or more only show it roughly (axes, for :func:`_across`)
    spans = [_span(it.pts) if len(it.pts) > 1 else 0.0 for it in items]
    axes = [fit_line(it.pts).u if sp >= 2.9 * s else None for it, sp in zip(items, spans)]
    dirs = [a if sp >= 6.0 * s else None for a, sp in zip(axes, spans)]
    n = len(items)
    pairs = []
    for i in range(n):
        d = np.hypot(*(cen[i + 1 :] - cen[i]).T)
        for j in np.nonzero(d <= gap_max)[0]:
            pairs.append((float(d[j]), i, i + 1 + int(j)))
    pairs.sort()
    orient_used: dict[int, list[np.ndarray]] = {}
    perp_tol = 1.2 + 0.5 * width
    # An item that can extend a row lies within gap_max along and 2*perp_tol across of the row's
    # tip (when the tip itself is within perp_tol of the line): only those neighbours are scanned,
    # which keeps dotted grids of thousands of specks fast (exact: the same candidates as a full
    # scan). A pair whose two items already lay in one rejected row is not grown again: it would
    # grow much the same row, and in a dotted grid thousands of pairs did (a 21 x 21 grid spent
    # 108 s here, 6 s with the skip). The skip is the one approximation: 635 of 636 real MATH
    # figures give identical graphs; the other is a grey fill read as specks.
    near = _Neighbours(cen, math.hypot(gap_max, 2 * perp_tol) + 1.0)
    cos_dir = math.cos(math.radians(15))
    cos_cross = math.cos(math.radians(30))
    rows = []

    def free_for(k: int, u: np.ndarray) -> bool:
        if dirs[k] is not None and abs(float(np.dot(dirs[k], u))) < cos_dir:
            return False
        if len(items[k].pts) == 1 and k in orient_used:
            return False  # a speck belongs to one row
        return all(abs(float(np.dot(u, v))) < cos_cross for v in orient_used.get(k, []))

    n_rejected = 0
    rejected: dict[int, set[int]] = {}  # item -> the rejected rows (by number) it was grown into
    for _, i, j in pairs:
        if rejected.get(i, set()) & rejected.get(j, set()):
            continue  # it would grow the same row again (thousands of times in a dotted grid)
        u = unit(cen[j] - cen[i])
        if not (free_for(i, u) and free_for(j, u)):
            continue
        row = [i, j]
        in_row = np.zeros(n, bool)
        in_row[row] = True
        for sign in (1, -1):
            while True:
                if len(row) > 2:
                    lf = fit_line(cen[row])
                    c0, uu = lf.c, (lf.u if np.dot(lf.u, u) >= 0 else -lf.u)
                else:
                    c0, uu = cen[i], u
                nrm = np.array([-uu[1], uu[0]])
                ts = (cen[row] - c0) @ uu
                tip = int(np.argmax(ts) if sign > 0 else np.argmin(ts))
                tip_t = ts[tip]
                idx = near.of(row[tip]) if abs(float((cen[row[tip]] - c0) @ nrm)) <= perp_tol else np.arange(n)
                rel = (cen[idx] - c0) @ uu
                perp = np.abs((cen[idx] - c0) @ nrm)
                step = sign * (rel - tip_t)
                ahead = (step > 0.5) & (step <= gap_max) & (perp <= perp_tol) & ~in_row[idx]
                cand = [(float(step[m]), int(idx[m])) for m in np.nonzero(ahead)[0] if free_for(int(idx[m]), uu)]
                if not cand:
                    break
                row.append(min(cand)[1])
                in_row[row[-1]] = True
        if len(row) < 3:
            continue
        lf = fit_line(cen[row])
        t = (cen[row] - lf.c) @ lf.u
        row = [row[k] for k in np.argsort(t)]
        gaps = np.diff(np.sort(t))
        n_specks = sum(1 for k in row if spans[k] < 2.9 * s)  # specks, and pieces too short to show a direction
        if (n_specks > len(row) // 2 and (len(row) < 4 or float(np.std(gaps)) > 0.5 * float(np.median(gaps)))
                or _across(axes, row, lf.u) or _sparse(spans, row, gaps, s)):  # fmt: skip
            for k in row:
                rejected.setdefault(k, set()).add(n_rejected)
            n_rejected += 1
            continue  # dots in a row are evenly spaced; anything else is a coincidence
        for k in row:
            orient_used.setdefault(k, []).append(lf.u)
        rows.append(row)
    return rows


def _sparse(spans: list[float], row: list[int], gaps: np.ndarray, s: float, ratio: float = 4.0) -> bool:
    """A row of dashes spaced far more widely than they are long.

    Drawn dash patterns repeat within about twice the dash ("2 2", the default 8 bp dashes);
    three short dashes of a dashed grid that happen to line up across a cell (one from each
    of three grid lines) are some 20 px apart and 3-4 px long. Rows of dots (whose pieces show
    no length) are left to the spacing test of :func:`_straight_rows`.
    """
    med_span = float(np.median([spans[k] for k in row]))
    return med_span >= 2.9 * s and float(np.median(gaps)) > ratio * med_span


def _across(axes: list[np.ndarray | None], row: list[int], u: np.ndarray, max_deg: float = 30.0) -> bool:
    """Most of the row's short dashes that show a direction (``axes``) run across it, not along it.

    Dashes too short for the 15 degree check of :func:`_straight_rows` (a "2 2" grid dash is
    3-4 px at 150 dpi) still show their direction, within some 25 degrees. In a dashed grid the
    dashes of neighbouring vertical and horizontal lines line up diagonally across each cell;
    a row through them is made of pieces crossing it. Such pieces must also be a third of the
    row: where two dotted lines cross, one oblique blob sits among a row of round dots.
    """
    cos_max = math.cos(math.radians(max_deg))
    off = [abs(float(np.dot(axes[k], u))) < cos_max for k in row if axes[k] is not None]
    return sum(off) > len(off) / 2 and 3 * sum(off) >= len(row)  # a lone blob where dotted lines cross is not


def _curved_rows(items: list[_Item], gap_max: float, s: float) -> list[list[int]]:
    """Chains of leftover items linked to their mutual nearest neighbours (dashed circles, arcs)."""
    n = len(items)
    if n < 5:
        return []
    cen = np.array([it.pts.mean(axis=0) for it in items])
    d = np.hypot(cen[:, None, 0] - cen[None, :, 0], cen[:, None, 1] - cen[None, :, 1])
    np.fill_diagonal(d, np.inf)
    nb = [set(np.argsort(d[i])[:2].tolist()) for i in range(n)]
    links: dict[int, set[int]] = {i: set() for i in range(n)}
    for i in range(n):
        for j in nb[i]:
            if d[i, j] <= gap_max and i in nb[j]:
                links[i].add(j)
                links[j].add(i)
    rows, seen = [], set()
    starts = [i for i in range(n) if len(links[i]) == 1] + [i for i in range(n) if len(links[i]) == 2]
    for start in starts:
        if start in seen:
            continue
        row, prev, cur = [start], -1, start
        seen.add(start)
        while True:
            nxt = [k for k in links[cur] if k != prev and k not in seen]
            if not nxt:
                break
            prev, cur = cur, nxt[0]
            seen.add(cur)
            row.append(cur)
        if len(row) >= 5:
            rows.append(row)
    return rows


def _oriented(it: _Item, its: list[_Item], k: int) -> np.ndarray:
    """Item points ordered along the row (towards the next item)."""
    if len(it.pts) == 1:
        return it.pts
    ref = its[k + 1].pts.mean(0) if k + 1 < len(its) else None
    if ref is None:
        ref_prev = its[k - 1].pts.mean(0)
        return it.pts if math.dist(it.pts[0], ref_prev) < math.dist(it.pts[-1], ref_prev) else it.pts[::-1]
    return it.pts if math.dist(it.pts[-1], ref) < math.dist(it.pts[0], ref) else it.pts[::-1]


def _fit_dashed(pts: np.ndarray, closed: bool, cfg: StrokeConfig, curved: bool = False) -> Prim | None:
    lf = fit_line(pts)
    if not curved and lf.dev <= cfg.merge_tol + 1.0 and not closed:
        return Prim("segment", pts, None, None, line=lf)
    cf = fit_circle(pts)
    if curved and (cf is None or abs(sweep_deg(cf.c, pts)) < 45):
        return None  # a dashed arc turns visibly; leftovers on a near-straight line are not one
    if cf is not None and cf.dev <= cfg.merge_tol + 0.5 + 0.01 * cf.r:
        if closed or abs(sweep_deg(cf.c, pts)) >= 340:
            return Prim("circle", pts, None, None, circle=cf)
        return Prim("arc", pts, None, None, circle=cf)
    return None if curved else Prim("curve", pts, None, None)


def _join_under_text(prims: list[Prim], nodes: list[VNode], boxes, s: float) -> bool:
    """Strokes that stop at a label written over their meeting point meet inside it."""
    count = {nid: len(es) for nid, es in _ends_by_node(prims).items()}
    done = False
    for b in boxes:
        pad = 4 * s
        x0, y0, x1, y1 = b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad
        centre = np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2])
        ends = []
        for i, p in enumerate(prims):
            if not p.alive or p.kind != "segment" or p.line is None:
                continue
            for side in (0, 1):
                nid = p.end_node(side)
                if nid is None or nodes[nid].kind != "end" or count.get(nid) != 1:
                    continue
                q = nodes[nid].xy
                if x0 <= q[0] <= x1 and y0 <= q[1] <= y1 and float(np.dot(-_direction(p, side), centre - q)) > 0:
                    ends.append((i, side))
        if len(ends) < 2:
            continue
        lines = [prims[i].line for i, _ in ends]
        if all(line_angle(lines[0].u, l.u) < 10 for l in lines[1:]):
            continue  # all parallel: a stroke passing under the label (bridged elsewhere)
        x = line_intersection(lines)
        if x is None or not (x0 - pad <= x[0] <= x1 + pad and y0 - pad <= x[1] <= y1 + pad):
            continue
        if max(abs(float(np.cross(l.u, x - l.c))) for l in lines) > pad:
            continue  # they do not meet at one point (grid lines under a label box)
        nodes.append(VNode(np.asarray(x, float), "junction"))
        nid = len(nodes) - 1
        for i, side in ends:
            prims[i].set_end(side, nid)
        done = True
    return done


def _region_polygons(regions: list[Region]) -> list:
    """Filled areas as shapely polygons (strokes drawn under a fill show as gaps)."""
    from shapely.geometry import Polygon

    out = []
    for r in regions:
        if len(r.pts) >= 3:
            pg = Polygon(r.pts, [h for h in r.holes if len({tuple(p) for p in h}) >= 3]).buffer(0)
            if not pg.is_empty:
                out.append(pg)
    return out


def _head_polygons(heads: list[Head]) -> list:
    """Arrowheads as shapely polygons: a line passing by a head's tip loses its pixels there."""
    from shapely.geometry import Polygon

    out = []
    for hd in heads:
        if len(hd.pts) >= 3:
            pg = Polygon(hd.pts).buffer(0)
            if not pg.is_empty:
                out.append(pg)
    return out


def _stops(prims: list[Prim], nodes: list[VNode], i: int, side: int, at: dict[int, list[tuple[int, int]]]) -> bool:
    """A segment stops at this end: a free end, or a junction where nothing continues it (a grid
    line cut by a label stops where it meets the next line across). ``at``: :func:`_ends_by_node`."""
    nid = prims[i].end_node(side)
    if nodes[nid].kind == "end":
        return len(at[nid]) == 1
    if nodes[nid].kind not in ("junction", "corner"):
        return False
    u = -_direction(prims[i], side)
    for j, sj in at[nid]:
        if j != i and float(np.dot(u, _direction(prims[j], sj))) > math.cos(math.radians(20)):
            return False
    return True


def _bridge_text_gaps(prims: list[Prim], nodes: list[VNode], cover, prep: Prepared, cfg: StrokeConfig, s: float) -> bool:
    """Join collinear strokes interrupted by a label drawn over them (its ink was removed with the
    text; ``cover``: :func:`_cover`), and dashed rows broken where they cross another stroke (or
    strokes and labels: :func:`_crossed_only`, which reads the image in ``prep``)."""
    from shapely.geometry import LineString

    at = _ends_by_node(prims)
    ends = [(i, side) for i, p in enumerate(prims) if p.alive and p.kind == "segment"
            for side, nid in ((0, p.na), (1, p.nb)) if nid is not None and _stops(prims, nodes, i, side, at)]  # fmt: skip
    done = False
    used: set[int] = set()
    for x in range(len(ends)):
        i, si = ends[x]
        if i in used:
            continue
        p = prims[i]
        pa = nodes[p.end_node(si)].xy
        best = None
        for y in range(len(ends)):
            j, sj = ends[y]
            if j == i or j in used:
                continue
            q = prims[j]
            if q.dash != p.dash or colour_far(p.color, q.color):
                continue
            qa = nodes[q.end_node(sj)].xy
            gap = math.dist(pa, qa)
            if gap < 1.0 or gap > 250 * s:
                continue
            g = unit(qa - pa)
            if float(np.dot(_direction(p, si), g)) > -math.cos(math.radians(4)):
                continue  # p must point towards q
            if float(np.dot(_direction(q, sj), g)) < math.cos(math.radians(4)):
                continue
            seg = LineString([tuple(pa), tuple(qa)])
            dashed_near = p.dash != "solid" and gap <= 2 * cfg.dash_gap * s
            if not dashed_near and (cover is None or seg.difference(cover).length > 6 * s):
                if p.dash == "solid" or not _crossed_only(pa, qa, cover, prep, p.color, cfg, s):
                    continue  # the gap must be hidden under labels or fills
            lf = fit_line(np.vstack([p.fpts, q.fpts]))
            if lf.dev > cfg.merge_tol * max(1.0, s) + 0.5:
                continue
            if best is None or gap < best[0]:
                best = (gap, j, sj, lf)
        if best is None:
            continue
        _, j, sj, lf = best
        q = prims[j]
        pts = _joined(p, si, q, sj)
        new = Prim("segment", pts, p.na if si == 1 else p.nb, q.nb if sj == 0 else q.na, line=lf, dash=p.dash,
                   fit=_joined(p, si, q, sj, fit=True), through=p.through + q.through, color=p.color,
                   width=max(p.width, q.width))  # fmt: skip
        p.alive = q.alive = False
        used.update([i, j])
        prims.append(new)
        done = True
    return done


def _cover(boxes, regions: list | None, s: float):
    """What hides a stroke: the text boxes (grown by 3 px) and filled regions (by 2 px), or None."""
    from shapely.geometry import box as sbox
    from shapely.ops import unary_union

    grown = [sbox(b[0] - 3 * s, b[1] - 3 * s, b[2] + 3 * s, b[3] + 3 * s) for b in boxes]
    grown += [pg.buffer(2 * s) for pg in regions or []]
    return unary_union(grown) if grown else None


def _complete_grids(prims: list[Prim], nodes: list[VNode], cover, prep: Prepared, cfg: StrokeConfig, s: float,
                    min_lines: int = 4) -> None:  # fmt: skip
    """Lines of graph paper run edge to edge, under the tick labels and across the axes.

    A family of at least ``min_lines`` parallel dashed lines (a grid, or a bar chart's guide
    lines) sets the extent its lines share: the farthest start and end that two of its lines
    reach. Each line of the family then becomes one segment over its pieces, extended to
    that extent, wherever what lies between (:func:`_crossed_only`) is what a dashed line
    crossing labels and axes shows. Tick labels beside an axis cut most lines of a grid at the
    axis; only the lines without a label there reach the edge.
    """
    tol_deg, tol_off = 1.0, max(1.5, 0.6 * prep.line_width)
    segs = []
    for i, p in enumerate(prims):
        if p.alive and p.kind == "segment" and p.dash != "solid" and p.na is not None and p.nb is not None:
            a, b = segment_ends(p, nodes)
            if math.dist(a, b) >= 4.0 * s:
                segs.append((i, a, b, math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])) % 180.0))
    segs.sort(key=lambda x: x[3])
    groups: list[list] = []
    for x in segs:  # runs of near-equal angles (0 and 180 degrees are the same direction)
        if groups and x[3] - groups[-1][-1][3] <= tol_deg:
            groups[-1].append(x)
        else:
            groups.append([x])
    if len(groups) > 1 and groups[0][0][3] + 180.0 - groups[-1][-1][3] <= tol_deg:
        groups[0] = groups.pop() + groups[0]
    for grp in groups:
        ang = math.radians(grp[len(grp) // 2][3])
        u = np.array([math.cos(ang), math.sin(ang)])
        nrm = np.array([-u[1], u[0]])
        by_off = sorted(grp, key=lambda x: float((x[1] + x[2]) @ nrm) / 2)
        lines: list[list] = []
        for x in by_off:
            off = float((x[1] + x[2]) @ nrm) / 2
            if lines and off - lines[-1][-1][4] <= tol_off and prims[x[0]].dash == prims[lines[-1][0][0]].dash:
                lines[-1].append((*x, off))
            else:
                lines.append([(*x, off)])
        if len(lines) < min_lines:
            continue
        spans = [(min(min(a @ u, b @ u) for _, a, b, _, _ in ln), max(max(a @ u, b @ u) for _, a, b, _, _ in ln)) for ln in lines]
        edge = _edge_extent(prep.strokes.shape, u, nrm, float(np.median([ln[0][4] for ln in lines])), 3.0 * s)
        lo = _shared_extreme([sp[0] for sp in spans], 2.0 * s, -1, edge[0])
        hi = _shared_extreme([sp[1] for sp in spans], 2.0 * s, 1, edge[1])
        for ln in lines:
            _complete_line(prims, nodes, ln, u, lo, hi, cover, prep, cfg, s)


def _shared_extreme(vals: list[float], tol: float, sign: int, edge: float) -> float:
    """The most extreme value (lowest for ``sign`` -1) that another value comes within ``tol``
    of, or that lies at the image's ``edge`` (graph paper clipped at the figure's border)."""
    v = sorted(vals, reverse=sign > 0)
    return next((v[k] for k in range(len(v)) if sign * (v[k] - edge) >= -tol
                 or k + 1 < len(v) and abs(v[k] - v[k + 1]) <= tol), v[-1])  # fmt: skip


def _edge_extent(shape: tuple[int, int], u: np.ndarray, nrm: np.ndarray, off: float, margin: float) -> tuple[float, float]:
    """Where a line of direction ``u`` at offset ``off`` (along ``nrm``) leaves the image, less a margin."""
    h, w = shape
    c = off * nrm
    ts = []
    for k in (0, 1):
        if abs(u[k]) > 1e-6:
            ts += [(0.0 - c[k]) / u[k], (float((w, h)[k]) - 1.0 - c[k]) / u[k]]
    ts.sort()
    mid = ts[1:3] if len(ts) == 4 else ts
    return float(np.dot(c, u) + mid[0] + margin), float(np.dot(c, u) + mid[-1] - margin)


def _complete_line(prims: list[Prim], nodes: list[VNode], ln: list, u: np.ndarray, lo: float, hi: float, cover,
                   prep: Prepared, cfg: StrokeConfig, s: float) -> None:  # fmt: skip
    """One line of a grid family: its pieces joined and its ends extended to ``lo``/``hi``."""
    pieces = sorted((min(a @ u, b @ u), max(a @ u, b @ u), i, 0 if a @ u <= b @ u else 1) for i, a, b, _, _ in ln)
    colour = prims[pieces[0][2]].color
    runs, cur = [], [pieces[0]]
    for pc in pieces[1:]:
        reach = max(cur, key=lambda x: x[1])  # pieces may overlap: the run ends where its farthest piece does
        q, r = prims[reach[2]], prims[pc[2]]
        end, start = segment_ends(q, nodes)[1 - reach[3]], segment_ends(r, nodes)[pc[3]]
        if not colour_far(q.color, r.color) and (float((start - end) @ u) <= 0 or _crossed_only(end, start, cover, prep, colour, cfg, s)):
            cur.append(pc)
        else:
            runs.append(cur)
            cur = [pc]
    runs.append(cur)
    for k, run in enumerate(runs):
        first, reach = run[0], max(run, key=lambda x: x[1])
        na, nb = prims[first[2]].end_node(first[3]), prims[reach[2]].end_node(1 - reach[3])
        a, b = nodes[na].xy.copy(), nodes[nb].xy.copy()
        lf = fit_line(np.vstack([prims[pc[2]].fpts for pc in run]))
        new_a = new_b = None
        if k == 0 and float(a @ u) > lo + 3.0 * s:
            tgt = lf.project(a + (lo - float(a @ u)) * u)
            if _crossed_only(tgt, a, cover, prep, colour, cfg, s):
                new_a = tgt
        if k == len(runs) - 1 and float(b @ u) < hi - 3.0 * s:
            tgt = lf.project(b + (hi - float(b @ u)) * u)
            if _crossed_only(b, tgt, cover, prep, colour, cfg, s):
                new_b = tgt
        if len(run) == 1 and new_a is None and new_b is None:
            continue
        through = [n for pc in run for n in prims[pc[2]].through]
        inner = [n for pc in run for n in (prims[pc[2]].na, prims[pc[2]].nb) if n not in (na, nb)]
        if new_a is not None:
            inner.append(na)
            na = len(nodes)
            nodes.append(VNode(new_a, "end"))
        if new_b is not None:
            inner.append(nb)
            nb = len(nodes)
            nodes.append(VNode(new_b, "end"))
        body = np.vstack([prims[pc[2]].pts for pc in run])
        body = body[np.argsort(body @ u)]
        pts = np.vstack([nodes[na].xy[None], body, nodes[nb].xy[None]])
        first_p = prims[first[2]]
        new = Prim("segment", pts, na, nb, line=lf, dash=first_p.dash, fit=pts, color=first_p.color,
                   width=max(prims[pc[2]].width for pc in run), through=through + inner)  # fmt: skip
        for pc in run:
            prims[pc[2]].alive = False
        prims.append(new)


def _crossed_only(a: np.ndarray, b: np.ndarray, cover, prep: Prepared, colour, cfg: StrokeConfig, s: float) -> bool:
    """The gap from ``a`` to ``b`` of a dashed line of ``colour`` shows only what a dashed line
    crossing a figure would: labels (``cover``), darker strokes over it (a black axis, tick mark
    or curve over a grey grid line), its own ink in runs no longer than a dash of 6 px or 3 line
    widths (strokes across it, stray dashes), and paper no longer than one dash gap. A stroke of
    its own colour along the gap (a dashed extension on both sides of a drawn side) is a long
    run of its own ink.

    On graph paper a grid line meets a column of tick labels and the axis beside it, so the gap
    is some 50 px: more than two dash gaps and more than the labels alone cover.
    """
    from shapely import contains_xy

    n = max(2, int(math.dist(a, b)))
    c = a + (b - a) * (np.arange(1, n) / n)[:, None]
    u = unit(b - a)
    nrm = np.array([-u[1], u[0]])
    on = np.zeros(len(c), bool)
    darkest = np.full(len(c), 255.0)
    for xy, inside in _beside(c, nrm, prep.strokes.shape):
        on[inside] |= prep.strokes[xy[inside, 1], xy[inside, 0]]
        darkest[inside] = np.minimum(darkest[inside], prep.rgb[xy[inside, 1], xy[inside, 0]].astype(float) @ _LUMA)
    paper = float(np.dot(np.asarray(prep.paper, float), _LUMA))
    own = float(np.dot(np.asarray(colour, float), _LUMA))
    hidden = darkest < (own - 0.3) * paper  # another, darker stroke drawn over the line
    if cover is not None:
        hidden |= contains_xy(cover, c[:, 0], c[:, 1])

    def longest(m: np.ndarray) -> int:
        best = run = 0
        for v in m:
            run = run + 1 if v else 0
            best = max(best, run)
        return best

    return longest(on & ~hidden) <= max(6.0 * s, 3.0 * prep.line_width) and longest(~on & ~hidden) <= cfg.dash_gap * s


# ----------------------------------------------------------------------------- merging
def _direction(p: Prim, side: int, reach: float = 7.0) -> np.ndarray:
    """Unit direction pointing away from the given end, into the primitive."""
    pts = p.pts if side == 0 else p.pts[::-1]
    if p.kind == "segment" and p.line is not None:
        u = p.line.u
        return u if np.dot(u, pts[-1] - pts[0]) >= 0 else -u
    if p.kind == "arc" and p.circle is not None:
        r = unit(pts[0] - p.circle.c)
        t = np.array([-r[1], r[0]])
        return t if np.dot(t, pts[min(len(pts) - 1, 3)] - pts[0]) >= 0 else -t
    d = np.hypot(*(pts - pts[0]).T)
    k = int(np.searchsorted(d > reach, True)) if (d > reach).any() else len(pts) - 1
    return unit(pts[k] - pts[0])


def _turn_deg(u: np.ndarray, v: np.ndarray) -> float:
    """Angle in degrees from direction u to direction v (0 to 180)."""
    return math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(u, v))))))


def _joined(p: Prim, sp: int, q: Prim, sq: int, fit: bool = False) -> np.ndarray:
    """Support of p then q, oriented so that p's end ``sp`` meets q's end ``sq``."""
    a, b = (p.fpts, q.fpts) if fit else (p.pts, q.pts)
    a = a if sp == 1 else a[::-1]
    b = b if sq == 0 else b[::-1]
    return np.vstack([a, b])


def _merge_candidate(p: Prim, sp: int, q: Prim, sq: int, node: VNode, n_ends: int, cfg: StrokeConfig, s: float,
                     width: float) -> tuple[float, Prim] | None:  # fmt: skip
    if p.dash != q.dash or colour_far(p.color, q.color):
        return None
    d1, d2 = _direction(p, sp), _direction(q, sq)
    turn = _turn_deg(-d1, d2)
    pts = _joined(p, sp, q, sq)
    fpts = _joined(p, sp, q, sq, fit=True)
    na, nb = (p.na if sp == 1 else p.nb), (q.nb if sq == 0 else q.na)
    kinds = {p.kind, q.kind}
    if kinds == {"segment"} and turn < cfg.collinear_turn:
        lf = fit_line(fpts)
        if lf.dev <= cfg.merge_tol * max(1.0, s):
            return turn, Prim("segment", pts, na, nb, line=lf, dash=p.dash, fit=fpts)
    if kinds == {"segment"} and turn < 2 * cfg.collinear_turn and n_ends == 2:
        # a short tail (skeleton bending into a corner or blob) continues the long side
        short, long_ = sorted((p, q), key=lambda x: x.length())
        if short.length() <= max(12.0 * s, 4 * width) and long_.length() >= 3 * short.length():
            if float(np.abs((short.fpts - long_.line.c) @ np.array([-long_.line.u[1], long_.line.u[0]])).max()) <= 2 * cfg.merge_tol * max(1.0, s):
                return turn + 1.0, Prim("segment", pts, na, nb, line=long_.line, dash=p.dash, fit=long_.fpts)
    if kinds <= {"arc", "segment"} and "arc" in kinds and turn < cfg.smooth_turn:
        cf = fit_circle(fpts)
        if cf is not None and cf.dev <= cfg.merge_tol * max(1.0, s) + 0.005 * cf.r:
            short_seg = all(x.kind == "arc" or x.length() < 0.25 * cf.r for x in (p, q))
            if short_seg:
                return turn, Prim("arc", pts, na, nb, circle=cf, dash=p.dash, fit=fpts)
    if node.kind in ("corner", "junction", "end") and turn < cfg.smooth_turn:
        long_straight = [x for x in (p, q) if x.kind == "segment" and x.length() > 25 * s]
        if len(long_straight) == 2:
            return None  # two long straight sides with a slight bend: a polyline vertex
        if len(long_straight) == 1 and "curve" not in kinds:
            return None  # a line tangent to a circle, or a side with a bent tail
        if n_ends > 2 and "curve" not in kinds:
            return None  # where other strokes meet too, arcs continue along their own circles
        return turn + 5.0, Prim("curve", pts, na, nb, dash=p.dash, fit=fpts)
    return None


def _merge_all(prims: list[Prim], nodes: list[VNode], cfg: StrokeConfig, s: float, width: float) -> None:
    ends_by_node = _ends_by_node(prims)
    queue = sorted(ends_by_node)
    while queue:
        nid = queue.pop()
        ends = [(i, sd) for i, sd in ends_by_node.get(nid, []) if prims[i].alive and prims[i].end_node(sd) == nid]
        ends_by_node[nid] = ends
        if len(ends) < 2 or nodes[nid].kind in ("dot", "head") and len(ends) < 2:
            continue
        best = None
        for x in range(len(ends)):
            for y in range(x + 1, len(ends)):
                (i, si), (j, sj) = ends[x], ends[y]
                if i == j:
                    continue
                c = _merge_candidate(prims[i], si, prims[j], sj, nodes[nid], len(ends), cfg, s, width)
                if c is not None and (best is None or c[0] < best[0]):
                    best = (c[0], c[1], i, j)
        if best is None:
            continue
        _, new, i, j = best
        new.through = prims[i].through + prims[j].through + [nid]
        longer = max(prims[i], prims[j], key=lambda x: x.length())
        new.color, new.width = longer.color, longer.width
        prims[i].alive = prims[j].alive = False
        prims.append(new)
        k = len(prims) - 1
        for side in (0, 1):
            e = new.end_node(side)
            if e is not None:
                ends_by_node.setdefault(e, []).append((k, side))
                if e not in queue:
                    queue.append(e)
        if nid not in queue:
            queue.append(nid)
    # a prim whose two ends meet at the same node closes into a loop when it continues smoothly
    for p in prims:
        if p.alive and p.na is not None and p.na == p.nb and p.kind in ("arc", "curve"):
            d1, d2 = _direction(p, 0), _direction(p, 1)
            if float(-np.dot(d1, d2)) > math.cos(math.radians(cfg.smooth_turn)) and len(_ends_at(prims, p.na)) == 2:
                p.through.append(p.na)
                p.na = p.nb = None
                if p.kind == "arc":
                    p.kind = "circle"


def _open_heads(prims: list[Prim], nodes: list[VNode], prep: Prepared, s: float) -> None:
    """Stroked arrowheads (``TeXHead``): one or two short barbs splaying back from a stroke's end."""
    ends_at: dict[int, list[tuple[int, int]]] = {}
    deg: dict[int, int] = {}
    for i, p in enumerate(prims):
        if p.alive:
            for side, nid in ((0, p.na), (1, p.nb)):
                if nid is not None:
                    ends_at.setdefault(nid, []).append((i, side))
                    deg[nid] = deg.get(nid, 0) + 1
    for nid, ends in ends_at.items():
        if nodes[nid].kind not in ("junction", "corner") or not 2 <= len(ends) <= 3:
            continue
        segs = [(i, sd) for i, sd in ends if prims[i].kind == "segment"]
        if len(segs) != len(ends):
            continue
        segs.sort(key=lambda e: -prims[e[0]].length())
        (si, ss), barbs = segs[0], segs[1:]
        shaft = prims[si]
        blen = max(prims[i].length() for i, _ in barbs)
        if blen > 14 * s or shaft.length() < 3 * blen:
            continue
        u = _direction(shaft, ss)
        ok = True
        for i, sd in barbs:
            far = prims[i].nb if sd == 0 else prims[i].na
            d = float(np.dot(_direction(prims[i], sd), u))
            ok &= far is not None and nodes[far].kind == "end" and deg.get(far) == 1
            ok &= math.cos(math.radians(75)) < d < math.cos(math.radians(12))
        if len(barbs) == 2:
            c1 = float(np.cross(u, _direction(prims[barbs[0][0]], barbs[0][1])))
            c2 = float(np.cross(u, _direction(prims[barbs[1][0]], barbs[1][1])))
            ok &= c1 * c2 < 0
        if not ok:
            continue
        tip = nodes[nid].xy.copy()
        pts = [list(map(float, (prims[i].pts[-1] if sd == 0 else prims[i].pts[0]))) for i, sd in barbs]
        pts = pts[:1] + [list(map(float, tip))] + pts[1:]
        hd = Head(pts, (float(tip[0]), float(tip[1])), float(blen), shaft.color, tip=(float(tip[0]), float(tip[1])))
        prep.heads.append(hd)
        for i, _ in barbs:
            prims[i].alive = False
        nodes[nid].kind, nodes[nid].ref = "head", len(prep.heads) - 1


def _absorb_stems(prims: list[Prim], nodes: list[VNode], max_len: float) -> bool:
    """Two strokes meeting at a small angle share one band of ink near their meeting point, so
    the skeleton forks late: a short stem runs from the fork back to the true vertex. The two
    strokes are made to end at the stem's far node instead."""
    done = False
    ends_at: dict[int, list[tuple[int, int]]] = {}
    for i, p in enumerate(prims):
        if p.alive:
            for side, nid in ((0, p.na), (1, p.nb)):
                if nid is not None:
                    ends_at.setdefault(nid, []).append((i, side))
    for nid, ends in ends_at.items():
        if len(ends) != 3 or nodes[nid].kind not in ("junction", "corner"):
            continue
        if any(not prims[i].alive or prims[i].kind != "segment" for i, _ in ends):
            continue
        dirs = [_direction(prims[i], sd) for i, sd in ends]
        for k in range(3):
            a, b = [x for x in range(3) if x != k]
            if float(np.dot(dirs[a], dirs[b])) < math.cos(math.radians(40)):
                continue
            bis = unit(dirs[a] + dirs[b])
            i, sd = ends[k]
            stem = prims[i]
            if float(np.dot(dirs[k], bis)) > -0.9 or stem.length() > max_len:
                continue
            if min(prims[ends[a][0]].length(), prims[ends[b][0]].length()) < 2 * stem.length():
                continue
            far = stem.nb if sd == 0 else stem.na
            if far is None or far == nid:
                continue
            stem.alive = False
            for j, sj in (ends[a], ends[b]):
                prims[j].set_end(sj, far)
            if nodes[far].kind == "end":
                nodes[far].kind = "corner"
            done = True
            break
    return done


def _snap_to_dots(prims: list[Prim], nodes: list[VNode], prep: Prepared, s: float) -> bool:
    """Stroke ends (free, corner or junction) right next to a dot end at the dot; pieces left
    running from the dot back to itself are dropped."""
    dots = [(i, n) for i, n in enumerate(nodes) if n.kind == "dot"]
    if not dots:
        return False
    done = False
    for p in prims:
        if not p.alive:
            continue
        for side in (0, 1):
            nid = p.end_node(side)
            if nid is None or nodes[nid].kind in ("dot", "head"):
                continue
            xy = nodes[nid].xy
            best = min(dots, key=lambda d: math.dist(d[1].xy, xy))
            r = prep.dots[best[1].ref].r
            if math.dist(best[1].xy, xy) <= r + 4.0 * s + prep.line_width:
                p.set_end(side, best[0])
                done = True
        if p.na is not None and p.na == p.nb and nodes[p.na].kind == "dot" and p.length() < 30 * s:
            p.alive = False
    return done


def _absorb_connectors(prims: list[Prim], nodes: list[VNode], max_len: float) -> bool:
    """A very short stroke between two nodes is the skeleton's detour inside a corner or
    junction: drop it and make its two nodes one (the refinement then finds the true vertex)."""
    done = False
    for p in prims:
        if not p.alive or p.na is None or p.nb is None or p.na == p.nb or p.length() > max_len:
            continue
        ka, kb = nodes[p.na].kind, nodes[p.nb].kind
        if "end" in (ka, kb) or (ka in ("dot", "head") and kb in ("dot", "head")):
            continue
        keep, drop = (p.nb, p.na) if kb in ("dot", "head") else (p.na, p.nb)
        if nodes[keep].kind not in ("dot", "head"):
            nodes[keep].xy = (nodes[keep].xy + nodes[drop].xy) / 2
            nodes[keep].kind = "junction"
        p.alive = False
        for q in prims:
            if q.alive:
                if q.na == drop:
                    q.na = keep
                if q.nb == drop:
                    q.nb = keep
                q.through = [keep if t == drop else t for t in q.through]
        done = True
    return done


def _angular_intervals(c: np.ndarray, pts: np.ndarray, gap: float = 0.15) -> list[tuple[float, float]]:
    """Angles (radians, 0..2pi) covered by points around ``c``, as intervals split at gaps wider
    than ``gap``."""
    ang = np.sort(np.mod(np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0]), 2 * np.pi))
    if len(ang) == 0:
        return []
    out = []
    start = prev = float(ang[0])
    for a in ang[1:]:
        if a - prev > gap:
            out.append((start, prev))
            start = float(a)
        prev = float(a)
    out.append((start, prev))
    return out


def _assemble_circles(prims: list[Prim], nodes: list[VNode], s: float, w: float) -> None:
    """Arcs of one circle broken apart (at tangencies, crossings, labels) become that circle
    when together they go most of the way round; short pieces lying on it join it."""
    arcs = [p for p in prims if p.alive and p.kind == "arc" and p.circle is not None and p.circle.r >= 6 * s]
    used: set[int] = set()
    for i, a in enumerate(arcs):
        if i in used:
            continue
        tol = max(2.0, 0.04 * a.circle.r)
        group = [j for j, b in enumerate(arcs) if j not in used and b.dash == a.dash
                 and math.dist(a.circle.c, b.circle.c) <= tol and abs(a.circle.r - b.circle.r) <= tol]  # fmt: skip
        if len(group) < 2:
            continue
        pts = np.vstack([arcs[j].fpts for j in group])
        cf = fit_circle(pts)
        if cf is None or cf.dev > 2.0 + 0.02 * cf.r:
            continue
        # other pieces (curves, short segments) lying on the same circle are part of it
        members = {id(arcs[j]) for j in group}
        extra = [p for p in prims if p.alive and p.kind in ("curve", "segment", "arc") and id(p) not in members
                 and p.dash == a.dash and len(p.fpts) >= 3
                 and float(radial_residuals(p.fpts, cf.c, cf.r).max()) <= 1.5 + w]  # fmt: skip
        if extra:
            pts = np.vstack([pts] + [p.fpts for p in extra])
        covered = sum(b - a_ for a_, b in _angular_intervals(cf.c, pts))
        if covered < math.radians(270):
            continue
        for j in group:
            arcs[j].alive = False
            used.add(j)
        for p in extra:
            p.alive = False
        circle = Prim("circle", pts, None, None, circle=cf, dash=a.dash, color=a.color, width=a.width, fit=pts)
        prims.append(circle)
        # short pieces running along the circle (bridges at tangent points) belong to it
        for p in prims:
            if p.alive and p is not circle and p.length() <= max(20 * s, 6 * w):
                r = radial_residuals(p.fpts, cf.c, cf.r)
                if float(r.max()) <= 1.5 + w:
                    p.alive = False


def _inked_at(c: np.ndarray, r: float, t: np.ndarray, off: np.ndarray, near: float) -> np.ndarray:
    """Whether there is ink within ``near`` px of the circle (c, r) at angles ``t`` (``off``:
    distance to ink)."""
    xs = np.clip(np.rint(c[0] + r * np.cos(t)).astype(int), 0, off.shape[1] - 1)
    ys = np.clip(np.rint(c[1] + r * np.sin(t)).astype(int), 0, off.shape[0] - 1)
    return off[ys, xs] <= near


def _ring_coverage(c: np.ndarray, r: float, off: np.ndarray, near: float) -> float:
    """Fraction of the circle (c, r) that has ink within ``near`` px."""
    return float(_inked_at(c, r, np.linspace(0, 2 * math.pi, max(48, int(2 * math.pi * r)), endpoint=False), off, near).mean())


def _ringed(cf: CircleFit, off: np.ndarray, near: float, w: float, s: float) -> bool:
    """Ink all the way round the circle and paper just inside it (``off``: distance to ink)."""
    return _ring_coverage(cf.c, cf.r, off, near) >= 0.95 and _ring_coverage(cf.c, cf.r - w - 2.5 * s, off, 0.5) <= 0.35


def _arrowed(own: list[Prim], nodes: list[VNode], heads: list[Head], cf: CircleFit, off: np.ndarray, near: float) -> bool:
    """One of the pieces ends in an arrowhead with paper beyond its tip along the circle: an
    angle's arc whose heads close the ring's gap. (Where two circles touch a line the blob
    between them can read as a head too, but the circle's ink goes on past its tip.)"""
    for p in own:
        for side in (0, 1):
            nid = p.end_node(side)
            if nid is None or nodes[nid].kind != "head":
                continue
            h = heads[nodes[nid].ref]
            if h.wedge or h.tip is None:
                continue
            end, tip = p.fpts[0 if side == 0 else -1], np.asarray(h.tip, float)
            a0, a1 = (math.atan2(*(q - cf.c)[::-1]) for q in (end, tip))
            step = math.copysign(1.0, math.remainder(a1 - a0, 2 * math.pi)) / cf.r  # one px along the circle
            if float(_inked_at(cf.c, cf.r, a1 + step * np.arange(2, 2 + max(4, int(h.size))), off, near).mean()) < 0.5:
                return True
    return False


def _circle3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The circle through three points (None when they are in line)."""
    d = 2 * (a[0] * (b[1] - c[1]) + b[0] * (c[1] - a[1]) + c[0] * (a[1] - b[1]))
    if abs(d) < 1e-9:
        return None
    sa, sb, sc = a @ a, b @ b, c @ c
    o = np.array([sa * (b[1] - c[1]) + sb * (c[1] - a[1]) + sc * (a[1] - b[1]),
                  sa * (c[0] - b[0]) + sb * (a[0] - c[0]) + sc * (b[0] - a[0])]) / d  # fmt: skip
    return o, float(np.hypot(*(a - o)))


def _circle_candidates(prims: list[Prim], s: float, rmax: float) -> list[tuple[CircleFit, tuple]]:
    """Circles (with the pen that suggests them) from single arcs and from pairs of pieces of
    one colour that meet at a node and bend together (two quarters of one circle between
    tangency points, say). A pair is first tried on the circle through its three ends, which is
    cheap; graph paper has thousands of pairs."""
    out = [(p.circle, p.color) for p in prims if p.alive and p.kind == "arc" and p.circle is not None]
    for ends in _ends_by_node(prims).values():
        for i, (a, sa) in enumerate(ends):
            for b, sb in ends[i + 1 :]:
                p, q = prims[a], prims[b]
                if a == b or p.kind not in ("arc", "segment") or q.kind not in ("arc", "segment") or colour_far(p.color, q.color):
                    continue
                pp, qq = (p.fpts if sa else p.fpts[::-1]), (q.fpts if sb == 0 else q.fpts[::-1])  # far end first / last
                c3 = _circle3(pp[0], pp[-1], qq[-1])
                pts = np.vstack([pp, qq])
                if c3 is None or not 6 * s <= c3[1] <= rmax or float(radial_residuals(pts, *c3).max()) > 1.5 + 0.03 * c3[1]:
                    continue
                cf = fit_circle(pts)
                if cf is not None and cf.dev <= 1.0 + 0.03 * cf.r:
                    out.append((cf, p.color))
    return [(cf, c) for cf, c in out if 6 * s <= cf.r <= rmax]


def _on_circle(p: Prim, cf: CircleFit, tol: float) -> bool:
    """``p`` runs along the circle: within ``tol`` of it, and, when long enough to show the
    circle's sagitta, bending by at least half of it (a square's side, or a box's side where it
    touches the circle, is straight)."""
    if len(p.fpts) < 2 or float(radial_residuals(p.fpts, cf.c, cf.r).max()) > tol:
        return False
    if p.kind != "segment" or len(p.fpts) < 3:
        return True
    chord = float(np.hypot(*(p.fpts[-1] - p.fpts[0])))
    sagitta = chord * chord / (8 * cf.r)
    return sagitta < 1.0 or fit_line(p.fpts).dev >= 0.5 * sagitta


def _in_line(p: Prim, prims: list[Prim], at: dict[int, list[tuple[int, int]]], cf: CircleFit, tol: float) -> bool:
    """A straight piece on the circle that a line continues, where the line (a tangent, a box's
    side) touches the circle: one straight line through it and pieces at least as long at both
    of its nodes, or a piece in line with it that reaches half a radius and ends well clear of
    the circle (a neighbouring circle's piece at a tangency stays close). It stays the line's;
    the circle's fit may still use it."""
    if p.kind != "segment":
        return False
    clear = max(3 * tol, 0.1 * cf.r)
    sides = []
    for side in (0, 1):
        qs = [prims[k] for k, _ in at.get(p.end_node(side), [])]
        qs = [q for q in qs if q is not p and q.kind == "segment" and q.length() >= p.length()
              and fit_line(np.vstack([p.fpts, q.fpts])).dev <= tol]  # fmt: skip
        if any(q.length() >= 0.5 * cf.r and float(radial_residuals(q.fpts[[0, -1]], cf.c, cf.r).max()) >= clear for q in qs):
            return True
        sides.append(qs)
    return any(fit_line(np.vstack([a.fpts, p.fpts, b.fpts])).dev <= tol for a in sides[0] for b in sides[1])


def _find_circles(prims: list[Prim], nodes: list[VNode], prep: Prepared, s: float, w: float) -> None:
    """Whole circles among the skeleton's pieces, before any merging. Where circles touch or a
    line crosses one, the skeleton cuts it into pieces at every junction; quarter circles of a
    small radius then fit as chords, and merging across a tangency joins one circle's piece to
    its neighbour's (an S-curve). A circle is kept when ink runs all the way round it (within
    ``near``) and its inside is paper, when the pieces of its pen that bend along it (not a
    square's sides, not a line that touches it) cover at least half of it and fit it closely,
    and when no arrowhead closes its gap; those pieces become the circle."""
    off = cv2.distanceTransform((~prep.ink).astype(np.uint8), cv2.DIST_L2, 3)
    near = 1.0 + 0.25 * w
    tol = 1.5 + 0.5 * w
    found: list[CircleFit] = []
    cands = sorted(_circle_candidates(prims, s, 0.5 * max(prep.ink.shape)), key=lambda c: c[0].dev)
    # A line's piece along the circle stays the line's. Where circles touch each other, their
    # pieces at a tangency are nearly in line too, so a second pass takes only straighter lines.
    for line_tol in (1.0 + 0.5 * w, 0.5 + 0.25 * w):
        for cf, pen in cands:
            if any(math.dist(cf.c, g.c) <= max(2.0, 0.05 * g.r) and abs(cf.r - g.r) <= max(2.0, 0.05 * g.r) for g in found):
                continue
            fit = _circle_at(cf, pen, prims, nodes, prep, off, near, tol, line_tol, w, s)
            if fit is not None:
                found.append(fit)


def _circle_at(cf: CircleFit, pen, prims: list[Prim], nodes: list[VNode], prep: Prepared, off: np.ndarray,
               near: float, tol: float, line_tol: float, w: float, s: float) -> CircleFit | None:  # fmt: skip
    """The circle near ``cf`` if the ink and the pieces bear it out (see :func:`_find_circles`);
    its pieces are then replaced by it in ``prims``."""
    if not _ringed(cf, off, near, w, s):
        return None
    on = [p for p in prims if p.alive and p.kind in ("arc", "segment", "curve") and not colour_far(p.color, pen)
          and _on_circle(p, cf, tol)]  # fmt: skip
    at = _ends_by_node(prims)
    own = [p for p in on if not _in_line(p, prims, at, cf, line_tol)]
    if not own:
        return None
    sup = np.vstack([p.pts for p in own])  # node to node: the pixels bent by junctions count here
    sup = sup[radial_residuals(sup, cf.c, cf.r) <= tol]
    covered = sum(b - a for a, b in _angular_intervals(cf.c, sup, max(0.15, 2.5 / cf.r)))
    if covered < (math.pi if len(own) > 1 else 1.5 * math.pi):  # one bend alone may be a corner
        return None
    pts = np.vstack([p.fpts for p in on])
    fit = fit_circle(pts)
    if fit is None or fit.dev > 0.8 + 0.25 * w + 0.02 * fit.r or not _ringed(fit, off, near, w, s):
        return None
    if _arrowed(own, nodes, prep.heads, fit, off, near):
        return None
    for p in own:
        p.alive = False
    main = max(own, key=Prim.length)
    prims.append(Prim("circle", pts, None, None, circle=fit, color=main.color, width=main.width, fit=pts))
    return fit


def _close_arcs(prims: list[Prim], nodes: list[VNode]) -> None:
    for p in prims:
        if p.alive and p.kind == "arc" and p.circle is not None:
            if abs(sweep_deg(p.circle.c, p.pts)) >= 352 and (p.na is None or p.na == p.nb):
                p.kind = "circle"
                p.na = p.nb = None


def _bend(p: Prim) -> float:
    """Signed turning of a piece along its support (0 for a segment): the sense it curves in."""
    if p.kind == "segment" or len(p.pts) < 3:
        return 0.0
    a, m, b = p.pts[0], p.pts[len(p.pts) // 2], p.pts[-1]
    return float(np.cross(m - a, b - m))


def _end_tangent(p: Prim, side: int, near: float = 1.0, far: float = 8.0) -> np.ndarray:
    """Direction into a piece from one end, read off its support a little way in (an arc's
    fitted circle can miss the tangent of a conic it approximates)."""
    if p.kind == "segment":
        return _direction(p, side)
    pts = p.fpts if side == 0 else p.fpts[::-1]
    d = np.hypot(*(pts - pts[0]).T)
    sel = pts[(d >= near) & (d <= far)]
    if len(sel) < 2:
        return _direction(p, side)
    return unit(sel[-1] - sel[0])


def _smooth_chains(prims: list[Prim], nodes: list[VNode], cfg: StrokeConfig, s: float) -> None:
    """A sampled function graph or conic, fitted piecewise, is one curve.

    Pairwise merging keeps two long straight pieces meeting at a slight bend apart (a polygon
    vertex) and a straight piece apart from a tangent arc (a running track). A chain of pieces
    that join smoothly at nodes where nothing else ends and all turn one way, with three or more
    pieces and a bend between two straight ones, or with a curve piece among them, is neither:
    it is a curve drawn by a plotter.
    """
    ends = _ends_by_node(prims)  # circles have no end nodes
    link: dict[tuple[int, int], tuple[int, int, float, bool, bool]] = {}  # (prim, side) -> (prim, side, turn, bend, loose)
    for nid, es in ends.items():
        if len(es) != 2 or nodes[nid].kind in ("dot", "head"):
            continue
        (i, si), (j, sj) = es
        p, q = prims[i], prims[j]
        if i == j or p.dash != q.dash or colour_far(p.color, q.color):
            continue
        # ends read off the support, or off an arc's circle where a crossing bends the support
        reads = [(-f(p, si), f(q, sj)) for f in (_end_tangent, _direction)]
        d_in, d_out = min(reads, key=lambda uv: _turn_deg(*uv))
        turn = _turn_deg(d_in, d_out)
        straight = p.kind == q.kind == "segment"
        if straight and turn >= cfg.smooth_turn:
            continue
        if not straight and turn >= 2 * cfg.smooth_turn:
            # a tight bend (a parabola's vertex) turns a lot within the reach ends are read over,
            # and two arcs fitted to its sides miss its tangent: it is smooth if one circle fits
            # closely (a corner's fit is loose)
            if turn >= 4 * cfg.smooth_turn:
                continue
            near = np.vstack([x.fpts[np.hypot(*(x.fpts - nodes[nid].xy).T) <= 12.0 * s] for x in (p, q)])
            cf = fit_circle(near) if len(near) >= 8 else None
            if cf is None or cf.dev > 0.5 * cfg.merge_tol * max(1.0, s):
                continue
        # the sense of a turn is read only between two lines: at an arc or curve end the two
        # reads above can disagree on it (and past 28 degrees only the circle says it is smooth)
        signed = math.copysign(turn, float(np.cross(d_in, d_out))) if straight else 0.0
        bend, loose = straight and turn >= 3.0, turn >= 2 * cfg.smooth_turn
        link[(i, si)] = (j, sj, signed, bend, loose)
        link[(j, sj)] = (i, si, -signed, bend, loose)
    seen: set[int] = set()
    for start in range(len(prims)):
        if start in seen or not prims[start].alive or (start, 0) not in link and (start, 1) not in link:
            continue
        # walk back to a free end (or round a loop), then forward collecting (prim, entry side)
        i, side = start, 0
        for _ in range(len(prims)):
            nxt = link.get((i, side))
            if nxt is None or nxt[0] == start:
                break
            i, side = nxt[0], 1 - nxt[1]
        chain, turns, bends, loose = [(i, side)], [], False, False
        while True:
            seen.add(chain[-1][0])
            nxt = link.get((chain[-1][0], 1 - chain[-1][1]))
            if nxt is None or nxt[0] in seen:
                break
            chain.append((nxt[0], nxt[1]))
            turns.append(nxt[2])  # signed, travelling forward out of the previous piece
            bends |= nxt[3]
            loose |= nxt[4]
        # a plotted curve: bends between lines (then a tight joint may be smooth by the circle
        # alone), or a curve piece that its neighbours continue under 28 degrees
        curvy = any(prims[k].kind == "curve" for k, _ in chain) and not loose
        if len(chain) < 2 or not (curvy or bends and len(chain) >= 3):
            continue
        senses = [t for t in turns if abs(t) >= 3.0]
        senses += [(_bend(prims[k]) if sd == 0 else -_bend(prims[k])) for k, sd in chain if prims[k].kind != "segment"]
        if not senses or not (all(t > 0 for t in senses) or all(t < 0 for t in senses)):
            continue
        parts = [prims[k] for k, _ in chain]
        pts = np.vstack([p.pts if sd == 0 else p.pts[::-1] for p, (_, sd) in zip(parts, chain)])
        fpts = np.vstack([p.fpts if sd == 0 else p.fpts[::-1] for p, (_, sd) in zip(parts, chain)])
        first, last = parts[0], parts[-1]
        na = first.end_node(chain[0][1])
        nb = last.end_node(1 - chain[-1][1])
        new = Prim("curve", pts, na, nb, dash=first.dash, fit=fpts)
        longest = max(parts, key=lambda x: x.length())
        new.color, new.width = longest.color, longest.width
        new.through = [n for p in parts for n in p.through]
        new.through += [parts[x].end_node(1 - chain[x][1]) for x in range(len(parts) - 1)]
        for p in parts:
            p.alive = False
        prims.append(new)


# ----------------------------------------------------------------------------- geometry refinement
def _refine_nodes(prims: list[Prim], nodes: list[VNode], width: float, s: float) -> None:
    """Move each node to where its strokes' fitted geometry says it is."""
    touching: dict[int, list[tuple[Prim, bool]]] = {}
    for p in prims:
        if not p.alive:
            continue
        for nid in (p.na, p.nb):
            if nid is not None:
                touching.setdefault(nid, []).append((p, True))
        for nid in p.through:
            touching.setdefault(nid, []).append((p, False))
    reach = 3.0 * s + 1.5 * width
    for nid, lst in touching.items():
        node = nodes[nid]
        if node.kind in ("dot", "head"):
            continue
        lines = []  # the longest stroke of each direction: a short piece bent into the node does not tilt a long line
        for p, _ in sorted(lst, key=lambda x: -x[0].length()):
            if p.kind == "segment" and p.line is not None and all(line_angle(p.line.u, q.u) > 8 for q in lines):
                lines.append(p.line)
        if len(lines) >= 2:
            x = line_intersection(lines)
            if x is not None and (math.dist(x, node.xy) <= reach or (math.dist(x, node.xy) <= 25 * s and _ahead(x, nid, node, lst))):
                node.xy = x
                continue
        circ = [p.circle for p, _ in lst if p.kind in ("arc", "circle") and p.circle is not None]
        if lines:
            lf = lines[0]
            foot = lf.project(circ[0].c) if circ else None
            if foot is not None and abs(math.dist(foot, circ[0].c) - circ[0].r) <= 2.0 + 0.02 * circ[0].r \
                    and math.dist(foot, node.xy) <= 0.5 * circ[0].r:  # fmt: skip
                node.xy = foot  # a line tangent to an arc: they meet at the foot of the radius
            else:
                node.xy = lf.project(node.xy)
            continue
        if circ:
            node.xy = circ[0].project(node.xy)


def _join_collinear(prims: list[Prim], nodes: list[VNode], cfg: StrokeConfig, s: float) -> None:
    """Two segments that meet in a straight line once their nodes are refined are one segment.

    Merging compares skeleton pixels, which bend where another stroke touches a line (a curve
    leaving an axis tangentially, an arrowhead against a frame), so such a line stays in pieces
    joined by a short tilted one; the refined nodes lie back on the line. A short piece's colour
    is not compared: where strokes overlap it is their mix.
    """
    tol = cfg.merge_tol * max(1.0, s)
    by_node = _ends_by_node(prims)
    queue = sorted(by_node)
    while queue:
        nid = queue.pop()
        segs = [(i, sd) for i, sd in by_node.get(nid, []) if prims[i].alive and prims[i].kind == "segment" and prims[i].end_node(sd) == nid]
        by_node[nid] = segs + [(i, sd) for i, sd in by_node.get(nid, []) if prims[i].alive and prims[i].kind != "segment"]
        best = None
        for x in range(len(segs)):
            for y in range(x + 1, len(segs)):
                (i, si), (j, sj) = segs[x], segs[y]
                p, q = prims[i], prims[j]
                if i == j or p.dash != q.dash:
                    continue
                if not _mixed_or_same(p, q, s):
                    continue
                a_n, b_n = p.end_node(1 - si), q.end_node(1 - sj)
                if a_n is None or b_n is None or a_n == b_n:
                    continue
                a, b, m = nodes[a_n].xy, nodes[b_n].xy, nodes[nid].xy
                u = unit(b - a)
                dev = abs(float(u[0] * (m - a)[1] - u[1] * (m - a)[0]))
                if dev > tol or _turn_deg(unit(m - a), unit(b - m)) >= cfg.collinear_turn:
                    continue
                if not 0 < float(np.dot(m - a, u)) < math.dist(a, b):
                    continue
                if best is None or dev < best[0]:
                    best = (dev, i, si, j, sj)
        if best is None:
            continue
        _, i, si, j, sj = best
        p, q = prims[i], prims[j]
        new = _fused(p, q, _joined(p, si, q, sj), p.end_node(1 - si), q.end_node(1 - sj), _joined(p, si, q, sj, fit=True), [nid])
        prims.append(new)
        for side in (0, 1):
            e = new.end_node(side)
            by_node.setdefault(e, []).append((len(prims) - 1, side))
            if e not in queue:
                queue.append(e)
        queue.append(nid)
    _join_overlapping(prims, nodes, cfg, s)


def _fused(p: Prim, q: Prim, pts: np.ndarray, na: int, nb: int, fpts: np.ndarray, through: list[int]) -> Prim:
    """One segment for two pieces of one line (both die); the longer piece's pen wins."""
    new = Prim("segment", pts, na, nb, line=fit_line(fpts), dash=p.dash, fit=fpts)
    new.through = p.through + q.through + through
    longer = max(p, q, key=lambda z: z.length())
    new.color, new.width, new.period = longer.color, longer.width, longer.period
    p.alive = q.alive = False
    return new


def _mixed_or_same(p: Prim, q: Prim, s: float) -> bool:
    """Two pieces may be one pen: same colour, or one too short to tell (where strokes overlap
    a short piece's colour is their mix)."""
    return min(p.length(), q.length()) <= 25.0 * s or not colour_far(p.color, q.color)


def _join_overlapping(prims: list[Prim], nodes: list[VNode], cfg: StrokeConfig, s: float) -> None:
    """Two segments on one line where one ends inside the other (a short spur merged into a line
    across a junction, so it passes the end of the next piece) are one segment, end to end."""
    from shapely import STRtree
    from shapely.geometry import LineString, Point

    tol = cfg.merge_tol * max(1.0, s)
    segs = [i for i, p in enumerate(prims) if p.alive and p.kind == "segment" and p.na is not None and p.nb is not None]
    if len(segs) < 2:
        return
    geo = {i: segment_ends(prims[i], nodes) for i in segs}
    tree = STRtree([LineString(geo[i]) for i in segs])
    for i in segs:
        p = prims[i]
        if not p.alive:
            continue
        a, b = geo[i]
        for k in set(tree.query(Point(*a).buffer(tol)).tolist() + tree.query(Point(*b).buffer(tol)).tolist()):
            j = segs[int(k)]
            q = prims[j]
            if j == i or not q.alive or p.dash != q.dash or {p.na, p.nb} & {q.na, q.nb}:
                continue
            if not _mixed_or_same(p, q, s):
                continue
            c, d = geo[j]
            u = unit(d - c)
            if max(abs(float(u[0] * (e - c)[1] - u[1] * (e - c)[0])) for e in (a, b)) > tol:
                continue
            if line_angle(unit(b - a), u) >= cfg.collinear_turn:
                continue
            span = math.dist(c, d)
            ta, tb = sorted(float(np.dot(e - c, u)) for e in (a, b))
            if tb < 0.5 * tol or ta > span - 0.5 * tol:
                continue  # end to end or apart: not overlapping
            if ta > -0.5 * tol and tb < span + 0.5 * tol:
                continue  # p lies within q
            ends = sorted([(float(np.dot(e - c, u)), n) for e, n in ((a, p.na), (b, p.nb), (c, q.na), (d, q.nb))])
            pts = np.array([nodes[ends[0][1]].xy, nodes[ends[-1][1]].xy])
            prims.append(_fused(p, q, pts, ends[0][1], ends[-1][1], np.vstack([p.fpts, q.fpts]), [n for _, n in ends[1:-1]]))
            break


def _ahead(x: np.ndarray, nid: int, node: VNode, lst: list) -> bool:
    """The point lies beyond the node on every stroke ending there (an acute corner's true tip)."""
    for p, ends_here in lst:
        if ends_here:
            d = _direction(p, 0 if p.na == nid else 1)
            if float(np.dot(x - node.xy, -d)) <= 0:
                return False
    return True


def _extend_dashed_ends(prims: list[Prim], nodes: list[VNode], gap: float) -> None:
    """A dashed or dotted row may stop up to one gap short of the point it was drawn to (or, for
    long dashes, one dash and gap: the dash at a vertex joins the side drawn there)."""
    count = {nid: len(es) for nid, es in _ends_by_node(prims).items()}
    targets = [nid for nid in count if nodes[nid].kind != "end" or count[nid] > 1]
    if not targets:
        return
    txy = np.array([nodes[t].xy for t in targets])
    for p in prims:
        if not p.alive or p.dash == "solid" or p.kind != "segment":
            continue
        for side in (0, 1):
            nid = p.end_node(side)
            if nid is None or nodes[nid].kind != "end" or count.get(nid) != 1:
                continue
            out = -_direction(p, side)
            rel = txy - nodes[nid].xy
            along = rel @ out
            perp = np.abs(rel @ np.array([-out[1], out[0]]))
            ok = (along > 0) & (along <= 1.3 * max(gap, p.period)) & (perp <= 2.5)
            if ok.any():
                k = int(np.argmin(np.where(ok, along, np.inf)))
                _absorb_last_dash(prims, nodes, p, nodes[nid].xy, targets[k], out)
                p.set_end(side, targets[k])


def _absorb_last_dash(prims: list[Prim], nodes: list[VNode], p: Prim, end: np.ndarray, tgt: int, out: np.ndarray) -> None:
    """The dash that touches the vertex a dashed row is extended to (a piece of its own, joined
    to the side drawn there) is part of the row, not a short solid stroke beside it."""
    span = float((nodes[tgt].xy - end) @ out)
    nrm = np.array([-out[1], out[0]])
    for q in prims:
        if q is p or not q.alive or q.kind != "segment" or q.dash != "solid" or tgt not in (q.na, q.nb):
            continue
        other = nodes[q.nb if q.na == tgt else q.na].xy - end
        if -1.0 <= float(other @ out) <= span and abs(float(other @ nrm)) <= 2.5:
            q.alive = False
            p.through.append(q.nb if q.na == tgt else q.na)


def _snap_free_ends(prims: list[Prim], nodes: list[VNode], tol: float) -> None:
    """Free ends close to another node join it; close to a stroke, they move onto it (shapely)."""
    from shapely import STRtree
    from shapely.geometry import LineString, Point

    live = [p for p in prims if p.alive]
    count = {nid: len(es) for nid, es in _ends_by_node(prims).items()}
    free = [nid for nid, c in count.items() if c == 1 and nodes[nid].kind == "end"]
    if not free:
        return
    others = [nid for nid in count if nodes[nid].kind != "end" or count[nid] > 1]
    geoms, owners = [], []
    for p in live:
        pts = geometry_points(p, nodes)
        if len(pts) >= 2:
            geoms.append(LineString(pts))
            owners.append(p)
    tree = STRtree(geoms) if geoms else None
    for nid in free:
        if count[nid] != 1:
            continue  # another free end joined this one already
        xy = nodes[nid].xy
        own = next(p for p in live if nid in (p.na, p.nb))
        best = None
        for o in others + [f for f in free if f != nid and count[f] > 0]:
            d = math.dist(nodes[o].xy, xy)
            if d <= tol and (best is None or d < best[0]) and o not in (own.na, own.nb):
                best = (d, o)
        if best is not None:
            own.set_end(0 if own.na == nid else 1, best[1])
            count[nid] -= 1
            count[best[1]] += 1
            continue
        if tree is None:
            continue
        pt = Point(float(xy[0]), float(xy[1]))
        for k in tree.query(pt.buffer(tol)):
            g, o = geoms[int(k)], owners[int(k)]
            if o is own:
                continue
            if g.distance(pt) <= tol:
                q = g.interpolate(g.project(pt))
                nodes[nid].xy = np.array([q.x, q.y])
                nodes[nid].kind = "junction"
                o.through.append(nid)
                break


def geometry_points(p: Prim, nodes: list[VNode]) -> list[tuple[float, float]]:
    """The primitive's drawn path: fitted geometry between its (refined) end nodes."""
    if p.kind == "segment":
        a, b = segment_ends(p, nodes)
        return [tuple(a), tuple(b)]
    if p.kind == "circle" and p.circle is not None:
        c, r = p.circle.c, p.circle.r
        return [(c[0] + r * math.cos(t), c[1] + r * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 73)]
    if p.kind == "arc" and p.circle is not None:
        c, r = p.circle.c, p.circle.r
        st, en = arc_angles(p, nodes)
        return [(c[0] + r * math.cos(math.radians(a)), c[1] - r * math.sin(math.radians(a)))
                for a in np.linspace(st, en, max(3, int(abs(en - st) / 3) + 1))]  # fmt: skip
    pts = curve_points(p, nodes)
    return [tuple(q) for q in pts]


def segment_ends(p: Prim, nodes: list[VNode]) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for nid, q in ((p.na, p.pts[0]), (p.nb, p.pts[-1])):
        if nid is not None:
            out.append(np.asarray(nodes[nid].xy, float))
        elif p.line is not None:
            out.append(p.line.project(q))
        else:
            out.append(np.asarray(q, float))
    return out[0], out[1]


def arc_angles(p: Prim, nodes: list[VNode]) -> tuple[float, float]:
    """Start and end angles (degrees ccw, y up) of an arc, following its support."""
    c = p.circle.c
    a = nodes[p.na].xy if p.na is not None else p.pts[0]
    start = angle_deg(c, a)
    sw = sweep_deg(c, p.pts)
    b = nodes[p.nb].xy if p.nb is not None else p.pts[-1]
    end_raw = angle_deg(c, b)
    # keep the sweep's sign and size, adjusted to the refined end
    d = (end_raw - (start + sw) + 180) % 360 - 180
    return start, start + sw + d


def curve_points(p: Prim, nodes: list[VNode]) -> np.ndarray:
    pts = resample(smooth(p.pts, 2), 3.0)
    if p.na is not None:
        pts[0] = nodes[p.na].xy
    if p.nb is not None:
        pts[-1] = nodes[p.nb].xy
    return pts


# ----------------------------------------------------------------------------- style
def _style(p: Prim, prep: Prepared) -> None:
    """Colour from the stroke's darkest pixels; width from the ink it deposits per unit length.

    A straight stroke through a (2R+1)-pixel window deposits width * (2R+1) * its colour's
    darkness, whatever the anti-aliasing; the median over the stroke's support is robust
    to crossings. A dashed row's support is only its dashes' pixels, a few dozen, among which
    a black tick mark lying along a grey grid line is a fifth: far darker samples are left out.
    """
    h, w = prep.ink.shape
    pts = p.fpts[:: max(1, len(p.fpts) // 200)]
    xs = np.clip(pts[:, 0].astype(int), 0, w - 1)
    ys = np.clip(pts[:, 1].astype(int), 0, h - 1)
    cols = prep.rgb[ys, xs].astype(float)
    if len(cols) == 0:
        return
    lum = cols @ _LUMA
    if p.dash != "solid":
        same = lum >= float(np.median(lum)) - 0.3 * float(np.dot(np.asarray(prep.paper, float), _LUMA))
        cols, lum = cols[same], lum[same]
    k = max(1, len(cols) // 3)
    dark = cols[np.argsort(lum)[:k]]
    c = np.median(dark, axis=0) / 255.0
    paper = np.asarray(prep.paper, float) / 255.0
    _set_colour(p, np.clip(c / np.maximum(paper, 1e-3), 0, 1))
    if prep.dark_sum is None:
        return
    r = 3
    x0, x1 = np.clip(xs - r, 0, w), np.clip(xs + r + 1, 0, w)
    y0, y1 = np.clip(ys - r, 0, h), np.clip(ys + r + 1, 0, h)
    ii = prep.dark_sum
    sums = ii[y1, x1] - ii[y0, x1] - ii[y1, x0] + ii[y0, x0]
    dk = prep.dark[ys, xs]
    depth = max(float(np.percentile(dk, 90)), 0.35)
    p.width = round(float(np.clip(np.median(sums) / ((2 * r + 1) * depth), 0.5, 12.0)), 3)


def _straddling(p: Prim, scale: float, spread: float = 1.8, deposit: float = 0.8) -> None:
    """A thin dark pen that runs between two rows of pixels covers none of them: both show it
    half as dark, so it read as a grey line twice as wide. When a light reading spreads over
    ``spread`` px or more and deposits as much ink as a dark 0.5 bp pen would (``deposit`` px
    of full darkness, at 150 dpi), it is that pen: darkened to deposit the same ink over its
    true width. On real train, 60 of 294 black segments read grey (a median 0.46 over 2.4 px,
    depositing 0.97-1.42 px of ink), against true grey lines (gray 0.7, 0.09-0.40 px)."""
    c = np.asarray(p.color, float)
    dark = 1.0 - float(c @ _LUMA)
    if dark >= 0.7 or dark <= 0.0 or p.width < spread * scale or dark * p.width < deposit * scale:
        return
    _set_colour(p, np.clip(1.0 - (1.0 - c) / dark, 0.0, 1.0))
    p.width = round(max(0.5, p.width * dark), 3)


def _set_colour(p: Prim, c: np.ndarray) -> None:
    """``p``'s colour, rounded; a dark, nearly neutral one is black."""
    if c.max() - c.min() < 0.08 and c.mean() < 0.3:
        c = np.zeros(3)
    p.color = tuple(round(float(v), 3) for v in c)


def colour_far(a, b, tol: float = 0.3) -> bool:
    """Two stroke colours that are clearly different pens (0-1 channels)."""
    return float(np.abs(np.subtract(a, b)).max()) > tol
