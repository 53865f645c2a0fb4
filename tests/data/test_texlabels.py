"""Reading label strings from asy's LaTeX and aligning them with drawn glyphs."""

from __future__ import annotations

from img2asy.data.texlabels import TexLabel, parse_path_labels, parse_tex_labels, visible_glyphs
from img2asy.data.annotate import assign_glyphs

TEX = r"""\begin{document}
\fontsize{12.000000}{14.400000}\selectfont%
\ASYalign(66.6,73.8)(-1.0,-1.0){$A$}%
\fontsize{10.000000}{12.000000}\selectfont%
\ASYalign(84.4,73.8)(0.0,-1.0){$\frac{1}{2}$}%
\ASYalignT(5.6,76.4)(-0.5,-0.5){0.000000 -1.000000 1.000000 0.000000}{Count {of} days}%
\end{document}"""


def test_parse_tex_labels_reads_strings_sizes_and_rotation():
    labels = parse_tex_labels(TEX)
    assert [l.latex for l in labels] == ["$A$", r"$\frac{1}{2}$", "Count {of} days"]
    assert [l.fontsize for l in labels] == [12.0, 10.0, 10.0]
    assert labels[2].angle == 90.0 and labels[0].angle == 0.0


def test_visible_glyphs():
    assert visible_glyphs(r"$45^\circ$") == "45◦"
    assert visible_glyphs(r"$2\sqrt{3}$") == "2√3"
    assert visible_glyphs(r"$\frac{1}{2}$") == "12"
    assert visible_glyphs("5 cm") == "5cm"
    assert visible_glyphs("$x-1$") == "x−1"


def test_assign_glyphs_tolerates_mismatch():
    labels = [TexLabel("$A$"), TexLabel(r"$\overline{BC}$"), TexLabel("$7$")]
    glyphs = ["A", "B", "C", "?", "7"]  # '?' stands for a glyph the approximation does not predict
    assert assign_glyphs(glyphs, labels) == [0, 1, 1, 1, 2]


def test_labels_of_a_3d_figure_are_read_from_their_path_pages(toolchain):
    res = toolchain.compile('import three; size(80); draw((0,0,0)--(1,0,0)--(1,1,1));'
                            'label("$A$", (0,0,0), W); label("$B_1$", (1,0,0)); label("$A$", (1,1,1));'
                            'label("two words", (0,1,0));')  # fmt: skip
    assert res.ok and parse_tex_labels(res.tex) == []
    assert sorted(parse_path_labels(res.tex)) == ["$A$", "$B_1$", "two words"]  # each string once
    assert parse_path_labels(TEX) == [] and parse_path_labels(None) == []
