"""Drawing a scene graph: an ink mask (for coverage) and an overlay (for people).

One renderer serves both so that what a person checks on the overlay is exactly what the
coverage measure counts.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np
from PIL import Image

from .schema import SceneGraph

_OVERLAY_COLORS = {
    "point": (220, 0, 0), "segment": (0, 90, 255), "polyline": (0, 160, 220), "curve": (150, 0, 200),
    "circle": (0, 170, 60), "arc": (110, 170, 0), "region": (255, 170, 0), "arrowhead": (255, 0, 160),
    "mark": (255, 100, 0), "label": (200, 0, 0),
}  # fmt: skip


def arc_points(center: list[float], r: float, start: float, end: float, step: float = 3.0) -> list[tuple]:
    """Sample an arc given in degrees counter-clockwise with y up, in pixel (y-down) space."""
    sweep = end - start
    n = max(2, int(abs(sweep) / step) + 1)
    cx, cy = center
    return [
        (cx + r * math.cos(math.radians(start + sweep * i / (n - 1))),
         cy - r * math.sin(math.radians(start + sweep * i / (n - 1))))
        for i in range(n)
    ]  # fmt: skip


def node_path(d: dict[str, Any]) -> tuple[list[tuple], bool]:
    """The polyline (and closedness) that traces a stroked node's geometry."""
    k = d["kind"]
    if k == "segment":
        return [tuple(d["a"]), tuple(d["b"])], False
    if k in ("polyline", "curve", "mark", "region", "arrowhead"):
        return [tuple(p) for p in d["pts"]], bool(d.get("closed", k in ("region", "arrowhead")))
    if k == "circle":
        return arc_points(d["center"], d["r"], 0, 360), True
    if k == "arc":
        return arc_points(d["center"], d["r"], d["start"], d["end"]), False
    return [], False


_SHIFT = 4  # cv2 fixed-point bits: 1/16 px precision


def _fx(pts) -> "np.ndarray":
    """Graph coordinates (pixel corners) to cv2 fixed-point pixel-centre coordinates."""
    a = (np.asarray(pts, dtype=np.float64).reshape(-1, 2) - 0.5) * (1 << _SHIFT)
    return np.round(a).astype(np.int32)


def _fill(arr: np.ndarray, subpaths: list, color: int, evenodd: bool) -> None:
    """Fill polygons with the PDF's fill rule (cv2 alone gives even-odd for self-crossing stars)."""
    if len(subpaths) == 1 and not evenodd and _simple(subpaths[0]):
        cv2.fillPoly(arr, [_fx(subpaths[0])], color, cv2.LINE_8, _SHIFT)
        return
    polys = [np.asarray(sp, dtype=np.float64).reshape(-1, 2) for sp in subpaths]
    allp = np.concatenate(polys)
    h, w = arr.shape[:2]
    x0, y0 = max(0, int(allp[:, 0].min())), max(0, int(allp[:, 1].min()))
    x1, y1 = min(w, int(np.ceil(allp[:, 0].max())) + 1), min(h, int(np.ceil(allp[:, 1].max())) + 1)
    if x1 <= x0 or y1 <= y0:
        return
    X, Y = np.meshgrid(np.arange(x0, x1) + 0.5, np.arange(y0, y1) + 0.5)
    wn = np.zeros(X.shape, np.int32)
    for p in polys:
        for (ax, ay), (bx, by) in zip(p, np.roll(p, -1, axis=0)):
            side = (bx - ax) * (Y - ay) - (X - ax) * (by - ay)
            wn += ((ay <= Y) & (by > Y) & (side > 0)).astype(np.int32)
            wn -= ((by <= Y) & (ay > Y) & (side < 0)).astype(np.int32)
    inside = (wn % 2 == 1) if evenodd else (wn != 0)
    arr[y0:y1, x0:x1][inside] = color


def _simple(pts) -> bool:
    from shapely.geometry import Polygon

    return len(pts) < 4 or Polygon(pts).is_valid


def draw_graph(graph: SceneGraph, canvas: Image.Image | None = None, *, mask: bool = False, pad: float = 0.0) -> Image.Image:
    """Draw every node; ``mask=True`` gives an ``L`` image, 255 where the graph has ink.

    ``pad`` widens every stroke and box by that many pixels on each side (a tolerance).
    """
    if mask:
        arr = np.zeros((graph.height, graph.width), np.uint8)
    elif canvas is None:
        arr = np.full((graph.height, graph.width, 3), 255, np.uint8)
    else:
        arr = np.asarray(canvas.convert("RGB")).copy()
    aa = cv2.LINE_8 if mask else cv2.LINE_AA
    for _, d in sorted(graph.nodes(), key=lambda nd: nd[1]["kind"] == "label"):
        color = 255 if mask else _OVERLAY_COLORS[d["kind"]]
        k = d["kind"]
        if k == "label":
            x0, y0, x1, y1 = d["bbox"]
            box = _fx([[x0 - pad, y0 - pad], [x1 + pad, y0 - pad], [x1 + pad, y1 + pad], [x0 - pad, y1 + pad]])
            if mask:
                cv2.fillPoly(arr, [box], color, aa, _SHIFT)
            else:
                cv2.polylines(arr, [box], True, color, 1, aa, _SHIFT)
            continue
        if k == "point":
            r = (d.get("radius") or (0 if mask else 3)) + pad
            if r <= 0:
                continue
            c = _fx([d["xy"]])[0]
            filled = mask or d.get("dot")
            cv2.circle(arr, (int(c[0]), int(c[1])), int(round(r * (1 << _SHIFT))), color, -1 if filled else 1, aa, _SHIFT)
            continue
        pts, closed = node_path(d)
        if len(pts) < 2:
            continue
        poly = _fx(pts)
        if k in ("region", "arrowhead"):
            if mask:
                subpaths = d.get("subpaths") or [pts]
                _fill(arr, subpaths, color, d.get("rule", "nonzero") == "evenodd")
                if pad > 0:
                    for sp in subpaths:
                        cv2.polylines(arr, [_fx(sp)], True, color, max(1, int(round(2 * pad))), aa, _SHIFT)
            else:
                cv2.polylines(arr, [poly], True, color, 1, aa, _SHIFT)
            continue
        width = max(1, int(round(d.get("width", 1.0) + 2 * pad))) if mask else 2
        cv2.polylines(arr, [poly], closed, color, width, aa, _SHIFT)
    return Image.fromarray(arr)
