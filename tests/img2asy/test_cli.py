"""The installed CLI and package layout, run as a user would (a subprocess, outside the repo)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "img2asy"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_stage_packages_install_under_the_namespace(tmp_path):
    code = (
        "import importlib.util, img2asy.data, img2asy.eval, img2asy.scene_graph;"
        "print(importlib.util.find_spec('data') is None, importlib.util.find_spec('scene_graph') is None)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_help_lists_the_groups(tmp_path):
    out = _run("--help", cwd=tmp_path)
    assert out.returncode == 0
    for group in ("data", "train", "eval", "model"):
        assert group in out.stdout


def test_data_sample_writes_program_render_and_ground_truth(tmp_path):
    out = _run("data", "sample", "triangle", "--seed", "2", "--out", str(tmp_path / "s"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    files = {p.name for p in (tmp_path / "s").iterdir()}
    assert {"triangle-2.asy", "triangle-2.pdf", "triangle-2.png", "triangle-2.graph.json", "triangle-2.overlay.png"} <= files
    graph = json.loads((tmp_path / "s" / "triangle-2.graph.json").read_text())
    assert any(n["kind"] == "label" for n in graph["nodes"])
    assert "coverage=" in out.stdout


def test_unknown_family_is_a_clear_error(tmp_path):
    out = _run("data", "sample", "hexagonal_prism_net", cwd=tmp_path)
    assert out.returncode == 2 and "unknown family" in out.stderr and "Traceback" not in out.stderr
