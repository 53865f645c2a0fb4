"""Codegen evaluation on a built dataset split: real diagrams by default.

For each item the scene graph comes from its ground-truth annotation (``input="gt"``: codegen
alone) or from perception run on its image (``input="perception"``: the whole pipeline). The
graph goes through :func:`codegen.repair.generate_verified` and the chosen program is scored
against the item's reference program with :mod:`eval.metrics` (stroke F1 of the strokes-only
renders, label F1 of the typeset labels, token length ratio). Reported: the means, the median
length ratio, pass@1 / after-repair / final compile rates, stages and seconds per image.
"""

from __future__ import annotations

import io
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image
from tqdm import tqdm

from img2asy.asy import Toolchain
from img2asy.codegen.registry import make_backend
from img2asy.codegen.repair import RepairConfig, generate_verified
from img2asy.scene_graph.schema import SceneGraph

from .metrics import ProgramScores, Reference, score_program


@dataclass(frozen=True)
class EvalConfig:
    data: Path
    split: str = "val"
    codegen: str = "rule"
    limit: int | None = None
    input: str = "gt"  # gt | perception
    source: str = "math"  # math | synthetic | all
    repair: RepairConfig = field(default_factory=lambda: RepairConfig(score_final=False))


@dataclass
class ItemScore:
    id: str
    compiled: bool = False
    pass_at_1: bool = False
    compiled_after_repair: bool = False
    stage: str = ""
    attempts: int = 0
    stroke_f1: float = 0.0
    stroke_precision: float = 0.0
    stroke_recall: float = 0.0
    label_f1: float = 0.0
    length_ratio: float | None = None
    seconds: float = 0.0
    error: str = ""
    program: str = ""  # the final program, for a person to read


def _image(v) -> Image.Image:
    if isinstance(v, Image.Image):
        return v.convert("RGB")
    return Image.open(io.BytesIO(v["bytes"])).convert("RGB")


def load_items(cfg: EvalConfig) -> list[dict]:
    """The split's rows (only the requested source), in id order, at most ``limit``."""
    from datasets import load_dataset

    path = Path(cfg.data) / "data" / f"{cfg.split}.parquet"
    if not path.exists():
        raise ValueError(f"{cfg.data} has no {cfg.split!r} split ({path} is missing)")
    try:
        split = load_dataset("parquet", data_files={cfg.split: str(path)})[cfg.split]
    except ValueError as e:  # datasets refuses an empty parquet file
        raise ValueError(f"{cfg.data} has no items in its {cfg.split!r} split ({e})") from None
    keep = [i for i, s in enumerate(split["source"]) if cfg.source == "all" or s == cfg.source]
    rows = [split[i] for i in keep]
    rows.sort(key=lambda r: r["id"])
    return rows[: cfg.limit] if cfg.limit else rows


def row_reference(row: dict, toolchain: Toolchain) -> Reference:
    """What a program for ``row`` is scored against: the row's own program, rendered."""
    return Reference.from_program(row["code"], toolchain, float(row.get("dpi") or 150.0))


def set_scores(out: ItemScore, sc: ProgramScores) -> None:
    """Copy a program's scores into ``out``, rounded; one that did not compile keeps its zeros."""
    out.length_ratio = None if sc.length_ratio is None else round(sc.length_ratio, 4)
    if sc.compiled:
        out.stroke_f1, out.label_f1 = round(sc.stroke_f1, 4), round(sc.label_f1, 4)
        out.stroke_precision, out.stroke_recall = round(sc.stroke.precision, 4), round(sc.stroke.recall, 4)


def input_graph(row: dict, cfg: EvalConfig, perception=None) -> SceneGraph:
    """The scene graph codegen gets for ``row``: its ground truth, or perception's view of its image."""
    if cfg.input == "perception":
        return perception.perceive(_image(row["image"]))
    return SceneGraph.from_json(row["annotation"])


def evaluate_item(row: dict, backend, cfg: EvalConfig, toolchain: Toolchain, perception=None,
                  graph: SceneGraph | None = None) -> ItemScore:  # fmt: skip
    """Generate and score one dataset row (never raises: failures are recorded).

    ``graph``, when given, is the input graph already computed (so several backends share one
    perception pass); otherwise it is made by :func:`input_graph`.
    """
    out = ItemScore(row["id"])
    t0 = time.perf_counter()
    try:
        image = _image(row["image"])
        if graph is None:
            graph = input_graph(row, cfg, perception)
        res = generate_verified(backend, graph, toolchain, image, cfg.repair)
        out.seconds = round(time.perf_counter() - t0, 3)
        out.compiled, out.stage, out.attempts, out.program = res.compiled, res.stage, len(res.attempts), res.code
        out.pass_at_1, out.compiled_after_repair = res.pass_at_1, res.compiled_after_repair
        sc = score_program(res.code, row_reference(row, toolchain), toolchain, res.compile_result)
        set_scores(out, sc)
        if not sc.compiled:
            out.error = res.attempts[-1].error if res.attempts else "no program"
    except Exception as e:  # one bad item never stops the evaluation
        out.error = f"{type(e).__name__}: {str(e)[:200]}"
        out.seconds = round(time.perf_counter() - t0, 3)
    return out


def summarise(items: list[ItemScore]) -> dict:
    n = len(items)
    if n == 0:
        return {"items": 0}

    def mean(xs) -> float:
        return round(statistics.fmean(xs), 4) if xs else 0.0

    ratios = [i.length_ratio for i in items if i.length_ratio is not None and i.compiled]
    stages: dict[str, int] = {}
    for i in items:
        stages[i.stage or "error"] = stages.get(i.stage or "error", 0) + 1
    secs = sorted(i.seconds for i in items)
    return {
        "items": n,
        "stroke_f1": mean([i.stroke_f1 for i in items]),  # a program that does not compile scores 0
        "stroke_precision": mean([i.stroke_precision for i in items]),
        "stroke_recall": mean([i.stroke_recall for i in items]),
        "label_f1": mean([i.label_f1 for i in items]),
        "length_ratio_median": round(statistics.median(ratios), 4) if ratios else None,
        "pass_at_1": mean([float(i.pass_at_1) for i in items]),
        "compile_after_repair": mean([float(i.compiled_after_repair) for i in items]),
        "compile_final": mean([float(i.compiled) for i in items]),
        "stages": stages,
        "seconds_median": round(secs[n // 2], 3),
        "seconds_mean": mean(secs),
        "errors": sum(1 for i in items if i.error),
    }


def evaluate(cfg: EvalConfig, toolchain: Toolchain | None = None, progress: bool = True) -> dict:
    """Run the evaluation; returns ``{"config", "summary", "items"}``."""
    toolchain = toolchain or Toolchain.default()
    rows = load_items(cfg)
    backend = make_backend(cfg.codegen)
    perception = None
    if cfg.input == "perception":
        from img2asy.perception.pipeline import Perception

        perception = Perception()
    elif cfg.input != "gt":
        raise ValueError(f"input must be 'gt' or 'perception', not {cfg.input!r}")
    items = []
    try:
        for row in tqdm(rows, desc=f"eval codegen {cfg.split}", unit="item", disable=not progress):
            items.append(evaluate_item(row, backend, cfg, toolchain, perception))
    finally:
        backend.close()
    conf = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()}
    return {"config": conf, "summary": summarise(items), "items": [asdict(i) for i in items]}
