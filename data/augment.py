"""Image-level variation: how screenshots and scans differ from a clean render.

A :class:`Degradation` is sampled per item (dpi 72-300, antialiasing on/off, JPEG artefacts,
light blur and noise, a degree or two of rotation, off-white paper) and applied to the PDF
render; the ground-truth graph is mapped through the same geometry so it stays exact.
"""

from __future__ import annotations

import io
import math
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


def _rotate_graph(g: SceneGraph, deg: float) -> SceneGraph:
    """Map every coordinate through a rotation about the image centre (PIL's convention)."""
    out = SceneGraph.from_json(g.to_json())
    cx, cy = g.width / 2, g.height / 2
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))

    def rot(p):  # counter-clockwise on screen: y grows downwards
        x, y = p[0] - cx, p[1] - cy
        return [round(cx + c * x + s * y, 2), round(cy - s * x + c * y, 2)]

    for _, d in out.nodes():
        for key in ("xy", "a", "b", "center", "tip"):
            if key in d:
                d[key] = rot(d[key])
        if "pts" in d:
            d["pts"] = [rot(p) for p in d["pts"]]
        if "subpaths" in d:
            d["subpaths"] = [[rot(p) for p in sp] for sp in d["subpaths"]]
        if "start" in d:
            d["start"], d["end"] = d["start"] + deg, d["end"] + deg
        if "bbox" in d:
            x0, y0, x1, y1 = d["bbox"]
            corners = [rot(p) for p in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
            d["bbox"] = [min(p[0] for p in corners), min(p[1] for p in corners),
                         max(p[0] for p in corners), max(p[1] for p in corners)]  # fmt: skip
            d["angle"] = d.get("angle", 0.0) + deg
    return out


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
        g = _rotate_graph(g, deg.rotate)
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
