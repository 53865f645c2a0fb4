"""Line families: parallel lines cut by transversals, with the angles labelled in their sectors."""
from __future__ import annotations

import math as _m
import random

from .base import register
from .labels import fmt, math, vertex_names
from .style import pen, with_pen
from .triangles import Fig, P, add, align, bbox, clear_of, dirv, dist, mul, rot, sub

_LINE_NAMES = [["\\ell", "m", "n"], ["\\ell_1", "\\ell_2", "\\ell_3"], ["a", "b", "c"], ["m", "n", "p"],
               ["k", "\\ell", "m"], ["p", "q", "r"]]  # fmt: skip
_TRANS_NAMES = ["t", "s", "t", "k", "p", "r"]


def _angle_text(rng: random.Random, deg: float, kind: str) -> str:
    if kind == "num":
        return math(f"{int(round(deg))}^\\circ")
    if kind == "var":
        return math(rng.choice(["x", "y", "z", "a", "b"]) + ("^\\circ" if rng.random() < 0.5 else ""))
    a = rng.randint(2, 5)
    c = rng.choice([10, 15, 20, 25, 30])
    return math(rng.choice([f"({a}x+{c})^\\circ", f"({a}x-{c})^\\circ", f"{a}x^\\circ", f"(x+{c})^\\circ"]))


@register("parallel_lines")
def parallel_lines(rng: random.Random) -> str:
    n_lines = 3 if rng.random() < 0.2 else 2
    n_trans = 2 if rng.random() < 0.25 else 1
    alpha = 0 if rng.random() < 0.6 else rng.choice([-1, 1]) * rng.randint(8, 30)
    gap = rng.choice([2, 2.5, 3, 3])
    # transversals in the local frame (lines horizontal): foot x on line 0, angle beta
    trans = []
    for _ in range(200):
        trans = []
        for t in range(n_trans):
            beta = 90 if rng.random() < 0.08 else rng.choice([-1, 1]) * rng.randint(25, 55) + 90
            x0 = t * rng.uniform(3.5, 5)
            trans.append((x0, beta))
        ok = True
        if n_trans == 2:
            for j in range(n_lines):
                xs = [x0 + j * gap / _m.tan(_m.radians(b)) for x0, b in trans]
                if abs(xs[0] - xs[1]) < 2.8:
                    ok = False
        if ok:
            break
    cross = [[(x0 + j * gap / _m.tan(_m.radians(b)), j * gap) for j in range(n_lines)] for x0, b in trans]
    xs = [p[0] for c in cross for p in c]
    ext_l = rng.uniform(1.8, 2.8)
    xmin, xmax = min(xs) - ext_l, max(xs) + ext_l
    top = (n_lines - 1) * gap
    e = rng.uniform(1.3, 2.0)
    # transversal endpoints: from y=-e to y=top+e
    t_ends = []
    for x0, b in trans:
        cot = 1 / _m.tan(_m.radians(b))
        t_ends.append(((x0 - e * cot, -e), (x0 + (top + e) * cot, top + e)))
    line_ends = [((xmin, j * gap), (xmax, j * gap)) for j in range(n_lines)]

    def R(p):
        return rot(p, alpha)

    line_ends = [(R(a), R(b)) for a, b in line_ends]
    t_ends = [(R(a), R(b)) for a, b in t_ends]
    cross = [[R(p) for p in c] for c in cross]
    allp = [p for s in line_ends + t_ends for p in s]
    x0_, y0_, x1_, y1_ = bbox(allp)
    fig = Fig(rng, max(x1_ - x0_, y1_ - y0_), lo=170, hi=270)

    arrows = rng.random() < 0.6
    arr = rng.choice(["Arrows", "Arrows", "Arrows(6)", "Arrows(TeXHead)"]) if arrows else ""
    lp = pen(rng)
    tp = pen(rng, color_p=0.15) if rng.random() < 0.4 else lp
    segs = list(line_ends) + list(t_ends)

    # ---- points and lines
    fig.blank()
    style = rng.randrange(3)
    letters = vertex_names(rng, 2 * (n_lines + n_trans))
    if style == 0:
        # named end points
        decl = []
        k = 0
        for a, b in line_ends + t_ends:
            decl.append((letters[k], a))
            decl.append((letters[k + 1], b))
            k += 2
        for i in range(0, len(decl), 2):
            (n1, p1), (n2, p2) = decl[i], decl[i + 1]
            fig.add(f"pair {n1} = {P(p1)}, {n2} = {P(p2)};")
        fig.blank()
        for i in range(0, len(decl), 2):
            n1, n2 = decl[i][0], decl[i + 1][0]
            pp = lp if i // 2 < n_lines else tp
            fig.add(f"draw({with_pen(f'{n1}--{n2}', ', '.join(x for x in [pp, arr] if x))});")
        end_names = [(decl[i][0], decl[i + 1][0]) for i in range(0, len(decl), 2)]
    elif style == 1 and alpha == 0:
        # horizontal lines in a loop
        ys = ", ".join(fmt(j * gap) for j in range(n_lines))
        fig.add(f"real[] y = {{{ys}}};")
        fig.add(f"for (int i = 0; i < {n_lines}; ++i)")
        fig.add(f"  draw({with_pen(f'({fmt(xmin)},y[i])--({fmt(xmax)},y[i])', ', '.join(x for x in [lp, arr] if x))});")
        for a, b in t_ends:
            fig.add(f"draw({with_pen(f'{P(a)}--{P(b)}', ', '.join(x for x in [tp, arr] if x))});")
        end_names = [(P(a), P(b)) for a, b in line_ends + t_ends]
    else:
        for i, (a, b) in enumerate(line_ends + t_ends):
            pp = lp if i < n_lines else tp
            fig.add(f"draw({with_pen(f'{P(a)}--{P(b)}', ', '.join(x for x in [pp, arr] if x))});")
        end_names = [(P(a), P(b)) for a, b in line_ends + t_ends]

    # parallel marks on the lines (same side, away from the crossings)
    marks: list[str] = []
    if rng.random() < 0.35:
        rel = 0.12 if rng.random() < 0.5 else 0.88
        for j, (a, b) in enumerate(line_ends):
            an, bn = end_names[j]
            if style == 0:
                marks.append(f"draw({an}--{bn}, Arrow(Relative({rel})));")
            else:
                # a short arrow drawn on top of the line
                pa = add(a, mul(sub(b, a), rel - 0.03))
                pb = add(a, mul(sub(b, a), rel + 0.01))
                marks.append(f"draw({P(pa)}--{P(pb)}, EndArrow(5));")

    # ---- intersection points
    pts_lines: list[str] = []
    dots = rng.random() < 0.4
    named_pts = rng.random() < 0.3
    used_r: list[tuple[tuple[float, float], float]] = []  # label circles already placed
    int_labels: list[str] = []
    if named_pts or dots:
        pn = vertex_names(rng, n_lines * n_trans + len(letters))
        pn = [c for c in pn if c not in letters][: n_lines * n_trans] if style == 0 else pn[: n_lines * n_trans]
        k = 0
        for t in range(n_trans):
            for j in range(n_lines):
                X = cross[t][j]
                if named_pts and k < len(pn):
                    nm = pn[k]
                    if style == 0 and rng.random() < 0.5:
                        an, bn = end_names[j]
                        cn, dn = end_names[n_lines + t]
                        pts_lines.append(f"pair {nm} = extension({an}, {bn}, {cn}, {dn});")
                    else:
                        pts_lines.append(f"pair {nm} = {P(X)};")
                    if dots:
                        pts_lines.append(f"dot({nm});")
                else:
                    nm = None
                    if dots:
                        pts_lines.append(f"dot({P(X)});")
                k += 1
                if nm:
                    # put the point name in one of the sectors, later angle labels avoid it
                    int_labels.append((t, j, nm))

    # ---- sectors at every crossing
    sectors = []  # (t, j, X, start, width)
    for t, (x0, b) in enumerate(trans):
        for j in range(n_lines):
            X = cross[t][j]
            dirs = sorted([alpha % 360, (alpha + 180) % 360, (alpha + b) % 360, (alpha + b + 180) % 360])
            for q in range(4):
                a0 = dirs[q]
                w = (dirs[(q + 1) % 4] - a0) % 360
                sectors.append((t, j, X, a0, w))

    def place(X, a0, w, text):
        r = fig.r(text) + fig.u(2)
        d = max(r / _m.sin(_m.radians(w / 2)), r + fig.u(3))
        room = min(dist(X, q) for sg in segs if not _seg_misses(sg, X) for q in sg)
        if d > fig.u(50) or d > 0.7 * room:
            return None
        Lp = add(X, mul(dirv(a0 + w / 2), d))
        if not clear_of(Lp, r, [s for s in segs if _seg_misses(s, X)]):
            return None
        if any(dist(Lp, c) < r + rr for c, rr in used_r):
            return None
        return Lp, r

    labels: list[str] = []
    for t, j, nm in int_labels:
        cands = [s for s in sectors if s[0] == t and s[1] == j]
        rng.shuffle(cands)
        for _, _, X, a0, w in cands:
            got = place(X, a0, w, f"${nm}$")
            if got:
                used_r.append((got[0], got[1]))
                if rng.random() < 0.5:
                    labels.append(f'label("${nm}$", {nm}, {align(rng, a0 + w / 2)});')
                else:
                    labels.append(f'label("${nm}$", {P(got[0])});')
                break

    mode = rng.choice(["numbers", "some", "some", "some", "pair"]) if n_trans == 1 and n_lines == 2 else "some"
    if mode == "numbers" and not int_labels:
        # angles 1..8
        order = list(range(8)) if rng.random() < 0.5 else rng.sample(range(8), 8)
        for num, idx in enumerate(order, 1):
            _, _, X, a0, w = sectors[idx]
            got = place(X, a0, w, f"${num}$")
            if got:
                used_r.append(got)
                if rng.random() < 0.3:
                    labels.append(f'label("${num}$", {P(X)}, {fmt(2.2, 1)}*dir({fmt((a0 + w / 2) % 360, 1)}));')
                else:
                    labels.append(f'label("${num}$", {P(got[0])});')
    else:
        k = rng.choice([1, 2, 2, 2, 3]) if mode == "some" else 2
        picks = rng.sample(range(len(sectors)), len(sectors))
        kinds = ["num"] + [rng.choice(["var", "expr", "num", "var"]) for _ in range(k - 1)]
        if mode == "pair" or (k >= 2 and rng.random() < 0.5):
            kinds = [rng.choice(["num", "expr"]), rng.choice(["var", "expr"])] + kinds[2:]
        placed = 0
        for idx in picks:
            if placed >= k:
                break
            _, _, X, a0, w = sectors[idx]
            text = _angle_text(rng, w, kinds[placed])
            got = place(X, a0, w, text)
            if not got:
                continue
            used_r.append(got)
            placed += 1
            if rng.random() < 0.3 and w < 150:
                # with a small arc
                ra = fig.u(10)
                labels.append(f"draw(arc({P(X)}, {fmt(ra)}, {fmt(a0 % 360, 1)}, {fmt(a0 % 360 + w, 1)}));")
            labels.append(f'label("{text}", {P(got[0])});')

    # ---- line names at one end
    names = rng.choice(_LINE_NAMES)
    tnames = [rng.choice(_TRANS_NAMES)] if n_trans == 1 else rng.choice([["s", "t"], ["t_1", "t_2"], ["p", "q"]])
    if names[0] in tnames or names[1] in tnames or names[2] in tnames:
        tnames = ["t"] if n_trans == 1 else ["t_1", "t_2"]
    name_lines: list[str] = []
    if rng.random() < 0.85:
        right = rng.random() < 0.7
        for j, (a, b) in enumerate(line_ends):
            e_ = P(b if right else a)
            if style == 0:
                e_ = end_names[j][1 if right else 0]
            d = alpha if right else alpha + 180
            name_lines.append(f'label("${names[j]}$", {e_}, {align(rng, d)});')
        for t, (a, b) in enumerate(t_ends):
            b_ = trans[t][1]
            e_ = end_names[n_lines + t][1] if style == 0 else P(b)
            name_lines.append(f'label("${tnames[t]}$", {e_}, {align(rng, alpha + b_)});')

    fig.add(*marks)
    fig.blank()
    fig.add(*pts_lines)
    fig.blank()
    fig.add(*labels)
    fig.add(*name_lines)
    return fig.code()


def _seg_misses(s, X) -> bool:
    """True when segment s does not pass through X (those two rays are handled by the sector maths)."""
    (ax, ay), (bx, by) = s
    cross = (bx - ax) * (X[1] - ay) - (by - ay) * (X[0] - ax)
    return abs(cross) / max(1e-9, _m.hypot(bx - ax, by - ay)) > 1e-6
