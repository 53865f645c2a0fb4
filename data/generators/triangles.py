"""Triangle families: labelled triangles (with marks and cevians) and similar triangles.

The module also holds the small plane-geometry helpers that polygons.py and lines.py share:
points are computed in Python (so labels can be placed where they do not collide) and then
written as an Asymptote program the way a person would type it.
"""
from __future__ import annotations

import math as _m
import random
import re

from .base import register
from .labels import LETTERS, angle_label, fix_compass, fmt, length_label, math, vertex_names
from .style import fill_pen, fontsize, pen, with_pen

# ----------------------------------------------------------------------------------------
# geometry helpers (shared with polygons.py and lines.py)
# ----------------------------------------------------------------------------------------

Pt = tuple[float, float]


def add(p: Pt, q: Pt) -> Pt:
    return (p[0] + q[0], p[1] + q[1])


def sub(p: Pt, q: Pt) -> Pt:
    return (p[0] - q[0], p[1] - q[1])


def mul(p: Pt, k: float) -> Pt:
    return (p[0] * k, p[1] * k)


def dist(p: Pt, q: Pt) -> float:
    return _m.hypot(p[0] - q[0], p[1] - q[1])


def unit(p: Pt) -> Pt:
    n = _m.hypot(*p) or 1.0
    return (p[0] / n, p[1] / n)


def dirv(deg: float) -> Pt:
    return (_m.cos(_m.radians(deg)), _m.sin(_m.radians(deg)))


def ang(p: Pt) -> float:
    """Direction of vector p in degrees, in [0, 360)."""
    return _m.degrees(_m.atan2(p[1], p[0])) % 360


def rot(p: Pt, deg: float, c: Pt = (0.0, 0.0)) -> Pt:
    x, y = sub(p, c)
    cs, sn = _m.cos(_m.radians(deg)), _m.sin(_m.radians(deg))
    return add(c, (x * cs - y * sn, x * sn + y * cs))


def lerp(p: Pt, q: Pt, t: float) -> Pt:
    return (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t)


def vertex_angle(p: Pt, v: Pt, q: Pt) -> float:
    a, b = ang(sub(p, v)), ang(sub(q, v))
    d = abs(a - b) % 360
    return min(d, 360 - d)


def line_dist(p: Pt, a: Pt, b: Pt) -> float:
    """Distance from p to the line ab."""
    u = unit(sub(b, a))
    w = sub(p, a)
    return abs(w[0] * u[1] - w[1] * u[0])


def P(p: Pt, nd: int = 2) -> str:
    """Pair literal as a person writes it: (2,3.5)."""
    return f"({fmt(p[0], nd)},{fmt(p[1], nd)})"


def bbox(pts: list[Pt]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


COMPASS = [(0, "E"), (45, "NE"), (90, "N"), (135, "NW"), (180, "W"), (225, "SW"), (270, "S"), (315, "SE")]


def compass(deg: float) -> str:
    deg %= 360
    best = min(COMPASS, key=lambda c: min(abs(deg - c[0]), 360 - abs(deg - c[0])))
    return best[1]


def compass_err(deg: float) -> float:
    deg %= 360
    return min(min(abs(deg - c), 360 - abs(deg - c)) for c, _ in COMPASS)


def align(rng: random.Random, deg: float) -> str:
    """Label alignment: a compass word mostly, sometimes dir(angle)."""
    if compass_err(deg) < 12 or rng.random() < 0.6:
        return compass(deg)
    return f"dir({int(round(deg)) % 360})"


_CHAR_W = {"m": 9.5, "w": 8.5, " ": 4.0, "+": 11.0, "-": 11.0, "=": 11.0, "(": 4.5, ")": 4.5, "o": 4.5,
           "v": 9.0, ",": 3.5, ".": 3.5, "i": 3.5, "l": 3.5, "t": 4.5, "f": 5.5, "'": 3.0, ":": 4.0}


def text_width(s: str) -> float:
    """Rough rendered width of a label at 12pt, in pt."""
    t = s.replace("$", "")
    t = re.sub(r"\\frac\{([^}]*)\}\{([^}]*)\}", lambda mm: max(mm.group(1), mm.group(2), key=len), t)
    t = t.replace("^\\circ", "o").replace("\\sqrt", "v")
    t = re.sub(r"\\[a-zA-Z]+", "x", t)
    t = re.sub(r"[{}^_]", "", t)
    w = 0.0
    for ch in t:
        if ch in _CHAR_W:
            w += _CHAR_W[ch]
        elif ch.isdigit():
            w += 6.0
        elif ch.isupper():
            w += 8.5
        else:
            w += 6.0
    return max(w, 5.0)


def label_radius(s: str, fs: float = 12) -> float:
    """Half the diagonal of a label's box, in pt (rough)."""
    w = text_width(s) * fs / 12
    h = (18 if "frac" in s else 10) * fs / 12
    return 0.5 * _m.hypot(w, h)


def seg_dist(p: Pt, a: Pt, b: Pt) -> float:
    """Distance from p to the segment ab."""
    ab = sub(b, a)
    L2 = ab[0] ** 2 + ab[1] ** 2
    t = 0.0 if L2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1]) / L2))
    return dist(p, lerp(a, b, t))


def clear_of(p: Pt, r: float, segs: list[tuple[Pt, Pt]]) -> bool:
    return all(seg_dist(p, a, b) >= r for a, b in segs)


class Fig:
    """Accumulates program lines and knows the scale (pt per unit) and font size."""

    def __init__(self, rng: random.Random, extent: float, imports: tuple[str, ...] = (),
                 lo: int = 160, hi: int = 260, extra_pt: float = 0.0) -> None:  # fmt: skip
        self.rng = rng
        self.lines: list[str] = [f"import {m};" for m in imports]
        fsl = fontsize(rng)
        self.fs = float(re.search(r"(\d+)pt", fsl).group(1)) if fsl else 12.0
        if rng.random() < 0.22:
            cm = round((rng.uniform(lo - 10, hi - 40) - extra_pt) / extent / 28.35, 1)
            if cm >= 0.3:
                self.ppu = cm * 28.35
                self.lines.append(f"unitsize({fmt(cm)}cm);")
            else:
                mm = max(1, round((rng.uniform(lo - 10, hi - 40) - extra_pt) / extent / 2.835))
                self.ppu = mm * 2.835
                self.lines.append(f"unitsize({mm}mm);")
        else:
            s = rng.randrange(lo, hi, 10)
            self.ppu = max(5.0, (s - 40 - extra_pt) / extent)
            self.lines.append(f"size({s});")
        if fsl:
            self.lines.append(fsl)

    def u(self, pt: float) -> float:
        """pt -> user units."""
        return pt / self.ppu

    def r(self, s: str) -> float:
        """Label radius in user units."""
        return label_radius(s, self.fs) / self.ppu

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def code(self) -> str:
        out = "\n".join(self.lines)
        return fix_compass(re.sub(r"\n{3,}", "\n\n", out), self.rng.choice(["dir", "word"]))


def declare_points(rng: random.Random, names: list[str], exprs: list[str]) -> list[str]:
    """`pair A=(0,0), B=(4,0);` on one line, or one per line."""
    if rng.random() < 0.5 and len(names) <= 5:
        return ["pair " + ", ".join(f"{n}={e}" if rng.random() < 0.5 else f"{n} = {e}"
                                    for n, e in zip(names, exprs)) + ";"]  # fmt: skip
    sp = " = " if rng.random() < 0.6 else "="
    return [f"pair {n}{sp}{e};" for n, e in zip(names, exprs)]


def right_mark(rng: random.Random, V: Pt, Pa: Pt, Pb: Pt, vn: str, an: str, bn: str, s: float,
               p: str = "") -> list[str]:  # fmt: skip
    """A right-angle square at V between rays to Pa and Pb, written in one of several styles."""
    s = round(s, 2)
    ua, ub = unit(sub(Pa, V)), unit(sub(Pb, V))
    style = rng.randrange(4)
    axis = all(abs(c) < 1e-9 or abs(abs(c) - 1) < 1e-9 for c in ua + ub)
    if style == 0 or (style == 3 and not axis):
        q1, q2, q3 = add(V, mul(ua, s)), add(V, mul(add(ua, ub), s)), add(V, mul(ub, s))
        return [f"draw({with_pen(f'{P(q1)}--{P(q2)}--{P(q3)}', p)});"]
    if style == 1:
        return [f"draw({with_pen(f'{vn}+{fmt(s)}*unit({an}-{vn})--{vn}+{fmt(s)}*(unit({an}-{vn})+unit({bn}-{vn}))--{vn}+{fmt(s)}*unit({bn}-{vn})', p)});"]  # noqa: E501
    if style == 2:
        a = ang(ua)
        if abs(((ang(ub) - a) % 360) - 90) > 1:
            a = ang(ub)
        rs = f"rotate({fmt(a, 1)})*" if abs(a) > 1e-6 and abs(a - 360) > 1e-6 else ""
        return [f"draw({with_pen(f'shift({vn})*{rs}scale({fmt(s)})*((1,0)--(1,1)--(0,1))', p)});"]
    q1, q2, q3 = add(V, mul(ua, s)), add(V, mul(add(ua, ub), s)), add(V, mul(ub, s))
    return [f"draw({with_pen(f'{P(q1)}--{P(q2)}--{P(q3)}', p)});"]


def tick_marks(style: int, A: Pt, B: Pt, an: str, bn: str, k: int, half: float, gap: float,
               p: str = "") -> list[str]:  # fmt: skip
    """k congruence ticks across segment AB at its midpoint.

    style 0: explicit short segments with numbers; 1: markers' StickIntervalMarker;
    2: a call to a user-defined `ticks(pair, pair, int)` function (caller defines it).
    """
    if style == 1:
        return [f"draw({an}--{bn}, StickIntervalMarker(1, {k}, size={int(round(half * 2 * 1.0))}));"]
    if style == 2:
        return [f"ticks({an}, {bn}, {k});"]
    M = lerp(A, B, 0.5)
    u = unit(sub(B, A))
    n = (-u[1], u[0])
    out = []
    for i in range(k):
        c = add(M, mul(u, (i - (k - 1) / 2) * gap))
        out.append(f"draw({with_pen(f'{P(add(c, mul(n, half)))}--{P(sub(c, mul(n, half)))}', p)});")
    return out


TICKS_FN = """void ticks(pair a, pair b, int n) {
  pair m = (a+b)/2, u = unit(b-a), v = rotate(90)*u;
  for (int i = 0; i < n; ++i) {
    pair c = m + (i-(n-1)/2)*%s*u;
    draw(c-%s*v--c+%s*v);
  }
}"""


def arc_code(V: Pt, vn: str, r: float, a1: float, a2: float, p: str = "", style: int = 0) -> str:
    if style == 1:
        return f"draw({with_pen(f'arc({vn}, {fmt(r)}, {fmt(a1, 1)}, {fmt(a2, 1)})', p)});"
    return f"draw({with_pen(f'arc({P(V)}, {fmt(r)}, {fmt(a1, 1)}, {fmt(a2, 1)})', p)});"


def other_letters(names: list[str], prefer: str, k: int = 1) -> list[str]:
    out = []
    for c in prefer + LETTERS:
        if c not in names and c not in out:
            out.append(c)
        if len(out) == k:
            break
    return out


# ----------------------------------------------------------------------------------------
# triangle
# ----------------------------------------------------------------------------------------

SQ3 = _m.sqrt(3)


def _tri_angles(pts: list[Pt]) -> list[float]:
    return [vertex_angle(pts[i - 1], pts[i], pts[(i + 1) % 3]) for i in range(3)]


def _make_triangle(rng: random.Random, kind: str):
    """(points CCW with A,B the base, coordinate expressions, index of the right angle)."""
    for _ in range(500):
        right = None
        if kind == "equilateral":
            s = rng.choice([2, 4, 5, 6, 8, 10])
            pts = [(0.0, 0.0), (float(s), 0.0), (s / 2, s * SQ3 / 2)]
            c = rng.choice([f"({fmt(s / 2)},{s}*sqrt(3)/2)", f"{s}*dir(60)", f"({fmt(s / 2)},{fmt(s * SQ3 / 2)})"])
            exprs = ["(0,0)", f"({s},0)", c]
        elif kind == "isosceles":
            b = rng.randint(3, 9)
            h = rng.randint(4, 18) / 2
            pts = [(0.0, 0.0), (float(b), 0.0), (b / 2, h)]
            exprs = ["(0,0)", f"({b},0)", P(pts[2])]
        elif kind == "right":
            v = rng.choice(["A", "B", "hyp", "A"])
            if v == "hyp":
                c = rng.randint(5, 10)
                al = rng.choice([30, 35, 40, 45, 50, 55, 60, 37, 53])
                C = mul(dirv(al), c * _m.cos(_m.radians(al)))
                pts = [(0.0, 0.0), (float(c), 0.0), C]
                exprs = ["(0,0)", f"({c},0)", P(C)]
                right = 2
            else:
                a, b = rng.choice([(4, 3), (3, 4), (8, 6), (6, 8), (5, 12), (12, 5), (8, 15)]) if rng.random() < 0.4 \
                    else (rng.randint(3, 9), rng.randint(3, 8))  # fmt: skip
                if v == "A":
                    pts = [(0.0, 0.0), (float(a), 0.0), (0.0, float(b))]
                    right = 0
                else:
                    pts = [(0.0, 0.0), (float(a), 0.0), (float(a), float(b))]
                    right = 1
                exprs = [P(q) for q in pts]
        else:
            c = rng.randint(4, 10)
            x = rng.randint(-6, 2 * c + 6) / 2
            y = rng.randint(4, 16) / 2
            pts = [(0.0, 0.0), (float(c), 0.0), (x, y)]
            exprs = ["(0,0)", f"({c},0)", P(pts[2])]
        angs = _tri_angles(pts)
        x0, y0, x1, y1 = bbox(pts)
        asp = (x1 - x0) / (y1 - y0)
        if not 0.6 < asp < 3.2:
            continue
        if kind == "isosceles" and (abs(angs[0] - 60) < 7 or not 25 <= angs[2] <= 130):
            continue
        if kind == "scalene":
            if min(angs) < 30 or max(angs) > 100 or any(abs(angs[i] - angs[j]) < 6 for i in range(3) for j in range(i)):
                continue
            if abs(max(angs) - 90) < 6:
                continue
        if kind == "obtuse" and not (100 <= max(angs) <= 140 and min(angs) >= 20):
            continue
        if kind == "right" and min(angs) < 25:
            continue
        return pts, exprs, right
    raise RuntimeError("no triangle")


def _angle_label_pos(fig: Fig, V: Pt, bis: float, theta: float, text: str, arc_r: float | None) -> float:
    """Distance from V (units) at which an angle label sits inside the angle."""
    r = fig.r(text) + fig.u(2)
    d = r / _m.sin(_m.radians(theta) / 2)
    base = (arc_r + r + fig.u(1)) if arc_r else r + fig.u(5)
    return max(d, base)


@register("triangle")
def triangle(rng: random.Random) -> str:
    kind = rng.choice(["scalene", "scalene", "isosceles", "isosceles", "right", "right", "equilateral", "obtuse"])
    pts, exprs, right = _make_triangle(rng, kind)
    angs = _tri_angles(pts)
    names = vertex_names(rng, 3)

    # an occasional rotation (points then printed as decimals)
    rotated = False
    if rng.random() < 0.2 and right is None:
        t = rng.choice([-1, 1]) * rng.randint(10, 50)
        pts = [rot(q, t) for q in pts]
        exprs = [P(q) for q in pts]
        rotated = True
    if kind == "right" and rng.random() < 0.2 and right in (0, 1):  # flip so the right angle is on the other side
        pts = [(-q[0], q[1]) for q in pts]
        pts = [pts[1], pts[0], pts[2]]
        right = 1 - right
        exprs = [P(q) for q in pts]
        angs = _tri_angles(pts)

    x0, y0, x1, y1 = bbox(pts)
    ext = max(x1 - x0, y1 - y0)
    use_markers = rng.random() < 0.35
    tick_style = 1 if use_markers else rng.choice([0, 0, 2])
    fig = Fig(rng, ext, ("markers",) if use_markers else ())
    A, B, C = pts
    an, bn, cn = names
    tri_pen = pen(rng, color_p=0.1)
    side_len = [dist(pts[i], pts[(i + 1) % 3]) for i in range(3)]  # side i joins vertex i and i+1
    cx, cy = (A[0] + B[0] + C[0]) / 3, (A[1] + B[1] + C[1]) / 3
    segs: list[tuple[Pt, Pt]] = [(A, B), (B, C), (C, A)]

    fig.blank()
    fig.add(*declare_points(rng, names, exprs))
    fig.blank()
    path = f"{an}--{bn}--{cn}--cycle"
    if rng.random() < 0.2:
        fig.add(f"filldraw({path}, {fill_pen(rng)}{', ' + tri_pen if tri_pen else ''});")
    else:
        fig.add(f"draw({with_pen(path, tri_pen)});")

    # --- cevian from C to the base AB (base horizontal only)
    cevian = None
    if not rotated and rng.random() < 0.35:
        opts = []
        foot_t = (C[0] - A[0]) / (B[0] - A[0])
        if right == 2 or (right is None and 0.3 < foot_t < 0.7):
            opts += ["altitude", "altitude"]
        if right is None and (foot_t < -0.05 or foot_t > 1.05) and kind == "obtuse":
            opts += ["altitude_out"] * 3
        if right is None:
            opts += ["median"]
            if angs[2] >= 50 and 0.25 < foot_t < 0.75:
                opts += ["bisector"]
        if opts:
            cevian = rng.choice(opts)

    ticked: dict[int, int] = {}
    if kind == "isosceles" and rng.random() < 0.7:
        ticked = {1: 1, 2: 1}
    elif kind == "equilateral" and rng.random() < 0.7:
        ticked = {0: 1, 1: 1, 2: 1}
    elif kind == "scalene" and rng.random() < 0.1:
        ticked = {0: 1, 1: 2, 2: 3}
    seg_ticks: list[tuple[Pt, Pt, str, str, int]] = []
    for i, k in ticked.items():
        j = (i + 1) % 3
        seg_ticks.append((pts[i], pts[j], names[i], names[j], k))

    labelled_angles: set[int] = set()
    foot_name = None
    extra: list[str] = []
    extra_labels: list[str] = []
    base_busy = False
    if cevian:
        fname = other_letters(names, {"altitude": "HDF", "altitude_out": "HDF", "median": "MDE",
                                      "bisector": "DEP"}[cevian])[0]  # fmt: skip
        foot_name = fname
        cp = rng.choice(["dashed", "dashed", "", "dotted"]) if cevian.startswith("alt") else rng.choice(["", "", "dashed"])
        base_busy = True
        if cevian.startswith("altitude"):
            H = (C[0], 0.0)
            extra.append(rng.choice([f"pair {fname} = ({cn}.x, 0);", f"pair {fname} = {P(H)};"]))
            if cevian == "altitude_out":
                end = an if H[0] < A[0] else bn
                extra.append(f"draw({end}--{fname}, dashed);")
                other = A if H[0] < A[0] else B
                segs.append((other, H))
            else:
                other = B
            extra.append(f"draw({with_pen(f'{cn}--{fname}', cp)});")
            segs.append((C, H))
            s = min(fig.u(rng.uniform(6, 9)), 0.3 * dist(C, H), 0.3 * max(dist(H, A), dist(H, B)))
            otn = (bn if other is B else an)
            if right == 2:
                other = B if dist(H, B) > dist(H, A) else A
                otn = bn if other is B else an
            extra += right_mark(rng, H, other, C, fname, otn, cn, s)
            extra_labels.append(f'label("${fname}$", {fname}, S);')
            if rng.random() < 0.4:
                hl = rng.choice(["$h$", "$h$", length_label(rng)])
                mid = lerp(C, H, 0.5)
                sides_ = ["E", "W"] if rng.random() < 0.5 else ["W", "E"]
                if cevian == "altitude_out":
                    sides_ = ["E"] if H[0] > B[0] else ["W"]
                others = [sg for sg in segs if sg != (C, H)]
                for side in sides_:
                    sgn = 1 if side == "E" else -1
                    ctr_ = add(mid, (sgn * (fig.u(text_width(hl) / 2 + 3)), 0))
                    if clear_of(ctr_, fig.r(hl), others):
                        extra_labels.append(f'label("{hl}", {P(mid)}, {side});' if rng.random() < 0.5
                                            else f'label("{hl}", ({cn}+{fname})/2, {side});')  # fmt: skip
                        break
            labelled_angles.add(2)
        elif cevian == "median":
            M = lerp(A, B, 0.5)
            extra.append(f"pair {fname} = ({an}+{bn})/2;")
            extra.append(f"draw({with_pen(f'{cn}--{fname}', cp)});")
            segs.append((C, M))
            extra_labels.append(f'label("${fname}$", {fname}, S);')
            seg_ticks = [t for t in seg_ticks if not ({t[2], t[3]} == {an, bn})]
            seg_ticks += [(A, M, an, fname, 1 if not ticked else 2), (M, B, fname, bn, 1 if not ticked else 2)]
            labelled_angles.add(2)
        else:
            bis = unit(add(unit(sub(A, C)), unit(sub(B, C))))
            t = dist(C, A) / (dist(C, A) + dist(C, B))
            D = lerp(A, B, t)
            if rng.random() < 0.5:
                extra.append(f"pair {fname} = extension({cn}, {cn}+unit({an}-{cn})+unit({bn}-{cn}), {an}, {bn});")
            else:
                extra.append(f"pair {fname} = {P(D)};")
            extra.append(f"draw({with_pen(f'{cn}--{fname}', cp)});")
            segs.append((C, D))
            extra_labels.append(f'label("${fname}$", {fname}, S);')
            # equal-angle marks on the two halves
            r = min(fig.u(rng.uniform(18, 26)), 0.3 * min(dist(C, A), dist(C, B)))
            a_a, a_d, a_b = ang(sub(A, C)), ang(bis), ang(sub(B, C))
            a_d = a_a + ((a_d - a_a) % 360)
            a_b = a_d + ((a_b - a_d) % 360)
            for s0, s1 in ((a_a, a_d), (a_d, a_b)):
                extra.append(arc_code(C, cn, r, s0, s1, style=1))
            mode = rng.choice(["tick", "num"])
            for s0, s1, lab in ((a_a, a_d, "1"), (a_d, a_b, "2")):
                mdeg = (s0 + s1) / 2
                if mode == "tick":
                    q0, q1 = add(C, mul(dirv(mdeg), r - fig.u(3))), add(C, mul(dirv(mdeg), r + fig.u(3)))
                    extra.append(f"draw({P(q0)}--{P(q1)});")
                else:
                    half = (s1 - s0) / 2
                    d = max(r + fig.r("$1$") + fig.u(2), (fig.r("$1$") + fig.u(1)) / _m.sin(_m.radians(half)))
                    extra_labels.append(f'label("${lab}$", {P(add(C, mul(dirv(mdeg), d)))});')
            labelled_angles.add(2)

    # --- marks
    marks: list[str] = []
    if right is not None:
        V = pts[right]
        s = min(fig.u(rng.uniform(7, 10)), 0.25 * min(side_len))
        i0, i1 = (right + 1) % 3, (right - 1) % 3
        marks += right_mark(rng, V, pts[i0], pts[i1], names[right], names[i0], names[i1], s)
        labelled_angles.add(right)
    if seg_ticks:
        half, gap = fig.u(4), fig.u(3)
        if tick_style == 2:
            fig.add(TICKS_FN % (fmt(gap), fmt(half), fmt(half)))
            fig.lines.insert(len(fig.lines) - 1, "")
        for a_, b_, na, nb, k in seg_ticks:
            marks += tick_marks(tick_style, a_, b_, na, nb, k, half if tick_style != 1 else 4, gap)

    # --- angle arcs and labels
    arc_pen = rng.choice(["", "", "", "blue", "red"]) if rng.random() < 0.3 else ""
    angle_lines: list[str] = []
    n_ang = rng.choice([0, 0, 1, 2, 2, 3])
    cand = [i for i in range(3) if i not in labelled_angles]
    rng.shuffle(cand)
    use_arcs = rng.random() < 0.6
    angle_texts = {}
    if kind == "isosceles" and not ticked and rng.random() < 0.5:
        # equal base angles shown with matching arcs
        use_arcs = True
        cand = [0, 1] + [i for i in cand if i not in (0, 1)]
        n_ang = max(n_ang, 2)
    deg_vals = [round(a) for a in angs]
    if sum(deg_vals) != 180:
        deg_vals[2] = 180 - deg_vals[0] - deg_vals[1]
    for i in cand[:n_ang]:
        V = pts[i]
        theta = angs[i]
        if theta < 25:
            continue
        r_arc = None
        a_next = ang(sub(pts[(i + 1) % 3], V))
        bis = a_next + theta / 2
        text = angle_label(rng, deg_vals[i]) if rng.random() < 0.93 else "$?$"
        if use_arcs:
            r_arc = min(fig.u(rng.uniform(11, 17)), 0.3 * min(side_len[i], side_len[i - 1]))
        d = _angle_label_pos(fig, V, bis, theta, text, r_arc)
        Lp = add(V, mul(dirv(bis), d))
        # must sit inside the triangle, clear of the opposite side and of the other sides
        opp = (pts[(i + 1) % 3], pts[(i + 2) % 3])
        if line_dist(Lp, *opp) < fig.r(text) + fig.u(2) or d > 0.6 * min(side_len[i], side_len[i - 1]) \
                or not clear_of(Lp, fig.r(text) + fig.u(3), segs):
            if r_arc:
                angle_lines.append(arc_code(V, names[i], r_arc, a_next, a_next + theta, arc_pen, rng.randrange(2)))
            continue
        if r_arc:
            angle_lines.append(arc_code(V, names[i], r_arc, a_next, a_next + theta, arc_pen, rng.randrange(2)))
            if kind == "isosceles" and i in (0, 1) and rng.random() < 0.3:
                angle_lines.append(arc_code(V, names[i], r_arc + fig.u(3), a_next, a_next + theta, arc_pen, 1))
        angle_texts[i] = text
        if rng.random() < 0.5:
            angle_lines.append(f'label("{text}", {P(Lp)});')
        else:
            angle_lines.append(f'label("{text}", {names[i]} + {fmt(d)}*dir({fmt(bis % 360, 1)}));')

    # --- side lengths
    side_lines: list[str] = []
    n_side = rng.choice([0, 1, 2, 2, 3, 3]) if not angle_texts else rng.choice([0, 0, 1, 2])
    sides = [0, 1, 2]
    rng.shuffle(sides)
    right_vals = None
    if right is not None:
        a_, b_ = side_len[right], side_len[right - 1]
        right_vals = (a_, b_)
    for i in sides[:n_side]:
        if i == 0 and base_busy:
            continue
        if i in ticked and rng.random() < 0.6:
            continue
        Pa, Pb = pts[i], pts[(i + 1) % 3]
        M = lerp(Pa, Pb, 0.5)
        u = unit(sub(Pb, Pa))
        nrm = (u[1], -u[0])  # outward for a CCW triangle
        v = side_len[i]
        text = length_label(rng, v if kind != "equilateral" else side_len[0])
        if kind == "equilateral" and rng.random() < 0.6:
            text = math(fmt(side_len[0]))
        nd = ang(nrm)
        extra_off = fig.u(6) if i in ticked else 0.0
        if compass_err(nd) < 3 and not extra_off and rng.random() < 0.7:
            where = f"({names[i]}+{names[(i + 1) % 3]})/2" if rng.random() < 0.6 else P(M)
            side_lines.append(f'label("{text}", {where}, {compass(nd)});')
        else:
            d = fig.r(text) * 1.0 + fig.u(3) + extra_off
            Lp = add(M, mul(nrm, d))
            if not clear_of(Lp, fig.r(text), [sg for sg in segs if sg != (Pa, Pb)]):
                continue
            side_lines.append(f'label("{text}", {P(add(M, mul(nrm, d)))});')

    # --- vertex labels
    vlab: list[str] = []
    show_v = rng.random() < 0.92 or cevian
    for i in range(3):
        V = pts[i]
        out = ang(mul(add(unit(sub(pts[i - 1], V)), unit(sub(pts[(i + 1) % 3], V))), -1))
        if show_v:
            vlab.append(f'label("${names[i]}$", {names[i]}, {align(rng, out)});')
    dots = rng.random() < 0.25

    fig.add(*extra)
    fig.add(*marks)
    fig.add(*angle_lines)
    fig.blank()
    if dots:
        fig.add("dot(" + ");\ndot(".join(names + ([foot_name] if foot_name else [])) + ");")
    fig.add(*vlab)
    fig.add(*extra_labels)
    fig.add(*side_lines)
    return fig.code()


# ----------------------------------------------------------------------------------------
# similar triangles
# ----------------------------------------------------------------------------------------


@register("similar_triangles")
def similar_triangles(rng: random.Random) -> str:
    mode = rng.choice(["pair", "pair", "nested", "nested", "hourglass"])
    if mode == "pair":
        return _similar_pair(rng)
    if mode == "nested":
        return _similar_nested(rng)
    return _similar_hourglass(rng)


def _nice_tri(rng: random.Random) -> list[Pt]:
    for _ in range(500):
        c = rng.randint(3, 6)
        x, y = rng.randint(-2, 2 * c + 2) / 2, rng.randint(4, 10) / 2
        pts = [(0.0, 0.0), (float(c), 0.0), (x, y)]
        angs = _tri_angles(pts)
        if min(angs) >= 32 and max(angs) <= 110:
            return pts
    return [(0.0, 0.0), (4.0, 0.0), (1.5, 3.0)]


def _side_label_pos(fig: Fig, pts: list[Pt], i: int, text: str) -> Pt:
    """Outside midpoint of side i (vertex i to i+1) of a CCW polygon."""
    Pa, Pb = pts[i], pts[(i + 1) % len(pts)]
    u = unit(sub(Pb, Pa))
    nrm = (u[1], -u[0])
    return add(lerp(Pa, Pb, 0.5), mul(nrm, fig.r(text) + fig.u(2)))


def _lens(rng: random.Random, base: list[float], k: float, unknown: int) -> tuple[list[str], list[str]]:
    """Length texts for two similar triangles; one entry may be x."""
    unit_ = rng.choice(["", "", "", " cm", " m", " in"])
    nice = [max(1, round(b)) for b in base]
    if abs(k - round(k)) > 1e-9:  # k = 1.5, 0.5, 2.5: even lengths keep the copy's lengths tidy
        nice = [max(2, 2 * round(b / 2)) for b in base]
    t1 = [fmt(v) + unit_ for v in nice]
    t2 = [fmt(v * k) + unit_ for v in nice]
    t1 = [math(t) if not unit_ else t for t in t1]
    t2 = [math(t) if not unit_ else t for t in t2]
    if unknown >= 0:
        var = rng.choice(["x", "x", "y", "a", "n"])
        t2[unknown] = math(var)
    return t1, t2


def _similar_pair(rng: random.Random) -> str:
    T = _nice_tri(rng)
    ks = [rng.choice([1.5, 2, 2, 0.5, 3, 1.5, 2.5])] + [2, 1.5, 0.5, 1.5, 2]
    flip = rng.random() < 0.35
    rdeg = rng.choice([0, 0, 0, 30, -30, 90, 180, 45, -60])
    for k in ks:
        T2 = [mul(q, k) for q in T]
        if flip:
            T2 = [(-q[0], q[1]) for q in T2]
        T2 = [rot(q, rdeg) for q in T2]
        # shift T2 to the right of T1
        x0, y0, x1, y1 = bbox(T)
        a0, b0, a1, b1 = bbox(T2)
        dy = y0 - b0 if rng.random() < 0.7 else (y0 + y1) / 2 - (b0 + b1) / 2
        ext0 = max((x1 - x0) + (a1 - a0), y1 - y0, b1 - b0)
        wide = (x1 - x0) + (a1 - a0) >= max(y1 - y0, b1 - b0)
        fig = Fig(rng, ext0, lo=200, hi=280, extra_pt=95 if wide else 0)
        gap = fig.u(95 * fig.fs / 12)  # room for two side labels and two vertex labels between the triangles
        small = min(dist(T[i], T[i - 1]) for i in range(3)) * min(k, 1) * fig.ppu
        if small >= 68 * fig.fs / 12:
            break
    T2 = [add(q, (x1 + gap - a0, dy)) for q in T2]

    n1 = vertex_names(rng, 3)
    if rng.random() < 0.5:
        n2 = [c + "'" for c in n1]
    else:
        n2 = other_letters(n1, "DEFPQRXYZ", 3)
    names2 = n2
    ids2 = [c.replace("'", "p") for c in n2]
    tp = pen(rng)
    fig.blank()
    fig.add(f"// triangle {''.join(n1)}")
    fig.add(*declare_points(rng, n1, [P(q) for q in T]))
    fig.add(f"draw({with_pen(f'{n1[0]}--{n1[1]}--{n1[2]}--cycle', tp)});")
    fig.blank()
    fig.add(f"// triangle {''.join(c for c in n2)}")
    fig.add(*declare_points(rng, ids2, [P(q) for q in T2]))
    fig.add(f"draw({with_pen(f'{ids2[0]}--{ids2[1]}--{ids2[2]}--cycle', tp)});")
    fig.blank()

    def ccw(pts: list[Pt]) -> bool:
        (ax, ay), (bx, by), (cx, cy) = pts
        return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax) > 0

    side = [dist(T[i], T[(i + 1) % 3]) for i in range(3)]
    scale_to_len = rng.choice([1, 1, 2, 0.5]) if rng.random() < 0.5 else 1
    base = [s * scale_to_len for s in side]
    unknown = rng.randrange(3) if rng.random() < 0.7 else -1
    t1, t2 = _lens(rng, base, k, unknown)
    shown = rng.sample(range(3), rng.choice([2, 3, 3]))
    if unknown >= 0 and unknown not in shown:
        shown.append(unknown)
    labs = []
    for tri, names, texts, orient in ((T, n1, t1, ccw(T)), (T2, ids2, t2, ccw(T2))):
        pts = tri if orient else tri[::-1]
        for i in shown:
            if orient:
                j = i
            else:
                j = {0: 1, 1: 0, 2: 2}[i]  # reversed order: side (0,1)->(1,0) is index 1 in reversed list
            pos = _side_label_pos(fig, pts, j, texts[i])
            labs.append(f'label("{texts[i]}", {P(pos)});')
        cxy = mul(add(add(tri[0], tri[1]), tri[2]), 1 / 3)
        for i in range(3):
            out = ang(sub(tri[i], cxy))
            disp = names[i] if "'" not in names2[0] or names is n1 else names2[i]
            labs.append(f'label("${disp}$", {names[i]}, {align(rng, out)});')
    # matching angle arcs (optional)
    if rng.random() < 0.45:
        arc_lines = []
        for tri, names, kk in ((T, n1, 1), (T2, ids2, k)):
            angs = _tri_angles(tri)
            for i in range(2):
                V = tri[i]
                a_next, a_prev = ang(sub(tri[(i + 1) % 3], V)), ang(sub(tri[(i - 1) % 3], V))
                if (a_prev - a_next) % 360 > 180:
                    a_next, a_prev = a_prev, a_next
                th = angs[i]
                r = fig.u(10)
                for m_ in range(i + 1):
                    arc_lines.append(arc_code(V, names[i], r + m_ * fig.u(3), a_next, a_next + th, style=1))
        fig.add(*arc_lines)
        fig.blank()
    fig.add(*labs)
    return fig.code()


def _similar_nested(rng: random.Random) -> str:
    for _ in range(500):
        c = rng.randint(4, 7)
        x, y = rng.randint(round(0.2 * c * 2), round(0.8 * c * 2)) / 2, rng.randint(7, 14) / 2
        T = [(0.0, 0.0), (float(c), 0.0), (x, y)]
        if min(_tri_angles(T)) >= 35:
            break
    B, C, A = T  # apex A on top, base BC
    t = rng.choice([0.4, 0.5, 0.6, 1 / 3, 2 / 3, 0.45, 0.55])
    D, E = lerp(A, B, t), lerp(A, C, t)
    names = vertex_names(rng, 5)
    an, bn, cn, dn, en = names
    X0, Y0, X1, Y1 = bbox(T)
    fig = Fig(rng, max(X1 - X0, Y1 - Y0))
    tp = pen(rng)
    fig.blank()
    fig.add(*declare_points(rng, [an, bn, cn], [P(A), P(B), P(C)]))
    if rng.random() < 0.5:
        if abs(t - 1 / 3) < 1e-6:
            fig.add(f"pair {dn} = {an} + ({bn}-{an})/3, {en} = {an} + ({cn}-{an})/3;")
        elif abs(t - 2 / 3) < 1e-6:
            fig.add(f"pair {dn} = {an} + 2*({bn}-{an})/3, {en} = {an} + 2*({cn}-{an})/3;")
        else:
            fig.add(f"pair {dn} = {an} + {fmt(t, 3)}*({bn}-{an}), {en} = {an} + {fmt(t, 3)}*({cn}-{an});")
    else:
        fig.add(*declare_points(rng, [dn, en], [P(D), P(E)]))
    fig.blank()
    if rng.random() < 0.25:
        fig.add(f"fill({dn}--{en}--{cn}--{bn}--cycle, {fill_pen(rng)});")
    fig.add(f"draw({with_pen(f'{an}--{bn}--{cn}--cycle', tp)});")
    fig.add(f"draw({with_pen(f'{dn}--{en}', tp)});")
    arrows = rng.random() < 0.5
    if arrows:
        if rng.random() < 0.5:
            fig.add(f"draw({dn}--{en}, MidArrow);", f"draw({bn}--{cn}, MidArrow);")
        else:
            fig.add(f"draw({dn}--({dn}+{en})/2, EndArrow(5));", f"draw({bn}--({bn}+{cn})/2, EndArrow(5));")
    fig.blank()
    if rng.random() < 0.3:
        fig.add("dot(" + "); dot(".join([dn, en]) + ");")
    ctr = mul(add(add(A, B), C), 1 / 3)
    for n_, q in ((an, A), (bn, B), (cn, C)):
        fig.add(f'label("${n_}$", {n_}, {align(rng, ang(sub(q, ctr)))});')
    # D, E labels on the outside of their sides (B, C, A run counterclockwise: outward is the right normal)
    for n_, q, s0, s1 in ((dn, D, A, B), (en, E, C, A)):
        u = unit(sub(s1, s0))
        fig.add(f'label("${n_}$", {n_}, {align(rng, ang((u[1], -u[0])))});')
    # lengths: some of AD, DB, AE, EC, DE, BC
    L_ab, L_ac, L_bc = dist(A, B), dist(A, C), dist(B, C)
    scale = rng.choice([1, 1, 2, 3])
    vals = {"AD": t * L_ab, "DB": (1 - t) * L_ab, "AE": t * L_ac, "EC": (1 - t) * L_ac, "DE": t * L_bc, "BC": L_bc}
    choice = rng.choice([["AD", "DB", "AE", "EC"], ["AD", "DB", "DE", "BC"], ["AD", "DE", "BC"],
                         ["AE", "EC", "DE"], ["AD", "DB", "AE"], ["AE", "DE", "BC", "EC"]])  # fmt: skip
    unknown = rng.choice(choice) if rng.random() < 0.7 else None
    segs = {"AD": (A, D), "DB": (D, B), "AE": (E, A), "EC": (C, E), "DE": (D, E), "BC": (B, C)}
    unit_ = rng.choice(["", "", "", " cm"])
    extra = fig.u(5) if arrows else 0.0
    for key in choice:
        v = round(vals[key] * scale * 2) / 2
        if key == unknown:
            text = math(rng.choice(["x", "y", "x", "a"]))
        else:
            text = math(fmt(v)) if not unit_ else f"{fmt(v)}{unit_}"
        p0, p1 = segs[key]
        M = lerp(p0, p1, 0.5)
        u = unit(sub(p1, p0))
        if key == "DE":
            nrm = (-u[1], u[0]) if rng.random() < 0.5 else (u[1], -u[0])  # above or below DE
            pos = add(M, mul(nrm, fig.r(text) + fig.u(3) + extra))
        elif key == "BC":
            pos = add(M, mul((u[1], -u[0]), fig.r(text) + fig.u(3) + extra))
        else:
            nrm = (u[1], -u[0])
            pos = add(M, mul(nrm, fig.r(text) + fig.u(3)))
        if key == "BC" and not arrows and rng.random() < 0.6:
            fig.add(f'label("{text}", ({bn}+{cn})/2, S);')
        else:
            fig.add(f'label("{text}", {P(pos)});')
    return fig.code()


def _similar_hourglass(rng: random.Random) -> str:
    # A---B on top, D---E at the bottom, AE and BD cross at C; AB parallel to DE
    for _ in range(200):
        w1 = rng.randint(2, 5)
        k = rng.choice([1.5, 2, 0.5, 2.5, 3])
        h1 = rng.randint(2, 4)
        sh = rng.randint(-2, 2) / 4 * w1 / 2
        C = (0.0, 0.0)
        A, B = (-w1 / 2 + sh, float(h1)), (w1 / 2 + sh, float(h1))
        D, E = mul(A, -k), mul(B, -k)
        X0, Y0, X1, Y1 = bbox([A, B, D, E])
        if 0.5 < (X1 - X0) / (Y1 - Y0) < 1.8:
            break
    names = vertex_names(rng, 5)
    an, bn, cn, dn, en = names
    fig = Fig(rng, max(X1 - X0, Y1 - Y0))
    tp = pen(rng)
    fig.blank()
    fig.add(*declare_points(rng, names, [P(q) for q in (A, B, C, D, E)]))
    fig.blank()
    if rng.random() < 0.5:
        fig.add(f"draw({with_pen(f'{an}--{bn}--{en}--{dn}--cycle', tp)});")
    else:
        fig.add(f"draw({with_pen(f'{an}--{bn}', tp)});", f"draw({with_pen(f'{en}--{dn}', tp)});",
                f"draw({with_pen(f'{an}--{dn}', tp)});", f"draw({with_pen(f'{bn}--{en}', tp)});")  # fmt: skip
    arrows = rng.random() < 0.5
    if arrows:
        fig.add(f"draw({an}--{bn}, MidArrow);", f"draw({en}--{dn}, MidArrow);")
    fig.blank()
    # D is below-right (image of A), E below-left
    fig.add(f'label("${an}$", {an}, NW);', f'label("${bn}$", {bn}, NE);', f'label("${dn}$", {dn}, SE);',
            f'label("${en}$", {en}, SW);')  # fmt: skip
    # C sits in the wider of the left/right sectors of the X
    aB, aD = ang(sub(B, C)), ang(sub(D, C))
    open_r = (aB - aD) % 360
    bis = (aD + open_r / 2) % 360
    if rng.random() < 0.5:
        bis, open_r = (bis + 180) % 360, open_r
    dC = (fig.r(f"${cn}$") + fig.u(2)) / _m.sin(_m.radians(open_r / 2))
    fig.add(f'label("${cn}$", {P(add(C, mul(dirv(bis), dC)))});')
    cpos = add(C, mul(dirv(bis), dC))
    # lengths
    unit_ = rng.choice(["", "", " cm", " ft"])
    sc = rng.choice([1, 2, 3])
    opts = {"AB": (A, B, (0, 1)), "DE": (E, D, (0, -1)), "AC": (A, C, None), "CD": (C, D, None),
            "BC": (B, C, None), "CE": (C, E, None)}  # fmt: skip
    keys = rng.choice([["AB", "DE", "AC", "CD"], ["AB", "DE", "BC"], ["AC", "CD", "BC", "CE"], ["AB", "DE", "CE"]])
    unknown = rng.choice(keys) if rng.random() < 0.75 else None
    top = {key: max(1, round(dist(*opts[key][:2]) * sc)) for key in ("AB", "AC", "BC")}
    if abs(k - round(k)) > 1e-9:
        top = {key: 2 * max(1, round(v / 2)) for key, v in top.items()}
    top.update({"DE": top["AB"] * k, "CD": top["AC"] * k, "CE": top["BC"] * k})
    for key in keys:
        p0, p1, nrm = opts[key]
        v = top[key]
        text = math("x") if key == unknown else (math(fmt(v)) if not unit_ else f"{fmt(v)}{unit_}")
        M = lerp(p0, p1, 0.5)
        if nrm:
            if not arrows and rng.random() < 0.6:
                fig.add(f'label("{text}", {P(M)}, {"N" if nrm[1] > 0 else "S"});')
                continue
            pos = add(M, mul(nrm, fig.r(text) + fig.u(3 + (5 if arrows else 0))))
        else:
            u = unit(sub(p1, p0))
            nrm = (u[1], -u[0])
            if nrm[0] * (M[0] - C[0]) < 0:  # away from the middle of the X
                nrm = mul(nrm, -1)
            pos = add(M, mul(nrm, fig.r(text) + fig.u(3)))
            if dist(pos, cpos) < fig.r(text) + fig.r(f"${cn}$"):
                continue
        fig.add(f'label("{text}", {P(pos)});')
    return fig.code()
