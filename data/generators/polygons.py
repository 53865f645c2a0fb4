"""Polygon families: special quadrilaterals with their marks, and regular / star polygons."""
from __future__ import annotations

import math as _m
import random

from .base import register
from .labels import angle_label, fmt, length_label, math, vertex_names
from .style import fill_pen, pen, with_pen
from .triangles import (
    TICKS_FN,
    Fig,
    P,
    add,
    align,
    ang,
    arc_code,
    bbox,
    clear_of,
    compass,
    compass_err,
    declare_points,
    dirv,
    dist,
    lerp,
    mul,
    other_letters,
    right_mark,
    rot,
    sub,
    text_width,
    tick_marks,
    unit,
    vertex_angle,
)

# ----------------------------------------------------------------------------------------
# quadrilateral
# ----------------------------------------------------------------------------------------


def _quad(rng: random.Random, kind: str):
    """CCW vertices from the bottom-left, plus which marks make sense for the shape.

    Returns pts, right-angle corners, tick groups {side: n}, parallel groups {side: n}.
    Side i joins vertex i and i+1.
    """
    right: list[int] = []
    ticks: dict[int, int] = {}
    par: dict[int, int] = {}
    if kind == "square":
        s = rng.randint(3, 8)
        pts = [(0, 0), (s, 0), (s, s), (0, s)]
        right = [0, 1, 2, 3]
        ticks = {0: 1, 1: 1, 2: 1, 3: 1}
    elif kind == "rectangle":
        w = rng.randint(4, 10)
        h = rng.randint(2, max(2, w - 1))
        if rng.random() < 0.25:
            w, h = h, w
        pts = [(0, 0), (w, 0), (w, h), (0, h)]
        right = [0, 1, 2, 3]
        ticks = {0: 1, 2: 1, 1: 2, 3: 2}
        par = {0: 1, 2: 1, 1: 2, 3: 2}
    elif kind == "parallelogram":
        b = rng.randint(4, 8)
        h = rng.randint(max(2, b // 2 - 1), 5)
        o = rng.choice([-2, -1.5, -1, 1, 1.5, 2, 2.5, 3])
        pts = [(0, 0), (b, 0), (b + o, h), (o, h)]
        ticks = {0: 1, 2: 1, 1: 2, 3: 2}
        par = {0: 1, 2: 1, 1: 2, 3: 2}
    elif kind == "rhombus":
        s = rng.randint(3, 7)
        if rng.random() < 0.5:
            th = rng.choice([50, 55, 60, 65, 70, 110, 115, 120])
            c = mul(dirv(th), s)
            pts = [(0, 0), (s, 0), add((s, 0), c), c]
        else:  # diamond with horizontal and vertical diagonals
            p, q = rng.randint(2, 5), rng.randint(2, 5)
            while p == q:
                q = rng.randint(2, 5)
            pts = [(0, -q), (p, 0), (0, q), (-p, 0)]
        ticks = {0: 1, 1: 1, 2: 1, 3: 1}
        par = {0: 1, 2: 1, 1: 2, 3: 2}
    elif kind == "iso_trapezoid":
        b = rng.randint(6, 10)
        t = rng.randint(2, b - 2)
        h = rng.randint(max(2, b // 3), 6)
        pts = [(0, 0), (b, 0), ((b + t) / 2, h), ((b - t) / 2, h)]
        ticks = {1: 1, 3: 1}
        par = {0: 1, 2: 1}
    elif kind == "right_trapezoid":
        b = rng.randint(5, 10)
        t = rng.randint(2, b - 1)
        h = rng.randint(2, 6)
        pts = [(0, 0), (b, 0), (t, h), (0, h)]
        if rng.random() < 0.5:  # right angles on the right instead
            pts = [(0, 0), (b, 0), (b, h), (b - t, h)]
            right = [1, 2]
        else:
            right = [0, 3]
        par = {0: 1, 2: 1}
    elif kind == "trapezoid":
        b = rng.randint(6, 10)
        t = rng.randint(2, b - 2)
        h = rng.randint(max(2, b // 3), 6)
        o = rng.choice([0.5, 1, 1.5, 2, 3]) if rng.random() < 0.5 else (b - t) - rng.choice([0.5, 1, 1.5])
        pts = [(0, 0), (b, 0), (o + t, h), (o, h)]
        par = {0: 1, 2: 1}
    else:  # kite, axis vertical
        p = rng.randint(2, 4)
        q1, q2 = rng.randint(1, 3), rng.randint(3, 7)
        if rng.random() < 0.3:
            q1, q2 = q2, q1
        pts = [(0, -q2), (p, 0), (0, q1), (-p, 0)]
        ticks = {0: 1, 3: 1, 1: 2, 2: 2}
    return [(float(x), float(y)) for x, y in pts], right, ticks, par


def _par_arrows(rng: random.Random, style: int, a: str, b: str, n: int, A, B, fig: Fig) -> list[str]:
    """n arrowheads on segment ab marking it parallel to another side."""
    if n == 1:
        if style == 0:
            return [f"draw({a}--{b}, MidArrow(5));" if rng.random() < 0.5 else f"draw({a}--{b}, MidArrow);"]
        return [f"draw({a}--{b}, Arrow(Relative(0.55)));" if rng.random() < 0.5
                else f"draw({a}--({a}+{b})/2, EndArrow(5));"]  # fmt: skip
    d = min(0.06, fig.u(4.5) / max(dist(A, B), 1e-6))
    return [f"draw({a}--{b}, Arrow(Relative({fmt(0.5 - d + 0.03, 3)})));",
            f"draw({a}--{b}, Arrow(Relative({fmt(0.5 + d + 0.03, 3)})));"]  # fmt: skip


@register("quadrilateral")
def quadrilateral(rng: random.Random) -> str:
    kind = rng.choice(["square", "rectangle", "rectangle", "parallelogram", "parallelogram", "rhombus",
                       "iso_trapezoid", "right_trapezoid", "trapezoid", "kite"])  # fmt: skip
    pts, right, ticks, par = _quad(rng, kind)
    rotated = False
    if rng.random() < 0.15 and kind not in ("square",):
        t = rng.choice([-1, 1]) * rng.randint(10, 35)
        pts = [rot(q, t) for q in pts]
        rotated = True
    x0, y0, x1, y1 = bbox(pts)
    ext = max(x1 - x0, y1 - y0)
    fig = Fig(rng, ext)
    names = vertex_names(rng, 4)
    ctr = mul(add(add(pts[0], pts[1]), add(pts[2], pts[3])), 0.25)
    side_len = [dist(pts[i], pts[(i + 1) % 4]) for i in range(4)]
    segs = [(pts[i], pts[(i + 1) % 4]) for i in range(4)]
    angs = [vertex_angle(pts[i - 1], pts[i], pts[(i + 1) % 4]) for i in range(4)]
    qp = pen(rng, color_p=0.1)

    fig.blank()
    if rotated or rng.random() < 0.6:
        exprs = [P(q) for q in pts]
        fig.add(*declare_points(rng, names, exprs))
    else:
        # some people define the later points from the earlier ones
        a, b, c, d = names
        if kind in ("parallelogram", "rhombus", "rectangle", "square"):
            fig.add(*declare_points(rng, [a, b, d], [P(pts[0]), P(pts[1]), P(pts[3])]))
            fig.add(f"pair {c} = {b} + {d} - {a};")
        else:
            fig.add(*declare_points(rng, names, [P(q) for q in pts]))
    fig.blank()
    path = "--".join(names) + "--cycle"
    if rng.random() < 0.2:
        fig.add(f"filldraw({path}, {fill_pen(rng)}{', ' + qp if qp else ''});")
    else:
        fig.add(f"draw({with_pen(path, qp)});")

    # diagonals
    body: list[str] = []
    labels: list[str] = []
    diag = rng.random() < 0.35
    diag_name = None
    if diag:
        dp = rng.choice(["", "dashed", "dashed", "dotted"])
        a, b, c, d = names
        body.append(f"draw({with_pen(f'{a}--{c}', dp)});")
        body.append(f"draw({with_pen(f'{b}--{d}', dp)});")
        segs += [(pts[0], pts[2]), (pts[1], pts[3])]
        # intersection
        A_, B_, C_, D_ = pts
        den = (A_[0] - C_[0]) * (B_[1] - D_[1]) - (A_[1] - C_[1]) * (B_[0] - D_[0])
        t = ((A_[0] - B_[0]) * (B_[1] - D_[1]) - (A_[1] - B_[1]) * (B_[0] - D_[0])) / den
        X = lerp(A_, C_, t)
        if rng.random() < 0.7:
            diag_name = other_letters(names, rng.choice(["E", "O", "M", "P", "X"]))[0]
            if rng.random() < 0.6:
                body.append(f"pair {diag_name} = extension({a}, {c}, {b}, {d});")
            else:
                body.append(f"pair {diag_name} = {P(X)};")
            if rng.random() < 0.5:
                body.append(f"dot({diag_name});")
            # label in the widest of the four angles at X (sector j lies between vertices j and j+1)
            widths = [vertex_angle(pts[j], X, pts[(j + 1) % 4]) for j in range(4)]
            perp = all(abs(w_ - 90) < 1 for w_ in widths)
            best = rng.randrange(4) if perp else max(range(4), key=lambda j: widths[j])
            w = widths[best]
            bis = ang(add(unit(sub(pts[best], X)), unit(sub(pts[(best + 1) % 4], X))))
            lt = f"${diag_name}$"
            dd = (fig.r(lt) + fig.u(2)) / _m.sin(_m.radians(min(w, 170) / 2))
            if perp and rng.random() < 0.5:
                labels.append(f'label("{lt}", {diag_name}, {align(rng, bis)});')
            else:
                labels.append(f'label("{lt}", {P(add(X, mul(dirv(bis), dd)))});')
            if perp and rng.random() < 0.7:
                j = (best + 2) % 4
                s = fig.u(7)
                body += right_mark(rng, X, pts[j], pts[(j + 1) % 4], diag_name, names[j], names[(j + 1) % 4], s)

    # a dashed height for trapezoids and parallelograms
    if not rotated and not diag and kind in ("parallelogram", "iso_trapezoid", "trapezoid") and rng.random() < 0.35:
        b_ = pts[1][0]
        top = 3 if 0.5 <= pts[3][0] <= b_ - 0.5 else (2 if 0.5 <= pts[2][0] <= b_ - 0.5 else None)
        if top is not None:
            V = pts[top]
            F = (V[0], 0.0)
            fn = other_letters(names, "HEFP")[0]
            body.append(rng.choice([f"pair {fn} = ({names[top]}.x, 0);", f"pair {fn} = {P(F)};"]))
            body.append(f"draw({names[top]}--{fn}, dashed);")
            segs.append((V, F))
            body += right_mark(rng, F, pts[1] if top == 3 else pts[0], V, fn, names[1] if top == 3 else names[0],
                               names[top], min(fig.u(7), 0.2 * V[1]))  # fmt: skip
            if rng.random() < 0.5:
                labels.append(f'label("${fn}$", {fn}, S);')
            ht = rng.choice(["$h$", "$h$", length_label(rng, V[1])])
            side = "E" if top == 3 else "W"
            ctr_ = add(lerp(V, F, 0.5), ((1 if side == "E" else -1) * fig.u(text_width(ht) / 2 + 3), 0))
            if clear_of(ctr_, fig.r(ht), segs[:-1]):
                labels.append(f'label("{ht}", ({names[top]}+{fn})/2, {side});')

    # right angles
    marks: list[str] = []
    show_right = right and rng.random() < 0.8
    if show_right:
        which = right if rng.random() < 0.6 else right[:1]
        for i in which:
            s = min(fig.u(rng.uniform(6, 9)), 0.2 * min(side_len[i], side_len[i - 1]))
            marks += right_mark(rng, pts[i], pts[(i + 1) % 4], pts[i - 1], names[i], names[(i + 1) % 4],
                                names[i - 1], s)  # fmt: skip

    # congruence ticks or parallel arrows (not both on the same picture, mostly)
    mark_mode = rng.choice(["none", "ticks", "arrows", "both"]) if (ticks or par) else "none"
    ticked: set[int] = set()
    if ticks and mark_mode in ("ticks", "both"):
        tick_style = rng.choice([0, 0, 2])
        half, gap = fig.u(4), fig.u(3)
        if tick_style == 2:
            fig.add(TICKS_FN % (fmt(gap), fmt(half), fmt(half)))
        for i, k in ticks.items():
            j = (i + 1) % 4
            marks += tick_marks(tick_style, pts[i], pts[j], names[i], names[j], k, half, gap)
            ticked.add(i)
    if par and mark_mode in ("arrows", "both") and not (mark_mode == "both" and ticks and kind != "iso_trapezoid"):
        style = rng.randrange(2)
        for i, k in par.items():
            j = (i + 1) % 4
            # arrows point the same way on both sides of a pair
            a_, b_ = (i, j) if i < 2 else (j, i)
            marks += _par_arrows(rng, style, names[a_], names[b_], k, pts[a_], pts[b_], fig)
            ticked.add(i)

    # side lengths
    side_lines: list[str] = []
    n_side = rng.choice([0, 1, 2, 2, 3])
    order = [0, 1, 2, 3]
    rng.shuffle(order)
    if kind in ("rectangle", "parallelogram", "square") and n_side:
        order = [0, 1] if rng.random() < 0.5 else [0, 3]
        order = order[: max(1, min(n_side, 2))]
    else:
        order = order[:n_side]
    if kind == "square":
        order = order[:1]
    for i in order:
        Pa, Pb = pts[i], pts[(i + 1) % 4]
        M = lerp(Pa, Pb, 0.5)
        u = unit(sub(Pb, Pa))
        nrm = (u[1], -u[0])
        text = length_label(rng, side_len[i])
        nd = ang(nrm)
        off = fig.u(6) if i in ticked else 0.0
        if compass_err(nd) < 3 and not off and rng.random() < 0.7:
            where = f"({names[i]}+{names[(i + 1) % 4]})/2" if rng.random() < 0.6 else P(M)
            side_lines.append(f'label("{text}", {where}, {compass(nd)});')
        else:
            Lp = add(M, mul(nrm, fig.r(text) + fig.u(3) + off))
            if clear_of(Lp, fig.r(text), [sg for sg in segs if sg != (Pa, Pb)]):
                side_lines.append(f'label("{text}", {P(Lp)});')

    # an angle or two (not for right-angled corners)
    ang_lines: list[str] = []
    cand = [i for i in range(4) if not (show_right and i in right) and abs(angs[i] - 90) > 1]
    rng.shuffle(cand)
    n_ang = rng.choice([0, 0, 1, 1, 2]) if not diag else 0
    use_arc = rng.random() < 0.5
    for i in cand[:n_ang]:
        V = pts[i]
        th = angs[i]
        a1 = ang(sub(pts[(i + 1) % 4], V))
        bis = a1 + th / 2
        text = angle_label(rng, th)
        r = fig.r(text) + fig.u(2)
        r_arc = fig.u(rng.uniform(11, 15)) if use_arc else None
        d = max(r / _m.sin(_m.radians(th / 2)), (r_arc + r) if r_arc else r + fig.u(5))
        Lp = add(V, mul(dirv(bis), d))
        if d > 0.6 * min(side_len[i], side_len[i - 1]) or not clear_of(Lp, r + fig.u(1), segs):
            continue
        if r_arc:
            ang_lines.append(arc_code(V, names[i], r_arc, a1, a1 + th, style=rng.randrange(2)))
        ang_lines.append(f'label("{text}", {P(Lp)});')

    # vertex labels
    vl = []
    if rng.random() < 0.9:
        for i in range(4):
            out = ang(mul(add(unit(sub(pts[i - 1], pts[i])), unit(sub(pts[(i + 1) % 4], pts[i]))), -1))
            vl.append(f'label("${names[i]}$", {names[i]}, {align(rng, out)});')
    fig.add(*body, *marks, *ang_lines)
    fig.blank()
    if rng.random() < 0.2:
        fig.add("dot(" + "); dot(".join(names) + ");")
    fig.add(*vl, *labels, *side_lines)
    return fig.code()


# ----------------------------------------------------------------------------------------
# regular and star polygons
# ----------------------------------------------------------------------------------------

_NGON_NAMES = {3: "triangle", 4: "square", 5: "pentagon", 6: "hexagon", 7: "heptagon", 8: "octagon",
               9: "nonagon", 10: "decagon", 11: "hendecagon", 12: "dodecagon"}  # fmt: skip


@register("regular_polygon")
def regular_polygon(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return _star(rng)
    n = rng.randint(3, 12)
    R = rng.choice([1, 1, 2, 3, 4, 5])
    start, st = rng.choice([(90, "90"), (90, "90"), (90 + 180 / n, f"90+180/{n}"), (0, "0"),
                            (270 + 180 / n, f"-90+180/{n}")])  # fmt: skip
    if n == 4 and start == 90:
        start, st = 45, "45"
    if (180 / n) == int(180 / n) and "/" in st:
        start %= 360
        st = fmt(start if start < 180 else start - 360)
    verts = [mul(dirv(start + 360 * i / n), R) for i in range(n)]
    fig = Fig(rng, 2 * R, lo=150, hi=250)
    rs = "" if R == 1 else f"{R}*"
    pp = pen(rng, color_p=0.1)
    fig.blank()
    fig.add(f"// regular {_NGON_NAMES[n]}")
    style = rng.randrange(3)
    if style == 0 and abs(start - 90) < 1e-9:
        fig.add(f"path p = {'scale(' + str(R) + ')*' if R != 1 else ''}polygon({n});")
        fill = rng.random() < 0.25
        if fill:
            fig.add(f"filldraw(p, {fill_pen(rng)}{', ' + pp if pp else ''});")
        else:
            fig.add(f"draw({with_pen('p', pp)});")
        fig.add(f"pair[] P;", f"for (int i = 0; i < {n}; ++i) P[i] = {rs}dir({st} + 360*i/{n});")
    else:
        fig.add("pair[] P;")
        fig.add(f"for (int i = 0; i < {n}; ++i)")
        fig.add(f"  P[i] = {rs}dir({st} + {fmt(360 / n, 4) if 360 % n == 0 else f'360*i/{n}'}{'*i' if 360 % n == 0 else ''});")
        if rng.random() < 0.5:
            fig.add(f"for (int i = 0; i < {n}; ++i)", f"  draw({with_pen(f'P[i]--P[(i+1)%{n}]', pp)});")
        else:
            fig.add("guide g;", f"for (int i = 0; i < {n}; ++i) g = g--P[i];")
            if rng.random() < 0.25:
                fig.add(f"filldraw(g--cycle, {fill_pen(rng)}{', ' + pp if pp else ''});")
            else:
                fig.add(f"draw({with_pen('g--cycle', pp)});")

    fig.blank()
    labels: list[str] = []
    extras: list[str] = []
    O = (0.0, 0.0)
    segs = [(verts[i], verts[(i + 1) % n]) for i in range(n)]
    feat = rng.choice(["none", "centre", "radius", "apothem", "diagonals", "angle", "circle", "both"])
    show_centre = feat in ("centre", "radius", "apothem", "both") or (feat == "circle" and rng.random() < 0.5)
    if feat == "circle":
        extras.append(f"draw(circle((0,0), {R}){', dashed' if rng.random() < 0.4 else ''});")
    if show_centre:
        extras.append("pair O = (0,0);" if rng.random() < 0.6 else "pair O = (0, 0);")
        extras.append("dot(O);")
    if feat in ("radius", "both"):
        rp = rng.choice(["", "dashed"])
        extras.append(f"draw({with_pen('O--P[0]', rp)});")
        segs.append((O, verts[0]))
        text = rng.choice(["$r$", "$r$", length_label(rng, R * 2)])
        M = mul(verts[0], 0.5)
        u = unit(verts[0])
        nrm = (-u[1], u[0]) if rng.random() < 0.5 else (u[1], -u[0])
        labels.append(f'label("{text}", {P(add(M, mul(nrm, fig.r(text) + fig.u(2))))});')
    if feat in ("apothem", "both"):
        k = n // 2 if feat == "both" else rng.randrange(n)
        if feat == "both" and k == 0:
            k = 1
        Mside = lerp(verts[k], verts[(k + 1) % n], 0.5)
        extras.append(f"pair M = (P[{k}]+P[{(k + 1) % n}])/2;")
        extras.append(f"draw({with_pen('O--M', rng.choice(['', 'dashed']))});")
        segs.append((O, Mside))
        s = min(fig.u(6), 0.2 * dist(verts[k], verts[(k + 1) % n]))
        extras += right_mark(rng, Mside, verts[k], O, "M", f"P[{k}]", "O", s)
        text = rng.choice(["$a$", "$a$", length_label(rng)])
        u = unit(Mside)
        nrm = (-u[1], u[0])
        if rng.random() < 0.5:
            nrm = mul(nrm, -1)
        Lp = add(mul(Mside, 0.5), mul(nrm, fig.r(text) + fig.u(2)))
        if clear_of(Lp, fig.r(text), segs):
            labels.append(f'label("{text}", {P(Lp)});')
    if show_centre:
        # O label in a free direction (between the drawn spokes)
        spokes = [ang(v) for (a_, v) in segs[n:]]
        cand = [ang(add(verts[i], verts[(i + 1) % n])) for i in range(n)] + [start + 180 / n + 180]
        best = max(cand, key=lambda a: min([min(abs(a - s_) % 360, 360 - abs(a - s_) % 360) for s_ in spokes] + [999]))
        labels.append(f'label("$O$", O, {align(rng, best)});')
    if feat == "diagonals" and n >= 4:
        dp = rng.choice(["", "dashed", "gray"])
        extras.append(f"for (int i = 2; i < {n - 1}; ++i)")
        extras.append(f"  draw({with_pen('P[0]--P[i]', dp)});")
    if feat == "angle" or (feat == "none" and rng.random() < 0.3):
        k = rng.randrange(n)
        V = verts[k]
        th = 180 - 360 / n
        a1 = ang(sub(verts[(k + 1) % n], V))
        text = rng.choice([math(f"{fmt(th, 1)}^\\circ"), "$x$", "$x^\\circ$", "$\\theta$"])
        r = fig.r(text) + fig.u(2)
        r_arc = fig.u(12) if R > 0 else 0
        d = max(r / _m.sin(_m.radians(th / 2)), r_arc + r)
        if d < 0.8 * R:
            extras.append(arc_code(V, f"P[{k}]", r_arc, a1, a1 + th, style=1))
            labels.append(f'label("{text}", P[{k}] + {fmt(d)}*dir({fmt((a1 + th / 2) % 360, 1)}));')
    vlab = rng.random() < 0.5
    if rng.random() < 0.3 and (not vlab or n <= 6):
        # one side length
        k = rng.randrange(n)
        M = lerp(verts[k], verts[(k + 1) % n], 0.5)
        u = unit(M)
        text = length_label(rng, rng.randint(2, 12))
        labels.append(f'label("{text}", {P(add(M, mul(u, fig.r(text) + fig.u(2))))});')
    if vlab:
        names = vertex_names(rng, n) if n <= 12 else None
        if rng.random() < 0.5:
            arr = ", ".join(f'"{c}"' for c in names)
            labels.append(f"string[] L = {{{arr}}};")
            labels.append(f"for (int i = 0; i < {n}; ++i)")
            labels.append(f'  label("$" + L[i] + "$", P[i], dir({st} + 360*i/{n}));')
        else:
            for i, c in enumerate(names):
                labels.append(f'label("${c}$", P[{i}], {align(rng, start + 360 * i / n)});')
    elif rng.random() < 0.3:
        fig.add(f"for (int i = 0; i < {n}; ++i) dot(P[i]);")
    fig.add(*extras)
    fig.blank()
    fig.add(*labels)
    return fig.code()


def _star(rng: random.Random) -> str:
    n, k = rng.choice([(5, 2), (5, 2), (7, 2), (7, 3), (8, 3), (6, 2), (9, 2), (9, 4)])
    R = rng.choice([1, 2, 3])
    start = 90
    fig = Fig(rng, 2 * R, lo=150, hi=240)
    rs = "" if R == 1 else f"{R}*"
    pp = pen(rng, color_p=0.25)
    fig.blank()
    fig.add(f"// star polygon {{{n}/{k}}}")
    fig.add("pair[] P;", f"for (int i = 0; i < {n}; ++i) P[i] = {rs}dir({start} + 360*i/{n});")
    fig.blank()
    if n % k == 0 or _m.gcd(n, k) > 1:
        # compound figure ({6/2}: two triangles): draw each chord
        fig.add(f"for (int i = 0; i < {n}; ++i)", f"  draw({with_pen(f'P[i]--P[(i+{k})%{n}]', pp)});")
    else:
        mode = rng.choice(["chords", "fill", "fill_evenodd"])
        if mode == "chords":
            fig.add(f"for (int i = 0; i < {n}; ++i)", f"  draw({with_pen(f'P[i]--P[(i+{k})%{n}]', pp)});")
        else:
            fig.add("guide star;", f"for (int i = 0; i < {n}; ++i) star = star--P[({k}*i)%{n}];")
            fp = fill_pen(rng, color_p=0.5)
            if mode == "fill_evenodd":
                fp = f"evenodd+{fp}"
            fig.add(f"filldraw(star--cycle, {fp}{', ' + pp if pp else ''});")
    if rng.random() < 0.35:
        fig.add(f"draw(polygon({n}){'' if R == 1 else ''}, {rng.choice(['dashed', 'gray', 'dotted'])});"
                if R == 1 else f"draw(scale({R})*polygon({n}), {rng.choice(['dashed', 'gray', 'dotted'])});")
    elif rng.random() < 0.25:
        fig.add(f"draw(circle((0,0), {R}), {rng.choice(['dashed', 'gray'])});")
    if rng.random() < 0.4:
        fig.add(f"for (int i = 0; i < {n}; ++i) dot(P[i]);")
    if rng.random() < 0.4:
        names = vertex_names(rng, n)
        fig.blank()
        for i, c in enumerate(names):
            fig.add(f'label("${c}$", P[{i}], {align(rng, start + 360 * i / n)});')
    if rng.random() < 0.25:
        # tip angle of the star
        th = 180 - 360 * k / n
        text = rng.choice([math(f"{fmt(th, 1)}^\\circ"), "$x$", "$x^\\circ$"])
        d = max((fig.r(text) + fig.u(2)) / _m.sin(_m.radians(th / 2)), fig.u(14) + fig.r(text))
        if d < 0.8 * R:
            fig.add(f"draw(arc(P[0], {fmt(fig.u(10))}, {fmt(270 - th / 2, 1)}, {fmt(270 + th / 2, 1)}));")
            fig.add(f'label("{text}", P[0] + {fmt(d)}*dir(270));')
    return fig.code()
