"""``img2asy run``: a batch with good and bad inputs, outputs, results.csv, skipping and --force.

Most cases take graphs from the ground truth of the rendered programs (the perception
loader still decodes and validates every file); one runs the real perception stage end to
end through the CLI on a PNG and a PDF.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from img2asy.codegen.pipeline import RunConfig, assign_stems, collect_inputs, run
from img2asy.data.annotate import annotate

TRIANGLE = """size(150);
pair A=(0,0), B=(4,0), C=(1,3);
draw(A--B--C--cycle);
label("$A$", A, SW); label("$B$", B, SE); label("$C$", C, N);
"""
SQUARE = "size(120);\ndraw(box((0,0),(2,2)));\ndraw((0,0)--(2,2), dashed);\ndot((1,1));\n"


class GroundTruth:
    """A graph source: the perception loader for decoding, the PDF ground truth for the graph."""

    def __init__(self, graphs: dict):
        self.graphs = graphs

    def __call__(self, path: Path):
        from img2asy.perception.image import load_image

        loaded = load_image(path)
        return loaded.image, self.graphs[path.stem]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, toolchain):
    d = tmp_path_factory.mktemp("inputs")
    graphs = {}
    for name, code in (("triangle", TRIANGLE), ("square", SQUARE)):
        res = toolchain.compile(code)
        img = toolchain.rasterize(res.pdf, 150)
        img.save(d / f"{name}.png")
        graphs[name] = annotate(res.pdf, res.tex, 150, img.size)
    (d / "sub").mkdir()
    toolchain.rasterize(toolchain.compile(SQUARE).pdf, 150).save(d / "sub" / "copy.webp", lossless=True)
    graphs["copy"] = graphs["square"]
    (d / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    (d / "empty.jpg").write_bytes(b"")
    (d / "notes.txt").write_text("not an image")
    return d, graphs


def _rows(out: Path) -> dict[str, dict]:
    with open(out / "results.csv", newline="") as f:
        return {r["stem"]: r for r in csv.DictReader(f)}


def test_inputs_and_stems(inputs):
    d, _ = inputs
    found = collect_inputs([str(d), str(d / "*.png"), str(d / "missing.png")])
    names = [p.name for p in found]
    assert names[:5] == ["corrupt.png", "empty.jpg", "square.png", "copy.webp", "triangle.png"]  # sorted paths
    assert "notes.txt" not in names and names[-1] == "missing.png" and len(names) == len(set(names))
    assert assign_stems([Path("a/x.png"), Path("b/x.png"), Path("y.pdf")]) == ["x", "x-2", "y"]


def test_batch_with_bad_inputs_goes_on(inputs, tmp_path, toolchain):
    d, graphs = inputs
    cfg = RunConfig(out=tmp_path / "out")
    rows = run([str(d), str(d / "missing.png")], cfg, GroundTruth(graphs), toolchain, progress=False)
    by = {r.stem: r for r in rows}
    assert {s for s, r in by.items() if r.status == "ok"} == {"triangle", "square", "copy"}
    for stem in ("triangle", "square", "copy"):
        assert by[stem].compiled and by[stem].stage == "model" and by[stem].stroke_f1 > 0.9
        for ext in (".asy", ".png", ".graph.json"):
            assert (cfg.out / f"{stem}{ext}").stat().st_size > 0
    assert by["corrupt"].status == "error" and any(w in by["corrupt"].error.lower() for w in ("corrupt", "truncated"))
    assert "empty" in by["empty"].error and "no such file" in by["missing"].error
    assert 'label("$A$", A, SW);' in (cfg.out / "triangle.asy").read_text()
    csv_rows = _rows(cfg.out)
    assert set(csv_rows) == set(by) and csv_rows["triangle"]["stage"] == "model"
    assert float(csv_rows["triangle"]["seconds_codegen"]) > 0 and csv_rows["corrupt"]["error"]

    again = run([str(d)], cfg, GroundTruth(graphs), toolchain, progress=False)  # done images are skipped
    assert {r.stem: r.status for r in again if r.stem in ("triangle", "square")} == {"triangle": "skipped", "square": "skipped"}
    assert next(r for r in again if r.stem == "triangle").stage == "model"  # the earlier row is kept
    forced = run([str(d / "triangle.png")], RunConfig(out=cfg.out, force=True), GroundTruth(graphs), toolchain, progress=False)
    assert forced[0].status == "ok"


def test_cli_end_to_end_with_perception(inputs, tmp_path, toolchain):
    """The real perception stage on a PNG and on a PDF (first page), through the CLI."""
    from img2asy.cli import main

    d, _ = inputs
    (tmp_path / "fig.pdf").write_bytes(toolchain.compile(TRIANGLE).pdf)
    out = tmp_path / "out"
    rc = main(["run", str(d / "square.png"), str(tmp_path / "fig.pdf"), str(d / "corrupt.png"), "--out", str(out)])
    assert rc == 1  # one input was bad
    rows = _rows(out)
    assert rows["square"]["status"] == "ok" and rows["fig"]["status"] == "ok" and rows["corrupt"]["status"] == "error"
    assert float(rows["fig"]["stroke_f1"]) > 0.8
    assert toolchain.compile((out / "fig.asy").read_text()).ok and (out / "fig.png").exists()
