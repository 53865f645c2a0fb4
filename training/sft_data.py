"""Supervised examples for the codegen LLM: scene text in, Asymptote program out.

The model must learn to write code from what *perception* reports about an image, not from
the exact ground truth, so each input is the scene text of one render of an item:
``data.image`` picks the degraded copy (``aug_image``, a screenshot/scan-like render, the
default) or the clean render (``image``, what the real-data evaluation perceives).

* ``inputs: perception`` runs :func:`img2asy.perception.pipeline.perceive` on it;
* ``inputs: noisy_gt`` takes its exactly-mapped ground truth (``aug_annotation``) and adds
  perception-like noise (:func:`perturb`: jittered coordinates, dropped or merged small
  primitives, OCR-like label errors) -- the stand-in until perception exists;
* ``inputs: gt`` uses the ground truth as is (an upper bound, for comparison);
* ``inputs: auto`` is ``perception`` when it is importable, else ``noisy_gt``.

``data.target`` picks what the model learns to write:

* ``program``: the item's program: generator code for synthetic items, the original MATH code
  (which compiles with stock Asymptote, or it would not be in the dataset) for real ones.
  Its coordinates are the author's, which the scene text does not carry: the model must
  guess them (the session-2 adapter writes a unit square whatever the scene says).
* ``rule``: the ``rule`` printer's program for the render's *ground-truth* graph, in the
  frame of the input scene (:func:`codegen.rule.print_asy` with ``frame``). Its coordinates
  are the scene text's, so the model learns to copy them and to correct what perception got
  wrong (spurious points, misread labels) rather than to invent a coordinate system.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable

from img2asy.codegen.prompt import build_messages
from img2asy.scene_graph.schema import SceneGraph, map_points
from img2asy.scene_graph.serialize import Frame, frame_for, to_text

INPUT_MODES = ("perception", "noisy_gt", "gt", "auto")
TARGETS = ("program", "rule")
IMAGE_COLUMNS = {"aug_image": "aug_annotation", "image": "annotation"}  # render -> its ground truth


@dataclass(frozen=True)
class NoiseConfig:
    """How far :func:`perturb` moves a ground-truth graph towards what perception returns."""

    jitter_px: float = 1.0  # std of coordinate noise, in pixels of the (degraded) image
    radius_rel: float = 0.01  # relative std of circle/arc radii
    drop_mark: float = 0.15  # P(drop) per tick / right-angle / angle mark
    drop_arrowhead: float = 0.1  # P(drop) per arrowhead
    drop_dot: float = 0.1  # P(a dot is not seen) per dotted point
    drop_short: float = 0.15  # P(drop) per segment shorter than 4% of the drawing
    merge_collinear: float = 0.3  # P(merge) per pair of collinear segments sharing an end
    label_error: float = 0.1  # P(OCR error) per label
    drop_label: float = 0.03  # P(label missed) per label


@dataclass(frozen=True)
class SFTExample:
    """One training pair, with where it came from."""

    id: str
    source: str
    family: str
    split: str
    scene_text: str
    code: str

    def prompt(self) -> list[dict[str, str]]:
        return build_messages(self.scene_text)

    def completion(self) -> list[dict[str, str]]:
        return [{"role": "assistant", "content": self.code.strip() + "\n"}]

    def as_record(self) -> dict:
        """The conversational prompt-completion row trl's SFTTrainer expects."""
        return {"id": self.id, "prompt": self.prompt(), "completion": self.completion()}


# ------------------------------------------------------------------ perception-like noise
_OCR_CONFUSIONS = {"O": "0", "0": "O", "l": "1", "1": "l", "I": "1", "S": "5", "5": "S", "B": "8", "8": "B",
                   "Z": "2", "2": "Z", "x": "×", "C": "c", "c": "C", "P": "p", "o": "0", "g": "9", "9": "g"}  # fmt: skip


def _ocr_error(latex: str, text: str, rng: random.Random) -> tuple[str, str]:
    """One OCR-like mistake: confusable glyph, lost character, or LaTeX reduced to its glyphs."""
    choice = rng.random()
    if choice < 0.35 and text and text != latex:
        return text, text  # the markup is lost: what OCR sees is the visible glyphs only
    chars = list(text or latex)
    if not chars:
        return latex, text
    swappable = [i for i, ch in enumerate(chars) if ch in _OCR_CONFUSIONS]
    if choice < 0.8 and swappable:
        i = rng.choice(swappable)
        chars[i] = _OCR_CONFUSIONS[chars[i]]
    elif len(chars) > 1:
        del chars[rng.randrange(len(chars))]
    else:
        chars.append(rng.choice("'.,"))
    out = "".join(chars)
    return out, out


def _copy(graph: SceneGraph) -> SceneGraph:
    return SceneGraph.from_json(graph.to_json())


def _drop(graph: SceneGraph, node: str) -> None:
    graph.g.remove_node(node)


def _merge_collinear(graph: SceneGraph, p: float, rng: random.Random) -> None:
    """Fuse pairs of segments that continue each other (perception often sees one line)."""
    segs = [(n, d) for n, d in graph.nodes("segment") if d.get("dash", "solid") == "solid"]
    used: set[str] = set()
    for i, (n1, d1) in enumerate(segs):
        for n2, d2 in segs[i + 1 :]:
            if n1 in used or n2 in used or rng.random() >= p:
                continue
            ends = [(d1["a"], d1["b"], d2["a"], d2["b"]), (d1["b"], d1["a"], d2["a"], d2["b"]),
                    (d1["a"], d1["b"], d2["b"], d2["a"]), (d1["b"], d1["a"], d2["b"], d2["a"])]  # fmt: skip
            for far1, near1, near2, far2 in ends:
                if math.dist(near1, near2) > 1.5:
                    continue
                v1 = (near1[0] - far1[0], near1[1] - far1[1])
                v2 = (far2[0] - near2[0], far2[1] - near2[1])
                n = math.hypot(*v1) * math.hypot(*v2)
                if n and abs(v1[0] * v2[1] - v1[1] * v2[0]) / n < 0.02 and v1[0] * v2[0] + v1[1] * v2[1] > 0:
                    d1["a"], d1["b"] = list(far1), list(far2)
                    for m in list(graph.g.successors(n2)):
                        graph.g.add_edge(n1, m, **graph.g.edges[n2, m])
                    _drop(graph, n2)
                    used |= {n1, n2}
                    break


def perturb(graph: SceneGraph, cfg: NoiseConfig, rng: random.Random) -> SceneGraph:
    """A copy of ``graph`` with perception-like errors (see :class:`NoiseConfig`).

    Coordinates that coincide with a named point move with it, so shared vertices stay shared
    (the scene text keeps naming them) while the geometry is no longer exact.
    """
    out = _copy(graph)
    pts = {n: d["xy"] for n, d in out.nodes("point")}
    shift = {n: (rng.gauss(0, cfg.jitter_px), rng.gauss(0, cfg.jitter_px)) for n in pts}

    def move(p):
        near = min(pts, key=lambda n: math.dist(pts[n], p), default=None)
        if near is not None and math.dist(pts[near], p) < 2.0:
            dx, dy = shift[near]
        else:
            dx, dy = rng.gauss(0, cfg.jitter_px), rng.gauss(0, cfg.jitter_px)
        return [round(p[0] + dx, 2), round(p[1] + dy, 2)]

    for n, d in list(out.nodes()):
        map_points(d, move, subpaths=False)
        if "bbox" in d:
            dx, dy = rng.gauss(0, cfg.jitter_px), rng.gauss(0, cfg.jitter_px)
            d["bbox"] = [round(v + (dx if i % 2 == 0 else dy), 2) for i, v in enumerate(d["bbox"])]
        if "r" in d:
            d["r"] = d["r"] * (1 + rng.gauss(0, cfg.radius_rel))

    geo = [d for _, d in out.nodes() if d["kind"] not in ("label", "point")]
    xs = [c for d in geo for p in ([d["a"], d["b"]] if "a" in d else d.get("pts", [])) for c in p]
    extent = (max(xs) - min(xs)) if xs else float(max(out.width, out.height))
    for n, d in list(out.nodes()):
        k = d["kind"]
        if (k == "mark" and rng.random() < cfg.drop_mark) or (k == "arrowhead" and rng.random() < cfg.drop_arrowhead):
            _drop(out, n)
        elif k == "segment" and math.dist(d["a"], d["b"]) < 0.04 * extent and rng.random() < cfg.drop_short:
            _drop(out, n)
        elif k == "point" and d.get("dot") and rng.random() < cfg.drop_dot:
            d["dot"] = False
        elif k == "label":
            if rng.random() < cfg.drop_label:
                _drop(out, n)
            elif rng.random() < cfg.label_error:
                d["latex"], d["text"] = _ocr_error(d.get("latex") or "", d.get("text") or "", rng)
    _merge_collinear(out, cfg.merge_collinear, rng)
    return out


# ------------------------------------------------------------------ building examples
def perception_available() -> bool:
    try:
        from img2asy.perception.pipeline import perceive  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_inputs(mode: str) -> str:
    if mode not in INPUT_MODES:
        raise ValueError(f"inputs must be one of {INPUT_MODES}, not {mode!r}")
    if mode == "auto":
        return "perception" if perception_available() else "noisy_gt"
    if mode == "perception" and not perception_available():
        raise RuntimeError("inputs: perception needs img2asy.perception.pipeline.perceive, which is not importable yet")
    return mode


def _perceived_graph(image) -> SceneGraph:
    from img2asy.perception.pipeline import perceive

    res = perceive(image)
    return res if isinstance(res, SceneGraph) else res.graph


def item_seed(item_id: str, seed: int) -> int:
    return int(hashlib.sha256(f"sft:{seed}:{item_id}".encode()).hexdigest()[:12], 16)


def _truth(row: dict, image: str) -> SceneGraph:
    """The ground-truth graph of the render in column ``image``."""
    return SceneGraph.from_json(row.get(IMAGE_COLUMNS[image]) or row["annotation"])


def scene_for(row: dict, mode: str, noise: NoiseConfig, seed: int, image: str = "aug_image") -> tuple[str, Frame]:
    """The scene text the model reads for one dataset row under input ``mode`` (resolved),
    made from the render in column ``image``, and the frame its coordinates are in."""
    if mode == "perception":
        graph = _perceived_graph(row[image])
    else:
        graph = _truth(row, image)
        if mode == "noisy_gt":
            graph = perturb(graph, noise, random.Random(item_seed(row["id"], seed)))
    frame = frame_for(graph)
    return to_text(graph, frame), frame


def rule_target(row: dict, image: str, frame: Frame) -> str:
    """The ``rule`` target: the printer's program for the render's ground truth, in ``frame``."""
    from img2asy.codegen.rule import print_asy

    return print_asy(_truth(row, image), frame=frame)


@dataclass(frozen=True)
class DataConfig:
    """Which items become examples, and how their inputs are made."""

    dataset: str = "/work/datasets/v0"
    inputs: str = "noisy_gt"
    seed: int = 0
    sources: tuple[str, ...] = ("synthetic", "math")
    max_train: int | None = None  # cap after shuffling (None: all)
    max_val: int | None = None
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    cache_dir: str | None = None  # where perceived scene texts are cached (perception is slow)
    image: str = "aug_image"  # the render whose scene is the input: aug_image (degraded) | image (clean)
    target: str = "program"  # program (the item's own code) | rule (the printer on its ground truth, in the scene's frame)

    def __post_init__(self):
        if self.image not in IMAGE_COLUMNS:
            raise ValueError(f"data.image must be one of {tuple(IMAGE_COLUMNS)}, not {self.image!r}")
        if self.target not in TARGETS:
            raise ValueError(f"data.target must be one of {TARGETS}, not {self.target!r}")


def perception_fingerprint() -> str:
    """A hash of the perception code and the detector weights: perceived scene texts cached by
    an older perception are not reused after it changes."""
    import img2asy.perception as perception
    from img2asy.perception.detector import DEFAULT_WEIGHTS

    h = hashlib.sha256()
    files = sorted(Path(perception.__file__).parent.glob("*.py")) + [Path(DEFAULT_WEIGHTS)]
    for f in files:
        if f.exists():
            h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:12]


def _cache_path(cfg: DataConfig, split: str, mode: str) -> Path | None:
    if not cfg.cache_dir:
        return None
    parts = [cfg.dataset, mode, cfg.seed, asdict(cfg.noise)] + ([cfg.image] if cfg.image != "aug_image" else [])
    if mode == "perception":
        parts.append(perception_fingerprint())
    key = hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:10]
    return Path(cfg.cache_dir) / f"scenes-{split}-{mode}-{key}.jsonl"


def build_examples(rows: Iterable[dict], split: str, cfg: DataConfig) -> list[SFTExample]:
    """Examples for ``rows`` of one split; a row whose input cannot be made is skipped with a note."""
    from tqdm import tqdm

    mode = resolve_inputs(cfg.inputs)
    cache_file = _cache_path(cfg, split, mode)
    cached: dict[str, dict] = {}  # id -> {"scene_text", "frame"} (older caches have no frame)
    if cache_file and cache_file.exists():
        cached = {r["id"]: r for r in map(json.loads, cache_file.read_text().splitlines())}
    out, skipped = [], []
    for row in tqdm(rows, desc=f"scenes {split} ({mode})", disable=mode != "perception"):
        if row["source"] not in cfg.sources:
            continue
        try:
            rec = cached.get(row["id"])
            if rec is None or (cfg.target == "rule" and "frame" not in rec):
                text, frame = scene_for(row, mode, cfg.noise, cfg.seed, cfg.image)
                rec = {"id": row["id"], "scene_text": text, "frame": [frame.ox, frame.oy, frame.scale]}
            code = row["code"] if cfg.target == "program" else rule_target(row, cfg.image, Frame(*rec["frame"]))
        except Exception as e:  # one bad item never stops the build
            skipped.append(f"{row['id']}: {type(e).__name__}: {e}")
            continue
        cached[row["id"]] = rec
        out.append(SFTExample(row["id"], row["source"], row["family"], split, rec["scene_text"], code))
    if cache_file:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text("".join(json.dumps(r) + "\n" for r in cached.values()))
    if skipped:
        print(f"[sft_data] skipped {len(skipped)} {split} items, e.g. {skipped[0]}")
    return out


def split_dataset(dataset: str | Path, split: str):
    """One split of a built dataset (only its Parquet file is read; an empty split is fine)."""
    from datasets import load_dataset

    path = Path(dataset) / "data" / f"{split}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: build the dataset first (img2asy data build)")
    return load_dataset("parquet", data_files={split: str(path)})[split]


def load_split(cfg: DataConfig, split: str, limit: int | None = None) -> list[SFTExample]:
    """Examples of one split of the built dataset, shuffled with ``cfg.seed``.

    ``limit`` caps the items *before* their inputs are made (perception takes about a second
    an image), so a small run does not perceive the whole split.
    """
    d = split_dataset(cfg.dataset, split)
    order = list(range(len(d)))
    random.Random(f"sft-order:{cfg.seed}:{split}").shuffle(order)
    cols = [c for c in ("id", "source", "family", "code", "annotation", "aug_annotation") if c in d.column_names]
    if resolve_inputs(cfg.inputs) == "perception":
        cols.append(cfg.image)
    sources = d["source"]
    order = [i for i in order if sources[i] in cfg.sources][:limit] if limit else order
    sel = d.select_columns(cols)
    return build_examples((sel[i] for i in order), split, cfg)
