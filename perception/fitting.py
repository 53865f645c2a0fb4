"""Geometric fitting on ordered point runs: lines, circles, and splitting a run into pieces.

All functions work in the graph's pixel frame (x right, y down) on ``(n, 2)`` float arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LineFit:
    c: np.ndarray  # a point on the line (centroid)
    u: np.ndarray  # unit direction
    dev: float  # max perpendicular deviation
    rms: float

    def project(self, p) -> np.ndarray:
        p = np.asarray(p, float)
        return self.c + np.dot(p - self.c, self.u) * self.u

    def t(self, p) -> float:
        return float(np.dot(np.asarray(p, float) - self.c, self.u))


@dataclass(frozen=True)
class CircleFit:
    c: np.ndarray
    r: float
    dev: float  # max radial residual
    rms: float

    def project(self, p) -> np.ndarray:
        d = np.asarray(p, float) - self.c
        n = float(np.hypot(*d))
        if n < 1e-9:
            return self.c + np.array([self.r, 0.0])
        return self.c + d * (self.r / n)


def fit_line(pts: np.ndarray) -> LineFit:
    """Total least squares line."""
    c = pts.mean(axis=0)
    if len(pts) < 2:
        return LineFit(c, np.array([1.0, 0.0]), 0.0, 0.0)
    d = pts - c
    _, _, vt = np.linalg.svd(d, full_matrices=False)
    u = vt[0]
    if abs(u[0]) < 1e-12 and abs(u[1]) < 1e-12:
        u = np.array([1.0, 0.0])
    perp = np.abs(d @ np.array([-u[1], u[0]]))
    return LineFit(c, u, float(perp.max()), float(np.sqrt((perp**2).mean())))


def fit_circle(pts: np.ndarray, iters: int = 4) -> CircleFit | None:
    """Algebraic (Kasa) circle refined by a few Gauss-Newton steps on the geometric error."""
    if len(pts) < 3:
        return None
    a = np.c_[2 * pts, np.ones(len(pts))]
    b = (pts**2).sum(1)
    try:
        (cx, cy, k), *_ = np.linalg.lstsq(a, b, rcond=None)
    except np.linalg.LinAlgError:
        return None
    r2 = k + cx * cx + cy * cy
    if not np.isfinite(r2) or r2 <= 0:
        return None
    c = np.array([cx, cy])
    r = math.sqrt(r2)
    for _ in range(iters):
        d = pts - c
        dist = np.hypot(d[:, 0], d[:, 1])
        if (dist < 1e-9).any():
            break
        res = dist - r
        jac = np.c_[-d / dist[:, None], -np.ones(len(pts))]
        try:
            step, *_ = np.linalg.lstsq(jac, -res, rcond=None)
        except np.linalg.LinAlgError:
            break
        c = c + step[:2]
        r = r + step[2]
        if np.abs(step).max() < 1e-4:
            break
    if not np.isfinite(r) or r <= 0:
        return None
    res = radial_residuals(pts, c, r)
    return CircleFit(c, float(r), float(res.max()), float(np.sqrt((res**2).mean())))


def radial_residuals(pts: np.ndarray, c, r: float) -> np.ndarray:
    """Distances of ``pts`` from the circle (c, r), off it either way."""
    return np.abs(np.hypot(*(np.asarray(pts) - c).T) - r)


def angle_deg(c, p) -> float:
    """Angle of p about c in degrees, counter-clockwise with y up (the schema's convention)."""
    return math.degrees(math.atan2(-(p[1] - c[1]), p[0] - c[0]))


def sweep_deg(c, pts: np.ndarray) -> float:
    """Signed swept angle (degrees, ccw y-up) walking along pts around c."""
    ang = np.degrees(np.arctan2(-(pts[:, 1] - c[1]), pts[:, 0] - c[0]))
    d = np.diff(ang)
    d = (d + 180) % 360 - 180
    return float(d.sum())


def chord_deviation(pts: np.ndarray) -> tuple[int, float]:
    """Index and distance of the point farthest from the chord pts[0]-pts[-1]."""
    p, q = pts[0], pts[-1]
    v = q - p
    n = float(np.hypot(*v))
    if n < 1e-9:
        d = np.hypot(*(pts - p).T)
    else:
        d = np.abs((pts[:, 0] - p[0]) * v[1] - (pts[:, 1] - p[1]) * v[0]) / n
    i = int(d.argmax())
    return i, float(d[i])


@dataclass
class Piece:
    """A fitted run: ``kind`` in segment | arc | curve, over ``pts[i0:i1+1]`` of its chain."""

    kind: str
    i0: int
    i1: int
    line: LineFit | None = None
    circle: CircleFit | None = None


def _piece(pts: np.ndarray, i0: int, i1: int, tol: float, arc_tol: float, min_sweep: float,
           min_arc_len: float) -> Piece | None:  # fmt: skip
    run = pts[i0 : i1 + 1]
    lf = fit_line(run)
    if lf.dev <= tol:
        return Piece("segment", i0, i1, line=lf)
    if len(run) >= 8 and float(np.hypot(*np.diff(run, axis=0).T).sum()) >= min_arc_len:
        cf = fit_circle(run)
        if cf is not None and cf.dev <= arc_tol and cf.r < 4 * max(1.0, float(np.hypot(*(run[-1] - run[0])))) + 50:
            sw = abs(sweep_deg(cf.c, run))
            if sw >= min_sweep:
                # A true corner fits two lines better than one circle.
                k, _ = chord_deviation(run)
                if 3 <= k <= len(run) - 4:
                    l1, l2 = fit_line(run[: k + 1]), fit_line(run[k:])
                    two = math.sqrt((l1.rms**2 * (k + 1) + l2.rms**2 * (len(run) - k)) / (len(run) + 1))
                    turn = _turn(l1.u, l2.u, run[0], run[k], run[-1])
                    if max(l1.dev, l2.dev) <= tol and two < 0.8 * cf.rms and turn > 20:
                        return None
                if _concentrated_turn(run, sw):
                    return None
                return Piece("arc", i0, i1, circle=cf)
    return None


def _concentrated_turn(run: np.ndarray, sweep: float, step: int = 3) -> bool:
    """Most of the run's turning happens in one place: a corner (maybe blunted), not an arc."""
    if len(run) < 3 * step:
        return False
    d = run[step:] - run[:-step]
    ang = np.degrees(np.arctan2(d[:, 1], d[:, 0]))
    turns = (np.diff(ang) + 180) % 360 - 180
    # net direction change over a window of 2*step samples, at its largest (noise cancels out)
    k = min(len(turns), 2 * step)
    local = float(np.abs(np.convolve(turns, np.ones(k), mode="valid")).max()) if len(turns) >= k else abs(float(turns.sum()))
    return local >= 0.6 * sweep and sweep >= 40


def _hook(run: np.ndarray, tol: float, at_start: bool = True, at_end: bool = True, most: int = 3,
          min_deg: float = 30.0) -> int | None:  # fmt: skip
    """Where a straight run turns sharply in its last few pixels (a corner the split missed by
    a pixel or two: the skeleton cuts a corner diagonally, and a circle fits the hook and the
    line together); None when the run bends throughout, as an arc does."""
    for h in range(1, most + 1):
        for k, body, end, ok in ((h, run[h:], run[: h + 1], at_start), (len(run) - 1 - h, run[:-h], run[-h - 1 :], at_end)):
            if not ok or len(body) < 8 or fit_line(body).dev > tol:
                continue
            if line_angle(unit(end[-1] - end[0]), fit_line(body).u) >= min_deg:
                return k
    return None


def _turn(u1: np.ndarray, u2: np.ndarray, p0, pk, p1) -> float:
    """Turning angle (degrees) between travel direction p0->pk and pk->p1 along two fitted lines."""
    d1 = u1 if np.dot(u1, np.asarray(pk) - np.asarray(p0)) >= 0 else -u1
    d2 = u2 if np.dot(u2, np.asarray(p1) - np.asarray(pk)) >= 0 else -u2
    return math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(d1, d2))))))


def split_run(pts: np.ndarray, tol: float = 1.0, arc_tol: float = 1.0, min_sweep: float = 25.0,
              min_pts: int = 3, min_arc_len: float = 10.0) -> list[Piece]:  # fmt: skip
    """Split an ordered run into straight and circular pieces (Douglas-Peucker style recursion)."""
    out: list[Piece] = []
    stack = [(0, len(pts) - 1)]
    while stack:
        i0, i1 = stack.pop()
        if i1 - i0 + 1 <= min_pts:
            lf = fit_line(pts[i0 : i1 + 1])
            out.append(Piece("segment", i0, i1, line=lf))
            continue
        pc = _piece(pts, i0, i1, tol, arc_tol, min_sweep, min_arc_len)
        if pc is not None:
            out.append(pc)
            continue
        k, _ = chord_deviation(pts[i0 : i1 + 1])
        k += i0
        if k <= i0 or k >= i1:
            k = (i0 + i1) // 2
        stack.append((k, i1))
        stack.append((i0, k))
    out.sort(key=lambda p: p.i0)
    return _cut_corners(pts, out, tol)


def _cut_corners(pts: np.ndarray, pieces: list[Piece], tol: float, min_turn: float = 60.0, min_side: int = 8) -> list[Piece]:
    """An "arc" next to a straight piece at a sharp corner, straight but for its first pixels, is
    a straight piece: the skeleton cut the corner with a diagonal step, and a circle fitted the
    step and the side together (a plotted curve's arcs meet their neighbours smoothly)."""
    out: list[Piece] = []
    for j, pc in enumerate(pieces):
        cut = None
        if pc.kind == "arc":
            for nb, at_start in ((pieces[j - 1] if j > 0 else None, True), (pieces[j + 1] if j + 1 < len(pieces) else None, False)):
                if nb is None or nb.kind != "segment" or nb.i1 - nb.i0 < min_side:
                    continue
                run = pts[pc.i0 : pc.i1 + 1]
                h = _hook(run, tol, at_start, not at_start)
                if h is None:
                    continue
                body = fit_line(run[h:] if at_start else run[: h + 1])
                if line_angle(body.u, fit_line(pts[nb.i0 : nb.i1 + 1]).u) >= min_turn:
                    cut = pc.i0 + h
                    break
        if cut is None:
            out.append(pc)
            continue
        for a, b in ((pc.i0, cut), (cut, pc.i1)):
            out.append(Piece("segment", a, b, line=fit_line(pts[a : b + 1])))
    return out


def line_angle(u: np.ndarray, v: np.ndarray) -> float:
    """Angle in degrees between two undirected lines."""
    return math.degrees(math.acos(min(1.0, abs(float(np.dot(u, v))))))


def unit(v) -> np.ndarray:
    v = np.asarray(v, float)
    n = float(np.hypot(*v))
    return v / n if n > 1e-12 else np.array([1.0, 0.0])


def line_intersection(lines: list[LineFit]) -> np.ndarray | None:
    """Least-squares point closest to all lines (None when they are near parallel)."""
    a = np.zeros((2, 2))
    b = np.zeros(2)
    for lf in lines:
        n = np.array([-lf.u[1], lf.u[0]])
        a += np.outer(n, n)
        b += n * np.dot(n, lf.c)
    if np.linalg.cond(a) > 1e4:
        return None
    return np.linalg.solve(a, b)


def smooth(pts: np.ndarray, k: int = 2) -> np.ndarray:
    """Moving average over 2k+1 points, ends kept."""
    if len(pts) < 2 * k + 3:
        return pts.copy()
    ker = np.ones(2 * k + 1) / (2 * k + 1)
    out = pts.copy()
    for d in range(2):
        out[k:-k, d] = np.convolve(pts[:, d], ker, mode="valid")
    return out


def resample(pts: np.ndarray, step: float) -> np.ndarray:
    """Points every ``step`` px along the polyline (ends kept)."""
    if len(pts) < 2:
        return pts.copy()
    seg = np.hypot(*np.diff(pts, axis=0).T)
    s = np.r_[0, np.cumsum(seg)]
    if s[-1] < step:
        return pts[[0, -1]].copy()
    t = np.r_[np.arange(0, s[-1], step), s[-1]]
    return np.c_[np.interp(t, s, pts[:, 0]), np.interp(t, s, pts[:, 1])]
