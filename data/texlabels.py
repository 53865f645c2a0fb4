"""Label strings as Asymptote typeset them, and the glyphs a LaTeX string shows.

Asymptote writes every label into one LaTeX file (kept with ``-keep``) as
``\\ASYalign(x,y)(ax,ay){TEXT}`` in drawing order, after evaluating the program, so labels
built in loops (``"$"+string(i)+"$"``) arrive as their final strings. Reading that file is
exact where parsing the program text would guess.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_ALIGN_RE = re.compile(r"\\ASYalign(T?)\(([-\d.]+),([-\d.]+)\)\(([-\d.]+),([-\d.]+)\)")
_FONT_RE = re.compile(r"\\fontsize\{([\d.]+)\}")


@dataclass(frozen=True)
class TexLabel:
    """One label as typeset: its LaTeX, font size (pt) and rotation (degrees)."""

    latex: str
    fontsize: float = 12.0
    angle: float = 0.0


def _braced(s: str, i: int) -> tuple[str, int]:
    """The contents of the brace group opening at s[i] == '{', and the index after it."""
    depth, j = 0, i
    while j < len(s):
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1 : j], j + 1
        j += 1
    return s[i + 1 :], len(s)


def parse_tex_labels(tex: str | None) -> list[TexLabel]:
    """Every label in asy's generated LaTeX, in the order it is typeset."""
    if not tex:
        return []
    body = tex.split("\\begin{document}", 1)[-1]
    out: list[TexLabel] = []
    size = 12.0
    pos = 0
    while True:
        m = _ALIGN_RE.search(body, pos)
        if not m:
            break
        for fm in _FONT_RE.finditer(body, pos, m.start()):
            size = float(fm[1])
        j = m.end()
        angle = 0.0
        if m[1] == "T":  # rotated: first group is the matrix "a b c d"
            mat, j = _braced(body, j)
            a, b = (float(v) for v in mat.split()[:2])
            angle = round(math.degrees(math.atan2(-b, a)), 3)
        text, j = _braced(body, j)
        out.append(TexLabel(text, size, angle))
        pos = j
    return out


_SYMBOLS = {
    "circ": "◦", "sqrt": "√", "surd": "√", "cdot": "·", "times": "×", "div": "÷", "pi": "π", "theta": "θ",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "phi": "φ", "ell": "ℓ", "le": "≤",
    "leq": "≤", "ge": "≥", "geq": "≥", "pm": "±", "angle": "∠", "triangle": "△", "infty": "∞",
    "prime": "′", "cdots": "···", "ldots": "...", "dots": "...", "neq": "≠", "approx": "≈",
    "perp": "⊥", "parallel": "∥", "%": "%", "$": "$", "#": "#", "&": "&", "_": "_", "{": "{",
    "}": "}", "Delta": "∆", "mu": "µ", "lambda": "λ", "sigma": "σ", "omega": "ω", "Omega": "Ω",
}  # fmt: skip
_MATH_CHARS = {"-": "−", "'": "′", "*": "∗", "<": "<", ">": ">"}


_PATH_LABEL_RE = re.compile(r"bind def\}\n(.*?)\\ %\n", re.S)


def parse_path_labels(tex: str | None) -> list[str]:
    """Labels asy turned into filled paths (``texpath``: every label of a 3D figure), each
    distinct string once: asy typesets a string once however often it is drawn, so the count
    and the order are lost (the page after each ``\\special{ps:...}`` is one string)."""
    if not tex:
        return []
    return [m.strip() for m in _PATH_LABEL_RE.findall(tex.split("\\begin{document}", 1)[-1])]


_PHANTOM_RE = re.compile(r"\\[vh]?phantom\s*\{(?:[^{}]|\{[^{}]*\})*\}")


def strip_phantoms(latex: str) -> str:
    """Drop ``\\phantom``/``\\vphantom``/``\\hphantom`` groups: they print nothing (asy's
    ``Ticks`` put ``\\vphantom{$10^4$}`` before every tick label)."""
    return _PHANTOM_RE.sub("", latex)


def visible_glyphs(latex: str) -> str:
    """Approximate the glyph sequence TeX draws for a label (for aligning with the PDF).

    Only needs to be close: the alignment tolerates a few wrong or missing glyphs.
    """
    latex = strip_phantoms(latex)
    out: list[str] = []
    in_math = False
    i = 0
    while i < len(latex):
        c = latex[i]
        if c == "$":
            in_math = not in_math
            i += 1
        elif c == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", latex[i:])
            name = m[1]
            i += len(m[0])
            if name in _SYMBOLS:
                out.append(_SYMBOLS[name])
        elif c in "{}^_~ \t\n":
            i += 1
        else:
            out.append(_MATH_CHARS.get(c, c) if in_math else c)
            i += 1
    return "".join(out)
