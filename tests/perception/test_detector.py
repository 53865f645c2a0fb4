"""The shipped detector weights on a figure rendered by the real toolchain."""

from __future__ import annotations

import pytest

from img2asy.data.annotate import annotate
from img2asy.perception.detector import DEFAULT_WEIGHTS, DETECTOR_CLASSES, Detection, Detector
from img2asy.training.detector import boxes_from_graph

FIGURE = r"""
unitsize(1cm);
pair A=(0,0), B=(5,0), C=(1.5,3.2), M=(2.5,0);
draw(A--B--C--cycle);
draw(C--M, dashed);
dot(A); dot(B); dot(C); dot(M);
label("$A$", A, SW); label("$B$", B, SE); label("$C$", C, N); label("$M$", M, S);
label("$7$", (A+C)/2, W); label("$5\sqrt{2}$", (B+C)/2, NE); label("$40^\circ$", B, 8*dir(160));
"""


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


@pytest.fixture(scope="module")
def detector() -> Detector:
    if not DEFAULT_WEIGHTS.exists():
        pytest.fail(f"shipped weights missing: {DEFAULT_WEIGHTS}")
    return Detector.load(device="cpu")


def test_shipped_weights_are_small_and_know_the_classes(detector) -> None:
    assert DEFAULT_WEIGHTS.stat().st_size < 12 * 2**20
    assert detector.classes == DETECTOR_CLASSES


def _render(toolchain):
    res = toolchain.compile(FIGURE)
    assert res.ok, res.errors
    img = toolchain.rasterize(res.pdf, 150)
    return img, boxes_from_graph(annotate(res.pdf, res.tex, 150, img.size))


def _match(detector, img, truth, cls: str) -> tuple[int, int, int]:
    """(ground-truth boxes of ``cls``, how many a detection finds at IoU >= 0.5, detections of ``cls``)."""
    want = [tuple(b[1:]) for b in truth if DETECTOR_CLASSES[b[0]] == cls]
    got = [d.box for d in detector.predict(img) if d.cls == cls]
    return len(want), sum(any(_iou(w, g) >= 0.5 for g in got) for w in want), len(got)


def test_finds_the_text_on_a_rendered_figure(detector, toolchain) -> None:
    img, truth = _render(toolchain)
    dets = detector.predict(img)
    assert all(isinstance(d, Detection) and d.cls in DETECTOR_CLASSES and 0 < d.conf <= 1 for d in dets)
    want, found, got = _match(detector, img, truth, "text")
    assert found >= want - 1, (found, want)
    assert got <= 2 * want  # false alarms stay bounded


@pytest.mark.xfail(reason="the shipped CPU-trained model (18 epochs) misses most dots; see models/detector/MODEL_CARD.md", strict=False)
def test_finds_the_dots_on_a_rendered_figure(detector, toolchain) -> None:
    img, truth = _render(toolchain)
    want, found, got = _match(detector, img, truth, "dot")
    assert found >= want - 1 and got <= want + 1, (found, want, got)


def test_degraded_input_still_finds_text(detector, toolchain) -> None:
    from img2asy.data.augment import Degradation, degrade

    res = toolchain.compile(FIGURE)
    graph = annotate(res.pdf, res.tex, 150)
    img, g = degrade(res.pdf, graph, Degradation(dpi=100, jpeg_quality=60, blur=0.4, noise=3.0), toolchain)
    want = [tuple(b[1:]) for b in boxes_from_graph(g) if b[0] == 0]
    got = [d.box for d in detector.predict(img) if d.cls == "text"]
    assert sum(any(_iou(w, b) >= 0.5 for b in got) for w in want) >= len(want) - 2


def test_prediction_leaves_torch_threads_alone(detector, toolchain) -> None:
    """ultralytics resets torch's thread count; a codegen LLM after perception must keep all cores."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        detector.predict(_render(toolchain)[0])
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
