"""Training the YOLO detector on the built dataset.

The detector learns boxes derived from the ground-truth scene graphs (see
:func:`boxes_from_graph`), on both the clean render and the degraded copy of each item,
so it sees several dpis, JPEG artefacts, blur, noise and small rotations.

Steps: :func:`export_yolo` writes the dataset in YOLO layout (``images/<set>``,
``labels/<set>``, ``data.yaml``), :func:`train` runs ultralytics from a model YAML with no
pretrained weights (nothing is downloaded) and copies ``best.pt`` to the shipped location,
:func:`evaluate` runs ultralytics' validator on an exported set. Training is resumable from
``last.pt`` and the device comes from the config (``auto``: the GPU when there is one).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable

import yaml
from tqdm import tqdm

from img2asy.perception.detector import DETECTOR_CLASSES, MIN_BOX_PT, REPO_ROOT, _device, yolo_env
from img2asy.scene_graph.schema import SceneGraph

Box = tuple[int, float, float, float, float]  # class index, x0, y0, x1, y1 (px)
EVAL_SETS = ("test", "test_aug", "test_ood", "test_ood_aug")


@dataclass
class DetectorConfig:
    """Everything one training run needs (loaded from ``configs/detector.yaml``)."""

    data: str = "/work/datasets/v0"  # a built dataset (img2asy data build)
    export_dir: str = "runs/detector/yolo_data"
    project: str = "runs/detector"
    name: str = "train"
    model: str = "yolo11n.yaml"  # an ultralytics model YAML: trained from scratch
    scale: list[float] | None = None  # [depth, width, max_channels] replacing the YAML's scale (smaller CPU models)
    init_weights: str | None = None  # start from these weights (an earlier run of ours) instead of random
    weights_out: str = "models/detector/best.pt"
    sources: list[str] = field(default_factory=lambda: ["synthetic", "math"])
    max_train: int = 0  # items (each gives a clean and a degraded image); 0 = all
    max_val: int = 0
    max_test: int = 0
    degraded: bool = True  # also use each item's degraded copy
    imgsz: int = 640
    epochs: int = 100
    time: float | None = None  # hours; overrides epochs (ultralytics adapts the schedule)
    batch: int = 16
    workers: int = 2
    device: str = "auto"
    seed: int = 0
    patience: int = 50
    hyp: dict[str, Any] = field(default_factory=dict)  # extra ultralytics train arguments

    @classmethod
    def load(cls, path: str | Path) -> "DetectorConfig":
        raw = yaml.safe_load(Path(path).read_text()) or {}
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"{path}: unknown keys {sorted(unknown)}")
        return cls(**raw)

    def path(self, p: str) -> Path:
        """Relative paths in the config are relative to the repository root."""
        q = Path(p)
        return q if q.is_absolute() else REPO_ROOT / q


# ------------------------------------------------------------------ ground truth -> boxes
def _bbox(pts: Iterable[Iterable[float]], pad: float = 0.0) -> tuple[float, float, float, float]:
    pts = list(pts)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad


def _at_least(box: tuple[float, float, float, float], side: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = max(x1 - x0, side), max(y1 - y0, side)
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def boxes_from_graph(graph: SceneGraph) -> list[Box]:
    """Detector targets for one annotated image, clipped to it; see DETECTOR_CLASSES."""
    cid = {c: i for i, c in enumerate(DETECTOR_CLASSES)}
    min_side = MIN_BOX_PT * (graph.dpi or 150) / 72.0
    out: list[Box] = []
    for _, d in graph.nodes():
        kind = d["kind"]
        if kind == "label":
            if not str(d.get("text", "")).strip():
                continue
            cls, box = "text", tuple(d["bbox"])
        elif kind == "point" and d.get("dot"):
            r = float(d.get("radius") or 1.0)
            x, y = d["xy"]
            cls, box = "dot", (x - r, y - r, x + r, y + r)
        elif kind == "arrowhead":
            cls, box = "arrowhead", _bbox(d["pts"])
        elif kind == "mark" and d.get("type") in cid:
            cls, box = d["type"], _bbox(d["pts"], float(d.get("width", 1.0)) / 2)
        else:
            continue
        x0, y0, x1, y1 = _at_least(box, min_side)
        x0, y0 = max(0.0, x0), max(0.0, y0)
        x1, y1 = min(float(graph.width), x1), min(float(graph.height), y1)
        if x1 - x0 >= 1 and y1 - y0 >= 1:
            out.append((cid[cls], x0, y0, x1, y1))
    return out


def yolo_lines(boxes: list[Box], width: int, height: int) -> list[str]:
    """YOLO label lines: ``class cx cy w h`` normalised to the image size."""
    return [
        f"{c} {(x0 + x1) / 2 / width:.6f} {(y0 + y1) / 2 / height:.6f} {(x1 - x0) / width:.6f} {(y1 - y0) / height:.6f}"
        for c, x0, y0, x1, y1 in boxes
    ]


# ------------------------------------------------------------------ export
def _write_item(img, graph_json: str, stem: str, img_dir: Path, lab_dir: Path) -> int:
    graph = SceneGraph.from_json(graph_json)
    img = img.convert("RGB")
    if (img.width, img.height) != (graph.width, graph.height):
        raise ValueError(f"{stem}: image {img.size} does not match its annotation {(graph.width, graph.height)}")
    img.save(img_dir / f"{stem}.png")
    boxes = boxes_from_graph(graph)
    (lab_dir / f"{stem}.txt").write_text("\n".join(yolo_lines(boxes, img.width, img.height)) + ("\n" if boxes else ""))
    return len(boxes)


def _subset(ds, sources: list[str], limit: int, seed: int):
    ds = ds.filter(lambda src: src in sources, input_columns="source", load_from_cache_file=False)
    if limit and len(ds) > limit:
        ds = ds.shuffle(seed=seed).select(range(limit))
    return ds


def load_splits(root: str | Path) -> dict:
    """The built dataset's non-empty splits as ``datasets.Dataset`` objects (a small build may
    leave a split empty, which ``datasets.load_dataset`` refuses)."""
    import pyarrow.parquet as pq
    from datasets import Dataset

    files = sorted((Path(root) / "data").glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"no dataset at {root} (expected {root}/data/*.parquet; run img2asy data build)")
    return {f.stem: Dataset.from_parquet(str(f)) for f in files if pq.ParquetFile(f).metadata.num_rows}


def export_yolo(cfg: DetectorConfig, sets: Iterable[str] | None = None) -> Path:
    """Write the dataset in YOLO layout under ``cfg.export_dir``; returns the ``data.yaml`` path.

    Sets: ``train`` and ``val`` (clean + degraded images when ``cfg.degraded``), and for
    evaluation ``test``/``test_ood`` (clean) and ``test_aug``/``test_ood_aug`` (degraded).
    A bad item is reported and skipped; it never stops the export.
    """
    root = cfg.path(cfg.export_dir)
    ds = load_splits(cfg.path(cfg.data))
    sets = list(sets or ("train", "val", *EVAL_SETS))
    limits = {"train": cfg.max_train, "val": cfg.max_val}
    summary: dict[str, dict] = {}
    for name in sets:
        split = name.removesuffix("_aug")
        if split not in ds:
            continue
        limit = limits.get(split, cfg.max_test)
        part = _subset(ds[split], cfg.sources if split in ("train", "val") else ["synthetic"], limit, cfg.seed)
        variants = [("image", "annotation", "")] if name in ("test", "test_ood") else []
        if name.endswith("_aug"):
            variants = [("aug_image", "aug_annotation", "_aug")]
        if name in ("train", "val"):
            variants = [("image", "annotation", "")] + ([("aug_image", "aug_annotation", "_aug")] if cfg.degraded else [])
        img_dir, lab_dir = root / "images" / name, root / "labels" / name
        for d in (img_dir, lab_dir):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
        n_img = n_box = 0
        errors: list[str] = []
        for row in tqdm(part, desc=f"export {name}", leave=False):
            for img_col, ann_col, suffix in variants:
                if row.get(img_col) is None or not row.get(ann_col):
                    continue
                try:
                    n_box += _write_item(row[img_col], row[ann_col], row["id"] + suffix, img_dir, lab_dir)
                    n_img += 1
                except Exception as e:  # one bad item never stops the export
                    errors.append(f"{row['id']}{suffix}: {type(e).__name__}: {e}")
        summary[name] = {"images": n_img, "boxes": n_box, "errors": errors[:20]}
    val = "images/val"
    if not any((root / val).glob("*.png")) and any((root / "images" / "train").glob("*.png")):
        # a tiny dataset may have no val items: validate on train
        val = "images/train"
        summary["val_fallback"] = {"note": "no val images; ultralytics validates on the train images"}
    data = {"path": str(root), "train": "images/train", "val": val, "names": dict(enumerate(DETECTOR_CLASSES))}
    if (root / "images" / "test").exists():
        data["test"] = "images/test"
    (root / "data.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    for name in EVAL_SETS:  # one YAML per evaluation set (ultralytics validates the "val" entry)
        if (root / "images" / name).exists():
            ev = dict(data, val=f"images/{name}")
            (root / f"eval_{name}.yaml").write_text(yaml.safe_dump(ev, sort_keys=False))
    record = root / "export.json"  # exporting some sets again keeps the record of the others
    sets_done = json.loads(record.read_text()).get("sets", {}) if record.exists() else {}
    record.write_text(json.dumps({"config": asdict(cfg), "sets": sets_done | summary}, indent=2))
    return root / "data.yaml"


# ------------------------------------------------------------------ train / evaluate
def _model_source(cfg: DetectorConfig, run_dir: Path) -> str:
    """The model YAML to build: a file (relative to the repo) or an ultralytics built-in,
    rescaled to ``cfg.scale`` by writing a derived YAML into the run directory."""
    p = cfg.path(cfg.model)
    src = str(p) if p.exists() else cfg.model
    if not cfg.scale:
        return src
    from ultralytics.nn.tasks import yaml_model_load

    d = yaml_model_load(src)
    d.pop("yaml_file", None)
    d.pop("scale", None)
    d["nc"] = len(DETECTOR_CLASSES)
    d["scales"] = {"t": list(cfg.scale)}
    run_dir.mkdir(parents=True, exist_ok=True)
    out = run_dir / "model-scaled.yaml"  # no n/s/m/l/x in the name: ultralytics then uses scale "t"
    out.write_text(yaml.safe_dump(d, sort_keys=False))
    return str(out)


def train(cfg: DetectorConfig, resume: bool = False, export: bool = True) -> Path:
    """Train (or resume) and copy the best weights to ``cfg.weights_out``; returns that path."""
    yolo_env()
    from ultralytics import YOLO

    run_dir = cfg.path(cfg.project) / cfg.name
    last = run_dir / "weights" / "last.pt"
    t0 = time.time()
    if resume:
        if not last.exists():
            raise FileNotFoundError(f"nothing to resume: {last} does not exist (train without --resume first)")
        YOLO(str(last)).train(resume=True)
    else:
        data_yaml = cfg.path(cfg.export_dir) / "data.yaml"
        if export or not data_yaml.exists():
            data_yaml = export_yolo(cfg)
        if not cfg.model.endswith((".yaml", ".yml")):
            raise ValueError(f"model must be a YAML (training from scratch, nothing downloaded): {cfg.model}")
        if cfg.init_weights:  # continue from our own earlier weights (a new schedule, unlike resume)
            init = cfg.path(cfg.init_weights)
            if not init.exists():
                raise FileNotFoundError(f"init_weights not found: {init}")
            results_model = YOLO(str(init), task="detect")
        else:
            results_model = YOLO(_model_source(cfg, run_dir), task="detect")
        args = dict(
            data=str(data_yaml), imgsz=cfg.imgsz, epochs=cfg.epochs, batch=cfg.batch, workers=cfg.workers,
            device=_device(cfg.device), project=str(cfg.path(cfg.project)), name=cfg.name, exist_ok=True,
            pretrained=str(cfg.path(cfg.init_weights)) if cfg.init_weights else False, amp=False,
            seed=cfg.seed, deterministic=False, patience=cfg.patience, plots=True, verbose=True,
        )  # fmt: skip
        if cfg.time:
            args["time"] = cfg.time
        args.update(cfg.hyp)
        results_model.train(**args)
    best = run_dir / "weights" / "best.pt"
    if not best.exists():
        raise RuntimeError(f"training produced no {best}")
    out = cfg.path(cfg.weights_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(best, out)
    (run_dir / "train_seconds.txt").write_text(f"{time.time() - t0:.0f}\n")
    return out


def evaluate(weights: str | Path, data_yaml: str | Path, imgsz: int = 640, device: str = "auto", batch: int = 8) -> dict:
    """Ultralytics validation of ``weights`` on the ``val`` entry of ``data_yaml``: mAP50, mAP50-95, per class."""
    yolo_env()
    from ultralytics import YOLO

    model = YOLO(str(weights), task="detect")
    m = model.val(data=str(data_yaml), imgsz=imgsz, batch=batch, device=_device(device), split="val",
                  plots=False, verbose=False, workers=0, project=str(REPO_ROOT / "runs" / "detector"), name="val", exist_ok=True)  # fmt: skip
    names = m.names
    per_class = {}
    for i, c in enumerate(m.box.ap_class_index):
        per_class[names[int(c)]] = {"mAP50": round(float(m.box.ap50[i]), 4), "mAP50-95": round(float(m.box.ap[i]), 4)}
    return {
        "mAP50": round(float(m.box.map50), 4),
        "mAP50-95": round(float(m.box.map), 4),
        "precision": round(float(m.box.mp), 4),
        "recall": round(float(m.box.mr), 4),
        "per_class": per_class,
    }

