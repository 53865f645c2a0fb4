"""Scene-graph assembly: vectorised primitives, blobs and read labels -> :class:`SceneGraph`.

The output follows the ground truth's conventions (:mod:`img2asy.data.annotate`): points
at stroke ends, polyline vertices and dots; ``endpoint``/``vertex``/``center``/``on``/
``labels``/``head`` relations; small strokes turned into marks by the same size rules
(the annotator's own ``_classify_marks``); coordinates in the image's pixel frame.

When many points sit on a common lattice (grid paper, coordinate planes), they are snapped
to it and the lattice is recorded as ``graph.g.graph["lattice"]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from img2asy.scene_graph.relations import relate_geometry
from img2asy.scene_graph.schema import SceneGraph, Stroke

from .strokes import Prim, Vectorised, VNode, arc_angles, colour_far, curve_points, segment_ends


@dataclass(frozen=True)
class LabelRead:
    """One text box with what OCR read in it."""

    bbox: tuple[float, float, float, float]
    text: str
    latex: str
    conf: float = 0.0
    em: float | None = None  # font size in px, measured from the ink (letter_case.measure_em)


@dataclass(frozen=True)
class AssembleConfig:
    point_merge: float = 2.0  # px at 150 dpi: points closer than this are one point
    lattice: bool = True
    lattice_tol: float = 1.2  # px at 150 dpi: max offset of a point from the lattice to snap it
    lattice_min_points: int = 6
    lattice_min_fit: float = 0.8  # share of points on the lattice
    lattice_min_step: float = 8.0  # px at 150 dpi
    polylines: bool = True


def _r(v):
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_r(x) for x in v]
    return round(float(v), 2)


# ----------------------------------------------------------------------------- lattice
def _axis_lattice(vals: np.ndarray, tol: float, min_step: float) -> tuple[float, float, float] | None:
    """(offset, step, fit) of the best 1-D lattice through ``vals`` (None without evidence)."""
    u = np.unique(np.round(vals, 1))
    if len(u) < 3:
        return None
    diffs = np.diff(np.sort(u))
    diffs = diffs[diffs >= min_step]
    if len(diffs) == 0:
        return None
    best = None
    for step in np.unique(np.round(diffs, 0)):
        # refine the step on the differences close to it (and to its multiples)
        k = np.round(diffs / step)
        ok = (k >= 1) & (np.abs(diffs - k * step) <= tol)
        if ok.sum() < 2:
            continue
        step = float((diffs[ok] / k[ok]).mean())
        if step < min_step:
            continue
        phase = np.angle(np.exp(2j * np.pi * vals / step).mean()) / (2 * np.pi) * step
        off = (vals - phase) - np.round((vals - phase) / step) * step
        fit = float((np.abs(off) <= tol).mean())
        cells = len(np.unique(np.round((vals - phase) / step)))
        if cells < 3:
            continue
        if best is None or fit > best[2] + 1e-6 or (abs(fit - best[2]) <= 1e-6 and step > best[1]):
            best = (float(phase), step, fit)
    return best


def find_lattice(xy: np.ndarray, tol: float, min_points: int, min_fit: float, min_step: float) -> dict | None:
    """A lattice (origin, step) that most points sit on, or None."""
    if len(xy) < min_points:
        return None
    lx = _axis_lattice(xy[:, 0], tol, min_step)
    ly = _axis_lattice(xy[:, 1], tol, min_step)
    if lx is None or ly is None:
        return None
    on = (np.abs(_lattice_off(xy[:, 0], lx[0], lx[1])) <= tol) & (np.abs(_lattice_off(xy[:, 1], ly[0], ly[1])) <= tol)
    fit = float(on.mean())
    if fit < min_fit or on.sum() < min_points:
        return None
    return {"origin": [round(lx[0], 3), round(ly[0], 3)], "step": [round(lx[1], 3), round(ly[1], 3)], "fit": round(fit, 3)}


def _lattice_off(v: np.ndarray, phase: float, step: float) -> np.ndarray:
    return (v - phase) - np.round((v - phase) / step) * step


def snap_to_lattice(nodes: list[VNode], ids: list[int], lat: dict, tol: float) -> int:
    (ox, oy), (sx, sy) = lat["origin"], lat["step"]
    n = 0
    for i in ids:
        x, y = nodes[i].xy
        dx, dy = _lattice_off(np.array([x]), ox, sx)[0], _lattice_off(np.array([y]), oy, sy)[0]
        if abs(dx) <= tol and abs(dy) <= tol:
            nodes[i].xy = np.array([x - dx, y - dy])
            n += 1
    return n


# ----------------------------------------------------------------------------- assembly
def _stroke(p: Prim) -> Stroke:
    return Stroke(float(p.width), tuple(float(c) for c in p.color), p.dash)


def _median_pen(prims: list[Prim]) -> Prim:
    """The piece whose colour is the length-weighted median of a polyline's pieces (one pen drew
    it; a thin grey line's colour reads lighter or darker with its pixel phase, piece by piece)."""
    ranked = sorted(prims, key=lambda p: float(np.dot(p.color, (0.299, 0.587, 0.114))))
    half, run = 0.5 * sum(p.length() for p in ranked), 0.0
    for p in ranked:
        run += p.length()
        if run >= half:
            return p
    return ranked[-1]


def _point_nodes(vec: Vectorised) -> list[int]:
    used = set()
    for p in vec.prims:
        for nid in (p.na, p.nb):
            if nid is not None:
                used.add(nid)
    used |= {i for i, n in enumerate(vec.nodes) if n.kind == "dot"}
    return sorted(used)


def _polyline_chains(vec: Vectorised, ends: dict[int, list[tuple[int, int]]]) -> list[tuple[list[int], list[int], bool]]:
    """Runs of segments joined at nodes where exactly two segments (and nothing else) meet.

    Returns (segment indices in order, node ids in order, closed).
    """
    prims = vec.prims
    segs = {i for i, p in enumerate(prims) if p.kind == "segment" and p.na is not None and p.nb is not None}

    def joint(nid: int) -> bool:  # one pen: a grid line ending where a red line does is not its polyline
        e = ends.get(nid, [])
        return len(e) == 2 and all(i in segs for i, _ in e) and e[0][0] != e[1][0] and \
            prims[e[0][0]].dash == prims[e[1][0]].dash and not colour_far(prims[e[0][0]].color, prims[e[1][0]].color)  # fmt: skip

    seen: set[int] = set()
    out = []
    for start in sorted(segs):
        if start in seen:
            continue
        p = prims[start]
        # walk backwards to a non-joint end (or around a loop)
        cur, entry = start, p.na
        guard = 0
        while joint(entry) and guard < len(prims):
            other = next(i for i, _ in ends[entry] if i != cur)
            if other == start:
                break
            q = prims[other]
            entry = q.na if q.nb == entry else q.nb
            cur = other
            guard += 1
        first, n0 = cur, entry
        order, nodes_ = [first], [n0]
        seen.add(first)
        q = prims[first]
        nxt_node = q.nb if q.na == n0 else q.na
        closed = False
        while True:
            nodes_.append(nxt_node)
            if not joint(nxt_node):
                break
            other = next(i for i, _ in ends[nxt_node] if i != order[-1])
            if other == first:
                closed = True
                nodes_.pop()
                break
            if other in seen:
                break
            order.append(other)
            seen.add(other)
            q = prims[other]
            nxt_node = q.nb if q.na == nxt_node else q.na
        out.append((order, nodes_, closed))
    return out


def assemble(vec: Vectorised, labels: list[LabelRead], width: int, height: int, dpi: float | None,
             cfg: AssembleConfig = AssembleConfig()) -> SceneGraph:  # fmt: skip
    """Build the scene graph of one image."""
    from img2asy.data.annotate import _classify_marks

    dpi_eff = dpi or 150.0
    k = dpi_eff / 150.0
    s = dpi_eff / 72.0
    graph = SceneGraph(width, height, dpi)
    nodes = vec.nodes
    pids = _point_nodes(vec)
    # merge near-coincident point nodes
    rep: dict[int, int] = {}
    kept: list[int] = []
    tol = cfg.point_merge * k
    for nid in pids:
        hit = next((m for m in kept if math.dist(nodes[m].xy, nodes[nid].xy) <= tol), None)
        if hit is None:
            kept.append(nid)
            rep[nid] = nid
        else:
            rep[nid] = hit
            if nodes[nid].kind == "dot" and nodes[hit].kind != "dot":
                nodes[hit].kind, nodes[hit].ref, nodes[hit].xy = "dot", nodes[nid].ref, nodes[nid].xy
    for p in vec.prims:
        p.na = rep.get(p.na, p.na) if p.na is not None else None
        p.nb = rep.get(p.nb, p.nb) if p.nb is not None else None
    if cfg.lattice:
        xy = np.array([nodes[i].xy for i in kept]) if kept else np.zeros((0, 2))
        lat = find_lattice(xy, cfg.lattice_tol * k, cfg.lattice_min_points, cfg.lattice_min_fit, cfg.lattice_min_step * k)
        if lat is not None:
            lat["snapped"] = snap_to_lattice(nodes, kept, lat, cfg.lattice_tol * k)
            graph.g.graph["lattice"] = lat
    point_id: dict[int, str] = {}
    for nid in kept:
        n = nodes[nid]
        attrs = {"xy": _r(n.xy), "dot": n.kind == "dot"}
        if n.kind == "dot":
            d = vec.dots[n.ref]
            attrs.update(radius=round(d.r, 2), color=list(d.color))
        point_id[nid] = graph.add("point", **attrs)

    ends: dict[int, list[tuple[int, int]]] = {}
    for i, p in enumerate(vec.prims):
        for side, nid in ((0, p.na), (1, p.nb)):
            if nid is not None:
                ends.setdefault(nid, []).append((i, side))
    prim_node: dict[int, str] = {}
    done: set[int] = set()
    if cfg.polylines:
        for order, nids, closed in _polyline_chains(vec, ends):
            if len(order) < 2:
                continue
            p0 = _median_pen([vec.prims[i] for i in order])
            pts = [_r(nodes[n].xy) for n in nids]
            gid = graph.add("polyline", _stroke(p0), pts=pts, closed=closed)
            for n in nids:
                if (gid, point_id[n]) not in graph.g.edges:
                    graph.relate(gid, point_id[n], "vertex")
            for i in order:
                prim_node[i] = gid
                done.add(i)
    for i, p in enumerate(vec.prims):
        if i in done:
            continue
        gid = _add_prim(graph, p, nodes, point_id)
        if gid is not None:
            prim_node[i] = gid
    for reg in vec.regions:
        holes = {"subpaths": [_r(reg.pts)] + [_r(h) for h in reg.holes], "rule": "evenodd"} if reg.holes else {}
        graph.add("region", pts=_r(reg.pts), fill=list(reg.fill), closed=True, **holes)
    for hk, hd in enumerate(vec.heads):
        if hd.wedge:
            continue
        owner = next((i for i, p in enumerate(vec.prims) if any(
            nid is not None and nodes[nid].kind == "head" and nodes[nid].ref == hk for nid in (p.na, p.nb))), None)  # fmt: skip
        if owner is not None and hd.tip is not None and owner in prim_node:
            hid = graph.add("arrowhead", pts=_r(hd.pts + [hd.pts[0]]), tip=_r(hd.tip))
            graph.relate(hid, prim_node[owner], "head")
        else:
            graph.add("region", pts=_r(hd.pts), fill=list(hd.color), closed=True)
    _classify_marks(graph, s)
    for lab in labels:
        graph.add("label", bbox=_r(lab.bbox), text=lab.text, latex=lab.latex,
                  fontsize=_fontsize(lab, dpi_eff), angle=0.0)  # fmt: skip
    relate_geometry(graph, max(1.0, 1.5 * s / 2.08))
    return graph


def _fontsize(lab: LabelRead, dpi: float, box_em: float = 0.95) -> float:
    """Font size (pt): the em measured from the label's ink when there is one, else from its
    box, which is about ``box_em`` em tall (the median for single capitals on real train: the
    box is padded beyond the 0.683 em of a capital's ink)."""
    em_px = lab.em if lab.em else (lab.bbox[3] - lab.bbox[1]) / box_em
    return round(min(36.0, max(4.0, em_px * 72.0 / dpi)), 1)


def _add_prim(graph: SceneGraph, p: Prim, nodes: list[VNode], point_id: dict[int, str]) -> str | None:
    st = _stroke(p)
    if p.kind == "segment":
        a, b = segment_ends(p, nodes)
        if math.dist(a, b) < 0.5:
            return None
        gid = graph.add("segment", st, a=_r(a), b=_r(b))
        for nid in (p.na, p.nb):
            if nid is not None and nid in point_id:
                graph.relate(gid, point_id[nid], "endpoint")
        return gid
    if p.kind == "circle" and p.circle is not None:
        return graph.add("circle", st, center=_r(p.circle.c), r=round(p.circle.r, 2))
    if p.kind == "arc" and p.circle is not None:
        start, end = arc_angles(p, nodes)
        return graph.add("arc", st, center=_r(p.circle.c), r=round(p.circle.r, 2), start=round(start, 2), end=round(end, 2))
    pts = curve_points(p, nodes)
    if len(pts) < 2:
        return None
    closed = p.na is None and p.nb is None and math.dist(pts[0], pts[-1]) < 3
    return graph.add("curve", st, pts=_r(pts), closed=closed)

