"""Fitting sampled outlines with the pieces a person would write: lines, circular arcs, splines.

Scene graphs keep filled regions and free curves as dense point lists (Bezier samples). The
rule printer turns them back into ``A--B--arc(O,r,a,b)--cycle`` or ``p..q..r`` by splitting
each outline into maximal straight runs and circular runs within a pixel tolerance; what
neither fits is simplified (Douglas-Peucker) and drawn as a smooth ``..`` spline.
All geometry here is in pixels (y down); angles are degrees counter-clockwise with y up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Pt = tuple[float, float]


@dataclass(frozen=True)
class Line:
    pts: tuple[Pt, ...]  # consecutive vertices joined by straight lines


@dataclass(frozen=True)
class Arc:
    center: Pt
    r: float
    start: float  # degrees, counter-clockwise with y up
    end: float  # start + signed sweep


@dataclass(frozen=True)
class Spline:
    pts: tuple[Pt, ...]  # knots of a smooth ``..`` path


Piece = Line | Arc | Spline


def dedupe(pts: list, eps: float = 0.3) -> list[Pt]:
    """Drop consecutive (near-)duplicate points."""
    out: list[Pt] = []
    for p in pts:
        q = (float(p[0]), float(p[1]))
        if not out or math.dist(out[-1], q) > eps:
            out.append(q)
    return out


def line_deviation(pts: list[Pt]) -> float:
    """Largest distance of ``pts`` from the chord joining the first and last point."""
    a, b = np.asarray(pts[0]), np.asarray(pts[-1])
    d = b - a
    n = float(np.hypot(*d))
    arr = np.asarray(pts)
    if n < 1e-9:
        return float(np.hypot(*(arr - a).T).max())
    return float(np.abs(d[0] * (arr[:, 1] - a[1]) - d[1] * (arr[:, 0] - a[0])).max() / n)


def angle_of(c: Pt, p: Pt) -> float:
    return math.degrees(math.atan2(-(p[1] - c[1]), p[0] - c[0]))


def fit_arc(pts: list[Pt]) -> tuple[Arc, float] | None:
    """Least-squares circular arc through ``pts`` and its worst radial residual (None if degenerate)."""
    a = np.asarray(pts, dtype=float)
    A = np.c_[2 * a, np.ones(len(a))]
    b = (a**2).sum(1)
    try:
        (cx, cy, c), *_ = np.linalg.lstsq(A, b, rcond=None)
    except np.linalg.LinAlgError:
        return None
    r2 = c + cx * cx + cy * cy
    if not np.isfinite(r2) or r2 <= 0:
        return None
    r = math.sqrt(r2)
    resid = float(np.abs(np.hypot(a[:, 0] - cx, a[:, 1] - cy) - r).max())
    sweep = 0.0
    for p, q in zip(pts, pts[1:]):
        d = angle_of((cx, cy), q) - angle_of((cx, cy), p)
        d = (d + 180) % 360 - 180
        if sweep and d and (d > 0) != (sweep > 0):
            return None  # not monotonic: not one arc
        sweep += d
    start = angle_of((cx, cy), pts[0])
    return Arc((float(cx), float(cy)), r, start, start + sweep), resid


def douglas_peucker(pts: list[Pt], eps: float) -> list[Pt]:
    """Keep the points needed to stay within ``eps`` of the polyline."""
    if len(pts) < 3:
        return list(pts)
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    arr = np.asarray(pts)
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = arr[i], arr[j]
        d = b - a
        n = float(np.hypot(*d))
        seg = arr[i + 1 : j]
        if n < 1e-9:
            dist = np.hypot(*(seg - a).T)
        else:
            dist = np.abs(d[0] * (seg[:, 1] - a[1]) - d[1] * (seg[:, 0] - a[0])) / n
        k = int(np.argmax(dist))
        if dist[k] > eps:
            m = i + 1 + k
            keep[m] = True
            stack += [(i, m), (m, j)]
    return [p for p, k in zip(pts, keep) if k]


def _line_run(pts: list[Pt], i: int, tol: float) -> int:
    j = i + 1
    while j + 1 < len(pts) and line_deviation(pts[i : j + 2]) <= tol:
        j += 1
    return j


def _arc_run(pts: list[Pt], i: int, tol: float, min_pts: int) -> tuple[int, Arc | None]:
    j = i + min_pts - 1
    if j >= len(pts):
        return i, None
    best: Arc | None = None
    steps = [math.dist(p, q) for p, q in zip(pts[i:], pts[i + 1 :])]
    while j < len(pts):
        run = sorted(steps[: j - i])
        if run[-1] > 2.5 * run[len(run) // 2] + 0.5:  # samples of one arc are evenly spaced
            break
        fit = fit_arc(pts[i : j + 1])
        if fit is None or fit[1] > tol:
            break
        arc = fit[0]
        chord = math.dist(pts[i], pts[j])
        if arc.r > 50 * max(chord, 1.0) or abs(arc.end - arc.start) > 360.5 or chord_sag(pts[i : j + 1], arc) > max(2.0, 3.0 * tol):
            break
        best = arc
        j += 1
    return (j - 1, best) if best is not None else (i, None)


def chord_sag(pts: list[Pt], arc: Arc) -> float:
    """How far the middle of a chord between consecutive points lies off the arc (worst case).

    Samples of a curve have short chords that hug it; the corners of a polygon can all lie on
    one circle (a rectangle's four do) while its sides run well inside it."""
    mids = np.asarray([((p[0] + q[0]) / 2, (p[1] + q[1]) / 2) for p, q in zip(pts, pts[1:])])
    return float(np.abs(np.hypot(mids[:, 0] - arc.center[0], mids[:, 1] - arc.center[1]) - arc.r).max())


def _rotate_to_corner(pts: list[Pt]) -> list[Pt]:
    """Start a closed outline at its sharpest corner, so no run is split by the start point."""
    n = len(pts)
    best, best_turn = 0, -1.0
    for k in range(n):
        p, q, r = pts[k - 1], pts[k], pts[(k + 1) % n]
        a1 = math.atan2(q[1] - p[1], q[0] - p[0])
        a2 = math.atan2(r[1] - q[1], r[0] - q[0])
        turn = abs((math.degrees(a2 - a1) + 180) % 360 - 180)
        if turn > best_turn + 1e-9:
            best, best_turn = k, turn
    return pts[best:] + pts[:best]


def fit_outline(raw: list, closed: bool, tol: float = 0.6, min_arc_pts: int = 6) -> list[Piece]:
    """Split an outline into lines, arcs and splines (see module docstring)."""
    pts = dedupe(raw)
    if closed and len(pts) > 2 and math.dist(pts[0], pts[-1]) <= 0.5:
        pts = pts[:-1]
    if len(pts) < 2:
        return [Line(tuple(pts))] if pts else []
    if closed:
        pts = _rotate_to_corner(pts)
        pts = pts + [pts[0]]
    pieces: list[Piece] = []
    pending: list[Pt] = []
    i = 0
    while i < len(pts) - 1:
        j_line = _line_run(pts, i, tol)
        j_arc, arc = _arc_run(pts, i, tol, min_arc_pts)
        if arc is not None and j_arc > j_line + 1:
            piece, j = arc, j_arc
        elif j_line - i >= 2 or math.dist(pts[i], pts[j_line]) >= 6.0:
            piece, j = Line((pts[i], pts[j_line])), j_line
        else:
            pending.append(pts[i])
            i += 1
            continue
        if pending:
            pieces.append(Spline(tuple(douglas_peucker(pending + [pts[i]], tol))))
            pending = []
        if isinstance(piece, Line) and pieces and isinstance(pieces[-1], Line):
            pieces[-1] = Line(pieces[-1].pts + piece.pts[1:])
        else:
            pieces.append(piece)
        i = j
    if pending:
        pieces.append(Spline(tuple(douglas_peucker(pending + [pts[-1]], tol))))
    return [Line(tuple(douglas_peucker(list(pc.pts), tol))) if isinstance(pc, Line) else pc for pc in pieces]


def fit_ellipse(pts: list[Pt], tol: float = 0.8) -> tuple[Pt, float, float, float] | None:
    """(center, semi-axis a, semi-axis b, rotation degrees y up) when ``pts`` trace an ellipse."""
    import cv2

    if len(pts) < 8:
        return None
    arr = np.asarray(pts, dtype=np.float32)
    (cx, cy), (w, h), ang = cv2.fitEllipse(arr)
    a, b = w / 2, h / 2
    if min(a, b) < 1.0:
        return None
    t = math.radians(ang)
    # distance check: map points into the ellipse's frame and compare with the unit circle
    dx, dy = arr[:, 0] - cx, arr[:, 1] - cy
    u = (dx * math.cos(t) + dy * math.sin(t)) / a
    v = (-dx * math.sin(t) + dy * math.cos(t)) / b
    resid = float(np.abs(np.hypot(u, v) - 1).max()) * max(a, b)
    if resid > tol:
        return None
    return (float(cx), float(cy)), float(a), float(b), -float(ang)
