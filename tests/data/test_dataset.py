"""Dataset build: determinism, leakage-free splits, stats, Parquet records, real-data ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from img2asy.data import dataset as ds
from img2asy.data.real import default_path, drop_reason, load_blocks, prepare
from img2asy.asy import AsyError, CompileResult

REAL = default_path()


@pytest.fixture(scope="module")
def real_subset(tmp_path_factory) -> Path:
    """Twelve real blocks (from the shared data) including ones that need AoPS macros."""
    if not REAL.exists():
        pytest.skip(f"real data not found at {REAL}")
    lines = REAL.read_text().splitlines()
    keep = [l for l in lines if json.loads(l)["compiles_stock"]][:8]
    keep += [l for l in lines if not json.loads(l)["compiles_with_aops_modules"]][:2]
    keep += [l for l in lines if json.loads(l)["compiles_with_aops_modules"] and not json.loads(l)["compiles_stock"]][:2]
    p = tmp_path_factory.mktemp("real") / "blocks.jsonl"
    p.write_text("\n".join(keep) + "\n")
    return p


@pytest.fixture(scope="module")
def built(tmp_path_factory, real_subset, toolchain):
    out = tmp_path_factory.mktemp("ds")
    cfg = ds.BuildConfig(out=out / "a", n_synthetic=30, seed=7, workers=2, real_path=real_subset, cache_dir=toolchain.cache_dir)
    return cfg, ds.build(cfg)


def test_stats_report_what_was_built(built):
    cfg, stats = built
    on_disk = json.loads((cfg.out / "stats.json").read_text())
    assert on_disk == stats
    assert sum(stats["families"].values()) + stats["real_items"] == stats["items_total"]
    assert stats["compile_rate"] == 1.0
    assert stats["annotation_coverage"] >= 0.98
    assert stats["real_items"] >= 8 and stats["real_blocks"] == 12  # the 8 that compile stock are kept
    assert sum(stats["real_dropped"].values()) == 12 - stats["real_items"]
    assert all(reason for reason in stats["real_dropped"])


def test_splits_do_not_leak(built):
    cfg, _ = built
    d = ds.load(cfg.out)
    assert set(d) <= set(ds.SPLITS)
    where: dict[str, set] = {}
    for split in d:
        for row in d[split].select_columns(["family", "source", "math_id", "seed", "code"]):
            if row["source"] == "math":
                where.setdefault("m:" + row["math_id"], set()).add(split)
            else:
                where.setdefault("s:" + str(row["seed"]), set()).add(split)
                assert (split == "test_ood") == (row["family"] in ds.HELD_OUT_FAMILIES)
            where.setdefault("c:" + row["code"], set()).add(split)
    assert all(len(s) == 1 for s in where.values())


def test_records_carry_image_and_ground_truth(built):
    from img2asy.scene_graph.schema import SceneGraph

    cfg, _ = built
    d = ds.load(cfg.out)
    row = d["train"][0]
    assert row["image"].size == (row["width"], row["height"])
    g = SceneGraph.from_json(row["annotation"])
    assert (g.width, g.height) == row["image"].size and g.count()
    aug = SceneGraph.from_json(row["aug_annotation"])
    assert (aug.width, aug.height) == row["aug_image"].size
    assert row["licence"]


def test_same_seed_same_dataset(built, tmp_path, toolchain, real_subset):
    cfg, stats = built
    again = ds.BuildConfig(out=tmp_path / "b", n_synthetic=30, seed=7, workers=1, real_path=real_subset, cache_dir=toolchain.cache_dir)
    stats2 = ds.build(again)
    files = sorted(p.name for p in (cfg.out / "data").glob("*.parquet"))
    assert files == sorted(p.name for p in (again.out / "data").glob("*.parquet")) and files
    for name in files:
        assert (cfg.out / "data" / name).read_bytes() == (again.out / "data" / name).read_bytes(), name
    drop = ("build_seconds", "items_per_second")
    assert {k: v for k, v in stats.items() if k not in drop} == {k: v for k, v in stats2.items() if k not in drop}


def test_empty_split_is_left_out_and_loads(tmp_path, toolchain):
    cfg = ds.BuildConfig(out=tmp_path / "tiny", n_synthetic=3, seed=1, workers=1, real=False, augment=False, cache_dir=toolchain.cache_dir)
    ds.build(cfg)
    loaded = ds.load(cfg.out)
    assert sum(len(loaded[s]) for s in loaded) == 3
    assert all(len(loaded[s]) > 0 for s in loaded)


def test_other_seed_other_items():
    a = {s.id for s in ds.synthetic_specs(20, 1)}
    b = {s.id for s in ds.synthetic_specs(20, 2)}
    assert not a & b


def test_prepare_adds_size_only_when_missing():
    assert prepare("draw((0,0)--(1,1));").startswith("size(200);")
    assert prepare("unitsize(1cm);\ndraw((0,0)--(1,1));").startswith("unitsize")
    assert prepare("defaultpen(fontsize(10));\ndraw((0,0)--(1,1));").startswith("size(200);")



def test_graph_import_is_added_only_when_that_is_the_failure(toolchain):
    from img2asy.data.real import graph_fix

    code = "size(100);\nxaxis(0,1);\ndraw((0,0)--(1,1));\n"
    res = toolchain.compile(code)
    fixed = graph_fix(code, res)
    assert fixed.startswith("import graph;\n") and toolchain.compile(fixed).ok
    other = "size(100);\nfoo(1);\n"
    assert graph_fix(other, toolchain.compile(other)) is None


def test_drop_reasons():
    fail = lambda msg: CompileResult(False, None, [AsyError(msg, 3, 1)])
    assert "olympiad" in drop_reason("import olympiad;\n", fail("could not load module 'olympiad'"))
    assert "rightanglemark" in drop_reason("draw(rightanglemark(A,B,C));", fail("no matching function 'rightanglemark(pair, pair, pair)'"))
    assert drop_reason("x", CompileResult(True, b"%PDF", [])) is None


@pytest.mark.skipif(not REAL.exists(), reason="real data not present")
def test_real_blocks_load():
    blocks = load_blocks()
    assert len(blocks) == 865 and len({b.id for b in blocks}) == 865


BOX3D = """import three;
size(120);
currentprojection = orthographic(4,3,2);
draw((0,0,0)--(1,0,0)--(1,1,0)--(0,1,0)--cycle);
draw((0,0,0)--(0,0,1));
label("$A$", (0,0,0), W); label("$B$", (1,0,0), S); label("$A$", (0,0,1), N); label("$C$", (1,1,0), -Y);
"""


def test_a_3d_figure_keeps_its_labels_as_labels(toolchain):
    # asy outlines 3D labels (filled paths); the item is rendered and annotated with them set as text
    from img2asy.data.real import flat_labels
    from img2asy.scene_graph.schema import SceneGraph

    assert flat_labels("size(100);\ndraw((0,0)--(1,1));") is None
    plain = toolchain.compile(BOX3D)
    assert plain.ok and ds.labelled_render(BOX3D, plain, toolchain) is not plain
    rec = ds.build_item(ds.ItemSpec("math-box", "math", "math", "", BOX3D, "val", 0), 150, False, toolchain)
    graph = SceneGraph.from_json(rec["annotation"])
    assert rec["code"] == BOX3D  # the item's program is left as written
    assert sorted(d["latex"] for _, d in graph.nodes("label")) == ["$A$", "$A$", "$B$", "$C$"]
    assert not list(graph.nodes("region"))  # no glyph outlines read as fills
    assert rec["coverage"] > 0.95
