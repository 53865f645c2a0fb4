"""Venn diagrams (2 or 3 sets in a universal rectangle) and probability spinners."""

from __future__ import annotations

import math as _m
import random

from .base import register
from .circles import align
from .labels import fix_compass
from .labels import fmt, math
from .style import fill_pen, fontsize, size_line

_WORD_SETS = [
    ("Soccer", "Tennis", "Swimming"), ("Dogs", "Cats", "Fish"), ("Math", "Science", "Art"),
    ("Band", "Choir", "Drama"), ("Tea", "Coffee", "Juice"), ("Red", "Blue", "Green"),
    ("Piano", "Guitar", "Violin"), ("French", "Spanish", "German"), ("Pizza", "Pasta", "Salad"),
]
_LETTER_SETS = [("A", "B", "C"), ("A", "B", "C"), ("P", "Q", "R"), ("X", "Y", "Z"), ("M", "N", "K")]


def _inside(p, c, r) -> bool:
    return (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 < r * r


def _region_point(centres, r, members: tuple[bool, ...], ray: float, box) -> tuple[float, float] | None:
    """A point well inside the region (in/out of each circle per ``members``) along a ray from the origin:
    the middle of the longest run of ray points that lie in the region."""
    best: tuple[float, float, float] | None = None
    run_start = None
    step = 0.02
    t = 0.0
    dx, dy = _m.cos(_m.radians(ray)), _m.sin(_m.radians(ray))
    while True:
        p = (t * dx, t * dy)
        if abs(p[0]) > box[0] or abs(p[1]) > box[1]:
            break
        ok = all(_inside(p, c, r) == m for c, m in zip(centres, members))
        if ok and run_start is None:
            run_start = t
        if (not ok or t + step > 50) and run_start is not None:
            if best is None or t - run_start > best[1] - best[0]:
                best = (run_start, t, 0)
            run_start = None
        t += step
    if run_start is not None and (best is None or t - run_start > best[1] - best[0]):
        best = (run_start, t, 0)
    if best is None:
        return None
    mid = (best[0] + best[1]) / 2
    return (mid * dx, mid * dy)


def _pstr(p) -> str:
    return f"({fmt(p[0])},{fmt(p[1])})"


def _lens(cn1: str, c1, cn2: str, c2, r: float) -> str:
    """Asymptote path for the intersection of two equal circles, from two arcs."""
    D = _m.hypot(c2[0] - c1[0], c2[1] - c1[1])
    th = _m.degrees(_m.atan2(c2[1] - c1[1], c2[0] - c1[0]))
    t = _m.degrees(_m.acos(D / (2 * r)))
    a1, a2 = round(th - t, 1), round(th + t, 1)
    b1, b2 = round(th + 180 - t, 1), round(th + 180 + t, 1)
    return f"arc({cn1}, r, {fmt(a1, 1)}, {fmt(a2, 1)})--arc({cn2}, r, {fmt(b1, 1)}, {fmt(b2, 1)})--cycle"


def _circle_meet(c1, c2, r):
    dx, dy = c2[0] - c1[0], c2[1] - c1[1]
    D = _m.hypot(dx, dy)
    h = _m.sqrt(r * r - (D / 2) ** 2)
    mx, my = (c1[0] + c2[0]) / 2, (c1[1] + c2[1]) / 2
    ux, uy = -dy / D, dx / D
    return [(mx + h * ux, my + h * uy), (mx - h * ux, my - h * uy)]


def _triple(names, centres, r) -> str:
    """Asymptote path for the region inside all three circles: three arcs."""
    verts = []  # (point, pair of circle indices)
    for i, j, k in ((0, 1, 2), (1, 2, 0), (2, 0, 1)):
        for p in _circle_meet(centres[i], centres[j], r):
            if _inside(p, centres[k], r):
                verts.append((p, {i, j}))
    gx = sum(c[0] for c in centres) / 3
    gy = sum(c[1] for c in centres) / 3
    verts.sort(key=lambda v: _m.atan2(v[0][1] - gy, v[0][0] - gx))
    parts = []
    for n in range(3):
        (p, s1), (q, s2) = verts[n], verts[(n + 1) % 3]
        (ci,) = s1 & s2
        c = centres[ci]
        a = _m.degrees(_m.atan2(p[1] - c[1], p[0] - c[0]))
        b = _m.degrees(_m.atan2(q[1] - c[1], q[0] - c[0]))
        # go the short way (the inner arc is less than a half turn)
        while b - a > 180:
            b -= 360
        while a - b > 180:
            b += 360
        parts.append(f"arc({names[ci]}, r, {fmt(round(a, 1), 1)}, {fmt(round(b, 1), 1)})")
    return "--".join(parts) + "--cycle"


def _count_text(rng: random.Random, kind: str) -> str:
    if kind == "count":
        return math(str(rng.randint(1, 30)))
    if kind == "expr":
        return math(rng.choice(["x", "2x", "x+3", "10-x", "3x", "x-2", str(rng.randint(2, 20))]))
    if kind == "prob":
        return math(f"0.{rng.randint(1, 4)}{rng.choice(['', '5'])}")
    return ""


@register("venn")
def venn(rng: random.Random) -> str:
    three = rng.random() < 0.4
    r = rng.choice([1, 1.5, 2, 2.5]) if rng.random() < 0.7 else 1
    words = rng.random() < 0.35
    names = rng.choice(_WORD_SETS) if words else rng.choice(_LETTER_SETS)
    if words:
        cnames = rng.choice([["A", "B", "C"], ["O1", "O2", "O3"], ["P", "Q", "R"]])
    else:
        cnames = list(names) if rng.random() < 0.7 else ["O1", "O2", "O3"]

    out = [size_line(rng, 170, 270)]
    fs = fontsize(rng)
    if fs:
        out.append(fs)
    out.append("")

    if three:
        d = round(r * rng.choice([0.65, 0.7, 0.75, 0.8]), 2)
        centres = [(d * _m.cos(_m.radians(a)), d * _m.sin(_m.radians(a))) for a in (150, 30, 270)]
        bx = round(d * 0.87 + r + rng.choice([0.4, 0.6, 0.8]) * r, 1)
        by_top = round(d / 2 + r + (0.7 if words else 0.45) * r, 1)
        by_bot = round(d + r + 0.35 * r, 1)
        n = 3
    else:
        c = round(r * rng.choice([0.55, 0.6, 0.65, 0.7]), 2)
        centres = [(-c, 0.0), (c, 0.0)]
        bx = round(c + r + rng.choice([0.4, 0.6, 0.8]) * r, 1)
        by_top = round(r + (0.6 if words else 0.4) * r, 1)
        by_bot = by_top if rng.random() < 0.5 else round(r + 0.35 * r, 1)
        n = 2

    out.append(f"real r={fmt(r)};")
    out.append("pair " + ", ".join(f"{cn}={_pstr(p)}" for cn, p in zip(cnames, centres[:n])) + ";")
    box = f"(-{fmt(bx)},-{fmt(by_bot)})--({fmt(bx)},-{fmt(by_bot)})--({fmt(bx)},{fmt(by_top)})--(-{fmt(bx)},{fmt(by_top)})--cycle"
    out.append(f"path U={box};")
    out.append("")

    # shading: pick a region people ask about
    fp = fill_pen(rng, color_p=0.35)
    opts = ["none", "none", "inter", "only", "union", "complement", "notA"]
    opts += ["triple"] if three else ["symdiff"]
    shade = rng.choice(opts)
    if shade == "inter":
        out.append(f"fill({_lens(cnames[0], centres[0], cnames[1], centres[1], r)}, {fp});")
    elif shade == "triple":
        out.append(f"fill({_triple(cnames, centres, r)}, {fp});")
    elif shade == "only":
        k = rng.randrange(n)
        out.append(f"fill(circle({cnames[k]}, r), {fp});")
        for j in range(n):
            if j != k:
                out.append(f"fill(circle({cnames[j]}, r), white);")
    elif shade == "union":
        for j in range(n):
            out.append(f"fill(circle({cnames[j]}, r), {fp});")
    elif shade == "complement":
        out.append(f"fill(U, {fp});")
        for j in range(n):
            out.append(f"fill(circle({cnames[j]}, r), white);")
    elif shade == "notA":
        out.append(f"fill(U, {fp});")
        out.append(f"fill(circle({cnames[0]}, r), white);")
    elif shade == "symdiff":
        out.append(f"fill(circle({cnames[0]}, r)^^circle({cnames[1]}, r), evenodd+{fp});")
    if shade != "none":
        out.append("")

    out.append("draw(U);")
    if rng.random() < 0.5:
        for cn in cnames[:n]:
            out.append(f"draw(circle({cn}, r));")
    else:
        out.append(f"for(pair c : new pair[] {{{', '.join(cnames[:n])}}})")
        out.append("  draw(circle(c, r));")
    out.append("")

    # set names
    set_dirs = [135, 45, 270] if three else [135, 45]
    for k in range(n):
        a = set_dirs[k]
        text = names[k] if words else math(names[k])
        if three and k == 2:
            a = rng.choice([225, 315])
        out.append(f"label(\"{text}\", {cnames[k]}+r*dir({a}), {align(a)});")
    uname = rng.choice(["U", "U", "S", "\\xi", "E"])
    corner = rng.choice(["NW", "NE"]) if not words else "NW"
    if rng.random() < 0.85:
        cx = -bx if corner == "NW" else bx
        out.append(f"label(\"${uname}$\", ({fmt(cx)},{fmt(by_top)}), {'SE' if corner == 'NW' else 'SW'});")
    out.append("")

    # region contents
    content = rng.choice(["count", "count", "count", "expr", "elements", "prob", "none"])
    if content == "none":
        return fix_compass("\n".join(out))
    if n == 2:
        regions = [((True, False), 180), ((True, True), 90), ((False, True), 0)]
    else:
        regions = [((True, False, False), 150), ((False, True, False), 30), ((False, False, True), 270),
                   ((True, True, False), 90), ((False, True, True), 330), ((True, False, True), 210),
                   ((True, True, True), 90)]
    elems = rng.sample(range(1, 21), 14) if content == "elements" else []
    for members, ray in regions:
        if all(members):
            p = (sum(c[0] for c in centres) / 3, sum(c[1] for c in centres) / 3) if n == 3 else (0.0, 0.0)
        else:
            p = _region_point(centres[:n], r, members, ray, (bx, max(by_top, by_bot)))
            if n == 2 and members == (True, True):
                p = (0.0, 0.0)
        if p is None:
            continue
        if content == "elements":
            k = rng.choice([1, 1, 2, 2, 3]) if n == 2 or sum(members) == 1 else 1
            vals = [elems.pop() for _ in range(k)] if len(elems) >= k else []
            if not vals:
                continue
            text = math(",".join(str(v) for v in vals)) if k <= 2 or n == 2 else math(",".join(str(v) for v in vals[:2]))
        else:
            text = _count_text(rng, content)
        out.append(f"label(\"{text}\", {_pstr(p)});")
    if rng.random() < 0.7:
        text = _count_text(rng, content) if content != "elements" else math(str(elems[0]) if elems else "0")
        corner = (round(bx - 0.35 * r, 2), round(-by_bot + 0.3 * r, 2))
        out.append(f"label(\"{text}\", {_pstr(corner)});")
    return fix_compass("\n".join(out))


# ---------------------------------------------------------------- spinner


_COLOR_FILLS = {"Red": "red", "Blue": "blue", "Green": "green", "Yellow": "yellow",
                "Orange": "orange", "Purple": "purple", "Pink": "pink", "White": "white"}
_LIGHT = {"Red": "lightred", "Blue": "lightblue", "Green": "lightgreen", "Yellow": "yellow",
          "Orange": "orange", "Purple": "lightmagenta", "Pink": "pink", "White": "white"}


@register("spinner")
def spinner(rng: random.Random) -> str:
    n = rng.choice([3, 4, 4, 5, 6, 6, 8, 8, 10, 12])
    equal = rng.random() < 0.65
    if equal:
        parts = [360 / n] * n
    else:
        n = rng.choice([3, 4, 5])
        while True:
            parts = [rng.choice([30, 45, 60, 90, 120, 135, 180]) for _ in range(n - 1)]
            last = 360 - sum(parts)
            if 30 <= last <= 180:
                parts.append(last)
                break
    start = rng.choice([0, 90, 90, 0, 360 / n / 2 if equal else 30])
    lab_kind = rng.choice(["num", "num", "letter", "color", "color", "word", "none"])
    if n > 8 and lab_kind in ("color", "word"):
        lab_kind = "num"
    if lab_kind == "num":
        first = rng.choice([1, 1, 0, 2])
        labels = [str(first + i) for i in range(n)] if rng.random() < 0.7 else [str(rng.randint(1, 9)) for _ in range(n)]
        texts = [math(x) for x in labels]
    elif lab_kind == "letter":
        pool = "ABCDEFGH" if rng.random() < 0.7 else "AEIOUBCD"
        texts = [math(pool[i % len(pool)]) for i in range(n)] if rng.random() < 0.6 else \
            [math(rng.choice("ABC")) for _ in range(n)]
        labels = texts
    elif lab_kind == "color":
        pal = rng.sample(list(_COLOR_FILLS), min(n, rng.randint(2, 4)))
        labels = [pal[i % len(pal)] for i in range(n)]
        texts = labels
    elif lab_kind == "word":
        pool = rng.choice([["Win", "Lose"], ["Yes", "No"], ["Heads", "Tails"], ["Win", "Lose", "Again"]])
        labels = [pool[i % len(pool)] for i in range(n)]
        texts = labels
    else:
        labels = [""] * n
        texts = labels
    fill_mode = rng.choice(["none", "none", "gray", "color"]) if lab_kind != "color" else rng.choice(["none", "color", "color"])

    out = [size_line(rng, 140, 220)]
    fs = fontsize(rng)
    if fs:
        out.append(fs)
    out.append("")
    out.append("pair O=(0,0);")
    R = rng.choice([1, 1, 2, 3])
    Rs = "" if R == 1 else f"{R}*"
    if R != 1:
        out.append(f"real r={R};")
        Rs = "r*"
        rad = "r"
    else:
        rad = "1"
    out.append("")

    angles = [start]
    for p in parts[:-1]:
        angles.append(angles[-1] + p)
    fills = []
    if fill_mode == "gray":
        grays = ["gray(0.9)", "gray(0.7)", "white", "gray(0.5)"]
        g = rng.randint(2, 3)
        fills = [grays[i % g] for i in range(n)]
    elif fill_mode == "color":
        if lab_kind == "color":
            fills = [_LIGHT[x] if rng.random() < 0.5 else _LIGHT[x] for x in labels]
        else:
            pal = rng.sample(["lightred", "lightblue", "lightgreen", "yellow", "orange", "pink", "lightcyan"], rng.randint(2, 4))
            fills = [pal[i % len(pal)] for i in range(n)]
    loop = equal and rng.random() < 0.6
    if fills:
        if loop and len(set(fills)) <= 3:
            uniq = list(dict.fromkeys(fills))
            out.append(f"pen[] c={{{', '.join(uniq)}}};")
            k = len(uniq)
            step = fmt(360 / n)
            out.append(f"for(int i=0; i<{n}; ++i)")
            out.append(f"  fill(O--arc(O, {rad}, {fmt(start)}+{step}*i, {fmt(start)}+{step}*(i+1))--cycle, c[i % {k}]);")
        else:
            for i in range(n):
                if fills[i] == "white":
                    continue
                out.append(f"fill(O--arc(O, {rad}, {fmt(angles[i])}, {fmt(angles[i] + parts[i])})--cycle, {fills[i]});")
        out.append("")
    lw = rng.choice(["", "", "linewidth(1)", "linewidth(0.8)"])
    out.append(f"draw(circle(O, {rad}){', ' + lw if lw else ''});")
    if loop:
        out.append(f"for(int i=0; i<{n}; ++i)")
        out.append(f"  draw(O--{Rs}dir({fmt(start)}+{fmt(360 / n)}*i));")
    else:
        for a in angles:
            out.append(f"draw(O--{Rs}dir({fmt(a % 360)}));")
    out.append("")

    # labels at mid-angles
    words = lab_kind in ("color", "word")
    dist = 0.62 if not words else (0.6 if n <= 4 else 0.66)
    if texts[0]:
        if loop and lab_kind == "num" and labels == [str(int(labels[0]) + i) for i in range(n)] and rng.random() < 0.6:
            out.append(f"for(int i=0; i<{n}; ++i)")
            out.append(f"  label(\"$\"+string(i+{labels[0]})+\"$\", {fmt(dist * R)}*dir({fmt(start + 180 / n)}+{fmt(360 / n)}*i));")
        else:
            for i in range(n):
                m = angles[i] + parts[i] / 2
                out.append(f"label(\"{texts[i]}\", {fmt(round(dist * R, 2))}*dir({fmt(round(m % 360, 1))}));")
        out.append("")

    # the pointer
    # it points near a dividing radius so that it does not hide a sector label
    i = max(range(n), key=lambda k: (parts[k], rng.random()))
    frac = rng.uniform(0.12, 0.22)
    pa = round(angles[i] + parts[i] * frac) if rng.random() < 0.5 else round(angles[i] + parts[i] * (1 - frac))
    pa %= 360
    plen = rng.choice([0.6, 0.7, 0.75, 0.8])
    pw = rng.choice(["linewidth(1.2)", "linewidth(1)", "linewidth(0.8)", ""])
    ah = rng.choice(["Arrow", "Arrow", "Arrow(6)", "EndArrow(7)"])
    out.append(f"draw(O--{fmt(round(plen * R, 2))}*dir({pa}), {pw + ', ' if pw else ''}{ah});")
    out.append(f"dot(O{rng.choice(['', '', ', linewidth(4)'])});")
    if rng.random() < 0.2:
        out.append(f"label(\"Spinner {rng.choice(['A', '1', 'X'])}\", (0,-{fmt(1.15 * R)}), S);")
    return "\n".join(out)
