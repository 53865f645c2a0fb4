"""Real PP-OCR (rapidocr) on label crops rendered by the real Asymptote toolchain."""

from __future__ import annotations

import random

import pytest

from img2asy.data.annotate import annotate
from img2asy.data.augment import Degradation, degrade
from img2asy.perception.latex import normalize_latex
from img2asy.perception.ocr import Recognizer, crop_box, erase_light, fraction_split, ink_mask

LABELS = [
    "$A$", r"$45^\circ$", "5 cm", r"$12\sqrt{2}$", "$x^2$", "$A_1$", r"$\frac{3}{8}$", "$-3$",
    r"$\theta$", "$B'$", "$y=2x+1$", "$(2,3)$", "$3.5$", r"$(x+20)^\circ$", "Favorite fruit", "$P_2$",
]  # fmt: skip


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer()


@pytest.fixture(scope="module")
def sheet(toolchain):
    """All labels on one figure, with a line through the page so crops sit near strokes."""
    body = "\n".join(f'label("{lab}", ({(i % 4) * 3}, {-(i // 4) * 1.5}));' for i, lab in enumerate(LABELS))
    code = f"unitsize(1cm);\n{body}\ndraw((-1,0.45)--(10,0.45));\ndot((11,-4.5));\n"
    res = toolchain.compile(code)
    assert res.ok, res.errors
    img = toolchain.rasterize(res.pdf, 150)
    graph = annotate(res.pdf, res.tex, 150, img.size)
    return res, img, graph


def _labels(graph):
    return [d for _, d in graph.nodes("label")]


def test_every_label_reads_back_as_its_latex(sheet, recognizer) -> None:
    _, img, graph = sheet
    labels = _labels(graph)
    assert len(labels) == len(LABELS)
    wrong = []
    for d in labels:
        r = recognizer.read_label(img, d["bbox"])
        if normalize_latex(r.latex) != normalize_latex(d["latex"]):
            wrong.append((d["latex"], r.text, r.latex))
    assert not wrong, wrong


def test_read_returns_text_and_confidence(sheet, recognizer) -> None:
    _, img, graph = sheet
    d = next(d for d in _labels(graph) if d["latex"] == "$A$")
    text, conf = recognizer.read(img, d["bbox"])
    assert text == "A"
    assert 0.5 < conf <= 1.0


def test_fraction_is_split_at_its_bar(sheet) -> None:
    _, img, graph = sheet
    frac = next(d for d in _labels(graph) if "frac" in d["latex"])
    theta = next(d for d in _labels(graph) if "theta" in d["latex"])
    assert fraction_split(ink_mask(crop_box(img, frac["bbox"]))) is not None
    assert fraction_split(ink_mask(crop_box(img, theta["bbox"]))) is None  # its bar touches the outline


def test_degraded_render_mostly_reads(sheet, recognizer, toolchain) -> None:
    res, _, graph = sheet
    deg = Degradation(dpi=110, jpeg_quality=60, blur=0.4, noise=3.0, paper=(245, 245, 238))
    img, g = degrade(res.pdf, graph, deg, toolchain, seed=random.Random(0).randrange(100))
    labels = _labels(g)
    ok = sum(normalize_latex(recognizer.read_label(img, d["bbox"]).latex) == normalize_latex(d["latex"]) for d in labels)
    assert ok >= 0.75 * len(labels)


def test_empty_box_is_an_error_not_a_crash(sheet, recognizer) -> None:
    _, img, _ = sheet
    with pytest.raises(ValueError):
        recognizer.read(img, (10, 10, 10, 20))
    blank = recognizer.read_many(img, [(0, 0, 0, 0), (img.width - 5, img.height - 5, img.width, img.height)])
    assert [r.text for r in blank] == ["", ""]


GRID_AXES = r"""import graph; size(8cm); defaultpen(linewidth(0.7)+fontsize(10));
real lo=-4.5, hi=4.5;
pen grid=linewidth(0.7)+gray(0.75)+linetype("2 2");
for (real i=-4; i<=4; i+=1) { draw((i,lo)--(i,hi), grid); draw((lo,i)--(hi,i), grid); }
Label tick; tick.p=fontsize(10);
xaxis("$x$", lo, hi, Ticks(tick, Step=1.0, Size=2, NoZero), Arrows(6), above=true);
yaxis("$y$", lo, hi, Ticks(tick, Step=1.0, Size=2, NoZero), Arrows(6), above=true);
"""


def test_grey_grid_dashes_through_tick_labels_keep_their_minus(toolchain, recognizer) -> None:
    """A dashed grey grid line runs between each x tick label's minus and its digit (the usual
    MATH graph-paper figure); without :func:`erase_light` the minus signs read as nothing."""
    res = toolchain.compile(GRID_AXES)
    assert res.ok, res.errors
    img = toolchain.rasterize(res.pdf, 150)
    labels = _labels(annotate(res.pdf, res.tex, 150, img.size))
    assert len(labels) == 18
    wrong = [(d["latex"], r.latex) for d in labels
             if normalize_latex((r := recognizer.read_label(img, d["bbox"])).latex) != normalize_latex(d["latex"])]  # fmt: skip
    assert not wrong, wrong
    crop = crop_box(img, labels[0]["bbox"])
    light = erase_light(crop)
    assert light is not None and ink_mask(light).sum() <= ink_mask(crop).sum()  # only grey went


def test_erase_light_leaves_black_text_alone(sheet) -> None:
    _, img, graph = sheet
    for d in _labels(graph):
        crop = crop_box(img, d["bbox"])
        light = erase_light(crop)
        assert light is None or (ink_mask(light) == ink_mask(crop)).all(), d["latex"]


def test_small_fraction_in_a_padded_box_and_a_vertical_word(toolchain, recognizer) -> None:
    """A one-digit stacked fraction's bar spans its ink but not the padded crop the pipeline
    reads (2 px each side): it is still a fraction. A word set vertically, whose letters give
    full-width rows with gaps between them, is not one."""
    res = toolchain.compile('unitsize(1cm); label("$\\frac{1}{4}$", (0,0)); label(rotate(90)*"Eaten", (3,0));'
                            'draw((-1,-1)--(4,-1));')
    assert res.ok, res.errors
    img = toolchain.rasterize(res.pdf, 150)
    labels = _labels(annotate(res.pdf, res.tex, 150, img.size))
    frac = next(d for d in labels if "frac" in d["latex"])
    x0, y0, x1, y1 = frac["bbox"]
    r = recognizer.read_label(img, (x0 - 2, y0 - 2, x1 + 2, y1 + 2))
    assert r.latex == r"$\frac{1}{4}$", r
    word = next(d for d in labels if "Eaten" in d["latex"])
    x0, y0, x1, y1 = word["bbox"]
    assert "frac" not in recognizer.read_label(img, (x0 - 2, y0 - 2, x1 + 2, y1 + 2)).latex
