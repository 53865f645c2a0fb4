"""Codegen speed: seconds per image (median) and tokens/s for model backends, cold compile cache.

    .venv/bin/python benchmarks/bench_codegen.py --data DIR [--split val] [--limit 20] [--codegen rule]
    .venv/bin/python benchmarks/bench_codegen.py --synthetic 20 [--codegen SPEC]

Graphs are ground truth (real items of a built dataset split, or freshly generated synthetic
ones), so only codegen is timed: generation, compiling, repair / best-of-K when needed and
the final render. Each run uses an empty compile cache, so every program is really compiled.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from img2asy.asy import Toolchain
from img2asy.codegen.registry import make_backend
from img2asy.codegen.repair import RepairConfig, generate_verified
from img2asy.scene_graph.schema import SceneGraph


def _graphs_from_data(data: Path, split: str, limit: int) -> list[tuple[str, SceneGraph]]:
    from img2asy.eval.codegen_eval import EvalConfig, load_items

    rows = load_items(EvalConfig(data=data, split=split, limit=limit))
    return [(r["id"], SceneGraph.from_json(r["annotation"])) for r in rows]


def _graphs_synthetic(n: int, toolchain: Toolchain) -> list[tuple[str, SceneGraph]]:
    from img2asy.data.annotate import annotate
    from img2asy.data.generators import families, generate

    fams = families()
    out = []
    for i in range(n):
        d = generate(fams[i % len(fams)], 10_000 + i)
        res = toolchain.compile(d.code)
        img = toolchain.rasterize(res.pdf, 150)
        out.append((f"{d.family}-{d.seed}", annotate(res.pdf, res.tex, 150, img.size)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=None, help="built dataset (real items of --split)")
    ap.add_argument("--split", default="val")
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--synthetic", type=int, default=0, help="use this many generated graphs instead of --data")
    ap.add_argument("--codegen", default="rule")
    a = ap.parse_args()
    if a.data is None and not a.synthetic:
        ap.error("give --data DIR or --synthetic N")
    with tempfile.TemporaryDirectory() as tmp:
        prep = Toolchain(cache_dir=Path(tmp) / "prep")
        graphs = _graphs_synthetic(a.synthetic, prep) if a.synthetic else _graphs_from_data(a.data, a.split, a.limit)
        tc = Toolchain(cache_dir=Path(tmp) / "cold")  # empty: every program compiles for real
        backend = make_backend(a.codegen)
        per_image, stages = [], {}
        t_all = time.perf_counter()
        for _, g in graphs:
            t0 = time.perf_counter()
            res = generate_verified(backend, g, tc, None, RepairConfig(score_final=False))
            if res.compiled:
                tc.rasterize(res.compile_result.pdf, 150)
            per_image.append(time.perf_counter() - t0)
            stages[res.stage] = stages.get(res.stage, 0) + 1
        total = time.perf_counter() - t_all
        backend.close()
    u = backend.usage
    print(json.dumps({
        "codegen": a.codegen, "images": len(per_image),
        "seconds_per_image_median": round(statistics.median(per_image), 3) if per_image else None,
        "seconds_per_image_p90": round(sorted(per_image)[int(0.9 * (len(per_image) - 1))], 3) if per_image else None,
        "seconds_total": round(total, 1), "stages": stages,
        "generation_seconds": round(u.seconds, 2), "completion_tokens": u.completion_tokens,
        "tokens_per_second": round(u.tokens_per_second, 1) if u.tokens_per_second else None,
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
