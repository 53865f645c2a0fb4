"""OCR text -> label LaTeX: the strings a person would type, and the comparison key."""

from __future__ import annotations

import pytest

from img2asy.perception.latex import TextContext, normalize_latex, to_latex


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A", "$A$"),
        ("12√2", r"$12\sqrt{2}$"),
        ("√5", r"$\sqrt{5}$"),
        ("√(x+1)", r"$\sqrt{x+1}$"),
        ("√", r"$\surd$"),  # a check mark, not an empty root
        ("45°", r"$45^\circ$"),
        ("45º", r"$45^\circ$"),
        ("(x + 20)°", r"$(x+20)^\circ$"),
        ("5 cm", "5 cm"),
        ("12 units", "12 units"),
        ("A1", "$A_1$"),
        ("P12", "$P_{12}$"),
        ("x2", "$x^2$"),
        ("x²", "$x^2$"),
        ("−3", "$-3$"),
        ("一3", "$-3$"),
        ("y = 2x + 1", "$y=2x+1$"),
        ("1/2", r"$\frac{1}{2}$"),
        ("½", r"$\frac{1}{2}$"),
        ("B′", "$B'$"),
        ("θ", r"$\theta$"),
        ("π", r"$\pi$"),
        ("（2，3）", "$(2,3)$"),
        ("3.5", "$3.5$"),
        ("50%", r"$50\%$"),
        ("Favorite fruit", "Favorite fruit"),
        ("Temperature (°F)", r"Temperature ($^\circ$F)"),
        ("=1", "$-1$"),
        ("Z!", "$Z'$"),
        ("9”", "$9''$"),  # inches
        ('12"', "$12''$"),
        ("", ""),
        ("2x+10°x", r"$2x+10^\circ x$"),  # "\circx" would stop TeX
        ("L_", "$L$"),  # a stroke under a letter read as "_"
        ("_", ""),
    ],
)
def test_to_latex(text: str, expected: str) -> None:
    assert to_latex(text) == expected


def test_lookalikes_inside_numbers_are_digits() -> None:
    assert to_latex("1O") == "$10$"
    assert to_latex("O.5") == "$0.5$"
    assert to_latex("l0") == "$10$"
    assert to_latex("2l") == "$21$"
    assert to_latex("lO cm") == "10 cm"


def test_lone_glyph_next_to_a_point_is_a_letter() -> None:
    assert to_latex("0", TextContext(near_point=True)) == "$O$"
    assert to_latex("0") == "$0$"  # an axis tick label stays a number
    assert to_latex("|", TextContext(near_point=True)) == "$l$"
    assert to_latex("AO") == "$AO$"  # letters stay letters next to letters


def test_glyph_positions_decide_scripts() -> None:
    assert to_latex("x2", TextContext(scripts=("base", "sub"))) == "$x_2$"
    assert to_latex("A2", TextContext(scripts=("base", "sup"))) == "$A^2$"
    assert to_latex("x12", TextContext(scripts=("base", "sub", "sub"))) == "$x_{12}$"
    assert to_latex("2x", TextContext(scripts=("base", "base"))) == "$2x$"


def test_a_one_with_a_subscript_is_the_letter_l() -> None:
    assert to_latex("l1", TextContext(scripts=("base", "sub"))) == "$l_1$"  # OCR reads l1 or 11 for l_1
    assert to_latex("11", TextContext(scripts=("base", "sub"))) == "$l_1$"
    assert to_latex("11", TextContext(scripts=("base", "base"))) == "$11$"  # eleven stays a number
    assert to_latex("x1", TextContext(scripts=("base", "sub"))) == "$x_1$"


def test_stacked_fraction() -> None:
    assert to_latex("3/8", TextContext(fraction=True)) == r"$\frac{3}{8}$"
    assert to_latex("x+1/2", TextContext(fraction=True)) == r"$\frac{x+1}{2}$"


@pytest.mark.parametrize(
    "a, b",
    [
        ("$x^{2}$", "$x^2$"),
        (r"$45^{\circ}$", r"$45^\circ$"),
        (r"$\dfrac{1}{2}$", r"$\frac{1}{2}$"),
        ("$5$ cm", "5 cm"),
        (r"$5\text{ cm}$", "5 cm"),
        ("$y = 2x + 1$", "$y=2x+1$"),
        (r"$\angle A \leq 90$", r"$\angle A\le 90$"),
        (r"\vphantom{$10^4$}$-2$", "$-2$"),  # asy's Ticks labels: the phantom prints nothing
        (r"$\phantom{\frac{1}{2}}x$", "$x$"),
    ],
)
def test_normalize_equates_spellings(a: str, b: str) -> None:
    assert normalize_latex(a) == normalize_latex(b)


def test_normalize_keeps_differences() -> None:
    assert normalize_latex("$x^2$") != normalize_latex("$x_2$")
    assert normalize_latex("$A$") != normalize_latex("$a$")
    assert normalize_latex(r"$\frac{1}{2}$") != normalize_latex("$12$")


def test_mapped_readings_compile(toolchain) -> None:
    """Readings that once gave LaTeX that stops TeX (an unknown "\\circx", a dangling "_")
    now compile with the real toolchain; 7 of 510 real train figures fell back to plain labels."""
    for text in ("2x+10°x+26°", "y°x°", "L_", "h_", ".D_", "'O-_"):
        latex = to_latex(text)
        res = toolchain.compile(f'size(50); draw((0,0)--(1,0)); label("{latex}", (0,0));')
        assert res.ok, (text, latex, res.errors)
