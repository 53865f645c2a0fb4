"""Serialising a scene graph: JSON files and the compact text form the codegen LLM reads.

Text grammar (one statement per line, deterministic order; ``#`` starts a comment)::

    scene WIDTHxHEIGHT bp unit=U          # figure size in PostScript points; U bp per unit
    point NAME (x,y) [dot]                # named points, y up, in diagram units
    segment P Q [style]                   # P, Q are point names or (x,y)
    polyline P Q R ... [cycle] [style]
    curve (x,y) (x,y) ... [cycle] [style] # sampled smooth path
    circle (cx,cy) r=R [style]
    arc (cx,cy) r=R from=A to=B [style]   # degrees, counter-clockwise
    fill (x,y) (x,y) ... [hole (x,y) ...] color=C   # filled region, with its holes
    mark TYPE (x,y) ...                   # right_angle | tick | angle_arc, with its points
    label "LATEX" at (x,y) [near P] [dir=D] [size=S] [angle=T]
    style: [dashed|dotted] [width=W] [color=C] [arrow=end|start|both]

Coordinates: the diagram frame has its origin at the bottom-left of the drawing's bounding
box, y up, and a unit of ``unit`` bp chosen so the longer side spans about 10 units
(:func:`frame_for`). Numbers are rounded to 2 decimals. Colours are ``black``, ``gray(g)``
or ``rgb(r,g,b)``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from .schema import SceneGraph

_KIND_ORDER = ("point", "segment", "polyline", "curve", "circle", "arc", "region", "mark", "label")
_DIRS = ["E", "NE", "N", "NW", "W", "SW", "S", "SE"]


@dataclass(frozen=True)
class Frame:
    """Pixel frame -> diagram frame: ``(x - ox) / scale``, ``(oy - y) / scale``."""

    ox: float
    oy: float
    scale: float  # pixels per diagram unit

    def to_units(self, p) -> tuple[float, float]:
        return ((p[0] - self.ox) / self.scale, (self.oy - p[1]) / self.scale)

    def to_pixels(self, p) -> tuple[float, float]:
        return (self.ox + p[0] * self.scale, self.oy - p[1] * self.scale)


def _geom_points(d: dict) -> list:
    k = d["kind"]
    if k == "point":
        return [d["xy"]]
    if k == "segment":
        return [d["a"], d["b"]]
    if k in ("circle", "arc"):
        c, r = d["center"], d["r"]
        return [[c[0] - r, c[1] - r], [c[0] + r, c[1] + r]]
    if "pts" in d:
        return d["pts"]
    return []


def frame_for(graph: SceneGraph, span: float = 10.0) -> Frame:
    """A frame whose origin is the drawing's bottom-left and whose longer side is ``span`` units."""
    pts = [p for _, d in graph.nodes() if d["kind"] != "label" for p in _geom_points(d)]
    if not pts:
        pts = [[0, 0], [graph.width, graph.height]]
    # Geometry can run far off the canvas (unclipped plots); the frame spans what is visible.
    x0, x1 = max(min(p[0] for p in pts), 0.0), min(max(p[0] for p in pts), float(graph.width))
    y0, y1 = max(min(p[1] for p in pts), 0.0), min(max(p[1] for p in pts), float(graph.height))
    if x1 <= x0 or y1 <= y0:
        x0, y0, x1, y1 = 0.0, 0.0, float(graph.width), float(graph.height)
    extent = max(x1 - x0, y1 - y0, 1e-6)
    return Frame(x0, y1, extent / span)


def _n(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _xy(p) -> str:
    return f"({_n(p[0])},{_n(p[1])})"


def color_name(rgb) -> str:
    r, g, b = (float(c) for c in rgb)
    if max(r, g, b) - min(r, g, b) < 0.02:
        return "black" if r < 0.02 else "white" if r > 0.98 else f"gray({_n(r)})"
    return f"rgb({_n(r)},{_n(g)},{_n(b)})"


def direction_name(dx: float, dy: float) -> str:
    """Compass direction (y up) of a vector: E, NE, N, ..."""
    return _DIRS[round(math.degrees(math.atan2(dy, dx)) / 45) % 8]


def to_text(graph: SceneGraph, frame: Frame | None = None) -> str:
    """The compact, deterministic text form of ``graph`` (see the module docstring)."""
    f = frame or frame_for(graph)
    px_to_bp = 72.0 / (graph.dpi or 72.0)
    unit_bp = f.scale * px_to_bp
    lines = [f"scene {_n(graph.width * px_to_bp)}x{_n(graph.height * px_to_bp)} bp unit={_n(unit_bp)}"]
    g = graph.g

    def key(item):
        n, d = item
        pts = _geom_points(d) or [d.get("bbox", [0, 0])[:2]]
        u = f.to_units(pts[0])
        return (_KIND_ORDER.index(d["kind"]) if d["kind"] in _KIND_ORDER else 99, -round(u[1], 1), round(u[0], 1), n)

    items = sorted(((n, d) for n, d in graph.nodes() if d["kind"] != "arrowhead"), key=key)
    names: dict[str, str] = {}
    for n, d in items:
        if d["kind"] == "point":
            names[n] = f"P{len(names) + 1}"

    arrows: dict[str, list[str]] = {}
    for u, v, e in g.edges(data=True):
        if e["rel"] == "head":
            arrows.setdefault(v, []).append(u)

    def ref(p, node: str, rel: str) -> str:
        for m in g.successors(node):
            if g.edges[node, m]["rel"] == rel and m in names and math.dist(g.nodes[m]["xy"], p) < 2.0:
                return names[m]
        return _xy(f.to_units(p))

    def style(n: str, d: dict) -> str:
        out = []
        if d.get("dash", "solid") != "solid":
            out.append(d["dash"])
        w = d.get("width", 1.0) * px_to_bp
        if abs(w - 0.5) > 0.15:
            out.append(f"width={_n(w)}")
        if "color" in d and color_name(d["color"]) != "black":
            out.append(f"color={color_name(d['color'])}")
        if n in arrows:
            ends = _arrow_ends(g, n, d, arrows[n])
            if ends:
                out.append(f"arrow={ends}")
        return (" " + " ".join(out)) if out else ""

    for n, d in items:
        k = d["kind"]
        if k == "point":
            lines.append(f"point {names[n]} {_xy(f.to_units(d['xy']))}{' dot' if d.get('dot') else ''}")
        elif k == "segment":
            lines.append(f"segment {ref(d['a'], n, 'endpoint')} {ref(d['b'], n, 'endpoint')}{style(n, d)}")
        elif k == "polyline":
            pts = " ".join(ref(p, n, "vertex") for p in d["pts"])
            lines.append(f"polyline {pts}{' cycle' if d.get('closed') else ''}{style(n, d)}")
        elif k == "curve":
            pts = d["pts"][:: max(1, len(d["pts"]) // 12)] + ([d["pts"][-1]] if len(d["pts"]) > 12 else [])
            lines.append(f"curve {' '.join(_xy(f.to_units(p)) for p in pts)}{' cycle' if d.get('closed') else ''}{style(n, d)}")
        elif k == "circle":
            lines.append(f"circle {_xy(f.to_units(d['center']))} r={_n(d['r'] / f.scale)}{style(n, d)}")
        elif k == "arc":
            lines.append(f"arc {_xy(f.to_units(d['center']))} r={_n(d['r'] / f.scale)} from={_n(d['start'])} to={_n(d['end'])}{style(n, d)}")
        elif k == "region":
            subs = (d.get("subpaths") if d.get("rule") == "evenodd" else None) or [d["pts"]]
            rings = [" ".join(_xy(f.to_units(p)) for p in sp[:: max(1, len(sp) // 16)]) for sp in subs]
            lines.append(f"fill {' hole '.join(rings)} color={color_name(d.get('fill', [0, 0, 0]))}")
        elif k == "mark":
            lines.append(f"mark {d['type']} {' '.join(_xy(f.to_units(p)) for p in d['pts'][:: max(1, len(d['pts']) // 4)])}")
        elif k == "label":
            lines.append(_label_line(g, n, d, f, names))
    return "\n".join(lines) + "\n"


def _arrow_ends(g, n: str, d: dict, heads: list[str]) -> str:
    """'end', 'start' or 'both': which ends of stroke ``n`` carry arrowheads."""
    if d["kind"] == "segment":
        first, last = d["a"], d["b"]
    elif "pts" in d:
        first, last = d["pts"][0], d["pts"][-1]
    elif d["kind"] == "arc":
        from .render import arc_points

        pts = arc_points(d["center"], d["r"], d["start"], d["end"])
        first, last = pts[0], pts[-1]
    else:
        return ""
    at_start = any(math.dist(g.nodes[h]["tip"], first) < math.dist(g.nodes[h]["tip"], last) for h in heads)
    at_end = any(math.dist(g.nodes[h]["tip"], last) <= math.dist(g.nodes[h]["tip"], first) for h in heads)
    return "both" if at_start and at_end else "start" if at_start else "end"


def _label_line(g, n: str, d: dict, f: Frame, names: dict[str, str]) -> str:
    x0, y0, x1, y1 = d["bbox"]
    centre = f.to_units(((x0 + x1) / 2, (y0 + y1) / 2))
    text = d.get("latex") or d.get("text", "")
    out = f"label {json.dumps(text, ensure_ascii=False)} at {_xy(centre)}"
    target = next((m for m in g.successors(n) if g.edges[n, m]["rel"] == "labels"), None)
    if target is not None and target in names:
        p = f.to_units(g.nodes[target]["xy"])
        out += f" near {names[target]} dir={direction_name(centre[0] - p[0], centre[1] - p[1])}"
    if abs(d.get("fontsize", 12.0) - 12.0) > 0.5:
        out += f" size={_n(d['fontsize'])}"
    if abs(d.get("angle", 0.0)) > 1:
        out += f" angle={_n(d['angle'])}"
    return out


def save_json(graph: SceneGraph, path: Path) -> Path:
    path.write_text(json.dumps(graph.to_json(), indent=1, sort_keys=True))
    return path


def load_json(path: Path) -> SceneGraph:
    return SceneGraph.from_json(json.loads(Path(path).read_text()))
