"""``img2asy run INPUT... --out DIR``: images to Asymptote, end to end."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _run(a: argparse.Namespace) -> int:
    from .pipeline import RunConfig, run, summary
    from .registry import parse_spec
    from .repair import RepairConfig

    try:
        parse_spec(a.codegen)
    except ValueError as e:
        print(f"error: {e}")
        return 2
    cfg = RunConfig(out=Path(a.out), codegen=a.codegen, jobs=a.jobs, force=a.force,
                    repair=RepairConfig(rounds=a.repair_rounds, k=a.best_of, always_sample=a.always_sample))  # fmt: skip
    rows = run(a.inputs, cfg)
    print(json.dumps(summary(rows)))
    for r in rows:
        if r.status == "error":
            print(f"  {r.input}: {r.error}")
    print(f"wrote {cfg.out}/<stem>.{{asy,png,graph.json}} and {cfg.out}/results.csv")
    return 0 if rows and all(r.status != "error" for r in rows) else 1


def register(groups: dict) -> None:
    from .registry import add_codegen_argument

    p = groups["root"].add_parser("run", help="images (PNG/JPEG/WebP/PDF) to Asymptote programs")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files, folders or globs")
    p.add_argument("--out", required=True, help="output folder")
    add_codegen_argument(p)
    p.add_argument("--jobs", type=int, default=1, help="worker processes (each loads its own models)")
    p.add_argument("--force", action="store_true", help="redo images that already have outputs")
    p.add_argument("--repair-rounds", type=int, default=2, help="repair rounds after a program fails to compile")
    p.add_argument("--best-of", type=int, default=4, help="samples for best-of-K when repair fails (0: off)")
    p.add_argument("--always-sample", action="store_true", help="best-of-K even when the first program compiles")
    p.set_defaults(fn=_run)
