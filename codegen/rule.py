"""The ``rule`` backend: a deterministic scene graph -> Asymptote printer.

It is the baseline every model is compared with and the last-resort fallback of the repair
loop, so it must compile on every graph. It writes code the way a person would: ``size``
matching the image, named points (letters from their labels, else ``P1``...), connected
segments chained into one ``draw(A--B--C--cycle)``, evenly spaced parallel lines as a ``for``
loop, ``circle``/``arc``/``ellipse``, fills with ``--`` and ``arc`` pieces, arrows, dashed /
dotted / width / colour pens, marks as small draw calls and ``label("$A$", A, SW)``.

Coordinates are in the diagram frame of :func:`serialize.frame_for` (origin bottom-left,
y up, longer side 10 units), rounded to ``decimals``.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from img2asy.scene_graph.schema import SceneGraph
from img2asy.scene_graph.serialize import Frame, direction_name, frame_for

from . import pathfit
from .prompt import Repair
from .registry import Backend

DEFAULT_DPI = 150.0  # assumed when an image does not say
DEFAULT_WIDTH_BP = 0.5  # asy's default line width
DEFAULT_FONT_PT = 12.0
WIDTH_TOL = (0.12, 0.3)  # (bp, fraction): widths closer than both are the same pen
FONT_TOL = (0.6, 0.1)  # (pt, fraction) for font sizes
STROKE_KINDS = ("segment", "polyline", "curve", "circle", "arc")
_DIRS = ("N", "S", "E", "W", "NE", "NW", "SE", "SW")
_DIR_ANGLE = {"E": 0, "NE": 45, "N": 90, "NW": 135, "W": 180, "SW": 225, "S": 270, "SE": 315}
_NAMED_PENS = {
    "red": (1, 0, 0), "green": (0, 1, 0), "blue": (0, 0, 1), "cyan": (0, 1, 1), "magenta": (1, 0, 1),
    "yellow": (1, 1, 0), "orange": (1, 0.5, 0), "purple": (0.5, 0, 1), "white": (1, 1, 1),
    "gray": (0.5, 0.5, 0.5), "lightgray": (0.9, 0.9, 0.9), "mediumgray": (0.75, 0.75, 0.75),
    "heavygray": (0.25, 0.25, 0.25), "lightblue": (0.5, 0.5, 1), "lightred": (1, 0.5, 0.5),
    "lightgreen": (0.5, 1, 0.5), "lightyellow": (1, 1, 0.5), "paleblue": (0.75, 0.75, 1),
    "palered": (1, 0.75, 0.75), "palegreen": (0.75, 1, 0.75), "paleyellow": (1, 1, 0.75),
    "heavyblue": (0, 0, 0.75), "heavyred": (0.75, 0, 0), "heavygreen": (0, 0.75, 0),
    "deepblue": (0, 0, 0.5), "deepred": (0.5, 0, 0), "deepgreen": (0, 0.5, 0), "royalblue": (0, 0.5, 1),
}  # fmt: skip
# LaTeX commands that need packages asy does not load by default.
_AMS = re.compile(r"\\(text|dfrac|tfrac|binom|dbinom|tbinom|boxed|operatorname|overset|underset|mathbb|checkmark|square|blacksquare|lozenge|nexists|varnothing|implies|iff|intercal|because|therefore|measuredangle|sphericalangle|circledS|angle|lvert|rvert|lVert|rVert|cfrac|xrightarrow|mathfrak|eqref)\b")  # fmt: skip
_NAME_RE = re.compile(r"^\$?\s*([A-Z])\s*(?:_\s*\{?\s*(\d{1,2})\s*\}?)?\s*((?:'|\\prime|\^\{?\\prime\}?)*)\s*\$?$")


@dataclass(frozen=True)
class RuleOptions:
    """How to print; the fallback ladder varies ``labels`` (latex -> text -> none)."""

    decimals: int = 2
    labels: str = "latex"  # latex | text | none
    size: str = "size"  # size (fit the image's bp size) | unitsize (exact frame scale)
    loops: bool = True  # evenly spaced parallel lines as for-loops
    max_named: int = 60  # unlabelled shared points beyond this are written inline


def num(v: float, decimals: int = 2) -> str:
    """A short number: rounded, no trailing zeros, no negative zero."""
    s = f"{v:.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "", "-") else s


def pen_color(rgb) -> str:
    """A colour as asy writes it: a named pen when one matches, else gray(g) or rgb(r,g,b)."""
    r, g, b = (min(1.0, max(0.0, float(c))) for c in rgb)
    for name, ref in _NAMED_PENS.items():
        if max(abs(r - ref[0]), abs(g - ref[1]), abs(b - ref[2])) < 0.02:
            return name
    if max(r, g, b) - min(r, g, b) < 0.02:
        return "black" if r < 0.02 else f"gray({num((r + g + b) / 3)})"
    return f"rgb({num(r)},{num(g)},{num(b)})"


def point_name(latex: str) -> str | None:
    """An identifier from a point label: ``$A$`` -> A, ``$P_1$`` -> P1, ``$B'$`` -> Bp."""
    m = _NAME_RE.match(latex.strip())
    if not m:
        return None
    return m[1] + (m[2] or "") + "p" * (m[3].count("'") + m[3].count("prime"))


def asy_string(s: str) -> str:
    """A double-quoted asy string literal (asy keeps backslashes; only quotes need escaping)."""
    body = s.replace("\n", " ").replace('"', '\\"')
    if body.endswith("\\") and not body.endswith("\\\\"):
        body += " "
    return f'"{body}"'


_TEXT_SUBS = {"−": "-", "◦": "$^\\circ$", "°": "$^\\circ$", "π": "$\\pi$", "θ": "$\\theta$", "√": "$\\surd$",
              "×": "$\\times$", "·": "$\\cdot$", "÷": "$\\div$", "≤": "$\\le$", "≥": "$\\ge$", "′": "'",
              "α": "$\\alpha$", "β": "$\\beta$", "∠": "$\\angle$", "△": "$\\triangle$"}  # fmt: skip


def plain_text_label(text: str) -> str:
    """Visible glyphs as safe LaTeX (the fallback when a label's LaTeX does not compile)."""
    out = []
    for ch in text:
        if ch in _TEXT_SUBS:
            out.append(_TEXT_SUBS[ch])
        elif ch in "\\{}$&#^_%~":
            out.append({"\\": "/", "~": "-", "^": "", "{": "(", "}": ")"}.get(ch, "\\" + ch))
        elif ch.isascii() and (ch.isprintable()):
            out.append(ch)
    return "".join(out).strip()


_MATH_SUBS = {"°": "^\\circ", "◦": "^\\circ", "π": "\\pi ", "θ": "\\theta ", "√": "\\surd ", "×": "\\times ",
              "·": "\\cdot ", "÷": "\\div ", "≤": "\\le ", "≥": "\\ge ", "α": "\\alpha ", "β": "\\beta ",
              "−": "-", "′": "'", "∠": "\\angle ", "△": "\\triangle ", "±": "\\pm ", "∞": "\\infty "}  # fmt: skip


def _well_formed(s: str) -> bool:
    """Balanced ``$`` and braces, no stray TeX specials: what a label needs to typeset."""
    depth, math_on, i = 0, False, 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "$":
            math_on = not math_on
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
        elif c in "%#&":
            return False
        elif c in "^_" and not math_on:
            return False
        i += 1
    return depth == 0 and not math_on


def safe_latex(latex: str, text: str = "") -> str:
    """A label's LaTeX made typesettable: non-ASCII symbols as commands (unknown ones dropped);
    malformed LaTeX falls back to its visible text."""
    out, math_on = [], False
    for ch in latex:
        if ch == "$":
            math_on = not math_on
        if ch.isascii():
            out.append(ch)
        elif ch in _MATH_SUBS:
            sub = _MATH_SUBS[ch]
            out.append(sub if math_on or sub in ("-", "'") else f"${sub.strip()}$")
    s = "".join(out).strip()
    if not s.replace("$", "").strip():
        return ""
    return s if _well_formed(s) else plain_text_label(text or latex)


@dataclass
class _Ctx:
    """Per-graph printing state."""

    graph: SceneGraph
    frame: Frame
    opts: RuleOptions
    px_bp: float  # bp per pixel
    width_px: float  # default line width (px)
    names: dict[str, str] = field(default_factory=dict)  # point id -> identifier
    shadowed: set[str] = field(default_factory=set)  # direction names hidden by point names

    def n(self, v: float) -> str:
        return num(v, self.opts.decimals)

    def xy(self, p) -> str:
        u = self.frame.to_units(p)
        return f"({self.n(u[0])},{self.n(u[1])})"

    def length(self, px: float) -> str:
        return self.n(px / self.frame.scale)

    def dir(self, name: str) -> str:
        return f"dir({_DIR_ANGLE[name]})" if name in self.shadowed else name

    def ref(self, node: str, p, rels: tuple[str, ...]) -> str:
        """A point's name when ``node`` relates to a named point at ``p``; else coordinates."""
        g = self.graph.g
        for m in g.successors(node):
            if g.edges[node, m]["rel"] in rels and m in self.names and math.dist(g.nodes[m]["xy"], p) < 2.0:
                return self.names[m]
        return self.xy(p)

    def pen(self, d: dict[str, Any], *, color: bool = True) -> str:
        parts = []
        if d.get("dash", "solid") in ("dashed", "dotted"):
            parts.append(d["dash"])
        w = float(d.get("width", self.width_px))
        if _differs(w * self.px_bp, self.width_px * self.px_bp, WIDTH_TOL):
            parts.append(f"linewidth({num(w * self.px_bp, 1)})")
        if color and "color" in d:
            c = pen_color(d["color"])
            if c != "black":
                parts.append(c)
        return "+".join(parts)


def _differs(v: float, ref: float, tol: tuple[float, float]) -> bool:
    """True when ``v`` is visibly different from ``ref`` (beyond an absolute and a relative margin)."""
    return abs(v - ref) > max(tol[0], tol[1] * abs(ref))


def _finite(d: dict) -> bool:
    def ok(v) -> bool:
        if isinstance(v, (list, tuple)):
            return all(ok(x) for x in v)
        return not isinstance(v, float) or math.isfinite(v)

    return all(ok(d.get(k)) for k in ("xy", "a", "b", "pts", "center", "r", "start", "end", "bbox", "tip"))


def _majority(values: list[float], default: float, tol: float) -> float:
    """The most common value (most others within ``tol`` of it), or ``default`` when there are none."""
    if not values:
        return default
    vs = sorted(values)
    best, best_n, lo, hi = default, 0, 0, 0
    for v in vs:
        while vs[lo] < v - tol:
            lo += 1
        while hi < len(vs) and vs[hi] <= v + tol:
            hi += 1
        n = hi - lo
        if n > best_n or (n == best_n and abs(v - default) < abs(best - default)):
            best, best_n = v, n
    return best


# ----------------------------------------------------------------------------- arrows
@dataclass(frozen=True)
class _Arrows:
    """Which ends of a stroke carry arrowheads, their length (px) and tips (asy draws the tip at the path's end)."""

    ends: str  # end | start | both
    length: float
    start_tip: tuple | None
    end_tip: tuple | None


def _stroke_ends(d: dict) -> list[tuple[tuple, tuple]] | None:
    """(end point, outward direction) at the start and the end of an open stroke."""
    if d["kind"] == "circle" or d.get("closed"):
        return None
    if d["kind"] == "segment":
        pts = [d["a"], d["b"]]
    elif d["kind"] == "arc":
        from img2asy.scene_graph.render import arc_points

        pts = arc_points(d["center"], d["r"], d["start"], d["end"])
    else:
        pts = pathfit.dedupe(d.get("pts", []))
    if len(pts) < 2:
        return None
    (p0, p1), (q1, q0) = pts[:2], pts[-2:]
    return [(tuple(p0), (p0[0] - p1[0], p0[1] - p1[1])), (tuple(q0), (q0[0] - q1[0], q0[1] - q1[1]))]


def assign_heads(nodes: dict) -> dict[str, list[tuple[int, str]]]:
    """Which end (0 start, 1 end) of which stroke each arrowhead sits on.

    A head belongs to the stroke end that points the way the head points and lies nearest
    its base (asy stops the line there) or its tip; the graph's own ``head`` edges can name a
    stroke that merely ends at the tip (another path through that point). Heads that fit no
    open stroke stay unassigned and are drawn as filled shapes.
    """
    ends = {n: e for n, d in nodes.items() if d["kind"] in STROKE_KINDS and (e := _stroke_ends(d))}
    out: dict[str, list[tuple[int, str]]] = {}
    for h, hd in nodes.items():
        if hd["kind"] != "arrowhead" or "tip" not in hd or len(hd.get("pts", [])) < 3:
            continue
        tip = tuple(hd["tip"])
        others = [p for p in hd["pts"] if math.dist(p, tip) > 1e-3]
        if not others:
            continue
        base = (sum(p[0] for p in others) / len(others), sum(p[1] for p in others) / len(others))
        axis = (tip[0] - base[0], tip[1] - base[1])
        size = max(math.hypot(*axis), 1.0)
        best, best_d = None, 1.5 * size
        for n, pairs in ends.items():
            for i, (e, v) in enumerate(pairs):
                cos = (axis[0] * v[0] + axis[1] * v[1]) / (size * max(math.hypot(*v), 1e-9))
                dist = min(math.dist(e, base), math.dist(e, tip))
                if cos > 0.8 and dist < best_d:
                    best, best_d = (i, n), dist
        if best is not None:
            out.setdefault(best[1], []).append((best[0], h))
    return out


def _arrows(g, d: dict, heads: list[tuple[int, str]]) -> _Arrows | None:
    """The arrowheads on an open stroke: which ends, how long, where the tips are."""
    if not heads:
        return None
    start_tip = end_tip = None
    length = 0.0
    for end, h in heads:
        hd = g.nodes[h]
        tip = tuple(hd["tip"])
        if end == 0:
            start_tip = tip
        else:
            end_tip = tip
        length = max(length, max((math.dist(tip, p) for p in hd["pts"]), default=0.0))
    ends = "both" if start_tip and end_tip else "start" if start_tip else "end"
    return _Arrows(ends, length, start_tip, end_tip)


def _arrow_stroke(ctx: _Ctx, n: str, d: dict, arr: _Arrows) -> tuple[str, str] | None:
    """(path, arrow argument) for a straight or polyline stroke: ends moved to the tips, pointing forward."""
    if d["kind"] == "segment":
        pts, rel = [tuple(d["a"]), tuple(d["b"])], "endpoint"
    elif d["kind"] == "polyline" and not d.get("closed"):
        pts, rel = [tuple(p) for p in d["pts"]], "vertex"
    else:
        return None
    refs = [ctx.ref(n, p, (rel,)) for p in pts]
    if arr.start_tip:
        refs[0] = ctx.xy(arr.start_tip)
    if arr.end_tip:
        refs[-1] = ctx.xy(arr.end_tip)
    ends = arr.ends
    if ends == "start":
        refs, ends = refs[::-1], "end"
    return "--".join(refs), _arrow_arg(ctx, ends, arr.length, float(d.get("width", ctx.width_px)))


def _arrow_arg(ctx: _Ctx, ends: str, length_px: float, width_px: float) -> str:
    default = 15 * width_px * ctx.px_bp  # asy: arrowsize = arrowfactor * linewidth
    size_bp = length_px * ctx.px_bp
    arg = f"({num(size_bp, 1)})" if abs(size_bp - default) > 2.0 else ""
    return {"end": "Arrow", "start": "BeginArrow", "both": "Arrows"}[ends] + arg


# ----------------------------------------------------------------------------- pieces
def _path_expr(ctx: _Ctx, pieces: list[pathfit.Piece], closed: bool) -> str:
    """Join fitted pieces into one asy path expression."""
    out: list[str] = []
    for pc in pieces:
        if isinstance(pc, pathfit.Arc):
            out += ["--" if out else "", f"arc({ctx.xy(pc.center)},{ctx.length(pc.r)},{num(pc.start, 1)},{num(pc.end, 1)})"]
            continue
        join = "--" if isinstance(pc, pathfit.Line) else ".."
        pts = list(pc.pts[1:] if out else pc.pts)
        if closed and pc is pieces[-1] and pts:
            pts = pts[:-1]  # the outline returns to its start: that is the cycle
        for p in pts:
            out += [join if out else "", ctx.xy(p)]
    expr = "".join(out)
    if closed:
        expr += "..cycle" if pieces and isinstance(pieces[-1], pathfit.Spline) else "--cycle"
    return expr


def _region_path(ctx: _Ctx, d: dict) -> tuple[str, tuple | None]:
    """(path expression, shape) for a filled region: shape is ('circle', center, r) when the
    region is a disc, ('subpaths', n) when it is n outlines joined by ``^^`` (a region with
    holes, filled with ``evenodd``), else None."""
    subs = d.get("subpaths") or []
    if len(subs) > 1:
        parts = [_region_path(ctx, {"pts": sp})[0] for sp in subs if len(sp) >= 3]
        return "^^".join(parts), ("subpaths", len(parts)) if len(parts) > 1 else None
    pts = pathfit.dedupe(d["pts"])
    if len(pts) >= 8:
        fit = pathfit.fit_arc(pts + [pts[0]])
        # the vertices alone fit a circle when they crowd at the corners of a square (chamfered
        # by the outline's simplification): the middles of the sides must lie on it too
        if fit is not None and fit[1] <= 0.6 and abs(fit[0].end - fit[0].start) >= 359 and \
                pathfit.chord_sag(pts + [pts[0]], fit[0]) <= max(1.5, 0.03 * fit[0].r):  # fmt: skip
            a = fit[0]
            return f"circle({ctx.xy(a.center)},{ctx.length(a.r)})", ("circle", a.center, a.r)
    pieces = pathfit.fit_outline(pts, closed=True)
    return _path_expr(ctx, pieces, True), None


def _polygon_key(pts) -> frozenset:
    return frozenset((round(p[0] / 2), round(p[1] / 2)) for p in pts)


# ----------------------------------------------------------------------------- loops
@dataclass(frozen=True)
class _Seg:
    node: str
    a: tuple[float, float]
    b: tuple[float, float]
    pen: str


def _grid_loops(ctx: _Ctx, segs: list[_Seg]) -> tuple[list[str], set[str]]:
    """Evenly spaced, equally long horizontal or vertical lines (grids, ticks) as for-loops.

    A run may skip up to two places (an axis drawn where a grid line would be, no tick at 0).
    """
    groups: dict[tuple, list[tuple[float, _Seg]]] = {}
    for s in segs:
        (x0, y0), (x1, y1) = s.a, s.b
        if abs(x0 - x1) < 0.6 and abs(y0 - y1) > 1.0:
            lo, hi = sorted((y0, y1))
            groups.setdefault(("v", round(lo), round(hi), s.pen), []).append(((x0 + x1) / 2, s))
        elif abs(y0 - y1) < 0.6 and abs(x0 - x1) > 1.0:
            lo, hi = sorted((x0, x1))
            groups.setdefault(("h", round(lo), round(hi), s.pen), []).append(((y0 + y1) / 2, s))
    lines: list[str] = []
    used: set[str] = set()
    for (orient, _, _, pen), items in sorted(groups.items(), key=lambda kv: str(kv[0])):
        items.sort(key=lambda t: t[0], reverse=orient == "h")  # loops count up in the diagram frame
        k = 0
        while k < len(items):
            run = _arithmetic_run(items, k)
            if len(run) >= 4:
                lines.append(_loop_line(ctx, orient, [items[j] for _, j in run], [i for i, _ in run], pen))
                used.update(items[j][1].node for _, j in run)
                k = run[-1][1] + 1
            else:
                k += 1
    return lines, used


def _arithmetic_run(items: list[tuple[float, _Seg]], k: int, tol: float = 0.8, max_gaps: int = 2) -> list[tuple[int, int]]:
    """(loop index, item index) pairs of the evenly spaced run starting at item ``k``."""
    if k + 1 >= len(items):
        return [(0, k)]
    step = abs(items[k + 1][0] - items[k][0])
    if step < 2.0:
        return [(0, k)]
    run, gaps = [(0, k)], 0
    for j in range(k + 1, len(items)):
        d = abs(items[j][0] - items[k][0]) / step
        idx = round(d)
        if abs(d - idx) * step > tol or idx <= run[-1][0]:
            break
        gaps += idx - run[-1][0] - 1
        if gaps > max_gaps:
            break
        run.append((idx, j))
    return run


def _loop_line(ctx: _Ctx, orient: str, run: list[tuple[float, _Seg]], idx: list[int], pen: str) -> str:
    first = run[0][1]
    step_px = (run[-1][0] - run[0][0]) / idx[-1]
    fa, fb = ctx.frame.to_units(first.a), ctx.frame.to_units(first.b)
    if orient == "v":
        lo, hi = sorted((fa[1], fb[1]))
        var = _affine(ctx, (fa[0] + fb[0]) / 2, step_px / ctx.frame.scale)
        path = f"({var},{ctx.n(lo)})--({var},{ctx.n(hi)})"
    else:
        lo, hi = sorted((fa[0], fb[0]))
        var = _affine(ctx, (fa[1] + fb[1]) / 2, -step_px / ctx.frame.scale)  # pixel y runs down
        path = f"({ctx.n(lo)},{var})--({ctx.n(hi)},{var})"
    skip = [i for i in range(idx[-1] + 1) if i not in idx]
    cond = f"if ({' && '.join(f'i != {i}' for i in skip)}) " if skip else ""
    return f"for (int i = 0; i <= {idx[-1]}; ++i) {cond}draw({path}{', ' + pen if pen else ''});"


def _affine(ctx: _Ctx, start: float, step: float) -> str:
    """``start + i*step`` written the short way."""
    s, st = ctx.n(start), num(abs(step), ctx.opts.decimals + 1)
    term = "i" if st == "1" else f"i*{st}"
    if s == "0":
        return term if step > 0 else f"-{term}"
    return f"{s}{'+' if step > 0 else '-'}{term}"


# ----------------------------------------------------------------------------- chaining
def _chains(segs: list[_Seg], key) -> list[tuple[list, str]]:
    """Connected segments of one pen as trails (lists of endpoint keys); greedy and deterministic."""
    by_pen: dict[str, list[_Seg]] = {}
    for s in segs:
        by_pen.setdefault(s.pen, []).append(s)
    out: list[tuple[list, str]] = []
    for pen, group in by_pen.items():
        adj: dict[Any, list[tuple[int, Any]]] = {}
        ends = []
        for i, s in enumerate(group):
            ka, kb = key(s, s.a), key(s, s.b)
            ends.append((ka, kb))
            adj.setdefault(ka, []).append((i, kb))
            adj.setdefault(kb, []).append((i, ka))
        used = [False] * len(group)
        order = sorted(range(len(group)), key=lambda i: (len(adj[ends[i][0]]) % 2 == 0, i))
        for i in order:
            if used[i]:
                continue
            ka, kb = ends[i]
            if len(adj[ka]) % 2 == 0 and len(adj[kb]) % 2 == 1:
                ka, kb = kb, ka
            used[i] = True
            trail = [ka, kb]
            while True:
                nxt = next(((j, k) for j, k in adj[trail[-1]] if not used[j]), None)
                if nxt is None:
                    break
                used[nxt[0]] = True
                trail.append(nxt[1])
            out.append((trail, pen))
    return out


# ----------------------------------------------------------------------------- printer
def _off_canvas(graph: SceneGraph, margin: float = 2.0) -> bool:
    w, h = graph.width + margin, graph.height + margin

    def out(p) -> bool:
        return not (-margin <= p[0] <= w and -margin <= p[1] <= h)

    for _, d in graph.nodes():
        k = d["kind"]
        if k == "label":
            continue
        if k in ("circle", "arc"):
            c, r = d["center"], d["r"]
            if out((c[0] - r, c[1] - r)) or out((c[0] + r, c[1] + r)):
                return True
        pts = [d[key] for key in ("xy", "a", "b") if key in d] + list(d.get("pts", []))
        if any(out(p) for p in pts):
            return True
    return False


def clip_to_canvas(graph: SceneGraph, margin: float = 2.0) -> SceneGraph:
    """A copy whose lines, curves and fills stop at the image's edge (plots drawn then ``clip``-ped
    reach far outside it); circles and arcs stay whole, the printed ``clip`` cuts them."""
    from shapely.geometry import LineString, Polygon, box

    out = SceneGraph.from_json(graph.to_json())
    g = out.g
    rect = box(-margin, -margin, graph.width + margin, graph.height + margin)
    for n, d in list(out.nodes()):
        k = d["kind"]
        if k == "point" and not rect.contains(_shp_point(d["xy"])):
            g.remove_node(n)
        elif k in ("segment", "polyline", "curve", "mark"):
            pts = [d["a"], d["b"]] if k == "segment" else list(d["pts"])
            if len(pts) < 2:
                continue  # a single point: nothing reaches outside (the printer skips it)
            closed = bool(d.get("closed")) and len(pts) > 2
            line = LineString(pts + ([pts[0]] if closed else []))
            if rect.contains(line):
                continue
            pieces = [list(map(list, p.coords)) for p in _lines_of(line.intersection(rect)) if len(p.coords) >= 2]
            attrs = {key: v for key, v in d.items() if key not in ("kind", "a", "b", "pts", "closed")}
            g.remove_node(n)
            for piece in pieces:
                if k == "segment":
                    out.add("segment", a=piece[0], b=piece[-1], **attrs)
                else:
                    out.add(k, pts=piece, closed=False, **attrs)
        elif k == "region":
            subs = [sp for sp in (d.get("subpaths") or [d["pts"]]) if len({tuple(p) for p in sp}) >= 3]
            if not subs:
                continue  # nothing to fill (the printer skips it)
            poly = Polygon(subs[0], subs[1:]).buffer(0)
            if rect.contains(poly):
                continue
            cut = poly.intersection(rect)
            g.remove_node(n)
            for part in getattr(cut, "geoms", [cut]):
                if isinstance(part, Polygon) and not part.is_empty:
                    shell = [list(p) for p in part.exterior.coords[:-1]]
                    holes = [[list(p) for p in r.coords[:-1]] for r in part.interiors]
                    extra = {"subpaths": [shell] + holes, "rule": "evenodd"} if holes else {}
                    out.add("region", pts=shell, fill=d.get("fill", [0, 0, 0]), closed=True, **extra)
    return out


def _shp_point(p):
    from shapely.geometry import Point

    return Point(p[0], p[1])


def _lines_of(geom) -> list:
    if geom.is_empty:
        return []
    if geom.geom_type == "LineString":
        return [geom]
    return [x for part in getattr(geom, "geoms", []) for x in _lines_of(part)]


def print_asy(graph: SceneGraph, opts: RuleOptions = RuleOptions(), frame: Frame | None = None) -> str:
    """The Asymptote program for ``graph`` (see the module docstring).

    ``frame`` overrides the graph's own (:func:`frame_for`): a ground-truth graph printed in
    the frame of a perceived scene of the same image gives a program whose coordinates are
    the scene text's (the ``rule`` SFT targets)."""
    clipped = _off_canvas(graph)
    return _Printer(clip_to_canvas(graph) if clipped else graph, opts, clipped, frame).program()


class _Printer:
    """One graph's program, statement group by statement group (fills, draws, marks, dots, labels)."""

    def __init__(self, graph: SceneGraph, opts: RuleOptions, clipped: bool, frame: Frame | None = None):
        self.graph, self.g, self.clipped = graph, graph.g, clipped
        self.nodes = {n: d for n, d in graph.g.nodes(data=True) if _finite(d)}
        px_bp = 72.0 / (graph.dpi or DEFAULT_DPI)
        widths = [float(d["width"]) for d in self.nodes.values() if d["kind"] in STROKE_KINDS and "width" in d]
        width_px = _majority(widths, DEFAULT_WIDTH_BP / px_bp, 0.1 / px_bp)
        if not _differs(width_px * px_bp, DEFAULT_WIDTH_BP, WIDTH_TOL):
            width_px = DEFAULT_WIDTH_BP / px_bp
        self.ctx = _Ctx(graph, frame or frame_for(graph), opts, px_bp, width_px)
        self.labels = [(n, d) for n, d in self.nodes.items() if d["kind"] == "label"] if opts.labels != "none" else []
        font_pt = _majority([float(d.get("fontsize", DEFAULT_FONT_PT)) for _, d in self.labels], DEFAULT_FONT_PT, 0.25)
        self.font_pt = font_pt if _differs(font_pt, DEFAULT_FONT_PT, FONT_TOL) else DEFAULT_FONT_PT
        self.label_target = {n: t for n, _ in self.labels if (t := self._label_target(n)) is not None}
        self.segs, self.others, self.arrowed = self._split_strokes()
        self.loop_lines, self.looped = self._loops()
        self.points = sorted(((n, d) for n, d in self.nodes.items() if d["kind"] == "point"), key=self._reading_order)
        self._name_points()
        self.consumed: set[str] = set()  # outlines already drawn by a filldraw

    # ------------------------------------------------------------------ analysis
    def _label_target(self, n: str) -> str | None:
        return next((m for m in self.g.successors(n) if self.g.edges[n, m]["rel"] == "labels" and m in self.nodes), None)

    def _reading_order(self, nd) -> tuple[float, float]:
        u = self.ctx.frame.to_units(nd[1]["xy"])
        return (-round(u[1], 2), round(u[0], 2))

    def _split_strokes(self) -> tuple[list[_Seg], list[tuple[str, dict]], dict[str, _Arrows]]:
        """Plain segments (to chain and loop), everything else stroked, and the arrowed strokes.

        Identical segments are dropped: filldraw outlines of adjacent regions repeat edges.
        """
        seen: set = set()
        segs, others, arrowed = [], [], {}
        heads = assign_heads(self.nodes)
        self.assigned_heads = {h for hs in heads.values() for _, h in hs}
        for n, d in sorted(self.nodes.items(), key=lambda nd: _node_order(nd[0])):
            if d["kind"] not in STROKE_KINDS:
                continue
            arr = _arrows(self.g, d, heads.get(n, []))
            if arr is not None:
                arrowed[n] = arr
            if d["kind"] == "segment" and arr is None:
                pen = self.ctx.pen(d)
                key = (pen, frozenset((round(p[0], 1), round(p[1], 1)) for p in (d["a"], d["b"])))
                if key not in seen and math.dist(d["a"], d["b"]) > 1e-6:
                    seen.add(key)
                    segs.append(_Seg(n, tuple(d["a"]), tuple(d["b"]), pen))
                continue
            others.append((n, d))
        return segs, others, arrowed

    def _loops(self) -> tuple[list[str], set[str]]:
        if not self.ctx.opts.loops:
            return [], set()
        ticks = [_Seg(n, tuple(d["pts"][0]), tuple(d["pts"][-1]), self.ctx.pen(d)) for n, d in sorted(self.nodes.items())
                 if d["kind"] == "mark" and d.get("type") == "tick" and len(d.get("pts", [])) == 2]  # fmt: skip
        lines, looped = _grid_loops(self.ctx, self.segs + ticks)
        self.segs = [s for s in self.segs if s.node not in looped]
        return lines, looped

    def _name_points(self) -> None:
        """Names for points labelled with a letter, then ``P1``... for points several strokes share."""
        ctx, g = self.ctx, self.g
        uses: dict[str, int] = {}
        stroke_ids = {s.node for s in self.segs} | {n for n, _ in self.others}
        for u, v, e in g.edges(data=True):
            if e["rel"] in ("endpoint", "vertex", "center") and u in stroke_ids and v in self.nodes:
                uses[v] = uses.get(v, 0) + 1
        taken: set[str] = set()
        for n, d in sorted(self.labels, key=lambda nd: nd[0]):
            t = self.label_target.get(n)
            name = point_name(d.get("latex") or d.get("text", "")) if t is not None and t not in ctx.names else None
            if name and name not in taken:
                ctx.names[t] = name
                taken.add(name)
        auto = 0
        for n, _ in self.points:
            if n in ctx.names or uses.get(n, 0) < 2:
                continue
            if len(ctx.names) >= ctx.opts.max_named:
                break
            auto += 1
            while f"P{auto}" in taken:
                auto += 1
            ctx.names[n] = f"P{auto}"
            taken.add(f"P{auto}")
        ctx.shadowed = taken & set(_DIRS)

    # ------------------------------------------------------------------ statements
    def fills(self) -> list[str]:
        """Fills first (white ones last, else larger behind), as filldraw where an outline matches."""
        ctx, g, nodes = self.ctx, self.g, self.nodes
        outline_of: dict[frozenset, str] = {}
        for n, d in self.others:
            if d["kind"] == "polyline" and d.get("closed") and n not in self.arrowed:
                outline_of.setdefault(_polygon_key(d["pts"]), n)
        circles = [(n, d) for n, d in self.others if d["kind"] == "circle" and n not in self.arrowed]
        regions = [(n, d) for n, d in nodes.items() if d["kind"] == "region" and len(d.get("pts", [])) >= 3]
        regions += [(n, d) for n, d in nodes.items()
                    if d["kind"] == "arrowhead" and len(d.get("pts", [])) >= 3 and n not in self.assigned_heads]

        def order(nd):
            return (_fill_pen(nd[1]) == "white", -_area(nd[1]["pts"]), _node_order(nd[0]))

        out = []
        for n, d in sorted(regions, key=order):
            expr, shape = _region_path(ctx, d)
            holed = shape is not None and shape[0] == "subpaths"
            partner = None
            if shape is not None and shape[0] == "circle":
                partner = next((cn for cn, cd in circles if cn not in self.consumed and math.dist(cd["center"], shape[1]) < 1.5
                                and abs(cd["r"] - shape[2]) < 1.5), None)  # fmt: skip
                if partner is not None:
                    cd = nodes[partner]
                    expr = f"circle({ctx.ref(partner, cd['center'], ('center',))},{ctx.length(cd['r'])})"
            elif not holed:
                cand = outline_of.get(_polygon_key(pathfit.dedupe(d["pts"])))
                if cand is not None and cand not in self.consumed:
                    partner, expr = cand, _poly_expr(ctx, cand, nodes[cand])
            if partner is None:
                rule = "evenodd+" if holed and d.get("rule") == "evenodd" else ""
                out.append(f"fill({expr}, {rule}{_fill_pen(d)});")
                continue
            self.consumed.add(partner)
            pen = ctx.pen(nodes[partner])
            out.append(f"filldraw({expr}, {_fill_pen(d)}{', ' + pen if pen else ''});")
        return out

    def draws(self) -> list[str]:
        """Chained segments, loops, then every other stroke (with its arrows)."""
        ctx = self.ctx
        out = []
        for trail, pen in _chains(self.segs, lambda s, p: ctx.ref(s.node, p, ("endpoint",))):
            closed = len(trail) > 3 and trail[0] == trail[-1]
            pts = trail[:-1] if closed else trail
            out.append(f"draw({'--'.join(pts)}{'--cycle' if closed else ''}{', ' + pen if pen else ''});")
        out += self.loop_lines
        for n, d in self.others:
            if n in self.consumed:
                continue
            arr = self.arrowed.get(n)
            straight = _arrow_stroke(ctx, n, d, arr) if arr else None
            expr = straight[0] if straight else _stroke_expr(ctx, n, d)
            if expr is None:
                continue
            args = [expr] + ([pen] if (pen := ctx.pen(d)) else [])
            if straight:
                args.append(straight[1])
            elif arr:
                args.append(_arrow_arg(ctx, arr.ends, arr.length, float(d.get("width", ctx.width_px))))
            out.append(f"draw({', '.join(args)});")
        return out

    def marks(self) -> list[str]:
        out = []
        marks = [(n, d) for n, d in self.nodes.items() if d["kind"] == "mark" and n not in self.looped]
        for n, d in sorted(marks, key=lambda nd: _node_order(nd[0])):
            expr = _mark_expr(self.ctx, d)
            if expr:
                pen = self.ctx.pen(d)
                out.append(f"draw({expr}{', ' + pen if pen else ''});")
        return out

    def dots(self) -> list[str]:
        ctx = self.ctx
        default_r = 3 * ctx.width_px  # asy: dot diameter = dotfactor (6) * linewidth
        out = []
        for n, d in self.points:
            if not d.get("dot"):
                continue
            parts = []
            r = float(d.get("radius") or default_r)
            if abs(r - default_r) * ctx.px_bp > 0.3:  # a pen's explicit linewidth is the dot's diameter
                parts.append(f"linewidth({num(2 * r * ctx.px_bp, 1)})")
            if "color" in d and pen_color(d["color"]) != "black":
                parts.append(pen_color(d["color"]))
            out.append(f"dot({ctx.names.get(n) or ctx.xy(d['xy'])}{', ' + '+'.join(parts) if parts else ''});")
        return out

    def label_lines(self) -> tuple[list[str], bool]:
        out, ams = [], False
        for n, d in sorted(self.labels, key=lambda nd: _node_order(nd[0])):
            line, needs = _label_line(self.ctx, n, d, self.label_target.get(n), self.font_pt)
            if line:
                out.append(line)
                ams |= needs
        return out, ams

    def program(self) -> str:
        ctx, graph = self.ctx, self.graph
        body = self.fills() + self.draws() + self.marks() + self.dots()
        if self.clipped:  # what lies outside the image was cut off there too
            body.append(f"clip(box({ctx.xy((0, graph.height))},{ctx.xy((graph.width, 0))}));")
        labels, ams = self.label_lines()
        body += labels
        if not body:  # asy writes no picture for an empty program: keep the canvas
            body.append(f"draw(box((0,0),({ctx.length(graph.width)},{ctx.length(graph.height)})), invisible);")
        decl = _declarations(ctx, self.nodes)
        head = _preamble(ctx, graph, ctx.frame, self.font_pt, ams)
        return "\n".join(head + ([""] + decl if decl else []) + [""] + body) + "\n"


def _fill_pen(d: dict) -> str:
    return pen_color(d.get("fill", d.get("color", (0, 0, 0))))


def _node_order(n: str) -> tuple[str, int]:
    digits = "".join(ch for ch in n if ch.isdigit())
    return ("".join(ch for ch in n if not ch.isdigit()), int(digits) if digits else 0)


def _area(pts) -> float:
    a = 0.0
    for p, q in zip(pts, pts[1:] + pts[:1]):
        a += p[0] * q[1] - q[0] * p[1]
    return abs(a) / 2


def _poly_expr(ctx: _Ctx, n: str, d: dict) -> str:
    """``A--B--C(--cycle)``; a long run of short steps (a plotted graph) becomes a ``..`` spline."""
    raw = pathfit.dedupe(d["pts"])
    closed = bool(d.get("closed"))
    join = "--"
    if len(raw) > 12:
        keep = pathfit.douglas_peucker(raw, 0.5)
        if len(keep) > 8 and _smooth(keep):
            raw, join = pathfit.douglas_peucker(raw, 0.5), ".."
        else:
            raw = keep
    pts = [ctx.ref(n, p, ("vertex",)) for p in raw]
    if closed and len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    return join.join(pts) + (f"{join}cycle" if closed else "")


def _smooth(pts: list) -> bool:
    """True when consecutive directions turn gently everywhere (a sampled curve, not a polygon)."""
    for p, q, r in zip(pts, pts[1:], pts[2:]):
        a1 = math.atan2(q[1] - p[1], q[0] - p[0])
        a2 = math.atan2(r[1] - q[1], r[0] - q[0])
        if abs((math.degrees(a2 - a1) + 180) % 360 - 180) > 25:
            return False
    return True


def _stroke_expr(ctx: _Ctx, n: str, d: dict) -> str | None:
    k = d["kind"]
    if k == "segment":
        return f"{ctx.ref(n, d['a'], ('endpoint',))}--{ctx.ref(n, d['b'], ('endpoint',))}"
    if k == "polyline":
        return _poly_expr(ctx, n, d) if len(d["pts"]) >= 2 else None
    if k == "circle":
        return f"circle({ctx.ref(n, d['center'], ('center',))},{ctx.length(d['r'])})"
    if k == "arc":
        c = ctx.ref(n, d["center"], ("center",))
        return f"arc({c},{ctx.length(d['r'])},{num(d['start'], 1)},{num(d['end'], 1)})"
    if k == "curve":
        pts = pathfit.dedupe(d["pts"])
        if len(pts) < 2:
            return None
        closed = bool(d.get("closed"))
        if closed:
            ell = pathfit.fit_ellipse(pts)
            if ell is not None:
                (c, a, b, rot) = ell
                if abs(rot) % 90 < 1 or abs(rot) % 90 > 89:
                    if round(abs(rot) / 90) % 2 == 1:
                        a, b = b, a
                    return f"ellipse({ctx.xy(c)},{ctx.length(a)},{ctx.length(b)})"
                return f"shift{ctx.xy(c)}*rotate({num(rot, 1)})*scale({ctx.length(a)},{ctx.length(b)})*unitcircle"
        knots = pathfit.douglas_peucker(pts, 0.5)
        if closed and len(knots) > 2 and math.dist(knots[0], knots[-1]) < 0.5:
            knots = knots[:-1]
        return "..".join(ctx.xy(p) for p in knots) + ("..cycle" if closed and len(knots) > 2 else "")
    return None


def _mark_expr(ctx: _Ctx, d: dict) -> str | None:
    pts = [p for p in d.get("pts", []) if len(p) == 2]
    if len(pts) < 2:
        return None
    if d.get("type") == "angle_arc" and len(pts) >= 4:
        fit = pathfit.fit_arc(pathfit.dedupe(pts))
        if fit is not None and fit[1] < 0.8:
            a = fit[0]
            return f"arc({ctx.xy(a.center)},{ctx.length(a.r)},{num(a.start, 1)},{num(a.end, 1)})"
        return "..".join(ctx.xy(p) for p in pathfit.douglas_peucker(pathfit.dedupe(pts), 0.4))
    return "--".join(ctx.xy(p) for p in pts)


def _label_line(ctx: _Ctx, n: str, d: dict, target: str | None, font_pt: float) -> tuple[str | None, bool]:
    if ctx.opts.labels == "text":
        s = plain_text_label(d.get("text", "") or d.get("latex", ""))
    else:
        s = safe_latex(d["latex"], d.get("text", "")) if d.get("latex") else plain_text_label(d.get("text", ""))
    if not s.strip():
        return None, False
    x0, y0, x1, y1 = d["bbox"]
    centre = ((x0 + x1) / 2, (y0 + y1) / 2)
    text = asy_string(s)
    angle = float(d.get("angle", 0.0) or 0.0)
    if abs(angle) > 1:
        text = f"rotate({num(angle, 1)})*{text}"
    args = [text]
    if target is not None:
        p = ctx.graph.g.nodes[target]["xy"]
        args.append(ctx.names.get(target) or ctx.xy(p))
        dx, dy = centre[0] - p[0], p[1] - centre[1]
        if math.hypot(dx, dy) > 0.25 * max(y1 - y0, 1.0):
            name = direction_name(dx, dy)
            if _placement_error(name, dx, dy, x1 - x0, y1 - y0, 2.5 / ctx.px_bp) > max(0.6 * (y1 - y0), 5.0):
                args = [text, ctx.xy(centre)]  # too far from where asy would put it: say where it is
            else:
                args.append(ctx.dir(name))
    else:
        args.append(ctx.xy(centre))
    fs = float(d.get("fontsize", font_pt))
    if _differs(fs, font_pt, FONT_TOL):
        args.append(f"fontsize({num(fs, 0)}pt)")
    return f"label({', '.join(args)});", bool(_AMS.search(s))


def _placement_error(name: str, dx: float, dy: float, w: float, h: float, margin: float) -> float:
    """How far (px) asy's ``label(s, P, name)`` would put the label's centre from where it is."""
    a = math.radians(_DIR_ANGLE[name])
    ux, uy = math.cos(a), math.sin(a)
    return math.hypot(ux * (w / 2 + margin) - dx, uy * (h / 2 + margin) - dy)


def _preamble(ctx: _Ctx, graph: SceneGraph, frame: Frame, font_pt: float, ams: bool) -> list[str]:
    lines = []
    if ams:
        lines.append('usepackage("amsmath"); usepackage("amssymb");')
    if ctx.opts.size == "unitsize":
        lines.append(f"unitsize({num(frame.scale * ctx.px_bp, 3)});")
    else:
        lines.append(f"size({num(graph.width * ctx.px_bp, 0)}, {num(graph.height * ctx.px_bp, 0)});")
    pens = []
    if ctx.width_px * ctx.px_bp != DEFAULT_WIDTH_BP:
        pens.append(f"linewidth({num(ctx.width_px * ctx.px_bp, 1)})")
    if font_pt != DEFAULT_FONT_PT:
        pens.append(f"fontsize({num(font_pt, 0)}pt)")
    if pens:
        lines.append(f"defaultpen({'+'.join(pens)});")
    return lines


def _declarations(ctx: _Ctx, nodes: dict) -> list[str]:
    """``pair A=(..), B=(..);`` lines, letters first, four to a line."""
    items = sorted(ctx.names.items(), key=lambda kv: (kv[1].startswith("P") and kv[1][1:].isdigit(), _node_order(kv[1])))
    decls = [f"{name}={ctx.xy(nodes[n]['xy'])}" for n, name in items]
    return [f"pair {', '.join(decls[i : i + 4])};" for i in range(0, len(decls), 4)]


class RuleBackend(Backend):
    """Deterministic printer: one program per graph, no sampling, no repair (see module docstring)."""

    name = "rule"
    can_repair = False
    can_sample = False

    def __init__(self, options: RuleOptions = RuleOptions()):
        super().__init__()
        self.options = options

    def generate(self, scene: SceneGraph, scene_text: str, n: int = 1, repair: Repair | None = None) -> list[str]:
        t0 = time.perf_counter()
        code = print_asy(scene, self.options)
        self.usage.calls += 1
        self.usage.seconds += time.perf_counter() - t0
        return [code]
