"""Composite-area figures: rectangles with semicircles/quarter circles, L-shapes, cut-outs."""

from __future__ import annotations

import random

from .base import register
from .labels import fix_compass
from .labels import fmt, math, vertex_names
from .style import fill_pen, fontsize, pen, size_line, with_pen

_COMPASS = {(1, 0): "E", (-1, 0): "W", (0, 1): "N", (0, -1): "S"}


class _Dims:
    """Writes dimension labels with one unit style for the whole figure."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.unit = rng.choice(["", "", "", " cm", " m", " ft", " in", " mm"])
        self.style = rng.choice(["math", "plain"]) if self.unit else "math"
        self.arrows = rng.random() < 0.3
        self.bars = rng.random() < 0.4

    def text(self, v: float) -> str:
        s = fmt(v, 1)
        if self.style == "math":
            return f"${s}${self.unit}" if self.unit else f"${s}$"
        return f"{s}{self.unit}"

    def edge(self, out: list[str], p: tuple[float, float], q: tuple[float, float], normal: tuple[int, int],
             value: float | str, off: float) -> None:
        """Label the side p-q (axis-parallel) on the outside given by ``normal``."""
        txt = value if isinstance(value, str) else self.text(value)
        al = _COMPASS[normal]
        mx, my = (p[0] + q[0]) / 2, (p[1] + q[1]) / 2
        if self.arrows:
            dx, dy = normal[0] * off, normal[1] * off
            a = f"({fmt(p[0] + dx)},{fmt(p[1] + dy)})"
            b = f"({fmt(q[0] + dx)},{fmt(q[1] + dy)})"
            extra = ", Bars" if self.bars else ""
            out.append(f"draw({a}--{b}, Arrows{extra});")
            out.append(f"label(\"{txt}\", ({fmt(mx + dx)},{fmt(my + dy)}), {al});")
        else:
            out.append(f"label(\"{txt}\", ({fmt(mx)},{fmt(my)}), {al});")


def _header(rng: random.Random) -> list[str]:
    out = [size_line(rng, 150, 250)]
    fs = fontsize(rng)
    if fs:
        out.append(fs)
    out.append("")
    return out


def _shade(rng: random.Random) -> str:
    return fill_pen(rng, color_p=0.25)


def _outline(rng: random.Random) -> str:
    return pen(rng, color_p=0.1)


# ---------------------------------------------------------------- rectangle + round parts


def _rect_round(rng: random.Random, out: list[str]) -> None:
    side = rng.choice(["top", "top", "right", "both", "left"])
    mode = rng.choice(["add", "add", "remove"])  # attach outward or cut a semicircle out
    w = rng.choice([4, 6, 8, 10, 12, 14])
    h = rng.choice([3, 4, 5, 6, 8, 10])
    if mode == "remove":
        # the cut must not break through the opposite side
        if side == "top":
            h = max(h, w // 2 + 2)
        elif side == "both":
            w = max(w, h + 2)
        else:
            w = max(w, h // 2 + 2)
    dims = _Dims(rng)
    shaded = rng.random() < 0.7 or mode == "remove"
    fp = _shade(rng)
    lp = _outline(rng)
    lpa = f", {lp}" if lp else ""
    off = round(0.12 * max(w, h), 2)

    out.append(f"real w={w}, h={h};")
    out.append("pair A=(0,0), B=(w,0), C=(w,h), D=(0,h);")
    out.append("")
    right_out, right_in = "arc((w,h/2), h/2, -90, 90)", "arc((w,h/2), h/2, 90, 270)"
    left_out, left_in = "arc((0,h/2), h/2, 90, 270)", "arc((0,h/2), h/2, -90, 90)"
    top_out, top_in = "arc((w/2,h), w/2, 0, 180)", "arc((w/2,h), w/2, 180, 360)"
    if mode == "add":
        shape = {"top": f"A--B--{top_out}--cycle",
                 "right": f"A--{right_out}--D--cycle",
                 "left": f"A--B--C--{left_out}--cycle",
                 "both": f"A--{right_out}--{left_out}--cycle"}[side]
        dia = {"top": ["C--D"], "right": ["B--C"], "left": ["D--A"], "both": ["B--C", "D--A"]}[side]
        out.append(f"path shape={shape};")
        if shaded:
            out.append(f"filldraw(shape, {fp}{lpa});")
        else:
            out.append(f"draw({with_pen('shape', lp)});")
        if rng.random() < 0.6:
            for d in dia:
                out.append(f"draw({d}, dashed);")
    else:
        out.append(f"filldraw(A--B--C--D--cycle, {fp}{lpa});")
        holes = {"top": [top_in], "right": [right_in], "left": [left_in], "both": [right_in, left_in]}[side]
        for hp in holes:
            out.append(f"filldraw({hp}--cycle, white);")
    out.append("")
    # dimensions
    dims.edge(out, (0, 0), (w, 0), (0, -1), w, off)
    if side == "top" or side == "left":
        dims.edge(out, (w, 0), (w, h), (1, 0), h, off)
    elif side == "right":
        dims.edge(out, (0, 0), (0, h), (-1, 0), h, off)
    elif rng.random() < 0.8:
        # stadium: the diameter is the inner dashed side
        if mode == "add":
            out.append(f"label(\"{dims.text(h)}\", (w,h/2), W);")
        else:
            out.append(f"label(\"{dims.text(h)}\", (w,h), NE);")
    if rng.random() < 0.3 and not (side == "left" or side == "both"):
        q = fmt(0.06 * min(w, h) + 0.1)
        out.append(f"draw((0,{q})--({q},{q})--({q},0));")


def _corner_quarters(rng: random.Random, out: list[str]) -> None:
    s = rng.choice([6, 8, 10, 12])
    w = s + rng.choice([0, 0, 2, 4])
    r = rng.choice([1, 2, 3]) if s < 10 else rng.choice([2, 3, 4])
    dims = _Dims(rng)
    fp = _shade(rng)
    which = rng.choice(["all", "all", "two", "one"])
    corners = [("(0,0)", 0), ("(w,0)", 90), ("(w,h)", 180), ("(0,h)", 270)]
    if which == "two":
        corners = [corners[0], corners[2]] if rng.random() < 0.5 else corners[:2]
    elif which == "one":
        corners = [rng.choice(corners)]
    out.append(f"real w={w}, h={s}, r={r};")
    out.append("")
    out.append(f"filldraw((0,0)--(w,0)--(w,h)--(0,h)--cycle, {fp});")
    if len(corners) == 4 and rng.random() < 0.5:
        out.append("pair[] P={(0,0), (w,0), (w,h), (0,h)};")
        out.append("for(int i=0; i<4; ++i)")
        out.append("  filldraw(P[i]--arc(P[i], r, 90*i, 90*i+90)--cycle, white);")
    else:
        for c, a in corners:
            out.append(f"filldraw({c}--arc({c}, r, {a}, {a + 90})--cycle, white);")
    out.append("")
    off = round(0.12 * max(w, s), 2)
    dims.edge(out, (0, 0), (w, 0), (0, -1), w, off)
    dims.edge(out, (w, 0), (w, s), (1, 0), s, off)
    c, a = corners[0]
    m = a + 45
    out.append(f"draw({c}--{c}+r*dir({m}), Arrow);" if rng.random() < 0.5 else f"draw({c}--{c}+r*dir({m}));")
    out.append(f"label(\"{math('r=' + str(r)) if rng.random() < 0.5 else dims.text(r)}\", {c}+r*dir({m}), dir({m}));")


# ---------------------------------------------------------------- rectilinear polygons


def _rectilinear(rng: random.Random) -> tuple[str, list[tuple[int, int]]]:
    kind = rng.choice(["L", "L", "stairs", "U", "T"])
    if kind == "L":
        W, H = rng.randint(6, 14), rng.randint(5, 12)
        a, b = rng.randint(2, W - 2), rng.randint(2, H - 2)
        pts = [(0, 0), (W, 0), (W, b), (a, b), (a, H), (0, H)]
        # mirror sometimes
        if rng.random() < 0.5:
            pts = [(W - x, y) for x, y in reversed(pts)]
    elif kind == "stairs":
        k = rng.randint(2, 4)
        ws = [rng.randint(3, 5) for _ in range(k)]
        hs = [rng.randint(2, 5) for _ in range(k)]
        pts = [(0, 0), (sum(ws), 0)]
        x, y = sum(ws), 0
        for i in range(k):
            y += hs[i]
            pts.append((x, y))
            x -= ws[k - 1 - i]
            if x > 0:
                pts.append((x, y))
        pts.append((0, y))
        # the last (0,y) duplicates the point when x == 0
        clean = []
        for p in pts:
            if not clean or clean[-1] != p:
                clean.append(p)
        pts = clean
    elif kind == "U":
        W, H = rng.randint(8, 14), rng.randint(6, 10)
        t = rng.randint(2, (W - 2) // 2)
        d = rng.randint(2, H - 2)
        t = min(t, (W - 4) // 2)
        pts = [(0, 0), (W, 0), (W, H), (W - t, H), (W - t, H - d), (t, H - d), (t, H), (0, H)]
    else:
        W = rng.randint(8, 14)
        s = rng.randint(2, W // 2 - 1)
        tb, th = rng.randint(2, 4), rng.randint(4, 8)
        pts = [(s, 0), (W - s, 0), (W - s, th), (W, th), (W, th + tb), (0, th + tb), (0, th), (s, th)]
    return kind, pts


def _rectilinear_fig(rng: random.Random, out: list[str]) -> None:
    kind, pts = _rectilinear(rng)
    n = len(pts)
    dims = _Dims(rng)
    dims.arrows = False
    fp = _shade(rng)
    shaded = rng.random() < 0.6
    lp = _outline(rng)
    names = vertex_names(rng, n) if rng.random() < 0.3 else None
    if names:
        out.append("pair " + ", ".join(f"{nm}=({x},{y})" for nm, (x, y) in zip(names, pts)) + ";")
        path = "--".join(names) + "--cycle"
    else:
        path = "--".join(f"({x},{y})" for x, y in pts) + "--cycle"
        if rng.random() < 0.5:
            out.append(f"path p={path};")
            path = "p"
    if shaded:
        out.append(f"filldraw({path}, {fp}{', ' + lp if lp else ''});")
    else:
        out.append(f"draw({with_pen(path, lp)});")
    out.append("")
    # which sides get a length: all, or all but one or two (those get x / nothing)
    hide = set(rng.sample(range(n), rng.choice([0, 1, 2]))) if n > 4 else set()
    # two parallel sides of equal length facing each other: label just one of them
    for i in range(n):
        for j in range(i + 1, n):
            (a1, b1), (a2, b2) = pts[i], pts[(i + 1) % n]
            (c1, d1), (c2, d2) = pts[j], pts[(j + 1) % n]
            if (a2 - a1, b2 - b1) == (c1 - c2, d1 - d2) and j not in hide:
                if a1 == a2 and abs(a1 - c1) <= 4 or b1 == b2 and abs(b1 - d1) <= 4:
                    hide.add(j)
    unknown = rng.choice(sorted(hide)) if hide and rng.random() < 0.5 else None
    for i in range(n):
        (x1, y1), (x2, y2) = pts[i], pts[(i + 1) % n]
        length = abs(x2 - x1) + abs(y2 - y1)
        dx, dy = (x2 - x1) // max(length, 1), (y2 - y1) // max(length, 1)
        normal = (dy, -dx)  # outward for a counterclockwise polygon
        if i in hide and i != unknown:
            continue
        val = math("x") if i == unknown else length
        dims.edge(out, (x1, y1), (x2, y2), normal, val, 0.6)
    if names and rng.random() < 0.8:
        cx = sum(x for x, _ in pts) / n
        cy = sum(y for _, y in pts) / n
        for nm, (x, y) in zip(names, pts):
            al = ("N" if y > cy else "S") + ("E" if x > cx else "W")
            out.append(f"label(\"${nm}$\", {nm}, {al});")
    if rng.random() < 0.3:
        # a dashed line splitting the figure into rectangles, as in a worked solution
        if kind == "T":
            y = pts[2][1]
            out.append(f"draw(({pts[0][0]},{y})--({pts[1][0]},{y}), dashed);")
        else:
            xs = sorted({x for x, _ in pts})
            inner = [x for x in xs if x not in (xs[0], xs[-1])]
            if inner:
                x = rng.choice(inner)
                top = min(y for xx, y in pts if xx == x)
                out.append(f"draw(({x},0)--({x},{top}), dashed);")


# ---------------------------------------------------------------- cut-outs and shaded parts


def _cutout(rng: random.Random, out: list[str]) -> None:
    dims = _Dims(rng)
    fp = _shade(rng)
    w = rng.choice([6, 8, 10, 12])
    h = rng.choice([w, w, 6, 8, 10])
    hole = rng.choice(["circle", "circle", "rect", "square"])
    out.append(f"filldraw((0,0)--({w},0)--({w},{h})--(0,{h})--cycle, {fp});")
    off = round(0.12 * max(w, h), 2)
    if hole == "circle":
        r = rng.choice([1, 1.5, 2, 2.5, 3]) if min(w, h) >= 8 else rng.choice([1, 1.5, 2])
        cx, cy = w / 2, h / 2
        if rng.random() < 0.3:
            cx = rng.choice([r + 1, w - r - 1])
        out.append(f"pair O=({fmt(cx)},{fmt(cy)});")
        out.append(f"filldraw(circle(O, {fmt(r)}), white);")
        out.append("dot(O);")
        out.append(f"draw(O--O+({fmt(r)},0));")
        out.append(f"label(\"{dims.text(r)}\", O+({fmt(r / 2)},0), N);")
    else:
        hw = rng.randint(max(2, w // 3), max(2, w // 2))
        hh = rng.randint(max(2, h // 3), max(2, h // 2))
        if hole == "square":
            hw = hh = min(hw, hh)
        x0, y0 = (w - hw) / 2, (h - hh) / 2
        out.append(f"filldraw(({fmt(x0)},{fmt(y0)})--({fmt(x0 + hw)},{fmt(y0)})--({fmt(x0 + hw)},{fmt(y0 + hh)})"
                   f"--({fmt(x0)},{fmt(y0 + hh)})--cycle, white);")
        if hw >= 4 and hh >= 3:
            out.append(f"label(\"{dims.text(hw)}\", ({fmt(x0 + hw / 2)},{fmt(y0)}), N);")
            out.append(f"label(\"{dims.text(hh)}\", ({fmt(x0 + hw)},{fmt(y0 + hh / 2)}), W);")
        else:
            out.append(f"label(\"{dims.text(hw)}\", ({fmt(x0 + hw / 2)},{fmt(y0 + hh)}), N);")
            out.append(f"label(\"{dims.text(hh)}\", ({fmt(x0 + hw)},{fmt(y0 + hh / 2)}), E);")
    out.append("")
    dims.edge(out, (0, 0), (w, 0), (0, -1), w, off)
    if h != w or rng.random() < 0.5:
        dims.edge(out, (0, 0), (0, h), (-1, 0), h, off)


def _inscribed_shading(rng: random.Random, out: list[str]) -> None:
    dims = _Dims(rng)
    fp = _shade(rng)
    kind = rng.choice(["circle_in_square", "square_in_circle", "house", "semicircles_in_rect"])
    s = rng.choice([4, 6, 8, 10, 12])
    off = round(0.12 * s, 2)
    if kind == "circle_in_square":
        out.append(f"real s={s};")
        if rng.random() < 0.5:
            out.append(f"fill((0,0)--(s,0)--(s,s)--(0,s)--cycle, {fp});")
            out.append("filldraw(circle((s/2,s/2), s/2), white);")
        else:
            out.append(f"filldraw(circle((s/2,s/2), s/2), {fp});")
        out.append("draw((0,0)--(s,0)--(s,s)--(0,s)--cycle);")
        out.append("")
        dims.edge(out, (0, 0), (s, 0), (0, -1), s, off)
    elif kind == "square_in_circle":
        r = s // 2
        out.append(f"real r={r};")
        out.append("pair O=(0,0);")
        out.append(f"filldraw(circle(O, r), {fp});")
        out.append("filldraw(r*dir(45)--r*dir(135)--r*dir(225)--r*dir(315)--cycle, white);")
        out.append("")
        out.append("dot(O);")
        out.append(f"draw(O--r*dir({rng.choice([45, 135, 0])}){rng.choice(['', ', dashed'])});")
        out.append(f"label(\"{dims.text(r)}\", O, S);")
    elif kind == "house":
        w, h = s, rng.choice([3, 4, 5, 6])
        t = rng.choice([2, 3, 4])
        out.append(f"real w={w}, h={h}, t={t};")
        out.append(f"filldraw((0,0)--(w,0)--(w,h)--(w/2,h+t)--(0,h)--cycle, {fp});")
        out.append("draw((0,h)--(w,h), dashed);")
        if rng.random() < 0.6:
            out.append("draw((w/2,h+t)--(w/2,h), dashed);")
            out.append(f"label(\"{dims.text(t)}\", (w/2,h+t/2), {'E' if rng.random() < 0.5 else 'W'});")
        out.append("")
        dims.edge(out, (0, 0), (w, 0), (0, -1), w, off)
        dims.edge(out, (w, 0), (w, h), (1, 0), h, off)
    else:
        w = s
        h = s // 2
        out.append(f"real w={w}, h={h};")
        out.append(f"fill((0,0)--(w,0)--(w,h)--(0,h)--cycle, {fp});")
        n = rng.choice([1, 2])
        if n == 1:
            out.append("filldraw(arc((w/2,0), h, 0, 180)--cycle, white);")
        else:
            out.append("filldraw(arc((w/4,0), w/4, 0, 180)--cycle, white);")
            out.append("filldraw(arc((3*w/4,0), w/4, 0, 180)--cycle, white);")
        out.append("draw((0,0)--(w,0)--(w,h)--(0,h)--cycle);")
        out.append("")
        dims.edge(out, (0, 0), (w, 0), (0, -1), w, off)
        dims.edge(out, (0, 0), (0, h), (-1, 0), h, off)


@register("composite_area")
def composite_area(rng: random.Random) -> str:
    out = _header(rng)
    kind = rng.choice(["round", "round", "corners", "rectilinear", "rectilinear", "rectilinear", "cutout",
                       "cutout", "inscribed"])
    {"round": _rect_round, "corners": _corner_quarters, "rectilinear": _rectilinear_fig,
     "cutout": _cutout, "inscribed": _inscribed_shading}[kind](rng, out)
    return fix_compass("\n".join(out).replace("\n\n\n", "\n\n"))
