"""The one scene-graph schema shared by ground truth, perception and codegen.

A :class:`SceneGraph` is a ``networkx.DiGraph`` whose nodes are drawing primitives and whose
edges are relations between them. Geometry is stored in the pixel frame of one rendered
image (x right, y down, origin top-left) together with that image's size and dpi, so a graph
can be drawn over its image without any other information.

Node kinds and their attributes (all coordinates are ``[x, y]`` lists in pixels):

=========== ===========================================================================
kind        attributes
=========== ===========================================================================
point       ``xy``; ``dot`` (drawn as a filled dot), ``radius`` (dot radius, px)
segment     ``a``, ``b``; stroke
polyline    ``pts``, ``closed``; stroke
curve       ``pts`` (sampled densely), ``closed``; stroke
circle      ``center``, ``r``; stroke
arc         ``center``, ``r``, ``start``, ``end`` (degrees, counter-clockwise, y up); stroke
region      ``pts`` (outline), ``fill`` (rgb 0-1), ``rule`` (nonzero | evenodd); ``subpaths``
            (all outlines, when there are holes or several parts); a stroked outline is a
            separate node
arrowhead   ``pts`` (filled polygon), ``tip``
mark        ``type`` (right_angle | tick | angle_arc), ``pts``; stroke
label       ``bbox`` ``[x0, y0, x1, y1]``, ``text`` (visible glyphs), ``latex`` (program
            string), ``fontsize`` (pt), ``angle`` (degrees)
=========== ===========================================================================

Stroke attributes: ``width`` (px), ``color`` (rgb 0-1), ``dash`` (solid | dashed | dotted).
Drawn nodes may carry ``z``, their paint order (later paints over earlier), where known.

Edge ``rel`` values: ``endpoint`` (segment -> point), ``vertex`` (polyline -> point),
``center`` (circle/arc -> point), ``on`` (point -> circle/arc), ``labels`` (label -> point),
``head`` (arrowhead -> the stroke it ends).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import networkx as nx

KINDS = ("point", "segment", "polyline", "curve", "circle", "arc", "region", "arrowhead", "mark", "label")
STROKED = ("segment", "polyline", "curve", "circle", "arc", "mark")
RELATIONS = ("endpoint", "vertex", "center", "on", "labels", "head")
_PREFIX = {"point": "p", "segment": "s", "polyline": "pl", "curve": "cv", "circle": "c", "arc": "a",
           "region": "r", "arrowhead": "ah", "mark": "m", "label": "l"}  # fmt: skip
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Stroke:
    """How a path is drawn, in the image's pixel units."""

    width: float = 1.0
    color: tuple[float, float, float] = (0.0, 0.0, 0.0)
    dash: str = "solid"

    def as_attrs(self) -> dict[str, Any]:
        return {"width": round(self.width, 3), "color": [round(c, 4) for c in self.color], "dash": self.dash}


class SceneGraph:
    """A typed wrapper over ``nx.DiGraph``; ``.g`` is the raw graph for networkx algorithms."""

    def __init__(self, width: int, height: int, dpi: float | None = None, g: nx.DiGraph | None = None):
        self.g = g if g is not None else nx.DiGraph()
        self.g.graph.update(width=int(width), height=int(height), dpi=dpi, schema=SCHEMA_VERSION, frame="pixel")
        self._counts: dict[str, int] = {}
        for n in self.g.nodes:
            self._bump(n)

    def _bump(self, node_id: str) -> None:
        kind = self.g.nodes[node_id]["kind"]
        num = "".join(ch for ch in node_id if ch.isdigit())
        self._counts[kind] = max(self._counts.get(kind, 0), int(num) + 1 if num else 0)

    @property
    def width(self) -> int:
        return self.g.graph["width"]

    @property
    def height(self) -> int:
        return self.g.graph["height"]

    @property
    def dpi(self) -> float | None:
        return self.g.graph["dpi"]

    def add(self, kind: str, stroke: Stroke | None = None, **attrs: Any) -> str:
        """Add a node of ``kind``; returns its id (``p0``, ``s3``, ...)."""
        if kind not in KINDS:
            raise ValueError(f"unknown node kind {kind!r}")
        i = self._counts.get(kind, 0)
        self._counts[kind] = i + 1
        node_id = f"{_PREFIX[kind]}{i}"
        if stroke is not None:
            attrs.update(stroke.as_attrs())
        self.g.add_node(node_id, kind=kind, **attrs)
        return node_id

    def relate(self, u: str, v: str, rel: str) -> None:
        if rel not in RELATIONS:
            raise ValueError(f"unknown relation {rel!r}")
        self.g.add_edge(u, v, rel=rel)

    def nodes(self, kind: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        for n, d in self.g.nodes(data=True):
            if kind is None or d["kind"] == kind:
                yield n, d

    def count(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, d in self.nodes():
            out[d["kind"]] = out.get(d["kind"], 0) + 1
        return out

    # ------------------------------------------------------------- serialisation
    def to_json(self) -> dict[str, Any]:
        """Node-link JSON (round-trips exactly through :meth:`from_json`)."""
        return nx.node_link_data(self.g, edges="edges")

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> "SceneGraph":
        # Parse a fresh copy: node_link_graph keeps references to the input's dicts and lists,
        # and a graph must never share mutable state with the one it was copied from.
        data = json.loads(data if isinstance(data, str) else json.dumps(data))
        g = nx.node_link_graph(data, directed=True, multigraph=False, edges="edges")
        meta = g.graph
        return cls(meta["width"], meta["height"], meta.get("dpi"), g)

    def scaled(self, factor: float) -> "SceneGraph":
        """The same graph for an image resized by ``factor`` (e.g. another dpi)."""
        out = SceneGraph.from_json(self.to_json())
        out.g.graph.update(width=round(self.width * factor), height=round(self.height * factor),
                           dpi=self.dpi * factor if self.dpi else None)  # fmt: skip
        for _, d in out.nodes():
            for key in ("xy", "a", "b", "center", "tip", "pts", "subpaths", "bbox"):
                if key in d:
                    d[key] = _scale(d[key], factor)
            for key in ("r", "radius", "width"):
                if key in d:
                    d[key] = d[key] * factor
        return out

    def rotated(self, deg: float) -> "SceneGraph":
        """The same graph for its image rotated by ``deg`` counter-clockwise about the image
        centre, canvas size kept (PIL's ``Image.rotate``)."""
        out = SceneGraph.from_json(self.to_json())
        cx, cy = self.width / 2, self.height / 2
        c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))

        def rot(p):  # counter-clockwise on screen: y grows downwards
            x, y = p[0] - cx, p[1] - cy
            return [round(cx + c * x + s * y, 2), round(cy - s * x + c * y, 2)]

        for _, d in out.nodes():
            map_points(d, rot)
            if "start" in d:
                d["start"], d["end"] = d["start"] + deg, d["end"] + deg
            if "bbox" in d:
                x0, y0, x1, y1 = d["bbox"]
                corners = [rot(p) for p in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
                d["bbox"] = [min(p[0] for p in corners), min(p[1] for p in corners),
                             max(p[0] for p in corners), max(p[1] for p in corners)]  # fmt: skip
                d["angle"] = d.get("angle", 0.0) + deg
        return out


POINT_KEYS = ("xy", "a", "b", "center", "tip")  # node attributes that hold one point


def map_points(d: dict[str, Any], f: Callable[[Any], Any], subpaths: bool = True) -> None:
    """Replace every point of node attributes ``d`` by ``f(point)``, in a fixed order (single
    points, then ``pts``, then ``subpaths``), so a random ``f`` draws in the same order each time."""
    for key in POINT_KEYS:
        if key in d:
            d[key] = f(d[key])
    if "pts" in d:
        d["pts"] = [f(p) for p in d["pts"]]
    if subpaths and "subpaths" in d:
        d["subpaths"] = [[f(p) for p in sp] for sp in d["subpaths"]]


def _scale(v: Any, f: float) -> Any:
    if isinstance(v, (list, tuple)):
        return [_scale(x, f) for x in v]
    return v * f
