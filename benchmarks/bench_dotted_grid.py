"""Perception on dotted-line grids: seconds per image as the number of specks grows.

A dotted grid of N x N lines is thousands of one-pixel specks, the worst case for the dash
grouper (`strokes._straight_rows`), which grows rows speck by speck. Before the neighbour index
a 21 x 21 grid ran past the 120 s per-image limit. Report numbers from an otherwise idle machine.

    .venv/bin/python benchmarks/bench_dotted_grid.py --sizes 8 14 21
"""

from __future__ import annotations

import argparse
import json
import time

from img2asy.asy import Toolchain
from img2asy.perception.pipeline import Perception, PerceptionError, default_config


def grid_program(n: int) -> str:
    return (f"size(300);\nfor (int i = 0; i <= {n}; ++i) {{ draw((0,i)--({n},i), dotted); "
            f"draw((i,0)--(i,{n}), dotted); }}\ndraw((0,0)--({n},{n}));\n")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[8, 14, 21])
    args = ap.parse_args()
    tc = Toolchain.default()
    perc = Perception(default_config())
    rows = []
    for n in args.sizes:
        res = tc.compile(grid_program(n))
        img = tc.rasterize(res.pdf, 150).convert("RGB")
        if n == args.sizes[0]:
            perc.perceive(img)  # load the models outside the timing
        t0 = time.perf_counter()
        try:
            g = perc.perceive(img)
            rows.append({"lines": 2 * (n + 1), "seconds": round(time.perf_counter() - t0, 2), "nodes": g.count()})
        except PerceptionError as e:
            rows.append({"lines": 2 * (n + 1), "seconds": round(time.perf_counter() - t0, 2), "error": str(e)})
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
