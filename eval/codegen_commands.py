"""``img2asy eval codegen``: codegen metrics on a dataset split."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _eval_codegen(a: argparse.Namespace) -> int:
    from img2asy.codegen.repair import RepairConfig

    from .codegen_eval import EvalConfig, evaluate

    cfg = EvalConfig(data=Path(a.data), split=a.split, codegen=a.codegen, limit=a.limit, input=a.input,
                     source=a.source, repair=RepairConfig(rounds=a.repair_rounds, k=a.best_of, score_final=False))  # fmt: skip
    report = evaluate(cfg)
    print(json.dumps(report["summary"], indent=2))
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(report, indent=1))
        print(f"wrote {a.json}")
    return 0


def _eval_codegen_table(a: argparse.Namespace) -> int:
    from .backend_table import TableConfig, markdown, rescore, run_table

    cfg = TableConfig.load(a.config, data=a.data, limit=a.limit, out=a.out)
    if not cfg.data:
        raise SystemExit("no dataset: give --data DIR or set data: in the config")
    recs = rescore(cfg) if a.rescore else run_table(cfg)
    table = markdown(recs)
    print(table)
    path = Path(cfg.out) / "table.md"
    path.write_text(table)
    print(f"wrote {path}")
    return 0


def register(groups: dict) -> None:
    from img2asy.codegen.registry import add_codegen_argument

    p = groups["eval"].add_parser("codegen", help="stroke F1, label F1, length ratio and compile rates of a codegen backend")
    p.add_argument("--data", required=True, help="a built dataset folder (img2asy data build --out ...)")
    p.add_argument("--split", default="val", choices=["train", "val", "test", "test_ood"])
    add_codegen_argument(p)
    p.add_argument("--limit", type=int, default=None, help="at most this many items")
    p.add_argument("--json", default=None, help="write the summary and per-item scores here")
    p.add_argument("--input", default="gt", choices=["gt", "perception"],
                   help="scene graphs from the ground truth (codegen alone) or from perception (end to end)")
    p.add_argument("--source", default="math", choices=["math", "synthetic", "all"], help="which items (default: real)")
    p.add_argument("--repair-rounds", type=int, default=2)
    p.add_argument("--best-of", type=int, default=4)
    p.set_defaults(fn=_eval_codegen)

    t = groups["eval"].add_parser("codegen-table", help="the backends table: each backend with and without repair, per split")
    t.add_argument("--config", default="configs/backend_table.yaml", help="backends, splits, limit, repair settings")
    t.add_argument("--data", default=None, help="a built dataset folder (overrides the config's data:)")
    t.add_argument("--limit", type=int, default=None, help="items per split (overrides the config)")
    t.add_argument("--out", default=None, help="results folder (overrides the config's out:); finished parts are not rerun")
    t.add_argument("--rescore", action="store_true", help="score the saved programs again with the current metrics (no generation)")
    t.set_defaults(fn=_eval_codegen_table)
