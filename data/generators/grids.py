"""Grids of unit squares and dot lattices, with shaded cells or lattice polygons."""
from __future__ import annotations

import math as _m
import random
import re

from .base import register
from .labels import fix_compass, fmt, vertex_names
from .style import fill_pen, fontsize, size_line

GRID_PENS = ["", "", "gray", "gray(0.6)", "gray(0.5)", "linewidth(0.3)", "dashed", "dotted", "gray+linewidth(0.3)"]
COMPASS = ["E", "NE", "N", "NW", "W", "SW", "S", "SE"]


def compass(dx: float, dy: float) -> str:
    """Nearest compass direction of a vector, as label alignments are written."""
    a = _m.degrees(_m.atan2(dy, dx)) % 360
    return COMPASS[int(((a + 22.5) % 360) // 45)]


def outward(poly: list[tuple[float, float]], i: int) -> str:
    """Compass direction pointing out of the polygon at vertex i (along the exterior bisector)."""
    a, b, c = poly[i - 1], poly[i], poly[(i + 1) % len(poly)]
    u1 = ((a[0] - b[0]) / _m.dist(a, b), (a[1] - b[1]) / _m.dist(a, b))
    u2 = ((c[0] - b[0]) / _m.dist(c, b), (c[1] - b[1]) / _m.dist(c, b))
    d = (-(u1[0] + u2[0]), -(u1[1] + u2[1]))
    if _m.hypot(*d) < 1e-6:
        d = (u1[1], -u1[0])
    orient = 1 if polygon_area(poly) > 0 else -1
    if _cross(a, b, c) * orient < 0:  # reflex corner: the bisector points inwards
        d = (-d[0], -d[1])
    return compass(*d)


def polygon_area(pts: list[tuple[float, float]]) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]))


def _cross(o, a, b) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def lattice_polygon(rng: random.Random, pts: list[tuple[float, float]], k: int,
                    min_area: float) -> list[tuple[float, float]]:
    """k lattice points joined into a simple (star-shaped) polygon without straight angles."""
    for _ in range(200):
        sel = rng.sample(pts, k)
        cx = sum(p[0] for p in sel) / k
        cy = sum(p[1] for p in sel) / k
        sel.sort(key=lambda p: _m.atan2(p[1] - cy, p[0] - cx))
        if abs(polygon_area(sel)) < min_area:
            continue
        ok = True
        for i in range(k):
            a, b, c = sel[i - 1], sel[i], sel[(i + 1) % k]
            # no straight or very sharp corners
            cr = _cross(a, b, c)
            la = _m.dist(a, b) * _m.dist(b, c)
            if abs(cr) / la < 0.2:
                ok = False
        if ok:
            return sel
    # fallback: a right triangle
    return [pts[0], pts[1], pts[-1]]


def _pt(p: tuple[float, float], nd: int = 3) -> str:
    return f"({fmt(p[0], nd)},{fmt(p[1], nd)})"


def boundary_cycles(cells: set[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Outlines of a set of unit cells, as vertex cycles with straight runs merged."""
    edges: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for (i, j) in cells:
        # counter-clockwise around each cell; keep edges whose neighbour is empty
        for (a, b, nb) in [((i, j), (i + 1, j), (i, j - 1)), ((i + 1, j), (i + 1, j + 1), (i + 1, j)),
                           ((i + 1, j + 1), (i, j + 1), (i, j + 1)), ((i, j + 1), (i, j), (i - 1, j))]:
            if nb not in cells:
                edges.setdefault(a, []).append(b)
    cycles = []
    while edges:
        start = next(iter(edges))
        cyc = [start]
        cur = start
        while True:
            nxt = edges[cur].pop()
            if not edges[cur]:
                del edges[cur]
            if nxt == start:
                break
            cyc.append(nxt)
            cur = nxt
            if cur not in edges:
                break
        # merge collinear runs
        out = []
        n = len(cyc)
        for t in range(n):
            a, b, c = cyc[t - 1], cyc[t], cyc[(t + 1) % n]
            if (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]) != 0:
                out.append(b)
        cycles.append(out)
    return cycles


def _polyomino(rng: random.Random, m: int, n: int, k: int) -> set[tuple[int, int]]:
    cells = {(rng.randrange(m), rng.randrange(n))}
    while len(cells) < k:
        i, j = rng.choice(sorted(cells))
        di, dj = rng.choice([(1, 0), (-1, 0), (0, 1), (0, -1)])
        c = (i + di, j + dj)
        if 0 <= c[0] < m and 0 <= c[1] < n:
            cells.add(c)
    return cells


def _grid_lines(rng: random.Random, m: int, n: int, gp: str) -> list[str]:
    style = rng.choice(["loops", "loops", "cells", "one_loop"])
    gpen = f", {gp}" if gp else ""
    if style == "loops":
        return [f"for (int i = 0; i <= {m}; ++i)", f"  draw((i,0)--(i,{n}){gpen});",
                f"for (int j = 0; j <= {n}; ++j)", f"  draw((0,j)--({m},j){gpen});"]
    if style == "cells":
        return [f"for (int i = 0; i < {m}; ++i)", f"  for (int j = 0; j < {n}; ++j)",
                f"    draw(shift(i,j)*unitsquare{gpen});"]
    if m == n:
        return [f"for (int i = 0; i <= {m}; ++i) {{", f"  draw((i,0)--(i,{n}){gpen});",
                f"  draw((0,i)--({m},i){gpen});", "}"]
    return [f"for (int i = 0; i <= {m}; ++i) draw((i,0)--(i,{n}){gpen});",
            f"for (int j = 0; j <= {n}; ++j) draw((0,j)--({m},j){gpen});"]


@register("grid")
def grid(rng: random.Random) -> str:
    mode = rng.choice(["random", "block", "checker", "poly", "poly", "stripes", "stairs", "border", "polygon",
                       "polygon", "two", "percent"])
    if mode == "percent":
        m = n = 10
    else:
        m, n = rng.randint(3, 10), rng.randint(3, 8)
        if rng.random() < 0.3:
            n = m = rng.randint(4, 8)
    font = fontsize(rng)
    fp = fill_pen(rng, 0.4)
    gp = rng.choice(GRID_PENS)
    unit = rng.choice([0.4, 0.5, 0.6, 0.7, 0.8]) if max(m, n) <= 8 else rng.choice([0.4, 0.5])
    while max(m, n) * unit * 28.35 > 260:
        unit -= 0.1
    while max(m, n) * unit * 28.35 < 120:
        unit += 0.1
    L = [f"unitsize({fmt(unit, 2)}cm);" if rng.random() < 0.6 else size_line(rng, 150, 240)]
    if font:
        L.append(font)
    L.append("")

    labels_on_shape: list[str] = []
    outline: list[str] = []
    fills: list[str] = []
    if mode == "random" or mode == "two":
        k = rng.randint(2, max(3, m * n // 3))
        cells = sorted(rng.sample([(i, j) for i in range(m) for j in range(n)], k))
        if mode == "two":
            half = rng.randint(1, max(1, k - 1))
            fp2 = rng.choice(["gray(0.4)", "lightblue", "pink", "lightgreen", "gray(0.55)"])
            for c in cells[:half]:
                fills.append(f"fill(shift{_pt(c)}*unitsquare, {fp});")
            for c in cells[half:]:
                fills.append(f"fill(shift{_pt(c)}*unitsquare, {fp2});")
        elif rng.random() < 0.5:
            fills.append(f"pair[] shaded = {{{', '.join(_pt(c) for c in cells)}}};")
            fills.append("for (int k = 0; k < shaded.length; ++k)")
            fills.append(f"  fill(shift(shaded[k])*unitsquare, {fp});")
        else:
            for c in cells:
                fills.append(f"fill(shift{_pt(c)}*unitsquare, {fp});")
    elif mode == "block":
        a, b = rng.randint(1, m), rng.randint(1, n)
        if a == m and b == n:
            a -= 1
        x0, y0 = (0, 0) if rng.random() < 0.6 else (rng.randint(0, m - a), rng.randint(0, n - b))
        fills.append(f"fill(box(({x0},{y0}),({x0 + a},{y0 + b})), {fp});")
        if rng.random() < 0.4:
            outline.append(f"draw(box(({x0},{y0}),({x0 + a},{y0 + b})), linewidth(1.5));")
    elif mode == "checker":
        r = rng.choice(["(i+j) % 2 == 0", "(i+j) % 2 == 1"])
        fills += [f"for (int i = 0; i < {m}; ++i)", f"  for (int j = 0; j < {n}; ++j)",
                  f"    if ({r}) fill(shift(i,j)*unitsquare, {fp});"]
    elif mode == "stripes":
        k = rng.choice([2, 3, 3, 4])
        r = rng.randrange(k)
        expr = rng.choice([f"(i+j) % {k} == {r}", f"(i-j+{n}) % {k} == {r}", f"i % {k} == {r}", f"j % {k} == {r}"])
        fills += [f"for (int i = 0; i < {m}; ++i) {{", f"  for (int j = 0; j < {n}; ++j) {{",
                  f"    if ({expr})", f"      fill(shift(i,j)*unitsquare, {fp});", "  }", "}"]
    elif mode == "stairs":
        cond = rng.choice(["j <= i", "j < i", "i + j < N", "j >= i"]).replace("N", str(min(m, n)))
        fills += [f"for (int i = 0; i < {m}; ++i)", f"  for (int j = 0; j < {n}; ++j)",
                  f"    if ({cond}) fill(shift(i,j)*unitsquare, {fp});"]
    elif mode == "border":
        w = 1
        fills += [f"for (int i = 0; i < {m}; ++i)", f"  for (int j = 0; j < {n}; ++j)",
                  f"    if (i < {w} || j < {w} || i > {m - 1 - w} || j > {n - 1 - w})",
                  f"      fill(shift(i,j)*unitsquare, {fp});"]
    elif mode == "percent":
        k = rng.randint(5, 95)
        full, rest = divmod(k, 10)
        fills.append(f"// {k} out of 100 squares shaded")
        if full:
            fills.append(f"fill(box((0,0),({full},10)), {fp});")
        if rest:
            fills.append(f"fill(box(({full},0),({full + 1},{rest})), {fp});")
    elif mode == "poly":
        k = rng.randint(4, min(12, m * n // 2))
        cells = _polyomino(rng, m, n, k)
        for cyc in boundary_cycles(cells):
            path = "--".join(_pt(p) for p in cyc) + "--cycle"
            if rng.random() < 0.35 or len(cells) < 2:
                fills.append(f"fill({path}, {fp});")
            else:
                fills.append(f"fill({path}, {fp});")
                outline.append(f"draw({path}, linewidth({rng.choice(['1.2', '1.5', '2'])}));")
    else:  # polygon with vertices on grid points
        pts = [(i, j) for i in range(m + 1) for j in range(n + 1)]
        if rng.random() < 0.25:
            a, b = rng.randint(1, max(1, min(m, n) // 2)), rng.randint(1, max(1, min(m, n) // 2))
            x0, y0 = b, 0
            poly = [(x0, y0), (x0 + a, y0 + b), (x0 + a - b, y0 + b + a), (x0 - b, y0 + a)]
            if max(p[0] for p in poly) > m or max(p[1] for p in poly) > n:
                poly = lattice_polygon(rng, pts, 3, 1.5)
        else:
            poly = lattice_polygon(rng, pts, rng.choice([3, 3, 4, 4, 5]), max(1.5, m * n / 8))
        names = vertex_names(rng, len(poly))
        cx = sum(p[0] for p in poly) / len(poly)
        cy = sum(p[1] for p in poly) / len(poly)
        if rng.random() < 0.5:
            fills.append(f"pair {', '.join(f'{nm}={_pt(p)}' for nm, p in zip(names, poly))};")
            path = "--".join(names) + "--cycle"
        else:
            path = "--".join(_pt(p) for p in poly) + "--cycle"
            names = []
        lw = rng.choice(["linewidth(1)", "linewidth(1.2)", "linewidth(1.5)", "black+linewidth(1)", "blue+linewidth(1)"])
        if rng.random() < 0.75:
            outline.append(f"filldraw({path}, {fp}, {lw});")
        else:
            outline.append(f"draw({path}, {lw});")
        if names and rng.random() < 0.8:
            for nm, p in zip(names, poly):
                labels_on_shape.append(f'label("${nm}$", {nm}, {outward(poly, poly.index(p))});')
                if rng.random() < 0.2:
                    labels_on_shape.append(f"dot({nm});")

    if fills:
        L += fills
        L.append("")
    L += _grid_lines(rng, m, n, gp)
    if gp and rng.random() < 0.4:
        L.append(f"draw(box((0,0),({m},{n})){', linewidth(1)' if rng.random() < 0.5 else ''});")
    if outline:
        L.append("")
        L += outline
    if labels_on_shape:
        L += labels_on_shape

    # occasional row / column labels
    r = rng.random()
    if r < 0.15 and mode not in ("polygon",):
        L.append("")
        cols = ", ".join(f'"{chr(65 + i)}"' for i in range(m))
        L.append(f"string[] col = {{{cols}}};")
        L.append(f"for (int i = 0; i < {m}; ++i) label(col[i], (i+0.5,0), S);")
        L.append(f'for (int j = 0; j < {n}; ++j) label(string(j+1), (0,j+0.5), W);')
    elif r < 0.3 and mode not in ("polygon",):
        L.append("")
        u = rng.choice(["", " cm", " units", " m"])
        L.append(f'label("{m}{u}", ({fmt(m / 2)},0), S);' if u else f'label("${m}$", ({fmt(m / 2)},0), S);')
        L.append(f'label("{n}{u}", ({m},{fmt(n / 2)}), E);' if u else f'label("${n}$", ({m},{fmt(n / 2)}), E);')
    return fix_compass("\n".join(L), "dir")


# --------------------------------------------------------------------------- dot lattice

@register("dot_lattice")
def dot_lattice(rng: random.Random) -> str:
    tri = rng.random() < 0.35
    m, n = rng.randint(3, 7), rng.randint(3, 6)
    if rng.random() < 0.4:
        n = m = rng.randint(3, 6)
    what = rng.choice(["polygon", "polygon", "polygon", "segments", "two"])
    if what == "two":
        m = max(m, rng.randint(6, 8))
    font = fontsize(rng)
    dot_pen = rng.choice(["", "", "", "linewidth(3)", "gray", "gray(0.5)", "linewidth(4)"])
    dp = f", {dot_pen}" if dot_pen else ""
    L = [size_line(rng, 140, 240) if rng.random() < 0.6 else f"unitsize({rng.choice(['0.8', '1', '0.7', '0.9'])}cm);"]
    if font:
        L.append(font)
    if tri:
        L.append("real h = sqrt(3)/2;")
    L.append("")

    dots: list[str] = []
    if tri:
        pts = [(i + 0.5 * (j % 2), j * _m.sqrt(3) / 2) for j in range(n + 1) for i in range(m + 1 - (j % 2))]
        if rng.random() < 0.5:
            dots += [f"for (int j = 0; j <= {n}; ++j)", f"  for (int i = 0; i <= {m} - j % 2; ++i)",
                     f"    dot((i + 0.5*(j % 2), j*h){dp});"]
        else:
            dots += [f"for (int j = 0; j <= {n}; ++j) {{", "  real s = (j % 2 == 0) ? 0 : 0.5;",
                     f"  for (int i = 0; i <= {m}; ++i)", f"    if (i + s <= {m}) dot((i + s, j*h){dp});", "}"]
    else:
        pts = [(i, j) for i in range(m + 1) for j in range(n + 1)]
        if rng.random() < 0.6:
            dots += [f"for (int i = 0; i <= {m}; ++i)", f"  for (int j = 0; j <= {n}; ++j)", f"    dot((i,j){dp});"]
        else:
            dots += [f"for (int i = 0; i <= {m}; ++i) {{", f"  for (int j = 0; j <= {n}; ++j) {{",
                     f"    dot((i,j){dp});", "  }", "}"]

    lw = rng.choice(["", "linewidth(1)", "linewidth(1.2)", "linewidth(0.8)", "blue", "red+linewidth(1)"])
    lwp = f", {lw}" if lw else ""
    labelled = rng.random() < 0.5
    shape: list[str] = []
    filled = False

    def P(p: tuple[float, float]) -> str:
        if tri:
            j = round(p[1] / (_m.sqrt(3) / 2))
            x = fmt(p[0], 2)
            return f"({x},{j}*h)" if j not in (0, 1) else (f"({x},h)" if j == 1 else f"({x},0)")
        return _pt(p)

    if what in ("polygon", "two"):
        k = rng.choice([3, 3, 4, 4, 5, 6]) if what == "polygon" else rng.choice([3, 4])
        region = pts if what == "polygon" else [p for p in pts if p[0] <= m / 2 - 0.5]
        polys = [lattice_polygon(rng, region, k, max(1.0, len(region) / 10))]
        if what == "two":
            right = [p for p in pts if p[0] >= m / 2 + 0.5]
            polys.append(lattice_polygon(rng, right, rng.choice([3, 4]), max(1.0, len(right) / 10)))
        names = vertex_names(rng, sum(len(q) for q in polys))
        filled = rng.random() < 0.5
        fp = fill_pen(rng, 0.4)
        start = 0
        for poly in polys:
            nm = names[start:start + len(poly)]
            start += len(poly)
            if labelled:
                shape.append(f"pair {', '.join(f'{a}={P(p)}' for a, p in zip(nm, poly))};")
                path = "--".join(nm) + "--cycle"
            else:
                path = "--".join(P(p) for p in poly) + "--cycle"
            shape.append(f"filldraw({path}, {fp}{lwp});" if filled else f"draw({path}{lwp});")
            if labelled:
                for i, a in enumerate(nm):
                    shape.append(f'label("${a}$", {a}, {outward(poly, i)});')
    else:
        k = rng.randint(1, 3)
        names = vertex_names(rng, 2 * k)
        used: list[tuple[float, float]] = []
        decl, draws = [], []
        for s_ in range(k):
            for _ in range(50):
                a, b = rng.sample(pts, 2)
                if _m.dist(a, b) > 1.5 and a not in used and b not in used:
                    break
            used += [a, b]
            na, nb = names[2 * s_], names[2 * s_ + 1]
            decl.append(f"{na}={P(a)}, {nb}={P(b)}")
            draws.append((na, nb, a, b))
        shape.append(f"pair {', '.join(decl)};")
        big = rng.random() < 0.5
        for na, nb, a, b in draws:
            shape.append(f"draw({na}--{nb}{lwp});")
            if big:
                shape.append(f"dot({na}, linewidth(4)); dot({nb}, linewidth(4));")
        for na, nb, a, b in draws:
            shape.append(f'label("${na}$", {na}, {compass(a[0] - b[0], a[1] - b[1])});')
            shape.append(f'label("${nb}$", {nb}, {compass(b[0] - a[0], b[1] - a[1])});')

    if filled and rng.random() < 0.8:
        L += shape + [""] + dots
    else:
        L += dots + [""] + shape
    return fix_compass("\n".join(L), "dir")
