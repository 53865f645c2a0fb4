"""The perception entry point: ``perceive(image, config) -> SceneGraph``.

Every other stage calls :func:`perceive` (or :class:`Perception` to keep models loaded over
a batch). Steps: load and validate the image (:mod:`.image`), split ink into regions, dots,
arrowheads and strokes (:mod:`.strokes`), find text boxes (the YOLO detector when its
weights exist, else glyph clusters from :mod:`.glyphs`), read them with OCR (a lone ``c``
or ``C``, ``x`` or ``X``, in the case its height says: :mod:`.letter_case`; axis numbers
with the minus their axis says they lost: :mod:`.tick_signs`), vectorise the
remaining ink and assemble the graph (:mod:`.assemble`).

Configuration lives in ``configs/perception.yaml`` (:meth:`Perceiver.from_yaml`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from img2asy.scene_graph.schema import SceneGraph

from .assemble import AssembleConfig, LabelRead, assemble
from .glyphs import GlyphConfig, glyph_boxes, is_dash
from .image import ImageLimits, ImageSource, LoadedImage, PerceptionError, load_image
from .letter_case import measure_em, settle_case
from .tick_signs import restore_minus
from .strokes import StrokeConfig, ink_width, prepare, vectorise
from .words import WordConfig, join_words

__all__ = ["Perceiver", "Perception", "PerceptionError", "perceive"]

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO_ROOT / "configs" / "perception.yaml"


@dataclass(frozen=True)
class Perceiver:
    """Perception settings. ``dpi=None`` reads it from the file or estimates it from the ink."""

    dpi: float | None = None
    default_dpi: float = 150.0
    detector: str | None = "models/detector/best.pt"  # weights; relative to the repo; missing -> glyph fallback
    detector_conf: float = 0.25
    detector_text_conf: float = 0.45  # weaker text detections (often arrowheads, ticks) are ignored
    ocr: bool = True
    ocr_threads: int = 1  # onnxruntime threads for OCR (one is fastest on a small, busy CPU)
    min_text_conf: float = 0.5  # glyph-cluster boxes OCR reads less surely than this are not text
    validate: bool = True  # refuse photos / blank pages
    time_limit: float | None = 120.0  # seconds per image (main thread only); a slower image is an error
    resample: float = 1.25  # shrink an image of more than this times 150 dpi to 150 dpi; 0: scale thresholds instead
    limits: ImageLimits = field(default_factory=ImageLimits)
    strokes: StrokeConfig = field(default_factory=StrokeConfig)
    glyphs: GlyphConfig = field(default_factory=GlyphConfig)
    words: WordConfig = field(default_factory=WordConfig)
    assemble: AssembleConfig = field(default_factory=AssembleConfig)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Perceiver":
        subs = {"limits": ImageLimits, "strokes": StrokeConfig, "glyphs": GlyphConfig, "words": WordConfig,
                "assemble": AssembleConfig}
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown perception settings: {sorted(unknown)}")
        kw = {}
        for k, v in data.items():
            if k in subs and isinstance(v, dict):
                sub_known = {f.name for f in dataclasses.fields(subs[k])}
                bad = set(v) - sub_known
                if bad:
                    raise ValueError(f"unknown {k} settings: {sorted(bad)}")
                kw[k] = subs[k](**v)
            else:
                kw[k] = v
        return cls(**kw)

    @classmethod
    def from_yaml(cls, path: str | Path = DEFAULT_CONFIG) -> "Perceiver":
        import yaml

        data = yaml.safe_load(Path(path).read_text()) or {}
        return cls.from_dict(data)

    def detector_path(self) -> Path | None:
        if not self.detector:
            return None
        p = Path(self.detector)
        p = p if p.is_absolute() else REPO_ROOT / p
        return p if p.exists() else None


@dataclass
class Timing:
    load: float = 0.0
    prepare: float = 0.0
    text: float = 0.0
    ocr: float = 0.0
    strokes: float = 0.0
    assemble: float = 0.0


@contextmanager
def _time_limit(seconds: float | None):
    """Raise :class:`PerceptionError` after ``seconds`` (SIGALRM: main thread on POSIX only).

    Vectorising a pathological image (a noisy 300 dpi scan with thousands of skeleton pieces)
    can take minutes; a batch must not wait on one image."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expired(signum, frame):
        raise PerceptionError(f"perception took longer than {seconds:g} s (time_limit in configs/perception.yaml)")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Perception:
    """Holds the loaded models (detector, OCR) for a batch of images."""

    def __init__(self, config: Perceiver | None = None):
        self.config = config or default_config()
        self._detector = None
        self._recognizer = None
        self._detector_tried = False
        self.timing = Timing()

    # ------------------------------------------------------------------ models
    def detector(self):
        if not self._detector_tried:
            self._detector_tried = True
            path = self.config.detector_path()
            if path is not None:
                from .detector import Detector

                self._detector = Detector.load(path, device="cpu", conf=self.config.detector_conf)
        return self._detector

    def recognizer(self):
        if self._recognizer is None and self.config.ocr:
            from rapidocr import RapidOCR

            from .ocr import Recognizer

            engine = RapidOCR(params={
                "Global.log_level": "error", "Global.use_det": False, "Global.use_cls": False, "Global.use_rec": True,
                "EngineConfig.onnxruntime.intra_op_num_threads": self.config.ocr_threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            })  # fmt: skip
            self._recognizer = Recognizer(engine)
        return self._recognizer

    # ------------------------------------------------------------------ steps
    def load(self, image: ImageSource) -> LoadedImage:
        return load_image(image, self.config.limits, validate=self.config.validate)

    def perceive(self, image: ImageSource) -> SceneGraph:
        """The scene graph of one image; raises :class:`PerceptionError` for a bad input or one
        that takes longer than ``config.time_limit`` seconds (a batch then goes on)."""
        with _time_limit(self.config.time_limit):
            return self._perceive(image)

    def _perceive(self, image: ImageSource) -> SceneGraph:
        import time

        t0 = time.perf_counter()
        li = self.load(image)
        work, paper = li.image.convert("RGB"), li.paper
        t1 = time.perf_counter()
        dpi = self.config.dpi or li.dpi
        scale = (dpi or self.config.default_dpi) / 150.0
        work, scale, factor = self._shrink(work, scale)
        rgb = np.asarray(work)
        prep = prepare(rgb, paper, scale, self.config.strokes)
        t2 = time.perf_counter()
        boxes, dets = self._text_boxes(work, prep, scale)
        if dpi is None:
            dpi = estimate_dpi(boxes, self.config.default_dpi, width=ink_width(prep))
            if dpi != self.config.default_dpi:
                scale = dpi / 150.0
                work, scale, factor = self._shrink(work, scale)
                rgb = np.asarray(work)
                prep = prepare(rgb, paper, scale, self.config.strokes)
                boxes, dets = self._text_boxes(work, prep, scale)
        t3 = time.perf_counter()
        vec = vectorise(prep, boxes, self.config.strokes)
        t4 = time.perf_counter()
        labels = self._read(work, boxes, near_points(vec, boxes))
        if self.config.ocr:
            n_read = len(labels)
            labels = join_words(labels, lambda b: self._read(work, [b], near_points(vec, [b]))[0], self.config.words, prep.ink)
            # a box OCR cannot read (and the detector did not call text), or whose reading is
            # line art, goes back to the vectoriser
            det_boxes = self._text_detections(dets or [])
            keep = [lab for lab in labels if (lab.conf >= self.config.min_text_conf or _overlaps_any(lab.bbox, det_boxes))
                    and not self._line_art(lab, prep)]
            if len(keep) < n_read:
                labels = keep
                vec = vectorise(prep, [lab.bbox for lab in keep], self.config.strokes)
            labels = measure_em(settle_case(restore_minus(labels), prep.ink), prep.ink)
        t5 = time.perf_counter()
        graph = assemble(vec, labels, work.width, work.height, dpi * factor, self.config.assemble)
        if factor != 1.0:  # back to the input's pixels
            graph = graph.scaled(1.0 / factor)
            graph.g.graph.update(width=li.image.width, height=li.image.height, dpi=dpi)
        graph.g.graph["perception"] = {"text_boxes": "detector" if dets is not None else "glyphs",
                                       "dpi_source": "config" if self.config.dpi else "file" if li.dpi else "estimated"}  # fmt: skip
        t6 = time.perf_counter()
        tm = self.timing
        tm.load += t1 - t0
        tm.prepare += t2 - t1
        tm.text += t3 - t2
        tm.strokes += t4 - t3
        tm.ocr += t5 - t4
        tm.assemble += t6 - t5
        return graph

    def _shrink(self, image: Image.Image, scale: float) -> tuple[Image.Image, float, float]:
        """(image, scale, factor): an image at ``150 * scale`` dpi shrunk to 150 dpi when it is
        more than ``resample`` times that, else as it is (factor 1.0).

        The vectoriser's and OCR's thresholds are tuned at 150 dpi. On real val at 300 dpi,
        shrinking beat scaling the thresholds (point F1 0.720 vs 0.679, label exact 0.860 vs
        0.740); enlarging a 72 dpi image lost to leaving it (0.576 vs 0.695), so it is not done."""
        r = self.config.resample
        if not r or scale < r:
            return image, scale, 1.0
        factor = 1.0 / scale
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        return image.resize(size, Image.BOX), scale * factor, factor  # area averaging, as a lower-dpi render would

    def _text_boxes(self, image: Image.Image, prep, scale: float):
        """Label boxes: glyph clusters, joined by the detector's text boxes when it is loaded
        (the detector finds text touching strokes; glyph clusters fit isolated text tightly)."""
        boxes = glyph_boxes(prep.strokes, scale, self.config.glyphs)
        # Text touching light strokes (grid lines), or printed on a fill, separates from them
        # in the layer of dark ink (by luminance: a saturated fill is not dark).
        dark = prep.ink & (luminance(prep.rgb) < 0.55 * (0.299 * prep.paper[0] + 0.587 * prep.paper[1] + 0.114 * prep.paper[2]))
        if prep.blob_mask is not None:
            dark &= ~prep.blob_mask
        boxes += glyph_boxes(dark, scale, self.config.glyphs)
        det = self.detector()
        dets = None
        if det is not None:
            dets = det.predict(image)
            boxes += self._text_detections(dets)
        return merge_boxes(boxes), dets

    def _line_art(self, lab: LabelRead, prep) -> bool:
        """Whether a reading is of line art, not a label: signs alone (:func:`signs_only`), text
        with no LaTeX (a lone ``_``), nothing read at all (a text box over rays or a grid, whose
        strokes the box would otherwise hide from the vectoriser), or one glyph a stroke could
        give (``1``, ``l``, ``/``) in a box of the wrong size for one glyph (a detector box over
        line art, or a speck) or on a dash of a line. The last were the commonest label in real
        train outputs that the figure lacks."""
        if signs_only(lab.latex) or not lab.text.strip() or not lab.latex:
            return True
        if not _STROKE_LIKE.fullmatch(lab.text.strip()):
            return False
        h = lab.bbox[3] - lab.bbox[1]
        s = prep.scale
        if h > 1.5 * self.config.glyphs.max_height * s or h < 7.0 * s:
            return True
        return is_dash(prep.ink, lab.bbox, prep.line_width, s)

    def _text_detections(self, dets) -> list:
        """Boxes of the detector's text detections that are sure enough to be labels."""
        return [d.box for d in dets if d.cls == "text" and d.conf >= self.config.detector_text_conf]

    def _read(self, image: Image.Image, boxes, near: list[bool] | None = None) -> list[LabelRead]:
        rec = self.recognizer()
        if rec is None:
            return [LabelRead(tuple(b), "", "") for b in boxes]
        out = []
        for b, r in zip(boxes, rec.read_many(image, [_pad(b, 2, image.size) for b in boxes], near)):
            out.append(LabelRead(tuple(float(v) for v in b), r.text, r.latex, r.conf))
        return out


_STROKE_LIKE = re.compile(r"[1lI|/\\iı]")  # one glyph a straight dash could be read as
_SIGNS = re.compile(r"(?:[-+−–—一十,._·•●\\$\s]|\\cdot|\\bullet)+")


def signs_only(latex: str) -> bool:
    """A reading of nothing but signs and dots (``+``, ``-+``, ``--``, ``\\cdot``) is where dashed
    grid lines cross, a dash sits alone or a drawn dot stands apart (a lattice of dots), not a
    label: 38 such boxes in real val/test, against one ``+`` label among all 865 MATH diagrams."""
    return bool(latex) and _SIGNS.fullmatch(latex) is not None


def _overlaps_any(b, boxes) -> bool:
    return any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in boxes)


def luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114


def near_points(vec, boxes) -> list[bool]:
    """Whether each text box sits next to a point (it then names the point: ``O`` not ``0``)."""
    pts = [vec.nodes[n].xy for p in vec.prims for n in (p.na, p.nb) if n is not None]
    pts += [np.asarray(d.xy) for d in vec.dots]
    out = []
    for b in boxes:
        reach = max(b[3] - b[1], 4.0) * 1.2
        gaps = [math.hypot(max(0.0, b[0] - q[0], q[0] - b[2]), max(0.0, b[1] - q[1], q[1] - b[3])) for q in pts]
        out.append(bool(gaps) and min(gaps) <= reach)
    return out


def merge_boxes(boxes: list) -> list:
    """Union of overlapping boxes (the same label found twice)."""
    out = [list(map(float, b)) for b in boxes]
    changed = True
    while changed:  # until no two boxes overlap
        changed = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                a, b = out[i], out[j]
                if b[0] < a[2] and a[0] < b[2] and b[1] < a[3] and a[1] < b[3]:
                    out[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    out.pop(j)
                    changed = True
                    break
            if changed:
                break
    return [tuple(o) for o in out]


def _pad(b, p: float, size) -> tuple[float, float, float, float]:
    return (max(0.0, b[0] - p), max(0.0, b[1] - p), min(float(size[0]), b[2] + p), min(float(size[1]), b[3] + p))


def estimate_dpi(boxes, default: float = 150.0, band: tuple[float, float] = (0.55, 1.6),
                 width: float | None = None, width_high: tuple[float, float] = (1.45, 1.8),
                 width_usual: float = 0.9) -> float:  # fmt: skip
    """dpi from the strokes' width and the height of text, only when it is far from ``default``.

    Label sizes vary (8-14 pt) and so do pens, so neither alone says much about moderate
    changes. The sub-pixel stroke width (:func:`.strokes.ink_width`) tells 300 dpi from 150 on
    real val: a width ratio of ``width_high[1]`` or more decides alone, one above
    ``width_high[0]`` when text leans the same way (a thick pen comes with text of the usual
    size). Otherwise only small text (below ``band``) moves the dpi, and only when the strokes
    are not of a usual width (``width_usual`` times a 0.5 bp pen or more): small labels over a
    usual pen are small labels. On the 10 clean real train renders that small text alone had
    moved to 50-76 dpi, that check raised point F1 0.723 -> 0.859 and label exact 0.569 ->
    0.764. Large text over strokes of a usual width is just large text (letting it move the
    dpi cost clean real val 0.011 point F1). A low width alone is not used: at 72-96 dpi the
    vectoriser did better with its 150 dpi thresholds than with scaled ones. With no strokes
    to measure, text decides outside ``band``.

    Thick pens at 150 dpi are still often taken for a higher dpi; the image is then shrunk,
    which on 18 such clean train renders vectorised better (point F1 0.472 against 0.402 when
    kept at 150 dpi), so that is left as it is.
    """
    hs = sorted(b[3] - b[1] for b in boxes if b[3] - b[1] > 3)
    text = hs[len(hs) // 2] / (REF_LABEL_HEIGHT_PX * default / 150.0) if len(hs) >= 3 else None
    if width is not None and math.isfinite(width):
        ratio = width / (REF_WIDTH_PX * default / 150.0)
        if ratio >= width_high[1] or (ratio >= width_high[0] and (text is None or text > 1.1)):
            return float(min(600.0, default * ratio))
        if ratio >= width_usual:
            return default
        band = (band[0], math.inf)  # strokes of a usual width: large text is just large text
    if text is None or not math.isfinite(text) or band[0] <= text <= band[1]:
        return default
    return float(min(600.0, max(50.0, default * text)))


REF_LABEL_HEIGHT_PX = 17.5  # median ink height of a 12 pt label at 150 dpi (measured on synthetic data)
REF_WIDTH_PX = 1.35  # median ink_width of MATH strokes at 150 dpi (a 0.5 bp pen; measured on train)


def default_config() -> Perceiver:
    """``configs/perception.yaml`` when present, else the built-in defaults."""
    return Perceiver.from_yaml(DEFAULT_CONFIG) if DEFAULT_CONFIG.exists() else Perceiver()


@functools.lru_cache(maxsize=2)
def _shared(config: Perceiver | None) -> Perception:
    """One loaded Perception per configuration, so repeated ``perceive`` calls reuse the models."""
    return Perception(config)


def perceive(image: ImageSource, config: Perceiver | None = None) -> SceneGraph:
    """The scene graph of one diagram image (path, bytes or PIL image). Raises PerceptionError."""
    return _shared(config).perceive(image)
