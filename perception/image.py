"""Loading and validating input images before perception.

Perception expects a diagram: dark ink on light, flat paper. Anything else (a corrupt file,
an empty page, a decompression bomb, a photograph) is refused here with a
:class:`PerceptionError` that says what is wrong, so a batch can report it and move on.

Accepted inputs: PNG, JPEG, WebP, GIF/BMP/TIFF (anything Pillow decodes) and PDF (first
page, rendered with Ghostscript through the project toolchain).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

ImageSource = str | Path | bytes | Image.Image


class PerceptionError(ValueError):
    """The input cannot be perceived as a diagram; the message says why."""


@dataclass(frozen=True)
class ImageLimits:
    """What an input may be. Pixel counts are width*height of the decoded image."""

    max_pixels: int = 60_000_000  # refuse beyond this (decompression-bomb guard)
    work_pixels: int = 4_000_000  # downscale to at most this many pixels before perceiving
    min_side: int = 16
    pdf_dpi: float = 150.0
    min_ink_pixels: int = 20  # fewer inked pixels than this: a blank page
    min_paper_fraction: float = 0.30  # diagrams are mostly paper
    max_colour_bins: int = 160  # quantised colours needed to cover 90% of pixels
    max_midtone_fraction: float = 0.6  # share of non-paper pixels that are textured mid-tones


@dataclass(frozen=True)
class LoadedImage:
    """A validated RGB image, its dpi when known and how much it was scaled on load."""

    image: Image.Image
    dpi: float | None
    scale: float  # pixels of ``image`` per pixel of the original
    source: str
    paper: tuple[int, int, int]


def _describe(src: ImageSource) -> str:
    if isinstance(src, (str, Path)):
        return str(src)
    if isinstance(src, bytes):
        return f"<{len(src)} bytes>"
    return "<image>"


def _read_bytes(src: str | Path) -> bytes:
    p = Path(src)
    if not p.exists():
        raise PerceptionError(f"{p}: no such file")
    if p.is_dir():
        raise PerceptionError(f"{p}: is a directory, not an image")
    data = p.read_bytes()
    if not data:
        raise PerceptionError(f"{p}: empty file (0 bytes)")
    return data


def _render_pdf(data: bytes, dpi: float) -> Image.Image:
    from img2asy.asy import Toolchain

    try:
        return Toolchain.default().rasterize(data, dpi)
    except Exception as e:  # gs failure on a broken PDF
        raise PerceptionError(f"cannot render PDF: {str(e)[:200]}") from None


def _dpi_of(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    if not dpi:
        return None
    try:
        v = float(dpi[0])
    except (TypeError, ValueError, IndexError):
        return None
    return v if 50 <= v <= 1200 and abs(v - 72.0) > 0.5 else None  # 72 is usually "unknown"


def _decode(data: bytes, limits: ImageLimits, name: str) -> tuple[Image.Image, float | None, float]:
    """Decode with the pixel count checked before any pixel is decompressed."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PerceptionError(f"{name}: image too large (decompression bomb guard)") from None
        except (UnidentifiedImageError, ImportError, OSError, ValueError):
            # (ultralytics patches Image.open to try an optional HEIF plugin, which may be missing)
            raise PerceptionError(f"{name}: not a readable image (unknown or corrupt format)") from None
    w, h = img.size
    if w * h > limits.max_pixels:
        raise PerceptionError(f"{name}: image too large ({w}x{h} = {w * h / 1e6:.0f} MP > {limits.max_pixels / 1e6:.0f} MP)")
    if min(w, h) < limits.min_side:
        raise PerceptionError(f"{name}: image too small ({w}x{h}; need at least {limits.min_side} px a side)")
    dpi = _dpi_of(img)
    scale = 1.0
    if w * h > limits.work_pixels:
        scale = (limits.work_pixels / (w * h)) ** 0.5
        img.draft("RGB", (int(w * scale), int(h * scale)))  # JPEG: decode at reduced size
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            img.load()
            img = ImageOps.exif_transpose(img)
    except (OSError, SyntaxError, ValueError) as e:
        raise PerceptionError(f"{name}: corrupt image data ({e})") from None
    img = _flatten(img)
    if scale < 1.0:
        img = img.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.LANCZOS)
        scale = img.width / w
    return img, dpi, scale


def _flatten(img: Image.Image) -> Image.Image:
    """RGB on white: transparency (common in PNG exports) becomes paper."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(bg, rgba).convert("RGB")
    return img.convert("RGB")


def paper_colour(arr: np.ndarray) -> tuple[int, int, int]:
    """The paper: the commonest near-white colour when there is enough of it, else the commonest bright one.

    Fills can cover more of a figure than the paper does, so the lightest large colour wins.
    """
    px = arr[::2, ::2].reshape(-1, 3)
    q = (px // 8).astype(np.int32)
    keys = (q[:, 0] << 10) | (q[:, 1] << 5) | q[:, 2]
    counts = np.bincount(keys, minlength=1 << 15)
    idx = np.arange(1 << 15)
    lo = np.minimum(np.minimum(idx >> 10, (idx >> 5) & 31), idx & 31)
    whiteish = np.where(lo >= 27, counts, 0)  # every channel >= ~216
    if whiteish.sum() >= 0.05 * len(px):
        k = int(whiteish.argmax())
    else:
        bright = np.where(lo >= 20, counts, 0)  # bins darker than ~160/255 are never paper
        if bright.max() == 0:
            return (0, 0, 0)
        k = int(bright.argmax())
    return tuple(int(v) for v in np.median(px[keys == k], axis=0))


def check_diagram(img: Image.Image, limits: ImageLimits = ImageLimits(), name: str = "image") -> tuple[int, int, int]:
    """Raise :class:`PerceptionError` unless ``img`` looks like a diagram; returns the paper colour."""
    arr = np.asarray(img.convert("RGB"))
    step = max(1, int((arr.shape[0] * arr.shape[1] / 1_000_000) ** 0.5))
    small = arr[::step, ::step]
    paper = paper_colour(small)
    if sum(paper) / 3 < 150:
        raise PerceptionError(f"{name}: no light paper background found (dark or photographic image)")
    diff = np.abs(small.astype(np.int16) - np.asarray(paper, np.int16)).max(axis=2)
    near_paper = diff < 24
    dark = small.min(axis=2).astype(np.int16) < np.min(paper) - 35
    n_ink = int((np.asarray(arr).min(axis=2).astype(np.int16) < min(235, np.min(paper) - 20)).sum())
    if n_ink < limits.min_ink_pixels:
        raise PerceptionError(f"{name}: blank image (no ink found)")
    paper_frac = float(near_paper.mean())
    # Texture is judged on a median-filtered copy (scan noise and JPEG speckle are not texture)
    # and only where the image is neither paper nor dark ink: dense line art such as a grid is
    # paper and ink, a photo is mostly mid-tones.
    black = small.max(axis=2).astype(np.int16) < 0.5 * np.min(paper)  # ink dark in every channel
    soft = ~near_paper & ~black
    flat = _flat_fraction(cv2.medianBlur(np.ascontiguousarray(small), 3), soft) if soft.any() else 1.0
    if paper_frac < limits.min_paper_fraction and flat < 0.75 and soft.mean() > 0.15:  # little paper, textured: a photo
        raise PerceptionError(
            f"{name}: does not look like a diagram (only {paper_frac:.0%} of the image is plain paper; photo or scan of a scene?)"
        )
    q = (small // 16).reshape(-1, 3).astype(np.int32)
    counts = np.sort(np.bincount((q[:, 0] << 8) | (q[:, 1] << 4) | q[:, 2], minlength=4096))[::-1]
    bins90 = int(np.searchsorted(np.cumsum(counts), 0.9 * counts.sum()) + 1)
    if bins90 > limits.max_colour_bins:
        raise PerceptionError(f"{name}: does not look like a diagram (too many distinct colours: {bins90} colour bins cover 90%)")
    # Mid-tones: pixels that are neither paper nor ink nor part of a flat fill.
    off = ~near_paper & ~dark
    if off.any():
        flat = _flat_fraction(small, off)
        mid = float((off.sum() - flat * off.sum()) / max(1, (~near_paper).sum()))
        if mid > limits.max_midtone_fraction and (~near_paper).mean() > 0.05:
            raise PerceptionError(f"{name}: does not look like a diagram (too much mid-tone shading: {mid:.0%} of the ink)")
    return paper


def _flat_fraction(arr: np.ndarray, sel: np.ndarray) -> float:
    """Share of selected pixels whose 3x3 neighbourhood is flat (fills, not gradients/texture)."""
    a = arr.astype(np.int16)
    d = np.zeros(sel.shape, np.int16)
    d[1:-1, 1:-1] = np.maximum(
        np.abs(a[1:-1, 2:] - a[1:-1, :-2]).max(axis=2), np.abs(a[2:, 1:-1] - a[:-2, 1:-1]).max(axis=2)
    )
    return float(((d < 10) & sel).sum() / max(1, sel.sum()))


def load_image(src: ImageSource, limits: ImageLimits = ImageLimits(), validate: bool = True) -> LoadedImage:
    """Decode ``src`` (path, bytes or PIL image), refusing anything that is not a diagram."""
    name = _describe(src)
    if isinstance(src, Image.Image):
        w, h = src.size
        if w * h > limits.max_pixels:
            raise PerceptionError(f"{name}: image too large ({w}x{h})")
        if min(w, h) < limits.min_side:
            raise PerceptionError(f"{name}: image too small ({w}x{h}; need at least {limits.min_side} px a side)")
        img, dpi, scale = _flatten(src), _dpi_of(src), 1.0
        if w * h > limits.work_pixels:
            scale = (limits.work_pixels / (w * h)) ** 0.5
            img = img.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.LANCZOS)
            scale = img.width / w
    else:
        data = _read_bytes(src) if isinstance(src, (str, Path)) else src
        if not data:
            raise PerceptionError(f"{name}: empty input (0 bytes)")
        if data[:5] == b"%PDF-":
            img, dpi, scale = _render_pdf(data, limits.pdf_dpi), limits.pdf_dpi, 1.0
            if img.width * img.height > limits.max_pixels:
                raise PerceptionError(f"{name}: PDF page too large at {limits.pdf_dpi:g} dpi")
        else:
            img, dpi, scale = _decode(data, limits, name)
    if dpi is not None and scale != 1.0:
        dpi *= scale
    paper = check_diagram(img, limits, name) if validate else paper_colour(np.asarray(img))
    return LoadedImage(img, dpi, scale, name, paper)
