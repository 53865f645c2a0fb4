"""Relations read off geometry, shared by ground truth (data.annotate) and perception.

One rule set, so perception is scored against relations made the same way it makes them.
"""

from __future__ import annotations

import math

from .schema import SceneGraph


def box_gap(a: list[float], b: list[float]) -> float:
    """Distance between two boxes ``[x0, y0, x1, y1]`` (0 when they touch or overlap)."""
    dx = max(0.0, max(a[0], b[0]) - min(a[2], b[2]))
    dy = max(0.0, max(a[1], b[1]) - min(a[3], b[3]))
    return math.hypot(dx, dy)


def relate_geometry(graph: SceneGraph, tol: float) -> None:
    """Centres of circles/arcs, points on them, and the point each label names."""
    pts = list(graph.nodes("point"))
    for n, d in list(graph.nodes("circle")) + list(graph.nodes("arc")):
        for pid, pd in pts:
            dist = math.dist(pd["xy"], d["center"])
            if dist <= tol:
                graph.relate(n, pid, "center")
            elif abs(dist - d["r"]) <= tol:
                graph.relate(pid, n, "on")
    for n, d in list(graph.nodes("label")):
        x0, y0, x1, y1 = d["bbox"]
        reach = max(y1 - y0, 4.0) * 1.2
        best = min(pts, key=lambda pd: box_gap(d["bbox"], list(pd[1]["xy"]) * 2), default=None)
        if best is not None and box_gap(d["bbox"], list(best[1]["xy"]) * 2) <= reach:
            graph.relate(n, best[0], "labels")
