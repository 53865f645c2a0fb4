"""Ink coverage: how much of an image's ink a scene graph explains.

Used by the dataset self-check (ground truth must explain >= 98% of the ink) and, later,
by perception's "ink explained" figure: one implementation for both.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from img2asy.scene_graph.render import draw_graph
from img2asy.scene_graph.schema import SceneGraph

INK_MARGIN = 20  # a pixel is ink when it is this much darker (0-255) than the paper
MIN_SPECK = 3  # connected ink smaller than this many pixels is noise


def paper_level(image: Image.Image) -> float:
    """Brightness of the paper: the 95th percentile of luminance (paper is most of a diagram)."""
    return float(np.percentile(np.asarray(image.convert("L")), 95))


def ink(image: Image.Image, margin: int = INK_MARGIN) -> np.ndarray:
    """Boolean mask of inked pixels: visibly darker than the paper, whatever its shade.

    Measured against the paper rather than pure white so scans on off-white, noisy paper
    are judged like clean renders.
    """
    rgb = np.asarray(image.convert("RGB")).astype(np.int16)
    lum = np.asarray(image.convert("L")).astype(np.int16)
    dark = lum < paper_level(image) - margin
    coloured = (rgb.max(axis=2) - rgb.min(axis=2)) > 3 * margin  # saturated colour on white paper
    mask = (dark | coloured).astype(np.uint8)
    # Isolated specks (scanner noise, JPEG ringing away from strokes) are not ink.
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= MIN_SPECK
    keep[0] = False
    return keep[labels]


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
