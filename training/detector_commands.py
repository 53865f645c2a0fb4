"""``img2asy train detector ...`` sub-commands: export, train (resumable), validate."""

from __future__ import annotations

import argparse
import json


def _train(a: argparse.Namespace) -> int:
    from .detector import DetectorConfig, train

    cfg = DetectorConfig.load(a.config)
    out = train(cfg, resume=a.resume, export=not a.no_export)
    print(f"weights: {out}")
    return 0


def _export(a: argparse.Namespace) -> int:
    from .detector import DetectorConfig, export_yolo

    cfg = DetectorConfig.load(a.config)
    path = export_yolo(cfg, a.sets or None)
    print(path.parent.joinpath("export.json").read_text())
    return 0


def _val(a: argparse.Namespace) -> int:
    from .detector import DetectorConfig, evaluate

    cfg = DetectorConfig.load(a.config)
    root = cfg.path(cfg.export_dir)
    weights = a.weights or cfg.path(cfg.weights_out)
    results = {}
    for name in a.sets:
        yml = root / f"eval_{name}.yaml"
        if not yml.exists():
            print(f"no export for {name} ({yml}); run `img2asy train detector-export --config {a.config}`")
            return 1
        results[name] = evaluate(weights, yml, imgsz=cfg.imgsz, device=cfg.device)
    print(json.dumps(results, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


def register(groups: dict) -> None:
    t = groups["train"].add_parser("detector", help="train the YOLO detector from a config (resumable)")
    t.add_argument("--config", default="configs/detector.yaml")
    t.add_argument("--resume", action="store_true", help="continue the run from its last.pt")
    t.add_argument("--no-export", action="store_true", help="reuse an existing YOLO export")
    t.set_defaults(fn=_train)
    e = groups["train"].add_parser("detector-export", help="write the dataset in YOLO layout")
    e.add_argument("--config", default="configs/detector.yaml")
    e.add_argument("--sets", nargs="*", help="train val test test_aug test_ood test_ood_aug (default: all)")
    e.set_defaults(fn=_export)
    v = groups["train"].add_parser("detector-val", help="mAP of the detector on exported test sets")
    v.add_argument("--config", default="configs/detector.yaml")
    v.add_argument("--weights", default=None, help="default: the config's weights_out")
    v.add_argument("--sets", nargs="*", default=["test", "test_aug"])
    v.add_argument("--json", default=None, help="also write the numbers to this file")
    v.set_defaults(fn=_val)
