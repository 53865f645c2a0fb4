"""Thinning and the skeleton's pixel graph (junctions, endpoints and the chains between them).

OpenCV's contrib ``ximgproc.thinning`` is not available, so thinning is Zhang-Suen (with Lu
and Wang's correction, which keeps two-pixel-thick diagonal lines that plain Zhang-Suen
erases) done with a 256-entry lookup table over each ink pixel's 8-neighbour code, followed
by a pass that removes staircase corners so every chain is one pixel wide and 8-connected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

# Neighbour order P2..P9 (N, NE, E, SE, S, SW, W, NW) as (dy, dx); bit k is neighbour k.
_NB = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))


def _bits(code: int) -> list[int]:
    return [(code >> k) & 1 for k in range(8)]


def _zs_tables() -> tuple[np.ndarray, np.ndarray]:
    t1 = np.zeros(256, bool)
    t2 = np.zeros(256, bool)
    for code in range(256):
        p = _bits(code)
        b = sum(p)
        a = sum(1 for k in range(8) if p[k] == 0 and p[(k + 1) % 8] == 1)
        if not (3 <= b <= 6 and a == 1):  # 3, not 2 (Lu & Wang): keeps 2-pixel diagonal lines
            continue
        n, e, s, w = p[0], p[2], p[4], p[6]
        t1[code] = n * e * s == 0 and e * s * w == 0
        t2[code] = n * e * w == 0 and n * s * w == 0
    return t1, t2


def _corner_tables() -> list[np.ndarray]:
    """Staircase corners: two 4-neighbours at right angles and nothing on the opposite side."""
    out = []
    for first in (0, 2, 4, 6):
        second = (first + 2) % 8
        opp = [(first + 4) % 8, (first + 5) % 8, (first + 6) % 8]  # e.g. N,E set -> S, SW, W clear
        t = np.zeros(256, bool)
        for code in range(256):
            p = _bits(code)
            t[code] = p[first] and p[second] and not any(p[k] for k in opp)
        out.append(t)
    return out


_ZS1, _ZS2 = _zs_tables()
_CORNERS = _corner_tables()


def _codes(img: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    code = np.zeros(len(ys), np.int32)
    for k, (dy, dx) in enumerate(_NB):
        code |= img[ys + dy, xs + dx].astype(np.int32) << k
    return code


def thin(mask: np.ndarray) -> np.ndarray:
    """One-pixel-wide, 8-connected skeleton of a boolean mask (Zhang-Suen + corner cleanup)."""
    img = np.pad(mask.astype(np.uint8), 1)
    ys, xs = np.nonzero(img)
    while len(ys):
        changed = False
        for table in (_ZS1, _ZS2):
            code = _codes(img, ys, xs)
            kill = table[code]
            if kill.any():
                img[ys[kill], xs[kill]] = 0
                changed = True
                ys, xs = ys[~kill], xs[~kill]
        if not changed:
            break
    for table in _CORNERS:
        code = _codes(img, ys, xs)
        kill = table[code]
        if kill.any():
            img[ys[kill], xs[kill]] = 0
            ys, xs = ys[~kill], xs[~kill]
    return img[1:-1, 1:-1].astype(bool)


@dataclass
class Node:
    """A junction cluster or a free end of the skeleton, in graph coordinates (pixel centre + 0.5)."""

    xy: tuple[float, float]
    kind: str  # "junction" | "end" (later stages may mark one "head")
    chains: list[int] = field(default_factory=list)
    ref: int = -1


@dataclass
class Chain:
    """An ordered run of skeleton pixels between two nodes (or a closed loop: ``a == b is None``)."""

    pts: np.ndarray  # (n, 2) float, graph coordinates, ordered from node a to node b
    a: int | None
    b: int | None

    @property
    def closed(self) -> bool:
        return self.a is None and self.b is None

    def length(self) -> float:
        return float(np.hypot(*np.diff(self.pts, axis=0).T).sum()) if len(self.pts) > 1 else 0.0


@dataclass
class PixelGraph:
    nodes: list[Node]
    chains: list[Chain]


def _neighbour_count(skel: np.ndarray) -> np.ndarray:
    k = np.ones((3, 3), np.float32)
    k[1, 1] = 0
    return cv2.filter2D(skel.astype(np.uint8), cv2.CV_16S, k, borderType=cv2.BORDER_CONSTANT)


def pixel_graph(skel: np.ndarray) -> PixelGraph:
    """Split the skeleton at junction pixels into chains and record which node each chain ends at."""
    skel = skel.copy()
    nb = _neighbour_count(skel)
    skel &= nb > 0  # isolated pixels are specks, handled elsewhere
    nb = _neighbour_count(skel)
    junction = skel & (nb >= 3)
    n_j, jlab = cv2.connectedComponents(junction.astype(np.uint8), connectivity=8)
    nodes: list[Node] = []
    jnode: dict[int, int] = {}
    jy, jx = np.nonzero(junction)
    jl = jlab[jy, jx]
    order = np.argsort(jl, kind="stable")
    jy, jx, jl = jy[order], jx[order], jl[order]
    jb = np.searchsorted(jl, np.arange(1, n_j + 1))
    for j in range(1, n_j):
        sl = slice(jb[j - 1], jb[j])
        jnode[j] = len(nodes)
        nodes.append(Node((float(jx[sl].mean()) + 0.5, float(jy[sl].mean()) + 0.5), "junction"))
    rest = skel & ~junction
    chains: list[Chain] = []
    jpad = np.pad(jlab, 1)
    for pts, closed in _walk_chains(rest):
        if closed:
            chains.append(Chain(pts[:, ::-1].astype(float) + 0.5, None, None))
            continue
        ends = []
        first = 0
        for p in (pts[0], pts[-1]):
            js = _touching_junctions(p, jpad)
            # a one-pixel bridge touches two junctions: give each end its own
            j = next((v for v in js if v != first), js[0] if js else 0)
            first = j
            if j:
                ends.append((jnode[j], np.array(nodes[jnode[j]].xy)))
            else:
                nodes.append(Node((float(p[1]) + 0.5, float(p[0]) + 0.5), "end"))
                ends.append((len(nodes) - 1, None))
        xy = pts[:, ::-1].astype(float) + 0.5
        if ends[0][1] is not None:
            xy = np.vstack([ends[0][1][None], xy])
        if ends[1][1] is not None:
            xy = np.vstack([xy, ends[1][1][None]])
        chains.append(Chain(xy, ends[0][0], ends[1][0]))
        nodes[ends[0][0]].chains.append(len(chains) - 1)
        nodes[ends[1][0]].chains.append(len(chains) - 1)
    # Junction clusters joined directly (adjacent clusters, no chain pixels between) get a zero chain.
    return PixelGraph(nodes, chains)


def _touching_junctions(p: np.ndarray, jpad: np.ndarray) -> list[int]:
    y, x = int(p[0]) + 1, int(p[1]) + 1
    win = jpad[y - 1 : y + 2, x - 1 : x + 2]
    return sorted(set(int(v) for v in win[win > 0]))


_WALK = ((-1, 0), (0, 1), (1, 0), (0, -1), (-1, 1), (1, 1), (1, -1), (-1, -1))  # 4-neighbours first


def _walk_chains(rest: np.ndarray) -> list[tuple[np.ndarray, bool]]:
    """Ordered pixel runs (y, x) of a skeleton without junctions; loops come back closed."""
    ys, xs = np.nonzero(rest)
    n = len(ys)
    if n == 0:
        return []
    idx = np.full((rest.shape[0] + 2, rest.shape[1] + 2), -1, np.int64)
    idx[ys + 1, xs + 1] = np.arange(n)
    nbr = np.stack([idx[ys + 1 + dy, xs + 1 + dx] for dy, dx in _WALK], axis=1)
    deg = (nbr >= 0).sum(1)
    nbl = [[j for j in row if j >= 0] for row in nbr.tolist()]
    seen = [False] * n
    out = []

    def walk(start: int) -> list[int]:
        order = [start]
        seen[start] = True
        cur = start
        while True:
            for j in nbl[cur]:
                if not seen[j]:
                    seen[j] = True
                    order.append(j)
                    cur = j
                    break
            else:
                return order

    for s in np.nonzero(deg <= 1)[0].tolist():
        if not seen[s]:
            order = walk(s)
            out.append((np.stack([ys[order], xs[order]], axis=1), False))
    for s in range(n):
        if not seen[s]:
            order = walk(s)
            pts = np.stack([ys[order], xs[order]], axis=1)
            closed = len(order) > 4 and int(np.abs(pts[0] - pts[-1]).max()) <= 1
            out.append((pts, closed))
    return out
