"""The Asymptote toolchain against the real asy and gs: compile, errors, safety, rasters, cache."""

from __future__ import annotations

import numpy as np
import pytest

from img2asy.asy import AsyDocument, Toolchain, parse_errors

FIGURE = r"""size(100);
pair A=(0,0), B=(2,0), C=(0,1);
draw(A--B--C--cycle);
label("$A$", A, SW);
"""


def _ink(img) -> int:
    return int((np.asarray(img.convert("L")) < 128).sum())


def test_compile_and_rasterise(toolchain):
    res = toolchain.compile(FIGURE)
    assert res.ok and res.pdf.startswith(b"%PDF")
    assert "$A$" in res.tex
    img = toolchain.rasterize(res.pdf, 150)
    low = toolchain.rasterize(res.pdf, 75)
    assert abs(img.width - 2 * low.width) <= 2
    assert _ink(img) > 100


def test_strokes_and_text_modes_split_the_ink(toolchain):
    res = toolchain.compile(FIGURE)
    full, strokes, text = (toolchain.rasterize(res.pdf, 150, m) for m in ("all", "strokes", "text"))
    assert 0 < _ink(strokes) < _ink(full) and 0 < _ink(text) < _ink(full)
    assert _ink(strokes) + _ink(text) >= 0.9 * _ink(full)


def test_syntax_error_is_structured(toolchain):
    res = toolchain.compile("size(100);\ndraw((0,0)--(1,1);\n")
    assert not res.ok and res.pdf is None
    err = res.errors[0]
    assert (err.line, err.message) == (2, "syntax error")
    assert err.column > 1 and err.source_line == "draw((0,0)--(1,1);"


def test_unknown_function_names_the_line(toolchain):
    res = toolchain.compile("draw((0,0)--(1,1));\nrightanglemark((0,0),(1,0),(1,1));\n")
    assert not res.ok
    assert res.errors[0].line == 2 and "rightanglemark" in res.errors[0].message


def test_missing_module_is_reported(toolchain):
    res = toolchain.compile("import olympiad;\ndraw((0,0)--(1,1));\n")
    assert not res.ok and "olympiad" in res.errors[0].message


def test_tex_error_is_reported(toolchain):
    res = toolchain.compile('label("$\\frac{1$", (0,0));\n')
    assert not res.ok and res.errors[0].message.startswith("LaTeX error")


def test_infinite_loop_times_out(tmp_path):
    tc = Toolchain(cache_dir=tmp_path, timeout=3)
    res = tc.compile("while(true) {}\n")
    assert not res.ok and res.timed_out
    assert "timed out" in res.errors[0].message
    assert res.seconds < 10


def test_memory_cap_stops_a_hog(tmp_path):
    tc = Toolchain(cache_dir=tmp_path, timeout=20, memory_mb=1024)
    res = tc.compile("real[] a = array(400000000, 1.0);\ndraw((0,0)--(1,1));\n")
    assert not res.ok


def test_cannot_write_outside_its_directory(toolchain, tmp_path):
    target = tmp_path / "pwned.txt"
    res = toolchain.compile(f'file f = output("{target}");\nwrite(f, "x");\ndraw((0,0)--(1,1));\n')
    assert not res.ok and not target.exists()
    assert "globalwrite" in res.errors[0].message or "disabled" in res.errors[0].message


def test_system_call_is_disabled(toolchain, tmp_path):
    target = tmp_path / "touched"
    res = toolchain.compile(f'system("touch {target}");\ndraw((0,0)--(1,1));\n')
    assert not res.ok and not target.exists()
    assert "system" in res.errors[0].message


def test_cache_returns_the_same_result(tmp_path):
    tc = Toolchain(cache_dir=tmp_path)
    first = tc.compile(FIGURE)
    second = tc.compile(FIGURE)
    assert not first.cached and second.cached and first.pdf == second.pdf
    bad1, bad2 = tc.compile("draw(;"), tc.compile("draw(;")
    assert bad2.cached and bad1.errors == bad2.errors


def test_rendering_is_deterministic(tmp_path):
    a = Toolchain(cache_dir=None)
    r1, r2 = a.compile(FIGURE), a.compile(FIGURE)
    i1, i2 = a.rasterize(r1.pdf, 120), a.rasterize(r2.pdf, 120)
    assert np.array_equal(np.asarray(i1), np.asarray(i2))


def test_document_owns_compile_render_save(toolchain, tmp_path):
    doc = AsyDocument(FIGURE, toolchain)
    written = doc.save(tmp_path / "fig")
    assert {p.suffix for p in written} == {".asy", ".pdf", ".png"}
    assert doc.rasterize(150) is doc.rasterize(150)  # cached on the document
    bad = AsyDocument("draw(;", toolchain)
    assert not bad.ok and [p.suffix for p in bad.save(tmp_path / "bad")] == [".asy"]
    with pytest.raises(ValueError):
        bad.rasterize()


def test_parse_errors_from_library_module():
    log = "/usr/share/asymptote/plain_strings.asy: 135.3: system() call disabled\n"
    (err,) = parse_errors(log, "system('x');")
    assert err.line is None and "system() call disabled" in err.message
