"""Statistics pictures: bar charts, histograms, pie charts and tables, drawn by hand."""
from __future__ import annotations

import math as _m
import random

from .base import register
from .labels import fmt, math
from .style import fontsize

CM = 28.3465  # bp per cm

# (chart title, category-axis title, value-axis title, categories, variable name)
BAR_DATA = [
    ("Favorite Fruit", "Fruit", "Number of students", ["Apple", "Banana", "Grape", "Pear", "Plum", "Kiwi", "Mango"], "fruit"),
    ("Books Read", "Day", "Number of books", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], "day"),
    ("Favorite Color", "Color", "Number of votes", ["Red", "Blue", "Green", "Yellow", "Purple", "Orange"], "color"),
    ("Pets Owned", "Pet", "Number of students", ["Dog", "Cat", "Fish", "Bird", "Rabbit", "Hamster"], "pet"),
    ("Rainfall", "Month", "Rainfall (mm)", ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"], "month"),
    ("Votes", "Candidate", "Votes", ["A", "B", "C", "D", "E", "F", "G"], "name"),
    ("Favorite Sport", "Sport", "Number of students", ["Soccer", "Tennis", "Swim", "Golf", "Hockey", "Track"], "sport"),
    ("Cars Sold", "Month", "Cars sold", ["Jan", "Feb", "Mar", "Apr", "May", "Jun"], "month"),
    ("Ice Cream Sales", "Flavor", "Cones sold", ["Vanilla", "Mint", "Lemon", "Cherry", "Mocha"], "flavor"),
    ("Class Sizes", "Class", "Students", ["6A", "6B", "6C", "7A", "7B", "7C", "8A"], "cls"),
    ("Seasons", "Season", "Number of people", ["Spring", "Summer", "Fall", "Winter"], "season"),
    ("Test Results", "Student", "Score", ["Ann", "Ben", "Cal", "Dee", "Eli", "Fay", "Gus"], "student"),
]
SERIES = [("Boys", "Girls"), ("2022", "2023"), ("Class A", "Class B"), ("Week 1", "Week 2"), ("Team 1", "Team 2")]
COLOR_PEN = {"Red": "red", "Blue": "blue", "Green": "heavygreen", "Yellow": "yellow", "Purple": "purple",
             "Orange": "orange"}
BAR_FILLS = ["gray(0.7)", "gray(0.5)", "lightgray", "gray(0.8)", "lightblue", "paleblue", "blue", "red",
             "heavygreen", "orange", "lightgreen", "gray(0.6)"]
PAIR_FILLS = [("gray(0.4)", "gray(0.8)"), ("blue", "red"), ("lightblue", "pink"), ("black", "white"),
              ("gray(0.3)", "lightgray"), ("heavygreen", "orange"), ("paleblue", "gray(0.6)")]
GRID_PENS = ["gray(0.7)", "gray", "lightgray", "gray(0.7)+dashed", "dashed", "linetype(\"4 4\")+gray(0.6)",
             "dotted"]


def _font(rng: random.Random) -> tuple[str, float]:
    """A fontsize line and the text scale it implies (1 = 12pt)."""
    line = fontsize(rng)
    if not line:
        return "", 1.0
    pt = int(line.split("(")[2].split("pt")[0])
    return line, pt / 12.0


def _tw(s: str, f: float) -> float:
    """Rough rendered width (bp) of a text label."""
    s = s.replace("$", "").replace("\\%", "%").replace("\\", "")
    return 6.0 * f * len(s) + 2


def _round_unit(v: float, q: float = 0.05) -> float:
    return max(q, round(v / q) * q)


def _nice_unit(v: float) -> float:
    """Round a length to two significant figures (like 0.08 or 0.35)."""
    if v <= 0:
        return 0.01
    e = _m.floor(_m.log10(v)) - 1
    return round(v / 10**e) * 10**e


def _unitsize(xu_cm: float, yu_cm: float) -> str:
    if abs(xu_cm - yu_cm) < 1e-9:
        return f"unitsize({fmt(xu_cm, 3)}cm);"
    return f"unitsize({fmt(xu_cm, 3)}cm, {fmt(yu_cm, 3)}cm);"


def _num(rng_math: bool, v: float) -> str:
    return math(fmt(v)) if rng_math else fmt(v)


def _scale(rng: random.Random, small: bool = False) -> tuple[int, int]:
    """(step, number of steps) for a value axis."""
    if small or rng.random() < 0.3:
        return 1, rng.randint(5, 10)
    step = rng.choice([2, 2, 5, 5, 10, 10, 20, 25, 50, 100])
    return step, rng.randint(4, 8 if step > 2 else 10)


@register("bar_chart")
def bar_chart(rng: random.Random) -> str:
    title, ctitle, vtitle, cats, var = rng.choice(BAR_DATA)
    font, f = _font(rng)
    horizontal = rng.random() < 0.3
    double = rng.random() < 0.25
    n = rng.randint(3, min(len(cats), 5 if double else 7))
    start = rng.randint(0, len(cats) - n) if rng.random() < 0.5 else 0
    cats = cats[start:start + n]
    step, m = _scale(rng)
    vmax = step * m
    nser = 2 if double else 1

    def value() -> int:
        if rng.random() < 0.6 or step == 1:
            return step * rng.randint(1, m)
        half = step // 2 if step % 2 == 0 else step
        return min(vmax, half * rng.randint(1, 2 * m - 1))

    data = [[value() for _ in range(n)] for _ in range(nser)]

    bw = rng.choice([1, 1, 0.8]) if not double else rng.choice([0.6, 0.8, 1])
    gap = rng.choice([0.5, 1, 1]) if not double else rng.choice([0.6, 1])
    slot = nser * bw + gap
    wc = gap + n * slot  # category-axis length in units
    loop = rng.random() < 0.6

    # units: category axis and value axis
    cat_w = max(_tw(c, f) for c in cats)
    c_target = rng.uniform(140, 210) if not double else rng.uniform(130, 180)
    if not horizontal:
        c_target = max(c_target, (cat_w + 4) * wc / slot)
    else:
        c_target = min(max(c_target * 0.8, (14 * f + 2) * wc / slot), 220)
    cu = _round_unit(c_target / wc / CM)
    v_target = rng.uniform(110, 160) if not horizontal else rng.uniform(150, 210)
    vu = _nice_unit(v_target / vmax / CM)
    if step == 1 and rng.random() < 0.5:
        u = _round_unit(v_target / vmax / CM)
        if not horizontal:
            u = max(u, _round_unit((cat_w + 4) / slot / CM))
        else:
            u = max(u, _round_unit((14 * f + 2) / slot / CM))
        if max(wc, vmax) * u * CM < 250:
            vu = cu = u
    cbp, vbp = cu * CM, vu * CM  # bp per unit

    def P(c: float, v: float) -> str:
        return f"({fmt(v, 2)},{fmt(c, 2)})" if horizontal else f"({fmt(c, 2)},{fmt(v, 2)})"

    L: list[str] = []
    L.append(_unitsize(vu, cu) if horizontal else _unitsize(cu, vu))
    if font:
        L.append(font)
    L.append("")

    # fills
    if double:
        fills = list(rng.choice(PAIR_FILLS))
    elif var == "color" and rng.random() < 0.7:
        fills = [COLOR_PEN[c] for c in cats]
    else:
        fills = [rng.choice(BAR_FILLS)]
    per_bar = len(fills) == n and not double
    if not double and not per_bar and rng.random() < 0.2:
        fills = rng.sample(["red", "blue", "heavygreen", "orange", "purple", "yellow", "lightblue", "pink",
                            "gray(0.5)", "lightgreen"], n)
        per_bar = True

    use_math = rng.random() < 0.6
    gridlines = rng.random() < 0.75
    value_tops = not double and rng.random() < (0.2 if gridlines else 0.5)
    tick_every = 2 if (m > 7 and rng.random() < 0.6) else 1
    gpen = rng.choice(GRID_PENS)
    tick_len = 4.0 / (vbp if horizontal else cbp)

    # gridlines / ticks and scale numbers
    L.append("// scale" if rng.random() < 0.5 else "// grid lines and scale")
    vstep = step * tick_every
    vt = "x" if horizontal else "y"
    lab_num = f'"$"+string({vt})+"$"' if use_math else f"string({vt})"
    lab_pos = f"({vt},0)" if horizontal else f"(0,{vt})"
    lab_dir = "S" if horizontal else "W"
    body = []
    if gridlines:
        a, b = (f"({vt},0)", f"({vt},{fmt(wc)})") if horizontal else (f"(0,{vt})", f"({fmt(wc)},{vt})")
        body.append(f"draw({a}--{b}, {gpen});")
    else:
        a, b = (f"({vt},0)", f"({vt},{fmt(-tick_len, 2)})") if horizontal else (f"(0,{vt})", f"({fmt(-tick_len, 2)},{vt})")
        body.append(f"draw({a}--{b});")
    body.append(f"label({lab_num}, {lab_pos}, {lab_dir});")
    if gridlines and tick_every == 2 and rng.random() < 0.5:
        # every gridline drawn, every other one numbered
        a, b = (f"({vt},0)", f"({vt},{fmt(wc)})") if horizontal else (f"(0,{vt})", f"({fmt(wc)},{vt})")
        L.append(f"for (int {vt} = {step}; {vt} <= {vmax}; {vt} += {step})")
        L.append(f"  draw({a}--{b}, {gpen});")
        L.append(f"for (int {vt} = 0; {vt} <= {vmax}; {vt} += {vstep})")
        L.append(f"  label({lab_num}, {lab_pos}, {lab_dir});")
    else:
        L.append(f"for (int {vt} = 0; {vt} <= {vmax}; {vt} += {vstep}) {{")
        for s in body:
            L.append("  " + s)
        L.append("}")
    L.append("")

    # bars
    names = [f'"{c}"' for c in cats]
    dname = rng.choice(["count", "votes", "data", "n", "freq", "value"])
    vals = [list(map(str, d)) for d in data]
    fpen = fills[0]
    if loop:
        L.append(f"string[] {var} = {{{', '.join(names)}}};")
        if double:
            L.append(f"int[] a = {{{', '.join(vals[0])}}};")
            L.append(f"int[] b = {{{', '.join(vals[1])}}};")
        else:
            L.append(f"int[] {dname} = {{{', '.join(vals[0])}}};")
        if per_bar:
            L.append(f"pen[] c = {{{', '.join(fills)}}};")
        L.append("")
        L.append(f"for (int i = 0; i < {n}; ++i) {{")
        x0 = f"{fmt(gap)}+{fmt(slot)}*i" if slot != 1 else f"{fmt(gap)}+i"
        L.append(f"  real x = {x0};")

        def box(lo: str, hi: str, val: str) -> str:
            if horizontal:
                return f"box((0,{lo}),({val},{hi}))"
            return f"box(({lo},0),({hi},{val}))"

        if double:
            L.append(f"  filldraw({box('x', f'x+{fmt(bw)}', 'a[i]')}, {fills[0]});")
            L.append(f"  filldraw({box(f'x+{fmt(bw)}', f'x+{fmt(2 * bw)}', 'b[i]')}, {fills[1]});")
        else:
            L.append(f"  filldraw({box('x', f'x+{fmt(bw)}', f'{dname}[i]')}, {'c[i]' if per_bar else fpen});")
        mid = f"x+{fmt(nser * bw / 2)}"
        L.append(f"  label({var}[i], {'(0,' + mid + ')' if horizontal else '(' + mid + ',0)'}, {'W' if horizontal else 'S'});")
        if value_tops:
            if double:
                for s_, arr in ((f"x+{fmt(bw / 2)}", "a"), (f"x+{fmt(1.5 * bw)}", "b")):
                    pos = f"({arr}[i],{s_})" if horizontal else f"({s_},{arr}[i])"
                    txt = f'"$"+string({arr}[i])+"$"' if use_math else f"string({arr}[i])"
                    L.append(f"  label({txt}, {pos}, {'E' if horizontal else 'N'});")
            else:
                pos = f"({dname}[i],{mid})" if horizontal else f"({mid},{dname}[i])"
                txt = f'"$"+string({dname}[i])+"$"' if use_math else f"string({dname}[i])"
                L.append(f"  label({txt}, {pos}, {'E' if horizontal else 'N'});")
        L.append("}")
    else:
        for i in range(n):
            x = gap + slot * i
            for k in range(nser):
                lo, hi, v = x + k * bw, x + (k + 1) * bw, data[k][i]
                pa, pb = P(lo, 0), P(hi, v)
                fp = fills[i] if per_bar else fills[k]
                L.append(f"filldraw(box({pa},{pb}), {fp});")
                if value_tops:
                    txt = math(str(v)) if use_math else str(v)
                    L.append(f'label("{txt}", {P((lo + hi) / 2, v)}, {"E" if horizontal else "N"});')
            L.append(f'label("{cats[i]}", {P(x + nser * bw / 2, 0)}, {"W" if horizontal else "S"});')
    L.append("")

    # axes
    rot_top = not horizontal and rng.random() < 0.25
    ext_v = vmax + (0 if rng.random() < 0.6 and not rot_top else step / 2)
    axis_arrow = ", Arrow" if ext_v > vmax and rng.random() < 0.6 else ""
    L.append("// axes")
    L.append(f"draw({P(0, 0)}--{P(wc, 0)});")
    L.append(f"draw({P(0, 0)}--{P(0, ext_v)}{axis_arrow});")
    L.append("")

    # titles
    num_w = _tw(str(vmax), f)
    titles = []
    mid_c = wc / 2
    if not horizontal:
        cat_h = 14 * f + 4
        y_ct = -(cat_h + 8 * f + 3) / vbp
        titles.append(f'label("{ctitle}", ({fmt(mid_c, 2)},{fmt(y_ct, 1)}));')
        if rot_top:
            titles.append(f'label("{vtitle}", (0,{fmt(ext_v, 2)}), N);')
        else:
            x_vt = -(num_w + 4 + 9 * f) / cbp
            titles.append(f'label(rotate(90)*"{vtitle}", ({fmt(x_vt, 1)},{fmt(vmax / 2, 2)}));')
        top = ext_v + (value_tops * 14 * f + 6 + rot_top * 16 * f) / vbp
        titles.append(f'label("{title}", ({fmt(mid_c, 2)},{fmt(top, 1)}), N);')
    else:
        y_vt = -(14 * f + 4 + 8 * f + 3) / cbp
        titles.append(f'label("{vtitle}", ({fmt(vmax / 2, 2)},{fmt(y_vt, 1)}));')
        x_ct = -(cat_w + 4 + 9 * f) / vbp
        if rng.random() < 0.7:
            titles.append(f'label(rotate(90)*"{ctitle}", ({fmt(x_ct, 1)},{fmt(mid_c, 2)}));')
        top = wc + 6 / cbp
        titles.append(f'label("{title}", ({fmt(vmax / 2, 2)},{fmt(top, 1)}), N);')
    if rng.random() < 0.3:
        titles = [t for t in titles if title not in t]
    L.extend(titles)

    # legend for double bars
    if double:
        L.append("")
        L.append("// key")
        bx, by = 9 / (vbp if horizontal else cbp), 9 / (cbp if horizontal else vbp)
        if horizontal:
            lx, ly = vmax + 10 / vbp, wc - 2 / cbp
        else:
            lx, ly = wc + 10 / cbp, ext_v - 2 / vbp
        dy = 16 / (cbp if horizontal else vbp)
        for k, sname in enumerate(rng.choice(SERIES)):
            y = ly - k * dy
            nd = 1 if min(bx, by) > 0.4 else 2
            L.append(f"filldraw(box(({fmt(lx, nd)},{fmt(y - by, nd)}),({fmt(lx + bx, nd)},{fmt(y, nd)})), {fills[k]});")
            L.append(f'label("{sname}", ({fmt(lx + bx, nd)},{fmt(y - by / 2, nd)}), E);')
    return "\n".join(L)


# --------------------------------------------------------------------------- histogram

# (title, x title, y title, first edge, class widths, max classes)
HIST_DATA = [
    ("Test Scores", "Score", "Number of students", 50, [10], 5),
    ("Heights of Students", "Height (cm)", "Frequency", 140, [5, 10], 7),
    ("Ages of Visitors", "Age (years)", "Frequency", 0, [10, 20], 8),
    ("Time Spent on Homework", "Time (minutes)", "Number of students", 0, [10, 15, 20], 6),
    ("Weights of Dogs", "Weight (kg)", "Frequency", 0, [5, 10], 6),
    ("Daily High Temperatures", "Temperature ($^\\circ$F)", "Number of days", 50, [5, 10], 6),
    ("Points Scored", "Points", "Number of games", 0, [5, 10], 6),
    ("Hours of Sleep", "Hours", "Number of students", 4, [1, 2], 6),
    ("Reaction Times", "Time (ms)", "Frequency", 100, [20, 50], 6),
]


def _hump(rng: random.Random, k: int, peak: int) -> list[int]:
    c = rng.uniform(0.5, k - 1.5)
    s = rng.uniform(1.0, 2.5)
    out = []
    for i in range(k):
        v = peak * _m.exp(-(((i - c) / s) ** 2)) + rng.uniform(-0.15, 0.15) * peak
        out.append(max(1, min(peak, int(round(v)))))
    if max(out) < peak:
        out[out.index(max(out))] = peak
    return out


@register("histogram")
def histogram(rng: random.Random) -> str:
    title, xtitle, ytitle, a, widths, kmax = rng.choice(HIST_DATA)
    w = rng.choice(widths)
    k = rng.randint(4, kmax)
    font, f = _font(rng)
    step, m = _scale(rng, small=rng.random() < 0.4)
    if step > 10:
        step = rng.choice([2, 5, 10])
        m = rng.randint(4, 8)
    peak = step * m if rng.random() < 0.5 else step * m - rng.randint(0, step)
    freq = _hump(rng, k, max(1, peak))
    if rng.random() < 0.3 and peak > 10:
        freq = [max(1, int(round(v / 2.0)) * 2) for v in freq]
    vmax = step * m
    mode = rng.choice(["interval", "edges", "edges"]) if w > 1 else "edges"
    data_coords = mode == "edges" and rng.random() < 0.6
    use_math = rng.random() < 0.5

    # units: x per class width, y per frequency
    bin_bp = rng.uniform(24, 40)
    if mode == "interval":
        lab_w = _tw(f"{a + 10 * w}-{a + 10 * w + w - 1}", f)
        bin_bp = max(bin_bp, lab_w + 4)
    bin_bp = min(bin_bp, 240 / k)
    xunit = 1 if not data_coords else w
    xu = _nice_unit(bin_bp / xunit / CM)
    yu = _nice_unit(rng.uniform(110, 160) / vmax / CM)
    xbp, ybp = xu * CM, yu * CM

    x0 = a if data_coords else 0
    cw = w if data_coords else 1
    right = x0 + k * cw

    L = [_unitsize(xu, yu)]
    if font:
        L.append(font)
    L.append("")
    L.append(f"int[] f = {{{', '.join(map(str, freq))}}};")
    fill = rng.choice(["gray(0.7)", "lightgray", "gray(0.8)", "lightblue", "paleblue", "palegreen", "gray(0.6)",
                       "white", "orange", "pink"])
    gridlines = rng.random() < 0.6
    gpen = rng.choice(GRID_PENS)
    tick_every = 2 if m > 7 and rng.random() < 0.5 else 1
    L.append("")
    lab = '"$"+string(y)+"$"' if use_math else "string(y)"
    tl = fmt(4 / xbp, 2)
    L.append(f"for (int y = 0; y <= {vmax}; y += {step * tick_every}) {{")
    if gridlines:
        L.append(f"  draw(({fmt(x0)},y)--({fmt(right)},y), {gpen});")
    else:
        L.append(f"  draw(({fmt(x0)},y)--({fmt(x0 - 4 / xbp, 2)},y));" if x0 else f"  draw((0,y)--(-{tl},y));")
    L.append(f"  label({lab}, ({fmt(x0)},y), W);")
    L.append("}")
    L.append("")

    # bars
    if data_coords:
        lo, hi = f"{a}+{w}*i", f"{a + w}+{w}*i"
        if a == 0:
            lo, hi = f"{w}*i", f"{w}*(i+1)"
    else:
        lo, hi = "i", "i+1"
    L.append(f"for (int i = 0; i < {k}; ++i)")
    L.append(f"  filldraw(box(({lo},0),({hi},f[i])), {fill});")

    # class labels
    L.append("")
    if mode == "interval":
        dash = rng.choice(["-", "--", "$-$"])
        for i in range(k):
            lo_v, hi_v = a + i * w, a + (i + 1) * w - 1
            txt = f"{lo_v}{dash}{hi_v}"
            L.append(f'label("{txt}", ({fmt(x0 + (i + 0.5) * cw)},0), S);')
    else:
        if data_coords:
            L.append(f"for (int x = {a}; x <= {a + k * w}; x += {w}) {{")
            L.append(f"  draw((x,0)--(x,-{fmt(4 / ybp, 2)}));")
            xl = '"$"+string(x)+"$"' if use_math else "string(x)"
            L.append(f"  label({xl}, (x,-{fmt(4 / ybp, 2)}), S);")
            L.append("}")
        else:
            L.append(f"for (int i = 0; i <= {k}; ++i) {{")
            L.append(f"  draw((i,0)--(i,-{fmt(4 / ybp, 2)}));")
            xl = f"string({a}+{w}*i)" if a else f"string({w}*i)"
            if use_math:
                xl = f'"$"+{xl}+"$"'
            L.append(f"  label({xl}, (i,-{fmt(4 / ybp, 2)}), S);")
            L.append("}")
    if rng.random() < 0.2:
        L.append("")
        L.append("// frequency polygon")
        pts = "--".join(f"({fmt(x0 + (i + 0.5) * cw)},{v})" for i, v in enumerate(freq))
        L.append(f"draw({pts}, linewidth(1));")
        L.append(f"for (int i = 0; i < {k}; ++i)")
        L.append(f"  dot(({fmt(x0 + 0.5 * cw)}+{fmt(cw)}*i, f[i]));")

    # axes and titles
    L.append("")
    top = vmax + (step / 2 if rng.random() < 0.4 else 0)
    L.append(f"draw(({fmt(x0)},0)--({fmt(right)},0));")
    L.append(f"draw(({fmt(x0)},0)--({fmt(x0)},{fmt(top)}){', Arrow' if top > vmax and rng.random() < 0.5 else ''});")
    cat_h = 14 * f + 6 + (4 if mode != "interval" else 0)
    L.append(f'label("{xtitle}", ({fmt((x0 + right) / 2, 2)},{fmt(-(cat_h + 8 * f + 3) / ybp, 1)}));')
    num_w = _tw(str(vmax), f)
    L.append(f'label(rotate(90)*"{ytitle}", ({fmt(x0 - (num_w + 4 + 9 * f) / xbp, 1)},{fmt(vmax / 2, 2)}));')
    if rng.random() < 0.75:
        L.append(f'label("{title}", ({fmt((x0 + right) / 2, 2)},{fmt(top + 6 / ybp, 1)}), N);')
    return "\n".join(L)


# --------------------------------------------------------------------------- pie chart

PIE_DATA = [
    ("Favorite Pets", ["Dogs", "Cats", "Fish", "Birds", "Other"]),
    ("How Students Get to School", ["Walk", "Bus", "Car", "Bike", "Train"]),
    ("Monthly Budget", ["Rent", "Food", "Savings", "Travel", "Other"]),
    ("Favorite Subject", ["Math", "Science", "English", "Art", "Music"]),
    ("Favorite Color", ["Red", "Blue", "Green", "Yellow", "Purple"]),
    ("Land Use", ["Farms", "Forest", "Towns", "Water", "Other"]),
    ("Favorite Sport", ["Soccer", "Tennis", "Swimming", "Hockey", "Golf"]),
    ("Time Spent in a Day", ["Sleep", "School", "Play", "Meals", "Homework"]),
]
PIE_FILLS = [
    ["gray(0.9)", "gray(0.75)", "gray(0.6)", "white", "gray(0.5)"],
    ["lightred", "lightblue", "lightgreen", "lightyellow", "pink"],
    ["palered", "paleblue", "palegreen", "paleyellow", "lightgray"],
    ["lightblue", "lightgray", "pink", "lightyellow", "palegreen"],
    ["white", "white", "white", "white", "white"],
    ["yellow", "lightblue", "pink", "lightgreen", "orange"],
]


def _partition(rng: random.Random, total: int, n: int, unit: int, lo: int) -> list[int]:
    """n multiples of unit, each >= lo, summing to total."""
    while True:
        cuts = sorted(rng.sample(range(1, total // unit), n - 1))
        parts = [(b - a) * unit for a, b in zip([0] + cuts, cuts + [total // unit])]
        if min(parts) >= lo:
            return sorted(parts, reverse=rng.random() < 0.6)


@register("pie_chart")
def pie_chart(rng: random.Random) -> str:
    title, names = rng.choice(PIE_DATA)
    n = rng.randint(3, 5)
    names = names[:n]
    mode = rng.choice(["pct", "pct", "deg", "frac", "name"])
    if mode == "frac":
        den = rng.choice([4, 8, 6, 12])
        n = min(n, 4)
        names = names[:n]
        parts = _partition(rng, den, n, 1, 1)
        angles = [360 * p / den for p in parts]
        texts = [math(f"\\frac{{{p // _m.gcd(p, den)}}}{{{den // _m.gcd(p, den)}}}") for p in parts]
    elif mode == "deg":
        parts = _partition(rng, 360, n, rng.choice([10, 15, 30]), 30)
        angles = list(map(float, parts))
        texts = [math(f"{p}^\\circ") for p in parts]
    else:
        parts = _partition(rng, 100, n, 5, 10 if rng.random() < 0.7 else 5)
        angles = [3.6 * p for p in parts]
        texts = [f"{p}\\%" if rng.random() < 0.6 else math(f"{p}\\%") for p in parts]
        texts = [texts[0].replace(str(parts[0]), str(p)) for p in parts]
    font, f = _font(rng)
    fills = rng.choice(PIE_FILLS)[:n]
    if fills[0] == "white" and mode == "name":
        mode = "pct"
        texts = [f"{p}\\%" for p in parts] if sum(parts) == 100 else texts
    cw = rng.random() < 0.7
    start = 90 if cw else rng.choice([0, 90, 30])
    legend = rng.random() < 0.35 and fills[0] != "white"
    r = 1 if rng.random() < 0.6 else rng.choice([2, 3])
    loop = rng.random() < 0.5

    L = [f"size({rng.randrange(160, 250, 10)});" if rng.random() < 0.7 else f"unitsize({rng.choice(['0.8', '1']) if r == 3 else rng.choice(['1', '1.2'])}cm);"]
    if font:
        L.append(font)
    L.append("")
    L.append(f"pair O = (0,0);" if rng.random() < 0.5 else "pair O=(0,0);")
    if r != 1:
        L.append(f"real r = {r};")
    R = "r" if r != 1 else "1"

    # positions
    bounds = []
    a = start
    for ang in angles:
        b = a - ang if cw else a + ang
        bounds.append((a, b))
        a = b

    def mid(i: int) -> float:
        a = (bounds[i][0] + bounds[i][1]) / 2
        return a - 360 if a >= 360 else a + 360 if a <= -180 else a

    inside: list[tuple[str, float, float]] = []  # (text, radius fraction, angle)
    outside: list[tuple[str, float]] = []
    for i in range(n):
        ang = angles[i]
        if mode == "name":
            if legend:
                inside.append((texts[i], 0.62, mid(i)))
            elif ang >= 60:
                inside.append((names[i], 0.6, mid(i)))
            else:
                outside.append((names[i], mid(i)))
        else:
            small = ang < (40 if mode != "frac" else 44) * f
            if small:
                outside.append((texts[i], mid(i)))
            else:
                fr = 0.62 if mode != "deg" else 0.55
                inside.append((texts[i], fr if ang > 60 else 0.68, mid(i)))
            if not legend:
                outside_name = names[i]
                if small:
                    outside[-1] = (f"{names[i]} {texts[i]}", mid(i))
                else:
                    outside.append((outside_name, mid(i)))

    if loop:
        arr = ", ".join(fmt(x, 1) for x in angles)
        L.append(f"real[] angle = {{{arr}}};")
        L.append(f"pen[] c = {{{', '.join(fills)}}};")
        L.append("")
        L.append(f"real a = {start};")
        L.append(f"for (int i = 0; i < {n}; ++i) {{")
        L.append(f"  real b = a {'-' if cw else '+'} angle[i];")
        L.append(f"  filldraw(O--arc(O, {R}, a, b)--cycle, c[i]);")
        L.append("  a = b;")
        L.append("}")
    else:
        for i, (p, q) in enumerate(bounds):
            L.append(f"filldraw(O--arc(O, {R}, {fmt(p, 1)}, {fmt(q, 1)})--cycle, {fills[i]});")
    L.append("")

    rr = "r*" if r != 1 else ""
    for txt, fr, ang in inside:
        L.append(f'label("{txt}", {rr}{fmt(fr, 2)}*dir({fmt(ang, 1)}));')
    for txt, ang in outside:
        L.append(f'label("{txt}", {rr.rstrip("*") + "*" if rr else ""}dir({fmt(ang, 1)}), dir({fmt(ang, 1)}));')

    if legend:
        L.append("")
        L.append("// legend")
        x = 1.35 * r
        dy = 0.3 * r
        y0 = dy * (n - 1) / 2
        s = 0.14 * r
        L.append(f"for (int i = 0; i < {n}; ++i) {{")
        L.append(f"  pair p = ({fmt(x, 2)}, {fmt(y0, 2)} - {fmt(dy, 2)}*i);")
        L.append(f"  filldraw(box(p, p+({fmt(s, 2)},{fmt(s, 2)})), {'c[i]' if loop else 'c' + '[i]'});")
        L.append("}")
        if not loop:
            L.insert(L.index("// legend") + 1, f"pen[] c = {{{', '.join(fills)}}};")
        for i, nm in enumerate(names):
            L.append(f'label("{nm}", ({fmt(x + s, 2)},{fmt(y0 - dy * i + s / 2, 2)}), E);')
    if rng.random() < 0.6:
        L.append("")
        top = 1.12 * r + (0.15 * r if any(abs(((ang - 90 + 180) % 360) - 180) < 50 for _, ang in outside) else 0)
        L.append(f'label("{title}", (0,{fmt(top, 2)}), N);')
    return "\n".join(L)


# --------------------------------------------------------------------------- table

PEOPLE = ["Ann", "Ben", "Carla", "Dev", "Emma", "Femi", "Grace", "Hugo", "Ivy", "Jon", "Kim", "Luis", "Maya"]


def _tally(L: list[str], x: float, y: float, count: int, dx: float, h: float) -> None:
    """Tally marks (groups of five) starting at (x, y-h/2)."""
    groups, rest = divmod(count, 5)
    gx = x
    for _ in range(groups):
        L.append(f"for (int k = 0; k < 4; ++k) draw(({fmt(gx, 2)}+{fmt(dx, 2)}*k,{fmt(y - h / 2, 2)})--"
                 f"({fmt(gx, 2)}+{fmt(dx, 2)}*k,{fmt(y + h / 2, 2)}));")
        L.append(f"draw(({fmt(gx - dx / 2, 2)},{fmt(y - h / 3, 2)})--({fmt(gx + 3.5 * dx, 2)},{fmt(y + h / 3, 2)}));")
        gx += 5.5 * dx
    if rest == 1:
        L.append(f"draw(({fmt(gx, 2)},{fmt(y - h / 2, 2)})--({fmt(gx, 2)},{fmt(y + h / 2, 2)}));")
    elif rest:
        L.append(f"for (int k = 0; k < {rest}; ++k) draw(({fmt(gx, 2)}+{fmt(dx, 2)}*k,{fmt(y - h / 2, 2)})--"
                 f"({fmt(gx, 2)}+{fmt(dx, 2)}*k,{fmt(y + h / 2, 2)}));")


def _table_content(rng: random.Random) -> tuple[str, list[list[str]], dict]:
    """(kind, rows of cell strings with the header first, options)."""
    kind = rng.choice(["freq", "freq", "xy", "xy", "data", "twoway", "inout", "stem", "rate"])
    opts: dict = {}
    if kind == "freq":
        head = rng.choice([("Score", "Frequency"), ("Number of pets", "Frequency"), ("Goals", "Number of games"),
                           ("Shoe size", "Number of students"), ("Color", "Tally", "Frequency"),
                           ("Fruit", "Tally"), ("Number of siblings", "Tally", "Frequency")])
        k = rng.randint(3, 6)
        if head[0] in ("Color", "Fruit"):
            keys = rng.sample(["Red", "Blue", "Green", "Yellow", "Apple", "Pear", "Orange", "Plum"], k)
            if head[0] == "Fruit":
                keys = rng.sample(["Apple", "Pear", "Orange", "Plum", "Banana", "Kiwi"], k)
            else:
                keys = rng.sample(["Red", "Blue", "Green", "Yellow", "Purple", "Pink"], k)
        else:
            s = rng.choice([0, 1, 3, 5]) if head[0] != "Shoe size" else rng.randint(4, 7)
            keys = [str(s + i) for i in range(k)]
        counts = [rng.randint(1, 12) for _ in range(k)]
        rows = [list(head)]
        for key, c in zip(keys, counts):
            row = [key]
            if "Tally" in head:
                row.append(f"#TALLY{c}")
            if head[-1] != "Tally":
                row.append(str(c))
            rows.append(row)
        if rng.random() < 0.25 and head[-1] != "Tally":
            rows.append(["Total"] + [""] * (len(head) - 2) + [str(sum(counts))])
        opts["math"] = rng.random() < 0.4
        return kind, rows, opts
    if kind == "xy":
        a, b = rng.randint(-3, 5) or 2, rng.randint(-5, 6)
        xs0 = rng.choice([0, 1, -2, -1])
        k = rng.randint(4, 6)
        dx = rng.choice([1, 1, 2])
        xs = [xs0 + dx * i for i in range(k)]
        nm = rng.choice([("$x$", "$y$"), ("$x$", "$f(x)$"), ("$n$", "$a_n$"), ("$x$", "$g(x)$")])
        ys = [str(a * x + b) for x in xs]
        if rng.random() < 0.3:
            ys = [str(x * x + b) for x in xs]
        if rng.random() < 0.35:
            ys[rng.randrange(1, k)] = rng.choice(["?", "$a$", "$m$", ""])
        xs_s, ys_s = [f"${x}$" for x in xs], [f"${y}$" if y and y[0] in "-0123456789" else y for y in ys]
        if rng.random() < 0.6:
            opts["horizontal"] = True
        return kind, [[nm[0], nm[1]]] + [[x, y] for x, y in zip(xs_s, ys_s)], opts
    if kind == "inout":
        k = rng.randint(3, 6)
        ins = sorted(rng.sample(range(1, 13), k))
        m, c = rng.randint(2, 5), rng.randint(-3, 4)
        outs = [str(m * i + c) for i in ins]
        if rng.random() < 0.4:
            outs[-1] = "?"
        head = rng.choice([("Input", "Output"), ("In", "Out"), ("Number of boxes", "Number of pencils"),
                           ("Hours worked", "Pay (\\$)"), ("Time (min)", "Distance (m)")])
        return kind, [list(head)] + [[str(i), o] for i, o in zip(ins, outs)], opts
    if kind == "rate":
        k = rng.randint(3, 5)
        q = rng.choice([2, 3, 4])
        p = rng.randint(1, 5)
        head = rng.choice([("Cups of flour", "Cups of sugar"), ("Distance (mi)", "Time (h)"),
                           ("Paint (gal)", "Area (sq ft)")])
        rows = [list(head)]
        for i in range(1, k + 1):
            num, den = p * i, q
            g = _m.gcd(num, den)
            left = f"$\\frac{{{num // g}}}{{{den // g}}}$" if den // g != 1 else f"${num // g}$"
            rows.append([f"${i}$", left])
        if rng.random() < 0.5:
            rows = [[r[1], r[0]] for r in rows]
        return kind, rows, opts
    if kind == "data":
        head = rng.choice([("Name", "Age", "Height (cm)"), ("Student", "Math", "Science", "English"),
                           ("Name", "Books read"), ("Day", "High", "Low"), ("Team", "Won", "Lost", "Tied")])
        k = rng.randint(3, 5)
        if head[0] == "Day":
            keys = ["Mon", "Tue", "Wed", "Thu", "Fri"][:k]
        elif head[0] == "Team":
            keys = rng.sample(["Lions", "Tigers", "Bears", "Hawks", "Sharks"], k)
        else:
            keys = rng.sample(PEOPLE, k)
        rows = [list(head)]
        for key in keys:
            row = [key]
            for h in head[1:]:
                if h == "Age":
                    row.append(str(rng.randint(9, 15)))
                elif h.startswith("Height"):
                    row.append(str(rng.randint(125, 175)))
                elif h in ("Math", "Science", "English"):
                    row.append(str(rng.randint(55, 100)))
                elif h == "High":
                    row.append(f"${rng.randint(12, 30)}^\\circ$")
                elif h == "Low":
                    row.append(f"${rng.randint(-5, 11)}^\\circ$")
                else:
                    row.append(str(rng.randint(0, 12)))
            rows.append(row)
        return kind, rows, opts
    if kind == "twoway":
        rh = rng.choice([("Boys", "Girls"), ("Grade 7", "Grade 8"), ("Adults", "Children")])
        ch = rng.choice([("Yes", "No"), ("Cats", "Dogs"), ("Walk", "Bus", "Car"), ("Pizza", "Tacos")])
        vals = [[rng.randint(3, 30) for _ in ch] for _ in rh]
        total = rng.random() < 0.6
        rows = [[""] + list(ch) + (["Total"] if total else [])]
        for name, vs in zip(rh, vals):
            rows.append([name] + [str(v) for v in vs] + ([str(sum(vs))] if total else []))
        if total:
            cols = [sum(c) for c in zip(*vals)]
            rows.append(["Total"] + [str(c) for c in cols] + [str(sum(cols))])
            if rng.random() < 0.4:
                i, j = rng.randrange(1, len(rows)), rng.randrange(1, len(rows[0]))
                rows[i][j] = rng.choice(["?", "$x$", "$a$"])
        return kind, rows, opts
    # stem and leaf
    k = rng.randint(3, 6)
    s0 = rng.randint(1, 9 - k + 1)
    rows = [["Stem", "Leaf"]]
    for i in range(k):
        leaves = sorted(rng.randint(0, 9) for _ in range(rng.randint(1, 7)))
        rows.append([str(s0 + i), " ".join(map(str, leaves))])
    opts["key"] = f"{s0} | {rows[1][1][0]}"
    opts["key_val"] = f"{s0}{rows[1][1][0]}"
    return "stem", rows, opts


@register("table")
def table(rng: random.Random) -> str:
    kind, rows, opts = _table_content(rng)
    font, f = _font(rng)
    if opts.get("horizontal"):
        rows = [list(c) for c in zip(*rows)]
    nr, nc = len(rows), len(rows[0])
    bold = rng.random() < 0.3 and kind not in ("stem",) and not opts.get("horizontal")
    if bold:
        rows[0] = [f"\\textbf{{{c}}}" if c and not c.startswith("$") else c for c in rows[0]]
    if opts.get("math") and kind == "freq":
        rows = [rows[0]] + [[f"${c}$" if c.isdigit() else c for c in r] for r in rows[1:]]

    # column widths (cm) from the longest entry in each column
    def width(c: str) -> float:
        if c.startswith("#TALLY"):
            cnt = int(c[6:])
            return (cnt // 5) * 5.5 * 5 + (cnt % 5) * 5 + 6
        t = c.replace("\\textbf{", "").replace("}", "").replace("\\frac{", "").replace("^\\circ", "o")
        return _tw(t, f * (1.08 if "textbf" in c else 1))

    uniform = kind == "xy" or rng.random() < 0.3
    col_w = []
    for j in range(nc):
        wbp = max(width(r[j]) for r in rows) + 14
        col_w.append(max(0.8, _round_unit(wbp / CM, 0.25)))
    if kind == "stem":
        col_w[1] = max(col_w[1], 2.5)
    if uniform:
        col_w = [max(col_w)] * nc
    row_h = rng.choice([0.6, 0.7, 0.8, 0.75]) * max(1.0, f)
    if kind in ("rate",):
        row_h = max(row_h, 0.9)
    if sum(col_w) * CM < 150:
        grow = 150 / (sum(col_w) * CM)
        col_w = [_round_unit(w * grow, 0.25) for w in col_w]
    W = sum(col_w)
    H = nr * row_h
    total_bp = W * CM
    scale = 1.0
    if total_bp > 300:
        scale = 300 / total_bp
    xs = [0.0]
    for w in col_w:
        xs.append(xs[-1] + w)

    L = [f"unitsize({fmt(scale, 2)}cm);" if rng.random() < 0.7 or scale != 1 else f"size({int(min(280, total_bp))});"]
    if font:
        L.append(font)
    L.append("")
    shade = rng.random() < 0.5 and kind != "stem"
    shade_pen = rng.choice(["gray(0.85)", "lightgray", "gray(0.9)", "paleblue", "lightyellow", "palegreen"])
    hor = opts.get("horizontal")

    if kind == "stem":
        # only a vertical bar and a header rule, as stem-and-leaf plots are drawn
        L.append(f"real h = {fmt(row_h)};")
        L.append(f"draw(({fmt(xs[1])},0)--({fmt(xs[1])},{fmt(-H)}));")
        L.append(f"draw((0,-h)--({fmt(W)},-h));")
        if rng.random() < 0.3:
            L.append(f"draw(box((0,0),({fmt(W)},{fmt(-H)})));")
        L.append("")
        for i, r in enumerate(rows):
            y = -(i + 0.5)
            L.append(f'label("{r[0]}", ({fmt(xs[1] / 2)},{fmt(y)}*h));')
            if i == 0:
                L.append(f'label("{r[1]}", ({fmt(xs[1] + 0.25)},{fmt(y)}*h), E);')
            else:
                L.append(f'label("{r[1]}", ({fmt(xs[1] + 0.25)},{fmt(y)}*h), E);')
        if rng.random() < 0.7:
            L.append("")
            key = opts["key"].replace("|", "\\,|\\,").replace(" ", "")
            L.append(f'label("Key: ${key}$ means {opts["key_val"]}", (0,{fmt(-H - 0.2)}), SE);')
        return "\n".join(L)

    # shading
    if shade:
        L.append(f"fill(box((0,{fmt(-row_h)}),({fmt(W)},0)), {shade_pen});")
        if hor or kind == "twoway" and rng.random() < 0.6:
            L.append(f"fill(box((0,{fmt(-H)}),({fmt(xs[1])},{fmt(-row_h if not hor else 0)})), {shade_pen});")
        L.append("")

    # lines
    if uniform:
        cw = col_w[0]
        xi = f"{fmt(cw)}*i" if cw != 1 else "i"
        yi = f"{fmt(row_h)}*j" if row_h != 1 else "j"
        L.append(f"for (int i = 0; i <= {nc}; ++i)")
        L.append(f"  draw(({xi},0)--({xi},{fmt(-H)}));")
        L.append(f"for (int j = 0; j <= {nr}; ++j)")
        L.append(f"  draw((0,-{yi})--({fmt(W)},-{yi}));")
    else:
        L.append(f"real[] x = {{{', '.join(fmt(x) for x in xs)}}};")
        L.append(f"real h = {fmt(row_h)};")
        L.append("")
        L.append(f"for (int i = 0; i < x.length; ++i)")
        L.append(f"  draw((x[i],0)--(x[i],{-nr}*h));")
        L.append(f"for (int j = 0; j <= {nr}; ++j)")
        L.append(f"  draw((0,-j*h)--({fmt(W)},-j*h));")
    if rng.random() < 0.35:
        lw = rng.choice(["1.2", "1.5", "1"])
        L.append(f"draw(box((0,0),({fmt(W)},{fmt(-H)})), linewidth({lw}));")
        if rng.random() < 0.5:
            if hor:
                L.append(f"draw(({fmt(xs[1])},0)--({fmt(xs[1])},{fmt(-H)}), linewidth({lw}));")
            else:
                L.append(f"draw((0,{fmt(-row_h)})--({fmt(W)},{fmt(-row_h)}), linewidth({lw}));")
    L.append("")

    # entries
    L.append("// entries")
    has_tally = any(c.startswith("#TALLY") for r in rows for c in r)
    if not has_tally and rng.random() < 0.4:
        if uniform:
            L.append(f"real w = {fmt(col_w[0])}, rh = {fmt(row_h)};")
            pos = "(w*(i+0.5), -(j+0.5)*rh)"
        else:
            pos = "((x[i]+x[i+1])/2, -(j+0.5)*h)"
        L.append("string[][] cell = {")
        for i, r in enumerate(rows):
            L.append("  {" + ", ".join(f'"{c}"' for c in r) + "}" + ("," if i < nr - 1 else ""))
        L.append("};")
        L.append(f"for (int j = 0; j < {nr}; ++j)")
        L.append(f"  for (int i = 0; i < {nc}; ++i)")
        L.append(f"    label(cell[j][i], {pos});")
        rows = []
    for i, r in enumerate(rows):
        y = -(i + 0.5) * row_h
        for j, c in enumerate(r):
            if not c:
                continue
            x = (xs[j] + xs[j + 1]) / 2
            if c.startswith("#TALLY"):
                _tally(L, xs[j] + 0.3, y, int(c[6:]), 0.13, 0.36 * min(1.0, row_h / 0.7))
                continue
            L.append(f'label("{c}", ({fmt(x, 3)},{fmt(y, 3)}));')
    if rng.random() < 0.3 and kind in ("data", "freq", "twoway", "inout"):
        t = {"data": "Class Data", "freq": "Survey Results", "twoway": "Survey", "inout": "Table"}[kind]
        L.append(f'label("{t}", ({fmt(W / 2)},0.1), N);')
    return "\n".join(L)
