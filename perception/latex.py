"""OCR text to the LaTeX a person would type in ``label(...)``.

PP-OCR reads a label crop as plain Unicode text (``12√2``, ``45°``, ``A1``, ``y = 2x + 1``).
:func:`to_latex` rebuilds the label string: math in ``$...$`` (``$12\\sqrt{2}$``,
``$45^\\circ$``, ``$A_1$``, ``$x^2$``), a number with a unit as plain text (``5 cm``),
words as plain text. Look-alike glyphs are settled from context: ``O``/``0`` and
``l``/``I``/``1`` inside a number are digits, a lone glyph naming a point is a letter.

Glyph positions (:class:`TextContext.scripts`, measured on the crop by the recognizer)
decide subscripts and superscripts when present; otherwise a digit after a capital is a
subscript (``A1`` -> ``A_1``) and a 2 or 3 after a lowercase letter is a power
(``x2`` -> ``x^2``).

:func:`normalize_latex` is the comparison key for "the same label": spacing, ``$``,
``\\text{}``, braces around one-character scripts and spelling variants are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from img2asy.data.texlabels import strip_phantoms

GREEK = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\epsilon", "θ": r"\theta",
    "λ": r"\lambda", "μ": r"\mu", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau", "φ": r"\phi",
    "ϕ": r"\phi", "ω": r"\omega", "Δ": r"\Delta", "Ω": r"\Omega", "Σ": r"\Sigma", "Θ": r"\Theta",
    "Φ": r"\Phi", "Π": r"\Pi", "Γ": r"\Gamma", "Λ": r"\Lambda", "ψ": r"\psi", "χ": r"\chi", "η": r"\eta",
    "ζ": r"\zeta", "ξ": r"\xi", "κ": r"\kappa", "ν": r"\nu",
}  # fmt: skip
SYMBOLS = {
    "×": r"\times", "÷": r"\div", "·": r"\cdot", "•": r"\cdot", "≤": r"\le", "≥": r"\ge", "≠": r"\neq",
    "±": r"\pm", "∞": r"\infty", "∠": r"\angle", "△": r"\triangle", "⊥": r"\perp", "∥": r"\parallel",
    "≅": r"\cong", "∼": r"\sim", "≈": r"\approx", "→": r"\to", "∈": r"\in", "∩": r"\cap", "∪": r"\cup",
}  # fmt: skip
# Glyphs PP-OCR (a Chinese + Latin model) returns for the same drawn symbol.
_VARIANTS = {
    "−": "-", "–": "-", "—": "-", "一": "-", "﹣": "-", "－": "-",
    "′": "'", "’": "'", "‘": "'", "`": "'", "ʹ": "'", "″": "''",
    "º": "°", "˚": "°", "∘": "°", "◦": "°", "゜": "°",
    "（": "(", "）": ")", "，": ",", "：": ":", "；": ";", "＝": "=", "。": ".",
    "✓": r"\surd", "∶": ":", "√": "√", "⁄": "/", "∕": "/",
}  # fmt: skip
_SUPERSCRIPTS = {"²": "2", "³": "3", "¹": "1", "⁰": "0", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "ⁿ": "n", "⁻": "-"}  # fmt: skip
_SUBSCRIPTS = {"₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7", "₈": "8", "₉": "9"}  # fmt: skip
_VULGAR = {"½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5", "⅛": "1/8"}
UNITS = ("cm", "mm", "m", "km", "in", "ft", "yd", "mi", "units", "unit", "g", "kg", "cm²", "m²", "s", "min", "h", "L", "mL")
MATH_WORDS = {"sin", "cos", "tan", "cot", "sec", "csc", "log", "ln", "exp", "max", "min", "lim", "mod", "gcd", "lcm", "arcsin", "arccos", "arctan"}  # fmt: skip
_DIGIT_LIKE = {"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "i": "1", "S": "5", "Z": "2", "B": "8"}
_WORD_RE = re.compile(r"[A-Za-z]{3,}")


@dataclass(frozen=True)
class TextContext:
    """What the recognizer knows besides the text.

    ``near_point``: the label sits next to a point, so a lone glyph is a point name.
    ``scripts``: per character of the text, ``"base"``, ``"sup"`` or ``"sub"`` (from glyph positions).
    ``fraction``: the text is ``numerator/denominator`` read from a stacked fraction.
    ``shape_checked``: a lone ``O``/``0`` was already settled from the glyph's shape.
    """

    near_point: bool = False
    scripts: tuple[str, ...] | None = None
    fraction: bool = False
    shape_checked: bool = False  # the recognizer already settled a lone O/0 from its shape


def clean_text(text: str) -> str:
    """Unicode look-alikes to one spelling; full-width forms to ASCII; spaces collapsed."""
    out = []
    for ch in text:
        if ch in _SUPERSCRIPTS:
            out.append("\x01" + _SUPERSCRIPTS[ch])  # \x01 marks a superscript character
        elif ch in _SUBSCRIPTS:
            out.append("\x02" + _SUBSCRIPTS[ch])  # \x02 marks a subscript character
        elif ch in _VULGAR:
            out.append(_VULGAR[ch])
        elif ch in _VARIANTS:
            out.append(_VARIANTS[ch])
        elif ch in GREEK or ch in SYMBOLS or ch in "°√":
            out.append(ch)
        else:
            out.append(unicodedata.normalize("NFKC", ch))
    return re.sub(r"\s+", " ", "".join(out)).strip()


def is_prose(text: str) -> bool:
    """Words (a title, an axis name) rather than a math label."""
    for w in _WORD_RE.findall(text):
        if w.lower() not in MATH_WORDS and w not in UNITS:
            return True
    return False


def _unit_label(text: str) -> str | None:
    """``5 cm``, ``12.5 m``: a number and a unit, written as plain text."""
    m = re.fullmatch(r"([-]?[\dOolI|]+(?:[.,][\dOolI|]+)?)\s*(" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + r")", text)
    if not m or not (any(ch.isdigit() for ch in m.group(1)) or " " in text):
        return None
    num = "".join(_DIGIT_LIKE.get(ch, ch) for ch in m.group(1))
    return f"{num} {m.group(2)}"


def _escape_text(text: str) -> str:
    return re.sub(r"([%&#_])", r"\\\1", text)


def _fix_lookalikes(s: str, near_point: bool) -> str:
    """Settle O/0 and l/I/1 from their neighbours."""
    if len(s) == 1:
        if near_point:
            return {"0": "O", "|": "l", "o": "O"}.get(s, s)
        return {"|": "1", "o": "O"}.get(s, s)
    chars = list(s)
    for i, ch in enumerate(chars):
        if ch not in _DIGIT_LIKE or ch in "SZBD":
            continue
        prev = chars[i - 1] if i > 0 else ""
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        numeric_prev = prev.isdigit() or prev == "."
        numeric_next = nxt.isdigit() or nxt == "."
        # a look-alike inside a number is a digit; "A1" keeps its letter, "l0" becomes 10
        if (numeric_prev and (numeric_next or not nxt.isalpha())) or (numeric_next and not prev.isalpha()):
            chars[i] = _DIGIT_LIKE[ch]
    return "".join(chars)


def _group(s: str) -> str:
    return s if len(s) == 1 else "{" + s + "}"


def _atom_end(s: str, i: int) -> int:
    """End index of the atom starting at ``s[i]`` (a number, a letter, a command, a (...) group)."""
    if i >= len(s):
        return i
    if s[i] == "(":
        depth = 0
        for j in range(i, len(s)):
            depth += {"(": 1, ")": -1}.get(s[j], 0)
            if depth == 0:
                return j + 1
        return len(s)
    if s[i].isdigit():
        j = i
        while j < len(s) and (s[j].isdigit() or (s[j] == "." and j + 1 < len(s) and s[j + 1].isdigit())):
            j += 1
        return j
    if s[i] == "\\":
        j = i + 1
        while j < len(s) and s[j].isalpha():
            j += 1
        return j
    return i + 1


def _sqrt(s: str) -> str:
    """``√2`` -> ``\\sqrt{2}``, ``√(x+1)`` -> ``\\sqrt{x+1}``, ``√xy`` -> ``\\sqrt{xy}``, ``√`` -> ``\\surd``."""
    while "√" in s:
        i = s.index("√")
        j = i + 1
        if j < len(s) and s[j] == "(":
            end = _atom_end(s, j)
            inner = s[j + 1 : end - 1] if s[end - 1 : end] == ")" else s[j + 1 : end]
        else:
            end = j
            while end < len(s) and (s[end].isalnum() or s[end] == "."):
                end += 1
            inner = s[j:end]
        s = s[:i] + ("\\sqrt{" + inner + "}" if inner else "\\surd" + " " * s[end:end + 1].isalpha()) + s[end:]  # a bare sign: a check mark
    return s


def _slash_fraction(s: str) -> str:
    """``1/2`` (one atom each side) -> ``\\frac{1}{2}``."""
    m = re.fullmatch(r"(-?)([A-Za-z0-9.]+|\\sqrt\{[^}]*\}|\([^()]*\))/([A-Za-z0-9.]+|\\sqrt\{[^}]*\}|\([^()]*\))", s)
    if not m:
        return s
    num, den = (g[1:-1] if g.startswith("(") else g for g in (m.group(2), m.group(3)))
    return f"{m.group(1)}\\frac{{{num}}}{{{den}}}"


def _apply_scripts(s: str, scripts: tuple[str, ...]) -> str:
    """Mark characters that sit raised or lowered with the \\x01 / \\x02 prefixes."""
    chars = [c for c in s if c != " "]
    if len(chars) != len(scripts):
        return s
    out = []
    for ch, pos in zip(chars, scripts):
        if pos == "sup" and ch not in "°'" and out:
            out.append("\x01" + ch)
        elif pos == "sub" and out:
            out.append("\x02" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _implicit_scripts(s: str) -> str:
    """Without glyph positions: ``A1`` -> subscript, ``x2`` (2 or 3 after a lowercase letter) -> power."""

    def repl(m: re.Match) -> str:
        pre, letter, digits = m.group(1), m.group(2), m.group(3)
        if letter.isupper():
            return pre + letter + "".join("\x02" + d for d in digits)
        if digits in ("2", "3"):
            return pre + letter + "\x01" + digits
        return pre + letter + "".join("\x02" + d for d in digits)

    # a letter not inside a word, followed by digits that end the token
    return re.sub(r"(^|[^A-Za-z\\])([A-Za-z])(\d{1,2})(?![\d.])", repl, s)


def _scripts_to_latex(s: str) -> str:
    """Runs of \\x01 / \\x02-marked characters become ``^{...}`` / ``_{...}``."""
    out, i = [], 0
    while i < len(s):
        if s[i] in "\x01\x02":
            mark, run = s[i], []
            while i + 1 < len(s) and s[i] == mark:
                run.append(s[i + 1])
                i += 2
            out.append(("^" if mark == "\x01" else "_") + _group("".join(run)))
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def _symbols(s: str) -> str:
    out = []
    for i, ch in enumerate(s):
        cmd = GREEK.get(ch) or SYMBOLS.get(ch)
        if cmd is None:
            out.append(ch)
            continue
        nxt = s[i + 1] if i + 1 < len(s) else ""
        out.append(cmd + (" " if nxt.isalpha() else ""))
    return "".join(out)


# A "_" or "^" with nothing after it (OCR reads a stroke under a letter as "_"): TeX stops on it.
_DANGLING_SCRIPT = re.compile(r"[_^]+(?=$|[_^])")


def math_latex(s: str, ctx: TextContext) -> str:
    """The body of a math label (no ``$``) from cleaned OCR text."""
    s = s.replace(" ", "")
    s = re.sub(r"^[=二]+(?=[\d.(√])", "-", s)  # a label never starts with "=": a minus read as =
    s = re.sub(r"(?<=[A-Za-z])!$", "'", s)  # a prime read as "!"
    s = re.sub(r"(?<=\d)[”\"″]", "''", s)  # inches (9'') read as a closing quote
    s = re.sub(r"(?<=\d)[’′]", "'", s)  # feet, minutes
    s = _fix_lookalikes(s, ctx.near_point and not (ctx.shape_checked and s in ("0", "O")))
    if ctx.scripts is not None:
        s = _apply_scripts(s, ctx.scripts)
    s = re.sub(r"^[1|](?=\x02)", "l", s)  # a lone 1 carrying a subscript is a line's name: l_1
    if "\x01" not in s and "\x02" not in s and not ctx.fraction:
        s = _implicit_scripts(s)
    s = _scripts_to_latex(s)
    s = re.sub(r"°+", r"^\\circ", s).replace("%", r"\%")
    s = s.replace("^\\circ^\\circ", "^\\circ")
    s = re.sub(r"(?<=\\circ)(?=[A-Za-z])", " ", s)  # 10°x: "\circx" would be an unknown command
    s = _symbols(s)
    s = _sqrt(s)
    s = _DANGLING_SCRIPT.sub("", s)
    if ctx.fraction and "/" in s:
        num, _, den = s.partition("/")
        return f"\\frac{{{num}}}{{{den}}}"
    return _slash_fraction(s)


def to_latex(text: str, context: TextContext | None = None) -> str:
    """The label string a person would write for OCR ``text`` (``""`` for no text)."""
    ctx = context or TextContext()
    s = clean_text(text)
    if not s:
        return ""
    unit = _unit_label(s)
    if unit is not None:
        return unit
    if is_prose(s):
        s = _escape_text(s).replace("°", "$^\\circ$")
        return re.sub(r"\x01(.)", r"$^\1$", re.sub(r"\x02(.)", r"$_\1$", s))
    body = math_latex(s, ctx)
    return f"${body}$" if body else ""


# ------------------------------------------------------------------ comparison
_TEXT_CMD_RE = re.compile(r"\\(?:text|mathrm|textrm|mbox|mathit|textit|mathbf|textbf|operatorname)\s*\{([^{}]*)\}")


def normalize_latex(s: str) -> str:
    """A comparison key: two label strings that print the same normalise the same.

    Invisible spacing (``\\vphantom{$10^4$}``, which asy's ``Ticks`` put before every tick
    label) prints nothing, so it is dropped."""
    s = strip_phantoms(s)
    s = s.replace("$", "")
    s = _TEXT_CMD_RE.sub(r"\1", s)
    for a, b in ((r"\dfrac", r"\frac"), (r"\tfrac", r"\frac"), (r"\leq", r"\le"), (r"\geq", r"\ge"),
                 (r"\ne ", r"\neq "), (r"\degree", r"^\circ"), (r"\displaystyle", ""), (r"\left", ""),
                 (r"\right", ""), (r"\prime", "'"), ("−", "-"), (r"\%", "%")):  # fmt: skip
        s = s.replace(a, b)
    s = re.sub(r"\\[,;:! ]", "", s)
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"\^\{\\circ\}", r"^\\circ", s)
    s = re.sub(r"\^\{'+\}", lambda m: m.group(0)[2:-1], s)
    s = re.sub(r"([\^_])\{(\\?[A-Za-z]+|.)\}", lambda m: m.group(1) + m.group(2) if len(m.group(2)) == 1 or m.group(2).startswith("\\") else m.group(0), s)
    s = re.sub(r"\\frac(\d)(\d)", r"\\frac{\1}{\2}", s)
    s = re.sub(r"\\sqrt(\d)", r"\\sqrt{\1}", s)
    return s
