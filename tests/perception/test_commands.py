"""``img2asy graph``: files per image, and a bad image reported without stopping the batch."""

from __future__ import annotations

import json
from pathlib import Path

from img2asy.cli import main
from img2asy.scene_graph.schema import SceneGraph


def test_graph_command_writes_outputs_and_survives_bad_input(toolchain, tmp_path: Path, capsys):
    res = toolchain.compile('unitsize(1cm); draw((0,0)--(3,0)--(1,2)--cycle); label("$A$", (0,0), SW);')
    good = tmp_path / "tri.png"
    toolchain.rasterize(res.pdf, 150).save(good)
    pdf = tmp_path / "tri2.pdf"
    pdf.write_bytes(res.pdf)
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    out = tmp_path / "out"
    rc = main(["graph", str(good), str(bad), str(pdf), "--out", str(out), "--no-ocr"])
    assert rc == 1  # one image failed
    err = capsys.readouterr().err
    assert "broken.png" in err and "error" in err
    for stem in ("tri", "tri2"):
        g = SceneGraph.from_json(json.loads((out / f"{stem}.graph.json").read_text()))
        assert g.count().get("polyline", 0) + g.count().get("segment", 0) >= 1
        assert (out / f"{stem}.graph.txt").read_text().startswith("scene ")
        assert (out / f"{stem}.overlay.png").stat().st_size > 0
    assert not list(out.glob("broken*"))
