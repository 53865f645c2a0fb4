"""OCR -> LaTeX exact match on a dataset split's ground-truth text boxes.

Every label of the ground truth is cut from the image at its annotated box, read by
:class:`~img2asy.perception.ocr.Recognizer` and turned into LaTeX; a label counts as right
when ``normalize_latex`` of the result equals that of the annotation's ``latex``. Runs on
the clean render and on the degraded copy (other dpi, JPEG, blur, noise, rotation).
``near_point`` comes from the ground truth's ``labels`` edges (the pipeline gets it from
its own graph).

    .venv/bin/python benchmarks/bench_ocr.py --data /work/datasets/v0 --split test
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict

from tqdm import tqdm

from img2asy.data.dataset import load
from img2asy.perception.latex import normalize_latex
from img2asy.perception.ocr import Recognizer
from img2asy.scene_graph.schema import SceneGraph


def score_item(rec: Recognizer, image, annotation: str) -> list[tuple[str, str, str, bool]]:
    """(truth, ocr text, predicted latex, right) for every label of one image."""
    g = SceneGraph.from_json(annotation)
    out = []
    for n, d in g.nodes("label"):
        if not str(d.get("text", "")).strip():
            continue
        near = any(g.g.edges[n, v].get("rel") == "labels" for v in g.g.successors(n))
        try:
            r = rec.read_label(image, d["bbox"], near_point=near)
            text, latex = r.text, r.latex
        except ValueError:
            text, latex = "", ""
        out.append((d["latex"], text, latex, normalize_latex(latex) == normalize_latex(d["latex"])))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="/work/datasets/v0")
    ap.add_argument("--split", default="test")
    ap.add_argument("--source", default="synthetic", help="synthetic | math | all")
    ap.add_argument("--max-items", type=int, default=0)
    ap.add_argument("--show", type=int, default=15, help="print this many of the commonest errors")
    ap.add_argument("--json", default=None, help="also write the numbers here")
    a = ap.parse_args()
    ds = load(a.data)[a.split]
    if a.source != "all":
        ds = ds.filter(lambda s: s == a.source, input_columns="source", load_from_cache_file=False)
    if a.max_items and a.max_items < len(ds):  # a seeded random subset: items are sorted by family
        ds = ds.shuffle(seed=0).select(range(a.max_items))
    rec = Recognizer()
    results: dict[str, dict] = {}
    errors: dict[str, Counter] = {}
    for variant, img_col, ann_col in (("clean", "image", "annotation"), ("degraded", "aug_image", "aug_annotation")):
        rows, fam_hits, t0 = [], defaultdict(list), time.perf_counter()
        for item in tqdm(ds, desc=variant):
            if item.get(img_col) is None:
                continue
            scored = score_item(rec, item[img_col], item[ann_col])
            rows += scored
            fam_hits[item["family"]] += [s[3] for s in scored]
        secs = time.perf_counter() - t0
        n = len(rows)
        results[variant] = {
            "labels": n,
            "exact_match": round(sum(r[3] for r in rows) / max(n, 1), 4),
            "ms_per_label": round(1000 * secs / max(n, 1), 1),
            "by_family": {f: round(sum(h) / len(h), 3) for f, h in sorted(fam_hits.items()) if h},
        }
        errors[variant] = Counter((r[0], r[2]) for r in rows if not r[3])
    print(json.dumps({"data": a.data, "split": a.split, "source": a.source, "items": len(ds)} | results, indent=2))
    for variant, c in errors.items():
        print(f"\ncommonest {variant} errors (truth -> predicted):")
        for (truth, pred), k in c.most_common(a.show):
            print(f"  {k:4d}  {truth!r} -> {pred!r}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
