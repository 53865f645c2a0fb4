"""Perception speed: median seconds per image (and the stage breakdown) on a dataset split.

Models are loaded once before timing; each image is timed end to end (load + validate,
blobs, text boxes, vectorisation, OCR, assembly). Report numbers from an otherwise idle
machine: on a shared 2-core box they vary with the load.

    .venv/bin/python benchmarks/bench_perception.py --data /work/datasets/v0 --split test --limit 40
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from tqdm import tqdm

from img2asy.data.dataset import load
from img2asy.perception.pipeline import Perception, PerceptionError, Timing, default_config


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--degraded", action="store_true")
    args = ap.parse_args()
    rows = load(args.data)[args.split]
    rows = rows.select(range(min(args.limit, len(rows))))
    perc = Perception(default_config())
    key = "aug_image" if args.degraded else "image"
    perc.perceive(rows[0][key].convert("RGB"))  # load the models outside the timing
    perc.timing = Timing()
    secs, failed = [], 0
    for row in tqdm(rows, desc="timing"):
        img = row[key].convert("RGB")
        t0 = time.perf_counter()
        try:
            perc.perceive(img)
        except PerceptionError:
            failed += 1
            continue
        secs.append(time.perf_counter() - t0)
    n = max(1, len(secs))
    print(json.dumps({
        "split": args.split, "degraded": args.degraded, "images": len(secs), "failed": failed,
        "median_s": round(statistics.median(secs), 3) if secs else None,
        "mean_s": round(statistics.fmean(secs), 3) if secs else None,
        "p90_s": round(sorted(secs)[int(0.9 * (len(secs) - 1))], 3) if secs else None,
        "stage_mean_s": {k: round(v / n, 3) for k, v in vars(perc.timing).items()},
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
