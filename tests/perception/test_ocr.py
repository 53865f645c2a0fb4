"""Real PP-OCR (rapidocr) on label crops rendered by the real Asymptote toolchain."""

from __future__ import annotations

import random

import pytest

from img2asy.data.annotate import annotate
from img2asy.data.augment import Degradation, degrade
from img2asy.perception.latex import normalize_latex
from img2asy.perception.ocr import Recognizer, crop_box, fraction_split, ink_mask

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
