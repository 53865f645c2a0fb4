"""Number lines: integer, fraction, decimal and skip-count scales with plotted points, inequality
rays and segments (open / closed endpoints) and addition jumps drawn as arcs.

Tick numbers are written with explicit ``label(...)`` calls, in a loop where a person would loop.
"""
from __future__ import annotations

import math as _m
import random
from fractions import Fraction

from .base import join_program, register
from .labels import fmt, vertex_names
from .style import fontsize

_RAY_COLORS = ["blue", "red", "heavygreen", "deepblue", "orange", "purple", "black", "magenta"]


def _frac_tex(q: Fraction, mixed: bool = False) -> str:
    if q.denominator == 1:
        return str(q.numerator)
    s = "-" if q < 0 else ""
    a = abs(q)
    if mixed and a > 1:
        w = a.numerator // a.denominator
        r = a - w
        return f"{s}{w}\\frac{{{r.numerator}}}{{{r.denominator}}}"
    return f"{s}\\frac{{{a.numerator}}}{{{a.denominator}}}"


def _c(x: float) -> str:
    return fmt(x, 4)


class _Scale:
    """Where the ticks are and what they say."""

    def __init__(self) -> None:
        self.lo = 0.0  # first tick (coordinate)
        self.hi = 0.0  # last tick
        self.ticks: list[float] = []  # coordinates of all ticks
        self.values: list[str] = []  # TeX of the value at each tick
        self.code: list[str] = []  # tick + label drawing code
        self.unit_bp = 20.0
        self.header: list[str] = []
        self.t = 0.15  # half tick height
        self.between: list[tuple[float, str]] = []  # extra plottable spots (coord, TeX value)
        self.expr: dict[float, str] = {}  # how a person writes a tick's x (e.g. 3/8)


def _header(rng: random.Random, span: float) -> tuple[list[str], float]:
    width = rng.randrange(220, 291, 10)
    unit_bp = width / span
    if rng.random() < 0.5:
        head = [rng.choice([f"size({width});", f"size({width},0);"])]
        unit_bp = (width - 30) / (span + 0.8)
    else:
        cm = unit_bp / 28.35
        cm = round(cm, 1) if cm < 2 else round(cm * 2) / 2
        head = [f"unitsize({fmt(cm)}cm);"]
        unit_bp = cm * 28.35
    fs = fontsize(rng)
    if fs:
        head.append(fs)
    return head, unit_bp


def _base_pt(header: list[str]) -> int:
    for h in header:
        if "fontsize(" in h:
            return int(h.split("fontsize(")[1].split("pt")[0])
    return 12


def _tick_t(unit_bp: float) -> float:
    t = 4.0 / unit_bp
    # a round number, as a person would write it
    cands = [0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3]
    return min(cands, key=lambda c: abs(_m.log(c / t)))


def _lab(s: str, pos: str, align: str = "S", font: str = "") -> str:
    return f"label({s}, {pos}, {align}{', ' + font if font else ''});"


def _int_scale(rng: random.Random) -> _Scale:
    sc = _Scale()
    n = rng.choice([6, 8, 10, 10, 12, 14, 16, 20])
    a = rng.choice([0, 0, -n // 2, -n // 2, rng.randint(-n, 0), -rng.randint(0, 5)])
    if rng.random() < 0.2:
        a = rng.randint(1, 30)
    b = a + n
    sc.lo, sc.hi = a, b
    sc.ticks = [float(i) for i in range(a, b + 1)]
    sc.values = [str(i) for i in range(a, b + 1)]
    sc.header, sc.unit_bp = _header(rng, n + 1.2)
    sc.t = _tick_t(sc.unit_bp)
    t = _c(sc.t)
    base = _base_pt(sc.header)
    chars = max(len(str(a)), len(str(b))) + (0.4 if a < 0 else 0)
    font, step = "", 1
    if rng.random() < 0.15:
        font = rng.choice(["fontsize(9pt)", "fontsize(10pt)"])
        base = min(base, int(font[9:-3]))
    if 0.62 * chars * base + 3 > sc.unit_bp:
        if 0.62 * chars * 8 + 3 <= sc.unit_bp:
            font = "fontsize(8pt)"
        elif 0.62 * chars * base + 3 <= 2 * sc.unit_bp:
            step = 2
        else:
            font, step = "fontsize(8pt)", 2
    num = rng.choice(['"$"+string(i)+"$"', 'format("$%d$", i)', '"$" + string(i) + "$"'])
    quiz = rng.random() < 0.15 and step == 1
    qs = sorted(rng.sample(range(a + 1, b), 2)) if quiz else []
    body = [f"draw((i,-{t})--(i,{t}));"]
    lab = _lab(num, f"(i,-{t})", "S", font)
    if quiz:
        body += [f"if(i == {qs[0]} || i == {qs[1]}) label(\"?\", (i,-{t}), S);", f"else {lab}"]
    elif step == 2:
        body.append(f"if(i % 2 == 0) {lab}")
    else:
        body.append(lab)
    sc.code = [f"for(int i={a}; i<={b}; ++i) {{"] + ["  " + x for x in body] + ["}"]
    if rng.random() < 0.15 and not quiz and step == 1:
        # a compact one-liner some people write
        sc.code = [f"for(int i={a}; i<={b}; ++i) {{ draw((i,-{t})--(i,{t})); {lab} }}"]
    sc.between = [(i + 0.5, _frac_tex(Fraction(2 * i + 1, 2))) for i in range(a, b)]
    return sc


def _skip_scale(rng: random.Random) -> _Scale:
    sc = _Scale()
    k = rng.choice([2, 5, 5, 10, 10, 20, 25, 50, 100])
    n = rng.choice([5, 6, 8, 10]) if k < 100 else rng.choice([5, 6, 8])
    s0 = k * rng.choice([0, 0, 0, rng.randint(1, 10)])
    sc.lo, sc.hi = 0, n
    sc.ticks = [float(i) for i in range(n + 1)]
    sc.values = [str(s0 + k * i) for i in range(n + 1)]
    sc.header, sc.unit_bp = _header(rng, n + 1.2)
    sc.t = _tick_t(sc.unit_bp)
    t = _c(sc.t)
    expr = f"{k}*i" if s0 == 0 else f"{s0}+{k}*i"
    chars = len(str(s0 + k * n))
    base = _base_pt(sc.header)
    font = "" if 0.62 * chars * base + 4 <= sc.unit_bp else ("fontsize(9pt)" if 0.62 * chars * 9 + 3 <= sc.unit_bp else "fontsize(8pt)")
    sc.code = [f"for(int i=0; i<={n}; ++i) {{", f"  draw((i,-{t})--(i,{t}));",
               "  " + _lab(f'"$"+string({expr})+"$"', f"(i,-{t})", "S", font), "}"]
    if rng.random() < 0.3:
        # half-way ticks between the labelled ones
        h = _c(sc.t * 0.6)
        sc.code += [f"for(int i=0; i<{n}; ++i) draw((i+0.5,-{h})--(i+0.5,{h}));"]
    sc.between = [(i + 0.5, str(s0 + k * i + k / 2).rstrip("0").rstrip(".")) for i in range(n)] if k % 2 == 0 else []
    return sc


def _frac_scale(rng: random.Random) -> _Scale:
    sc = _Scale()
    d = rng.choice([2, 3, 4, 4, 5, 6, 8, 8, 10, 12])
    wholes = 1 if d >= 8 else rng.choice([1, 1, 2, 3])
    start = 0 if rng.random() < 0.8 else -wholes
    N = d * (wholes - start)
    sc.lo, sc.hi = start, wholes
    sc.ticks = [start + i / d for i in range(N + 1)]
    vals = [Fraction(i, d) + start for i in range(N + 1)]
    for x, v in zip(sc.ticks, vals):
        num = v.numerator * (d // v.denominator)
        sc.expr[round(x, 6)] = str(v.numerator) if v.denominator == 1 else f"{num}/{d}"
    mixed = rng.random() < 0.5
    simplify = rng.random() < 0.4
    sc.values = [_frac_tex(v if simplify else v, mixed) if v.denominator == 1 or simplify
                 else (f"{'-' if v < 0 else ''}\\frac{{{abs(v.numerator * (d // v.denominator))}}}{{{d}}}"
                       if not mixed or abs(v) < 1 else _frac_tex(v, True))
                 for v in vals]  # fmt: skip
    sc.header, sc.unit_bp = _header(rng, (wholes - start) + 0.25)
    sc.t = _tick_t(sc.unit_bp)
    t, T = _c(sc.t), _c(sc.t * 1.8)
    style = rng.choice(["loop", "loop", "wholes", "list"])
    if N > 16 and style == "list":
        style = "wholes"
    code = [f"for(int i=0; i<={N}; ++i) draw(({start}+i/{d},-{t})--({start}+i/{d},{t}));"
            if start else f"for(int i=0; i<={N}; ++i) draw((i/{d},-{t})--(i/{d},{t}));"]
    whole_ticks = rng.random() < 0.6
    if whole_ticks:
        code.append(f"for(int k={start}; k<={wholes}; ++k) draw((k,-{T})--(k,{T}));")
    lab_y = T if whole_ticks else t
    font = "fontsize(9pt)" if sc.unit_bp / d < 28 else ""
    if style == "loop" and start == 0 and not mixed:
        code.append(f"for(int k=0; k<={wholes}; ++k) " + _lab('"$"+string(k)+"$"', f"(k,-{lab_y})", "S"))
        code += [f"for(int i=1; i<{N}; ++i) {{"] + ([f"  if(i % {d} == 0) continue;"] if N > d else []) + [
                 "  " + _lab(f'"$\\frac{{"+string(i)+"}}{{{d}}}$"', f"(i/{d},-{t})", "S", font), "}"]
        sc.values = [str(v) if v.denominator == 1 else f"\\frac{{{i}}}{{{d}}}" for i, v in enumerate(vals)]
    elif style == "wholes":
        code.append(f"for(int k={start}; k<={wholes}; ++k) " + _lab('"$"+string(k)+"$"', f"(k,-{lab_y})", "S"))
        sc.values = [str(v) if v.denominator == 1 else "" for v in vals]
    else:
        code.append("")
        for x, v, tx in zip(sc.ticks, vals, sc.values):
            y = lab_y if v.denominator == 1 else t
            code.append(_lab(f'"${tx}$"', f"({sc.expr[round(x, 6)]},-{_c(float(y))})", "S", font))
    sc.code = code
    return sc


def _dec_scale(rng: random.Random) -> _Scale:
    sc = _Scale()
    step = rng.choice([Fraction(1, 10), Fraction(1, 10), Fraction(1, 4), Fraction(1, 2), Fraction(1, 5)])
    n = {Fraction(1, 10): 10, Fraction(1, 4): rng.choice([4, 8]), Fraction(1, 2): rng.choice([6, 8, 10]),
         Fraction(1, 5): rng.choice([5, 10])}[step]  # fmt: skip
    s0 = Fraction(rng.choice([0, 0, 1, 2, 3, 5, -1]))
    if step == Fraction(1, 2) and rng.random() < 0.5:
        s0 = Fraction(-n // 4)
    vals = [s0 + step * i for i in range(n + 1)]
    nd = 1 if step.denominator in (10, 2, 5) else 2
    sc.lo, sc.hi = float(vals[0]), float(vals[-1])
    sc.ticks = [float(v) for v in vals]
    sc.values = [fmt(float(v), 2) for v in vals]
    sc.header, sc.unit_bp = _header(rng, float(vals[-1] - vals[0]) + float(step) * 1.4)
    sc.t = _tick_t(sc.unit_bp)
    t = _c(sc.t)
    font = "fontsize(9pt)" if sc.unit_bp * float(step) < 26 else ""
    fst = fmt(float(step), 2)
    x = f"{fmt(float(s0))}+{fst}*i" if s0 else f"{fst}*i"
    if s0 < 0:
        x = f"{fmt(float(s0))}+{fst}*i"
    if rng.random() < 0.6:
        sc.code = [f"for(int i=0; i<={n}; ++i) {{", f"  real x = {x};", f"  draw((x,-{t})--(x,{t}));",
                   "  " + _lab(f'format("$%.{nd}f$", x)', f"(x,-{t})", "S", font), "}"]
    else:
        sc.code = [f"for(int i=0; i<={n}; ++i) draw(({x},-{t})--({x},{t}));",
                   "string[] s = {" + ", ".join(f'"${v}$"' for v in sc.values) + "};",
                   f"for(int i=0; i<={n}; ++i) " + _lab("s[i]", f"({x},-{t})", "S", font)]
    return sc


@register("number_line")
def number_line(rng: random.Random) -> str:
    mode = rng.choice(["int", "int", "int", "int", "frac", "frac", "dec", "skip"])
    sc = {"int": _int_scale, "frac": _frac_scale, "dec": _dec_scale, "skip": _skip_scale}[mode](rng)
    content = rng.choice(["points", "points", "ineq", "ineq", "compound", "jumps", "plain"])
    if mode in ("dec",) and content == "jumps":
        content = "points"
    spacing = (sc.hi - sc.lo) / (len(sc.ticks) - 1)
    ext = spacing * rng.choice([0.5, 0.6, 0.8, 1.0])
    L, R = round(sc.lo - ext, 2), round(sc.hi + ext, 2)

    def X(x: float) -> str:
        """A tick's x as written by hand (3/8 on a fraction line), else a short decimal."""
        return sc.expr.get(round(x, 6), _c(x))

    t = sc.t
    u = sc.unit_bp
    line_pen = rng.choice(["", "", "linewidth(0.8)", "linewidth(1)"])
    arrows = rng.choice(["Arrows", "Arrows", "Arrows(6)", "Arrows(TeXHead)", "Arrows(8)"])
    out = list(sc.header) + [""]
    out.append(f"draw(({fmt(L)},0)--({fmt(R)},0), {line_pen + ', ' if line_pen else ''}{arrows});")
    out += [""] + sc.code + [""]

    inner = [(x, v) for x, v in zip(sc.ticks, sc.values)]
    col = rng.choice(_RAY_COLORS)
    thick = rng.choice(["linewidth(2)", "linewidth(2.5)", "linewidth(3)", "linewidth(1.6)"])
    r = min([0.01, 0.012, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2],
            key=lambda c: abs(_m.log(c * u / 2.6)))
    rr = _c(r)

    def closed(x: float) -> str:
        return f"dot(({X(x)},0), {col}+{rng.choice(['5bp', '6bp', '6bp', '7bp'])});"

    def opened(x: float) -> str:
        return f"filldraw(circle(({X(x)},0),{rr}), white, {col}+linewidth(1));"

    if content == "points":
        k = rng.randint(1, 4)
        spots = inner[1:-1] + ([s for s in sc.between] if rng.random() < 0.4 else [])
        spots = [s for s in spots]
        rng.shuffle(spots)
        chosen: list[tuple[float, str]] = []
        for s in spots:
            if len(chosen) < k and all(abs(s[0] - c[0]) >= 1.5 * spacing for c in chosen):
                chosen.append(s)
        chosen.sort()
        names = vertex_names(rng, len(chosen))
        dp = rng.choice(["", "", "red", "blue", "black+5bp"])
        lab_y = t if rng.random() < 0.6 else 0
        for nm, (x, _v) in zip(names, chosen):
            out.append(f"dot(({X(x)},0){', ' + dp if dp else ''});")
            out.append(f'label("${nm}$", ({X(x)},{_c(lab_y)}), N);' if lab_y else f'label("${nm}$", ({X(x)},0), 2N);')
    elif content in ("ineq", "compound"):
        usable = inner[1:-1]
        if content == "ineq" or len(usable) < 4:
            x, v = rng.choice(usable[1:-1] if len(usable) > 3 else usable)
            right = rng.random() < 0.5
            strict = rng.random() < 0.5
            end = R if right else L
            ar = rng.choice(["Arrow(10)", "Arrow(12)", "EndArrow(10)", "Arrow(9)"])
            out.append(f"draw(({X(x)},0)--({_c(end)},0), {col}+{thick}, {ar});")
            out.append(opened(x) if strict else closed(x))
            if v and rng.random() < 0.6:
                op = (">" if right else "<") if strict else ("\\ge" if right else "\\le")
                var = rng.choice(["x", "x", "y", "n", "t"])
                mid = (x + end) / 2
                out.append(f'label("${var} {op} {v}$", ({fmt(mid, 2)},{_c(2 * t)}), N);')
        else:
            i, j = sorted(rng.sample(range(len(usable)), 2))
            if j - i < 2:
                j = min(len(usable) - 1, i + 2) if i + 2 < len(usable) else j
                i = max(0, j - 2)
            (x1, v1), (x2, v2) = usable[i], usable[j]
            s1, s2 = rng.random() < 0.5, rng.random() < 0.5
            var = rng.choice(["x", "x", "y", "n"])
            if rng.random() < 0.6:  # between
                out.append(f"draw(({X(x1)},0)--({X(x2)},0), {col}+{thick});")
                out += [opened(x1) if s1 else closed(x1), opened(x2) if s2 else closed(x2)]
                if v1 and v2 and rng.random() < 0.6:
                    o1 = "<" if s1 else "\\le"
                    o2 = "<" if s2 else "\\le"
                    out.append(f'label("${v1} {o1} {var} {o2} {v2}$", ({fmt((x1 + x2) / 2, 2)},{_c(2 * t)}), N);')
            else:  # two rays
                ar = rng.choice(["Arrow(10)", "Arrow(12)", "EndArrow(10)", "Arrow(9)"])
                out.append(f"draw(({X(x1)},0)--({_c(L)},0), {col}+{thick}, {ar});")
                out.append(f"draw(({X(x2)},0)--({_c(R)},0), {col}+{thick}, {ar});")
                out += [opened(x1) if s1 else closed(x1), opened(x2) if s2 else closed(x2)]
                if v1 and v2 and rng.random() < 0.5:
                    o1 = "<" if s1 else "\\le"
                    o2 = ">" if s2 else "\\ge"
                    out.append(f'label("${var} {o1} {v1}$ or ${var} {o2} {v2}$", ({fmt((x1 + x2) / 2, 2)},{_c(2 * t)}), N);')
    elif content == "jumps":
        n = len(sc.ticks) - 1
        d = rng.choice([1, 2, 3, 4]) if n >= 8 else rng.choice([1, 2])
        count = rng.randint(1, max(1, min(4, (n - 1) // d)))
        back = rng.random() < 0.3
        start_i = rng.randint(0, n - d * count)
        if back:
            start_i = rng.randint(d * count, n)
        sgn = -1 if back else 1
        xs = [sc.ticks[start_i + sgn * d * m] for m in range(count + 1)]
        vals = [sc.values[start_i + sgn * d * m] for m in range(count + 1)]
        step_val = _step_text(sc, d, mode)
        h = min(0.45 * d * spacing, 28 / u) + t
        ap = rng.choice(["Arrow(6)", "Arrow", "EndArrow(5)", "Arrow(TeXHead)"])
        jp = rng.choice(["", "blue", "red", "heavygreen", "linewidth(0.8)"])
        out.append(f"dot(({X(xs[0])},0));")
        if count > 1 and rng.random() < 0.5 and d * spacing == spacing * d:
            # a loop of equal jumps
            x0 = xs[0]
            dd = sgn * d * spacing
            out += [f"for(int k=0; k<{count}; ++k) {{",
                    f"  real a = {_c(x0)} + k*{_c(dd)};",
                    f"  draw((a,{_c(t)})..(a+{_c(dd / 2)},{_c(h)})..(a+{_c(dd)},{_c(t)}){', ' + jp if jp else ''}, {ap});",
                    f'  label("${"-" if back else "+"}{step_val}$", (a+{_c(dd / 2)},{_c(h)}), N);', "}"]
        else:
            for a, b in zip(xs, xs[1:]):
                out.append(f"draw(({X(a)},{_c(t)})..({_c((a + b) / 2)},{_c(h)})..({X(b)},{_c(t)}){', ' + jp if jp else ''}, {ap});")
                out.append(f'label("${"-" if back else "+"}{step_val}$", ({_c((a + b) / 2)},{_c(h)}), N);')
        out.append(f"dot(({X(xs[-1])},0){', red' if rng.random() < 0.4 else ''});")
    else:  # plain: maybe one highlighted value
        if rng.random() < 0.5:
            x, v = rng.choice(inner[1:-1])
            out.append(f"dot(({X(x)},0));")
    return join_program(out)


def _step_text(sc: _Scale, d: int, mode: str) -> str:
    if mode == "skip":
        k = int(sc.values[1]) - int(sc.values[0])
        return str(k * d)
    if mode == "frac":
        den = round(1 / (sc.ticks[1] - sc.ticks[0]))
        return _frac_tex(Fraction(d, den))
    return str(d)
