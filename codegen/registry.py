"""The one place codegen backends are named: ``rule``, ``hf:<base>[+<adapter>]``, ``openai:<url>#<model>``.

Every generating command takes ``--codegen SPEC`` and resolves it here, so a new backend is
one entry in :func:`make_backend`. All backends share :class:`Backend`: given a scene graph
and its text form they return ``n`` complete programs, optionally repairing a failed one.

Heavy backends import lazily (``hf`` pulls in torch), so ``rule`` stays instant.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from img2asy.scene_graph.schema import SceneGraph

from .prompt import Repair

DEFAULT_SPEC = "rule"
SHIPPED_ADAPTER = Path(__file__).resolve().parent.parent / "models" / "codegen" / "asy-lora-qwen05b"


@dataclass
class Usage:
    """What a backend has spent so far (for tokens/s in benchmarks); zero for ``rule``."""

    calls: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    @property
    def tokens_per_second(self) -> float | None:
        return self.completion_tokens / self.seconds if self.completion_tokens and self.seconds > 0 else None


class Backend(ABC):
    """Scene graph -> Asymptote programs.

    ``generate`` returns ``n`` programs (sampled when ``n > 1`` and the backend can sample);
    with ``repair`` it is shown its previous program and the compiler's error and asked again.
    ``can_repair`` / ``can_sample`` tell the repair loop which of its stages make sense.
    """

    name: str = "backend"
    can_repair: bool = True
    can_sample: bool = True

    def __init__(self) -> None:
        self.usage = Usage()

    @abstractmethod
    def generate(self, scene: SceneGraph, scene_text: str, n: int = 1, repair: Repair | None = None) -> list[str]:
        """``n`` complete programs for ``scene`` (``scene_text`` is its :func:`serialize.to_text`)."""

    def close(self) -> None:
        """Release what the backend holds (models, connections); a no-op by default."""


@dataclass(frozen=True)
class BackendSpec:
    """A parsed ``--codegen`` string."""

    kind: str  # rule | hf | openai
    base: str = ""  # hf: base model spec; openai: endpoint URL
    extra: str = ""  # hf: adapter path; openai: model name
    options: tuple[tuple[str, str], ...] = ()  # hf: HFOptions given after '?' (max_new_tokens=256&threads=2)

    def __str__(self) -> str:
        if self.kind == "rule":
            return "rule"
        if self.kind == "hf":
            opts = "&".join(f"{k}={v}" for k, v in self.options)
            return f"hf:{self.base}" + (f"+{self.extra}" if self.extra else "") + (f"?{opts}" if opts else "")
        return f"openai:{self.base}#{self.extra}"


SPEC_HELP = (
    "codegen backend: 'rule' (deterministic printer), 'hf' (Qwen2.5-Coder-0.5B with the shipped LoRA adapter), "
    "'hf:<base>[+<adapter>][?max_new_tokens=256&threads=2]' (local transformers model, optional LoRA adapter, "
    "generation options), or 'openai:<url>#<model>' (an OpenAI-compatible /v1/chat/completions server)"
)


def parse_spec(spec: str) -> BackendSpec:
    """Parse a ``--codegen`` string; raises ValueError with the accepted forms."""
    s = spec.strip()
    if s == "rule":
        return BackendSpec("rule")
    if s == "hf" or s.startswith("hf?"):  # the default model: the offline base with the shipped adapter
        from .model_io import DEFAULT_BASE

        return BackendSpec("hf", DEFAULT_BASE, str(SHIPPED_ADAPTER), _hf_options(spec, s[3:]))
    if s.startswith("hf:"):
        body, _, query = s[3:].partition("?")
        base, _, adapter = body.partition("+")
        if not base:
            raise ValueError(f"bad codegen spec {spec!r}: hf:<base>[+<adapter>] needs a base")
        return BackendSpec("hf", base, adapter, _hf_options(spec, query))
    if s.startswith("openai:"):
        url, sep, model = s[7:].rpartition("#")
        if not sep or not url or not model:
            raise ValueError(f"bad codegen spec {spec!r}: use openai:<url>#<model>")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"bad codegen spec {spec!r}: the URL must start with http:// or https://")
        return BackendSpec("openai", url, model)
    raise ValueError(f"unknown codegen spec {spec!r}; {SPEC_HELP}")


def _hf_options(spec: str, query: str) -> tuple[tuple[str, str], ...]:
    """``max_new_tokens=256&threads=2`` -> checked (key, value) pairs; keys are :class:`codegen.hf.HFOptions` fields."""
    from dataclasses import fields

    from .hf import HFOptions

    known = {f.name for f in fields(HFOptions)}
    out = []
    for part in filter(None, query.split("&")):
        key, eq, value = part.partition("=")
        if not eq or key not in known:
            raise ValueError(f"bad codegen spec {spec!r}: option {part!r}; use key=value with key in {sorted(known)}")
        out.append((key, value))
    return tuple(out)


def _option_value(value: str) -> int | float | str:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def make_backend(spec: str | BackendSpec, hf_options: dict | None = None) -> Backend:
    """The backend a spec names (imports heavy dependencies only for the backend asked for).

    ``hf_options`` go to :class:`codegen.hf.HFOptions` (``max_new_tokens``, ``threads``, ...);
    options written in the spec itself (``?max_new_tokens=256``) win over them.
    """
    bs = parse_spec(spec) if isinstance(spec, str) else spec
    if bs.kind == "rule":
        from .rule import RuleBackend

        return RuleBackend()
    if bs.kind == "openai":
        from .openai_backend import OpenAIBackend

        return OpenAIBackend(bs.base, bs.extra)
    if bs.kind == "hf":
        from .hf import HFBackend

        opts = (hf_options or {}) | {k: _option_value(v) for k, v in bs.options}
        model = HFBackend(bs.base, bs.extra or None, **opts)
        return model if isinstance(model, Backend) else Adapted(model)
    raise ValueError(f"unknown backend kind {bs.kind!r}")


class Adapted(Backend):
    """A generator with ``generate(scene, scene_text, n, repair)`` but not this base class.

    Reads its speed from ``history`` (records with ``new_tokens`` and ``seconds``) when it
    keeps one, so benchmarks report tokens/s for it like any other backend.
    """

    def __init__(self, inner) -> None:
        super().__init__()
        self.inner = inner
        self.name = getattr(inner, "name", type(inner).__name__)
        self.can_repair = getattr(inner, "can_repair", True)
        self.can_sample = getattr(inner, "can_sample", True)

    def generate(self, scene: SceneGraph, scene_text: str, n: int = 1, repair: Repair | None = None) -> list[str]:
        t0 = time.perf_counter()
        out = self.inner.generate(scene, scene_text, n, repair)
        self.usage.calls += 1
        history = getattr(self.inner, "history", None)
        if history:
            self.usage.completion_tokens = sum(int(getattr(h, "new_tokens", 0)) for h in history)
            self.usage.seconds = sum(float(getattr(h, "seconds", 0.0)) for h in history)
        else:
            self.usage.seconds += time.perf_counter() - t0
        return out

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()


def add_codegen_argument(parser, default: str = DEFAULT_SPEC) -> None:
    """``--codegen SPEC`` with the same help on every generating command."""
    parser.add_argument("--codegen", default=default, metavar="SPEC", help=f"{SPEC_HELP} (default: {default})")
