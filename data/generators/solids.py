"""3D solids as 2D oblique/isometric drawings (hidden edges dashed) and nets of solids."""
from __future__ import annotations

import math as _m
import random
import re

from .base import register
from .grids import boundary_cycles, compass
from .labels import fix_compass, fmt, length_label, math, vertex_names
from .style import fill_pen, fontsize, size_line

Vec = tuple[float, float, float]

HIDDEN = ["dashed", "dashed", "dashed", "linetype(\"4 4\")", "dotted", "gray+dashed"]
UNITS = ["cm", "in", "m", "ft", "mm"]


# --------------------------------------------------------------------------- 3D helpers

def _sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _crs(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


class Projection:
    """A 2x3 linear map, written the way the drawing treats depth."""

    def __init__(self, r1: Vec, r2: Vec, kind: str, v: tuple[float, float] = (0, 0)):
        self.r1, self.r2, self.kind, self.v = r1, r2, kind, v
        self.view = _crs(r1, r2)  # points toward the viewer

    def __call__(self, p: Vec) -> tuple[float, float]:
        return (_dot(self.r1, p), _dot(self.r2, p))


def oblique(rng: random.Random) -> Projection:
    t = _m.radians(rng.choice([30, 35, 40, 45, 45, 135, 145]))
    k = rng.choice([0.4, 0.5, 0.5, 0.6, 0.7])
    vx, vy = round(k * _m.cos(t), 2), round(k * _m.sin(t), 2)
    return Projection((1, vx, 0), (0, vy, 1), "oblique", (vx, vy))


def isometric(rng: random.Random) -> Projection:
    a = rng.choice([30, 30, 20, 25])
    b = rng.choice([30, 30, 40]) if a == 30 else 30
    ca, sa = round(_m.cos(_m.radians(a)), 3), round(_m.sin(_m.radians(a)), 3)
    cb, sb = round(_m.cos(_m.radians(b)), 3), round(_m.sin(_m.radians(b)), 3)
    return Projection((ca, cb, 0), (-sa, sb, 1), "iso")


def analyse(V: list[Vec], faces: list[list[int]], P: Projection):
    """Visible faces, and each edge with its (visible?, silhouette?) flags."""
    cen = tuple(sum(p[i] for p in V) / len(V) for i in range(3))
    vis = []
    for f in faces:
        a, b, c = V[f[0]], V[f[1]], V[f[2]]
        n = _crs(_sub(b, a), _sub(c, a))
        fc = tuple(sum(V[i][k] for i in f) / len(f) for k in range(3))
        if _dot(n, _sub(fc, cen)) < 0:
            n = (-n[0], -n[1], -n[2])
        vis.append(_dot(n, P.view) > 1e-6)
    edge_faces: dict[tuple[int, int], list[int]] = {}
    for fi, f in enumerate(faces):
        for i in range(len(f)):
            e = tuple(sorted((f[i], f[(i + 1) % len(f)])))
            edge_faces.setdefault(e, []).append(fi)
    edges = {}
    for e, fs in edge_faces.items():
        v = [vis[i] for i in fs]
        edges[e] = (any(v), any(v) and not all(v))
    return vis, edges


def chain(edges: list[tuple[int, int]]) -> list[list[int]]:
    """Join edges into as few polylines as a person would (cycles end with the start vertex)."""
    adj: dict[int, list[int]] = {}
    for a, b in edges:
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    used: set[tuple[int, int]] = set()
    paths = []
    remaining = set(tuple(sorted(e)) for e in edges)
    while remaining:
        odd = [v for v in sorted(adj) if sum(1 for w in adj[v] if tuple(sorted((v, w))) not in used) % 2 == 1]
        start = odd[0] if odd else min(v for e in remaining for v in e)
        path = [start]
        cur = start
        while True:
            nxt = [w for w in adj[cur] if tuple(sorted((cur, w))) not in used]
            if not nxt:
                break
            w = nxt[0]
            used.add(tuple(sorted((cur, w))))
            remaining.discard(tuple(sorted((cur, w))))
            path.append(w)
            cur = w
            if cur == start:
                break
        paths.append(path)
    return paths


def _p(q: tuple[float, float]) -> str:
    return f"({fmt(q[0])},{fmt(q[1])})"


def _perp_dir(a: tuple[float, float], b: tuple[float, float], cen: tuple[float, float]) -> str:
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    dx, dy = b[0] - a[0], b[1] - a[1]
    nx, ny = -dy, dx
    if nx * (mx - cen[0]) + ny * (my - cen[1]) < 0:
        nx, ny = -nx, -ny
    return compass(nx, ny)


def _dim(rng: random.Random, v: int, unit: str | None) -> str:
    if unit:
        return f"{v} {unit}" if rng.random() < 0.7 else f"${v}$ {unit}"
    return math(str(v))


# --------------------------------------------------------------------------- polyhedra

def _prism(base: list[tuple[float, float]], h: float, axis: str) -> tuple[list[Vec], list[list[int]]]:
    """A right prism over a polygon; axis 'z' stands it up, 'y' pushes it back (front face = base)."""
    n = len(base)
    if axis == "z":
        V = [(x, y, 0.0) for x, y in base] + [(x, y, h) for x, y in base]
    else:
        V = [(x, 0.0, z) for x, z in base] + [(x, h, z) for x, z in base]
    faces = [list(range(n)), list(range(n, 2 * n))]
    faces += [[i, (i + 1) % n, n + (i + 1) % n, n + i] for i in range(n)]
    return V, faces


def _pyramid(base: list[tuple[float, float]], apex: Vec) -> tuple[list[Vec], list[list[int]]]:
    n = len(base)
    V = [(x, y, 0.0) for x, y in base] + [apex]
    faces = [list(range(n))] + [[i, (i + 1) % n, n] for i in range(n)]
    return V, faces


def _polyhedron(rng: random.Random) -> str:
    kind = rng.choice(["cube", "box", "box", "box", "tri_prism", "tri_prism", "tent", "sq_pyramid", "sq_pyramid",
                       "tri_pyramid", "hex_prism", "pent_prism", "hex_pyramid"])
    iso_p = 0.1 if "pyramid" in kind else 0.35
    P = isometric(rng) if rng.random() < iso_p else oblique(rng)
    label_mode = rng.choice(["dims", "dims", "dims", "dims", "vertices", "vertices", "none"])
    unit = rng.choice(UNITS) if rng.random() < 0.5 else None
    dims: list[tuple[tuple[int, int], str]] = []  # (edge, text)
    extra: list[str] = []
    height_line = None
    names_style = "box"

    if kind in ("cube", "box"):
        l = rng.randint(2, 8)
        w, h = (l, l) if kind == "cube" else (rng.randint(2, 7), rng.randint(2, 7))
        if kind == "box" and l == w == h:
            l += 1
        sc = 4.0 / max(l, w, h)
        V, faces = _prism([(0, 0), (l * sc, 0), (l * sc, w * sc), (0, w * sc)], h * sc, "z")
        lengths = {"x": l, "y": w, "z": h}
        if kind == "cube":
            lengths = {"x": l, "y": l, "z": l}
    elif kind in ("tri_prism", "tent"):
        tri = rng.choice(["right", "iso", "equi", "scalene"])
        b = rng.randint(3, 8)
        if tri == "right":
            a = rng.randint(3, 7)
            base2 = [(0, 0), (b, 0), (0, a)] if rng.random() < 0.5 else [(0, 0), (b, 0), (b, a)]
        elif tri == "iso":
            base2 = [(0, 0), (b, 0), (b / 2, rng.randint(3, 6))]
        elif tri == "equi":
            base2 = [(0, 0), (b, 0), (b / 2, b * _m.sqrt(3) / 2)]
        else:
            base2 = [(0, 0), (b, 0), (rng.uniform(0.2, 0.8) * b, rng.randint(3, 6))]
        ln = rng.randint(4, 10)
        sc = 4.0 / max(b, ln, max(p[1] for p in base2))
        if kind == "tent" and P.kind == "oblique":
            # triangle faces at front and back, lying on a rectangular face
            V, faces = _prism([(x * sc, y * sc) for x, y in base2], ln * sc * 0.8, "y")
            lengths = {"y": ln, "x": b}
        else:
            # triangle in the yz plane, prism runs along x
            V0, faces = _prism([(x * sc, y * sc) for x, y in base2], ln * sc, "y")
            V = [(y, x, z) for (x, y, z) in V0]
            lengths = {"x": ln, "y": b}
        if tri == "right":
            lengths["z"] = a
        names_style = "tri"
    elif kind in ("sq_pyramid", "tri_pyramid", "hex_pyramid"):
        s = rng.randint(3, 8)
        hgt = rng.randint(max(3, s * 2 // 3), max(4, min(9, 2 * s)))
        sc = 4.0 / max(s, hgt)
        if kind == "sq_pyramid":
            base = [(0, 0), (s * sc, 0), (s * sc, s * sc), (0, s * sc)]
        elif kind == "tri_pyramid":
            base = [(0, 0), (s * sc, 0), (s * sc * rng.uniform(0.3, 0.7), s * sc * rng.uniform(0.7, 1.0))]
        else:
            base = [(s * sc / 2 * (1 + _m.cos(2 * _m.pi * i / 6)), s * sc / 2 * (1 + _m.sin(2 * _m.pi * i / 6)))
                    for i in range(6)]
        cx = sum(p[0] for p in base) / len(base)
        cy = sum(p[1] for p in base) / len(base)
        V, faces = _pyramid(base, (cx, cy, hgt * sc))
        lengths = {"x": s}
        if rng.random() < 0.6:
            height_line = ((cx, cy, 0.0), hgt)
        names_style = "pyr"
    else:
        n = 6 if kind == "hex_prism" else 5
        s = rng.randint(2, 6)
        hgt = rng.randint(3, 9)
        R = 2.0
        off = 0 if n == 6 else -90 + 36
        base = [(R + R * _m.cos(_m.radians(off + 360 * i / n)), R + R * _m.sin(_m.radians(off + 360 * i / n)))
                for i in range(n)]
        base.sort(key=lambda p: _m.atan2(p[1] - R, p[0] - R))
        V, faces = _prism(base, hgt * 4.0 / max(hgt, 2 * s), "y" if P.kind == "oblique" else "z")
        lengths = {"y" if P.kind == "oblique" else "z": hgt}
        names_style = "nprism"

    vis, edges = analyse(V, faces, P)
    Q = [P(p) for p in V]
    pc = (sum(q[0] for q in Q) / len(Q), sum(q[1] for q in Q) / len(Q))
    nV = len(V)
    names = vertex_names(rng, nV) if rng.random() < 0.4 and nV <= 8 else [chr(65 + i) for i in range(nV)]
    font = fontsize(rng)
    hid = rng.choice(HIDDEN)
    lw = rng.choice(["", "", "linewidth(1)", "linewidth(0.8)"])

    L = [size_line(rng, 150, 230) if rng.random() < 0.7 else f"unitsize({rng.choice(['0.9', '1', '1.1'])}cm);"]
    if font:
        L.append(font)
    L.append("")

    # points
    style = rng.choice(["explicit", "explicit", "shift"]) if P.kind == "oblique" and names_style in ("box", "tri") else "explicit"
    if style == "shift" and kind in ("cube", "box"):
        fr = [0, 1, 5, 4]  # front face A B F E
        L.append(f"pair {', '.join(f'{names[i]}={_p(Q[i])}' for i in fr)};")
        L.append(f"pair v = ({fmt(P.v[0] * (V[3][1]), 2)},{fmt(P.v[1] * V[3][1], 2)});  // depth")
        back = {3: 0, 2: 1, 6: 5, 7: 4}
        L.append(f"pair {', '.join(f'{names[i]}={names[j]}+v' for i, j in back.items())};")
    elif style == "shift" and kind == "tent":
        L.append(f"pair {', '.join(f'{names[i]}={_p(Q[i])}' for i in range(3))};")
        d = V[3][1]
        L.append(f"pair v = ({fmt(P.v[0] * d, 2)},{fmt(P.v[1] * d, 2)});")
        L.append(f"pair {', '.join(f'{names[i + 3]}={names[i]}+v' for i in range(3))};")
    else:
        per = 4 if nV > 4 else nV
        for s_ in range(0, nV, per):
            L.append("pair " + ", ".join(f"{names[i]}={_p(Q[i])}" for i in range(s_, min(nV, s_ + per))) + ";")
    L.append("")

    # shaded face
    if rng.random() < 0.25:
        cand = [i for i, f in enumerate(faces) if vis[i]]
        fi = rng.choice(cand)
        L.append(f"fill({'--'.join(names[i] for i in faces[fi])}--cycle, {fill_pen(rng, 0.4)});")

    # edges
    vis_e = [e for e, (v, _) in edges.items() if v]
    hid_e = [e for e, (v, _) in edges.items() if not v]
    for path in chain(vis_e):
        s = "--".join(names[i] for i in path)
        if len(path) > 3 and path[0] == path[-1]:
            s = "--".join(names[i] for i in path[:-1]) + "--cycle"
        L.append(f"draw({s}{', ' + lw if lw else ''});")
    if hid_e and rng.random() < 0.95:
        for path in chain(hid_e):
            L.append(f"draw({'--'.join(names[i] for i in path)}, {hid});")

    # height of pyramids
    occupied = []
    if height_line is not None:
        foot, hv = height_line
        fq = P(foot)
        L.append("")
        L.append(f"pair O={_p(fq)};")
        apex = names[nV - 1]
        L.append(f"draw({apex}--O, {hid});")
        if rng.random() < 0.5:
            ux = (P((1, 0, 0))[0] * 0.3, P((1, 0, 0))[1] * 0.3)
            L.append(f"draw(O+({fmt(ux[0])},{fmt(ux[1])})--O+({fmt(ux[0])},{fmt(ux[1] + 0.3)})--O+(0,0.3));")
        if label_mode == "dims" and kind != "hex_pyramid" and rng.random() < 0.8:
            txt = _dim(rng, hv, unit) if rng.random() < 0.7 else "$h$"
            L.append(f'label("{txt}", ({fmt(fq[0])},{fmt((fq[1] + Q[-1][1]) / 2)}), {rng.choice(["E", "W"])});')
            occupied.append("h")

    # dimension labels on silhouette edges, one per axis
    labels = []
    if label_mode == "dims":
        done = set()
        sil = sorted((e for e, (v, s) in edges.items() if s),
                     key=lambda e: (min(Q[e[0]][1], Q[e[1]][1]), Q[e[0]][0] + Q[e[1]][0]))
        for e in sil:
            d = _sub(V[e[1]], V[e[0]])
            ax = "x" if abs(d[1]) < 1e-9 and abs(d[2]) < 1e-9 else "y" if abs(d[0]) < 1e-9 and abs(d[2]) < 1e-9 \
                else "z" if abs(d[0]) < 1e-9 and abs(d[1]) < 1e-9 else None
            if kind in ("sq_pyramid", "tri_pyramid", "hex_pyramid"):
                ax = "x" if e[1] < nV - 1 and e[0] < nV - 1 else None
                if ax and "x" in done:
                    continue
            if ax is None or ax in done or ax not in lengths:
                continue
            done.add(ax)
            val = lengths[ax]
            txt = _dim(rng, val, unit) if rng.random() < 0.85 else math({"x": "l", "y": "w", "z": "h"}[ax])
            a, b = Q[e[0]], Q[e[1]]
            labels.append(f'label("{txt}", ({fmt((a[0] + b[0]) / 2)},{fmt((a[1] + b[1]) / 2)}), {_perp_dir(a, b, pc)});')
        if kind in ("sq_pyramid", "tri_pyramid", "hex_pyramid") and "h" not in occupied and rng.random() < 0.5:
            # a slant edge
            e = max((e for e, (v, s) in edges.items() if v and nV - 1 in e), key=lambda e: Q[e[0]][0] + Q[e[1]][0])
            a, b = Q[e[0]], Q[e[1]]
            labels.append(f'label("{length_label(rng)}", ({fmt((a[0] + b[0]) / 2)},{fmt((a[1] + b[1]) / 2)}), '
                          f'{_perp_dir(a, b, pc)});')
    vlabels = []
    if label_mode == "vertices" and nV <= 8:
        for i in range(nV):
            if i in [e for ed in hid_e for e in ed] and all(i in ed for ed in hid_e) and rng.random() < 0.15:
                continue
            vlabels.append(f'label("${names[i]}$", {names[i]}, {compass(Q[i][0] - pc[0], Q[i][1] - pc[1])});')
        if kind in ("cube", "box") and rng.random() < 0.4:
            a, b = rng.choice([(0, 6), (1, 7), (0, 5), (4, 6), (1, 6), (0, 2), (4, 1)])
            col = rng.choice(["red", "blue", "linewidth(1)", "heavygreen"])
            face = next((fi for fi, f in enumerate(faces) if a in f and b in f), None)
            inside = face is None or not vis[face]
            L.append(f"draw({names[a]}--{names[b]}, {col + '+' + hid if inside else col});")
    if labels or vlabels:
        L.append("")
        L += labels + vlabels
    return fix_compass("\n".join(L), "dir")


# --------------------------------------------------------------------------- round solids

def _round_solid(rng: random.Random) -> str:
    kind = rng.choice(["cylinder", "cylinder", "cone", "cone", "sphere", "lying_cylinder", "hemisphere"])
    unit = rng.choice(UNITS) if rng.random() < 0.5 else None
    r_val = rng.randint(2, 9)
    h_val = rng.randint(3, 15)
    r = rng.choice([1, 1.5, 2])
    h = round(max(1.2 * r, min(3.5 * r, r * h_val / r_val)), 1)
    e = rng.choice([0.3, 0.35, 0.4, 0.25])
    hid = rng.choice(HIDDEN)
    font = fontsize(rng)
    extent = {"cylinder": max(2 * r, h), "cone": max(2 * r, h), "lying_cylinder": 1.3 * h + 0.4 * r}.get(kind, 2 * r)
    u = _round_unit(rng.uniform(130, 200) / extent / 28.35)
    L = [size_line(rng, 150, 220) if rng.random() < 0.7 else f"unitsize({fmt(u)}cm);"]
    if font:
        L.append(font)
    L.append("")
    rl = _dim(rng, r_val, unit) if rng.random() < 0.8 else "$r$"
    hl = _dim(rng, h_val, unit) if rng.random() < 0.8 else "$h$"
    diam = rng.random() < 0.2
    if diam:
        rl = _dim(rng, 2 * r_val, unit)
    fill = rng.random() < 0.2

    if kind in ("cylinder", "cone"):
        if rng.random() < 0.5:
            L.append(f"real r = {fmt(r)}, h = {fmt(h)};")
            R, H = "r", "h"
        else:
            R, H = fmt(r), fmt(h)
        ell = f"xscale({R})*yscale({fmt(e)}*{R})" if R == "r" else f"xscale({R})*yscale({fmt(e * r)})"
        if kind == "cylinder":
            if fill:
                L.append(f"fill(ellipse((0,{H}), {R}, {fmt(e * r) if R != 'r' else fmt(e) + '*r'}), {fill_pen(rng, 0.4)});")
            L.append(f"draw(ellipse((0,{H}), {R}, {fmt(e * r) if R != 'r' else fmt(e) + '*r'}));")
            L.append(f"draw({ell}*arc((0,0), 1, 180, 360));")
            L.append(f"draw({ell}*arc((0,0), 1, 0, 180), {hid});")
            L.append(f"draw((-{R},0)--(-{R},{H}));")
            L.append(f"draw(({R},0)--({R},{H}));")
            L.append("")
            top = rng.random() < 0.6
            y = H if top else "0"
            if diam:
                L.append(f"draw((-{R},{y})--({R},{y}){', ' + hid if not top else ''});")
            else:
                L.append(f"draw((0,{y})--({R},{y}){', ' + hid if not top else ''});")
                L.append(f"dot((0,{y}));")
            L.append(f'label("{rl}", ({"0" if diam else R + "/2"},{y}), {"N" if top else "N"});')
            L.append(f'label("{hl}", ({R},{H}/2), E);')
        else:
            if fill:
                L.append(f"fill((0,{H})--{ell}*arc((0,0), 1, 180, 360)--cycle, {fill_pen(rng, 0.4)});")
            L.append(f"draw({ell}*arc((0,0), 1, 180, 360));")
            L.append(f"draw({ell}*arc((0,0), 1, 0, 180), {hid});")
            L.append(f"draw((-{R},0)--(0,{H})--({R},0));")
            L.append("")
            show_h = rng.random() < 0.75
            if show_h:
                L.append(f"draw((0,0)--(0,{H}), {hid});")
                if rng.random() < 0.6:
                    s = fmt(0.15 * r)
                    L.append(f"draw((0,{s})--({s},{s})--({s},0));")
            L.append(f"draw((0,0)--({R},0){', ' + hid if rng.random() < 0.5 else ''});")
            L.append("dot((0,0));")
            L.append(f'label("{rl if not diam else _dim(rng, r_val, unit)}", ({R}/2,0), {"N" if show_h else "S"});')
            if show_h:
                L.append(f'label("{hl}", (0,{H}/2), W);')
            if rng.random() < 0.5 or not show_h:
                sl = length_label(rng) if rng.random() < 0.5 else "$\\ell$"
                L.append(f'label("{sl}", ({R}/2,{H}/2), NE);')
    elif kind == "lying_cylinder":
        ln = round(h * 1.3, 1)
        L.append(f"real r = {fmt(r)}, L = {fmt(ln)};")
        L.append(f"draw(ellipse((L,0), {fmt(e)}*r, r));")
        L.append(f"draw(xscale({fmt(e)}*r)*yscale(r)*arc((0,0), 1, 90, 270));")
        L.append(f"draw(xscale({fmt(e)}*r)*yscale(r)*arc((0,0), 1, -90, 90), {hid});")
        L.append("draw((0,r)--(L,r));")
        L.append("draw((0,-r)--(L,-r));")
        L.append("")
        L.append("draw((L,0)--(L,r));")
        L.append(f'label("{rl if not diam else _dim(rng, r_val, unit)}", (L+{fmt(e)}*r,r/2), E);')
        L.append(f'label("{hl}", (L/2,-r), S);')
    else:
        hemi = kind == "hemisphere"
        L.append(f"real r = {fmt(r)};")
        if hemi:
            if fill:
                L.append(f"fill(arc((0,0), r, 180, 360)--cycle, {fill_pen(rng, 0.4)});")
            L.append("draw(arc((0,0), r, 180, 360));")
            L.append(f"draw(ellipse((0,0), r, {fmt(e)}*r));")
        else:
            if fill:
                L.append(f"fill(circle((0,0), r), {fill_pen(rng, 0.4)});")
            L.append("draw(circle((0,0), r));")
            L.append(f"draw(xscale(r)*yscale({fmt(e)}*r)*arc((0,0), 1, 180, 360));")
            L.append(f"draw(xscale(r)*yscale({fmt(e)}*r)*arc((0,0), 1, 0, 180), {hid});")
        L.append("")
        L.append("dot((0,0));")
        txt = rl if not diam else _dim(rng, r_val, unit)
        how = rng.choice(["end", "up", "slant"]) if not hemi else "end"
        if how == "end":
            L.append("draw((0,0)--(r,0));" if rng.random() < 0.6 else f"draw((0,0)--(r,0), {hid});")
            L.append(f'label("{txt}", (r,0), E);')
        elif how == "up":
            L.append("draw((0,0)--(0,r));")
            L.append(f'label("{txt}", (0,{fmt(0.6 if e < 0.35 else 0.7)}*r), E);')
        else:
            a = rng.choice([40, 50, 130, 140])
            L.append(f"draw((0,0)--r*dir({a}));")
            L.append(f'label("{txt}", {fmt(0.6)}*r*dir({a}), {"NW" if a < 90 else "NE"});')
    return fix_compass("\n".join(L), "dir")


@register("solid_3d")
def solid_3d(rng: random.Random) -> str:
    if rng.random() < 0.35:
        return _round_solid(rng)
    return _polyhedron(rng)


# --------------------------------------------------------------------------- nets

def _cube_nets() -> list[list[tuple[int, int]]]:
    nets = []
    for a, b in [(0, 0), (0, 1), (0, 2), (0, 3), (1, 1), (1, 2)]:
        nets.append([(0, 1), (1, 1), (2, 1), (3, 1), (a, 2), (b, 0)])
    for c in (1, 2, 3):
        nets.append([(0, 2), (1, 2), (1, 1), (2, 1), (3, 1), (c, 0)])
    nets.append([(0, 2), (1, 2), (1, 1), (2, 1), (2, 0), (3, 0)])
    nets.append([(0, 1), (1, 1), (2, 1), (2, 0), (3, 0), (4, 0)])
    return nets


CUBE_NETS = _cube_nets()


def _transform(cells: list[tuple[int, int]], rng: random.Random) -> list[tuple[int, int]]:
    k = rng.randrange(4)
    flip = rng.random() < 0.5
    out = []
    for x, y in cells:
        if flip:
            x = -x
        for _ in range(k):
            x, y = -y, x
        out.append((x, y))
    mx, my = min(p[0] for p in out), min(p[1] for p in out)
    return sorted((x - mx, y - my) for x, y in out)


def _fold_lines(cells: list[tuple[int, int]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    s = set(cells)
    out = []
    for (i, j) in cells:
        if (i + 1, j) in s:
            out.append(((i + 1, j), (i + 1, j + 1)))
        if (i, j + 1) in s:
            out.append(((i, j + 1), (i + 1, j + 1)))
    return out


def _cube_net(rng: random.Random, L: list[str]) -> None:
    cells = _transform(rng.choice(CUBE_NETS), rng)
    style = rng.choice(["array", "boxes", "outline", "outline"])
    if rng.random() < 0.3:
        fi = rng.randrange(6)
        c = cells[fi]
        L.append(f"fill(shift({c[0]},{c[1]})*unitsquare, {fill_pen(rng, 0.4)});")
    if style == "array":
        L.append(f"pair[] sq = {{{', '.join(f'({i},{j})' for i, j in cells)}}};")
        L.append("for (int k = 0; k < 6; ++k)")
        L.append(f"  draw(shift(sq[k])*unitsquare{', linewidth(1)' if rng.random() < 0.3 else ''});")
    elif style == "boxes":
        for i, j in cells:
            L.append(f"draw(box(({i},{j}),({i + 1},{j + 1})));")
    else:
        cyc = boundary_cycles(set(cells))[0]
        L.append(f"draw({'--'.join(f'({x},{y})' for x, y in cyc)}--cycle, linewidth({rng.choice(['1', '1.2', '0.8'])}));")
        hid = rng.choice(HIDDEN)
        for a, b in _fold_lines(cells):
            L.append(f"draw(({a[0]},{a[1]})--({b[0]},{b[1]}), {hid});")
    mode = rng.choice(["numbers", "letters", "none", "words", "numbers"])
    if mode == "none":
        return
    L.append("")
    if mode == "numbers":
        tags = [math(str(i)) for i in rng.sample(range(1, 7), 6)]
    elif mode == "letters":
        tags = [math(c) for c in vertex_names(rng, 6)]
    else:
        tags = ["Top", "Front", "Right", "Back", "Left", "Bottom"]
        rng.shuffle(tags)
        tags = tags[:rng.randint(1, 3)] + [""] * 6
    if mode == "numbers" and rng.random() < 0.5:
        L.append(f"string[] s = {{{', '.join(chr(34) + t + chr(34) for t in tags)}}};")
        L.append("for (int k = 0; k < 6; ++k)")
        L.append(f"  label(s[k], {'sq[k]' if style == 'array' else 'p[k]'} + (0.5,0.5));")
        if style != "array":
            L.insert(len(L) - 3, f"pair[] p = {{{', '.join(f'({i},{j})' for i, j in cells)}}};")
        return
    for (i, j), t in zip(cells, tags):
        if t:
            L.append(f'label("{t}", ({i + 0.5},{j + 0.5}));')


def _round_unit(v: float, q: float = 0.1) -> float:
    return max(q, round(v / q) * q)


def _rect(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"box(({fmt(x0)},{fmt(y0)}),({fmt(x1)},{fmt(y1)}))"


def _box_net(rng: random.Random, L: list[str]) -> None:
    l, w, h = rng.randint(3, 8), rng.randint(2, 5), rng.randint(2, 6)
    unit = rng.choice(UNITS) if rng.random() < 0.5 else None
    sc = 8.0 / max(2 * (l + w), 2 * w + h + 0.01)
    L.insert(1, f"real l = {fmt(l * sc)}, w = {fmt(w * sc)}, h = {fmt(h * sc)};")
    widths = ["l", "w", "l", "w"]
    xs = ["0", "l", "l+w", "2*l+w", "2*l+2*w"]
    top_at = rng.choice([0, 2])
    bot_at = rng.choice([0, 2])
    L.append("// side faces")
    for k in range(4):
        L.append(f"draw(box(({xs[k]},0),({xs[k + 1]},h)));")
    L.append("// top and bottom")
    L.append(f"draw(box(({xs[top_at]},h),({xs[top_at + 1]},h+w)));")
    L.append(f"draw(box(({xs[bot_at]},-w),({xs[bot_at + 1]},0)));")
    if rng.random() < 0.3:
        L.insert(L.index("// side faces"), f"fill(box((0,0),(l,h)), {fill_pen(rng, 0.4)});")
    if rng.random() < 0.85:
        L.append("")
        L.append(f'label("{_dim(rng, l, unit)}", ({"l/2" if top_at == 0 else "l+w+l/2"},h+w), N);')
        L.append(f'label("{_dim(rng, h, unit)}", (2*l+2*w,h/2), E);')
        L.append(f'label("{_dim(rng, w, unit)}", ({xs[top_at]},h+w/2), W);')
        if rng.random() < 0.4:
            L.append(f'label("{_dim(rng, w, unit)}", (l+w/2,0), S);')


def _tri_prism_net(rng: random.Random, L: list[str]) -> None:
    sides = rng.choice([(3, 4, 5), (5, 5, 6), (4, 4, 4), (6, 6, 6), (5, 5, 8), (6, 8, 10), (5, 12, 13)])
    a, b, c = rng.sample(sides, 3)
    ln = rng.randint(max(a, b, c) // 2 + 2, max(a, b, c) + 6)
    unit = rng.choice(UNITS) if rng.random() < 0.5 else None
    sc = 9.0 / (a + b + c)
    ws = [a * sc, b * sc, c * sc]
    H = ln * sc * 0.8
    xs = [0.0, ws[0], ws[0] + ws[1], ws[0] + ws[1] + ws[2]]
    hid = rng.choice(HIDDEN + ["", ""])
    folds = hid != ""
    for k in range(3):
        L.append(f"draw({_rect(xs[k], 0, xs[k + 1], H)}{', linewidth(1)' if not folds else ''});" if not folds else
                 f"draw({_rect(xs[k], 0, xs[k + 1], H)});")
    # triangles on the middle face
    s, dl, dr = ws[1], ws[0], ws[2]
    x = (dl * dl - dr * dr + s * s) / (2 * s)
    y = _m.sqrt(max(0.01, dl * dl - x * x))
    px = xs[1] + x
    L.append(f"pair T=({fmt(px)},{fmt(H + y)}), U=({fmt(px)},{fmt(-y)});")
    L.append(f"draw(({fmt(xs[1])},{fmt(H)})--T--({fmt(xs[2])},{fmt(H)}));")
    L.append(f"draw(({fmt(xs[1])},0)--U--({fmt(xs[2])},0));")
    if rng.random() < 0.8:
        L.append("")
        sl = [_dim(rng, v, unit) for v in (a, b, c)]
        L.append(f'label("{sl[0]}", ({fmt(xs[0] + ws[0] / 2)},0), S);')
        L.append(f'label("{sl[1]}", ({fmt((xs[1] + xs[2]) / 2)},{fmt(H)}), S);' if rng.random() < 0.5 else
                 f'label("{sl[1]}", ({fmt((xs[1] + xs[2]) / 2)},{fmt(H / 2)}));')
        L.append(f'label("{sl[2]}", ({fmt(xs[2] + ws[2] / 2)},0), S);')
        L.append(f'label("{_dim(rng, ln, unit)}", ({fmt(xs[3])},{fmt(H / 2)}), E);')


def _pyramid_net(rng: random.Random, L: list[str]) -> None:
    s = rng.randint(3, 8)
    t = rng.randint(max(3, s // 2 + 1), s + 5)
    unit = rng.choice(UNITS) if rng.random() < 0.5 else None
    sc = 6.0 / (s + 2 * t)
    a, b = s * sc, t * sc
    L.append(f"real s = {fmt(a)}, t = {fmt(b)};")
    L.append("draw(box((0,0),(s,s)));")
    style = rng.choice(["explicit", "loop"])
    if style == "loop":
        L.append("pair c = (s/2,s/2);")
        L.append("for (int k = 0; k < 4; ++k) {")
        L.append("  pair u = dir(90*k);")
        L.append("  pair m = c + s/2*u, v = (-u.y, u.x);")
        L.append("  draw(m + s/2*v--m + t*u--m - s/2*v);")
        L.append("}")
    else:
        L.append("draw((0,s)--(s/2,s+t)--(s,s));")
        L.append("draw((s,0)--(s+t,s/2)--(s,s));")
        L.append("draw((0,0)--(s/2,-t)--(s,0));")
        L.append("draw((0,0)--(-t,s/2)--(0,s));")
    if rng.random() < 0.85:
        L.append("")
        L.append(f'label("{_dim(rng, s, unit)}", (s/2,0), N);')
        if rng.random() < 0.6:
            L.append(f"draw((s/2,s)--(s/2,s+t), {rng.choice(HIDDEN)});")
            L.append(f'label("{_dim(rng, t, unit)}", (s/2,s+t/2), E);')
        else:
            L.append(f'label("{_dim(rng, t, unit)}", (s+t/2,s/2), N);')


def _tetra_net(rng: random.Random, L: list[str]) -> None:
    L.append("pair A=(0,0), B=(4,0), C=2*dir(60)*2;")
    L.append("pair D=(A+B)/2, E=(B+C)/2, F=(C+A)/2;")
    L.append("draw(A--B--C--cycle);")
    hid = rng.choice(HIDDEN + ["", ""])
    L.append(f"draw(D--E--F--cycle{', ' + hid if hid else ''});")
    if rng.random() < 0.6:
        tags = rng.sample(range(1, 5), 4)
        L.append("")
        L.append(f'label("${tags[0]}$", (A+D+F)/3);')
        L.append(f'label("${tags[1]}$", (D+B+E)/3);')
        L.append(f'label("${tags[2]}$", (F+E+C)/3);')
        L.append(f'label("${tags[3]}$", (D+E+F)/3);')
    if rng.random() < 0.4:
        L.append(f'label("{length_label(rng)}", (A+D)/2, S);')


def _cylinder_net(rng: random.Random, L: list[str]) -> None:
    r_val, h_val = rng.randint(1, 6), rng.randint(2, 12)
    unit = rng.choice(UNITS) if rng.random() < 0.5 else None
    r = 1.0
    h = max(1.5, min(5.0, h_val / r_val * 1.0))
    W = round(2 * _m.pi * r, 2)
    pos = rng.choice(["r", "W/2", "W-r"])
    L.append(f"real r = {fmt(r)}, h = {fmt(h)}, W = 2*pi*r;")
    L.append("draw(box((0,0),(W,h)));")
    L.append(f"draw(circle(({pos},h+r), r));")
    L.append(f"draw(circle(({pos},-r), r));")
    if rng.random() < 0.85:
        L.append("")
        L.append(f"dot(({pos},h+r));")
        L.append(f"draw(({pos},h+r)--({pos}+r,h+r));")
        L.append(f'label("{_dim(rng, r_val, unit) if rng.random() < 0.7 else "$r$"}", ({pos}+r/2,h+r), N);')
        L.append(f'label("{_dim(rng, h_val, unit) if rng.random() < 0.7 else "$h$"}", (W,h/2), E);')
        if rng.random() < 0.6:
            x = "3*W/4" if pos != "W-r" else "W/4"
            txt = rng.choice(["$2\\pi r$", f"${2 * r_val}\\pi$", "Circumference"])
            L.append(f'label("{txt}", ({x},h), S);')


def _cone_net(rng: random.Random, L: list[str]) -> None:
    r_val = rng.randint(2, 6)
    s_val = rng.randint(r_val + 2, 3 * r_val + 1)
    unit = rng.choice(UNITS) if rng.random() < 0.5 else None
    ang = round(360 * r_val / s_val)
    s = 3.0
    r = round(s * r_val / s_val, 2)
    a0 = 90 - ang / 2
    L.append(f"real s = {fmt(s)}, r = {fmt(r)};")
    L.append(f"draw((0,0)--arc((0,0), s, {fmt(a0)}, {fmt(a0 + ang)})--cycle);")
    L.append("draw(circle((0,s+r), r));")
    if rng.random() < 0.85:
        L.append("")
        L.append(f'label("{_dim(rng, s_val, unit)}", s/2*dir({fmt(a0)}), SE);')
        L.append("dot((0,s+r));")
        L.append("draw((0,s+r)--(r,s+r));")
        L.append(f'label("{_dim(rng, r_val, unit)}", (r/2,s+r), N);')
        if rng.random() < 0.4:
            L.append(f'label("${ang}^\\circ$", (0,0), {"N" if ang < 200 else "2N"});')


@register("net")
def net(rng: random.Random) -> str:
    kind = rng.choice(["cube", "cube", "cube", "box", "box", "tri", "pyr", "tetra", "cyl", "cone"])
    font = fontsize(rng)
    L = [size_line(rng, 150, 250) if rng.random() < 0.6 else f"unitsize({rng.choice(['0.6', '0.7', '0.8'])}cm);"]
    if L[0].startswith("unitsize"):
        L[0] = "unitsize(NETUNITcm);"
    if font:
        L.append(font)
    L.append("")
    {"cube": _cube_net, "box": _box_net, "tri": _tri_prism_net, "pyr": _pyramid_net, "tetra": _tetra_net,
     "cyl": _cylinder_net, "cone": _cone_net}[kind](rng, L)
    code = "\n".join(L)
    if "NETUNIT" in code:
        span = {"box": 8, "tri": 9, "pyr": 6, "tetra": 4, "cyl": 6.5, "cone": 6}.get(kind, 0)
        if kind == "cube":
            span = max(max(int(v) for xy in re.findall(r"\((\d+),(\d+)\)", code) for v in xy) + 1, 3)
        code = code.replace("NETUNIT", fmt(_round_unit(rng.uniform(140, 220) / span / 28.35), 2))
    return fix_compass(code, "dir")
