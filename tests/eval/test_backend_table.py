"""The backends table on the tiny dataset: rule and a tiny random Qwen2, with and without repair."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from img2asy.codegen.model_io import build_tiny_model
from img2asy.eval.backend_table import MODES, BackendRow, TableConfig, collect, markdown, rescore, run_table


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    corpus = ["size(100); draw((0,0)--(1,1)); label(\"$A$\", (0,0), SW);", "scene 100x100 bp unit=10\npoint P1 (0,0)"] * 4
    return build_tiny_model(tmp_path_factory.mktemp("tiny"), corpus=corpus, hidden=32, layers=2)


def test_table_rows_modes_and_resume(tiny_dataset, tiny_model, toolchain, tmp_path):
    cfg = TableConfig(
        data=str(tiny_dataset), out=str(tmp_path / "t"), splits=["val"], limit=2, input="gt", rounds=1, k=2,
        max_new_tokens=8, backends=[BackendRow("rule", "rule"), BackendRow("tiny", f"hf:{tiny_model}")],
    )  # fmt: skip
    recs = run_table(cfg, toolchain)
    assert [(r["backend"], r["mode"]) for r in recs] == [
        ("rule", "repair"), ("rule", "no repair"), ("tiny", "repair"), ("tiny", "no repair")]  # fmt: skip
    by = {(r["backend"], r["mode"]): r for r in recs}
    for r in recs:
        s = r["summary"]
        assert s["items"] == 2 and s["compile_final"] == 1.0  # the rule fallback makes every image compile
    rule = by["rule", "repair"]["summary"]
    assert rule["stroke_f1"] > 0.9 and rule["stages"] == {"model": 2}
    # an untrained 2-layer model writes no Asymptote: every image falls back to the rule printer
    tiny_rep, tiny_one = by["tiny", "repair"], by["tiny", "no repair"]
    assert tiny_rep["summary"]["pass_at_1"] == 0.0 and tiny_rep["summary"]["stages"] == {"rule_fallback": 2}
    # with repair: first program, 1 repair round, 2 samples, rule; without: first program, rule
    assert [i["attempts"] for i in tiny_rep["items"]] == [5, 5]
    assert [i["attempts"] for i in tiny_one["items"]] == [2, 2]
    assert tiny_one["summary"]["stroke_f1"] == pytest.approx(rule["stroke_f1"])
    assert tiny_rep["summary"]["tokens_per_s"] > 0
    table = markdown(recs)
    assert table.count("\n") == 2 + 4 and "| val | tiny | no repair | 2 |" in table
    tiny_line = next(line for line in table.splitlines() if "| tiny | repair |" in line)
    assert f"{rule['stroke_f1']:.3f} / {rule['label_f1']:.3f}" in tiny_line  # rule on the same items
    # finished parts are read back, not rerun
    files = sorted((tmp_path / "t" / "results").glob("*.json"))
    stamps = [f.stat().st_mtime_ns for f in files]
    assert run_table(cfg, toolchain) == recs == collect(cfg)
    assert [f.stat().st_mtime_ns for f in files] == stamps
    json.dumps(recs)
    # rescoring the saved programs with the same metrics gives the same scores, without generating
    again = rescore(cfg, toolchain)
    assert [r["summary"]["stroke_f1"] for r in again] == [r["summary"]["stroke_f1"] for r in recs]
    assert [r["summary"]["label_f1"] for r in again] == [r["summary"]["label_f1"] for r in recs]


def test_table_runs_only_the_modes_asked_for(tiny_dataset, toolchain, tmp_path):
    """``modes: [no repair]`` skips the slow repair rows (a quick look at a new model)."""
    cfg = TableConfig(data=str(tiny_dataset), out=str(tmp_path / "t"), splits=["val"], limit=1, input="gt",
                      modes=["no repair"], backends=[BackendRow("rule", "rule")])  # fmt: skip
    assert [(r["backend"], r["mode"]) for r in run_table(cfg, toolchain)] == [("rule", "no repair")]
    with pytest.raises(ValueError):
        TableConfig(data="x", modes=["fast"])
    # a backend row can narrow the table's modes for itself (a slow model: "no repair" alone)
    cfg = replace(cfg, out=str(tmp_path / "u"), modes=list(MODES),
                  backends=[BackendRow("rule", "rule"), BackendRow("rule again", "rule", modes=["no repair"])])  # fmt: skip
    assert [(r["backend"], r["mode"]) for r in run_table(cfg, toolchain)] == [
        ("rule", "repair"), ("rule", "no repair"), ("rule again", "no repair")]
    with pytest.raises(ValueError):
        TableConfig(data="x", backends=[BackendRow("rule", "rule", modes=["fast"])])
