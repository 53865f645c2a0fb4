"""Loading and validating inputs: formats, corrupt and empty files, bombs, blank pages, photos."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image, ImageDraw

from img2asy.perception.image import ImageLimits, PerceptionError, load_image


def _diagram(size=(300, 200)) -> Image.Image:
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    d.line([(20, 180), (280, 180), (150, 20), (20, 180)], fill="black", width=2)
    return img


def _bytes(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_formats_load_as_rgb(fmt):
    li = load_image(_bytes(_diagram(), fmt))
    assert li.image.mode == "RGB" and li.image.size == (300, 200)
    assert li.scale == 1.0 and min(li.paper) > 230


def test_pdf_first_page_is_rendered(toolchain):
    res = toolchain.compile("unitsize(1cm); draw((0,0)--(3,0)--(0,2)--cycle);")
    assert res.ok
    li = load_image(res.pdf)
    assert li.dpi == 150 and li.image.width > 100
    assert (np.asarray(li.image).min(axis=2) < 128).sum() > 100


def test_transparent_png_becomes_paper():
    img = Image.new("RGBA", (120, 80), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(10, 40), (110, 40)], fill=(0, 0, 0, 255), width=2)
    li = load_image(_bytes(img, "PNG"))
    assert li.paper == (255, 255, 255)


def test_missing_empty_and_corrupt_files(tmp_path: Path):
    with pytest.raises(PerceptionError, match="no such file"):
        load_image(tmp_path / "missing.png")
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(PerceptionError, match="empty"):
        load_image(tmp_path / "empty.png")
    with pytest.raises(PerceptionError, match="not a readable image"):
        load_image(b"this is not an image at all")
    png = _bytes(_diagram(), "PNG")
    with pytest.raises(PerceptionError, match="corrupt"):
        load_image(png[: len(png) // 2])


def _png_header_only(w: int, h: int) -> bytes:
    """A PNG claiming to be w x h with almost no data: a decompression-bomb shaped file."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_huge_image_is_refused_before_decoding():
    with pytest.raises(PerceptionError, match="too large"):
        load_image(_png_header_only(40000, 40000))


def test_large_image_is_downscaled():
    img = _diagram((2400, 1800))  # 4.3 MP
    li = load_image(_bytes(img, "PNG"), ImageLimits(work_pixels=1_000_000))
    assert li.image.width * li.image.height <= 1_000_000 * 1.01
    assert li.scale == pytest.approx(li.image.width / 2400)


def test_blank_and_tiny_images_are_refused():
    with pytest.raises(PerceptionError, match="blank"):
        load_image(_bytes(Image.new("RGB", (200, 200), "white"), "PNG"))
    with pytest.raises(PerceptionError, match="too small"):
        load_image(_bytes(Image.new("RGB", (8, 8), "white"), "PNG"))


def test_photo_is_refused():
    photo = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    with pytest.raises(PerceptionError, match="does not look like a diagram|no light paper"):
        load_image(photo)


def test_smooth_gradient_is_refused():
    y, x = np.mgrid[0:200, 0:300]
    rgb = np.stack([x * 255 // 300, y * 255 // 200, (x + y) * 255 // 500], axis=2).astype(np.uint8)
    with pytest.raises(PerceptionError):
        load_image(Image.fromarray(rgb))


def test_off_white_noisy_scan_is_accepted():
    rng = np.random.default_rng(0)
    arr = np.asarray(_diagram(), np.float32) * np.array([0.98, 0.97, 0.94])
    arr += rng.normal(0, 5, arr.shape[:2])[:, :, None]
    li = load_image(Image.fromarray(arr.clip(0, 255).astype(np.uint8)))
    assert 235 < sum(li.paper) / 3 < 252


def test_noisy_copy_of_a_mostly_filled_figure_is_accepted():
    """Scan noise and JPEG speckle on a large fill are not a photo's texture (a filled grid, 80% fill)."""
    import io

    rng = np.random.default_rng(1)
    arr = np.full((300, 400, 3), (245, 245, 238), np.float32)
    arr[20:280, 20:380] = (190, 190, 185)  # gray cells
    arr[20:280:26, 20:380] = 0  # grid lines
    arr[20:280, 20:380:36] = 0
    arr += rng.normal(0, 6, arr.shape[:2])[:, :, None]
    buf = io.BytesIO()
    Image.fromarray(arr.clip(0, 255).astype(np.uint8)).save(buf, "JPEG", quality=40)
    li = load_image(Image.open(io.BytesIO(buf.getvalue())))
    assert sum(li.paper) / 3 > 235
