"""Perception metrics: a perceived scene graph against the ground truth, per primitive type.

Both graphs are first put in one *canonical* form, so that two graphs that draw the same
picture compare equal however their programs were written:

* straight strokes are maximal: segments and polyline edges that are collinear and touch
  are merged (``A--B--C`` on one line is one stroke), and runs of short polyline edges
  that turn gently (a sampled function graph) become one curve;
* points are the *visible* ones: dots, and the ends of straight strokes (free ends,
  corners, T-junctions); a vertex in the middle of a straight or smooth run is not visible;
* co-circular arcs that touch are merged, and an arc sweeping 350 degrees or more is a circle;
* a small filled shape at a stroke end is an arrowhead, and the stroke's end is its tip.

Matching is one-to-one and optimal (Hungarian algorithm, :func:`hungarian`) under fixed
tolerances, given in pixels at 150 dpi and scaled by the ground truth's dpi
(:class:`Tolerances`). Scores are precision / recall / F1 per type (micro-averaged over
images), the median point localisation error, label exact match (normalised LaTeX via
:func:`img2asy.perception.latex.normalize_latex`), the font size of matched labels against
the truth's (median ratio, and the share within 15%), the grey level of segments matched as
drawn (within 0.2) and the fraction of ink the perceived
graph explains (:func:`img2asy.eval.ink.coverage`).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np

from img2asy.scene_graph.render import arc_points
from img2asy.scene_graph.schema import SceneGraph

TYPES = ("point", "segment", "circle", "arc", "curve", "region", "arrowhead", "mark", "label")


@dataclass(frozen=True)
class Tolerances:
    """Match tolerances in px at 150 dpi (scaled by dpi/150), or unitless where stated."""

    point: float = 3.0  # distance between points
    segment: float = 4.0  # larger of the two endpoint distances (either orientation)
    circle: float = 3.0  # centre distance + |radius difference|
    arc: float = 4.0  # centre+radius as circles, and both ends within this
    curve: float = 4.0  # mean symmetric distance between the sampled curves
    arrowhead: float = 4.0  # tip distance
    mark: float = 6.0  # centroid distance, same mark type
    region_iou: float = 0.5  # unitless
    label_iou: float = 0.2  # unitless; or the predicted box centre inside the true box
    collinear_deg: float = 2.0  # canonical form: pieces this parallel may merge
    collinear_px: float = 1.0  # ... when each end is this close to the other's line
    smooth_deg: float = 15.0  # canonical form: polyline joints turning less are smooth
    smooth_edge: float = 15.0  # ... when both edges are shorter than this (px)


# ----------------------------------------------------------------------------- Hungarian
def hungarian(cost: np.ndarray) -> list[tuple[int, int]]:
    """Minimum-cost one-to-one assignment of rows to columns (rectangular allowed).

    Shortest augmenting paths with potentials (Jonker-Volgenant style), O(n^2 m).
    Returns (row, col) pairs covering min(n_rows, n_cols) rows.
    """
    cost = np.asarray(cost, dtype=float)
    if cost.size == 0:
        return []
    transposed = cost.shape[0] > cost.shape[1]
    a = cost.T if transposed else cost
    n, m = a.shape
    inf = float("inf")
    u = np.zeros(n + 1)
    v = np.zeros(m + 1)
    p = np.zeros(m + 1, dtype=int)  # p[j]: row (1-based) assigned to column j; column 0 is virtual
    way = np.zeros(m + 1, dtype=int)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = np.full(m + 1, inf)
        used = np.zeros(m + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = p[j0]
            cur = a[i0 - 1] - u[i0] - v[1:]
            free = ~used[1:]
            upd = free & (cur < minv[1:])
            minv[1:][upd] = cur[upd]
            way[1:][upd] = j0
            cand = np.where(free, minv[1:], inf)
            j1 = int(cand.argmin()) + 1
            delta = cand[j1 - 1]
            u[p[used]] += delta
            v[used] -= delta
            minv[1:][free] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs = [(int(p[j]) - 1, j - 1) for j in range(1, m + 1) if p[j] != 0]
    if transposed:
        pairs = [(c, r) for r, c in pairs]
    return sorted(pairs)


def match(cost: np.ndarray, tol: float) -> list[tuple[int, int, float]]:
    """Optimal matching keeping only pairs with cost <= tol (most matches first, then least cost)."""
    if cost.size == 0:
        return []
    big = 1e6
    feasible = cost <= tol
    c = np.where(feasible, cost, big)
    return [(i, j, float(cost[i, j])) for i, j in hungarian(c) if feasible[i, j]]


# ----------------------------------------------------------------------------- canonical form
@dataclass
class Canonical:
    points: list[tuple[np.ndarray, bool]] = field(default_factory=list)  # (xy, dot)
    segments: list[tuple[np.ndarray, np.ndarray, str]] = field(default_factory=list)  # (a, b, dash)
    circles: list[tuple[np.ndarray, float]] = field(default_factory=list)
    arcs: list[tuple[np.ndarray, float, float, float]] = field(default_factory=list)  # centre, r, start, end
    curves: list[np.ndarray] = field(default_factory=list)
    regions: list = field(default_factory=list)  # shapely polygons (after union)
    arrowheads: list[np.ndarray] = field(default_factory=list)  # tips
    marks: list[tuple[str, np.ndarray]] = field(default_factory=list)
    labels: list[tuple[list[float], str, str, float | None]] = field(default_factory=list)  # bbox, latex, text, pt


def _turn(p, q, r) -> float:
    v1, v2 = np.subtract(q, p), np.subtract(r, q)
    n1, n2 = float(np.hypot(*v1)), float(np.hypot(*v2))
    if n1 < 1e-9 or n2 < 1e-9:
        return 0.0
    c = float(np.dot(v1, v2)) / (n1 * n2)
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def _chord_dev(pts: np.ndarray) -> float:
    p, q = pts[0], pts[-1]
    v = q - p
    n = float(np.hypot(*v))
    if n < 1e-9:
        return float(np.hypot(*(pts - p).T).max())
    return float((np.abs((pts[:, 0] - p[0]) * v[1] - (pts[:, 1] - p[1]) * v[0]) / n).max())


def _polyline_runs(pts: list, closed: bool, t: Tolerances, k: float) -> tuple[list[tuple], list[np.ndarray]]:
    """Split a polyline at its sharp joints: straight pieces (a, b) and smooth runs (curves)."""
    pts = [np.asarray(p, float) for p in pts]
    if closed and len(pts) > 2:
        pts = pts + [pts[0]]
    n = len(pts)
    if n < 2:
        return [], []
    smooth = [False] * n
    turns = [_turn(pts[i - 1], pts[i], pts[i + 1]) for i in range(1, n - 1)]
    sampled = n >= 8 and float(np.median(turns)) < t.smooth_deg / 2  # a plotted function, not a polygon
    for i in range(1, n - 1):
        short = max(math.dist(pts[i - 1], pts[i]), math.dist(pts[i], pts[i + 1])) <= t.smooth_edge * k
        smooth[i] = (short or sampled) and turns[i - 1] < t.smooth_deg
    segs, curves = [], []
    start = 0
    for i in range(1, n):
        if i == n - 1 or not smooth[i]:
            run = np.array(pts[start : i + 1])
            if len(run) >= 4 and _chord_dev(run) > 1.5 * k:
                curves.append(run)
            elif len(run) >= 3:
                segs.append((run[0], run[-1]))
            else:
                segs.append((run[0], run[1]))
            start = i
    return segs, curves


def _merge_collinear(segs: list[tuple[np.ndarray, np.ndarray, str]], t: Tolerances, k: float) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """Merge collinear pieces that overlap or touch, until none do."""
    segs = [(np.asarray(a, float), np.asarray(b, float), d) for a, b, d in segs if math.dist(a, b) > 0.5 * k]
    changed = True
    cos_tol = math.cos(math.radians(t.collinear_deg))
    while changed:
        changed = False
        for i in range(len(segs)):
            a1, b1, d1 = segs[i]
            u1 = (b1 - a1) / max(float(np.hypot(*(b1 - a1))), 1e-9)
            n1 = np.array([-u1[1], u1[0]])
            for j in range(i + 1, len(segs)):
                a2, b2, d2 = segs[j]
                if d1 != d2:
                    continue
                u2 = (b2 - a2) / max(float(np.hypot(*(b2 - a2))), 1e-9)
                if abs(float(np.dot(u1, u2))) < cos_tol:
                    continue
                if max(abs(float(np.dot(a2 - a1, n1))), abs(float(np.dot(b2 - a1, n1)))) > t.collinear_px * k:
                    continue
                ta = sorted([0.0, float(np.dot(b1 - a1, u1))])
                tb = sorted([float(np.dot(a2 - a1, u1)), float(np.dot(b2 - a1, u1))])
                if tb[0] > ta[1] + 1.5 * k or ta[0] > tb[1] + 1.5 * k:
                    continue
                ts = [0.0, float(np.dot(b1 - a1, u1)), tb[0], tb[1]]
                lo, hi = min(ts), max(ts)
                segs[i] = (a1 + lo * u1, a1 + hi * u1, d1)
                segs.pop(j)
                changed = True
                break
            if changed:
                break
    return segs


def _extent(pts) -> float:
    a = np.asarray(pts, float)
    return float(max(a[:, 0].max() - a[:, 0].min(), a[:, 1].max() - a[:, 1].min())) if len(a) else 0.0


def _merge_arcs(arcs: list[tuple], t: Tolerances, k: float) -> tuple[list[tuple], list[tuple]]:
    """Merge co-circular arcs that touch; near-full arcs become circles. Returns (circles, arcs)."""
    arcs = [(np.asarray(c, float), float(r), float(s), float(e)) for c, r, s, e in arcs]
    arcs = [(c, r, min(s, e), max(s, e)) for c, r, s, e in arcs]
    changed = True
    while changed:
        changed = False
        for i in range(len(arcs)):
            for j in range(i + 1, len(arcs)):
                c1, r1, s1, e1 = arcs[i]
                c2, r2, s2, e2 = arcs[j]
                if math.dist(c1, c2) + abs(r1 - r2) > t.circle * k:
                    continue
                # bring arc j's interval next to arc i's (angles modulo 360)
                for shift in (-360.0, 0.0, 360.0):
                    a, b = s2 + shift, e2 + shift
                    gap = max(a - e1, s1 - b)
                    if gap * math.pi / 180 * r1 <= 2.0 * k:
                        lo, hi = min(s1, a), max(e1, b)
                        arcs[i] = ((c1 + c2) / 2, (r1 + r2) / 2, lo, min(hi, lo + 360.0))
                        arcs.pop(j)
                        changed = True
                        break
                if changed:
                    break
            if changed:
                break
    circles = [(c, r) for c, r, s, e in arcs if e - s >= 350]
    rest = [(c, r, s, e) for c, r, s, e in arcs if e - s < 350]
    return circles, rest


def canonical(graph: SceneGraph, t: Tolerances = Tolerances()) -> Canonical:
    """The canonical form described in the module docstring (pixel frame of ``graph``)."""
    k = (graph.dpi or 150.0) / 150.0
    s = (graph.dpi or 150.0) / 72.0
    out = Canonical()
    raw_segs: list[tuple] = []
    for _, d in graph.nodes("segment"):
        raw_segs.append((d["a"], d["b"], d.get("dash", "solid")))
    for _, d in graph.nodes("polyline"):
        segs, curves = _polyline_runs(d["pts"], bool(d.get("closed")), t, k)
        raw_segs += [(a, b, d.get("dash", "solid")) for a, b in segs]
        out.curves += curves
    for _, d in graph.nodes("curve"):
        out.curves.append(np.asarray(d["pts"], float))
    # arrowheads: explicit ones, and small filled shapes (regions) at stroke ends
    heads: list[tuple[np.ndarray, np.ndarray | None]] = [(np.asarray(d["pts"], float), np.asarray(d["tip"], float))
                                                         for _, d in graph.nodes("arrowhead")]  # fmt: skip
    ends = [np.asarray(p, float) for a, b, _ in raw_segs for p in (a, b)] + [c[i] for c in out.curves for i in (0, -1)]
    for _, d in graph.nodes("region"):
        pts = np.asarray(d["pts"], float)
        if len(pts) >= 3 and _extent(pts) < 18 * s and any(_near_poly(e, pts, 2.0 * k) for e in ends):
            heads.append((pts, None))
        else:
            out.regions.append((pts, d.get("fill", [0, 0, 0])))
    segs = []
    tips: list[np.ndarray | None] = [tip for _, tip in heads]
    for a, b, dash in raw_segs:
        a, b = np.asarray(a, float), np.asarray(b, float)
        if any(_near_poly(a, hp, 1.5 * k) and _near_poly(b, hp, 1.5 * k) and math.dist(a, b) <= _extent(hp) + 1.5 * k
               for hp, _ in heads):  # fmt: skip
            continue  # the outline of an arrowhead, drawn as well as filled

        for h, (hp, tip) in enumerate(heads):
            for which in (0, 1):
                e, other = (a, b) if which == 0 else (b, a)
                if _near_poly(e, hp, 2.0 * k):
                    u = (e - other) / max(float(np.hypot(*(e - other))), 1e-9)
                    t_tip = tip if tip is not None else hp[int(np.argmax(hp @ u))]
                    tips[h] = t_tip if tips[h] is None else tips[h]
                    if which == 0:
                        a = t_tip
                    else:
                        b = t_tip
        segs.append((a, b, dash))
    for (hp, _), tip in zip(heads, tips):
        out.arrowheads.append(tip if tip is not None else _head_tip(hp, segs))
    out.regions = _union_regions(out.regions, k)
    out.segments = _merge_collinear(segs, t, k)
    circles = [(np.asarray(d["center"], float), float(d["r"])) for _, d in graph.nodes("circle")]
    arcs = [(d["center"], d["r"], d["start"], d["end"]) for _, d in graph.nodes("arc")]
    more, out.arcs = _merge_arcs(arcs, t, k)
    out.circles = circles + more
    # visible points: dots and the ends of straight strokes
    pts: list[tuple[np.ndarray, bool]] = [(np.asarray(d["xy"], float), True) for _, d in graph.nodes("point") if d.get("dot")]
    for a, b, _ in out.segments:
        for e in (a, b):
            pts.append((np.asarray(e, float), False))
    for p, dot in pts:
        hit = next((i for i, (q, _) in enumerate(out.points) if math.dist(p, q) <= 1.0 * k), None)
        if hit is None:
            out.points.append((p, dot))
        elif dot:
            out.points[hit] = (out.points[hit][0], True)
    for _, d in graph.nodes("mark"):
        out.marks.append((d["type"], np.asarray(d["pts"], float).mean(axis=0)))
    for _, d in graph.nodes("label"):
        out.labels.append((list(d["bbox"]), d.get("latex") or "", d.get("text") or "", d.get("fontsize")))
    return out


def _union_regions(regions: list[tuple[np.ndarray, list]], k: float) -> list:
    """Touching regions of one fill colour are one visible area (shapely polygons)."""
    from shapely.geometry import Polygon
    from shapely.ops import unary_union

    groups: list[tuple[np.ndarray, list]] = []
    for pts, fill in regions:
        if len(pts) < 3:
            continue
        poly = Polygon(pts).buffer(0)
        if poly.is_empty:
            continue
        f = np.asarray(fill, float)
        hit = next((g for g in groups if float(np.abs(g[0] - f).max()) < 0.08), None)
        if hit is None:
            groups.append((f, [poly]))
        else:
            hit[1].append(poly)
    out = []
    for _, polys in groups:
        u = unary_union([p.buffer(1.5 * k) for p in polys]).buffer(-1.5 * k)
        for part in getattr(u, "geoms", [u]):
            if not part.is_empty and part.area > 4 * k * k:
                out.append(part)
    return out


def _near_poly(p: np.ndarray, poly: np.ndarray, tol: float) -> bool:
    from shapely.geometry import Point, Polygon

    if len(poly) < 3:
        return False
    pg = Polygon(poly)
    if not pg.is_valid:
        pg = pg.buffer(0)
    return bool(pg.distance(Point(float(p[0]), float(p[1]))) <= tol)


def _head_tip(poly: np.ndarray, segs: list[tuple]) -> np.ndarray:
    """Tip of a filled head without one: its vertex farthest from the centroid."""
    c = poly.mean(axis=0)
    return poly[int(np.argmax(np.hypot(*(poly - c).T)))]


# ----------------------------------------------------------------------------- costs
def _cost(n: int, m: int, f: Callable[[int, int], float]) -> np.ndarray:
    c = np.empty((n, m))
    for i in range(n):
        for j in range(m):
            c[i, j] = f(i, j)
    return c


def _seg_cost(s1, s2) -> float:
    a1, b1 = s1[0], s1[1]
    a2, b2 = s2[0], s2[1]
    return min(max(math.dist(a1, a2), math.dist(b1, b2)), max(math.dist(a1, b2), math.dist(b1, a2)))


def _arc_ends(a) -> tuple[np.ndarray, np.ndarray]:
    pts = arc_points(list(a[0]), a[1], a[2], a[3])
    return np.asarray(pts[0]), np.asarray(pts[-1])


def _arc_cost(g, p) -> float:
    circ = math.dist(g[0], p[0]) + abs(g[1] - p[1])
    return max(circ, _seg_cost(_arc_ends(g), _arc_ends(p)))


def _resample(pts: np.ndarray, n: int = 40) -> np.ndarray:
    seg = np.hypot(*np.diff(pts, axis=0).T)
    s = np.r_[0, np.cumsum(seg)]
    if s[-1] <= 0:
        return np.repeat(pts[:1], n, axis=0)
    t = np.linspace(0, s[-1], n)
    return np.c_[np.interp(t, s, pts[:, 0]), np.interp(t, s, pts[:, 1])]


def _curve_cost(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = _resample(a), _resample(b)
    d = np.hypot(ra[:, None, 0] - rb[None, :, 0], ra[:, None, 1] - rb[None, :, 1])
    return float((d.min(axis=1).mean() + d.min(axis=0).mean()) / 2)


def _poly_iou(pa, pb) -> float:
    try:
        inter = pa.intersection(pb).area
        union = pa.union(pb).area
    except Exception:  # degenerate polygons
        return 0.0
    return float(inter / union) if union > 0 else 0.0


def _box_iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _label_cost(g, p) -> float:
    iou = _box_iou(g[0], p[0])
    cx, cy = (p[0][0] + p[0][2]) / 2, (p[0][1] + p[0][3]) / 2
    inside = g[0][0] <= cx <= g[0][2] and g[0][1] <= cy <= g[0][3]
    return 1.0 - iou if (iou >= 0.2 or inside) else 2.0


# ----------------------------------------------------------------------------- scores
@dataclass
class ImageScores:
    """Counts for one image: per type (tp, n_pred, n_gt), point errors, label matches, ink."""

    counts: dict[str, list[int]] = field(default_factory=dict)
    point_errors: list[float] = field(default_factory=list)
    labels_exact: int = 0
    labels_text: int = 0
    dash_ok: int = 0
    dash_n: int = 0
    ink: float | None = None
    seconds: float | None = None
    error: str | None = None
    label_misreads: list[tuple[str, str]] = field(default_factory=list)  # (truth, read) of matched labels
    font_ratios: list[float] = field(default_factory=list)  # read / true font size of matched labels
    colour_ok: int = 0  # raw segments matched end to end whose grey levels agree (within 0.2)
    colour_n: int = 0


def compare(gt: SceneGraph, pred: SceneGraph, tol: Tolerances = Tolerances()) -> ImageScores:
    """Match ``pred`` against ``gt`` (same pixel frame) and count per type."""
    from img2asy.perception.latex import normalize_latex

    k = (gt.dpi or 150.0) / 150.0
    g, p = canonical(gt, tol), canonical(pred, tol)
    sc = ImageScores()

    def put(name: str, pairs: list, n_pred: int, n_gt: int) -> None:
        sc.counts[name] = [len(pairs), n_pred, n_gt]

    pm = match(_cost(len(g.points), len(p.points), lambda i, j: math.dist(g.points[i][0], p.points[j][0])), tol.point * k)
    put("point", pm, len(p.points), len(g.points))
    sc.point_errors = [c for _, _, c in pm]
    sm = match(_cost(len(g.segments), len(p.segments), lambda i, j: _seg_cost(g.segments[i], p.segments[j])), tol.segment * k)
    put("segment", sm, len(p.segments), len(g.segments))
    for i, j, _ in sm:
        sc.dash_n += 1
        sc.dash_ok += g.segments[i][2] == p.segments[j][2]
    cm = match(_cost(len(g.circles), len(p.circles), lambda i, j: math.dist(g.circles[i][0], p.circles[j][0])
                     + abs(g.circles[i][1] - p.circles[j][1])), tol.circle * k)  # fmt: skip
    put("circle", cm, len(p.circles), len(g.circles))
    am = match(_cost(len(g.arcs), len(p.arcs), lambda i, j: _arc_cost(g.arcs[i], p.arcs[j])), tol.arc * k)
    put("arc", am, len(p.arcs), len(g.arcs))
    um = match(_cost(len(g.curves), len(p.curves), lambda i, j: _curve_cost(g.curves[i], p.curves[j])), tol.curve * k)
    put("curve", um, len(p.curves), len(g.curves))
    rm = match(_cost(len(g.regions), len(p.regions), lambda i, j: 1.0 - _poly_iou(g.regions[i], p.regions[j])), 1.0 - tol.region_iou)
    put("region", rm, len(p.regions), len(g.regions))
    hm = match(_cost(len(g.arrowheads), len(p.arrowheads), lambda i, j: math.dist(g.arrowheads[i], p.arrowheads[j])), tol.arrowhead * k)
    put("arrowhead", hm, len(p.arrowheads), len(g.arrowheads))
    mm = match(_cost(len(g.marks), len(p.marks), lambda i, j: math.dist(g.marks[i][1], p.marks[j][1])
                     if g.marks[i][0] == p.marks[j][0] else 1e9), tol.mark * k)  # fmt: skip
    put("mark", mm, len(p.marks), len(g.marks))
    sc.colour_ok, sc.colour_n = _colour_agreement(gt, pred, tol.segment * k)
    lm = match(_cost(len(g.labels), len(p.labels), lambda i, j: _label_cost(g.labels[i], p.labels[j])), 1.0)
    put("label", lm, len(p.labels), len(g.labels))
    for i, j, _ in lm:
        same = normalize_latex(g.labels[i][1]) == normalize_latex(p.labels[j][1])
        sc.labels_exact += same
        if not same:
            sc.label_misreads.append((g.labels[i][1], p.labels[j][1]))
        sc.labels_text += "".join(g.labels[i][2].split()) == "".join(p.labels[j][2].split())
        if g.labels[i][3] and p.labels[j][3]:
            sc.font_ratios.append(round(p.labels[j][3] / g.labels[i][3], 4))
    return sc


def _grey(rgb) -> float:
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def _colour_agreement(gt: SceneGraph, pred: SceneGraph, tol: float, within: float = 0.2) -> tuple[int, int]:
    """(agreeing, matched): the graphs' segment nodes as drawn (no canonical merging, which
    ignores colour) matched end to end, and how many of those pairs share a grey level."""
    gs = [(d["a"], d["b"], _grey(d.get("color") or (0, 0, 0))) for _, d in gt.nodes("segment")]
    ps = [(d["a"], d["b"], _grey(d.get("color") or (0, 0, 0))) for _, d in pred.nodes("segment")]
    pairs = match(_cost(len(gs), len(ps), lambda i, j: _seg_cost(gs[i], ps[j])), tol)
    return sum(1 for i, j, _ in pairs if abs(gs[i][2] - ps[j][2]) <= within), len(pairs)


def _prf(tp: int, n_pred: int, n_gt: int) -> dict[str, float | int]:
    prec = tp / n_pred if n_pred else (1.0 if n_gt == 0 else 0.0)
    rec = tp / n_gt if n_gt else (1.0 if n_pred == 0 else 0.0)
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "tp": tp, "pred": n_pred, "gt": n_gt}


def aggregate(scores: list[ImageScores]) -> dict[str, Any]:
    """Micro-averaged P/R/F1 per type and the summary figures over a set of images."""
    out: dict[str, Any] = {"images": len(scores), "failed": sum(1 for s in scores if s.error)}
    for t in TYPES:
        tp = sum(s.counts.get(t, [0, 0, 0])[0] for s in scores)
        npred = sum(s.counts.get(t, [0, 0, 0])[1] for s in scores)
        ngt = sum(s.counts.get(t, [0, 0, 0])[2] for s in scores)
        out[t] = _prf(tp, npred, ngt)
    errs = [e for s in scores for e in s.point_errors]
    out["point_error_median_px"] = round(statistics.median(errs), 3) if errs else None
    n_lab = sum(s.counts.get("label", [0, 0, 0])[2] for s in scores)
    out["label_latex_exact"] = round(sum(s.labels_exact for s in scores) / n_lab, 4) if n_lab else None
    out["label_text_exact"] = round(sum(s.labels_text for s in scores) / n_lab, 4) if n_lab else None
    fr = [r for s in scores for r in s.font_ratios]
    out["label_fontsize_ratio_median"] = round(statistics.median(fr), 3) if fr else None
    out["label_fontsize_within_15pct"] = round(sum(1 for r in fr if 1 / 1.15 <= r <= 1.15) / len(fr), 4) if fr else None
    cn = sum(s.colour_n for s in scores)
    out["segment_colour_accuracy"] = round(sum(s.colour_ok for s in scores) / cn, 4) if cn else None
    dn = sum(s.dash_n for s in scores)
    out["segment_dash_accuracy"] = round(sum(s.dash_ok for s in scores) / dn, 4) if dn else None
    inks = [s.ink for s in scores if s.ink is not None]
    out["ink_explained_mean"] = round(float(np.mean(inks)), 4) if inks else None
    out["ink_explained_median"] = round(float(np.median(inks)), 4) if inks else None
    secs = [s.seconds for s in scores if s.seconds is not None]
    out["seconds_median"] = round(float(np.median(secs)), 3) if secs else None
    return out


def _family_line(agg: dict[str, Any], n: int) -> dict[str, Any]:
    return {"n": n, **{t: agg[t]["f1"] for t in ("point", "segment", "circle", "label")}, "ink": agg["ink_explained_mean"]}


# ----------------------------------------------------------------------------- dataset evaluation
def evaluate_items(items, perceiver=None, tol: Tolerances = Tolerances(), degraded: bool = False,
                   progress: bool = True) -> tuple[dict[str, Any], list[dict[str, Any]]]:  # fmt: skip
    """Perceive and score dataset rows (dicts with image/annotation[/aug_*], source, family, id).

    Returns (summary, per-image records). A failing image counts with nothing perceived.
    """
    import time

    from tqdm import tqdm

    from img2asy.eval.ink import coverage
    from img2asy.perception.pipeline import Perception, PerceptionError

    perc = Perception(perceiver)
    scores: list[ImageScores] = []
    records = []
    groups: dict[str, list[ImageScores]] = {}
    for row in tqdm(items, desc="perception", disable=not progress):
        img = row["aug_image" if degraded else "image"].convert("RGB")
        gt = SceneGraph.from_json(row["aug_annotation" if degraded else "annotation"])
        t0 = time.perf_counter()
        try:
            pred = perc.perceive(img)
            secs = time.perf_counter() - t0
            sc = compare(gt, pred, tol)
            sc.seconds = secs
            sc.ink = coverage(img, pred)
        except PerceptionError as e:
            sc = compare(gt, SceneGraph(gt.width, gt.height, gt.dpi), tol)
            sc.error = str(e)
            sc.ink = 0.0
        scores.append(sc)
        groups.setdefault(row.get("family") or row.get("source") or "all", []).append(sc)
        records.append({"id": row.get("id"), "family": row.get("family"), **asdict(sc)})
    summary = aggregate(scores)
    summary["by_family"] = {f: _family_line(aggregate(s), len(s)) for f, s in sorted(groups.items())}
    return summary, records


def evaluate(data: str, split: str, limit: int | None = None, degraded: bool = False, perceiver=None,
             tol: Tolerances = Tolerances(), source: str | None = None,
             per_family: int | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:  # fmt: skip
    """Evaluate perception on one split of a built dataset (``img2asy data build``).

    ``per_family`` keeps the first N items (by id) of each family, real items counting as one
    family: a subset that still covers every family, unlike the first ``limit`` ids.
    """
    from pathlib import Path

    from img2asy.data.dataset import load

    ds = load(Path(data))
    if split not in ds:
        raise ValueError(f"split {split!r} not in {data} (have: {', '.join(ds)})")
    rows = ds[split]
    if source or per_family:  # plain index selection (no .filter: its cache can go stale)
        seen: dict[str, int] = {}
        keep = []
        for i, (src, fam) in enumerate(zip(rows["source"], rows["family"])):
            if source and src != source:
                continue
            key = fam or src
            if per_family and seen.get(key, 0) >= per_family:
                continue
            seen[key] = seen.get(key, 0) + 1
            keep.append(i)
        rows = rows.select(keep)
    if limit:
        rows = rows.select(range(min(limit, len(rows))))
    summary, records = evaluate_items(rows, perceiver, tol, degraded)
    summary.update(split=split, degraded=degraded, source=source or "all", tolerances=asdict(tol))
    return summary, records


def _num(v: float | None, digits: int) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


TABLE_TYPES = ("point", "segment", "circle", "arc", "region", "arrowhead", "mark", "label")


def markdown_table(summaries: list[dict[str, Any]]) -> str:
    """One row per evaluation summary (``img2asy eval perception --json`` files): the docs' table."""
    head = (["split", "source", "input", "images"] + [f"{t} F1" for t in TABLE_TYPES]
            + ["label exact", "font size within 15%", "point err px (median)", "ink explained", "s/image (median)"])  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summaries:
        cells = [s.get("split", "?"), s.get("source", "all"), "degraded" if s.get("degraded") else "clean", str(s["images"])]
        cells += [_num(s[t]["f1"], 3) if s.get(t, {}).get("pred") or s.get(t, {}).get("gt") else "-" for t in TABLE_TYPES]
        cells += [_num(s.get("label_latex_exact"), 3), _num(s.get("label_fontsize_within_15pct"), 3),
                  _num(s.get("point_error_median_px"), 2),
                  _num(s.get("ink_explained_mean"), 3), _num(s.get("seconds_median"), 2)]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
