"""``img2asy eval perception``: perception metrics on a dataset split (see :mod:`.perception`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _eval_perception(a: argparse.Namespace) -> int:
    import dataclasses

    from img2asy.perception.pipeline import Perceiver, default_config

    from .perception import evaluate

    cfg = Perceiver.from_yaml(a.config) if a.config else default_config()
    if a.no_ocr:
        cfg = dataclasses.replace(cfg, ocr=False)
    summary, records = evaluate(a.data, a.split, a.limit, a.degraded, cfg, source=None if a.source == "all" else a.source,
                                per_family=a.per_family)
    print(json.dumps({k: v for k, v in summary.items() if k != "by_family"}, indent=2))
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps({"summary": summary, "items": records}, indent=1))
        print(f"wrote {a.json}")
    return 0


def _perception_table(a: argparse.Namespace) -> int:
    from .perception import markdown_table

    summaries = [json.loads(Path(f).read_text())["summary"] for f in a.files]
    print(markdown_table(summaries), end="")
    return 0


def register(groups: dict) -> None:
    p = groups["eval"].add_parser("perception", help="per-type P/R/F1, point error, label match and ink explained")
    p.add_argument("--data", required=True, help="a built dataset folder (img2asy data build --out ...)")
    p.add_argument("--split", default="val", choices=["train", "val", "test", "test_ood"])
    p.add_argument("--limit", type=int, default=None, help="at most this many items")
    p.add_argument("--per-family", type=int, default=None, help="at most this many items of each family (real items: one family)")
    p.add_argument("--degraded", action="store_true", help="use the degraded copies (aug_image / aug_annotation)")
    p.add_argument("--source", default="all", choices=["all", "math", "synthetic"], help="which items")
    p.add_argument("--config", default=None, help="perception settings (default: configs/perception.yaml)")
    p.add_argument("--no-ocr", action="store_true", help="skip OCR (label boxes still scored; LaTeX match is then 0)")
    p.add_argument("--json", default=None, help="write the summary and per-item counts here")
    p.set_defaults(fn=_eval_perception)

    t = groups["eval"].add_parser("perception-table", help="markdown table of `eval perception --json` files")
    t.add_argument("files", nargs="+", help="JSON files written by img2asy eval perception --json")
    t.set_defaults(fn=_perception_table)
