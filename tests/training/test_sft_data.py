"""Building SFT examples: noisy perception-like inputs, the prompt contract, determinism."""

from __future__ import annotations

import math
import random

import pytest

from img2asy.codegen.prompt import SYSTEM
from img2asy.scene_graph.schema import SceneGraph, Stroke
from img2asy.scene_graph.serialize import to_text
from img2asy.training.sft_data import DataConfig, NoiseConfig, load_split, perturb, resolve_inputs


def _triangle() -> SceneGraph:
    g = SceneGraph(200, 200, 72)
    pts = [(20.0, 180.0), (180.0, 180.0), (100.0, 20.0)]
    ids = [g.add("point", xy=list(p), dot=True) for p in pts]
    for i in range(3):
        s = g.add("segment", Stroke(), a=list(pts[i]), b=list(pts[(i + 1) % 3]))
        g.relate(s, ids[i], "endpoint")
        g.relate(s, ids[(i + 1) % 3], "endpoint")
    # a side split in two collinear halves, which perception tends to see as one line
    g.add("segment", Stroke(), a=[60.0, 100.0], b=[100.0, 100.0])
    g.add("segment", Stroke(), a=[100.0, 100.0], b=[140.0, 100.0])
    lab = g.add("label", bbox=[5.0, 182.0, 15.0, 195.0], text="O", latex="$O$", fontsize=12.0, angle=0.0)
    g.relate(lab, ids[0], "labels")
    return g


def test_perturb_keeps_shared_vertices_and_moves_geometry():
    g = _triangle()
    noisy = perturb(g, NoiseConfig(jitter_px=1.5, merge_collinear=0.0, label_error=0.0, drop_label=0.0), random.Random(3))
    assert noisy.count()["point"] == 3
    # every segment end still coincides with its (moved) endpoint, so the text still names it
    for n, d in noisy.nodes("segment"):
        for m in noisy.g.successors(n):
            xy = noisy.g.nodes[m]["xy"]
            assert min(abs(xy[0] - e[0]) + abs(xy[1] - e[1]) for e in (d["a"], d["b"])) < 1e-6
    assert to_text(noisy) != to_text(g)
    assert to_text(g).count("segment P") == to_text(noisy).count("segment P") == 3


def test_perturb_merges_collinear_and_corrupts_labels():
    g = _triangle()
    cfg = NoiseConfig(jitter_px=0.0, radius_rel=0.0, merge_collinear=1.0, label_error=1.0, drop_label=0.0, drop_dot=0.0)
    noisy = perturb(g, cfg, random.Random(0))
    assert noisy.count()["segment"] == g.count()["segment"] - 1
    (_, lab), = noisy.nodes("label")
    assert (lab["latex"], lab["text"]) != ("$O$", "O")
    assert g.count()["segment"] == 5  # the input graph is untouched


def test_perturb_is_deterministic_per_seed():
    g = _triangle()
    a = to_text(perturb(g, NoiseConfig(), random.Random(7)))
    assert a == to_text(perturb(g, NoiseConfig(), random.Random(7)))


def test_examples_from_a_built_dataset(sft_dataset):
    cfg = DataConfig(dataset=str(sft_dataset), inputs="noisy_gt", seed=0)
    train = load_split(cfg, "train")
    val = load_split(cfg, "val")
    assert len(train) == 3 and len(val) == 1
    assert {e.split for e in train} == {"train"} and val[0].family == "triangle"
    ex = train[0]
    rec = ex.as_record()
    assert rec["prompt"][0] == {"role": "system", "content": SYSTEM}
    assert rec["prompt"][1]["content"].startswith("Scene:\nscene ")
    assert rec["completion"] == [{"role": "assistant", "content": ex.code.strip() + "\n"}]
    assert "size(" in ex.code  # the target is the item's own program
    # the noisy input differs from the exact ground truth, and is reproducible
    exact = {e.id: e.scene_text for e in load_split(DataConfig(dataset=str(sft_dataset), inputs="gt"), "train")}
    assert any(exact[e.id] != e.scene_text for e in train)
    assert [e.scene_text for e in load_split(cfg, "train")] == [e.scene_text for e in train]


def test_inputs_from_the_clean_render_or_the_degraded_copy(sft_dataset):
    """``data.image`` picks the render whose scene is the input: the degraded copy (default) or
    the clean render that real-data evaluation perceives; the ground truth follows it."""
    from img2asy.training.sft_data import split_dataset

    rows = {r["id"]: r for r in split_dataset(sft_dataset, "train")}
    assert any(r["annotation"] != r["aug_annotation"] for r in rows.values())  # the two renders differ
    for image, ann in (("aug_image", "aug_annotation"), ("image", "annotation")):
        ex = load_split(DataConfig(dataset=str(sft_dataset), inputs="gt", image=image), "train")
        assert all(e.scene_text == to_text(SceneGraph.from_json(rows[e.id][ann])) for e in ex)
    with pytest.raises(ValueError):
        DataConfig(image="photo")


def test_input_modes():
    assert resolve_inputs("noisy_gt") == "noisy_gt"
    assert resolve_inputs("auto") in ("perception", "noisy_gt")
    with pytest.raises(ValueError):
        resolve_inputs("images")


def test_rule_targets_redraw_the_truth_in_the_scene_frame(sft_dataset, toolchain):
    """``data.target: rule``: the target is the printer's program for the render's ground
    truth, in the input scene's frame, so its coordinates are ones the scene text shows (the
    model copies them instead of inventing a coordinate system); it compiles with stock
    Asymptote and redraws the render. With noisy inputs the frame is the noisy scene's."""
    import re

    from img2asy.eval.metrics import Reference, score_program

    for inputs in ("gt", "noisy_gt"):
        cfg = DataConfig(dataset=str(sft_dataset), inputs=inputs, target="rule", image="image")
        ex = load_split(cfg, "train")
        own = {e.id: e.code for e in load_split(DataConfig(dataset=str(sft_dataset), inputs=inputs, image="image"), "train")}
        assert len(ex) == 3
        for e in ex:
            assert e.code != own[e.id] and "size(" in e.code
            xy = r"\((-?[\d.]+),(-?[\d.]+)\)"
            scene_xy = [(float(a), float(b)) for a, b in re.findall(xy, e.scene_text)]
            prog_xy = [(float(a), float(b)) for a, b in re.findall(xy, e.code)]
            # each program point is one of the scene's (exactly for gt inputs; noise moves it ~1 px)
            near = [min(math.dist(p, q) for q in scene_xy) for p in prog_xy]
            tol = 1e-9 if inputs == "gt" else 0.3
            assert prog_xy and sum(d <= tol for d in near) / len(near) > 0.8, (inputs, e.id, near)
            sc = score_program(e.code, Reference.from_program(own[e.id], toolchain), toolchain)
            assert sc.compiled and sc.stroke_f1 > 0.9 and sc.label_f1 == 1.0, (inputs, e.id, sc.to_json())
    with pytest.raises(ValueError):
        DataConfig(target="tikz")


def test_perceived_scene_caches_are_keyed_to_the_perception_code(monkeypatch, tmp_path):
    """A cache of perceived scene texts is not reused once perception (code or detector
    weights) changes; ground-truth inputs do not depend on it."""
    from img2asy.training import sft_data

    cfg = DataConfig(dataset="d", cache_dir=str(tmp_path))
    fp = sft_data.perception_fingerprint()
    assert fp == sft_data.perception_fingerprint() and len(fp) == 12
    before = sft_data._cache_path(cfg, "train", "perception"), sft_data._cache_path(cfg, "train", "gt")
    monkeypatch.setattr(sft_data, "perception_fingerprint", lambda: "changed")
    after = sft_data._cache_path(cfg, "train", "perception"), sft_data._cache_path(cfg, "train", "gt")
    assert before[0] != after[0] and before[1] == after[1]
