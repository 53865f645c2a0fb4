"""Realistic label text, as LaTeX a person would type inside ``label(...)``."""

from __future__ import annotations

import random
import re

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I/O: authors avoid them next to 1/0


def fmt(x: float, nd: int = 2) -> str:
    """Shortest decimal for a coordinate: 2.0 -> '2', 0.50 -> '0.5'."""
    s = f"{x:.{nd}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def vertex_names(rng: random.Random, n: int) -> list[str]:
    """n distinct vertex letters: a consecutive run (A, B, C) or a random pick (P, Q, R)."""
    if rng.random() < 0.6:
        start = rng.randrange(0, len(LETTERS) - n + 1) if rng.random() < 0.3 else 0
        return list(LETTERS[start : start + n])
    return rng.sample(LETTERS, n)


def math(s: str) -> str:
    return f"${s}$"


def length_label(rng: random.Random, value: float | None = None) -> str:
    """A side length: integer, decimal, with unit, radical, fraction or variable."""
    kind = rng.choice(["int", "int", "dec", "unit", "sqrt", "frac", "var", "expr"])
    v = value if value is not None else rng.randint(2, 15)
    if kind == "int":
        return math(str(int(round(v))))
    if kind == "dec":
        return math(fmt(round(v, 1), 1))
    if kind == "unit":
        unit = rng.choice(["cm", "m", "in", "ft", "mm", "units"])
        return f"{int(round(v))} {unit}"
    if kind == "sqrt":
        a, b = rng.choice([1, 2, 3, 4, 5]), rng.choice([2, 3, 5, 7])
        return math(f"{a if a > 1 else ''}\\sqrt{{{b}}}")
    if kind == "frac":
        p, q = rng.randint(1, 9), rng.choice([2, 3, 4, 5, 8])
        return math(f"\\frac{{{p}}}{{{q}}}")
    if kind == "var":
        return math(rng.choice("xyabhkmnrs"))
    a = rng.randint(2, 5)
    return math(rng.choice([f"{a}x", f"x+{a}", f"2x-{a}", f"{a}y"]))


def angle_label(rng: random.Random, degrees: float | None = None) -> str:
    """An angle measure: degrees, a variable, or an expression in x."""
    kind = rng.choice(["deg", "deg", "deg", "var", "expr"])
    if kind == "deg":
        d = int(round(degrees)) if degrees is not None else rng.randint(20, 150)
        return math(f"{d}^\\circ")
    if kind == "var":
        return math(rng.choice(["x", "y", "\\theta", "\\alpha", "a", "b"]) + ("^\\circ" if rng.random() < 0.5 else ""))
    a = rng.randint(2, 5)
    return math(rng.choice([f"{a}x^\\circ", f"(x+{10 * a})^\\circ", f"({a}x-10)^\\circ"]))


def number_label(rng: random.Random, v: float) -> str:
    return math(fmt(v))


def function_name(rng: random.Random) -> str:
    return math(rng.choice(["y=f(x)", "y=g(x)", "f(x)", "g(x)", "y"]))


_COMPASS = {"E": ("dir(0)", "right"), "N": ("dir(90)", "up"), "W": ("dir(180)", "left"), "S": ("dir(270)", "down")}


def fix_compass(code: str, style: str = "word") -> str:
    """A variable named E, N, S or W shadows Asymptote's compass direction of that name, so a
    later ``label(..., E);`` silently aligns by the point. Rewrite those alignments as
    ``right``/``up``/... (``style="word"``) or ``dir(0)``/``dir(90)``/... (``style="dir"``).
    """
    declared = set(re.findall(r"\b([NSEW])\s*=(?!=)", code))
    if not declared:
        return code
    pick = 1 if style == "word" else 0

    def sub(m: re.Match) -> str:
        d = m.group(2)
        return m.group(1) + (_COMPASS[d][pick] if d in declared else d) + m.group(3)

    return re.sub(r"(label\(.*, )([NSEW])(\);)", sub, code)
