"""The backends table: every codegen backend, with and without repair, on the same inputs.

One perception pass per item (cached on disk as graph JSON) feeds every backend, so rows differ
only by codegen. "no repair" is the backend alone (``rounds=0, k=0``, no rule check): its
first (greedy) program, or the ``rule`` fallback when it does not compile; "repair" is the
shipped verification: repair rounds, best-of-K and the check against the rule printer's
program (``rule_better``). The first greedy program is generated once and shared by both modes.
Results are written per (split, backend, mode) as they finish, so a stopped run resumes.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import yaml
from tqdm import tqdm

from img2asy.asy import Toolchain
from img2asy.codegen.prompt import Repair
from img2asy.codegen.registry import Backend, make_backend
from img2asy.codegen.repair import RepairConfig
from img2asy.scene_graph.schema import SceneGraph

from .codegen_eval import EvalConfig, ItemScore, evaluate_item, input_graph, load_items, row_reference, set_scores, summarise


@dataclass(frozen=True)
class BackendRow:
    name: str  # as the table shows it
    codegen: str  # a --codegen spec
    limit: int | None = None  # fewer items than the split's limit (a slow backend), the first ones
    max_new_tokens: int | None = None  # this backend's own cap (default: the table's)
    splits: list[str] | None = None  # only these of the table's splits (a slow backend)
    modes: list[str] | None = None  # only these of the table's modes (a slow backend: "no repair" alone)


@dataclass(frozen=True)
class TableConfig:
    data: str
    out: str = "runs/backend_table"
    splits: list[str] = field(default_factory=lambda: ["val", "test"])
    limit: int | None = 8
    input: str = "perception"
    source: str = "math"
    rounds: int = 2
    k: int = 2
    max_new_tokens: int = 384
    threads: int | None = None
    modes: list[str] = field(default_factory=lambda: list(MODES))  # which of MODES to run (repair is the slow one)
    backends: list[BackendRow] = field(default_factory=lambda: [BackendRow("rule", "rule")])

    def __post_init__(self):
        if unknown := [m for m in self.modes + [m for b in self.backends for m in b.modes or []] if m not in MODES]:
            raise ValueError(f"modes must be among {list(MODES)}, not {unknown}")

    @classmethod
    def load(cls, path: str | Path, **overrides) -> "TableConfig":
        raw = yaml.safe_load(Path(path).read_text()) or {}
        raw |= {k: v for k, v in overrides.items() if v is not None}
        raw["backends"] = [BackendRow(**b) for b in raw.get("backends", [])]
        return cls(**raw)


class Memo(Backend):
    """Remembers each distinct request, so the modes share the first greedy program."""

    def __init__(self, inner: Backend) -> None:
        super().__init__()
        self.inner, self.name = inner, inner.name
        self.can_repair, self.can_sample = inner.can_repair, inner.can_sample
        self.usage = inner.usage
        self._seen: dict[tuple, tuple[list[str], float]] = {}
        self.replayed_seconds = 0.0  # generation time a remembered answer saved (added back to timings)

    def generate(self, scene: SceneGraph, scene_text: str, n: int = 1, repair: Repair | None = None) -> list[str]:
        key = (scene_text, n, None if repair is None else (repair.code, repair.error))
        if key in self._seen:
            codes, secs = self._seen[key]
            self.replayed_seconds += secs
            return list(codes)
        t0 = time.perf_counter()
        codes = self.inner.generate(scene, scene_text, n, repair)
        self._seen[key] = (codes, time.perf_counter() - t0)
        return list(codes)

    def close(self) -> None:
        self.inner.close()


MODES = {"repair": True, "no repair": False}


def _graphs(cfg: TableConfig, split: str, rows: list[dict], ecfg: EvalConfig) -> list[SceneGraph]:
    """Input graphs for ``rows``, computed once and kept under ``out/graphs/``."""
    folder = Path(cfg.out) / "graphs" / f"{cfg.input}-{split}"
    folder.mkdir(parents=True, exist_ok=True)
    perception, graphs = None, []
    for row in tqdm(rows, desc=f"input graphs ({split})", unit="item"):
        p = folder / f"{row['id']}.json"
        if p.exists():
            graphs.append(SceneGraph.from_json(json.loads(p.read_text())))
            continue
        if perception is None and cfg.input == "perception":
            from img2asy.perception.pipeline import Perception

            perception = Perception()
        g = input_graph(row, ecfg, perception)
        p.write_text(g.dumps())
        graphs.append(g)
    return graphs


def _tokens_per_s(backend: Backend) -> float | None:
    tps = backend.usage.tokens_per_second
    return round(tps, 2) if tps else None


def run_table(cfg: TableConfig, toolchain: Toolchain | None = None) -> list[dict]:
    """Run every (backend, split, mode) not yet on disk, backend by backend in config order (a
    model loads once, and the cheap rows finish first); return all result rows."""
    toolchain = toolchain or Toolchain(cache_dir=None)  # uncached, so seconds are real compile times
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    inputs: dict[str, tuple[EvalConfig, list[dict], list[SceneGraph]]] = {}

    def split_inputs(split: str) -> tuple[EvalConfig, list[dict], list[SceneGraph]]:
        if split not in inputs:
            ecfg = EvalConfig(data=Path(cfg.data), split=split, limit=cfg.limit, input=cfg.input, source=cfg.source)
            rows = load_items(ecfg)
            inputs[split] = (ecfg, rows, _graphs(cfg, split, rows, ecfg))
        return inputs[split]

    for b in cfg.backends:
        todo = [(sp, m) for sp in (b.splits or cfg.splits) for m in MODES
                if m in (b.modes or cfg.modes) and not _result_path(out, sp, b.name, m).exists()]  # fmt: skip
        if not todo:
            continue
        opts = {"max_new_tokens": b.max_new_tokens or cfg.max_new_tokens} | ({"threads": cfg.threads} if cfg.threads else {})
        backend = Memo(make_backend(b.codegen, hf_options=opts))
        try:
            for split, mode in todo:  # "repair" first: it makes the greedy programs "no repair" reuses
                ecfg, rows, graphs = split_inputs(split)
                rc = RepairConfig(rounds=cfg.rounds, k=cfg.k, score_final=False) if MODES[mode] else RepairConfig(0, 0, score_final=False, rule_check=False)
                mcfg = replace(ecfg, codegen=b.codegen, repair=rc)
                items: list[ItemScore] = []
                pairs = list(zip(rows, graphs))[: b.limit] if b.limit else list(zip(rows, graphs))
                for row, g in tqdm(pairs, desc=f"{split} {b.name} ({mode})", unit="item"):
                    before = backend.replayed_seconds
                    item = evaluate_item(row, backend, mcfg, toolchain, graph=g)
                    item.seconds = round(item.seconds + backend.replayed_seconds - before, 3)  # as if generated anew
                    items.append(item)
                summary = summarise(items) | {"tokens_per_s": _tokens_per_s(backend)}
                rec = {"split": split, "backend": b.name, "codegen": b.codegen, "mode": mode,
                       "summary": summary, "items": [asdict(i) for i in items]}  # fmt: skip
                path = _result_path(out, split, b.name, mode)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(rec, indent=1))
        finally:
            backend.close()
    return collect(cfg)


def rescore(cfg: TableConfig, toolchain: Toolchain | None = None) -> list[dict]:
    """Score the saved final programs again with the current metrics (no generation): a metric
    fix need not cost hours of decoding. Stages, attempts and seconds are kept as run."""
    from .metrics import Reference, score_program

    toolchain = toolchain or Toolchain.default()
    recs = collect(cfg)
    for split in cfg.splits:
        rows = {r["id"]: r for r in load_items(EvalConfig(data=Path(cfg.data), split=split, limit=cfg.limit,
                                                           input=cfg.input, source=cfg.source))}  # fmt: skip
        refs: dict[str, Reference] = {}
        for rec in (r for r in recs if r["split"] == split):
            items = []
            for d in rec["items"]:
                item = ItemScore(**d)
                row = rows.get(item.id)
                if row is not None and item.program and item.compiled:
                    if item.id not in refs:
                        refs[item.id] = row_reference(row, toolchain)
                    set_scores(item, score_program(item.program, refs[item.id], toolchain))
                items.append(item)
            rec["summary"] = summarise(items) | {"tokens_per_s": rec["summary"].get("tokens_per_s")}
            rec["items"] = [asdict(i) for i in items]
            _result_path(Path(cfg.out), split, rec["backend"], rec["mode"]).write_text(json.dumps(rec, indent=1))
    return recs


def _result_path(out: Path, split: str, name: str, mode: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{split}__{name}__{mode}")
    return out / "results" / f"{safe}.json"


def collect(cfg: TableConfig) -> list[dict]:
    """Every finished result on disk, in config order."""
    out, recs = Path(cfg.out), []
    for split in cfg.splits:
        for b in cfg.backends:
            for mode in MODES:
                p = _result_path(out, split, b.name, mode)
                if p.exists():
                    recs.append(json.loads(p.read_text()))
    return recs


def _f(v, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def markdown(recs: list[dict]) -> str:
    """The table as it goes into docs/TRAINING.md."""
    head = ("| split | backend | mode | items | pass@1 | compiled after repair | compiled final | stroke F1 | "
            "label F1 | rule on these items (stroke / label F1) | median length ratio | median s/image | tokens/s | "
            "output stages |")  # fmt: skip
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in recs:
        s = r["summary"]
        model = r["codegen"] != "rule"
        stages = ", ".join(f"{k} {v}" for k, v in sorted(s.get("stages", {}).items()))
        same = _rule_on_same_items(recs, r) if model else None
        lines.append(
            f"| {r['split']} | {r['backend']} | {r['mode']} | {s['items']} | "
            f"{_f(s['pass_at_1'], 2) if model else '-'} | {_f(s['compile_after_repair'], 2) if model else '-'} | "
            f"{_f(s['compile_final'], 2)} | {_f(s['stroke_f1'])} | {_f(s['label_f1'])} | "
            f"{'-' if same is None else f'{same[0]:.3f} / {same[1]:.3f}'} | "
            f"{_f(s['length_ratio_median'], 2)} | {_f(s['seconds_median'], 1)} | {_f(s.get('tokens_per_s'), 1)} | {stages} |"
        )
    return "\n".join(lines) + "\n"


def _rule_on_same_items(recs: list[dict], rec: dict) -> tuple[float, float] | None:
    """The rule printer's mean stroke and label F1 on exactly ``rec``'s items (rows may use fewer items)."""
    rule = next((r for r in recs if r["codegen"] == "rule" and r["split"] == rec["split"] and r["mode"] == rec["mode"]), None)
    if rule is None:
        return None
    by_id = {i["id"]: i for i in rule["items"]}
    mine = [by_id[i["id"]] for i in rec["items"] if i["id"] in by_id]
    if len(mine) != len(rec["items"]) or not mine:
        return None
    return sum(i["stroke_f1"] for i in mine) / len(mine), sum(i["label_f1"] for i in mine) / len(mine)
