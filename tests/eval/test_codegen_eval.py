"""``eval codegen`` on the tiny dataset of ``conftest.py`` (two real items, one synthetic)."""

from __future__ import annotations

import json

import pytest

from img2asy.eval.codegen_eval import EvalConfig, evaluate


def test_rule_on_ground_truth(tiny_dataset, toolchain):
    report = evaluate(EvalConfig(data=tiny_dataset, split="val", codegen="rule"), toolchain, progress=False)
    s = report["summary"]
    assert s["items"] == 2  # real items only by default
    assert s["compile_final"] == s["pass_at_1"] == s["compile_after_repair"] == 1.0
    assert s["stroke_f1"] > 0.95 and s["label_f1"] > 0.95
    assert 0.3 < s["length_ratio_median"] < 3 and s["stages"] == {"model": 2}
    assert {i["id"] for i in report["items"]} == {"math-75e7f6dcdcf8", "math-8cb7c9fdc36d"}
    json.dumps(report)  # the --json file is plain JSON
    everything = evaluate(EvalConfig(data=tiny_dataset, split="val", source="all", limit=3), toolchain, progress=False)
    assert everything["summary"]["items"] == 3


def test_cli_writes_json(tiny_dataset, tmp_path):
    from img2asy.cli import main

    out = tmp_path / "r.json"
    assert main(["eval", "codegen", "--data", str(tiny_dataset), "--split", "val", "--limit", "1", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["summary"]["items"] == 1


def test_missing_split_is_a_clear_error(tiny_dataset, toolchain):
    with pytest.raises(ValueError, match="no (items in its )?'train' split"):
        evaluate(EvalConfig(data=tiny_dataset, split="train"), toolchain, progress=False)
