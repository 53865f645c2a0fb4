"""Ink coverage: how much of an image's ink a scene graph explains.

Used by the dataset self-check (ground truth must explain >= 98% of the ink) and, later,
by perception's "ink explained" figure: one implementation for both.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from img2asy.scene_graph.render import draw_graph
from img2asy.scene_graph.schema import SceneGraph

INK_THRESHOLD = 235  # a pixel is ink when its darkest channel is below this (0-255)


def ink(image: Image.Image, threshold: int = INK_THRESHOLD) -> np.ndarray:
    """Boolean mask of inked pixels (anything visibly darker than the paper)."""
    return np.asarray(image.convert("RGB")).min(axis=2) < threshold


def coverage(image: Image.Image, graph: SceneGraph, pad: float = 1.5) -> float:
    """Fraction of ink pixels inside the graph's drawn primitives (widened by ``pad`` px).

    An image with no ink is fully explained (1.0).
    """
    inked = ink(image)
    total = int(inked.sum())
    if total == 0:
        return 1.0
    mask = np.asarray(draw_graph(graph, mask=True, pad=pad).resize(image.size)) > 0
    return float((inked & mask).sum()) / total


def uncovered(image: Image.Image, graph: SceneGraph, pad: float = 1.5) -> Image.Image:
    """A picture of the ink the graph misses (red on a faded copy of the image), for debugging."""
    inked = ink(image)
    mask = np.asarray(draw_graph(graph, mask=True, pad=pad).resize(image.size)) > 0
    out = np.asarray(image.convert("RGB")).copy()
    out = (255 - (255 - out) // 4).astype(np.uint8)
    out[inked & ~mask] = (255, 0, 0)
    return Image.fromarray(out)
