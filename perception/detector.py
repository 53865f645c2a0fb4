"""The YOLO detector: boxes for the small, discrete things strokes alone do not explain.

Classes (:data:`DETECTOR_CLASSES`) are the parts of a diagram that a stroke vectoriser
cannot read or easily confuses with strokes: text labels (handed to OCR), filled dots
(named points), arrowheads, and the three mark types of the scene graph. Long strokes,
circles and arcs are left to the vectoriser.

Small objects get a box of at least :data:`MIN_BOX_PT` points a side, centred on the
object (a dot of 2 px or a tick of 1 px width would otherwise have an ill-defined box);
use the box centre, not its size, for such classes.

Ultralytics is used fully offline: :func:`yolo_env` sets ``YOLO_OFFLINE`` and a
project-local ``YOLO_CONFIG_DIR`` holding a TTF font, before ultralytics is imported.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WEIGHTS = REPO_ROOT / "models" / "detector" / "best.pt"
DETECTOR_CLASSES = ["text", "dot", "arrowhead", "right_angle", "tick", "angle_arc"]
MIN_BOX_PT = 5.0  # minimum box side in points (1/72 in): 10.4 px at 150 dpi


@dataclass(frozen=True)
class Detection:
    """One detected object: class name, box ``(x0, y0, x1, y1)`` in image pixels, confidence."""

    cls: str
    box: tuple[float, float, float, float]
    conf: float

    @property
    def center(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)


def yolo_env(config_dir: Path | None = None) -> Path:
    """Make ultralytics run offline with its settings and font inside the project.

    Must run before ``import ultralytics`` (it reads the variables at import time).
    Returns the config directory.
    """
    cfg = Path(config_dir or os.environ.get("YOLO_CONFIG_DIR") or REPO_ROOT / ".cache" / "ultralytics")
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ["YOLO_CONFIG_DIR"] = str(cfg)
    font_dir = cfg / "Ultralytics"
    font_dir.mkdir(parents=True, exist_ok=True)
    font = font_dir / "Arial.ttf"
    if not font.exists():  # ultralytics fetches Arial.ttf from github.com for plots when it is missing
        import matplotlib

        src = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
        shutil.copyfile(src, font)
    return cfg


def _device(device: str | None) -> str:
    if device and device != "auto":
        return device
    import torch

    return "0" if torch.cuda.is_available() else "cpu"


class Detector:
    """A trained YOLO model; ``predict`` maps one PIL image to :class:`Detection` records."""

    def __init__(self, model: Any, classes: list[str], device: str = "cpu", conf: float = 0.25, imgsz: int = 640, iou: float = 0.5):
        self.model = model
        self.classes = classes
        self.device = device
        self.conf = conf
        self.imgsz = imgsz
        self.iou = iou  # NMS overlap: labels and marks of one class rarely overlap by half

    @classmethod
    def load(cls, path: str | Path | None = None, device: str | None = None, conf: float = 0.25) -> "Detector":
        """Load weights (default: the shipped ``models/detector/best.pt``)."""
        p = Path(path) if path else DEFAULT_WEIGHTS
        if not p.exists():
            raise FileNotFoundError(f"detector weights not found: {p} (train with `img2asy train detector`)")
        yolo_env()
        from ultralytics import YOLO

        model = YOLO(str(p), task="detect")
        names = model.names
        classes = [names[i] for i in sorted(names)]
        imgsz = int((getattr(model, "overrides", {}) or {}).get("imgsz") or 640)
        return cls(model, classes, _device(device), conf, imgsz)

    def predict(self, image: Image.Image, conf: float | None = None) -> list[Detection]:
        """Detections in ``image`` (any mode; converted to RGB), best first."""
        import numpy as np

        import torch

        arr = np.asarray(image.convert("RGB"))[:, :, ::-1]  # ultralytics takes numpy arrays as BGR
        threads = torch.get_num_threads()  # ultralytics sets torch to cpu_count-1 threads process-wide,
        try:  # which would halve the speed of an LLM running after it in the same process
            res = self.model.predict(arr, imgsz=self.imgsz, conf=self.conf if conf is None else conf, iou=self.iou,
                                     device=self.device, verbose=False)[0]  # fmt: skip
        finally:
            torch.set_num_threads(threads)
        out = []
        boxes = res.boxes
        for xyxy, c, k in zip(boxes.xyxy.tolist(), boxes.conf.tolist(), boxes.cls.tolist()):
            out.append(Detection(self.classes[int(k)], tuple(round(v, 2) for v in xyxy), round(float(c), 4)))
        return sorted(out, key=lambda d: -d.conf)
