"""Regenerate the bundled example images (see README.md here for where each comes from).

    .venv/bin/python examples/make_examples.py
"""

from __future__ import annotations

from pathlib import Path

from img2asy.asy import Toolchain
from img2asy.data.generators import generate
from img2asy.data.real import load_blocks

HERE = Path(__file__).resolve().parent
DPI = 150
SYNTHETIC = [("triangle", 3), ("circle_sector", 1), ("bar_chart", 2), ("coordinate_plane", 4)]
REAL = ["290afaf1532d", "8cb7c9fdc36d"]  # MATH blocks in the train split


def main() -> None:
    tc = Toolchain.default()
    programs = {f"synthetic-{fam}-{seed}": generate(fam, seed).code for fam, seed in SYNTHETIC}
    blocks = {b.id: b for b in load_blocks()}
    programs |= {f"math-{bid}": blocks[bid].code for bid in REAL}
    for name, code in programs.items():
        res = tc.compile(code)
        if not res.ok:
            raise SystemExit(f"{name} does not compile: {res.errors[0]}")
        tc.rasterize(res.pdf, DPI).save(HERE / f"{name}.png", dpi=(DPI, DPI))
        print(HERE / f"{name}.png")


if __name__ == "__main__":
    main()
