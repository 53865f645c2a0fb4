"""``img2asy model ...`` sub-commands."""

from __future__ import annotations

import argparse
from pathlib import Path


def _model_assemble(a: argparse.Namespace) -> int:
    from img2asy.codegen.base_model import assemble_gguf

    print(assemble_gguf(Path(a.dest) if a.dest else None))
    return 0


def register(groups: dict) -> None:
    m = groups["model"].add_parser("assemble", help="assemble the offline Qwen2.5-Coder GGUF and check its sha256")
    m.add_argument("--dest", default=None)
    m.set_defaults(fn=_model_assemble)
