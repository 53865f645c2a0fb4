"""Detector data: boxes from ground truth, YOLO export of a real built dataset, a tiny training run."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from img2asy.data.annotate import annotate
from img2asy.data.dataset import BuildConfig, build
from img2asy.perception.detector import DETECTOR_CLASSES, MIN_BOX_PT
from img2asy.scene_graph.schema import SceneGraph
from img2asy.training.detector import DetectorConfig, boxes_from_graph, export_yolo, load_splits, train, yolo_lines

FIGURE = r"""
unitsize(1cm);
pair A=(0,0), B=(4,0), C=(0,3);
draw(A--B--C--cycle);
draw((0.3,0)--(0.3,0.3)--(0,0.3));
dot(A); dot(B); dot(C);
label("$A$", A, SW); label("$B$", B, SE); label("$C$", C, N);
draw((2,-0.15)--(2,0.15));
draw((5,0)--(7,1), Arrow);
"""


@pytest.fixture(scope="module")
def figure(toolchain):
    res = toolchain.compile(FIGURE)
    assert res.ok, res.errors
    img = toolchain.rasterize(res.pdf, 150)
    return img, annotate(res.pdf, res.tex, 150, img.size)


def test_boxes_cover_labels_dots_marks_and_arrowheads(figure) -> None:
    img, graph = figure
    boxes = boxes_from_graph(graph)
    by_class: dict[str, list] = {}
    for c, *box in boxes:
        by_class.setdefault(DETECTOR_CLASSES[c], []).append(box)
    assert len(by_class["text"]) == 3
    assert len(by_class["dot"]) == 3
    assert len(by_class["arrowhead"]) == 1
    assert len(by_class["right_angle"]) == 1
    assert len(by_class.get("tick", [])) == 1
    min_side = MIN_BOX_PT * 150 / 72
    for c, x0, y0, x1, y1 in boxes:
        assert 0 <= x0 < x1 <= img.width and 0 <= y0 < y1 <= img.height
        assert x1 - x0 >= min_side - 1e-6 or x0 == 0 or x1 == img.width
    dots = [d["xy"] for _, d in graph.nodes("point") if d.get("dot")]
    for x0, y0, x1, y1 in by_class["dot"]:  # each dot box is centred on a dot
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        assert min(abs(cx - x) + abs(cy - y) for x, y in dots) < 0.5
    for line in yolo_lines(boxes, img.width, img.height):
        c, *vals = line.split()
        assert int(c) < len(DETECTOR_CLASSES) and all(0.0 <= float(v) <= 1.0 for v in vals)


def test_boxes_follow_a_rescaled_graph(figure) -> None:
    _, graph = figure
    half = graph.scaled(0.5)
    text = [b for b in boxes_from_graph(graph) if b[0] == 0]
    text_half = [b for b in boxes_from_graph(half) if b[0] == 0]
    assert len(text) == len(text_half)
    assert abs(text_half[0][1] - text[0][1] / 2) < 3


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ds")
    build(BuildConfig(out=out, n_synthetic=4, seed=3, workers=1, real=False, cache_dir=out / "cache"))
    return out


def test_export_writes_yolo_layout(built, tmp_path) -> None:
    cfg = DetectorConfig(data=str(built), export_dir=str(tmp_path / "yolo"), sources=["synthetic"])
    data_yaml = export_yolo(cfg)
    root = data_yaml.parent
    import yaml

    data = yaml.safe_load(data_yaml.read_text())
    assert list(data["names"].values()) == DETECTOR_CLASSES
    ds = load_splits(built)
    n_items = sum(len(ds[s]) for s in ("train", "val") if s in ds)
    imgs = sorted((root / "images" / "train").glob("*.png")) + sorted((root / "images" / "val").glob("*.png"))
    assert len(imgs) == 2 * n_items  # clean and degraded copy of each item
    for img_path in imgs:
        split = img_path.parent.name
        lab = root / "labels" / split / (img_path.stem + ".txt")
        lines = [ln.split() for ln in lab.read_text().splitlines()]
        row = next(r for r in ds[split] if img_path.stem in (r["id"], r["id"] + "_aug"))
        graph = SceneGraph.from_json(row["aug_annotation"] if img_path.stem.endswith("_aug") else row["annotation"])
        n_text = sum(1 for _, d in graph.nodes("label") if str(d.get("text", "")).strip())
        assert sum(1 for ln in lines if ln[0] == "0") == n_text
        assert Image.open(img_path).size == (graph.width, graph.height)
    for name in ("test", "test_aug"):
        if (root / "images" / name).exists():
            assert (root / f"eval_{name}.yaml").exists()


def test_tiny_training_run_is_offline_and_ships_weights(built, tmp_path) -> None:
    cfg = DetectorConfig(
        data=str(built), export_dir=str(tmp_path / "yolo"), project=str(tmp_path / "runs"), name="t",
        weights_out=str(tmp_path / "best.pt"), sources=["synthetic"], imgsz=96, epochs=1, batch=4,
        workers=0, device="cpu", hyp={"plots": False, "val": False},
    )  # fmt: skip
    out = train(cfg)
    assert out.exists() and out.stat().st_size > 100_000
    from img2asy.perception.detector import Detector

    det = Detector.load(out, device="cpu")
    assert det.classes == DETECTOR_CLASSES
    img = Image.open(next((tmp_path / "yolo" / "images" / "train").glob("*.png")))
    assert isinstance(det.predict(img, conf=0.001), list)
