"""Generator registry and the record every synthetic family returns.

A family is a function ``(rng) -> str`` that writes one Asymptote program the way a person
would (named points, ``size``, loops, ``label("$A$", A, SW)``). Families register by name so
the dataset builder, tests and docs enumerate them from one place.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

GeneratorFn = Callable[[random.Random], str]

_REGISTRY: dict[str, GeneratorFn] = {}


@dataclass(frozen=True)
class Diagram:
    """One generated program and where it came from."""

    family: str
    seed: int
    code: str


def join_program(lines: list[str]) -> str:
    """The program text of ``lines``, without leading or repeated blank lines."""
    res: list[str] = []
    for ln in lines:
        if ln == "" and (not res or res[-1] == ""):
            continue
        res.append(ln)
    return "\n".join(res)


def register(name: str) -> Callable[[GeneratorFn], GeneratorFn]:
    """Decorator: add a family under ``name`` (names are unique)."""

    def deco(fn: GeneratorFn) -> GeneratorFn:
        if name in _REGISTRY:
            raise ValueError(f"family {name!r} registered twice")
        _REGISTRY[name] = fn
        return fn

    return deco


def families() -> list[str]:
    """All registered family names, sorted (importing the package registers them)."""
    return sorted(_REGISTRY)


def generate(family: str, seed: int) -> Diagram:
    """Deterministic: the same (family, seed) always gives the same program."""
    try:
        fn = _REGISTRY[family]
    except KeyError:
        raise KeyError(f"unknown family {family!r}; known: {', '.join(families())}") from None
    rng = random.Random(f"{family}:{seed}")
    return Diagram(family, seed, fn(rng).strip() + "\n")
