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
        if abs(w - self.width_px) * self.px_bp > 0.12:
            parts.append(f"linewidth({num(w * self.px_bp, 2)})")
        if color and "color" in d:
            c = pen_color(d["color"])
            if c != "black":
                parts.append(c)
        return "+".join(parts)


def _finite(d: dict) -> bool:
    def ok(v) -> bool:
        if isinstance(v, (list, tuple)):
            return all(ok(x) for x in v)
        return not isinstance(v, float) or math.isfinite(v)

    return all(ok(d.get(k)) for k in ("xy", "a", "b", "pts", "center", "r", "start", "end", "bbox", "tip"))


def _majority(values: list[float], default: float, tol: float) -> float:
    """The most common value (within ``tol``), or ``default`` when there are none."""
    if not values:
        return default
    best, best_n = default, 0
    for v in values:
        n = sum(1 for w in values if abs(w - v) <= tol)
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


def _arrows(g, n: str, d: dict) -> _Arrows | None:
    heads = [u for u in g.predecessors(n) if g.edges[u, n]["rel"] == "head"]
    if not heads:
        return None
    if d["kind"] == "segment":
        first, last = d["a"], d["b"]
    elif d["kind"] == "arc":
        from img2asy.scene_graph.render import arc_points

        pts = arc_points(d["center"], d["r"], d["start"], d["end"])
        first, last = pts[0], pts[-1]
    elif "pts" in d and d["pts"]:
        first, last = d["pts"][0], d["pts"][-1]
    else:
        return None
    start_tip = end_tip = None
    length = 0.0
    for h in heads:
        hd = g.nodes[h]
        tip = tuple(hd["tip"])
        if math.dist(tip, first) < math.dist(tip, last):
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
    """(path expression, ('circle', center, r) when the region is a disc) for a filled region."""
    pts = pathfit.dedupe(d["pts"])
    if len(pts) >= 8:
        fit = pathfit.fit_arc(pts + [pts[0]])
        if fit is not None and fit[1] <= 0.6 and abs(fit[0].end - fit[0].start) >= 359:
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
    """Evenly spaced, equally long horizontal or vertical lines written as for-loops."""
    groups: dict[tuple, list[tuple[float, _Seg]]] = {}
    for s in segs:
        (x0, y0), (x1, y1) = s.a, s.b
        if abs(x0 - x1) < 0.6 and abs(y0 - y1) > 4:
            lo, hi = sorted((y0, y1))
            groups.setdefault(("v", round(lo), round(hi), s.pen), []).append(((x0 + x1) / 2, s))
        elif abs(y0 - y1) < 0.6 and abs(x0 - x1) > 4:
            lo, hi = sorted((x0, x1))
            groups.setdefault(("h", round(lo), round(hi), s.pen), []).append(((y0 + y1) / 2, s))
    lines: list[str] = []
    used: set[str] = set()
    for (orient, _, _, pen), items in sorted(groups.items(), key=lambda kv: str(kv[0])):
        items.sort(key=lambda t: t[0], reverse=orient == "h")  # loops count up in the diagram frame
        k = 0
        while k < len(items):
            run = [items[k]]
            for t in items[k + 1 :]:
                gap = abs(t[0] - run[-1][0])
                if len(run) == 1 and gap > 1.0 or len(run) > 1 and abs(gap - abs(run[1][0] - run[0][0])) < 0.8:
                    run.append(t)
                elif gap >= 1.0:
                    break
            if len(run) >= 4:
                lines.append(_loop_line(ctx, orient, run, pen))
                used.update(s.node for _, s in run)
                k += len(run)
            else:
                k += 1
    return lines, used


def _loop_line(ctx: _Ctx, orient: str, run: list[tuple[float, _Seg]], pen: str) -> str:
    first, last = run[0][1], run[-1][1]
    step_px = (run[-1][0] - run[0][0]) / (len(run) - 1)
    fa = ctx.frame.to_units(first.a)
    fb = ctx.frame.to_units(first.b)
    if orient == "v":
        lo, hi = sorted((fa[1], fb[1]))
        x0 = (fa[0] + fb[0]) / 2
        var = _affine(ctx, x0, step_px / ctx.frame.scale)
        path = f"({var},{ctx.n(lo)})--({var},{ctx.n(hi)})"
    else:
        lo, hi = sorted((fa[0], fb[0]))
        y0 = (fa[1] + fb[1]) / 2
        var = _affine(ctx, y0, -step_px / ctx.frame.scale)  # pixel y runs down
        path = f"({ctx.n(lo)},{var})--({ctx.n(hi)},{var})"
    del last
    return f"for (int i = 0; i < {len(run)}; ++i) draw({path}{', ' + pen if pen else ''});"


def _affine(ctx: _Ctx, start: float, step: float) -> str:
    """``start + i*step`` written the short way."""
    s, st = ctx.n(start), ctx.n(abs(step))
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
def print_asy(graph: SceneGraph, opts: RuleOptions = RuleOptions()) -> str:
    """The Asymptote program for ``graph`` (see the module docstring)."""
    g = graph.g
    frame = frame_for(graph)
    dpi = graph.dpi or DEFAULT_DPI
    px_bp = 72.0 / dpi
    nodes = {n: d for n, d in g.nodes(data=True) if _finite(d)}
    widths = [float(d["width"]) for d in nodes.values() if d["kind"] in STROKE_KINDS and "width" in d]
    width_px = _majority(widths, DEFAULT_WIDTH_BP / px_bp, 0.1 / px_bp)
    if abs(width_px * px_bp - DEFAULT_WIDTH_BP) <= 0.12:
        width_px = DEFAULT_WIDTH_BP / px_bp
    ctx = _Ctx(graph, frame, opts, px_bp, width_px)

    labels = [(n, d) for n, d in nodes.items() if d["kind"] == "label"] if opts.labels != "none" else []
    fonts = [float(d.get("fontsize", DEFAULT_FONT_PT)) for _, d in labels]
    font_pt = _majority(fonts, DEFAULT_FONT_PT, 0.25)

    # --- strokes, deduplicated (filldraw outlines of adjacent regions repeat edges)
    seen: set = set()
    segs: list[_Seg] = []
    others: list[tuple[str, dict]] = []
    arrowed: dict[str, _Arrows] = {}
    for n, d in sorted(nodes.items(), key=lambda nd: _node_order(nd[0])):
        if d["kind"] not in STROKE_KINDS:
            continue
        arr = _arrows(g, n, d)
        if arr is not None:
            arrowed[n] = arr
        pen = ctx.pen(d)
        if d["kind"] == "segment":
            k = (pen, frozenset([(round(d["a"][0], 1), round(d["a"][1], 1)), (round(d["b"][0], 1), round(d["b"][1], 1))]))
            if k in seen and arr is None:
                continue
            seen.add(k)
            if math.dist(d["a"], d["b"]) < 1e-6:
                continue
            if arr is None:
                segs.append(_Seg(n, tuple(d["a"]), tuple(d["b"]), pen))
                continue
        others.append((n, d))

    loop_lines: list[str] = []
    if opts.loops:
        loop_lines, looped = _grid_loops(ctx, segs)
        segs = [s for s in segs if s.node not in looped]

    # --- which points get names: labelled with a letter, or shared by several strokes
    uses: dict[str, int] = {}
    stroke_ids = {s.node for s in segs} | {n for n, _ in others}
    for u, v, e in g.edges(data=True):
        if e["rel"] in ("endpoint", "vertex", "center") and u in stroke_ids and v in nodes:
            uses[v] = uses.get(v, 0) + 1
    label_target: dict[str, str] = {}
    for n, d in labels:
        t = next((m for m in g.successors(n) if g.edges[n, m]["rel"] == "labels" and m in nodes), None)
        if t is not None:
            label_target[n] = t
    taken: set[str] = set()
    for n, d in sorted(labels, key=lambda nd: nd[0]):
        t = label_target.get(n)
        if t is None or t in ctx.names:
            continue
        name = point_name(d.get("latex") or d.get("text", ""))
        if name and name not in taken:
            ctx.names[t] = name
            taken.add(name)
    points = sorted(((n, d) for n, d in nodes.items() if d["kind"] == "point"),
                    key=lambda nd: (-round(frame.to_units(nd[1]["xy"])[1], 2), round(frame.to_units(nd[1]["xy"])[0], 2)))  # fmt: skip
    auto = 0
    for n, d in points:
        if n in ctx.names or uses.get(n, 0) < 2:
            continue
        if len(ctx.names) >= opts.max_named:
            break
        auto += 1
        while f"P{auto}" in taken:
            auto += 1
        ctx.names[n] = f"P{auto}"
        taken.add(f"P{auto}")
    ctx.shadowed = taken & set(_DIRS)

    body: list[str] = []
    # --- fills first (largest behind), merged with a matching stroked outline as filldraw
    outline_of: dict[frozenset, str] = {}
    for n, d in others:
        if d["kind"] == "polyline" and d.get("closed") and n not in arrowed:
            outline_of.setdefault(_polygon_key(d["pts"]), n)
    circle_nodes = [(n, d) for n, d in others if d["kind"] == "circle" and n not in arrowed]
    consumed: set[str] = set()
    regions = [(n, d) for n, d in nodes.items() if d["kind"] == "region" and len(d.get("pts", [])) >= 3]
    orphan_heads = [(n, d) for n, d in nodes.items() if d["kind"] == "arrowhead" and not any(
        g.edges[n, m]["rel"] == "head" for m in g.successors(n))]  # fmt: skip
    for n, d in sorted(regions + orphan_heads, key=lambda nd: (-_area(nd[1]["pts"]), _node_order(nd[0]))):
        expr, disc = _region_path(ctx, d)
        fill = pen_color(d.get("fill", d.get("color", (0, 0, 0))))
        partner = None
        if disc is not None:
            partner = next((cn for cn, cd in circle_nodes if cn not in consumed and math.dist(cd["center"], disc[1]) < 1.5
                            and abs(cd["r"] - disc[2]) < 1.5), None)  # fmt: skip
            if partner is not None:
                cd = nodes[partner]
                expr = f"circle({ctx.ref(partner, cd['center'], ('center',))},{ctx.length(cd['r'])})"
        else:
            cand = outline_of.get(_polygon_key(pathfit.dedupe(d["pts"])))
            if cand is not None and cand not in consumed:
                partner = cand
                expr = _poly_expr(ctx, cand, nodes[cand])
        if partner is not None:
            consumed.add(partner)
            pen = ctx.pen(nodes[partner])
            body.append(f"filldraw({expr}, {fill}{', ' + pen if pen else ''});")
        else:
            body.append(f"fill({expr}, {fill});")

    # --- strokes
    def seg_key(s: _Seg, p) -> Any:
        ref = ctx.ref(s.node, p, ("endpoint",))
        return ref if not ref.startswith("(") else ref

    for trail, pen in _chains(segs, seg_key):
        closed = len(trail) > 3 and trail[0] == trail[-1]
        pts = trail[:-1] if closed else trail
        body.append(f"draw({'--'.join(pts)}{'--cycle' if closed else ''}{', ' + pen if pen else ''});")
    body += loop_lines
    for n, d in others:
        if n in consumed:
            continue
        straight = _arrow_stroke(ctx, n, d, arrowed[n]) if n in arrowed else None
        expr = straight[0] if straight else _stroke_expr(ctx, n, d)
        if expr is None:
            continue
        args = [expr]
        pen = ctx.pen(d)
        if pen:
            args.append(pen)
        if straight:
            args.append(straight[1])
        elif n in arrowed:
            args.append(_arrow_arg(ctx, arrowed[n].ends, arrowed[n].length, float(d.get("width", width_px))))
        body.append(f"draw({', '.join(args)});")

    # --- marks
    for n, d in sorted(((n, d) for n, d in nodes.items() if d["kind"] == "mark"), key=lambda nd: _node_order(nd[0])):
        expr = _mark_expr(ctx, d)
        if expr:
            pen = ctx.pen(d)
            body.append(f"draw({expr}{', ' + pen if pen else ''});")

    # --- dots
    dot_default_r = 3 * width_px  # asy: dot diameter = dotfactor (6) * linewidth
    for n, d in points:
        if not d.get("dot"):
            continue
        where = ctx.names.get(n) or ctx.xy(d["xy"])
        parts = []
        r = float(d.get("radius") or dot_default_r)
        if abs(r - dot_default_r) * px_bp > 0.3:  # a pen's explicit linewidth is the dot's diameter
            parts.append(f"linewidth({num(2 * r * px_bp, 1)})")
        if "color" in d and pen_color(d["color"]) != "black":
            parts.append(pen_color(d["color"]))
        body.append(f"dot({where}{', ' + '+'.join(parts) if parts else ''});")

    # --- labels
    need_ams = False
    for n, d in sorted(labels, key=lambda nd: _node_order(nd[0])):
        line, ams = _label_line(ctx, n, d, label_target.get(n), font_pt)
        if line:
            body.append(line)
            need_ams |= ams

    head = _preamble(ctx, graph, frame, font_pt, need_ams)
    decl = _declarations(ctx, nodes)
    if not body:  # asy writes no picture for an empty program: keep the canvas
        body.append(f"draw(box((0,0),({ctx.length(graph.width)},{ctx.length(graph.height)})), invisible);")
    return "\n".join(head + ([""] + decl if decl else []) + [""] + body) + "\n"


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
            raw, join = pathfit.douglas_peucker(raw, 0.8), ".."
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
    if abs(fs - font_pt) > 0.25:
        args.append(f"fontsize({num(fs, 1)}pt)")
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
    if abs(ctx.width_px * ctx.px_bp - DEFAULT_WIDTH_BP) > 0.12:
        pens.append(f"linewidth({num(ctx.width_px * ctx.px_bp, 2)})")
    if abs(font_pt - DEFAULT_FONT_PT) > 0.25:
        pens.append(f"fontsize({num(font_pt, 1)}pt)")
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
        return [print_asy(scene, self.options)]
