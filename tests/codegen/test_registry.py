"""Backends are named in one registry and every generating command takes --codegen."""

from __future__ import annotations

import argparse

import pytest

from img2asy.codegen.registry import DEFAULT_SPEC, BackendSpec, add_codegen_argument, make_backend, parse_spec
from img2asy.codegen.rule import RuleBackend


def test_specs_round_trip():
    for s in ("rule", "hf:qwen2.5-coder-0.5b", "hf:/models/base+/runs/adapter", "openai:http://h:8000/v1#m"):
        assert str(parse_spec(s)) == s
    assert parse_spec("hf:base") == BackendSpec("hf", "base", "")


def test_hf_generation_options_in_the_spec():
    spec = parse_spec("hf:/m/base+/m/lora?dtype=bf16&threads=2")
    assert (spec.base, spec.extra, spec.options) == ("/m/base", "/m/lora", (("dtype", "bf16"), ("threads", "2")))
    assert str(spec) == "hf:/m/base+/m/lora?dtype=bf16&threads=2"
    assert parse_spec("hf?max_new_tokens=64").options == (("max_new_tokens", "64"),)
    with pytest.raises(ValueError, match="dtype"):
        parse_spec("hf:base?colour=blue")


def test_bare_hf_is_the_base_with_the_shipped_adapter():
    from img2asy.codegen.model_io import DEFAULT_BASE, adapter_base
    from img2asy.codegen.registry import SHIPPED_ADAPTER

    spec = parse_spec("hf")
    assert (spec.kind, spec.base, spec.extra) == ("hf", DEFAULT_BASE, str(SHIPPED_ADAPTER))
    assert (SHIPPED_ADAPTER / "adapter_model.safetensors").exists()
    assert adapter_base(SHIPPED_ADAPTER) == DEFAULT_BASE


def test_rule_is_the_default_and_builds_without_heavy_imports():
    assert DEFAULT_SPEC == "rule"
    assert isinstance(make_backend("rule"), RuleBackend)


def test_unknown_spec_explains_the_forms():
    with pytest.raises(ValueError, match="openai:<url>#<model>"):
        parse_spec("llama")


def test_codegen_flag():
    p = argparse.ArgumentParser()
    add_codegen_argument(p)
    assert p.parse_args([]).codegen == "rule"
    assert p.parse_args(["--codegen", "hf:x+y"]).codegen == "hf:x+y"


def test_generators_outside_the_base_class_are_adapted(toolchain):
    """A generator object without the Backend base (the hf backend's shape) works in the repair loop."""
    from dataclasses import dataclass

    from img2asy.codegen.registry import Adapted
    from img2asy.codegen.repair import generate_verified
    from img2asy.scene_graph.schema import SceneGraph, Stroke

    @dataclass
    class Stats:
        new_tokens: int
        seconds: float

    class Plain:
        name = "plain"

        def __init__(self):
            self.history = []

        def generate(self, scene, scene_text, n=1, repair=None):
            self.history.append(Stats(10 * n, 0.5))
            return ["size(100, 100);\ndraw((0,0)--(1,1));\n"] * n

    backend = Adapted(Plain())
    g = SceneGraph(100, 100, 150)
    g.add("segment", Stroke(1.0), a=[2, 98], b=[98, 2])
    res = generate_verified(backend, g, toolchain)
    assert res.stage == "model" and res.backend == "plain"
    assert backend.usage.completion_tokens == 10 and backend.usage.tokens_per_second == 20.0
