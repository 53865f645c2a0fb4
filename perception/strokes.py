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

import cv2
import numpy as np

from .fitting import (
    CircleFit,
    LineFit,
    angle_deg,
    fit_circle,
    fit_line,
    line_intersection,
    resample,
    smooth,
    split_run,
    sweep_deg,
    unit,
)
from .skeleton import PixelGraph, pixel_graph, thin


@dataclass(frozen=True)
class StrokeConfig:
    """Vectoriser thresholds; pixel values are at 150 dpi and scale with the image's dpi."""

    ink_delta: int = 20  # ink: darker than the paper by this much (235 on white, as eval.ink)
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
    head_max: float = 22.0  # arrowheads are at most this long
    region_thickness: float = 6.0  # a blob this thick (2*area/perimeter) is a filled region
    region_min_area: float = 120.0  # px^2
    colour_tol: int = 30  # max channel difference within one fill colour
    speck_max: float = 3.5  # components this small (bbox side) are specks (dotted lines)
    dash_max: float = 34.0  # isolated straight pieces up to this long may be dashes
    dash_gap: float = 22.0  # max gap between consecutive dashes / dots


# ----------------------------------------------------------------------------- records
@dataclass
class Region:
    pts: list[list[float]]
    fill: tuple[float, float, float]
    area: float


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

    @property
    def fpts(self) -> np.ndarray:
        return self.fit if self.fit is not None and len(self.fit) >= 2 else self.pts

    def end_node(self, side: int) -> int | None:
        return self.na if side == 0 else self.nb

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


@dataclass
class Vectorised:
    prims: list[Prim]
    nodes: list[VNode]
    regions: list[Region]
    dots: list[Dot]
    heads: list[Head]
    line_width: float


# ----------------------------------------------------------------------------- ink
def ink_layers(rgb: np.ndarray, paper: tuple[int, int, int], delta: int) -> tuple[np.ndarray, np.ndarray]:
    """Boolean ink mask and a 0-1 darkness map relative to the paper."""
    lo = rgb.min(axis=2).astype(np.int16)
    ref = int(min(paper))
    ink = lo < min(ref, 255) - delta
    dark = np.clip((ref - lo) / max(ref, 1), 0, 1).astype(np.float32)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    if n > 1:  # noise specks: tiny and faint
        small = stats[:, cv2.CC_STAT_AREA] <= 3
        if small[1:].any():
            peak = np.zeros(n, np.float32)
            np.maximum.at(peak, lab[ink], dark[ink])
            kill = small & (peak < 0.35)
            kill[0] = False
            ink &= ~kill[lab]
    return ink, dark


def _typical_width(ink: np.ndarray, dt: np.ndarray) -> float:
    """Median stroke width from the distance transform on ridge pixels of thin ink."""
    ridge = ink & (dt >= cv2.dilate(dt, np.ones((3, 3), np.uint8)) - 1e-6) & (dt <= 4.5)
    vals = dt[ridge]
    if len(vals) < 10:
        return 1.0
    return float(max(0.8, 2 * np.median(vals) - 1))


def _rgb01(c) -> tuple[float, float, float]:
    return tuple(round(float(v) / 255.0, 3) for v in c)


# ----------------------------------------------------------------------------- blobs
def _contour_pts(mask: np.ndarray, eps: float, offset=(0, 0)) -> list[list[float]]:
    cs, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not cs:
        return []
    c = max(cs, key=cv2.contourArea)
    ap = cv2.approxPolyDP(c, eps, True).reshape(-1, 2).astype(float)
    # contour pixel centres -> graph coordinates, pushed half a pixel outwards by +0.5 centre shift
    return [[float(x) + 0.5 + offset[0], float(y) + 0.5 + offset[1]] for x, y in ap]


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
            blob = _small_blob(ink, (x0 + px, y0 + py), float(sub_dt.max()), width, colour, scale, cfg)
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
        reg = _region_from_colour(rgb, ink, dark, comp, (x0, y0, x1, y1), colour, width, cfg)
        if reg is None:
            continue
        rmask, excl, (rx0, ry0) = reg
        pts = _contour_pts(rmask, max(0.8, 0.8 * scale), (rx0, ry0))
        if len(pts) >= 3:
            regions.append(Region(pts, _rgb01(colour), float(rmask.sum())))
            region_mask[ry0 : ry0 + rmask.shape[0], rx0 : rx0 + rmask.shape[1]] |= excl
    return regions, dots, heads, region_mask, blob_mask


def _small_blob(ink: np.ndarray, seed: tuple[int, int], depth: float, width: float, colour, scale: float,
                cfg: StrokeConfig):  # fmt: skip
    """A dot or an arrowhead around ``seed`` (None if neither).

    The ink is opened with a disc wider than the strokes but narrower than the blob, which
    strips the lines running into it and leaves its own shape.
    """
    h, w = ink.shape
    rho = max(1, int(math.ceil(0.5 * width + 0.3)), min(2, int(0.7 * depth)))
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
    if size <= 2 * cfg.dot_max_r * scale + 2 and aspect <= 1.35 and fill >= 0.6 and circ >= 0.7:
        r = math.sqrt(area / math.pi)
        yy, xx = np.ogrid[y0:y1, x0:x1]
        disc = (xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2 <= (r + 1.0) ** 2
        return "dot", Dot((cx, cy), r, _rgb01(colour)), disc & ink[y0:y1, x0:x1], (x0, y0)
    if size <= cfg.head_max * scale:
        hull = cv2.convexHull(np.c_[xs, ys].astype(np.int32))
        tri = cv2.approxPolyDP(hull, max(1.0, 0.12 * size), True).reshape(-1, 2)
        solidity = area / max(cv2.contourArea(hull), 1.0)
        ring = _grow(shape, rho + 3) & ~_grow(shape, rho + 1) & ink[y0:y1, x0:x1]
        exits = cv2.connectedComponents(ring.astype(np.uint8), connectivity=8)[0] - 1
        if 3 <= len(tri) <= 4 and solidity > 0.75 and aspect <= 3.5 and exits <= 1:
            pts = [[float(px) + x0 + 0.5, float(py) + y0 + 0.5] for px, py in tri]
            fp = _grow(shape, rho + 1) & ink[y0:y1, x0:x1]
            return "head", Head(pts, (cx, cy), float(size), _rgb01(colour)), fp, (x0, y0)
    return None


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
    excl[ry0 - ey0 : ry1 - ey0, rx0 - ex0 : rx1 - ex0] = colour_ok[ry0:ry1, rx0:rx1] & sub
    near = _grow(excl, 2)
    excl |= near & (dark[ey0:ey1, ex0:ex1] <= fill_dark + 0.06)
    full = np.zeros((ey1 - ey0, ex1 - ex0), bool)
    full[ry0 - ey0 : ry1 - ey0, rx0 - ex0 : rx1 - ex0] = sub
    return full, excl, (ex0, ey0)


# ----------------------------------------------------------------------------- prepare
def prepare(rgb: np.ndarray, paper: tuple[int, int, int], scale: float = 1.0, cfg: StrokeConfig = StrokeConfig()) -> Prepared:
    ink, dark = ink_layers(rgb, paper, cfg.ink_delta)
    dt = cv2.distanceTransform(ink.astype(np.uint8), cv2.DIST_L2, 5)
    width = _typical_width(ink, dt)
    regions, dots, heads, region_mask, blob_mask = find_blobs(rgb, ink, dark, dt, width, scale, cfg)
    strokes = ink & ~region_mask & ~blob_mask
    return Prepared(rgb, paper, ink, dark, strokes, regions, dots, heads, region_mask, width, scale)


# ----------------------------------------------------------------------------- vectorise
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
              cfg: StrokeConfig = StrokeConfig()) -> Vectorised:  # fmt: skip
    s = prep.scale
    mask, _ = remove_boxes(prep.strokes, text_boxes or [])
    mask, specks = _split_specks(mask, max(2.0, cfg.speck_max * s, 1.6 * prep.line_width))
    skel = thin(mask)
    pg = pixel_graph(skel)
    _prune(pg, max(2.0, cfg.spur * s, 1.2 * prep.line_width + 1))
    nodes = [VNode(np.array(n.xy, float), n.kind) for n in pg.nodes]
    _attach_blobs(pg, nodes, prep, s)
    prims = _fit_chains(pg, nodes, prep.line_width, cfg, s)
    _set_head_tips(prims, nodes, prep)
    _group_dashes(prims, nodes, specks, prep, cfg)
    _merge_all(prims, nodes, cfg, s, prep.line_width)
    _close_arcs(prims, nodes)
    _refine_nodes(prims, nodes, prep.line_width, s)
    _snap_free_ends(prims, nodes, cfg.snap * s + 0.5 * prep.line_width)
    live = [p for p in prims if p.alive]
    for p in live:
        _style(p, prep)
    return Vectorised(live, nodes, prep.regions, prep.dots, prep.heads, prep.line_width)


def _split_specks(mask: np.ndarray, max_side: float) -> tuple[np.ndarray, list[np.ndarray]]:
    n, lab, stats, cents = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return mask, []
    side = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    small = side <= max_side
    small[0] = False
    specks = [cents[i] + 0.5 for i in np.nonzero(small)[0]]
    return mask & ~small[lab], specks


def _prune(pg: PixelGraph, spur: float) -> None:
    """Remove short side branches (thinning artefacts at corners and blobs); repeat once."""
    for _ in range(2):
        changed = False
        for ci, c in enumerate(pg.chains):
            if c is None or c.closed:
                continue
            na, nb = pg.nodes[c.a], pg.nodes[c.b]
            free_a = na.kind == "end" and len(na.chains) == 1
            free_b = nb.kind == "end" and len(nb.chains) == 1
            other = nb if free_a else na if free_b else None
            if other is None or (free_a and free_b):
                continue
            live = [k for k in other.chains if pg.chains[k] is not None]
            if len(live) >= 3 and c.length() < spur:
                pg.chains[ci] = None
                other.chains = [k for k in other.chains if k != ci]
                changed = True
        if not changed:
            break
    pg.chains = [c for c in pg.chains]


def prep_r(nodes: list[VNode], nid: int) -> float:
    """Extra trim around blob nodes (their support starts at the blob's centre)."""
    return 4.0 if nodes[nid].kind in ("dot", "head") else 0.0


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
        blob_nodes.append((len(nodes), np.array(d.xy), d.r + 2.5 * s + 0.5 * prep.line_width))
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
            if nodes[nid].kind != "end" or len(pg.nodes[nid].chains) != 1:
                continue
            d = np.hypot(*(centres - nodes[nid].xy).T)
            j = int(d.argmin())
            if d[j] <= blob_nodes[j][2]:
                if side == 0:
                    c.a = blob_nodes[j][0]
                    c.pts = np.vstack([centres[j][None], c.pts])
                else:
                    c.b = blob_nodes[j][0]
                    c.pts = np.vstack([c.pts, centres[j][None]])


def _set_head_tips(prims: list[Prim], nodes: list[VNode], prep: Prepared) -> None:
    """An arrowhead's tip is its corner farthest from where its stroke enters; the stroke ends there."""
    for nid, node in enumerate(nodes):
        if node.kind != "head":
            continue
        ends = _ends_at(prims, nid)
        if not ends:
            continue
        hd = prep.heads[node.ref]
        i, side = ends[0]
        p = prims[i]
        # the entry point: the first support point outside the head
        pts = p.pts[::-1] if side == 1 else p.pts
        entry = next((q for q in pts if math.dist(q, hd.centroid) > 0.5 * hd.size), pts[-1])
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


def _group_dashes(prims: list[Prim], nodes: list[VNode], specks: list[np.ndarray], prep: Prepared, cfg: StrokeConfig) -> None:
    """Rows of short isolated pieces and specks with regular gaps become one dashed/dotted primitive."""
    s = prep.scale
    dash_max = max(cfg.dash_max * s, 6 * prep.line_width)
    gap_max = max(cfg.dash_gap * s, 5 * prep.line_width)
    items: list[_Item] = [_Item(np.asarray(p, float)[None]) for p in specks]
    deg = {}
    for p in prims:
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
    if len(items) < 2:
        return
    links = _link_items(items, gap_max)
    for chain, closed in _chains_of(links, len(items)):
        its = [items[k] for k in chain]
        n_dash = sum(1 for it in its if it.prim >= 0)
        if len(its) < 3 and not (len(its) == 2 and n_dash == 2 and min(len(it.pts) for it in its) >= 5):
            continue
        anchors = [it for it in its if it.anchor is not None]
        if len(anchors) > 2:
            continue
        pts = np.vstack([_oriented(it, its, k) for k, it in enumerate(its)])
        dash = "dotted" if n_dash <= len(its) // 3 else "dashed"
        prim = _fit_dashed(pts, closed, cfg)
        if prim is None:
            continue
        prim.dash = dash
        ends = []
        for end_it, side in ((its[0], 0), (its[-1], 1)):
            if end_it.anchor is not None and not closed:
                ends.append(end_it.anchor)
            elif not closed:
                ends.append(len(nodes))
                nodes.append(VNode((pts[0] if side == 0 else pts[-1]).copy(), "end"))
        if not closed:
            prim.na, prim.nb = ends
        for it in its:
            if it.prim >= 0:
                prims[it.prim].alive = False
        prims.append(prim)


def _oriented(it: _Item, its: list[_Item], k: int) -> np.ndarray:
    """Item points ordered along the row (towards the next item)."""
    if len(it.pts) == 1:
        return it.pts
    ref = its[k + 1].pts.mean(0) if k + 1 < len(its) else None
    if ref is None:
        ref_prev = its[k - 1].pts.mean(0)
        return it.pts if math.dist(it.pts[0], ref_prev) < math.dist(it.pts[-1], ref_prev) else it.pts[::-1]
    return it.pts if math.dist(it.pts[-1], ref) < math.dist(it.pts[0], ref) else it.pts[::-1]


def _item_ends(it: _Item) -> list[tuple[np.ndarray, np.ndarray | None, int]]:
    """(position, outward direction or None, end index) for each linkable end."""
    if len(it.pts) == 1:
        return [(it.pts[0], None, 0), (it.pts[0], None, 1)]
    k = min(len(it.pts) - 1, 4)
    out = []
    for side in (0, 1):
        if it.anchor is not None and side == it.anchor_side:
            continue
        p = it.pts[0] if side == 0 else it.pts[-1]
        q = it.pts[k] if side == 0 else it.pts[-1 - k]
        out.append((p, unit(p - q), side))
    return out


def _link_items(items: list[_Item], gap_max: float) -> dict[int, list[int]]:
    """Greedy pairing of item ends: short gaps first, directions consistent along a row."""
    ends = []
    for i, it in enumerate(items):
        for pos, d, side in _item_ends(it):
            ends.append((i, side, pos, d))
    if len(ends) < 2:
        return {}
    pos = np.array([e[2] for e in ends])
    cand = []
    for a in range(len(ends)):
        dd = np.hypot(*(pos - pos[a]).T)
        for b in np.nonzero((dd <= gap_max) & (dd > 0.5))[0]:
            if b <= a or ends[b][0] == ends[a][0]:
                continue
            g = unit(pos[b] - pos[a])
            ok = True
            for e, sign in ((ends[a], 1), (ends[b], -1)):
                if e[3] is not None and float(np.dot(e[3], sign * g)) < math.cos(math.radians(22)):
                    ok = False
            if ok:
                cand.append((float(dd[b]), a, b))
    cand.sort()
    used_end = set()
    links: dict[int, list[int]] = {}
    link_dir: dict[int, list[np.ndarray]] = {}
    for d, a, b in cand:
        ia, ib = ends[a][0], ends[b][0]
        ka, kb = (ia, ends[a][1]), (ib, ends[b][1])
        if ka in used_end or kb in used_end or len(links.get(ia, [])) >= 2 or len(links.get(ib, [])) >= 2:
            continue
        if ib in links.get(ia, []):
            continue
        g = unit(pos[b] - pos[a])
        # specks: a row keeps its direction
        if any(float(abs(np.dot(g, v))) < math.cos(math.radians(25)) for v in link_dir.get(ia, []) + link_dir.get(ib, [])):
            continue
        used_end.update([ka, kb])
        if len(items[ia].pts) == 1:
            used_end.add((ia, 1 - ends[a][1]) if len(links.get(ia, [])) == 1 else ka)
        links.setdefault(ia, []).append(ib)
        links.setdefault(ib, []).append(ia)
        link_dir.setdefault(ia, []).append(g)
        link_dir.setdefault(ib, []).append(g)
    return links


def _chains_of(links: dict[int, list[int]], n: int) -> list[tuple[list[int], bool]]:
    seen = set()
    out = []
    for start in range(n):
        if start in seen or start not in links or len(links[start]) != 1:
            continue
        chain, prev, cur = [start], None, start
        seen.add(start)
        while True:
            nxt = [k for k in links[cur] if k != prev and k not in seen]
            if not nxt:
                break
            prev, cur = cur, nxt[0]
            seen.add(cur)
            chain.append(cur)
        out.append((chain, False))
    for start in links:
        if start in seen:
            continue
        chain, prev, cur = [start], None, start
        seen.add(start)
        while True:
            nxt = [k for k in links[cur] if k != prev and k not in seen]
            if not nxt:
                break
            prev, cur = cur, nxt[0]
            seen.add(cur)
            chain.append(cur)
        out.append((chain, True))
    return out


def _fit_dashed(pts: np.ndarray, closed: bool, cfg: StrokeConfig) -> Prim | None:
    lf = fit_line(pts)
    if lf.dev <= cfg.merge_tol + 0.5 and not closed:
        return Prim("segment", pts, None, None, line=lf)
    cf = fit_circle(pts)
    if cf is not None and cf.dev <= cfg.merge_tol + 0.5 + 0.01 * cf.r:
        if closed or abs(sweep_deg(cf.c, pts)) >= 340:
            return Prim("circle", pts, None, None, circle=cf)
        return Prim("arc", pts, None, None, circle=cf)
    return Prim("curve", pts, None, None)


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


def _joined(p: Prim, sp: int, q: Prim, sq: int, fit: bool = False) -> np.ndarray:
    """Support of p then q, oriented so that p's end ``sp`` meets q's end ``sq``."""
    a, b = (p.fpts, q.fpts) if fit else (p.pts, q.pts)
    a = a if sp == 1 else a[::-1]
    b = b if sq == 0 else b[::-1]
    return np.vstack([a, b])


def _merge_candidate(p: Prim, sp: int, q: Prim, sq: int, node: VNode, n_ends: int, cfg: StrokeConfig, s: float,
                     width: float) -> tuple[float, Prim] | None:  # fmt: skip
    if p.dash != q.dash:
        return None
    d1, d2 = _direction(p, sp), _direction(q, sq)
    turn = math.degrees(math.acos(max(-1.0, min(1.0, float(-np.dot(d1, d2))))))
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
    if n_ends == 2 and node.kind in ("corner", "junction", "end") and turn < cfg.smooth_turn:
        long_straight = [x for x in (p, q) if x.kind == "segment" and x.length() > 25 * s]
        if len(long_straight) == 2:
            return None  # two long straight sides with a slight bend: a polyline vertex
        if len(long_straight) == 1 and "curve" not in kinds:
            return None  # a line tangent to a circle, or a side with a bent tail
        return turn + 5.0, Prim("curve", pts, na, nb, dash=p.dash, fit=fpts)
    return None


def _merge_all(prims: list[Prim], nodes: list[VNode], cfg: StrokeConfig, s: float, width: float) -> None:
    ends_by_node: dict[int, list[tuple[int, int]]] = {}
    for i, p in enumerate(prims):
        if p.alive:
            for side in (0, 1):
                nid = p.end_node(side)
                if nid is not None:
                    ends_by_node.setdefault(nid, []).append((i, side))
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


def _close_arcs(prims: list[Prim], nodes: list[VNode]) -> None:
    for p in prims:
        if p.alive and p.kind == "arc" and p.circle is not None:
            if abs(sweep_deg(p.circle.c, p.pts)) >= 352 and (p.na is None or p.na == p.nb):
                p.kind = "circle"
                p.na = p.nb = None


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
        lines = []
        for p, _ in lst:
            if p.kind == "segment" and p.line is not None and all(_angle_between(p.line.u, q.u) > 8 for q in lines):
                lines.append(p.line)
        if len(lines) >= 2:
            x = line_intersection(lines)
            if x is not None and math.dist(x, node.xy) <= reach:
                node.xy = x
                continue
        if lines:
            node.xy = lines[0].project(node.xy)
            continue
        circ = [p.circle for p, _ in lst if p.kind in ("arc", "circle") and p.circle is not None]
        if circ:
            node.xy = circ[0].project(node.xy)


def _angle_between(u: np.ndarray, v: np.ndarray) -> float:
    c = abs(float(np.dot(u, v)))
    return math.degrees(math.acos(min(1.0, c)))


def _snap_free_ends(prims: list[Prim], nodes: list[VNode], tol: float) -> None:
    """Free ends close to another node join it; close to a stroke, they move onto it (shapely)."""
    from shapely import STRtree
    from shapely.geometry import LineString, Point

    live = [p for p in prims if p.alive]
    count: dict[int, int] = {}
    for p in live:
        for nid in (p.na, p.nb):
            if nid is not None:
                count[nid] = count.get(nid, 0) + 1
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
        xy = nodes[nid].xy
        own = next(p for p in live if nid in (p.na, p.nb))
        best = None
        for o in others + [f for f in free if f != nid]:
            d = math.dist(nodes[o].xy, xy)
            if d <= tol and (best is None or d < best[0]) and o not in (own.na, own.nb):
                best = (d, o)
        if best is not None:
            side = 0 if own.na == nid else 1
            if side == 0:
                own.na = best[1]
            else:
                own.nb = best[1]
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
    """Width from the ink's depth along the stroke, colour from its darkest pixels."""
    h, w = prep.ink.shape
    pts = p.pts[:: max(1, len(p.pts) // 200)]
    xs = np.clip(pts[:, 0].astype(int), 0, w - 1)
    ys = np.clip(pts[:, 1].astype(int), 0, h - 1)
    cols = prep.rgb[ys, xs].astype(float)
    if len(cols) == 0:
        return
    lum = cols.min(axis=1)
    k = max(1, len(cols) // 3)
    dark = cols[np.argsort(lum)[:k]]
    c = np.median(dark, axis=0) / 255.0
    paper = np.asarray(prep.paper, float) / 255.0
    if c.max() - c.min() < 0.08 and c.mean() < 0.3:
        c = np.zeros(3)
    p.color = tuple(round(float(v), 3) for v in np.clip(c / np.maximum(paper, 1e-3), 0, 1))
    # width: ink pixels per unit length in a band around the path (anti-aliasing weighted)
    dsum = float(prep.dark[ys, xs].mean()) if len(ys) else 1.0
    p.width = round(max(0.5, prep.line_width * min(1.0, dsum / 0.85)), 3)
