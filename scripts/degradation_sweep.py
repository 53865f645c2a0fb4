"""Perception under one degradation at a time, on the real items of a split.

The dataset's degraded copies mix several degradations per image (dpi, JPEG, blur, noise,
rotation, paper), so their table cannot say which one hurts. This renders each real item
again under each single degradation (``data.augment.degrade``, ground truth mapped the same
way) and scores perception with the project's matcher (``eval.perception.compare``).

    .venv/bin/python scripts/degradation_sweep.py --data DATASET --split val [--only clean,jpeg40] [--json F]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp

VARIANTS: dict[str, dict] = {
    "clean": {}, "dpi72": {"dpi": 72}, "dpi96": {"dpi": 96}, "dpi200": {"dpi": 200}, "dpi300": {"dpi": 300},
    "no_antialias": {"antialias": False}, "jpeg80": {"jpeg_quality": 80}, "jpeg60": {"jpeg_quality": 60},
    "jpeg40": {"jpeg_quality": 40}, "rotate1.5": {"rotate": 1.5}, "paper": {"paper": (245, 245, 238)},
    "noise6": {"noise": 6.0}, "blur0.7": {"blur": 0.7},
}  # fmt: skip
KINDS = ("point", "segment", "circle", "label")


def _score(args: tuple[str, str, list[str]]) -> dict[str, dict]:
    code, annotation, names = args
    from img2asy.asy import Toolchain
    from img2asy.data.augment import Degradation, degrade
    from img2asy.eval.perception import compare
    from img2asy.perception.pipeline import PerceptionError, perceive
    from img2asy.scene_graph.schema import SceneGraph

    tc = Toolchain.default()
    pdf, truth = tc.compile(code).pdf, SceneGraph.from_json(annotation)
    out = {}
    for name in names:
        img, gt = degrade(pdf, truth, Degradation(**VARIANTS[name]), tc, seed=1)
        try:
            sc = compare(gt, perceive(img))
        except PerceptionError:
            sc = compare(gt, SceneGraph(gt.width, gt.height, gt.dpi))
        out[name] = {"counts": sc.counts, "exact": sc.labels_exact}
    return out


def summarise(results: list[dict[str, dict]], names: list[str]) -> dict[str, dict[str, float]]:
    """F1 per kind (pooled over images) and label exact match, per variant."""
    table = {}
    for name in names:
        row = {}
        for kind in KINDS:
            tp = sum(r[name]["counts"][kind][0] for r in results)
            n = sum(r[name]["counts"][kind][1] + r[name]["counts"][kind][2] for r in results)
            row[kind] = round(2 * tp / n, 3) if n else None
        n_true = sum(r[name]["counts"]["label"][2] for r in results)
        row["label_exact"] = round(sum(r[name]["exact"] for r in results) / n_true, 3) if n_true else None
        table[name] = row
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", default="val")
    ap.add_argument("--only", help="comma-separated variants (default: all)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json")
    a = ap.parse_args()
    import pandas as pd
    from tqdm import tqdm

    names = a.only.split(",") if a.only else list(VARIANTS)
    df = pd.read_parquet(f"{a.data}/data/{a.split}.parquet", columns=["source", "code", "annotation"])
    df = df[df.source == "math"]
    jobs = [(r.code, r.annotation, names) for r in df.itertuples()]
    with mp.Pool(a.jobs) as pool:
        results = list(tqdm(pool.imap(_score, jobs), total=len(jobs), desc=f"{a.split} x {len(names)} variants"))
    table = summarise(results, names)
    print(f"| variant | images | {' | '.join(k + ' F1' for k in KINDS)} | label exact |")
    print("|---|---|" + "---|" * (len(KINDS) + 1))
    for name, row in table.items():
        cells = " | ".join("-" if row[k] is None else f"{row[k]:.3f}" for k in (*KINDS, "label_exact"))
        print(f"| {name} | {len(results)} | {cells} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"split": a.split, "table": table, "items": results}, f)


if __name__ == "__main__":
    main()
