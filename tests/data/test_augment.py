"""Image-level variation keeps the ground truth aligned with the degraded image."""

from __future__ import annotations

import random

import numpy as np

from img2asy.data.annotate import annotate
from img2asy.data.augment import Degradation, degrade
from img2asy.eval.ink import coverage

FIGURE = r"""size(160);
pair A=(0,0), B=(4,0), C=(1,3);
draw(A--B--C--cycle);
draw(circle((1.6,1),0.8), dashed);
dot(A); dot(B); dot(C);
label("$A$", A, SW); label("$B$", B, SE); label("$C$", C, N);
"""


def _setup(toolchain):
    res = toolchain.compile(FIGURE)
    img = toolchain.rasterize(res.pdf, 150)
    return res, annotate(res.pdf, res.tex, 150, img.size)


def test_rotation_and_rescale_keep_annotation_aligned(toolchain):
    res, g = _setup(toolchain)
    deg = Degradation(dpi=100, rotate=2.0, paper=(245, 245, 238))
    img, g2 = degrade(res.pdf, g, deg, toolchain)
    assert (g2.width, g2.height) == img.size and g2.dpi == 100
    assert coverage(img, g2) >= 0.97
    # the same graph without the rotation explains clearly less of the rotated image
    unrotated, _ = degrade(res.pdf, g, Degradation(dpi=100), toolchain)
    assert coverage(img, g.scaled(100 / 150)) < coverage(img, g2) - 0.05
    assert unrotated.size == img.size


def test_every_sampled_degradation_is_applied_and_explained(toolchain):
    res, g = _setup(toolchain)
    rng = random.Random(0)
    for i in range(6):
        deg = Degradation.sample(rng)
        img, g2 = degrade(res.pdf, g, deg, toolchain, seed=i)
        assert 72 <= deg.dpi <= 300 and abs(deg.rotate) <= 2
        assert img.size == (g2.width, g2.height)
        assert coverage(img, g2, pad=2.0) >= 0.9, deg


def test_paper_colour_and_noise_change_the_background(toolchain):
    res, g = _setup(toolchain)
    img, _ = degrade(res.pdf, g, Degradation(paper=(240, 238, 230), noise=4.0), toolchain, seed=1)
    corner = np.asarray(img)[:5, :5].reshape(-1, 3).mean(0)
    assert 225 < corner[0] < 250 and corner[2] < corner[0]
