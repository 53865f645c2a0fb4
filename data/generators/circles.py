"""Circle families: circles with chords/tangents/angles, shaded sectors and segments, arcs."""

from __future__ import annotations

import math as _m
import re
import random

from .base import register
from .labels import LETTERS, angle_label, fix_compass, fmt, length_label, math, vertex_names
from .style import fill_pen, fontsize, pen, size_line, with_pen

_COMPASS = {0: "E", 45: "NE", 90: "N", 135: "NW", 180: "W", 225: "SW", 270: "S", 315: "SE"}


# ---------------------------------------------------------------- small helpers (module-local)


def align(a: float) -> str:
    """Label alignment for direction ``a`` degrees: a compass name when close, else dir(a)."""
    a = a % 360
    k = int(round(a / 45.0)) * 45 % 360
    diff = min(abs(a - k), 360 - abs(a - k))
    if diff <= 12:
        return _COMPASS[k]
    return f"dir({int(round(a))})"


def angdist(a: float, b: float) -> float:
    d = abs(a - b) % 360
    return min(d, 360 - d)


def free_dir(used: list[float], step: int = 45) -> float:
    """The compass direction farthest (in angle) from every direction in ``used``."""
    if not used:
        return 225
    cands = list(range(0, 360, step))
    return max(cands, key=lambda c: (min(angdist(c, u) for u in used), -abs(c - 225)))


def spread_angles(rng: random.Random, n: int, gap: float, start: float | None = None) -> list[float]:
    """n angles (degrees) around a circle, each pair at least ``gap`` apart, in CCW order."""
    for _ in range(200):
        a = sorted(rng.uniform(0, 360) for _ in range(n))
        ok = all(angdist(a[i], a[(i + 1) % n]) >= gap for i in range(n)) if n > 1 else True
        if ok:
            return [round(x) for x in a]
    base = rng.uniform(0, 360) if start is None else start
    return [round((base + 360 * i / n) % 360) for i in range(n)]


def P(r: float, a: float) -> tuple[float, float]:
    return (r * _m.cos(_m.radians(a)), r * _m.sin(_m.radians(a)))


def pstr(p: tuple[float, float]) -> str:
    return f"({fmt(p[0])},{fmt(p[1])})"


def deg(v: tuple[float, float]) -> float:
    return _m.degrees(_m.atan2(v[1], v[0])) % 360


def sub(p, q):
    return (p[0] - q[0], p[1] - q[1])


def pick_names(rng: random.Random, n: int, avoid: set[str] = frozenset()) -> list[str]:
    """n point names from vertex_names, skipping the ones in ``avoid``."""
    names = [x for x in vertex_names(rng, n + len(avoid)) if x not in avoid]
    if len(names) < n:
        names += [x for x in LETTERS if x not in avoid and x not in names]
    return names[:n]


def seg_dist(p, a, b) -> float:
    """Distance from point p to segment ab."""
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / (dx * dx + dy * dy or 1)))
    return _m.hypot(p[0] - ax - t * dx, p[1] - ay - t * dy)


def header(rng: random.Random, lo: int = 150, hi: int = 250) -> list[str]:
    out = [size_line(rng, lo, hi)]
    fs = fontsize(rng)
    if fs:
        out.append(fs)
    return out


def rad_str(r: float) -> str:
    return fmt(r)


def angle_mark(vertex: str, d1: float, d2: float, rr: float, p: str = "") -> str:
    """draw(arc(V, rr, d1, d2)) going CCW from d1 by the short way."""
    span = (d2 - d1) % 360
    if span > 180:
        d1, d2 = d2, d1
        span = 360 - span
    a1 = round(d1) % 360
    a2 = a1 + round(span)
    return f"draw({with_pen(f'arc({vertex}, {fmt(rr)}, {a1}, {a2})', p)});"


def mid_angle(d1: float, d2: float) -> float:
    span = (d2 - d1) % 360
    if span > 180:
        d1, span = d2, 360 - span
    return (d1 + span / 2) % 360


def right_mark(v: str, a: str, b: str, s: float) -> str:
    """Hand-drawn right angle mark at v between the directions to a and b."""
    return (f"draw(({v}+{fmt(s)}*unit({a}-{v}))--({v}+{fmt(s)}*unit({a}-{v})+{fmt(s)}*unit({b}-{v}))"
            f"--({v}+{fmt(s)}*unit({b}-{v})));")


def degree_text(rng: random.Random, d: float) -> str:
    if rng.random() < 0.75:
        return math(f"{int(round(d))}^\\circ")
    return angle_label(rng, d)


# ---------------------------------------------------------------- circle


def _circle_basic(rng: random.Random, out: list[str]) -> None:
    r = rng.choice([1, 2, 3, 4, 5, 2.5, 6])
    cname = rng.choice(["O", "O", "O", "C", "P"])
    n = rng.randint(2, 5)
    names = pick_names(rng, n, {cname})
    angs = spread_angles(rng, n, 40)
    pts = dict(zip(names, angs))
    dot_pts = rng.random() < 0.6
    used: list[float] = []

    out.append(f"pair {cname}=(0,0);")
    out.append(f"real r={rad_str(r)};")
    out.append(f"draw(circle({cname}, r){'' if rng.random() < 0.7 else ', linewidth(1)'});")
    out.append("")
    if rng.random() < 0.5:
        out.append("pair " + ", ".join(f"{nm}=r*dir({a})" for nm, a in pts.items()) + ";")
    else:
        for nm, a in pts.items():
            out.append(f"pair {nm}=r*dir({a});")
    out.append("")

    # segments: a diameter, some radii, some chords
    segs: list[str] = []
    order = list(names)
    rng.shuffle(order)
    if rng.random() < 0.4:
        # make a diameter through the first point
        d = order[0]
        e = rng.choice([x for x in "DFGHKLM" if x not in names and x != cname])
        a = (pts[d] + 180) % 360
        out.append(f"pair {e}=-{d};")
        pts[e] = a
        segs.append(f"draw({d}--{e});")
        used += [pts[d], a]
        order = order[1:]
    rad_targets = []
    for nm in order:
        c = rng.random()
        if c < 0.35:
            segs.append(f"draw({cname}--{nm}{'' if rng.random() < 0.7 else ', dashed'});")
            used.append(pts[nm])
            rad_targets.append(nm)
    chords = [x for x in order]
    rng.shuffle(chords)
    drawn_chords = []
    for i in range(0, len(chords) - 1, 2):
        if rng.random() < 0.8:
            segs.append(f"draw({chords[i]}--{chords[i + 1]});")
            drawn_chords.append((P(r, pts[chords[i]]), P(r, pts[chords[i + 1]])))
    if not segs:
        segs.append(f"draw({cname}--{names[0]});")
        used.append(pts[names[0]])
        rad_targets.append(names[0])
    out += segs
    out.append("")
    rad_targets = [nm for nm in rad_targets
                   if all(seg_dist(P(r / 2, pts[nm]), *ch) > 0.25 * r for ch in drawn_chords)]
    if rad_targets and rng.random() < 0.6:
        nm = rad_targets[0]
        a = pts[nm]
        side = 90 if rng.random() < 0.5 else -90
        out.append(f"label(\"{length_label(rng, r * 2)}\", ({cname}+{nm})/2, {align(a + side)});")
    if dot_pts:
        out.append(f"dot({cname});")
        if rng.random() < 0.5:
            out.append(" ".join(f"dot({nm});" for nm in pts))
        else:
            out += [f"dot({nm});" for nm in pts]
    else:
        out.append(f"dot({cname});")
    out.append(f"label(\"${cname}$\", {cname}, {align(free_dir(used))});")
    for nm, a in pts.items():
        out.append(f"label(\"${nm}$\", {nm}, {align(a)});")


def _circle_tangent(rng: random.Random, out: list[str]) -> None:
    r = rng.choice([1, 2, 3, 1.5, 2.5])
    cname = rng.choice(["O", "O", "C"])
    two = rng.random() < 0.5
    names = pick_names(rng, 3, {cname})
    s = round(0.12 * r, 2)
    out.append(f"pair {cname}=(0,0);")
    out.append(f"real r={rad_str(r)};")
    out.append(f"draw(circle({cname}, r));")
    out.append("")
    if two:
        d = round(r * rng.uniform(1.8, 2.6), 1)
        phi = rng.choice([0, 0, 180, rng.randint(0, 359)])
        half = _m.degrees(_m.acos(r / d))
        Pn, T1, T2 = names[:3]
        a1, a2 = round(phi + half) % 360, round(phi - half) % 360
        out.append(f"pair {Pn}={fmt(d)}*dir({phi});")
        out.append(f"pair {T1}=r*dir({a1}), {T2}=r*dir({a2});")
        out.append("")
        out.append(f"draw({T1}--{Pn}--{T2});")
        out.append(f"draw({T1}--{cname}--{T2}{'' if rng.random() < 0.5 else ', dashed'});")
        if rng.random() < 0.5:
            out.append(f"draw({cname}--{Pn}, dashed);")
            used_c = [a1, a2, phi]
        else:
            used_c = [a1, a2]
        out.append(right_mark(T1, cname, Pn, s))
        out.append(right_mark(T2, cname, Pn, s))
        out.append("")
        out.append(f"dot({cname});")
        out.append(f"label(\"${cname}$\", {cname}, {align(free_dir(used_c))});")
        out.append(f"label(\"${Pn}$\", {Pn}, {align(phi)});")
        out.append(f"label(\"${T1}$\", {T1}, {align(a1)});")
        out.append(f"label(\"${T2}$\", {T2}, {align(a2)});")
        if rng.random() < 0.6:
            L = _m.sqrt(d * d - r * r)
            tang = deg(sub(P(d, phi), P(r, a1)))
            out.append(f"label(\"{length_label(rng, L * 3)}\", ({T1}+{Pn})/2, {align(tang + 90)});")
        if rng.random() < 0.4:
            out.append(f"label(\"{length_label(rng, r * 2)}\", ({cname}+{T2})/2, {align(a2 - 90)});")
    else:
        t = rng.choice([90, 270, 0, rng.randint(0, 359)])
        Tn, Pn, Qn = names[:3]
        L = round(r * rng.uniform(1.2, 2.0), 1)
        sgn = rng.choice([1, -1])
        tang = t + 90 * sgn
        out.append(f"pair {Tn}=r*dir({t});")
        out.append(f"pair {Pn}={Tn}+{fmt(L)}*dir({tang % 360});")
        ext = rng.random() < 0.6
        if ext:
            out.append(f"pair {Qn}={Tn}-{fmt(round(L * rng.uniform(0.6, 1.0), 1))}*dir({tang % 360});")
        out.append("")
        line_pen = pen(rng, color_p=0.15)
        out.append(f"draw({with_pen(f'{Qn if ext else Tn}--{Pn}', line_pen)});")
        out.append(f"draw({cname}--{Tn});")
        conn = rng.random() < 0.55
        if conn:
            out.append(f"draw({cname}--{Pn}{rng.choice(['', ', dashed'])});")
        out.append(right_mark(Tn, cname, Pn, s))
        out.append("")
        out.append(f"dot({cname}); dot({Tn});" if rng.random() < 0.5 else f"dot({cname});")
        T = P(r, t)
        used = [t] + ([deg((T[0] + L * _m.cos(_m.radians(tang)), T[1] + L * _m.sin(_m.radians(tang))))] if conn else [])
        out.append(f"label(\"${cname}$\", {cname}, {align(free_dir(used))});")
        out.append(f"label(\"${Tn}$\", {Tn}, {align(t + (-35 * sgn))});")
        out.append(f"label(\"${Pn}$\", {Pn}, {align(tang)});")
        if ext:
            out.append(f"label(\"${Qn}$\", {Qn}, {align(tang + 180)});")
        if rng.random() < 0.5:
            out.append(f"label(\"{length_label(rng, r * 2)}\", ({cname}+{Tn})/2, {align(t + 90 * sgn)});")
        if rng.random() < 0.5:
            out.append(f"label(\"{length_label(rng, L * 3)}\", ({Tn}+{Pn})/2, {align(t)});")


def _circle_inscribed(rng: random.Random, out: list[str]) -> None:
    r = rng.choice([2, 3, 4, 2.5])
    cname = rng.choice(["O", "O", "O", "C"])
    names = pick_names(rng, 3, {cname})
    A, B, C = names
    thales = rng.random() < 0.25
    central = 180 if thales else rng.randint(60, 150)
    a = rng.randint(0, 359)
    b = (a + central) % 360 if rng.random() < 0.5 else a
    if b == a:
        a, b = (b - central) % 360, b
    # C on the other arc, not too close to A or B
    f_lo = (180 - central) / (360 - central)  # where C would be antipodal to A
    half = max(0.6 * (0.5 - f_lo), 0.08)
    c = (b + rng.uniform(0.5 - half, 0.5 + half) * (360 - central)) % 360
    c = round(c)
    out.append(f"pair {cname}=(0,0);")
    out.append(f"real r={rad_str(r)};")
    out.append(f"pair {A}=r*dir({a}), {B}=r*dir({b}), {C}=r*dir({c});")
    out.append("")
    out.append(f"draw(circle({cname}, r));")
    out.append(f"draw({A}--{C}--{B});")
    used = []
    if thales:
        out.append(f"draw({A}--{B});")
        used = [a, b]
        s = round(0.1 * r, 2)
        out.append(right_mark(C, A, B, s))
        if rng.random() < 0.5:
            out.append(f"draw({C}--{cname}, dashed);")
            used.append(c)
    else:
        rp = "" if rng.random() < 0.6 else "dashed"
        out.append(f"draw({with_pen(f'{A}--{cname}--{B}', rp)});")
        used = [a, b]
        if central < 100 and rng.random() < 0.3:
            out.append(f"draw({A}--{B}, dotted);")
        rr = round(0.18 * r, 2)
        out.append(angle_mark(cname, a, b, rr))
        m = mid_angle(a, b)
        show_central = rng.random() < 0.7
        cen_text = degree_text(rng, central) if show_central else math("x")
        out.append(f"label(\"{cen_text}\", {cname}+{fmt(round(0.36 * r, 2))}*dir({round(m)}));")
        used.append(m)
        dA, dB = deg(sub(P(r, a), P(r, c))), deg(sub(P(r, b), P(r, c)))
        rr2 = round(0.16 * r, 2)
        out.append(angle_mark(C, dA, dB, rr2))
        m2 = mid_angle(dA, dB)
        ins_text = degree_text(rng, central / 2) if not show_central or rng.random() < 0.3 else math(rng.choice(["x", "y", "\\theta"]))
        dist = 0.34 * r if central > 80 else 0.45 * r
        out.append(f"label(\"{ins_text}\", {C}+{fmt(round(dist, 2))}*dir({round(m2)}));")
    out.append("")
    out.append(f"dot({cname});")
    out.append(f"label(\"${cname}$\", {cname}, {align(free_dir(used))});")
    for nm, ang in zip(names, (a, b, c)):
        out.append(f"label(\"${nm}$\", {nm}, {align(ang)});")


def _circle_polygon(rng: random.Random, out: list[str]) -> None:
    r = rng.choice([1, 2, 3])
    n = rng.choice([3, 4, 4, 5, 6, 6, 8])
    inscribed = rng.random() < 0.6
    rot = rng.choice([90, 90, 0, 45 if n == 4 else 90, 30 if n in (3, 6) else 90])
    names = pick_names(rng, n, {"O"})
    label_vertices = rng.random() < 0.7 and n <= 6
    show_center = rng.random() < (0.5 if label_vertices else 0.9)
    out.append("pair O=(0,0);")
    out.append(f"real r={rad_str(r)};")
    out.append("draw(circle(O, r));")
    out.append("")
    R = "r" if inscribed else "R"
    if not inscribed:
        out.append(f"real R=r/cos(pi/{n});")
        off = 180 / n
    else:
        off = 0
    fill = rng.random() < 0.25
    if label_vertices:
        for i, nm in enumerate(names):
            out.append(f"pair {nm}={R}*dir({fmt(rot + off + 360 * i / n)});")
        path = "--".join(names) + "--cycle"
        if fill:
            fp = fill_pen(rng)
            if inscribed:
                out.append(f"fill(circle(O, r), {fp});")
                out.append(f"fill({path}, white);")
            else:
                out.append(f"fill({path}, {fp});")
                out.append("fill(circle(O, r), white);")
            out.append("draw(circle(O, r));")
        out.append(f"draw({path});")
    else:
        out.append(f"for(int i=0; i<{n}; ++i)")
        out.append(f"  draw({R}*dir({fmt(rot + off)}+360*i/{n})--{R}*dir({fmt(rot + off)}+360*(i+1)/{n}));")
    out.append("")
    used = []
    if show_center:
        out.append("dot(O);")
        if rng.random() < 0.5:
            # radius to a vertex (inscribed) or to the tangency point of a side (circumscribed)
            a = rot
            tgt = f"r*dir({fmt(a)})"
            out.append(f"draw(O--{tgt}{rng.choice(['', ', dashed'])});")
            used.append(a)
            if rng.random() < 0.6:
                out.append(f"label(\"{length_label(rng, r * 3)}\", {tgt}/2, {align(a + 90)});")
            if not inscribed and rng.random() < 0.5:
                s = round(0.12 * r, 2)
                out.append(f"pair T={tgt};")
                out.append(f"draw((T+{fmt(s)}*dir({fmt(a + 180)}))--(T+{fmt(s)}*dir({fmt(a + 180)})+{fmt(s)}*dir({fmt(a + 90)}))--(T+{fmt(s)}*dir({fmt(a + 90)})));")
        out.append(f"label(\"$O$\", O, {align(free_dir(used))});")
    if label_vertices:
        for i, nm in enumerate(names):
            out.append(f"label(\"${nm}$\", {nm}, {align(rot + off + 360 * i / n)});")


def _circle_chords(rng: random.Random, out: list[str]) -> None:
    r = rng.choice([2, 3, 4])
    names = pick_names(rng, 5, {"O"})
    A, B, C, D, E = names
    # chords AB and CD crossing: interleave angles
    while True:
        a = sorted(rng.sample(range(0, 360, 5), 4))
        if all(angdist(a[i], a[(i + 1) % 4]) >= 45 for i in range(4)):
            break
    k = rng.randrange(4)
    a = a[k:] + a[:k]
    pa, pc, pb, pd = a
    out.append(f"pair O=(0,0);")
    out.append(f"real r={rad_str(r)};")
    out.append(f"pair {A}=r*dir({pa}), {B}=r*dir({pb});")
    out.append(f"pair {C}=r*dir({pc}), {D}=r*dir({pd});")
    out.append(f"pair {E}=extension({A}, {B}, {C}, {D});")
    out.append("")
    out.append("draw(circle(O, r));")
    out.append(f"draw({A}--{B});")
    out.append(f"draw({C}--{D});")
    out.append("")
    ptsd = {A: pa, B: pb, C: pc, D: pd}
    if rng.random() < 0.5:
        out.append(f"dot({E});")
    for nm, ang in ptsd.items():
        out.append(f"label(\"${nm}$\", {nm}, {align(ang)});")
    # E label: between the two chord directions, in the widest gap
    PA, PB, PC, PD = (P(r, x) for x in (pa, pb, pc, pd))
    # intersection
    x1, y1 = PA
    x2, y2 = PB
    x3, y3 = PC
    x4, y4 = PD
    den = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
    t = ((x1 - x3) * (y3 - y4) - (y1 - y3) * (x3 - x4)) / den
    Ept = (x1 + t * (x2 - x1), y1 + t * (y2 - y1))
    dirs = [deg(sub(p, Ept)) for p in (PA, PB, PC, PD)]
    out.append(f"label(\"${E}$\", {E}, {align(free_dir(dirs, 15))});")
    if rng.random() < 0.7:
        vals = [rng.randint(2, 12) for _ in range(4)]
        if rng.random() < 0.5:
            vals[rng.randrange(4)] = None
        for (p, nm), v in zip(((PA, A), (PB, B), (PC, C), (PD, D)), vals):
            mid = ((p[0] + Ept[0]) / 2, (p[1] + Ept[1]) / 2)
            dseg = deg(sub(p, Ept))
            # put the label on the side of the segment away from the other chord
            side = dseg + 90
            others = [d for d in dirs if angdist(d, dseg) > 1]
            if min(angdist(side, d) for d in others) < min(angdist(dseg - 90, d) for d in others):
                side = dseg - 90
            txt = math(str(v)) if v is not None else math(rng.choice(["x", "y"]))
            out.append(f"label(\"{txt}\", ({nm}+{E})/2, {align(side)});")


@register("circle")
def circle(rng: random.Random) -> str:
    out = header(rng)
    kind = rng.choice(["basic", "basic", "tangent", "tangent", "inscribed", "inscribed", "polygon", "chords"])
    out.append("")
    {"basic": _circle_basic, "tangent": _circle_tangent, "inscribed": _circle_inscribed,
     "polygon": _circle_polygon, "chords": _circle_chords}[kind](rng, out)
    return fix_compass("\n".join(out))


# ---------------------------------------------------------------- circle_sector


def _angle_text(rng: random.Random, d: int, radians_p: float = 0.15) -> str:
    if rng.random() < radians_p:
        from fractions import Fraction

        f = Fraction(d, 180)
        if f.denominator <= 12:
            num = "" if f.numerator == 1 else str(f.numerator)
            return math(f"\\frac{{{num}\\pi}}{{{f.denominator}}}") if f.denominator > 1 else math(f"{num}\\pi")
    return degree_text(rng, d)


def _sector_label_dist(r: float, span: float) -> float:
    return round(r * min(0.62, 0.22 + 10.0 / max(span, 20)), 2)


def _sector_single(rng: random.Random, out: list[str], segment: bool) -> None:
    r = rng.choice([2, 3, 4, 5, 6, 8, 10])
    span = rng.choice([30, 45, 60, 72, 90, 90, 100, 120, 120, 135, 150, 210, 240, 270]) if not segment else \
        rng.choice([60, 80, 90, 90, 100, 120, 120, 135, 150])
    a1 = rng.choice([0, 0, 90, rng.randrange(0, 360, 5)]) if rng.random() < 0.5 else rng.randrange(0, 360, 5)
    a2 = a1 + span
    cname = rng.choice(["O", "O", "O", "C", "P"])
    A, B = pick_names(rng, 2, {cname})
    fp = fill_pen(rng)
    whole = rng.random() < (0.85 if segment else 0.65)
    out.append(f"pair {cname}=(0,0);")
    if rng.random() < 0.5:
        out.append(f"real r={fmt(r)};")
        R = "r"
    else:
        R = fmt(r)
    out.append(f"pair {A}={R}*dir({a1 % 360}), {B}={R}*dir({a2 % 360});")
    out.append("")
    if segment:
        tri = span <= 120 and rng.random() < 0.2
        if tri:
            out.append(f"fill({A}--{cname}--{B}--cycle, {fp});")
        else:
            out.append(f"fill(arc({cname}, {R}, {a1}, {a2})--cycle, {fp});")
        out.append(f"draw(circle({cname}, {R}));")
        out.append(f"draw({A}--{B});")
        rp = rng.choice(["", "", "dashed"])
        out.append(f"draw({with_pen(f'{A}--{cname}--{B}', rp)});")
    else:
        if whole:
            out.append(f"fill({cname}--arc({cname}, {R}, {a1}, {a2})--cycle, {fp});")
            out.append(f"draw(circle({cname}, {R}));")
            out.append(f"draw({A}--{cname}--{B});")
        else:
            out.append(f"filldraw({cname}--arc({cname}, {R}, {a1}, {a2})--cycle, {fp}{rng.choice(['', '', ', linewidth(1)'])});")
    out.append("")
    m = (a1 + span / 2) % 360
    if span == 90 and rng.random() < 0.6:
        s = round(0.1 * r, 2)
        out.append(f"draw({fmt(s)}*dir({a1 % 360})--{fmt(s)}*dir({a1 % 360})+{fmt(s)}*dir({a2 % 360})--{fmt(s)}*dir({a2 % 360}));")
    elif rng.random() < 0.85:
        rr = round(0.14 * r, 2) if span < 180 else round(0.1 * r, 2)
        out.append(f"draw(arc({cname}, {fmt(rr)}, {a1}, {a2}));")
        out.append(f"label(\"{_angle_text(rng, span)}\", {cname}+{fmt(_sector_label_dist(r, span))}*dir({round(m)}));")
    # radius label on one radius, outside the sector
    if rng.random() < 0.75:
        which = rng.choice([0, 1])
        nm, ang = (A, a1) if which == 0 else (B, a2)
        side = ang - 90 if which == 0 else ang + 90
        out.append(f"label(\"{length_label(rng, r)}\", ({cname}+{nm})/2, {align(side)});")
    if not segment and rng.random() < 0.3:
        arc_txt = rng.choice([math("s"), math("L"), math(rng.choice(["4", "2", "3", "5"]) + "\\pi"), "$?$"])
        out.append(f"label(\"{arc_txt}\", {R}*dir({round(m)}), {align(m)});")
    out.append("")
    out.append(f"dot({cname});")
    used = [a1, a2] + ([m] if True else [])
    out.append(f"label(\"${cname}$\", {cname}, {align(free_dir(used))});")
    if rng.random() < 0.8:
        out.append(f"label(\"${A}$\", {A}, {align(a1)});")
        out.append(f"label(\"${B}$\", {B}, {align(a2)});")


def _sector_multi(rng: random.Random, out: list[str]) -> None:
    n = rng.randint(3, 6)
    while True:
        parts = [rng.randrange(30, 160, 10) for _ in range(n - 1)]
        last = 360 - sum(parts)
        if 30 <= last <= 200:
            parts.append(last)
            break
        if rng.random() < 0.05:
            parts = [360 // n] * n
            parts[-1] = 360 - sum(parts[:-1])
            break
    start = rng.choice([0, 90, 30, rng.randrange(0, 360, 10)])
    r = rng.choice([1, 2, 3])
    angs = [start]
    for p in parts[:-1]:
        angs.append(angs[-1] + p)
    out.append("pair O=(0,0);")
    out.append(f"real r={r};")
    shade = rng.sample(range(n), rng.randint(1, max(1, n // 2)))
    fp = fill_pen(rng)
    for i in sorted(shade):
        out.append(f"fill(O--arc(O, r, {angs[i]}, {angs[i] + parts[i]})--cycle, {fp});")
    out.append("draw(circle(O, r));")
    if rng.random() < 0.5:
        out.append("real[] a={" + ", ".join(str(a % 360) for a in angs) + "};")
        out.append(f"for(int i=0; i<{n}; ++i)")
        out.append("  draw(O--r*dir(a[i]));")
    else:
        for a in angs:
            out.append(f"draw(O--r*dir({a % 360}));")
    out.append("")
    unknown = rng.randrange(n) if rng.random() < 0.6 else -1
    for i in range(n):
        m = angs[i] + parts[i] / 2
        d = _sector_label_dist(r, parts[i]) * 1.15
        txt = math("x^\\circ") if i == unknown else math(f"{parts[i]}^\\circ")
        out.append(f"label(\"{txt}\", {fmt(round(d, 2))}*dir({round(m) % 360}));")
    if rng.random() < 0.5:
        out.append("dot(O);")


def _sector_annular(rng: random.Random, out: list[str]) -> None:
    r1 = rng.choice([2, 3, 4])
    r2 = r1 + rng.choice([1, 2, 3])
    span = rng.choice([60, 90, 120, 150, 180, 240])
    a1 = rng.choice([0, 0, 90 - span // 2, rng.randrange(0, 360, 10)])
    a2 = a1 + span
    fp = fill_pen(rng)
    out.append("pair O=(0,0);")
    out.append(f"real r={r1}, R={r2};")
    out.append("")
    out.append(f"path ring=arc(O, R, {a1}, {a2})--arc(O, r, {a2}, {a1})--cycle;")
    out.append(f"filldraw(ring, {fp});")
    if rng.random() < 0.6:
        out.append("draw(circle(O, r), dashed);")
        out.append("draw(circle(O, R), dashed);")
        out.append(f"draw(O--r*dir({a1 % 360}), dashed);")
        out.append(f"draw(O--r*dir({a2 % 360}), dashed);")
    else:
        out.append(f"draw(r*dir({a1 % 360})--O--r*dir({a2 % 360}), dashed);")
    out.append("")
    out.append("dot(O);")
    out.append(f"label(\"$O$\", O, {align(free_dir([a1, a2]))});")
    out.append(f"label(\"{length_label(rng, r1)}\", r/2*dir({a1 % 360}), {align(a1 - 90)});")
    out.append(f"label(\"{length_label(rng, r2 - r1)}\", (r+R)/2*dir({a1 % 360}), {align(a1 - 90)});")
    if rng.random() < 0.6:
        m = a1 + span / 2
        out.append(f"draw(arc(O, {fmt(round(r1 * 0.2, 2))}, {a1}, {a2}));")
        out.append(f"label(\"{_angle_text(rng, span)}\", {fmt(round(r1 * 0.5, 2))}*dir({round(m) % 360}));")


@register("circle_sector")
def circle_sector(rng: random.Random) -> str:
    out = header(rng)
    out.append("")
    kind = rng.choice(["sector", "sector", "sector", "segment", "segment", "multi", "annular"])
    if kind == "sector":
        _sector_single(rng, out, segment=False)
    elif kind == "segment":
        _sector_single(rng, out, segment=True)
    elif kind == "multi":
        _sector_multi(rng, out)
    else:
        _sector_annular(rng, out)
    return fix_compass("\n".join(out))


# ---------------------------------------------------------------- arc


def _arc_semicircles(rng: random.Random, out: list[str]) -> None:
    kind = rng.choice(["single", "single", "arbelos", "triangle", "square"])
    if kind == "single":
        d = rng.choice([4, 6, 8, 10, 12])
        A, B = pick_names(rng, 2, {"M", "O"})
        shade = rng.random() < 0.5
        out.append(f"pair {A}=(0,0), {B}=({d},0);")
        out.append(f"pair O=({A}+{B})/2;")
        out.append("")
        if shade:
            out.append(f"filldraw(arc(O, {fmt(d / 2)}, 0, 180)--cycle, {fill_pen(rng)});")
        else:
            out.append(f"draw(arc(O, {fmt(d / 2)}, 0, 180));")
            out.append(f"draw({A}--{B});")
        if rng.random() < 0.5:
            out.append("dot(O);")
            out.append("label(\"$O$\", O, S);")
            if rng.random() < 0.5:
                a = rng.choice([50, 60, 70, 110, 120, 130])
                out.append(f"draw(O--{fmt(d / 2)}*dir({a})+O{rng.choice(['', ', dashed'])});")
                out.append(f"label(\"{length_label(rng, d / 2)}\", O+{fmt(d / 4)}*dir({a}), {align(a + 90 if a < 90 else a - 90)});")
        out.append(f"label(\"${A}$\", {A}, W);")
        out.append(f"label(\"${B}$\", {B}, E);")
        if rng.random() < 0.6:
            out.append(f"draw(({A}-(0,{fmt(d * 0.12)}))--({B}-(0,{fmt(d * 0.12)})), Arrows);")
            out.append(f"label(\"{length_label(rng, d)}\", O-(0,{fmt(d * 0.12)}), S);")
    elif kind == "arbelos":
        a, b = rng.choice([2, 3, 4, 5, 6]), rng.choice([2, 3, 4, 5, 6, 8])
        A, C, B = pick_names(rng, 3)
        shade = rng.random() < 0.7
        out.append(f"real a={a}, b={b};")
        out.append(f"pair {A}=(0,0), {C}=(2*a,0), {B}=(2*a+2*b,0);")
        out.append("")
        if shade:
            fp = fill_pen(rng)
            out.append(f"fill(arc(({A}+{B})/2, a+b, 0, 180)--cycle, {fp});")
            out.append(f"fill(arc(({A}+{C})/2, a, 0, 180)--cycle, white);")
            out.append(f"fill(arc(({C}+{B})/2, b, 0, 180)--cycle, white);")
        out.append(f"draw(arc(({A}+{B})/2, a+b, 0, 180));")
        out.append(f"draw(arc(({A}+{C})/2, a, 0, 180));")
        out.append(f"draw(arc(({C}+{B})/2, b, 0, 180));")
        out.append(f"draw({A}--{B});")
        out.append("")
        if rng.random() < 0.5:
            out.append(f"dot({A}); dot({B}); dot({C});")
        out.append(f"label(\"${A}$\", {A}, SW);")
        out.append(f"label(\"${C}$\", {C}, S);")
        out.append(f"label(\"${B}$\", {B}, SE);")
        if rng.random() < 0.7:
            out.append(f"label(\"{math(str(2 * a))}\", ({A}+{C})/2, S);")
            out.append(f"label(\"{math(str(2 * b))}\", ({C}+{B})/2, S);")
    elif kind == "triangle":
        # right triangle with a semicircle on each side, drawn outward
        p, q = rng.choice([(3, 4), (6, 8), (5, 12), (4, 4), (3, 5), (2, 3)])
        A, B, C = pick_names(rng, 3)
        out.append("void semicircle(pair P, pair Q) {")
        out.append("  draw(arc((P+Q)/2, abs(Q-P)/2, degrees(P-Q), degrees(P-Q)+180));")
        out.append("}")
        out.append("")
        out.append(f"pair {A}=(0,0), {B}=({p},0), {C}=(0,{q});")
        out.append(f"draw({A}--{B}--{C}--cycle);")
        s = round(0.08 * min(p, q), 2)
        out.append(f"draw(({fmt(s)},0)--({fmt(s)},{fmt(s)})--(0,{fmt(s)}));")
        out.append("")
        out.append(f"semicircle({B}, {A});")
        out.append(f"semicircle({A}, {C});")
        out.append(f"semicircle({C}, {B});")
        out.append("")
        lab = rng.random() < 0.6
        if lab:
            out.append(f"label(\"${A}$\", {A}, SW);")
            out.append(f"label(\"${B}$\", {B}, SE);")
            out.append(f"label(\"${C}$\", {C}, NW);")
        if rng.random() < 0.7:
            out.append(f"label(\"{math(str(p))}\", ({A}+{B})/2, N);")
            out.append(f"label(\"{math(str(q))}\", ({A}+{C})/2, E);")
    else:
        s = rng.choice([2, 4, 6, 8, 10])
        outward = rng.random() < 0.5
        A, B, C, D = pick_names(rng, 4)
        out.append(f"real s={s};")
        out.append(f"pair {A}=(0,0), {B}=(s,0), {C}=(s,s), {D}=(0,s);")
        out.append("")
        if outward:
            fp = fill_pen(rng)
            out.append("path[] petals={")
            out.append(f"  arc(({A}+{B})/2, s/2, 180, 360)--cycle, arc(({B}+{C})/2, s/2, -90, 90)--cycle,")
            out.append(f"  arc(({C}+{D})/2, s/2, 0, 180)--cycle, arc(({D}+{A})/2, s/2, 90, 270)--cycle")
            out.append("};")
            out.append(f"for(int i=0; i<4; ++i) filldraw(petals[i], {fp});")
            out.append(f"draw({A}--{B}--{C}--{D}--cycle);")
        else:
            # four inward semicircles make a four-leaf figure
            fp = fill_pen(rng)
            if rng.random() < 0.5:
                out.append(f"fill({A}--{B}--{C}--{D}--cycle, {fp});")
            out.append(f"draw({A}--{B}--{C}--{D}--cycle);")
            out.append(f"draw(arc(({A}+{B})/2, s/2, 0, 180));")
            out.append(f"draw(arc(({B}+{C})/2, s/2, 90, 270));")
            out.append(f"draw(arc(({C}+{D})/2, s/2, 180, 360));")
            out.append(f"draw(arc(({D}+{A})/2, s/2, -90, 90));")
        out.append("")
        if rng.random() < 0.6:
            out.append(f"label(\"${A}$\", {A}, SW); label(\"${B}$\", {B}, SE);")
            out.append(f"label(\"${C}$\", {C}, NE); label(\"${D}$\", {D}, NW);")
        side_lbl = length_label(rng, s)
        if outward:
            out.append(f"label(\"{side_lbl}\", ({A}+{B})/2, N);")
        else:
            out.append(f"label(\"{side_lbl}\", ({A}+{B})/2, S);")


def _arc_quarter(rng: random.Random, out: list[str]) -> None:
    s = rng.choice([1, 2, 4, 6, 8, 10])
    A, B, C, D = pick_names(rng, 4)
    kind = rng.choice(["one", "leaf", "corners", "two"])
    fp = fill_pen(rng)
    out.append(f"real s={s};")
    out.append(f"pair {A}=(0,0), {B}=(s,0), {C}=(s,s), {D}=(0,s);")
    out.append("")
    if kind == "one":
        if rng.random() < 0.5:
            out.append(f"fill({A}--arc({A}, s, 0, 90)--cycle, {fp});")
        else:
            out.append(f"fill({B}--{C}--{D}--arc({A}, s, 90, 0)--cycle, {fp});")
        out.append(f"draw({A}--{B}--{C}--{D}--cycle);")
        out.append(f"draw(arc({A}, s, 0, 90));")
    elif kind == "leaf":
        if rng.random() < 0.7:
            out.append(f"fill(arc({A}, s, 0, 90)--arc({C}, s, 180, 270)--cycle, {fp});")
        out.append(f"draw({A}--{B}--{C}--{D}--cycle);")
        out.append(f"draw(arc({A}, s, 0, 90));")
        out.append(f"draw(arc({C}, s, 180, 270));")
        if rng.random() < 0.3:
            out.append(f"draw({B}--{D}, dashed);")
    elif kind == "corners":
        shade_mid = rng.random() < 0.5
        out.append(f"pair[] corner={{{A}, {B}, {C}, {D}}};")
        if shade_mid:
            out.append(f"fill({A}--{B}--{C}--{D}--cycle, {fp});")
            out.append("for(int i=0; i<4; ++i)")
            out.append("  fill(corner[i]--arc(corner[i], s/2, 90*i, 90*i+90)--cycle, white);")
        else:
            out.append("for(int i=0; i<4; ++i)")
            out.append(f"  fill(corner[i]--arc(corner[i], s/2, 90*i, 90*i+90)--cycle, {fp});")
        out.append(f"draw({A}--{B}--{C}--{D}--cycle);")
        out.append("for(int i=0; i<4; ++i)")
        out.append("  draw(arc(corner[i], s/2, 90*i, 90*i+90));")
    else:
        # quarter circles from two adjacent corners
        if rng.random() < 0.6:
            out.append(f"fill(arc({A}, s, 0, 60)--arc({B}, s, 120, 180)--cycle, {fp});")
        out.append(f"draw({A}--{B}--{C}--{D}--cycle);")
        out.append(f"draw(arc({A}, s, 0, 90));")
        out.append(f"draw(arc({B}, s, 90, 180));")
    out.append("")
    if rng.random() < 0.75:
        out.append(f"label(\"${A}$\", {A}, SW);")
        out.append(f"label(\"${B}$\", {B}, SE);")
        out.append(f"label(\"${C}$\", {C}, NE);")
        out.append(f"label(\"${D}$\", {D}, NW);")
    side = length_label(rng, s)
    if rng.random() < 0.5:
        out.append(f"label(\"{side}\", ({A}+{B})/2, S);")
    else:
        out.append(f"draw(({D}+(0,{fmt(0.15 * s)}))--({C}+(0,{fmt(0.15 * s)})), Arrows);")
        out.append(f"label(\"{side}\", ({D}+{C})/2+(0,{fmt(0.15 * s)}), N);")


def _arc_rotation(rng: random.Random, out: list[str]) -> None:
    kind = rng.choice(["point", "point", "triangle", "symbol"])
    theta = rng.choice([30, 45, 60, 90, 90, 120, 135, 150, 180])
    cw = rng.random() < 0.4
    if kind == "symbol":
        r = 1
        a0 = rng.choice([0, 30, 90, 200])
        span = rng.choice([270, 300, 240, 180])
        a1 = a0 + (span if not cw else -span)
        out.append("pair O=(0,0);")
        out.append("dot(O);")
        out.append(f"draw(arc(O, {r}, {a0}, {a1}), {rng.choice(['Arrow', 'Arrow', 'Arrow(6)', 'EndArrow'])});")
        if rng.random() < 0.6:
            # an arm from the centre showing the start
            out.append(f"draw(O--{fmt(1.4 * r)}*dir({a0}));")
        words = rng.choice([f"{theta}^\\circ", f"{theta}^\\circ"])
        txt = math(words) if rng.random() < 0.6 else ("clockwise" if cw else "counterclockwise")
        out.append(f"label(\"{txt}\", (0,-{fmt(1.1 * r)}), S);")
        out.append(f"label(\"$O$\", O, {align(a0 + 180)});")
        return
    if kind == "point":
        r = rng.choice([2, 3, 4])
        a = rng.choice([0, 10, 20, 30, 200, rng.randrange(0, 360, 5)])
        b = a - theta if cw else a + theta
        Pn = rng.choice(["P", "A", "B", "Q"])
        out.append("pair O=(0,0);")
        out.append(f"pair {Pn}={fmt(r)}*dir({a}), {Pn}p=rotate({-theta if cw else theta})*{Pn};")
        out.append("")
        lp = rng.choice(["dashed", "", "dashed"])
        out.append(f"draw({with_pen(f'O--{Pn}', lp)});")
        out.append(f"draw({with_pen(f'O--{Pn}p', lp)});")
        arrow = rng.choice(["Arrow", "Arrow", "EndArrow", "Arrow(6)"])
        ar = r if rng.random() < 0.5 else round(r * 0.35, 2)
        out.append(f"draw(arc(O, {fmt(ar)}, {a}, {b}), {arrow});")
        out.append(f"dot(O); dot({Pn}); dot({Pn}p);")
        m = (a + b) / 2
        dist = round(r * 0.55, 2) if ar != r else round(r * 0.35, 2)
        txt = math(f"{theta}^\\circ") if rng.random() < 0.8 else math(rng.choice(["\\theta", "x^\\circ"]))
        out.append(f"label(\"{txt}\", {fmt(dist)}*dir({round(m) % 360}));")
        out.append(f"label(\"$O$\", O, {align(free_dir([a, b]))});")
        out.append(f"label(\"${Pn}$\", {Pn}, {align(a)});")
        out.append(f"label(\"${Pn}'$\", {Pn}p, {align(b)});")
        return
    # triangle rotated about the origin
    names = pick_names(rng, 3, {"O"})
    base = rng.choice([[(1, 1), (3, 1), (2, 3)], [(1, 0.5), (3, 1), (1, 2)], [(2, 1), (4, 1), (4, 3)], [(1, 1), (3, 2), (1, 3)]])
    theta = rng.choice([90, 90, 120, 180, 60])
    sgn = -1 if cw else 1
    out.append("pair O=(0,0);")
    out.append("pair " + ", ".join(f"{nm}=({fmt(x)},{fmt(y)})" for nm, (x, y) in zip(names, base)) + ";")
    out.append(f"transform t=rotate({sgn * theta}, O);")
    out.append("")
    out.append(f"draw({'--'.join(names)}--cycle);")
    out.append(f"draw(t*({'--'.join(names)}--cycle), {rng.choice(['dashed', 'blue', 'red', 'dashed+blue'])});")
    n0 = names[0]
    a = deg(base[0])
    r0 = _m.hypot(*base[0])
    out.append(f"draw(arc(O, {fmt(round(r0, 2))}, {round(a)}, {round(a + sgn * theta)}), gray(0.4), {rng.choice(['Arrow', 'EndArrow'])});")
    out.append(f"draw(O--{n0}, dotted); draw(O--t*{n0}, dotted);")
    out.append("")
    out.append("dot(O);")
    out.append(f"label(\"$O$\", O, {align(free_dir([a, a + sgn * theta]))});")
    cx = sum(x for x, _ in base) / 3
    cy = sum(y for _, y in base) / 3
    for nm, (x, y) in zip(names, base):
        d = deg((x - cx, y - cy))
        out.append(f"label(\"${nm}$\", {nm}, {align(d)});")
        out.append(f"label(\"${nm}'$\", t*{nm}, {align(d + sgn * theta)});")


def _arc_concentric(rng: random.Random, out: list[str]) -> None:
    k = rng.randint(2, 4)
    step = rng.choice([1, 1, 2])
    r0 = rng.choice([1, 2, 3])
    span = rng.choice([180, 180, 90, 120, 360])
    a1 = 0 if span == 180 else rng.choice([0, 30, 45, 90 - span // 2]) if span != 360 else 0
    a2 = a1 + span
    out.append("pair O=(0,0);")
    out.append(f"real[] r={{{', '.join(str(r0 + step * i) for i in range(k))}}};")
    out.append("")
    fills = rng.random() < 0.4
    if fills and span != 360:
        shades = ["gray(0.9)", "gray(0.75)", "gray(0.6)", "gray(0.45)"] if rng.random() < 0.5 else \
            ["paleblue", "lightblue", "lightgreen", "paleyellow"]
        out.append(f"pen[] c={{{', '.join(shades[:k])}}};")
        out.append(f"for(int i={k - 1}; i>=0; --i)")
        out.append(f"  filldraw(O--arc(O, r[i], {a1}, {a2})--cycle, c[i]);")
    elif fills:
        shades = ["white", "gray(0.8)"]
        out.append(f"for(int i={k - 1}; i>=0; --i)")
        out.append(f"  filldraw(circle(O, r[i]), i % 2 == 0 ? gray(0.8) : white);")
    else:
        out.append(f"for(int i=0; i<{k}; ++i)")
        if span == 360:
            out.append("  draw(circle(O, r[i]));")
        else:
            out.append(f"  draw(arc(O, r[i], {a1}, {a2}));")
        if span != 360:
            out.append(f"draw(O--r[{k - 1}]*dir({a1}));")
            out.append(f"draw(O--r[{k - 1}]*dir({a2 % 360}));")
    out.append("")
    out.append("dot(O);")
    ray = a1 if span != 360 else rng.choice([0, 30, 45, 90])
    if span == 360:
        out.append(f"draw(O--r[{k - 1}]*dir({ray}), {rng.choice(['dashed', 'Arrow', ''])});".replace(", )", ")"))
    used = [ray] if span == 360 else [a1, a2]
    out.append(f"label(\"$O$\", O, {align(free_dir(used) if span != 180 else 270)});")
    if rng.random() < 0.8:
        side = ray - 90 if span != 360 else ray + 90
        for i in range(k):
            pos = f"(r[{i}]-{fmt(step / 2)})*dir({ray})" if i > 0 else f"r[0]/2*dir({ray})"
            val = r0 + step * i if i == 0 else step
            if span == 360:
                out.append(f"label(\"{math(str(r0 + step * i))}\", r[{i}]*dir({ray}), {align(ray + 45)});")
            else:
                out.append(f"label(\"{math(str(val))}\", {pos}, {align(side)});")


def _arc_measure(rng: random.Random, out: list[str]) -> None:
    r = rng.choice([2, 3, 4])
    n = rng.randint(2, 4)
    names = pick_names(rng, n, {"O"})
    angs = spread_angles(rng, n, 50)
    out.append("pair O=(0,0);")
    out.append(f"real r={r};")
    out.append("draw(circle(O, r));")
    out.append("pair " + ", ".join(f"{nm}=r*dir({a})" for nm, a in zip(names, angs)) + ";")
    out.append("")
    hi = rng.randrange(n)
    a1, a2 = angs[hi], angs[(hi + 1) % n]
    if a2 <= a1:
        a2 += 360
    hp = rng.choice(["linewidth(1.5)", "linewidth(1.2)+blue", "red+linewidth(1)", "linewidth(2)"])
    out.append(f"draw(arc(O, r, {a1}, {a2}), {hp});")
    show_radii = rng.random() < 0.5
    if show_radii:
        out.append(f"draw({names[hi]}--O--{names[(hi + 1) % n]});")
    elif n >= 3 and rng.random() < 0.6:
        out.append(f"draw({'--'.join(names)}--cycle);")
    out.append("")
    out.append("dot(O);")
    used = [a1, a2] if show_radii else []
    out.append(f"label(\"$O$\", O, {align(free_dir(used))});")
    for nm, a in zip(names, angs):
        out.append(f"dot({nm});")
        out.append(f"label(\"${nm}$\", {nm}, {align(a)});")
    # arc measures at the arc midpoints, outside the circle
    kind = rng.choice(["deg", "deg", "len"])
    for i in range(n):
        b1, b2 = angs[i], angs[(i + 1) % n]
        if b2 <= b1:
            b2 += 360
        if i != hi and rng.random() < 0.5:
            continue
        m = (b1 + b2) / 2
        span = b2 - b1
        if kind == "deg":
            txt = math(f"{round(span)}^\\circ") if rng.random() < 0.8 else math(rng.choice(["x^\\circ", "y^\\circ", "(2x)^\\circ"]))
        else:
            L = round(r * _m.radians(span), 1)
            txt = rng.choice([f"{fmt(L)} cm", math(f"{fmt(L)}"), math(f"{rng.randint(2, 9)}\\pi")])
        out.append(f"label(\"{txt}\", {fmt(round(r * 1.12, 2))}*dir({round(m) % 360}), {align(m)});")


@register("arc")
def arc(rng: random.Random) -> str:
    out = header(rng, 150, 240)
    out.append("")
    kind = rng.choice(["semi", "semi", "quarter", "quarter", "rotation", "rotation", "concentric", "measure"])
    {"semi": _arc_semicircles, "quarter": _arc_quarter, "rotation": _arc_rotation,
     "concentric": _arc_concentric, "measure": _arc_measure}[kind](rng, out)
    code = "\n".join(out)
    code = re.sub(r"\n{3,}", "\n\n", code)
    return fix_compass(code)
