"""``img2asy data ...`` sub-commands: build, sheet, families, sample."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _data_build(a: argparse.Namespace) -> int:
    from img2asy.data.dataset import BuildConfig, build

    cfg = BuildConfig(out=Path(a.out), n_synthetic=a.n_synthetic, seed=a.seed, dpi=a.dpi, workers=a.workers,
                      real=not a.no_real, augment=not a.no_augment)  # fmt: skip
    stats = build(cfg)
    keys = ("families", "compile_rate", "annotation_coverage", "real_items", "splits", "items_per_second")
    print(json.dumps({k: stats[k] for k in keys}, indent=2))
    print(f"wrote {cfg.out}/data/*.parquet, {cfg.out}/stats.json, {cfg.out}/dropped.jsonl")
    return 0


def _data_sheet(a: argparse.Namespace) -> int:
    from img2asy.data.sheet import dataset_sheet

    print(dataset_sheet(Path(a.data), Path(a.out), a.per_family, "aug_image" if a.augmented else "image"))
    return 0


def _data_families(a: argparse.Namespace) -> int:
    from img2asy.data.dataset import HELD_OUT_FAMILIES
    from img2asy.data.generators import families

    for f in families():
        print(f + ("  (held out: test_ood)" if f in HELD_OUT_FAMILIES else ""))
    return 0


def _data_sample(a: argparse.Namespace) -> int:
    """Write one family's program, render, ground truth and overlay: the quickest look at a generator."""
    from img2asy.asy import AsyDocument
    from img2asy.data.annotate import annotate
    from img2asy.data.generators import generate
    from img2asy.eval.ink import coverage
    from img2asy.scene_graph.render import draw_graph

    from img2asy.data.generators import families

    if a.family not in families():
        print(f"img2asy: unknown family {a.family!r}; see `img2asy data families`", file=sys.stderr)
        return 2
    out = Path(a.out)
    d = generate(a.family, a.seed)
    doc = AsyDocument(d.code)
    stem = out / f"{a.family}-{a.seed}"
    doc.save(stem)
    if not doc.ok:
        print(f"does not compile: {doc.errors[0]}", file=sys.stderr)
        return 1
    img = doc.rasterize(150)
    g = annotate(doc.pdf, doc.compiled.tex, 150, img.size)
    stem.with_suffix(".graph.json").write_text(json.dumps(g.to_json(), indent=1))
    draw_graph(g, img).save(stem.with_suffix(".overlay.png"))
    print(f"{stem}.{{asy,pdf,png,graph.json,overlay.png}}  coverage={coverage(img, g):.4f}")
    return 0


def _data_report(a: argparse.Namespace) -> int:
    from img2asy.data.report import stats_markdown

    print(stats_markdown(json.loads((Path(a.data) / "stats.json").read_text())), end="")
    return 0


def register(groups: dict) -> None:
    data = groups["data"]
    b = data.add_parser("build", help="build the dataset (synthetic + real), splits and stats.json")
    b.add_argument("--out", required=True)
    b.add_argument("--n-synthetic", type=int, default=200)
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--dpi", type=float, default=150)
    b.add_argument("--workers", type=int, default=2)
    b.add_argument("--no-real", action="store_true", help="skip the real MATH diagrams")
    b.add_argument("--no-augment", action="store_true", help="skip the degraded copy of each image")
    b.set_defaults(fn=_data_build)
    s = data.add_parser("sheet", help="contact sheet of a built dataset")
    s.add_argument("--data", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--per-family", type=int, default=2)
    s.add_argument("--augmented", action="store_true", help="show the degraded images")
    s.set_defaults(fn=_data_sheet)
    r = data.add_parser("report", help="markdown tables of a build's stats.json (for docs/DATA.md)")
    r.add_argument("--data", required=True)
    r.set_defaults(fn=_data_report)
    f = data.add_parser("families", help="list the synthetic families")
    f.set_defaults(fn=_data_families)
    sm = data.add_parser("sample", help="one program of a family with its render and ground truth")
    sm.add_argument("family")
    sm.add_argument("--seed", type=int, default=0)
    sm.add_argument("--out", default="samples")
    sm.set_defaults(fn=_data_sample)
