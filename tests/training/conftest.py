"""Fixtures for the codegen training tests: a tiny random Qwen2 and a four-item built dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

from img2asy.codegen.base_model import models_dir
from img2asy.codegen.model_io import BASE_MODELS, DEFAULT_BASE, build_tiny_model
from img2asy.data import dataset as ds
from img2asy.data import generators

# (family, seed, split): short programs, so the tiny runs stay fast
ITEMS = [("grid", 1, "train"), ("composite_area", 1, "train"), ("dot_lattice", 1, "train"), ("triangle", 1, "val")]


def tiny_model(out: Path) -> Path:
    """A 2-layer random Qwen2 with the real Qwen tokenizer when converted here, else a small built one."""
    real = models_dir() / BASE_MODELS[DEFAULT_BASE].folder
    src = real if (real / "tokenizer.json").exists() else None
    corpus = [generators.generate(f, s).code for f in generators.families() for s in (1, 2)]
    return build_tiny_model(out, tokenizer_src=src, corpus=corpus, hidden=64, layers=2)


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory) -> Path:
    return tiny_model(tmp_path_factory.mktemp("tiny-qwen2"))


@pytest.fixture(scope="session")
def sft_dataset(tmp_path_factory, toolchain) -> Path:
    """A real built dataset (compiled, annotated, degraded) of four generator items."""
    out = tmp_path_factory.mktemp("sft-ds")
    specs = []
    for fam, seed, split in ITEMS:
        d = generators.generate(fam, seed)
        specs.append(ds.ItemSpec(f"syn-{fam}-{seed}", "synthetic", fam, "", d.code, split, seed))
    records = [ds.build_item(s, 100, True, toolchain) for s in specs]
    assert all(r["compiled"] for r in records), [r["error"] for r in records]
    ds.write_dataset(records, out)
    return out
