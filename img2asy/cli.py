"""The ``img2asy`` command line: one entry point, a sub-command per capability.

Each stage package owns its sub-commands in a ``commands`` module with a
``register(groups)`` function; this file only creates the command groups and lists the
modules, so stages can be added or swapped without touching each other.
"""

from __future__ import annotations

import argparse
import importlib

GROUPS = {
    "data": "dataset engine: build, inspect",
    "train": "train the detector or the codegen model",
    "eval": "measure perception and codegen",
    "model": "base models",
}
COMMAND_MODULES = (
    "img2asy.training.detector_commands",
    "img2asy.data.commands",
    "img2asy.codegen.commands",
    "img2asy.training.codegen_commands",
    "img2asy.codegen.run_commands",
    "img2asy.eval.codegen_commands",
    "img2asy.perception.commands",
    "img2asy.eval.perception_commands",
)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="img2asy", description="Images of K-12 math diagrams to Asymptote.")
    root = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    groups: dict = {"root": root}
    for name, help_ in GROUPS.items():
        groups[name] = root.add_parser(name, help=help_).add_subparsers(dest=f"{name}_cmd", required=True, metavar="ACTION")
    for mod in COMMAND_MODULES:
        importlib.import_module(mod).register(groups)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    raise SystemExit(main())
