"""Every synthetic family over many seeds: compiles with stock asy, is annotated completely.

``IMG2ASY_TEST_SEEDS`` sets the number of seeds per family (default 10; the dataset build
checks thousands more and reports its compile rate in stats.json).
"""

from __future__ import annotations

import os
import re
import statistics

import pytest

from img2asy.data.annotate import annotate
from img2asy.data.generators import families, generate
from img2asy.eval.ink import coverage

SEEDS = int(os.environ.get("IMG2ASY_TEST_SEEDS", "10"))
ALL = families()


def test_at_least_twenty_families():
    assert len(ALL) >= 20, ALL


def test_same_seed_same_program():
    for fam in ALL:
        assert generate(fam, 11).code == generate(fam, 11).code
        assert len({generate(fam, s).code for s in range(5)}) >= 3, f"{fam} barely varies"


@pytest.mark.parametrize("family", ALL)
def test_programs_read_like_a_person_wrote_them(family):
    for seed in range(SEEDS):
        code = generate(family, seed).code
        assert not re.search(r"\b(olympiad|cse5)\b", code), "AoPS-only modules"
        assert "import three" not in code
        assert re.search(r"(?<![A-Za-z_])(unit)?size\s*\(", code), "sets a size"
        assert "draw(" in code or "fill(" in code or "filldraw(" in code or "dot(" in code


@pytest.mark.parametrize("family", ALL)
def test_every_seed_compiles_and_is_fully_annotated(family, toolchain):
    covs = []
    for seed in range(SEEDS):
        d = generate(family, seed)
        res = toolchain.compile(d.code)
        assert res.ok, f"{family} seed {seed}: {res.errors}\n{d.code}"
        img = toolchain.rasterize(res.pdf, 150)
        assert 60 <= img.width <= 1400 and 20 <= img.height <= 1400, img.size
        g = annotate(res.pdf, res.tex, 150, img.size)
        covs.append(coverage(img, g))
    assert min(covs) >= 0.95, covs
    assert statistics.fmean(covs) >= 0.98, covs
