"""Dataset-build throughput: synthetic items per second on this machine (cold cache).

    .venv/bin/python benchmarks/bench_data.py [--n 200] [--workers 2] [--no-augment]

Prints items/s and the projected time for 10,000 items (target: under an hour on 2 cores).
Uses a fresh, empty compile cache so every item is really compiled and rendered.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from img2asy.data.dataset import BuildConfig, run_items, synthetic_specs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--no-augment", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = BuildConfig(out=Path(tmp), workers=a.workers, augment=not a.no_augment, cache_dir=Path(tmp) / "cache")
        specs = synthetic_specs(a.n, a.seed)
        t0 = time.perf_counter()
        recs = run_items(specs, cfg, desc="bench")
        dt = time.perf_counter() - t0
    ok = sum(r["compiled"] for r in recs)
    rate = len(recs) / dt
    print(json.dumps({
        "items": len(recs), "compiled": ok, "workers": a.workers, "augment": not a.no_augment,
        "seconds": round(dt, 1), "items_per_second": round(rate, 3),
        "projected_minutes_for_10000": round(10000 / rate / 60, 1),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
