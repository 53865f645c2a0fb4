"""End to end: image files -> perception -> verified codegen -> ``.asy``, render, graph, results.csv.

:func:`run` takes files, folders and globs of PNG/JPEG/WebP images and PDFs (first page,
rendered at 150 dpi), and for each writes ``<stem>.asy`` (the program), ``<stem>.png`` (the
program's render), ``<stem>.graph.json`` (what perception saw) and one row of
``results.csv``. A bad input (corrupt, empty, huge, not a diagram) becomes an error row and
the batch goes on; finished images are skipped unless ``force``.

Perception is imported lazily and kept loaded for the whole batch; any other graph source
(ground truth in tests and evaluation) can be passed in its place.
"""

from __future__ import annotations

import csv
import glob
import os
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Protocol

from PIL import Image
from tqdm import tqdm

from img2asy.asy import Toolchain
from img2asy.scene_graph.schema import SceneGraph
from img2asy.scene_graph.serialize import save_json

from .registry import DEFAULT_SPEC, make_backend
from .repair import RepairConfig, generate_verified

SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".pdf")
RENDER_DPI = 150.0


class GraphSource(Protocol):
    """Where graphs come from: ``(path) -> (the image as perceived, its scene graph)``."""

    def __call__(self, path: Path) -> tuple[Image.Image, SceneGraph]: ...


class PerceptionSource:
    """The perception stage, loaded once per process (detector and OCR stay in memory)."""

    def __init__(self) -> None:
        self._perception = None

    def __call__(self, path: Path) -> tuple[Image.Image, SceneGraph]:
        if self._perception is None:
            try:
                from img2asy.perception.pipeline import Perception
            except ImportError as e:
                raise RuntimeError(f"the perception stage is not available: {e}") from e
            self._perception = Perception()
        loaded = self._perception.load(path)
        return loaded.image, self._perception.perceive(path)


@dataclass(frozen=True)
class RunConfig:
    out: Path
    codegen: str = DEFAULT_SPEC
    jobs: int = 1
    force: bool = False
    dpi: float = RENDER_DPI  # render of the final program
    repair: RepairConfig = field(default_factory=RepairConfig)


@dataclass
class RunRecord:
    """One row of results.csv."""

    input: str
    stem: str
    status: str = "error"  # ok | error | skipped
    compiled: bool = False
    stage: str = ""  # model | repair | best_of_k | rule_better | rule_fallback | failed
    attempts: int = 0
    compile_trace: str = ""  # per attempt: stage:1|0
    seconds_perception: float = 0.0
    seconds_codegen: float = 0.0
    seconds_render: float = 0.0
    seconds_total: float = 0.0
    stroke_f1: float | None = None  # final program vs the input image, labels removed
    backend: str = ""
    error: str = ""


# ----------------------------------------------------------------------------- inputs
def collect_inputs(items: list[str]) -> list[Path]:
    """Files, folders (recursively) and globs, in the order given, without duplicates.

    A name that matches nothing is kept so that it is reported as an error row.
    """
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in SUFFIXES)
        elif any(ch in item for ch in "*?["):
            found = sorted(Path(q) for q in glob.glob(item, recursive=True) if Path(q).is_file())
        else:
            found = [p]
        for q in found:
            if q not in out:
                out.append(q)
    return out


def assign_stems(paths: list[Path]) -> list[str]:
    """Output stems: the file name's stem, made unique with ``-2``, ``-3``... where names collide."""
    seen: dict[str, int] = {}
    stems = []
    for p in paths:
        base = p.stem or "image"
        n = seen.get(base, 0) + 1
        seen[base] = n
        stems.append(base if n == 1 else f"{base}-{n}")
    return stems


# ----------------------------------------------------------------------------- one image
class Worker:
    """Backend, toolchain and graph source for one process; ``process`` handles one image."""

    def __init__(self, cfg: RunConfig, source: GraphSource | None = None, toolchain: Toolchain | None = None):
        self.cfg = cfg
        self.source = source or PerceptionSource()
        self.toolchain = toolchain or Toolchain.default()
        self._backend = None

    @property
    def backend(self):
        if self._backend is None:
            self._backend = make_backend(self.cfg.codegen)
        return self._backend

    def process(self, path: Path, stem: str) -> RunRecord:
        rec = RunRecord(str(path), stem, backend=self.cfg.codegen)
        t0 = time.perf_counter()
        try:
            image, graph = self.source(path)
        except Exception as e:  # PerceptionError and anything else: this image only
            rec.error = _describe_error(e) if type(e).__name__ == "PerceptionError" else f"perception: {_describe_error(e)}"
            rec.seconds_perception = rec.seconds_total = round(time.perf_counter() - t0, 3)
            return rec
        t1 = time.perf_counter()
        rec.seconds_perception = round(t1 - t0, 3)
        out = self.cfg.out
        save_json(graph, out / f"{stem}.graph.json")
        try:
            res = generate_verified(self.backend, graph, self.toolchain, image, self.cfg.repair)
        except Exception as e:
            rec.error = f"codegen: {_describe_error(e)}"
            rec.seconds_total = round(time.perf_counter() - t0, 3)
            return rec
        t2 = time.perf_counter()
        rec.seconds_codegen = round(t2 - t1, 3)
        (out / f"{stem}.asy").write_text(res.code)
        rec.compiled, rec.stage, rec.attempts = res.compiled, res.stage, len(res.attempts)
        rec.compile_trace = " ".join(f"{a.stage}:{int(a.compiled)}" for a in res.attempts)
        rec.stroke_f1 = None if res.stroke_f1 is None else round(res.stroke_f1, 4)
        if res.compiled:
            try:
                self.toolchain.rasterize(res.compile_result.pdf, self.cfg.dpi).save(out / f"{stem}.png")
                rec.status = "ok"
            except Exception as e:
                rec.error = f"render: {_describe_error(e)}"
        else:
            rec.error = res.attempts[-1].error if res.attempts else "no program"
        rec.seconds_render = round(time.perf_counter() - t2, 3)
        rec.seconds_total = round(time.perf_counter() - t0, 3)
        return rec

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()


def _describe_error(e: BaseException) -> str:
    name = type(e).__name__
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{name}: {msg}"[:300] if msg else name


def is_done(out: Path, stem: str) -> bool:
    return (out / f"{stem}.asy").exists() and (out / f"{stem}.png").exists()


# ----------------------------------------------------------------------------- batch
_WORKER: Worker | None = None


def _init_worker(cfg: RunConfig) -> None:
    global _WORKER  # one per worker process, created by the pool initialiser
    _WORKER = Worker(cfg)


def _work(job: tuple[str, str]) -> RunRecord:
    assert _WORKER is not None
    return _WORKER.process(Path(job[0]), job[1])


def read_results(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    with open(path, newline="") as f:
        return {row["stem"]: row for row in csv.DictReader(f)}


def write_results(path: Path, rows: list[RunRecord]) -> None:
    names = [f.name for f in fields(RunRecord)]
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=names)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else v) for k, v in asdict(r).items()})
    os.replace(tmp, path)


def run(inputs: list[str], cfg: RunConfig, source: GraphSource | None = None, toolchain: Toolchain | None = None,
        progress: bool = True) -> list[RunRecord]:  # fmt: skip
    """Process every input (see the module docstring); returns the rows written to results.csv."""
    cfg.out.mkdir(parents=True, exist_ok=True)
    paths = collect_inputs(inputs)
    stems = assign_stems(paths)
    previous = read_results(cfg.out / "results.csv")
    rows: list[RunRecord | None] = [None] * len(paths)
    todo: list[int] = []
    for i, (p, stem) in enumerate(zip(paths, stems)):
        if not cfg.force and is_done(cfg.out, stem):
            old = previous.get(stem)
            rec = _from_row(old) if old else RunRecord(str(p), stem, "skipped", True)
            rec.status = "skipped"
            rows[i] = rec
        else:
            todo.append(i)
    bar = tqdm(total=len(todo), desc="img2asy run", unit="img", disable=not progress)
    if cfg.jobs <= 1 or len(todo) <= 1 or source is not None:
        worker = Worker(cfg, source, toolchain)
        try:
            for i in todo:
                rows[i] = worker.process(paths[i], stems[i])
                bar.update()
                write_results(cfg.out / "results.csv", [r for r in rows if r is not None])
        finally:
            worker.close()
    else:
        from multiprocessing import get_context

        jobs = [(str(paths[i]), stems[i]) for i in todo]
        with get_context("spawn").Pool(cfg.jobs, initializer=_init_worker, initargs=(cfg,)) as pool:
            for i, rec in zip(todo, pool.imap(_work, jobs)):
                rows[i] = rec
                bar.update()
                write_results(cfg.out / "results.csv", [r for r in rows if r is not None])
    bar.close()
    final = [r for r in rows if r is not None]
    write_results(cfg.out / "results.csv", final)
    return final


def _from_row(row: dict) -> RunRecord:
    rec = RunRecord(row.get("input", ""), row.get("stem", ""))
    for f in fields(RunRecord):
        v = row.get(f.name)
        if v is None or v == "":
            continue
        if f.type in ("bool", bool):
            setattr(rec, f.name, v == "True")
        elif f.type in ("int", int):
            setattr(rec, f.name, int(float(v)))
        elif f.type in ("float", float, "float | None"):
            setattr(rec, f.name, float(v))
        else:
            setattr(rec, f.name, v)
    return rec


def summary(rows: list[RunRecord]) -> dict:
    """Counts for the end-of-run line."""
    by_status: dict[str, int] = {}
    by_stage: dict[str, int] = {}
    for r in rows:
        by_status[r.status] = by_status.get(r.status, 0) + 1
        if r.stage:
            by_stage[r.stage] = by_stage.get(r.stage, 0) + 1
    return {"images": len(rows), "status": by_status, "stage": by_stage}

