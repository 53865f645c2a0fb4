"""Verified generation: compile, repair, best-of-K, and the rule printer as the last resort.

For one scene graph, :func:`generate_verified` runs the stages in order and stops at the
first that yields a program that compiles:

1. ``model``: the backend's first (greedy) program;
2. ``repair``: up to ``rounds`` times, the backend sees its previous program and the
   structured compiler error (:class:`prompt.Repair`) and writes a new one;
3. ``best_of_k``: ``k`` sampled programs; among those that compile, the one whose render
   best matches the input image (stroke F1, :mod:`eval.metrics`) wins;
4. ``rule_better`` (``rule_check``): when a model program compiled, the rule printer's
   program is rendered too and replaces it if it matches the input image clearly better
   (stroke F1 higher by ``rule_margin``): a model program that compiles but draws the wrong
   picture is no better for a teacher than one that fails;
5. ``rule_fallback``: the deterministic printer, first with the graph's LaTeX labels, then
   with plain-text labels, then without labels, so no image yields nothing.

Every attempt is recorded (stage, compiled, error, seconds) for results.csv and evaluation.
A backend that raises (a server down, a model out of memory) counts as a failed attempt.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from PIL import Image

from img2asy.asy import CompileResult, Toolchain
from img2asy.scene_graph.schema import SceneGraph
from img2asy.scene_graph.serialize import to_text

from .prompt import Repair
from .registry import Backend
from .rule import RuleOptions, print_asy

STAGES = ("model", "repair", "best_of_k", "rule_better", "rule_fallback")


@dataclass(frozen=True)
class RepairConfig:
    """How hard to try before falling back to the rule printer."""

    rounds: int = 2  # repair rounds after the first program fails
    k: int = 4  # samples for best-of-K (0: skip the stage)
    always_sample: bool = False  # best-of-K even when the first program compiles (slower, maybe better)
    score_final: bool = True  # stroke F1 of the final program against the input image
    rule_check: bool = True  # compare a compiling model program with the rule printer's (needs the image)
    rule_margin: float = 0.02  # the rule program replaces it when its stroke F1 is higher by more than this


@dataclass
class Attempt:
    """One generated program and what the compiler said."""

    stage: str
    compiled: bool
    error: str | None
    seconds: float
    stroke_f1: float | None = None


@dataclass
class CodegenResult:
    """The program chosen for one graph and how it was reached."""

    code: str
    stage: str  # model | repair | best_of_k | rule_better | rule_fallback | failed
    compiled: bool
    backend: str
    attempts: list[Attempt] = field(default_factory=list)
    seconds: float = 0.0
    stroke_f1: float | None = None  # final program vs the input image (text removed)
    compile_result: CompileResult | None = field(default=None, repr=False)

    @property
    def pass_at_1(self) -> bool:
        """The backend's very first program compiled."""
        return bool(self.attempts) and self.attempts[0].stage == "model" and self.attempts[0].compiled

    @property
    def compiled_after_repair(self) -> bool:
        """Compiled by the end of the repair stage (before sampling and fallback)."""
        return any(a.compiled for a in self.attempts if a.stage in ("model", "repair"))

    def stage_seconds(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for a in self.attempts:
            out[a.stage] = out.get(a.stage, 0.0) + a.seconds
        return out

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("compile_result")
        d["pass_at_1"] = self.pass_at_1
        d["compiled_after_repair"] = self.compiled_after_repair
        return d


def error_text(result: CompileResult, limit: int = 3) -> str:
    """The compiler's complaint as the repair prompt shows it (first ``limit`` errors)."""
    return "\n".join(str(e) for e in result.errors[:limit]) or "the program did not compile"


class _Scorer:
    """Stroke F1 against the input image; the reference mask is built once, on first use, and
    each program is rendered once however many stages compare it."""

    def __init__(self, image: Image.Image | None, graph: SceneGraph, toolchain: Toolchain):
        self.image, self.graph, self.toolchain = image, graph, toolchain
        self._ref = None
        self._done: dict[int, tuple[CompileResult, float]] = {}  # id -> (result kept alive, F1)

    def __call__(self, result: CompileResult) -> float | None:
        if self.image is None or not result.ok:
            return None
        if id(result) in self._done:
            return self._done[id(result)][1]
        from img2asy.eval.metrics import Reference, candidate_mask, stroke_prf

        if self._ref is None:
            self._ref = Reference.from_image(self.image, self.graph)
        cand = candidate_mask(result, self.toolchain, self._ref.dpi)
        f1 = stroke_prf(cand, self._ref.mask, self._ref.tol).f1
        self._done[id(result)] = (result, f1)
        return f1


def _generate(backend: Backend, graph: SceneGraph, text: str, n: int, repair: Repair | None) -> tuple[list[str], str | None]:
    try:
        return backend.generate(graph, text, n, repair), None
    except Exception as e:  # a failing backend is a failed attempt, never a failed batch
        return [], f"backend error: {type(e).__name__}: {e}"


def rule_fallback(graph: SceneGraph, toolchain: Toolchain, skip_first: bool = False) -> list[tuple[str, CompileResult, float]]:
    """Rule programs tried in order (LaTeX labels, plain labels, none) until one compiles."""
    tried = []
    for labels in ("latex", "text", "none")[1 if skip_first else 0 :]:
        t0 = time.perf_counter()
        code = print_asy(graph, RuleOptions(labels=labels))
        res = toolchain.compile(code)
        tried.append((code, res, time.perf_counter() - t0))
        if res.ok:
            break
    return tried


def generate_verified(backend: Backend, graph: SceneGraph, toolchain: Toolchain, image: Image.Image | None = None,
                      cfg: RepairConfig = RepairConfig(), scene_text: str | None = None) -> CodegenResult:  # fmt: skip
    """Run the stages of the module docstring for one graph; ``image`` is the input (for scoring)."""
    t_start = time.perf_counter()
    text = scene_text if scene_text is not None else to_text(graph)
    score = _Scorer(image, graph, toolchain)
    attempts: list[Attempt] = []
    best: tuple[str, CompileResult, str] | None = None  # code, result, stage
    last: tuple[str, CompileResult | None] = ("", None)

    def attempt(stage: str, code: str | None, gen_seconds: float, err: str | None) -> CompileResult | None:
        nonlocal last
        t0 = time.perf_counter()
        if code is None:
            attempts.append(Attempt(stage, False, err, gen_seconds))
            return None
        res = toolchain.compile(code)
        attempts.append(Attempt(stage, res.ok, None if res.ok else error_text(res, 1), gen_seconds + time.perf_counter() - t0))
        last = (code, res)
        return res

    # 1. first program
    t0 = time.perf_counter()
    codes, err = _generate(backend, graph, text, 1, None)
    res = attempt("model", codes[0] if codes else None, time.perf_counter() - t0, err)
    if res is not None and res.ok:
        best = (codes[0], res, "model")

    # 2. repair rounds
    if best is None and backend.can_repair and res is not None:
        prev_code, prev_res = codes[0], res
        for _ in range(cfg.rounds):
            t0 = time.perf_counter()
            codes, err = _generate(backend, graph, text, 1, Repair(prev_code, error_text(prev_res)))
            res = attempt("repair", codes[0] if codes else None, time.perf_counter() - t0, err)
            if res is None:
                break
            if res.ok:
                best = (codes[0], res, "repair")
                break
            prev_code, prev_res = codes[0], res

    # 3. best-of-K with render-and-compare
    if backend.can_sample and cfg.k > 0 and (best is None or cfg.always_sample):
        t0 = time.perf_counter()
        codes, err = _generate(backend, graph, text, cfg.k, None)
        gen = (time.perf_counter() - t0) / max(1, len(codes))
        if not codes:
            attempt("best_of_k", None, time.perf_counter() - t0, err)
        pool: list[tuple[float, int, str, CompileResult, str]] = []
        if best is not None:
            f1 = score(best[1])
            attempts[-1].stroke_f1 = f1
            pool.append((f1 or 0.0, -len(best[0]), best[0], best[1], best[2]))
        for code in codes:
            res = attempt("best_of_k", code, gen, None)
            if res is not None and res.ok:
                f1 = score(res)
                attempts[-1].stroke_f1 = f1
                pool.append((f1 or 0.0, -len(code), code, res, "best_of_k"))
        if pool:
            _, _, code, res, stage = max(pool, key=lambda t: (t[0], t[1]))
            best = (code, res, stage)

    # 4. the rule printer's program, when it redraws the input clearly better
    if best is not None and cfg.rule_check and image is not None and backend.name != "rule":
        f_model = score(best[1]) or 0.0
        for code, res, secs in rule_fallback(graph, toolchain):
            attempts.append(Attempt("rule_better", res.ok, None if res.ok else error_text(res, 1), secs))
            if res.ok:
                attempts[-1].stroke_f1 = f_rule = score(res)
                if f_rule is not None and f_rule > f_model + cfg.rule_margin:
                    best = (code, res, "rule_better")
                break

    # 5. the rule printer, always there
    if best is None:
        for code, res, secs in rule_fallback(graph, toolchain, skip_first=backend.name == "rule"):
            attempts.append(Attempt("rule_fallback", res.ok, None if res.ok else error_text(res, 1), secs))
            last = (code, res)
            if res.ok:
                best = (code, res, "rule_fallback")
                break

    if best is None:
        code, res = last
        return CodegenResult(code, "failed", False, backend.name, attempts, time.perf_counter() - t_start, None, res)
    code, res, stage = best
    f1 = score(res) if cfg.score_final else None
    return CodegenResult(code, stage, True, backend.name, attempts, time.perf_counter() - t_start, f1, res)
