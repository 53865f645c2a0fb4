"""Ground-truth scene graphs from Asymptote's vector output.

The compiled PDF is read with pdfplumber (MIT licence; chosen over AGPL PyMuPDF so the
product can ship it). Every path becomes a primitive in the pixel frame of the PNG rendered
at ``dpi``: dots, segments, polylines, circles, arcs, curves, filled regions, arrowheads and
small marks (right angles, ticks, angle arcs). Glyphs are grouped into labels by aligning
them with the label strings asy typeset (see :mod:`.texlabels`). Nothing is dropped: a path
that fits no specific kind stays a generic polyline or curve, so coverage can be measured.
"""

from __future__ import annotations

import difflib
import io
import math
from dataclasses import dataclass, field

import numpy as np
import pdfplumber

from img2asy.scene_graph.relations import box_gap, relate_geometry
from img2asy.scene_graph.schema import SceneGraph, Stroke

from .texlabels import TexLabel, parse_tex_labels, visible_glyphs

Pt = tuple[float, float]


@dataclass
class _Piece:
    """A run of one subpath: straight ('l') or curved ('c'), with its sampled points."""

    curved: bool
    pts: list[Pt]


@dataclass
class _Path:
    pieces: list[list[_Piece]]  # per subpath
    closed: list[bool]
    stroke: bool
    fill: bool
    width: float  # px
    stroke_color: tuple[float, float, float]
    fill_color: tuple[float, float, float]
    dash: str
    key: tuple = field(default=())
    evenodd: bool = False

    def all_pts(self) -> list[Pt]:
        return [p for sub in self.pieces for pc in sub for p in pc.pts]

    def subpath_pts(self) -> list[list[Pt]]:
        return [[p for pc in sub for p in pc.pts] for sub in self.pieces]


def _rgb(c) -> tuple[float, float, float]:
    if c is None:
        return (0.0, 0.0, 0.0)
    if isinstance(c, (int, float)):
        return (float(c),) * 3
    try:
        c = tuple(float(v) for v in c)
    except (TypeError, ValueError):  # a pattern fill (hatching) names its pattern: call it mid-gray
        return (0.5, 0.5, 0.5)
    if len(c) == 1:
        return c * 3
    if len(c) == 3:
        return c
    if len(c) == 4:  # CMYK
        k = c[3]
        return tuple((1 - v) * (1 - k) for v in c[:3])
    return (0.0, 0.0, 0.0)


def _dash(d, width_pt: float) -> str:
    if not d or not d[0]:
        return "solid"
    on = [v for i, v in enumerate(d[0]) if i % 2 == 0]
    return "dotted" if on and max(on) <= 1e-3 + 0.01 * max(d[0]) else "dashed"


def _bezier(p0: Pt, p1: Pt, p2: Pt, p3: Pt, n: int) -> list[Pt]:
    out = []
    for i in range(1, n + 1):
        t = i / n
        u = 1 - t
        out.append((
            u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
            u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
        ))  # fmt: skip
    return out


def _parse_path(obj: dict, s: float) -> _Path | None:
    ops = obj.get("path") or []
    if not ops and obj.get("pts"):  # rectangles ('re') come as corner points only
        pts = obj["pts"]
        ops = [("m", pts[0])] + [("l", p) for p in pts[1:]] + [("h",)]
    subs: list[list[_Piece]] = []
    closed: list[bool] = []
    cur: Pt | None = None
    start: Pt | None = None
    for op in ops:
        kind = op[0]
        if kind == "m":
            cur = start = (op[1][0] * s, op[1][1] * s)
            subs.append([])
            closed.append(False)
        elif kind in ("l", "c", "v", "y") and cur is not None:
            if kind == "l":
                nxt = (op[1][0] * s, op[1][1] * s)
                pts, curved = [nxt], False
            else:
                ctrl = [(q[0] * s, q[1] * s) for q in op[1:]]
                if kind == "v":
                    ctrl = [cur] + ctrl
                elif kind == "y":
                    ctrl = ctrl + [ctrl[-1]]
                nxt = ctrl[-1]
                seg_len = math.dist(cur, ctrl[0]) + math.dist(ctrl[0], ctrl[1]) + math.dist(ctrl[1], nxt)
                pts, curved = _bezier(cur, ctrl[0], ctrl[1], nxt, max(4, min(48, int(seg_len / 3)))), True
            sub = subs[-1]
            if sub and sub[-1].curved == curved:
                sub[-1].pts.extend(pts)
            else:
                sub.append(_Piece(curved, [cur] + pts))
            cur = nxt
        elif kind == "h" and subs:
            closed[-1] = True
            if cur is not None and start is not None and math.dist(cur, start) > 1e-6:
                subs[-1].append(_Piece(False, [cur, start]))
            cur = start
    if not subs:
        return None
    w = float(obj.get("linewidth") or 0.0) * s
    return _Path(
        subs, closed, bool(obj.get("stroke")), bool(obj.get("fill")), w,
        _rgb(obj.get("stroking_color")), _rgb(obj.get("non_stroking_color")),
        _dash(obj.get("dash"), w), key=tuple(map(tuple, [op[1] if len(op) > 1 else () for op in ops])),
        evenodd=bool(obj.get("evenodd")),
    )  # fmt: skip


def fit_circle(pts: list[Pt]) -> tuple[float, float, float, float]:
    """Least-squares circle (cx, cy, r) and the worst radial residual."""
    a = np.asarray(pts, dtype=float)
    A = np.c_[2 * a, np.ones(len(a))]
    b = (a**2).sum(1)
    (cx, cy, c), *_ = np.linalg.lstsq(A, b, rcond=None)
    r = math.sqrt(max(c + cx * cx + cy * cy, 0.0))
    resid = float(np.abs(np.hypot(a[:, 0] - cx, a[:, 1] - cy) - r).max())
    return float(cx), float(cy), r, resid


def _angle(c: Pt, p: Pt) -> float:
    """Angle of p about c in degrees, counter-clockwise with y up."""
    return math.degrees(math.atan2(-(p[1] - c[1]), p[0] - c[0]))


def _classify_curve(pts: list[Pt], closed: bool) -> tuple[str, dict]:
    """circle / arc / curve for a run of Bezier points."""
    ext = max(max(p[0] for p in pts) - min(p[0] for p in pts), max(p[1] for p in pts) - min(p[1] for p in pts))
    if len(pts) >= 5 and ext > 0.5:
        cx, cy, r, resid = fit_circle(pts)
        if r > 0 and resid <= max(0.35, 0.01 * r) and r < 1e5:
            if closed and math.dist(pts[0], pts[-1]) < 0.5:
                return "circle", {"center": [cx, cy], "r": r}
            sweep = 0.0
            for p, q in zip(pts, pts[1:]):
                d = _angle((cx, cy), q) - _angle((cx, cy), p)
                sweep += (d + 180) % 360 - 180
            start = _angle((cx, cy), pts[0])
            if abs(sweep) >= 359.5:
                return "circle", {"center": [cx, cy], "r": r}
            return "arc", {"center": [cx, cy], "r": r, "start": start, "end": start + sweep}
    return "curve", {"pts": [list(p) for p in pts], "closed": closed}


def _r(v):
    if isinstance(v, (list, tuple)):
        return [_r(x) for x in v]
    return round(float(v), 2) if isinstance(v, float) else v


class _Builder:
    """Accumulates nodes; merges points that coincide within ``tol`` pixels."""

    def __init__(self, graph: SceneGraph, tol: float):
        self.g = graph
        self.tol = tol
        self.points: list[tuple[str, Pt]] = []
        self.z: int | None = None  # paint order of the path being added

    def point(self, xy: Pt, **attrs) -> str:
        for pid, q in self.points:
            if math.dist(q, xy) <= self.tol and pid in self.g.g:
                node = self.g.g.nodes[pid]
                for k, v in attrs.items():
                    if v and not node.get(k):
                        node[k] = _r(v)
                return pid
        pid = self.g.add("point", xy=_r(list(xy)), dot=bool(attrs.pop("dot", False)), **{k: _r(v) for k, v in attrs.items()})
        self.points.append((pid, xy))
        return pid

    def add(self, kind: str, stroke: Stroke | None = None, **attrs) -> str:
        if self.z is not None and kind != "label":
            attrs.setdefault("z", self.z)
        return self.g.add(kind, stroke=stroke, **{k: _r(v) for k, v in attrs.items()})


def _is_dot(path: _Path) -> float | None:
    """Radius (px) when the path draws a dot: a zero-length round-capped stroke or a small filled circle."""
    pts = path.all_pts()
    ext = max(math.dist(pts[0], p) for p in pts)
    if path.stroke and not path.fill and ext < 1e-3:
        return path.width / 2
    if path.fill and len(pts) >= 5:
        cx, cy, r, resid = fit_circle(pts)
        if r < 6.0 and resid < max(0.3, 0.05 * r) and all(pc.curved for sub in path.pieces for pc in sub):
            return r
    return None


def _arrowhead_tip(pts: list[Pt]) -> Pt | None:
    """The tip of a small filled arrow shape: the vertex opposite its shortest side."""
    uniq: list[Pt] = []
    for p in pts:
        if all(math.dist(p, q) > 1e-3 for q in uniq):
            uniq.append(p)
    if not 3 <= len(uniq) <= 6:
        return None
    cen = (sum(p[0] for p in uniq) / len(uniq), sum(p[1] for p in uniq) / len(uniq))
    return max(uniq, key=lambda p: math.dist(p, cen))


def _stroke_of(path: _Path) -> Stroke:
    return Stroke(max(path.width, 0.5), path.stroke_color, path.dash)


def annotate(pdf: bytes, tex: str | None, dpi: float = 150, size: tuple[int, int] | None = None) -> SceneGraph:
    """The ground-truth scene graph of a compiled program, in pixels of its ``dpi`` render."""
    s = dpi / 72.0
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        w, h = size or (math.ceil(page.width * s - 1e-6), math.ceil(page.height * s - 1e-6))
        graph = SceneGraph(w, h, dpi)
        b = _Builder(graph, tol=max(1.0, 1.5 * s / 2.08))
        ordered = [o for o in page.iter_layout_objects(page.layout._objs)]  # paint order across types
        objs = [o for o in ordered if o["object_type"] in ("line", "curve", "rect")]
        paths = [p for p in (_parse_path(o, s) for o in objs) if p is not None]
        chars = [o for o in ordered if o["object_type"] == "char"]
        rules = [o for o in ordered if o["object_type"] == "image"]
    fill_keys = {p.key for p in paths if p.fill}
    stroke_ends: list[tuple[str, Pt, Pt]] = []  # (node, end point, the point before it)
    heads: list[tuple[str, Pt]] = []
    for z, path in enumerate(paths):
        b.z = z
        r = _is_dot(path)
        if r is not None:
            pts = path.all_pts()
            cen = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
            col = path.fill_color if path.fill else path.stroke_color
            b.point(cen, dot=True, radius=r, color=list(col))
            continue
        if path.fill:
            pts = path.all_pts()
            ext = max(max(p[0] for p in pts) - min(p[0] for p in pts), max(p[1] for p in pts) - min(p[1] for p in pts))
            tip = _arrowhead_tip(pts) if ext < 9 * s else None
            if tip is not None:
                heads.append((pts, tip, path.fill_color))
            else:
                _add_region(b, path)
        if not path.stroke:
            continue
        if path.key in fill_keys and not path.fill:
            # The outline of a filled shape drawn again (filldraw, arrowheads): keep outlines of regions only.
            pts = path.all_pts()
            ext = max(max(p[0] for p in pts) - min(p[0] for p in pts), max(p[1] for p in pts) - min(p[1] for p in pts))
            if ext < 9 * s and _arrowhead_tip(pts) is not None:
                continue
        _add_strokes(b, path, stroke_ends)
    _classify_marks(graph, s)
    live_ends = [e for e in stroke_ends if e[0] in graph.g]  # marks replaced some strokes
    for pts, tip, color in heads:  # a small filled shape is an arrowhead only where a stroke ends
        best = _shaft(live_ends, pts, tip, 12 * s)
        if best is not None:
            graph.relate(b.add("arrowhead", pts=[list(p) for p in pts], tip=list(tip)), best, "head")
        else:
            b.add("region", pts=[list(p) for p in pts], fill=list(color), closed=True)
    _add_labels(b, chars, rules, parse_tex_labels(tex), s)
    relate_geometry(graph, b.tol)
    return graph


def _shaft(ends: list[tuple[str, Pt, Pt]], head: list[Pt], tip: Pt, reach: float) -> str | None:
    """The stroke an arrowhead finishes: an end near the tip whose direction runs along the head.

    Nearest-end alone picks a line that merely passes the tip over the head's own (shortened)
    shaft, so ends pointing the head's way win over nearer ones that do not.
    """
    cx, cy = sum(p[0] for p in head) / len(head), sum(p[1] for p in head) / len(head)
    axis = (tip[0] - cx, tip[1] - cy)
    na = math.hypot(*axis) or 1.0
    best, best_score = None, float("inf")
    for nid, end, prev in ends:
        d = math.dist(end, tip)
        if d >= reach:
            continue
        t = (end[0] - prev[0], end[1] - prev[1])
        cos = (t[0] * axis[0] + t[1] * axis[1]) / ((math.hypot(*t) or 1.0) * na)
        score = d + (0.0 if cos > 0.7 else reach)
        if score < best_score:
            best, best_score = nid, score
    return best


def _add_region(b: _Builder, path: _Path) -> str:
    """A filled area; several subpaths (holes, rings) and the fill rule are kept for exact coverage."""
    subs = [sp for sp in path.subpath_pts() if len(sp) >= 3]
    attrs = {"pts": [list(p) for p in subs[0]], "fill": list(path.fill_color), "closed": True,
             "rule": "evenodd" if path.evenodd else "nonzero"}  # fmt: skip
    if len(subs) > 1:
        attrs["subpaths"] = [[list(p) for p in sp] for sp in subs]
    return b.add("region", **attrs)


def _add_strokes(b: _Builder, path: _Path, ends: list[tuple[str, Pt, Pt]]) -> None:
    st = _stroke_of(path)
    for sub, closed in zip(path.pieces, path.closed):
        if all(not pc.curved for pc in sub):
            pts = [sub[0].pts[0]] + [p for pc in sub for p in pc.pts[1:]]
            if len(pts) == 2 or (len(pts) == 3 and closed and math.dist(pts[0], pts[2]) < 1e-3):
                nid = b.add("segment", st, a=list(pts[0]), b=list(pts[1]))
                for p in pts[:2]:
                    b.g.relate(nid, b.point(p), "endpoint")
                ends += [(nid, pts[0], pts[1]), (nid, pts[1], pts[0])]
            else:
                if closed and math.dist(pts[0], pts[-1]) < 1e-3:
                    pts = pts[:-1]
                nid = b.add("polyline", st, pts=[list(p) for p in pts], closed=closed)
                for p in pts:
                    b.g.relate(nid, b.point(p), "vertex")
                ends += [(nid, pts[0], pts[1]), (nid, pts[-1], pts[-2])]
            continue
        whole_curve = len(sub) == 1
        for pc in sub:
            if pc.curved:
                kind, attrs = _classify_curve(pc.pts, closed and whole_curve)
                nid = b.add(kind, st, **attrs)
                ends += [(nid, pc.pts[0], pc.pts[1]), (nid, pc.pts[-1], pc.pts[-2])]
            else:
                for p, q in zip(pc.pts, pc.pts[1:]):
                    if math.dist(p, q) < 1e-3:
                        continue
                    nid = b.add("segment", st, a=list(p), b=list(q))
                    b.g.relate(nid, b.point(p), "endpoint")
                    b.g.relate(nid, b.point(q), "endpoint")
                    ends += [(nid, p, q), (nid, q, p)]


def _classify_marks(graph: SceneGraph, s: float) -> None:
    """Relabel small strokes as marks: right-angle squares, congruence ticks, angle arcs."""
    small = 9 * s  # about 9 bp: marks are drawn a few points long
    segs = [(n, d) for n, d in graph.nodes("segment")]
    ends = [tuple(d[k]) for _, d in segs for k in ("a", "b")] + [
        tuple(p) for _, d in graph.nodes("polyline") for p in d["pts"]
    ]
    sides = [(d["a"], d["b"]) for _, d in segs] + [
        (p, q)
        for _, d in graph.nodes("polyline")
        for p, q in zip(d["pts"], d["pts"][1:] + (d["pts"][:1] if d["closed"] else []))
    ]
    long_segs = [(p, q) for p, q in sides if math.dist(p, q) > 2 * small]  # (marks are shorter)
    squares = [d["pts"] for _, d in graph.nodes("polyline") if d["closed"] and len(d["pts"]) == 4]
    for n, d in list(graph.nodes("polyline")):
        pts = d["pts"]
        if len(pts) == 3 and not d["closed"]:
            l1, l2 = math.dist(pts[0], pts[1]), math.dist(pts[1], pts[2])
            if max(l1, l2) < small * 1.5 and abs(_cos_at(*pts)) < 0.1:
                _to_mark(graph, n, "right_angle", pts)
        elif len(pts) == 4 and d["closed"] and (k := _square_at_vertex(pts, long_segs, small * 1.5, squares)) is not None:
            _to_mark(graph, n, "right_angle", [pts[(k + 1) % 4], pts[(k + 2) % 4], pts[(k + 3) % 4]])
    for n, d in segs:
        a, bb = d["a"], d["b"]
        ln = math.dist(a, bb)
        if ln >= small or ln < 1e-6:
            continue
        mid = ((a[0] + bb[0]) / 2, (a[1] + bb[1]) / 2)
        for p, q in long_segs:
            lq = math.dist(p, q)
            t = ((mid[0] - p[0]) * (q[0] - p[0]) + (mid[1] - p[1]) * (q[1] - p[1])) / (lq * lq)
            if not 0.0 < t < 1.0:
                continue
            foot = (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))
            cos = ((bb[0] - a[0]) * (q[0] - p[0]) + (bb[1] - a[1]) * (q[1] - p[1])) / (ln * lq)
            if math.dist(foot, mid) < 0.25 * ln + 1 and abs(cos) < 0.35:
                _to_mark(graph, n, "tick", [a, bb])
                break
    for n, d in list(graph.nodes("arc")):
        if d["r"] < 2.5 * small and any(math.dist(e, d["center"]) < 2.0 * s for e in ends):
            from img2asy.scene_graph.render import arc_points

            _to_mark(graph, n, "angle_arc", [list(p) for p in arc_points(d["center"], d["r"], d["start"], d["end"])])


def _cos_at(a, b, c) -> float:
    """Cosine of the angle a-b-c at ``b``."""
    v1, v2 = (a[0] - b[0], a[1] - b[1]), (c[0] - b[0], c[1] - b[1])
    return (v1[0] * v2[0] + v1[1] * v2[1]) / max(math.hypot(*v1) * math.hypot(*v2), 1e-9)


def _square_at_vertex(pts: list, long_sides: list, small: float, squares: list) -> int | None:
    """The corner of a small closed square whose two sides there run along longer sides of the
    figure that end at or pass through that corner (a right-angle mark drawn as a whole square,
    ``draw(A--A+(0.5,0)--A+(0.5,0.5)--A+(0,0.5)--cycle)``), or None. A square that shares a
    corner with another of ``squares`` (the corners of every closed 4-point path) is a cell of
    a grid, not a mark. The mark is its other two sides."""
    if any(math.dist(p, q) < 1.0 for p in pts for sq in squares if sq is not pts for q in sq):
        return None
    sides = [math.dist(pts[i], pts[(i + 1) % 4]) for i in range(4)]
    if max(sides) >= small or min(sides) < 0.5 * max(sides):
        return None
    if any(abs(_cos_at(pts[i - 1], pts[i], pts[(i + 1) % 4])) > 0.1 for i in range(4)):
        return None

    def along(corner, other) -> bool:  # a long side runs from (or through) ``corner`` towards ``other``
        u = ((other[0] - corner[0]) / math.dist(corner, other), (other[1] - corner[1]) / math.dist(corner, other))
        for p, q in long_sides:
            lq = math.dist(p, q)
            v = ((q[0] - p[0]) / lq, (q[1] - p[1]) / lq)
            t = (corner[0] - p[0]) * v[0] + (corner[1] - p[1]) * v[1]
            off = abs((corner[0] - p[0]) * v[1] - (corner[1] - p[1]) * v[0])
            if off < 1.0 and -1.0 < t < lq + 1.0 and abs(u[0] * v[0] + u[1] * v[1]) > 0.996:
                ahead = lq - t if u[0] * v[0] + u[1] * v[1] > 0 else t  # the side goes on past ``other``
                if ahead >= math.dist(corner, other) - 1.0:
                    return True
        return False

    for k, p in enumerate(pts):
        if along(p, pts[(k + 1) % 4]) and along(p, pts[k - 1]):
            return k
    return None


def _to_mark(graph: SceneGraph, n: str, mtype: str, pts) -> None:
    d = dict(graph.g.nodes[n])
    ends = list(graph.g.successors(n))
    graph.g.remove_node(n)
    for p in ends:  # marks do not make points: drop the ones only this stroke made
        if graph.g.degree(p) == 0 and not graph.g.nodes[p].get("dot"):
            graph.g.remove_node(p)
    stroke = Stroke(d["width"], tuple(d["color"]), d["dash"])
    graph.add("mark", stroke, type=mtype, pts=_r([list(p) for p in pts]))


def _char_box(c: dict, s: float) -> list[float]:
    return [c["x0"] * s, c["top"] * s, c["x1"] * s, c["bottom"] * s]


def _union(boxes: list[list[float]]) -> list[float]:
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


def assign_glyphs(glyphs: list[str], labels: list[TexLabel]) -> list[int | None]:
    """Owner label index of each glyph (content order), by aligning expected and drawn glyphs."""
    expected: list[str] = []
    owner: list[int] = []
    for i, lab in enumerate(labels):
        for ch in visible_glyphs(lab.latex):
            expected.append(ch)
            owner.append(i)
    out: list[int | None] = [None] * len(glyphs)
    sm = difflib.SequenceMatcher(None, expected, glyphs, autojunk=False)
    for blk in sm.get_matching_blocks():
        for k in range(blk.size):
            out[blk.b + k] = owner[blk.a + k]
    # Unmatched glyphs sit between matched ones in content order: give them the owner on
    # the side that is not yet finished, preferring the previous label (TeX emits in order).
    for i, o in enumerate(out):
        if o is None:
            prev = next((out[j] for j in range(i - 1, -1, -1) if out[j] is not None), None)
            nxt = next((out[j] for j in range(i + 1, len(out)) if out[j] is not None), None)
            out[i] = prev if prev is not None else nxt
    return out


def _add_labels(b: _Builder, chars: list[dict], rules: list[dict], labels: list[TexLabel], s: float) -> None:
    if not chars and not rules:
        return
    glyphs = [c["text"] for c in chars]
    owners = assign_glyphs(glyphs, labels) if labels else [None] * len(chars)
    groups: dict[int, list[int]] = {}
    for i, o in enumerate(owners):
        groups.setdefault(o if o is not None else -1 - i, []).append(i)
    boxes: dict[int, list[float]] = {k: _union([_char_box(chars[i], s) for i in idx]) for k, idx in groups.items()}
    for r in rules:  # TeX rules (fraction bars, radical overlines) are 1x1 image masks
        rb = [r["x0"] * s, r["top"] * s, r["x1"] * s, r["bottom"] * s]
        near = min(boxes, key=lambda k: box_gap(boxes[k], rb), default=None)
        if near is not None and box_gap(boxes[near], rb) < 6 * s:
            boxes[near] = _union([boxes[near], rb])
        else:
            b.add("region", pts=[[rb[0], rb[1]], [rb[2], rb[1]], [rb[2], rb[3]], [rb[0], rb[3]]], fill=[0, 0, 0], closed=True)
    for k in sorted(groups, key=lambda k: groups[k][0]):
        idx = groups[k]
        text = "".join(glyphs[i] for i in idx)
        lab = labels[k] if k >= 0 else TexLabel(text, chars[idx[0]]["size"], 0.0)
        b.add("label", bbox=boxes[k], text=text, latex=lab.latex, fontsize=lab.fontsize, angle=lab.angle)
