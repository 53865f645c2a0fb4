"""Image-level variation: how screenshots and scans differ from a clean render.

A :class:`Degradation` is sampled per item (dpi 72-300, antialiasing on/off, JPEG artefacts,
light blur and noise, a degree or two of rotation, off-white paper) and applied to the PDF
render; the ground-truth graph is mapped through the same geometry so it stays exact.
"""

from __future__ import annotations

import io
import random
from dataclasses import asdict, dataclass

import numpy as np
from PIL import Image, ImageFilter

from img2asy.asy import Toolchain
from img2asy.scene_graph.schema import SceneGraph


@dataclass(frozen=True)
class Degradation:
    dpi: float = 150
    antialias: bool = True
    jpeg_quality: int | None = None
    blur: float = 0.0
    noise: float = 0.0  # std of Gaussian noise, in 0-255 grey levels
    rotate: float = 0.0  # degrees, counter-clockwise
    paper: tuple[int, int, int] = (255, 255, 255)

    @classmethod
    def sample(cls, rng: random.Random) -> "Degradation":
        return cls(
            dpi=rng.choice([72, 96, 100, 120, 150, 150, 200, 300]),
            antialias=rng.random() < 0.8,
            jpeg_quality=rng.choice([None, None, 95, 80, 60, 40]),
            blur=rng.choice([0.0, 0.0, 0.0, 0.4, 0.7]),
            noise=rng.choice([0.0, 0.0, 3.0, 6.0]),
            rotate=round(rng.uniform(-2, 2), 2) if rng.random() < 0.4 else 0.0,
            paper=rng.choice([(255, 255, 255), (255, 255, 255), (250, 248, 240), (245, 245, 238), (240, 240, 240)]),
        )

    def to_json(self) -> dict:
        return asdict(self)


def degrade(pdf: bytes, graph: SceneGraph, deg: Degradation, toolchain: Toolchain, seed: int = 0) -> tuple[Image.Image, SceneGraph]:
    """Render ``pdf`` under ``deg`` and return the image with the matching ground truth.

    ``graph`` is the ground truth at ``graph.dpi``; it is rescaled to ``deg.dpi``.
    """
    img = toolchain.rasterize(pdf, deg.dpi, "all", deg.antialias)
    g = graph.scaled(deg.dpi / graph.dpi) if graph.dpi else graph
    g.g.graph.update(width=img.width, height=img.height)
    arr = np.asarray(img, dtype=np.float32)
    paper = np.asarray(deg.paper, dtype=np.float32)
    arr = arr / 255.0 * paper  # white becomes the paper colour, ink stays dark
    img = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    if deg.rotate:
        img = img.rotate(deg.rotate, resample=Image.BICUBIC, fillcolor=deg.paper)
        g = g.rotated(deg.rotate)
    if deg.blur:
        img = img.filter(ImageFilter.GaussianBlur(deg.blur))
    if deg.noise:
        rng = np.random.default_rng(seed)
        noisy = np.asarray(img, dtype=np.float32) + rng.normal(0, deg.noise, (img.height, img.width, 1))
        img = Image.fromarray(noisy.clip(0, 255).astype(np.uint8))
    if deg.jpeg_quality:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=deg.jpeg_quality)
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    return img, g
