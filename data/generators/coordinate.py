"""Coordinate-plane families: plotted points and polygons, function graphs, transformations.

Axes are drawn the way people draw them by hand in Asymptote: ``draw((-5.5,0)--(5.5,0), Arrows)``,
tick marks in a loop and tick numbers written with explicit ``label(...)`` calls, optional light
gray grid lines in loops. Nothing uses ``xaxis``/``LeftTicks`` automatic numbering.
"""
from __future__ import annotations

import math as _m
import random
from dataclasses import dataclass, field
from fractions import Fraction

from .base import join_program, register
from .labels import LETTERS, fmt, vertex_names
from .style import fill_pen, fontsize, pen, with_pen

# ---------------------------------------------------------------------------------------------
# small helpers (local to this module)
# ---------------------------------------------------------------------------------------------

_COMPASS = ["E", "NE", "N", "NW", "W", "SW", "S", "SE"]


def _compass(dx: float, dy: float) -> str:
    """Nearest of the eight compass directions to the vector (dx, dy)."""
    if abs(dx) < 1e-9 and abs(dy) < 1e-9:
        return "NE"
    a = _m.degrees(_m.atan2(dy, dx))
    return _COMPASS[int(round(a / 45.0)) % 8]


def _names(rng: random.Random, n: int) -> list[str]:
    """Vertex letters that do not shadow the compass directions E, N, S, W used as label aligns."""
    names = vertex_names(rng, n)
    spare = [c for c in LETTERS if c not in "ENSW" and c not in names]
    rng.shuffle(spare)
    return [c if c not in "ENSW" else spare.pop() for c in names]


def _pt(x: float, y: float) -> str:
    return f"({fmt(x)},{fmt(y)})"


def _coord_tex(x: float, y: float) -> str:
    return f"({fmt(x)},{fmt(y)})"


def _centroid(pts: list[tuple[float, float]]) -> tuple[float, float]:
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


def _area(pts: list[tuple[float, float]]) -> float:
    s = 0.0
    for i in range(len(pts)):
        x1, y1 = pts[i]
        x2, y2 = pts[(i + 1) % len(pts)]
        s += x1 * y2 - x2 * y1
    return s / 2


def _convex(pts: list[tuple[float, float]]) -> bool:
    n = len(pts)
    sign = 0
    for i in range(n):
        ax, ay = pts[i]
        bx, by = pts[(i + 1) % n]
        cx, cy = pts[(i + 2) % n]
        cr = (bx - ax) * (cy - by) - (by - ay) * (cx - bx)
        if abs(cr) < 1e-9:
            return False
        s = 1 if cr > 0 else -1
        if sign == 0:
            sign = s
        elif s != sign:
            return False
    return True


def _min_angle(pts: list[tuple[float, float]]) -> float:
    n = len(pts)
    best = 180.0
    for i in range(n):
        px, py = pts[i - 1]
        qx, qy = pts[i]
        rx, ry = pts[(i + 1) % n]
        ux, uy, vx, vy = px - qx, py - qy, rx - qx, ry - qy
        nu, nv = _m.hypot(ux, uy), _m.hypot(vx, vy)
        if nu < 1e-9 or nv < 1e-9:
            return 0.0
        c = max(-1.0, min(1.0, (ux * vx + uy * vy) / (nu * nv)))
        best = min(best, _m.degrees(_m.acos(c)))
    return best


def _vertex_dirs(pts: list[tuple[float, float]]) -> list[str]:
    cx, cy = _centroid(pts)
    return [_compass(x - cx, y - cy) for x, y in pts]


def _frac_tex(q: Fraction, lead: bool = False) -> str:
    """Coefficient as TeX: 1/2 -> \\frac{1}{2}; used in front of x when lead is False."""
    if q.denominator == 1:
        return str(q.numerator)
    s = "-" if q < 0 else ""
    return f"{s}\\frac{{{abs(q.numerator)}}}{{{q.denominator}}}"


def _lin_tex(m: Fraction, b: Fraction, var: str = "x") -> str:
    """TeX for m*x+b, e.g. '2x-3', '-\\frac{1}{2}x+1', 'x', '4'."""
    if m == 0:
        return _frac_tex(b)
    if m == 1:
        s = var
    elif m == -1:
        s = "-" + var
    else:
        s = _frac_tex(m) + var
    if b > 0:
        s += "+" + _frac_tex(b)
    elif b < 0:
        s += "-" + _frac_tex(-b)
    return s


def _lin_code(m: Fraction, b: Fraction, rng: random.Random) -> str:
    """Asymptote expression for m*x+b written like a person would."""
    if m == 0:
        t = fmt(float(b))
        return t
    if m.denominator == 1:
        if m == 1:
            s = "x"
        elif m == -1:
            s = "-x"
        else:
            s = f"{m.numerator}*x"
    else:
        if rng.random() < 0.5 and m.denominator in (2, 4, 5):
            s = f"{fmt(float(m), 3)}*x"
        else:
            num = m.numerator
            s = ("x" if num == 1 else "-x" if num == -1 else f"{num}*x") + f"/{m.denominator}"
    if b > 0:
        s += "+" + fmt(float(b))
    elif b < 0:
        s += "-" + fmt(float(-b))
    return s


def _shift_tex(h: float) -> str:
    """'x-2', 'x+3', 'x' for x-h."""
    if h == 0:
        return "x"
    return f"x-{fmt(h)}" if h > 0 else f"x+{fmt(-h)}"


def _plus(k: float) -> str:
    if k == 0:
        return ""
    return f"+{fmt(k)}" if k > 0 else f"-{fmt(-k)}"


# ---------------------------------------------------------------------------------------------
# axes, ticks and grid
# ---------------------------------------------------------------------------------------------

_GRID_PENS = ["gray(0.8)", "gray(0.85)", "lightgray", "gray(0.7)+linewidth(0.3)", "gray(0.75)",
              "mediumgray+linewidth(0.2)", "gray(0.6)+dotted", "paleblue"]  # fmt: skip


@dataclass
class _Plane:
    x0: int
    x1: int
    y0: int
    y1: int
    quadrant: bool = False
    grid: str | None = None
    ticks: bool = True
    step: int = 1  # tick-label step, 0 = no numbers
    tick: float = 0.15
    font: str = ""
    ext: float = 0.5
    arrow: str = "Arrows"
    axis_pen: str = ""
    xlabel: str = "$x$"
    ylabel: str = "$y$"
    origin: str = ""
    unit_bp: float = 20.0
    header: list[str] = field(default_factory=list)
    fmt_style: int = 0
    tick_pt: int = 12
    base_pt: int = 12

    def inside(self, x: float, y: float, margin: float = 0.0) -> bool:
        return self.x0 + margin <= x <= self.x1 - margin and self.y0 + margin <= y <= self.y1 - margin


def _plan(rng: random.Random, x0: int, x1: int, y0: int, y1: int, *, quadrant: bool = False,
          grid_p: float = 0.5, number_p: float = 0.8, imports: tuple[str, ...] = ()) -> _Plane:
    pl = _Plane(x0, x1, y0, y1, quadrant=quadrant)
    pl.ext = rng.choice([0.5, 0.5, 0.7, 1.0])
    span = max(x1 - x0, y1 - y0) + 2 * pl.ext
    target = max(rng.randrange(170, 281, 10), min(280, int(span * 14) // 10 * 10))
    header = [f"import {m};" for m in imports]
    if rng.random() < 0.5:
        header.append(f"size({target});")
        pl.unit_bp = target / (span + 1.2)
    else:
        cm = target / 28.35 / span
        opts = [0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.75, 0.8, 1.0]
        cm = min(opts, key=lambda o: abs(o - cm))
        header.append(f"unitsize({fmt(cm)}cm);")
        pl.unit_bp = cm * 28.35
    fs = fontsize(rng)
    if fs:
        header.append(fs)
    pl.header = header
    pl.grid = rng.choice(_GRID_PENS) if rng.random() < grid_p else None
    pl.ticks = pl.grid is None or rng.random() < 0.5
    base_pt = int(fs.split("fontsize(")[1].split("pt")[0]) if fs else 12
    pl.base_pt = base_pt
    if rng.random() < number_p:
        if rng.random() < 0.35 or base_pt * 1.3 > pl.unit_bp:
            pl.font = rng.choice(["fontsize(8pt)", "fontsize(9pt)", "fontsize(7pt)", "fontsize(8pt)"])
        pt = int(pl.font[9:-3]) if pl.font else base_pt
        if pt * 1.25 > 2 * pl.unit_bp:
            pl.font, pt = "fontsize(7pt)", 7
        pl.step = 1 if pt * 1.25 <= pl.unit_bp else 2
        if pl.step == 1 and rng.random() < 0.2 and max(x1 - x0, y1 - y0) >= 8:
            pl.step = 2
        pl.tick_pt = pt
    else:
        pl.step = 0
    t = 3.2 / pl.unit_bp
    pl.tick = min([0.1, 0.15, 0.2, 0.25, 0.3], key=lambda o: abs(o - t))
    pl.arrow = rng.choice(["Arrows", "Arrows", "Arrows(6)", "Arrows(TeXHead)", "Arrow", "Arrows(5)"])
    if quadrant:
        pl.arrow = rng.choice(["Arrow", "Arrow(6)", "EndArrow", "Arrow(TeXHead)"])
    pl.axis_pen = rng.choice(["", "", "", "linewidth(0.8)", "linewidth(1)", "black+linewidth(0.7)"])
    if rng.random() < 0.12:
        pl.xlabel, pl.ylabel = "$x$-axis", "$y$-axis"
    if quadrant:
        pl.origin = rng.choice(["0", "0", "O", ""])
    else:
        pl.origin = rng.choice(["", "", "O", "0"])
    pl.fmt_style = rng.randrange(3)
    return pl


def _num(pl: _Plane, var: str = "i") -> str:
    if pl.fmt_style == 0:
        return f'"$"+string({var})+"$"'
    if pl.fmt_style == 1:
        return f'format("$%d$", {var})'
    return f'"$" + string({var}) + "$"'


def _lab_args(pos: str, align: str, pl: _Plane) -> str:
    return f"{pos}, {align}" + (f", {pl.font}" if pl.font else "")


def _grid_lines(pl: _Plane, rng: random.Random) -> list[str]:
    if pl.grid is None:
        return []
    g = pl.grid
    x0, x1, y0, y1 = pl.x0, pl.x1, pl.y0, pl.y1
    if (x0, x1) == (y0, y1) and rng.random() < 0.6:
        return ["// grid",
                f"for(int i={x0}; i<={x1}; ++i) {{",
                f"  draw(({'i'},{y0})--(i,{y1}), {g});",
                f"  draw(({x0},i)--({x1},i), {g});",
                "}", ""]
    v = rng.choice(["i", "x"])
    w = "j" if v == "i" else "y"
    return ["// grid",
            f"for(int {v}={x0}; {v}<={x1}; ++{v}) draw(({v},{y0})--({v},{y1}), {g});",
            f"for(int {w}={y0}; {w}<={y1}; ++{w}) draw(({x0},{w})--({x1},{w}), {g});", ""]


def _axes_lines(pl: _Plane, rng: random.Random) -> list[str]:
    e = pl.ext
    x0, x1, y0, y1 = pl.x0, pl.x1, pl.y0, pl.y1
    ap = f"{pl.axis_pen}, {pl.arrow}" if pl.axis_pen else pl.arrow
    lines = ["// axes"]
    if pl.quadrant:
        lines += [f"draw((0,0)--({fmt(x1 + e)},0), {ap});",
                  f"draw((0,0)--(0,{fmt(y1 + e)}), {ap});"]
    else:
        xs = fmt(x0 - e) if x0 < 0 else "0"
        ys = fmt(y0 - e) if y0 < 0 else "0"
        lines += [f"draw(({xs},0)--({fmt(x1 + e)},0), {ap});",
                  f"draw((0,{ys})--(0,{fmt(y1 + e)}), {ap});"]
    lines += [f'label("{pl.xlabel}", ({fmt(x1 + e)},0), E);',
              f'label("{pl.ylabel}", (0,{fmt(y1 + e)}), N);']
    t = fmt(pl.tick)
    s = pl.step
    if not pl.ticks and s == 0:
        lines.append("")
        return lines
    lines.append("")
    lines.append("// ticks" if s == 0 else "// ticks and numbers")
    # one loop for both axes when the ranges match
    same = (x0, x1) == (y0, y1)
    skip0 = not pl.quadrant
    lo = lambda a: a if not pl.quadrant else max(a, 1)  # noqa: E731
    if same and rng.random() < 0.6:
        body = []
        if pl.ticks:
            body += [f"draw((i,-{t})--(i,{t}));", f"draw((-{t},i)--({t},i));"]
        if s:
            cond = "" if s == 1 or not pl.ticks else "if(i % 2 == 0) "
            if cond:
                body += [f"{cond}{{",
                         f"  label({_num(pl)}, {_lab_args(f'(i,-{t})', 'S', pl)});",
                         f"  label({_num(pl)}, {_lab_args(f'(-{t},i)', 'W', pl)});",
                         "}"]
            else:
                body += [f"label({_num(pl)}, {_lab_args(f'(i,-{t})', 'S', pl)});",
                         f"label({_num(pl)}, {_lab_args(f'(-{t},i)', 'W', pl)});"]
        inc = "++i" if (s <= 1 or pl.ticks) else f"i+={s}"
        start = lo(x0)
        if inc != "++i":
            start = next(v for v in range(lo(x0), x1 + 1) if v % s == 0)
        lines.append(f"for(int i={start}; i<={x1}; {inc}) {{")
        if skip0 and start <= 0:
            lines.append("  if(i == 0) continue;")
        lines += ["  " + b for b in body]
        lines.append("}")
    else:
        for axis in ("x", "y"):
            a0, a1 = (x0, x1) if axis == "x" else (y0, y1)
            v = "i" if axis == "x" else rng.choice(["j", "i"])
            pos_t = (f"({v},-{t})--({v},{t})" if axis == "x" else f"(-{t},{v})--({t},{v})")
            lpos = f"({v},-{t})" if axis == "x" else f"(-{t},{v})"
            al = "S" if axis == "x" else "W"
            body = []
            if pl.ticks:
                body.append(f"draw({pos_t});")
            if s:
                lab = f"label({_num(pl, v)}, {_lab_args(lpos, al, pl)});"
                body.append(lab if (s == 1 or not pl.ticks) else f"if({v} % {s} == 0) {lab}")
            inc = f"++{v}" if (s <= 1 or pl.ticks) else f"{v}+={s}"
            start = lo(a0)
            if inc != f"++{v}":
                start = next(q for q in range(lo(a0), a1 + 1) if q % s == 0)
            need0 = skip0 and start <= 0 <= a1
            if len(body) == 1 and not need0:
                lines.append(f"for(int {v}={start}; {v}<={a1}; {inc}) {body[0]}")
            else:
                lines.append(f"for(int {v}={start}; {v}<={a1}; {inc}) {{")
                if need0:
                    lines.append(f"  if({v} == 0) continue;")
                lines += ["  " + b for b in body]
                lines.append("}")
    if pl.origin and (s or pl.quadrant):
        lines.append(f'label("${pl.origin}$", (0,0), SW{", " + pl.font if pl.font else ""});')
    lines.append("")
    return lines


def _clear(pl: _Plane) -> int:
    """How many units a labelled point keeps from the axes so it misses the tick numbers."""
    if pl.step == 0:
        return max(1, _m.ceil(0.7 * pl.base_pt / pl.unit_bp))
    return max(1, _m.ceil((1.2 * pl.tick_pt + 0.7 * pl.base_pt) / pl.unit_bp))


def _free_lattice(rng: random.Random, pl: _Plane, n: int, *, margin: int = 1, sep: float = 2.5,
                  avoid_axes: bool = True) -> list[tuple[int, int]]:
    pts: list[tuple[int, int]] = []
    c = _clear(pl) if avoid_axes else 0
    for _ in range(800):
        if len(pts) == n:
            break
        x = rng.randint(pl.x0 + margin, pl.x1 - margin)
        y = rng.randint(pl.y0 + margin, pl.y1 - margin)
        if abs(x) < c or abs(y) < c:
            continue
        if all(_m.hypot(x - a, y - b) >= sep for a, b in pts):
            pts.append((x, y))
    return pts


def _window(rng: random.Random, quadrant_p: float = 0.25) -> tuple[bool, int, int, int, int]:
    if rng.random() < quadrant_p:
        return True, 0, rng.randint(6, 10), 0, rng.randint(5, 10)
    n = rng.choice([4, 5, 5, 6, 6, 7, 8])
    if rng.random() < 0.7:
        return False, -n, n, -n, n
    m = rng.choice([3, 4, 5, 6, 8])
    if rng.random() < 0.5:
        return False, -n, n, -m, m
    return False, -rng.randint(2, 4), n, -rng.randint(2, 4), m


# ---------------------------------------------------------------------------------------------
# coordinate_plane
# ---------------------------------------------------------------------------------------------


def _lattice_polygon(rng: random.Random, pl: _Plane, avoid_axes: bool) -> list[tuple[int, int]]:
    kind = rng.choice(["tri", "tri", "rect", "square", "para", "trap", "quad", "pent"])
    w, h = pl.x1 - pl.x0, pl.y1 - pl.y0
    for _ in range(400):
        if kind == "tri":
            pts = [(rng.randint(pl.x0 + 1, pl.x1 - 1), rng.randint(pl.y0 + 1, pl.y1 - 1)) for _ in range(3)]
        elif kind == "rect":
            a, b = rng.randint(pl.x0 + 1, pl.x1 - 3), rng.randint(pl.y0 + 1, pl.y1 - 3)
            ww, hh = rng.randint(2, max(2, w // 2 + 1)), rng.randint(2, max(2, h // 2 + 1))
            pts = [(a, b), (a + ww, b), (a + ww, b + hh), (a, b + hh)]
        elif kind == "square":
            p, q = rng.randint(1, 4), rng.randint(0, 3)
            a, b = rng.randint(pl.x0 + 1, pl.x1 - 1), rng.randint(pl.y0 + 1, pl.y1 - 1)
            pts = [(a, b), (a + p, b + q), (a + p - q, b + q + p), (a - q, b + p)]
        elif kind == "para":
            a, b = rng.randint(pl.x0 + 1, pl.x1 - 3), rng.randint(pl.y0 + 1, pl.y1 - 3)
            ww, hh, s = rng.randint(2, 5), rng.randint(2, 4), rng.choice([-2, -1, 1, 2, 3])
            pts = [(a, b), (a + ww, b), (a + ww + s, b + hh), (a + s, b + hh)]
        elif kind == "trap":
            a, b = rng.randint(pl.x0 + 1, pl.x1 - 3), rng.randint(pl.y0 + 1, pl.y1 - 3)
            ww, hh = rng.randint(4, 7), rng.randint(2, 4)
            s, w2 = rng.randint(0, 2), rng.randint(1, 3)
            pts = [(a, b), (a + ww, b), (a + s + w2, b + hh), (a + s, b + hh)]
        else:
            n = 4 if kind == "quad" else 5
            cx, cy = rng.randint(pl.x0 + 2, pl.x1 - 2), rng.randint(pl.y0 + 2, pl.y1 - 2)
            r = rng.uniform(2, min(w, h) / 2.5)
            angs = sorted(rng.uniform(0, 2 * _m.pi) for _ in range(n))
            pts = [(round(cx + r * _m.cos(t)), round(cy + r * _m.sin(t))) for t in angs]
        if not all(pl.inside(x, y, 1) for x, y in pts):
            continue
        if len(set(pts)) < len(pts) or abs(_area(pts)) < 4:
            continue
        if not _convex(pts) or _min_angle(pts) < 25:
            continue
        if avoid_axes and any(abs(x) < _clear(pl) or abs(y) < _clear(pl) for x, y in pts):
            continue
        if min(_m.dist(pts[i], pts[i - 1]) for i in range(len(pts))) < 2:
            continue
        if _area(pts) < 0:
            pts = pts[::-1]
        return pts
    return [(1, 1), (4, 1), (2, 3)] if pl.inside(4, 3, 0) else [(-3, -2), (2, -2), (-1, 3)]


@register("coordinate_plane")
def coordinate_plane(rng: random.Random) -> str:
    quadrant, x0, x1, y0, y1 = _window(rng)
    pl = _plan(rng, x0, x1, y0, y1, quadrant=quadrant, grid_p=0.55)
    mode = rng.choice(["points", "points", "segment", "distance", "line", "polygon", "polygon", "polygon"])
    avoid = mode != "polygon" or pl.step > 0 or rng.random() < 0.7
    out = list(pl.header) + [""] + _grid_lines(pl, rng)
    body: list[str] = []
    fill_first: list[str] = []
    dot_pen = rng.choice(["", "", "", "red", "blue", "linewidth(4)", "black+5bp"])
    dotc = (lambda z: f"dot({z});") if not dot_pen else (lambda z: f"dot({z}, {dot_pen});")
    coords_p = 0.5 if pl.unit_bp >= 16 else 0.0

    if mode == "points":
        n = rng.randint(2, 6)
        with_coords = rng.random() < coords_p and pl.unit_bp >= 16
        if with_coords:
            # coordinate labels are wide: keep points on different rows or far apart
            wide, tall = 60 / pl.unit_bp, 18 / pl.unit_bp
            pts = []
            for q in _free_lattice(rng, pl, 3 * n, sep=2.9, avoid_axes=avoid):
                if len(pts) < n and all(abs(q[0] - a) >= wide or abs(q[1] - b) >= tall for a, b in pts):
                    pts.append(q)
        else:
            pts = _free_lattice(rng, pl, n, sep=2.9, avoid_axes=avoid)
        names = _names(rng, len(pts))
        if rng.random() < 0.35 and not with_coords:
            # array + loop, all labels on one side
            d = rng.choice(["NE", "N", "NE", "E"])
            body.append("pair[] P = {" + ", ".join(_pt(*p) for p in pts) + "};")
            body.append("string[] s = {" + ", ".join(f'"${c}$"' for c in names) + "};")
            body += ["for(int i=0; i<P.length; ++i) {", "  " + dotc("P[i]"), f"  label(s[i], P[i], {d});", "}"]
        else:
            if rng.random() < 0.5:
                body += [f"pair {c} = {_pt(*p)};" for c, p in zip(names, pts)]
            else:
                body.append("pair " + ", ".join(f"{c}={_pt(*p)}" for c, p in zip(names, pts)) + ";")
            body.append("")
            for c, (x, y) in zip(names, pts):
                d = _compass(x - (0 if not quadrant else (x0 + x1) / 2), y - (0 if not quadrant else (y0 + y1) / 2))
                if with_coords:
                    d = rng.choice(["NE", "N", "E"]) if x >= 0 else rng.choice(["NW", "N", "W"])
                txt = f"${c}{_coord_tex(x, y)}$" if with_coords else f"${c}$"
                body += [dotc(c), f'label("{txt}", {c}, {d});']
    elif mode in ("segment", "distance"):
        for _ in range(200):
            pts = _free_lattice(rng, pl, 2, sep=4, avoid_axes=avoid)
            if len(pts) == 2 and abs(pts[0][0] - pts[1][0]) >= 2 and abs(pts[0][1] - pts[1][1]) >= 2:
                break
        (ax, ay), (bx, by) = pts
        n1, n2 = _names(rng, 2)
        sp = pen(rng, color_p=0.3)
        body.append(f"pair {n1}={_pt(ax, ay)}, {n2}={_pt(bx, by)};")
        if mode == "distance":
            n3 = rng.choice([c for c in "CRPTQ" if c not in (n1, n2)])
            body.append(f"pair {n3}=({n2}.x, {n1}.y);" if rng.random() < 0.5 else f"pair {n3}={_pt(bx, ay)};")
        body.append("")
        body.append(f"draw({with_pen(f'{n1}--{n2}', sp)});")
        if mode == "distance":
            dp = rng.choice(["dashed", "dashed", "dotted", "gray+dashed", "linetype(\"4 4\")"])
            body += [f"draw({n1}--{n3}--{n2}, {dp});"]
            if rng.random() < 0.6:
                s = 0.4 if pl.unit_bp > 20 else 0.6
                sx = -s if bx > ax else s
                sy = -s if by < ay else s
                body.append(f"draw(({fmt(bx + sx)},{fmt(ay)})--({fmt(bx + sx)},{fmt(ay + sy)})--({fmt(bx)},{fmt(ay + sy)}));")
            if rng.random() < 0.7:
                dxl, dyl = abs(bx - ax), abs(by - ay)
                mx = (ax + bx) / 2
                my = (ay + by) / 2
                c = _clear(pl) if pl.step else 0.5
                if abs(mx) >= c and abs(ay) >= c:
                    body.append(f'label("${dxl}$", ({fmt(mx)},{fmt(ay)}), {"S" if by > ay else "N"});')
                if abs(my) >= c and abs(bx) >= c:
                    body.append(f'label("${dyl}$", ({fmt(bx)},{fmt(my)}), {"E" if bx > ax else "W"});')
        with_coords = rng.random() < coords_p
        for c, (x, y), o in ((n1, (ax, ay), (bx, by)), (n2, (bx, by), (ax, ay))):
            d = _compass(x - o[0], y - o[1])
            txt = f"${c}{_coord_tex(x, y)}$" if with_coords else f"${c}$"
            body += [dotc(c), f'label("{txt}", {c}, {d});']
        mid_ok = min(abs(ax + bx), abs(ay + by)) >= 2 * _clear(pl)
        if mode == "segment" and (ax + bx) % 2 == 0 and (ay + by) % 2 == 0 and mid_ok and rng.random() < 0.7:
            mname = rng.choice(["M", "M", "P"])
            body.append(f"pair {mname} = midpoint({n1}--{n2});" if rng.random() < 0.5 else f"pair {mname} = ({n1}+{n2})/2;")
            ddx, ddy = bx - ax, by - ay
            d = _compass(-ddy, ddx)
            body += [dotc(mname), f'label("${mname}$", {mname}, {d});']
    elif mode == "line":
        for _ in range(200):
            pts = _free_lattice(rng, pl, 2, sep=3, avoid_axes=avoid)
            if len(pts) == 2 and pts[0][0] != pts[1][0] and abs(pts[0][1] - pts[1][1]) <= 3 * abs(pts[0][0] - pts[1][0]):
                break
        (ax, ay), (bx, by) = sorted(pts)
        m = Fraction(by - ay, bx - ax)
        b = ay - m * ax
        # extend to the window
        e = pl.ext * 0.8
        cands = []
        for X in (x0 - (e if not quadrant else -0.3), x1 + e):
            Y = m * Fraction(X).limit_denominator(100) + b
            cands.append((float(X), float(Y)))
        if m != 0:
            for Y in (y0 - (e if not quadrant else -0.3), y1 + e):
                X = (Fraction(Y).limit_denominator(100) - b) / m
                cands.append((float(X), float(Y)))
        lo_x = x0 - (e if not quadrant else -0.3)
        lo_y = y0 - (e if not quadrant else -0.3)
        ok = [(X, Y) for X, Y in cands if lo_x - 1e-9 <= X <= x1 + e + 1e-9 and lo_y - 1e-9 <= Y <= y1 + e + 1e-9]
        ok = sorted(set((round(X, 2), round(Y, 2)) for X, Y in ok))
        P, Q = ok[0], ok[-1]
        n1, n2 = _names(rng, 2)
        lp = pen(rng, color_p=0.5)
        body.append(f"pair {n1}={_pt(ax, ay)}, {n2}={_pt(bx, by)};")
        body.append("")
        t0, t1 = -0.5, 1.5
        short = all(pl.inside(ax + t * (bx - ax), ay + t * (by - ay)) for t in (t0, t1))
        if short and (quadrant or rng.random() < 0.3):
            # a line drawn a little past the two points, as people often do
            P = (ax + t0 * (bx - ax), ay + t0 * (by - ay))
            Q = (ax + t1 * (bx - ax), ay + t1 * (by - ay))
            body.append(f"draw({with_pen(f'interp({n1},{n2},{fmt(t0)})--interp({n1},{n2},{fmt(t1)})', lp)}, Arrows);")
        else:
            body.append(f"draw({with_pen(f'{_pt(*P)}--{_pt(*Q)}', lp)}, Arrows);")
        with_coords = rng.random() < coords_p
        for c, (x, y) in ((n1, (ax, ay)), (n2, (bx, by))):
            d = "SE" if m > 0 else "NE"
            if rng.random() < 0.5:
                d = "NW" if m > 0 else "SW"
            txt = f"${c}{_coord_tex(x, y)}$" if with_coords else f"${c}$"
            body += [dotc(c), f'label("{txt}", {c}, {d});']
        def _free_end(X: float, Y: float) -> bool:
            return not (abs(Y) < 1.5 and X > x1 - 1) and not (abs(X) < 3 and Y > y1 - 1)

        if not _free_end(*Q) and _free_end(*P):
            P, Q = Q, P
        if rng.random() < 0.6 and _free_end(*Q):
            eqs = [f"$y={_lin_tex(m, b)}$"] * 2 if b.denominator <= 2 and m.denominator <= 4 else []
            txt = rng.choice(eqs + ["$\\ell$", "$m$"])
            d = _compass(Q[0] - P[0], Q[1] - P[1])
            body.append(f'label("{txt}", {_pt(*Q)}, {d});')
    else:  # polygon
        with_coords = rng.random() < 0.3 and pl.unit_bp >= 16
        pts = _lattice_polygon(rng, pl, avoid or with_coords)
        names = _names(rng, len(pts))
        if with_coords and any(abs(x) < 2 * _clear(pl) for x, _ in pts):
            with_coords = False
        dirs = _vertex_dirs(pts)
        shape = "--".join(names) + "--cycle"
        if rng.random() < 0.5:
            body += [f"pair {c} = {_pt(*p)};" for c, p in zip(names, pts)]
        else:
            body.append("pair " + ", ".join(f"{c}={_pt(*p)}" for c, p in zip(names, pts)) + ";")
        body.append("")
        dp = pen(rng, color_p=0.3)
        if rng.random() < 0.45:
            fp = fill_pen(rng, 0.6)
            # fill goes under the axes so the numbers stay visible
            fill_first = list(body) + [f"fill({shape}, {fp});", ""]
            body = [f"draw({with_pen(shape, dp)});"]
        else:
            body.append(f"draw({with_pen(shape, dp)});")
        if rng.random() < 0.5:
            body += [dotc(c) for c in names]
        for c, (x, y), d in zip(names, pts, dirs):
            txt = f"${c}{_coord_tex(x, y)}$" if with_coords else f"${c}$"
            body.append(f'label("{txt}", {c}, {d});')
    out += fill_first + _axes_lines(pl, rng) + [ln for ln in body]
    return join_program(out)


# ---------------------------------------------------------------------------------------------
# function_graph
# ---------------------------------------------------------------------------------------------


@dataclass
class _Fn:
    py: object  # callable float -> float
    code: str  # Asymptote expression in x
    tex: str  # right-hand side in TeX
    lo: float | None = None  # natural domain start (sqrt)
    hi: float | None = None
    asym_y: float | None = None  # horizontal asymptote
    asym_x: float | None = None  # vertical asymptote
    vertex: tuple[float, float] | None = None
    roots: list[float] = field(default_factory=list)


_SLOPES = [Fraction(1), Fraction(2), Fraction(3), Fraction(1, 2), Fraction(1, 3), Fraction(2, 3),
           Fraction(3, 2), Fraction(1, 4), Fraction(3, 4)]  # fmt: skip


def _coef_code(a: Fraction, rng: random.Random) -> str:
    """Leading coefficient in code, '' for 1, '-' for -1, '0.5*' or '1/2*' style otherwise."""
    if a == 1:
        return ""
    if a == -1:
        return "-"
    if a.denominator == 1:
        return f"{a.numerator}*"
    if a.denominator in (2, 4, 5) and rng.random() < 0.6:
        return f"{fmt(float(a), 3)}*"
    return f"({a.numerator}/{a.denominator})*" if rng.random() < 0.5 else f"{a.numerator}/{a.denominator}*"


def _coef_tex(a: Fraction) -> str:
    if a == 1:
        return ""
    if a == -1:
        return "-"
    return _frac_tex(a)


def _poly_tex(cs: list[Fraction]) -> str:
    """TeX for sum cs[i] x^(deg-i)."""
    deg = len(cs) - 1
    out = ""
    for i, c in enumerate(cs):
        p = deg - i
        if c == 0:
            continue
        mono = "" if p == 0 else ("x" if p == 1 else f"x^{p}")
        mag = abs(c)
        ctex = _frac_tex(mag) if (mag != 1 or p == 0) else ""
        sign = "-" if c < 0 else ("+" if out else "")
        out += sign + ctex + mono
    return out or "0"


def _poly_code(cs: list[Fraction]) -> str | None:
    """Code for a polynomial with integer/decimal coefficients; None when awkward."""
    deg = len(cs) - 1
    out = ""
    for i, c in enumerate(cs):
        p = deg - i
        if c == 0:
            continue
        if c.denominator not in (1, 2, 4, 5):
            return None
        mono = "" if p == 0 else ("x" if p == 1 else f"x^{p}")
        mag = abs(c)
        if p == 0:
            cc = fmt(float(mag), 3)
        else:
            cc = "" if mag == 1 else fmt(float(mag), 3) + "*"
        sign = "-" if c < 0 else ("+" if out else "")
        out += sign + cc + mono
    return out or "0"


def _make_fn(kind: str, rng: random.Random, pl: _Plane) -> _Fn:
    x0, x1, y0, y1 = pl.x0, pl.x1, pl.y0, pl.y1
    if kind == "linear":
        m = rng.choice(_SLOPES) * rng.choice([1, -1])
        if rng.random() < 0.1:
            m = Fraction(0)
        b = Fraction(rng.randint(max(y0 + 1, -4), min(y1 - 1, 4)))
        return _Fn(lambda x, m=m, b=b: float(m) * x + float(b), _lin_code(m, b, rng), _lin_tex(m, b),
                   roots=[float(-b / m)] if m else [])
    if kind == "quadratic":
        a = rng.choice([Fraction(1), Fraction(1), Fraction(1, 2), Fraction(2), Fraction(1, 4), Fraction(1, 3)])
        a *= rng.choice([1, -1])
        h = rng.randint(max(x0 + 1, -3), min(x1 - 1, 3))
        span = y1 - y0
        k = rng.randint(y0 + 1, y0 + span // 2) if a > 0 else rng.randint(y1 - span // 2, y1 - 1)
        py = lambda x, a=a, h=h, k=k: float(a) * (x - h) ** 2 + k  # noqa: E731
        expanded = [a, -2 * a * h, a * h * h + k]
        style = rng.random()
        pc = _poly_code(expanded)
        roots = []
        disc = -k / float(a)
        if disc >= 0:
            r = _m.sqrt(disc)
            roots = sorted({h - r, h + r})
        if style < 0.45 or pc is None or a.denominator != 1:
            inner = f"(x-{h})" if h > 0 else (f"(x+{-h})" if h < 0 else "x")
            code = f"{_coef_code(a, rng)}{inner}^2{_plus(k)}"
            tex = f"{_coef_tex(a)}{'(' + _shift_tex(h) + ')' if h else 'x'}^2{_plus(k)}"
        elif style < 0.6 and all(abs(r - round(r)) < 1e-9 for r in roots) and len(roots) == 2:
            r1, r2 = (int(round(r)) for r in roots)
            f1 = f"(x-{r1})" if r1 > 0 else (f"(x+{-r1})" if r1 < 0 else "x")
            f2 = f"(x-{r2})" if r2 > 0 else (f"(x+{-r2})" if r2 < 0 else "x")
            code = f"{_coef_code(a, rng)}{f1}*{f2}"
            tex = f"{_coef_tex(a)}{f1}{f2}"
        else:
            code, tex = pc, _poly_tex(expanded)
        return _Fn(py, code, tex, vertex=(h, k), roots=roots)
    if kind == "abs":
        a = rng.choice([Fraction(1), Fraction(1), Fraction(2), Fraction(1, 2), Fraction(3, 2)]) * rng.choice([1, -1])
        h = rng.randint(max(x0 + 1, -3), min(x1 - 1, 3))
        span = y1 - y0
        k = rng.randint(y0 + 1, y0 + span // 2) if a > 0 else rng.randint(y1 - span // 2, y1 - 1)
        py = lambda x, a=a, h=h, k=k: float(a) * abs(x - h) + k  # noqa: E731
        code = f"{_coef_code(a, rng)}abs({_shift_tex(h)}){_plus(k)}"
        tex = f"{_coef_tex(a)}|{_shift_tex(h)}|{_plus(k)}"
        return _Fn(py, code, tex, vertex=(h, k))
    if kind == "cubic":
        for _ in range(100):
            rs = sorted(rng.sample(range(max(x0 + 1, -4), min(x1 - 1, 4) + 1), 3))
            if rs[1] - rs[0] >= 1 and rs[2] - rs[1] >= 1 and rs[2] - rs[0] >= 3:
                break
        sgn = rng.choice([1, -1])
        xs = [rs[0] + i * (rs[2] - rs[0]) / 60 for i in range(61)]
        peak = max(abs((x - rs[0]) * (x - rs[1]) * (x - rs[2])) for x in xs)
        lim = 0.8 * min(y1, -y0) if y0 < 0 else 0.8 * y1
        c = next((Fraction(1, d) for d in (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20) if peak / d <= lim), Fraction(1, 20))
        c *= sgn
        py = lambda x, c=c, rs=rs: float(c) * (x - rs[0]) * (x - rs[1]) * (x - rs[2])  # noqa: E731
        fs = [f"(x-{r})" if r > 0 else (f"(x+{-r})" if r < 0 else "x") for r in rs]
        if c.denominator == 1:
            code = f"{'-' if c < 0 else ''}{'' if abs(c) == 1 else str(abs(c.numerator)) + '*'}{'*'.join(fs)}"
        else:
            code = f"{'-' if c < 0 else ''}{'*'.join(fs)}/{c.denominator}"
        tex = f"{_coef_tex(c)}{''.join(fs)}"
        return _Fn(py, code, tex, roots=[float(r) for r in rs])
    if kind == "sqrt":
        a = rng.choice([Fraction(1), Fraction(1), Fraction(2), Fraction(-1), Fraction(3, 2), Fraction(-2)])
        h = rng.randint(x0 + 1, max(x0 + 1, min(x1 - 5, 2)))
        k = rng.randint(max(y0 + 1, -3), min(y1 - 3, 3)) if a > 0 else rng.randint(max(y0 + 3, -2), min(y1 - 1, 4))
        py = lambda x, a=a, h=h, k=k: float(a) * _m.sqrt(max(x - h, 0)) + k  # noqa: E731
        code = f"{_coef_code(a, rng)}sqrt({_shift_tex(h)}){_plus(k)}"
        tex = f"{_coef_tex(a)}\\sqrt{{{_shift_tex(h)}}}{_plus(k)}"
        return _Fn(py, code, tex, lo=h)
    if kind == "exp":
        base = rng.choice(["2", "2", "3", "0.5", "(1/2)"])
        k = rng.randint(max(y0 + 1, -3), min(y1 - 4, 2))
        h = rng.choice([0, 0, 0, 1, -1, 2])
        bv = {"2": 2.0, "3": 3.0, "0.5": 0.5, "(1/2)": 0.5}[base]
        py = lambda x, bv=bv, h=h, k=k: bv ** (x - h) + k  # noqa: E731
        ex = "x" if h == 0 else f"({_shift_tex(h)})"
        code = f"{base}^{ex}{_plus(k)}"
        btex = {"2": "2", "3": "3", "0.5": "0.5", "(1/2)": "\\left(\\frac{1}{2}\\right)"}[base]
        tex = f"{btex}^{{{_shift_tex(h)}}}{_plus(k)}"
        return _Fn(py, code, tex, asym_y=k)
    if kind == "recip":
        a = rng.choice([1, 1, 2, -1, -2, 3])
        h = rng.randint(max(x0 + 2, -2), min(x1 - 2, 2))
        k = rng.randint(max(y0 + 2, -2), min(y1 - 2, 2))
        py = lambda x, a=a, h=h, k=k: a / (x - h) + k if x != h else 1e9  # noqa: E731
        den = _shift_tex(h)
        code = f"{a}/({den}){_plus(k)}" if h else f"{a}/x{_plus(k)}"
        tex = f"\\frac{{{a}}}{{{den}}}{_plus(k)}" if a > 0 else f"-\\frac{{{-a}}}{{{den}}}{_plus(k)}"
        return _Fn(py, code, tex, asym_y=k, asym_x=h)
    raise ValueError(kind)


def _runs(fn: _Fn, lo: float, hi: float, y0: float, y1: float) -> list[tuple[float, float]]:
    """Maximal x-intervals (on a fine sample) where the graph stays inside [y0, y1]."""
    n = 480
    xs = [lo + (hi - lo) * i / n for i in range(n + 1)]
    runs: list[tuple[float, float]] = []
    start = None
    for x in xs:
        try:
            y = fn.py(x)  # type: ignore[operator]
        except (ZeroDivisionError, OverflowError, ValueError):
            y = 1e9
        ok = y0 <= y <= y1
        if ok and start is None:
            start = x
        if not ok and start is not None:
            runs.append((start, prev))
            start = None
        prev = x
    if start is not None:
        runs.append((start, xs[-1]))
    out = []
    for a, b in runs:
        a2 = _m.ceil(a * 10 - 1e-6) / 10 if a > lo + 1e-9 else a
        b2 = _m.floor(b * 10 + 1e-6) / 10 if b < hi - 1e-9 else b
        if b2 - a2 > 0.3:
            out.append((a2, b2))
    return out


def _label_at_end(fn: _Fn, a: float, b: float, right: bool) -> tuple[float, float, str]:
    x = b if right else a
    y = fn.py(x)  # type: ignore[operator]
    eps = 0.01 if right else -0.01
    slope = (y - fn.py(x - eps)) / eps  # type: ignore[operator]
    d = _compass(1 if right else -1, slope if right else -slope)
    return x, y, d


_DIRV = {"E": (1, 0), "NE": (1, 1), "N": (0, 1), "NW": (-1, 1), "W": (-1, 0), "SW": (-1, -1),
         "S": (0, -1), "SE": (1, -1)}  # fmt: skip


def _tex_len(tex: str) -> tuple[float, bool]:
    """Rough printed width of a TeX label in characters, and whether it holds a fraction."""
    import re

    t = tex.replace("$", "")
    frac = "\\frac" in t
    t = re.sub(r"\\frac\{([^}]*)\}\{([^}]*)\}", lambda m: "x" * max(len(m.group(1)), len(m.group(2))), t)
    t = re.sub(r"\\(left|right)", "", t)
    t = re.sub(r"\\[a-zA-Z]+", "x", t)
    t = re.sub(r"[{}^]", "", t)
    ops = len(re.findall(r"(?<=[\w)|])[=+-]", t)) + t.count("=")
    return len(t) * 1.1 + ops, frac


def _label_box(pl: _Plane, x: float, y: float, d: str, tex: str) -> tuple[float, float, float, float]:
    n, frac = _tex_len(tex)
    w = (0.55 * n + 0.4) * pl.base_pt / pl.unit_bp
    h = (1.9 if frac else 1.2) * pl.base_pt / pl.unit_bp
    ux, uy = _DIRV[d]
    m = 0.25 * pl.base_pt / pl.unit_bp
    cx = x + ux * (w / 2 + m)
    cy = y + uy * (h / 2 + m)
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def _label_ok(pl: _Plane, x: float, y: float, d: str, tex: str) -> bool:
    """True when a label at (x,y) aligned d misses the axes, their numbers and titles."""
    a, b, c, e = _label_box(pl, x, y, d, tex)
    tp = pl.tick_pt / pl.unit_bp
    ynum = (pl.tick + 1.6 * tp) if pl.step else 0.15  # width of the y-axis numbers band
    xnum = (pl.tick + 1.3 * tp) if pl.step else 0.15
    bands = [(-ynum, 0.15, pl.y0 - 1, pl.y1 + pl.ext + 1.5 * pl.base_pt / pl.unit_bp),  # y-axis
             (pl.x0 - 1, pl.x1 + pl.ext + 2 * pl.base_pt / pl.unit_bp, -xnum, 0.15)]  # x-axis
    if pl.quadrant:
        bands = [(-ynum, 0.15, -1, pl.y1 + 2), (-1, pl.x1 + 2, -xnum, 0.15)]
    em = pl.base_pt / pl.unit_bp
    xe, ye = pl.x1 + pl.ext, pl.y1 + pl.ext
    bands += [(xe - 0.2, xe + 1.5 * em, -0.8 * em, 0.8 * em),  # the x title
              (-0.8 * em, 0.8 * em, ye - 0.2, ye + 1.5 * em)]  # the y title
    for (p, q, r, t) in bands:
        if a < q and b > p and c < t and e > r:
            return False
    return True


def _ends_ok(pl: _Plane, x: float, y: float, d: str, tex: str = "$y=f(x)$") -> bool:
    return _label_ok(pl, x, y, d, tex)


def _place_label(pl: _Plane, fn: _Fn, ends: list[tuple[float, float, bool]], tex: str,
                 taken: list[tuple[float, float, float, float]], curves: list | None = None) -> str | None:
    """label(...) line for a curve: beside the curve inside the window where it fits, else at a
    graph end (a, b, right?) just outside."""
    pts: list[tuple[float, float]] = []
    for g, ga, gb in curves or []:
        if g == "v":  # a vertical line x = ga
            pts += [(ga, pl.y0 + (pl.y1 - pl.y0) * i / 80) for i in range(81)]
            continue
        for i in range(161):
            gx = ga + (gb - ga) * i / 160
            pts.append((gx, g(gx)))  # type: ignore[operator]
    boxes_hit = lambda box: any(box[0] < q and box[1] > p and box[2] < t and box[3] > r  # noqa: E731
                                for p, q, r, t in taken)
    for a, b, right in ends:
        ts = [0.9, 0.8, 0.7, 0.6] if right else [0.1, 0.2, 0.3, 0.4]
        for t in ts:
            x = a + t * (b - a)
            y = fn.py(x)  # type: ignore[operator]
            slope = (fn.py(x + 0.01) - fn.py(x - 0.01)) / 0.02  # type: ignore[operator]
            nx, ny = -slope, 1.0  # normal
            order = sorted(_COMPASS, key=lambda d: -(_DIRV[d][0] * nx + _DIRV[d][1] * ny) /
                           (_m.hypot(*_DIRV[d]) * _m.hypot(nx, ny)))
            for d in order[:2] + order[-2:]:
                box = _label_box(pl, x, y, d, tex)
                if not (pl.x0 - 0.2 <= box[0] and box[1] <= pl.x1 + 0.2 and pl.y0 - 0.2 <= box[2] and box[3] <= pl.y1 + 0.2):
                    continue
                if not _label_ok(pl, x, y, d, tex) or boxes_hit(box):
                    continue
                pad = 0.1
                if any(box[0] - pad < gx < box[1] + pad and box[2] - pad < gy < box[3] + pad for gx, gy in pts):
                    continue
                taken.append(box)
                return f'label("{tex}", {_pt(round(x, 2), round(y, 2))}, {d});'
    for a, b, right in ends:
        x, y, d = _label_at_end(fn, a, b, right)
        i = _COMPASS.index(d)
        for dd in (d, _COMPASS[(i + 1) % 8], _COMPASS[(i - 1) % 8]):
            if not _label_ok(pl, x, y, dd, tex):
                continue
            box = _label_box(pl, x, y, dd, tex)
            if boxes_hit(box) or box[0] < pl.x0 - 1.5 or box[1] > pl.x1 + pl.ext + 1.5:
                continue
            taken.append(box)
            return f'label("{tex}", {_pt(x, round(y, 2))}, {dd});'
    return None


_GRAPH_PENS = ["linewidth(1)", "blue+linewidth(1)", "red+linewidth(1)", "linewidth(1.2)", "",
               "deepblue+linewidth(0.9)", "heavygreen+linewidth(1)", "linewidth(0.8)", "blue"]  # fmt: skip


def _color_of(p: str) -> str:
    """The colour part of a pen expression ('' if none): dots keep their default size."""
    parts = [q for q in p.split("+") if q and not q.startswith(("linewidth", "dashed", "dotted"))]
    return parts[0] if parts else ""


def _dot_open(rng: random.Random, pl: _Plane, x: float, y: float, p: str) -> str:
    r = min([0.1, 0.12, 0.15, 0.2, 0.25], key=lambda o: abs(o - 2.9 / pl.unit_bp))
    return f"filldraw(circle({_pt(x, y)},{fmt(r)}), white{', ' + p if p else ''});"


@register("function_graph")
def function_graph(rng: random.Random) -> str:
    kind = rng.choice(["linear", "quadratic", "quadratic", "abs", "cubic", "sqrt", "exp", "recip",
                       "piecewise", "piecewise", "step", "two", "two", "area"])  # fmt: skip
    if rng.random() < 0.75:
        n = rng.choice([4, 5, 5, 6, 6, 8])
        x0, x1, y0, y1 = -n, n, -n, n
        if rng.random() < 0.3:
            y0, y1 = -rng.choice([3, 4, 6]), rng.choice([4, 6, 8])
    else:
        x0, x1 = -rng.randint(2, 5), rng.randint(5, 8)
        y0, y1 = -rng.randint(2, 5), rng.randint(5, 8)
    pl = _plan(rng, x0, x1, y0, y1, grid_p=0.5, number_p=0.75, imports=("graph",))
    names = iter(rng.choice([["f", "g"], ["f", "g"], ["f", "h"], ["g", "h"], ["p", "q"]]))
    pre: list[str] = []  # function definitions
    fills: list[str] = []
    body: list[str] = []
    gp = rng.choice(_GRAPH_PENS)
    arrow = rng.choice(["Arrows", "Arrows", "Arrows(6)", "Arrows(TeXHead)", "Arrows(5)", ""])

    def draw_graph(fn: _Fn, name: str, p: str, a: float, b: float, arr: str) -> str:
        args = f"graph({name},{fmt(a)},{fmt(b)})"
        if p:
            args += f", {p}"
        if arr:
            args += f", {arr}"
        return f"draw({args});"

    def fn_label(fn: _Fn, name: str) -> str:
        r = rng.random() if _tex_len(fn.tex)[0] <= 15 else 0.8
        if r < 0.5:
            return f"$y={fn.tex}$"
        if r < 0.75:
            return f"${name}(x)={fn.tex}$"
        return rng.choice([f"$y={name}(x)$", f"${name}$", f"${name}(x)$"])

    if kind in ("linear", "quadratic", "abs", "cubic", "sqrt", "exp", "recip"):
        fn = None
        for _ in range(50):
            fn = _make_fn(kind, rng, pl)
            lo = x0 if fn.lo is None else fn.lo
            runs = _runs(fn, lo, x1, y0, y1)
            if runs and max(b - a for a, b in runs) >= 2.5:
                break
        assert fn is not None
        name = next(names)
        pre.append(f"real {name}(real x) {{return {fn.code};}}" if rng.random() < 0.7
                   else f"real {name}(real x) {{\n  return {fn.code};\n}}")
        if kind == "recip":
            pieces = [r for r in runs if r[1] - r[0] >= 0.5]
        else:
            pieces = [max(runs, key=lambda r: r[1] - r[0])]
        for a, b in pieces:
            arr = arrow
            if fn.lo is not None and abs(a - fn.lo) < 1e-9:
                arr = arrow.replace("Arrows", "EndArrow") if arrow else ""
                if arr.startswith("EndArrow") and rng.random() < 0.5:
                    arr = arr.replace("EndArrow", "Arrow")
            body.append(draw_graph(fn, name, gp, a, b, arr))
        if fn.lo is not None:
            body.append(f"dot({_pt(fn.lo, fn.py(fn.lo))}{', ' + _color_of(gp) if _color_of(gp) else ''});")  # type: ignore[operator]
        if fn.asym_y is not None and fn.asym_y != 0 and rng.random() < 0.8:
            body.append(f"draw(({x0},{fmt(fn.asym_y)})--({x1},{fmt(fn.asym_y)}), dashed);")
        if fn.asym_x is not None and rng.random() < 0.8 and fn.asym_x != 0:
            body.append(f"draw(({fmt(fn.asym_x)},{y0})--({fmt(fn.asym_x)},{y1}), dashed);")
        if fn.vertex and rng.random() < 0.4 and abs(fn.vertex[0]) >= 1 and abs(fn.vertex[1]) >= 1:
            vx, vy = fn.vertex
            body.append(f"dot({_pt(vx, vy)});")
            body.append(f'label("${_coord_tex(vx, vy)}$", {_pt(vx, vy)}, {"S" if fn.py(vx + 1) > vy else "N"});')  # type: ignore[operator]
        elif fn.roots and rng.random() < 0.3 and all(abs(r - round(r)) < 1e-9 and r != 0 for r in fn.roots):
            body.append("dot(" + "^^".join(_pt(r, 0) for r in fn.roots) + ");" if rng.random() < 0.3 else
                        " ".join(f"dot({_pt(r, 0)});" for r in fn.roots))
        if rng.random() < 0.85:
            ends = [(pieces[-1][0], pieces[-1][1], True)]
            if fn.lo is None:
                ends.append((pieces[0][0], pieces[0][1], False))
            rng.shuffle(ends)
            extra = []
            if fn.asym_y is not None:
                extra.append((lambda x, k=fn.asym_y: k, x0, x1))
            if fn.asym_x is not None:
                extra.append(("v", fn.asym_x, 0))
            lab = _place_label(pl, fn, ends, fn_label(fn, name), [], [(fn.py, a, b) for a, b in pieces] + extra)
            if lab:
                body.append(lab)
    elif kind == "two":
        sub = rng.choice(["lines", "lines", "line_parab", "line_parab", "parab_abs"])
        if sub != "lines":
            found = False
            for _ in range(60):
                f1 = _make_fn("quadratic" if sub == "line_parab" else "abs", rng, pl)
                # a line through two lattice points of the first curve
                xs = [x for x in range(x0 + 1, x1)
                      if y0 < f1.py(x) < y1 and abs(f1.py(x) - round(f1.py(x))) < 1e-9]  # type: ignore[operator]
                pairs = [(u, v) for u in xs for v in xs if v - u >= 2]
                if not pairs:
                    continue
                u, v = rng.choice(pairs)
                yu, yv = round(f1.py(u)), round(f1.py(v))  # type: ignore[operator]
                m = Fraction(yv - yu, v - u)
                b = yu - m * u
                if m.denominator <= 2 and b.denominator <= 2 and abs(m) <= 4 and _tex_len(f1.tex)[0] <= 14:
                    found = True
                    break
            if found:
                f2 = _Fn(lambda x, m=m, b=b: float(m) * x + float(b), _lin_code(m, b, rng), _lin_tex(m, b))
                meet = [(u, yu), (v, yv)]
            else:
                sub = "lines"
        if sub == "lines":
            for _ in range(200):
                px, py_ = rng.randint(x0 + 2, x1 - 2), rng.randint(y0 + 2, y1 - 2)
                m1, m2 = (rng.choice(_SLOPES[:6]) * rng.choice([1, -1]) for _ in range(2))
                if m1 == m2:
                    continue
                b1, b2 = py_ - m1 * px, py_ - m2 * px
                if b1.denominator <= 2 and b2.denominator <= 2 and abs(b1) <= 8 and abs(b2) <= 8:
                    break
            f1 = _Fn(lambda x, m=m1, b=b1: float(m) * x + float(b), _lin_code(m1, b1, rng), _lin_tex(m1, b1))
            f2 = _Fn(lambda x, m=m2, b=b2: float(m) * x + float(b), _lin_code(m2, b2, rng), _lin_tex(m2, b2))
            meet = [(px, py_)]
        n1, n2 = next(names), next(names)
        pre.append(f"real {n1}(real x) {{return {f1.code};}}")
        pre.append(f"real {n2}(real x) {{return {f2.code};}}")
        gp2 = rng.choice(["red+linewidth(1)", "blue+linewidth(1)", "dashed", "heavygreen+linewidth(1)", "linewidth(1)+dashed"])
        if gp2.split("+")[0] == gp.split("+")[0]:
            gp = "linewidth(1)"
        r1 = max(_runs(f1, x0, x1, y0, y1), key=lambda r: r[1] - r[0])
        r2 = max(_runs(f2, x0, x1, y0, y1), key=lambda r: r[1] - r[0])
        if sub != "lines" and rng.random() < 0.5:
            u, v = meet[0][0], meet[-1][0]
            fp = fill_pen(rng, 0.5)
            if rng.random() < 0.5:
                fills.append(f"fill(graph({n1},{fmt(u)},{fmt(v)})--cycle, {fp});")
            else:
                fills.append(f"fill(buildcycle(graph({n1},{fmt(u)},{fmt(v)}), graph({n2},{fmt(u)},{fmt(v)})), {fp});")
        body.append(draw_graph(f1, n1, gp, r1[0], r1[1], arrow))
        body.append(draw_graph(f2, n2, gp2, r2[0], r2[1], arrow))
        if rng.random() < 0.7:
            for (mx, my) in meet:
                body.append(f"dot({_pt(mx, my)});")
            if rng.random() < 0.6 and sub == "lines":
                mx, my = meet[0]
                body.append(f'label("${_coord_tex(mx, my)}$", {_pt(mx, my)}, {rng.choice(["E", "W", "SE", "NW"])});')
        # labels on opposite ends
        taken: list[tuple[float, float, float, float]] = []
        first = rng.random() < 0.5
        for fn, nm, r, right in ((f1, n1, r1, first), (f2, n2, r2, not first)):
            lab = _place_label(pl, fn, [(r[0], r[1], right), (r[0], r[1], not right)], fn_label(fn, nm), taken,
                               [(f1.py, r1[0], r1[1]), (f2.py, r2[0], r2[1])])
            if lab:
                body.append(lab)
    elif kind == "area":
        sub = rng.choice(["quad", "line", "sqrt"])
        for _ in range(100):
            if sub == "quad":
                fn = _make_fn("quadratic", rng, pl)
                if fn.vertex[1] <= 0 or fn.py(fn.vertex[0] + 1) > fn.vertex[1]:  # type: ignore[index,operator]
                    continue
            elif sub == "line":
                fn = _make_fn("linear", rng, pl)
            else:
                fn = _make_fn("sqrt", rng, pl)
            lo = x0 if fn.lo is None else fn.lo
            runs = _runs(fn, lo, x1, y0, y1)
            if not runs:
                continue
            a, b = max(runs, key=lambda r: r[1] - r[0])
            pos = [x for x in range(_m.ceil(a), _m.floor(b) + 1) if fn.py(x) > 0.9]  # type: ignore[operator]
            if len(pos) >= 3:
                break
        name = next(names)
        pre.append(f"real {name}(real x) {{return {fn.code};}}")
        u, v = sorted(rng.sample(pos, 2))
        while v - u < 2 and len(pos) >= 3:
            u, v = pos[0], pos[-1]
        fp = fill_pen(rng, 0.5)
        if rng.random() < 0.5:
            fills.append(f"fill(({u},0)--graph({name},{u},{v})--({v},0)--cycle, {fp});")
        else:
            fills.append(f"path region = ({u},0)--graph({name},{u},{v})--({v},0)--cycle;")
            fills.append(f"fill(region, {fp});")
        arr = arrow
        if fn.lo is not None and abs(a - fn.lo) < 1e-9:
            arr = "Arrow" if arrow else ""
            body.append(f"dot({_pt(a, fn.py(a))});")  # type: ignore[operator]
        body.append(draw_graph(fn, name, gp, a, b, arr))
        if rng.random() < 0.6:
            body.append(f"draw(({u},0)--({u},{fmt(fn.py(u))}), dashed);")  # type: ignore[operator]
            body.append(f"draw(({v},0)--({v},{fmt(fn.py(v))}), dashed);")  # type: ignore[operator]
        if rng.random() < 0.7:
            lab = _place_label(pl, fn, [(a, b, True), (a, b, False)], fn_label(fn, name), [], [(fn.py, a, b)])
            if lab:
                body.append(lab)
    elif kind == "piecewise":
        body += _piecewise(rng, pl, gp)
    else:
        body += _step(rng, pl, gp)

    out = list(pl.header) + [""] + pre + [""] + _grid_lines(pl, rng) + fills + ([""] if fills else [])
    out += _axes_lines(pl, rng) + body
    return join_program(out)


def _piecewise(rng: random.Random, pl: _Plane, gp: str) -> list[str]:
    x0, x1, y0, y1 = pl.x0, pl.x1, pl.y0, pl.y1
    npieces = rng.choice([2, 2, 3, 3])
    for _ in range(300):
        cuts = sorted(rng.sample(range(x0 + 2, x1 - 1), npieces - 1))
        xs = [x0 + rng.choice([0, 1]) if rng.random() < 0.5 else x0 + 1] + cuts + [x1 - rng.choice([0, 1])]
        if any(xs[i + 1] - xs[i] < 2 for i in range(npieces)):
            continue
        segs = []
        y = rng.randint(y0 + 1, y1 - 1)
        ok = True
        for i in range(npieces):
            L = xs[i + 1] - xs[i]
            if i > 0 and rng.random() < 0.6:
                y = rng.randint(y0 + 1, y1 - 1)  # a jump
            slopes = [s for s in (Fraction(0), Fraction(1), Fraction(-1), Fraction(2), Fraction(-2),
                                  Fraction(1, 2), Fraction(-1, 2)) if (s * L).denominator == 1]  # fmt: skip
            s = rng.choice(slopes)
            ye = y + int(s * L)
            if not (y0 + 0.5 <= ye <= y1 - 0.5):
                ok = False
                break
            segs.append(((xs[i], y), (xs[i + 1], ye)))
            y = ye
        if ok and not all(sg[0][1] == sg[1][1] for sg in segs):
            break
    lines: list[str] = []
    dp = _color_of(gp)
    if gp and rng.random() < 0.5:
        lines.append(f"pen p = {gp};")
        gp = "p"
    arr_ends = rng.random() < 0.4
    for i, ((ax, ay), (bx, by)) in enumerate(segs):
        path = f"{_pt(ax, ay)}--{_pt(bx, by)}"
        arr = ""
        if arr_ends and i == 0 and npieces > 1:
            arr = "BeginArrow"
        if arr_ends and i == len(segs) - 1:
            arr = "EndArrow" if i else "Arrows"
        lines.append(f"draw({path}{', ' + gp if gp else ''}{', ' + arr if arr else ''});")
    for i in range(len(segs) - 1):
        (_, _), (bx, by) = segs[i]
        (cx, cy), _ = segs[i + 1]
        if by == cy:
            if rng.random() < 0.3:
                lines.append(f"dot({_pt(bx, by)}{', ' + dp if dp else ''});")
            continue
        closed_left = rng.random() < 0.5
        if closed_left:
            lines.append(f"dot({_pt(bx, by)}{', ' + dp if dp else ''});")
            lines.append(_dot_open(rng, pl, cx, cy, dp))
        else:
            lines.append(_dot_open(rng, pl, bx, by, dp))
            lines.append(f"dot({_pt(cx, cy)}{', ' + dp if dp else ''});")
    if not arr_ends:
        for (ex, ey) in (segs[0][0], segs[-1][1]):
            if rng.random() < 0.7:
                lines.append(f"dot({_pt(ex, ey)}{', ' + dp if dp else ''});")
            else:
                lines.append(_dot_open(rng, pl, ex, ey, dp))
    if rng.random() < 0.5:
        (ax, ay), (bx, by) = segs[-1]
        if _ends_ok(pl, bx, by, "E"):
            lines.append(f'label("{rng.choice(["$y=f(x)$", "$f$", "$y=g(x)$"])}", {_pt(bx, by)}, {rng.choice(["E", "NE", "SE"])});')
    return lines


def _step(rng: random.Random, pl: _Plane, gp: str) -> list[str]:
    x0, x1, y0, y1 = pl.x0, pl.x1, pl.y0, pl.y1
    lo = max(x0, y0) + rng.choice([0, 1])
    hi = min(x1, y1) - rng.choice([0, 1])
    sgn = rng.choice([1, 1, -1])
    d = rng.choice([0, 0, 1, -1])
    lo, hi = max(lo, y0 - d + 1 if sgn > 0 else -(y1 - d) + 1), min(hi, y1 - d - 1 if sgn > 0 else -(y0 - d) - 1)
    if hi - lo < 3:
        lo, hi = -2, 2
    val = "i" if (sgn, d) == (1, 0) else f"{'-' if sgn < 0 else ''}i{_plus(d)}"
    r = min([0.1, 0.12, 0.15, 0.2, 0.25], key=lambda o: abs(o - 2.9 / pl.unit_bp))
    pp = gp if gp else "black"
    dc = ", " + _color_of(gp) if _color_of(gp) else ""
    ceiling = rng.random() < 0.3
    lines = [f"pen p = {pp};", f"for(int i={lo}; i<{hi}; ++i) {{",
             f"  draw((i,{val})--(i+1,{val}), p);"]
    if ceiling:
        lines += [f"  filldraw(circle((i,{val}),{fmt(r)}), white, p);", f"  dot((i+1,{val}){dc});"]
    else:
        lines += [f"  dot((i,{val}){dc});", f"  filldraw(circle((i+1,{val}),{fmt(r)}), white, p);"]
    lines.append("}")
    if rng.random() < 0.5:
        xl = hi
        yl = sgn * (hi - 1) + d
        if _ends_ok(pl, xl, yl, "E"):
            floor_tex = "$y=\\lfloor x\\rfloor$" if (sgn, d) == (1, 0) and not ceiling else "$f$"
            txt = rng.choice(["$y=f(x)$", floor_tex])
            lines.append(f'label("{txt}", ({xl},{yl}), E);')
    return lines


# ---------------------------------------------------------------------------------------------
# transformation
# ---------------------------------------------------------------------------------------------


def _small_shape(rng: random.Random) -> list[tuple[int, int]]:
    """A small lattice triangle or quadrilateral near the origin (not degenerate)."""
    for _ in range(500):
        if rng.random() < 0.62:
            pts = [(0, 0), (rng.randint(2, 4), rng.randint(-1, 1)), (rng.randint(0, 3), rng.randint(2, 4))]
        else:
            w, h = rng.randint(2, 4), rng.randint(2, 3)
            s = rng.randint(-1, 2)
            t = rng.randint(-1, 1)
            pts = [(0, 0), (w, t), (w + s - rng.randint(0, 1), h), (s, h + rng.randint(-1, 0))]
        if len(set(pts)) < len(pts) or abs(_area(pts)) < 2.5 or not _convex(pts) or _min_angle(pts) < 28:
            continue
        if _area(pts) < 0:
            pts = pts[::-1]
        return pts
    return [(0, 0), (3, 0), (1, 3)]


def _poly_overlap(P: list[tuple[float, float]], Q: list[tuple[float, float]]) -> bool:
    """Do two convex polygons overlap (edges cross or one holds a vertex of the other)?"""
    def inside(pt, poly):
        sgn = 0
        for i in range(len(poly)):
            ax, ay = poly[i]
            bx, by = poly[(i + 1) % len(poly)]
            cr = (bx - ax) * (pt[1] - ay) - (by - ay) * (pt[0] - ax)
            s_ = 1 if cr > 1e-9 else (-1 if cr < -1e-9 else 0)
            if s_ == 0:
                continue
            if sgn == 0:
                sgn = s_
            elif s_ != sgn:
                return False
        return True

    def cross(p1, p2, p3, p4):
        def o(a, b, c):
            return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return o(p1, p2, p3) * o(p1, p2, p4) < 0 and o(p3, p4, p1) * o(p3, p4, p2) < 0

    if any(inside(p, Q) for p in P) or any(inside(q, P) for q in Q):
        return True
    for i in range(len(P)):
        for j in range(len(Q)):
            if cross(P[i], P[(i + 1) % len(P)], Q[j], Q[(j + 1) % len(Q)]):
                return True
    return False


def _pick_transform(rng: random.Random, kind: str, axes: bool, x0: int, x1: int, y0: int, y1: int,
                    clear: int = 1):
    """(preimage, image, details) on lattice points inside the grid, or None."""
    shape = _small_shape(rng)
    if rng.random() < 0.5:
        shape = [(-x, y) for x, y in shape][::-1]
    extra: dict = {"kind": kind}
    lo_x, hi_x = x0 + 1 - min(x for x, _ in shape), x1 - 1 - max(x for x, _ in shape)
    lo_y, hi_y = y0 + 1 - min(y for _, y in shape), y1 - 1 - max(y for _, y in shape)
    if lo_x > hi_x or lo_y > hi_y:
        return None
    ox, oy = rng.randint(lo_x, hi_x), rng.randint(lo_y, hi_y)
    pre = [(x + ox, y + oy) for x, y in shape]
    if kind == "translate":
        moves = [(dx, dy) for dx in range(lo_x - ox, hi_x - ox + 1) for dy in range(lo_y - oy, hi_y - oy + 1)
                 if abs(dx) + abs(dy) >= 4 and abs(dx) <= 8 and abs(dy) <= 7]
        if not moves:
            return None
        dx, dy = rng.choice(moves)
        img = [(x + dx, y + dy) for x, y in pre]
        extra.update(dx=dx, dy=dy)
    elif kind == "reflect":
        opts = ["vline", "hline", "diag"] + (["xaxis", "yaxis", "yx", "ymx"] * 2 if axes else [])
        line = rng.choice(opts)
        extra["line"] = line
        if line == "xaxis":
            img = [(x, -y) for x, y in pre]
        elif line == "yaxis":
            img = [(-x, y) for x, y in pre]
        elif line == "yx":
            img = [(y, x) for x, y in pre]
        elif line == "ymx":
            img = [(-y, -x) for x, y in pre]
        elif line == "vline":
            k = rng.randint(x0 + 2, x1 - 2)
            if axes and k == 0:
                return None
            img = [(2 * k - x, y) for x, y in pre]
            extra["k"] = k
        elif line == "hline":
            k = rng.randint(y0 + 2, y1 - 2)
            if axes and k == 0:
                return None
            img = [(x, 2 * k - y) for x, y in pre]
            extra["k"] = k
        else:  # y = x + c or y = -x + c
            sgn = rng.choice([1, -1])
            mx, my = (x0 + x1) // 2, (y0 + y1) // 2
            c = (my - mx if sgn == 1 else my + mx) + rng.randint(-3, 3)
            if sgn == 1:
                img = [(y - c, x + c) for x, y in pre]
            else:
                img = [(c - y, c - x) for x, y in pre]
            extra.update(c=c, sgn=sgn)
    elif kind == "rotate":
        ang = rng.choice([90, 90, 180, 270, -90])
        if axes and rng.random() < 0.5:
            cx, cy = 0, 0
        else:
            cx, cy = rng.randint(x0 + 2, x1 - 2), rng.randint(y0 + 2, y1 - 2)

        def rot(p: tuple[int, int]) -> tuple[int, int]:
            x, y = p[0] - cx, p[1] - cy
            for _ in range((ang % 360) // 90):
                x, y = -y, x
            return (x + cx, y + cy)

        img = [rot(p) for p in pre]
        extra.update(ang=ang, c=(cx, cy))
    else:  # dilate about a centre, by 2, 3 or 1/2
        k = rng.choice([2, 2, 3, Fraction(1, 2)])
        if axes and rng.random() < 0.7:
            cx, cy = 0, 0
        else:
            cx, cy = rng.randint(x0 + 1, x1 - 1), rng.randint(y0 + 1, y1 - 1)
        # a small figure near the centre, not covering it
        half = min(x1 - x0, y1 - y0) // 2 - 1
        if k == 3 and half < 6:
            k = 2
        R = max(2, min(3, half // (3 if k == 3 else 2)))
        for _ in range(80):
            rel = [(rng.randint(-R, R), rng.randint(-R, R)) for _ in range(rng.choice([3, 3, 4]))]
            if len(set(rel)) < len(rel) or not _convex(rel) or abs(_area(rel)) < 1.5 or _min_angle(rel) < 25:
                continue
            if any(abs(x) + abs(y) < 2 for x, y in rel):
                continue
            if _poly_overlap(rel, [(-0.3, -0.3), (0.3, -0.3), (0.3, 0.3), (-0.3, 0.3)]):
                continue
            break
        else:
            return None
        if _area(rel) < 0:
            rel = rel[::-1]
        small = [(cx + x, cy + y) for x, y in rel]
        big_k = 2 if k == Fraction(1, 2) else int(k)
        big = [(cx + big_k * (x - cx), cy + big_k * (y - cy)) for x, y in small]
        pre, img = (big, small) if k == Fraction(1, 2) else (small, big)
        extra.update(k=k, c=(cx, cy))
    allp = pre + img
    if not all(x0 + 1 <= x <= x1 - 1 and y0 + 1 <= y <= y1 - 1 for x, y in allp):
        return None
    if min(_m.dist(p, q) for p in pre for q in img) < (1.5 if kind == "dilate" else 2.5):
        return None
    if axes and any(abs(x) < clear or abs(y) < clear for x, y in allp):
        return None
    if (kind != "dilate" or rng.random() < 0.85) and _poly_overlap(pre, img):
        return None
    if "c" in extra and isinstance(extra["c"], tuple):
        if any(_m.dist(extra["c"], p) < 2 for p in allp):
            return None
    return pre, img, extra


@register("transformation")
def transformation(rng: random.Random) -> str:
    axes = rng.random() < 0.6
    if axes:
        n = rng.choice([5, 6, 6, 7, 8])
        x0, x1, y0, y1 = -n, n, -n, n
        if rng.random() < 0.25:
            y0, y1 = -rng.randint(4, n), rng.randint(4, n)
    else:
        x0, x1, y0, y1 = 0, rng.randint(10, 14), 0, rng.randint(8, 12)
    kind = rng.choice(["translate", "reflect", "reflect", "rotate", "rotate", "dilate"])

    # -- pick a transformation and a preimage that both fit on the grid --------------------------
    if axes:
        pl = _plan(rng, x0, x1, y0, y1, grid_p=0.9, number_p=0.5)
        clear = 1 if pl.step == 0 else max(1, _m.ceil(1.3 * pl.tick_pt / pl.unit_bp))
    else:
        pl, clear = _Plane(x0, x1, y0, y1), 1
    picked = None
    for attempt in range(240):
        picked = _pick_transform(rng, kind, axes, x0, x1, y0, y1, clear if attempt < 160 else 1)
        if picked:
            break
        if attempt % 20 == 19:
            kind = rng.choice(["translate", "reflect", "rotate"])
    if picked is None:  # rare: a small triangle reflected in the y-axis (or slid across the grid)
        pre = [(1, 1), (3, 1), (1, 3)] if axes else [(x0 + 2, y0 + 2), (x0 + 4, y0 + 2), (x0 + 2, y0 + 4)]
        if axes:
            kind = "reflect"
            img = [(-x, y) for x, y in pre]
            extra = {"kind": kind, "line": "yaxis"}
        else:
            kind = "translate"
            img = [(x + 5, y + 3) for x, y in pre]
            extra = {"kind": kind, "dx": 5, "dy": 3}
    else:
        pre, img, extra = picked

    names = _names(rng, len(pre))
    # -- write the program ------------------------------------------------------------------------
    if axes:
        out = list(pl.header) + [""] + _grid_lines(pl, rng)
        axes_lines = _axes_lines(pl, rng)
    else:
        span = max(x1 - x0, y1 - y0)
        head = [f"size({max(rng.randrange(170, 281, 10), min(280, span * 18 // 10 * 10))});"] if rng.random() < 0.5 \
            else [f"unitsize({rng.choice(['0.5', '0.5', '0.6', '0.45', '0.4'])}cm);"]
        fs = fontsize(rng)
        if fs:
            head.append(fs)
        g = rng.choice(_GRID_PENS)
        out = head + [""]
        if rng.random() < 0.5:
            out += ["// grid",
                    f"for(int i=0; i<={x1}; ++i) draw((i,0)--(i,{y1}), {g});",
                    f"for(int j=0; j<={y1}; ++j) draw((0,j)--({x1},j), {g});", ""]
        else:
            out += ["// grid",
                    f"for(int i=0; i<={x1}; ++i) {{", f"  draw((i,0)--(i,{y1}), {g});", "}",
                    f"for(int j=0; j<={y1}; ++j) {{", f"  draw((0,j)--({x1},j), {g});", "}", ""]
        axes_lines = []

    use_t = rng.random() < 0.4
    prime = rng.choice(["p", "1", "2"]) if not use_t else "p"
    inames = [f"{c}{prime}" if prime != "p" else f"{c}p" for c in names]
    pre_pen = rng.choice(["linewidth(1)", "", "black+linewidth(0.8)", "blue+linewidth(1)", "linewidth(1.2)"])
    img_style = rng.choice(["dashed", "red", "red+dashed", "blue+linewidth(1)", "fill", "fill", "heavygreen+linewidth(1)"])
    fill_pre = rng.random() < 0.3
    if _poly_overlap(pre, img):  # nested dilation: outlines only, so neither hides the other
        fill_pre = False
        if img_style == "fill":
            img_style = "dashed"
    shp = "--".join(names) + "--cycle"
    ishp = "--".join(inames) + "--cycle"
    code: list[str] = []
    if rng.random() < 0.5:
        code += [f"pair {c}={_pt(*p)};" for c, p in zip(names, pre)]
    else:
        code.append("pair " + ", ".join(f"{c}={_pt(*p)}" for c, p in zip(names, pre)) + ";")

    tdef = ""
    if use_t:
        if kind == "translate":
            tdef = f"shift({extra['dx']},{extra['dy']})"
        elif kind == "reflect":
            line = extra["line"]
            tdef = {"xaxis": "reflect((0,0),(1,0))", "yaxis": "reflect((0,0),(0,1))", "yx": "reflect((0,0),(1,1))",
                    "ymx": "reflect((0,0),(1,-1))"}.get(line, "")  # fmt: skip
            if line == "vline":
                tdef = f"reflect(({extra['k']},0),({extra['k']},1))"
            elif line == "hline":
                tdef = f"reflect((0,{extra['k']}),(1,{extra['k']}))"
            elif line == "diag":
                c = extra["c"]
                tdef = f"reflect((0,{c}),(1,{c + 1}))" if extra["sgn"] == 1 else f"reflect((0,{c}),(1,{c - 1}))"
        elif kind == "rotate":
            tdef = f"rotate({extra['ang']},{_pt(*extra['c'])})" if extra["c"] != (0, 0) or rng.random() < 0.5 \
                else f"rotate({extra['ang']})"
        else:
            k = extra["k"]
            ks = fmt(float(k))
            cx, cy = extra["c"]
            tdef = f"scale({ks})" if (cx, cy) == (0, 0) else f"shift({cx},{cy})*scale({ks})*shift({-cx},{-cy})"
        code.append(f"transform t = {tdef};")
        code += [f"pair {ic} = t*{c};" for c, ic in zip(names, inames)] if rng.random() < 0.5 else \
            ["pair " + ", ".join(f"{ic}=t*{c}" for c, ic in zip(names, inames)) + ";"]
    else:
        if rng.random() < 0.5:
            code += [f"pair {ic}={_pt(*p)};" for ic, p in zip(inames, img)]
        else:
            code.append("pair " + ", ".join(f"{ic}={_pt(*p)}" for ic, p in zip(inames, img)) + ";")
    code.append("")

    # helper lines (mirror line, centre, arrows) go under the shapes
    helpers: list[str] = []
    lab_extra: list[str] = []
    if kind == "reflect":
        line = extra["line"]
        lp = rng.choice(["dashed", "dashed+blue", "linewidth(1)+dashed", "gray+dashed", "red+dashed"])
        if line in ("vline", "hline", "diag", "yx", "ymx"):
            if line == "vline":
                k = extra["k"]
                P, Q = (k, y0), (k, y1)
                tx = rng.choice([f"$x={k}$", "$\\ell$", "$m$"]) if axes else rng.choice(["$\\ell$", "$m$", "$n$"])
            elif line == "hline":
                k = extra["k"]
                P, Q = (x0, k), (x1, k)
                tx = rng.choice([f"$y={k}$", "$\\ell$", "$m$"]) if axes else rng.choice(["$\\ell$", "$m$", "$n$"])
            else:
                if line == "yx":
                    c, sgn = 0, 1
                elif line == "ymx":
                    c, sgn = 0, -1
                else:
                    c, sgn = extra["c"], extra["sgn"]
                # clip y = sgn*x + c to the window
                cands = []
                for X in (x0, x1):
                    Y = sgn * X + c
                    if y0 <= Y <= y1:
                        cands.append((X, Y))
                for Y in (y0, y1):
                    X = (Y - c) * sgn
                    if x0 <= X <= x1:
                        cands.append((X, Y))
                cands = sorted(set(cands))
                P, Q = cands[0], cands[-1]
                if axes:
                    eq = ("y=x" if sgn == 1 else "y=-x") + (_plus(c) if c else "")
                    tx = rng.choice([f"${eq}$", f"${eq}$", "$\\ell$"])
                else:
                    tx = rng.choice(["$\\ell$", "$m$", "$n$"])
            helpers.append(f"draw({_pt(*P)}--{_pt(*Q)}, {lp});")
            if rng.random() < 0.85:
                d = _compass(Q[0] - P[0], Q[1] - P[1])
                lab_extra.append(f'label("{tx}", {_pt(*Q)}, {d});')
    elif kind == "rotate":
        cx, cy = extra["c"]
        cn = "O" if (cx, cy) == (0, 0) else rng.choice(["P", "C", "R", "Q"])
        cn = cn if cn not in names else "Z"
        if rng.random() < 0.5:
            helpers.append(f"draw({_pt(cx, cy)}--{names[0]}, dotted);")
            helpers.append(f"draw({_pt(cx, cy)}--{inames[0]}, dotted);")
            if rng.random() < 0.6 and abs(extra["ang"]) == 90:
                a1 = _m.degrees(_m.atan2(pre[0][1] - cy, pre[0][0] - cx))
                a2 = a1 + extra["ang"]
                r = 0.8 if not axes else 1
                helpers.append(f"draw(arc({_pt(cx, cy)}, {fmt(r)}, {fmt(a1, 1)}, {fmt(a2, 1)}), Arrow(4));")
        if (cx, cy) != (0, 0) or rng.random() < 0.5:
            lab_extra.append(f"dot({_pt(cx, cy)});")
            if (cx, cy) != (0, 0) or not axes:
                lab_extra.append(f'label("${cn}$", {_pt(cx, cy)}, {rng.choice(["SW", "S", "W", "SE"])});')
    elif kind == "dilate":
        cx, cy = extra["c"]
        cn = "O" if (cx, cy) == (0, 0) else rng.choice(["P", "C", "O"])
        cn = cn if cn not in names else "Z"
        if rng.random() < 0.75:
            rp = rng.choice(["dashed", "dotted", "gray+dashed", "linewidth(0.4)+dashed"])
            far = [q if _m.dist(q, (cx, cy)) >= _m.dist(p, (cx, cy)) else p for p, q in zip(pre, img)]
            for p in far:
                helpers.append(f"draw({_pt(cx, cy)}--{_pt(*p)}, {rp});")
        lab_extra.append(f"dot({_pt(cx, cy)});")
        if (cx, cy) != (0, 0) or not axes or rng.random() < 0.5:
            # keep the centre's letter off the rays
            vx = sum(p[0] for p in pre) / len(pre) - cx
            vy = sum(p[1] for p in pre) / len(pre) - cy
            lab_extra.append(f'label("${cn}$", {_pt(cx, cy)}, {_compass(-vx, -vy)});')
    else:  # translate: an arrow from a vertex to its image
        if rng.random() < 0.6:
            ap = rng.choice(["dashed", "gray", "blue", "dashed+gray", ""])
            which = range(len(names)) if rng.random() < 0.4 else [0]
            for i in which:
                helpers.append(f"draw({with_pen(f'{names[i]}--{inames[i]}', ap)}, Arrow);")

    shapes: list[str] = []
    if fill_pre:
        shapes.append(f"filldraw({shp}, {fill_pen(rng, 0.5)}{', ' + pre_pen if pre_pen else ''});")
    else:
        shapes.append(f"draw({with_pen(shp, pre_pen)});")
    if img_style == "fill":
        fp = fill_pen(rng, 0.7)
        shapes.append(f"filldraw({ishp}, {fp}{', ' + pre_pen if pre_pen else ''});")
    else:
        shapes.append(f"draw({ishp}, {img_style});")

    labels: list[str] = []
    for c, d in zip(names, _vertex_dirs(pre)):
        labels.append(f'label("${c}$", {c}, {d});')
    for c, ic, d in zip(names, inames, _vertex_dirs(img)):
        labels.append(f'label("${c}\'$", {ic}, {d});')

    body = code + [h for h in helpers if h] + shapes + labels + lab_extra
    out += axes_lines + body
    return join_program(out)
