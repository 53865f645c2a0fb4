"""Contact sheets: one picture with samples of every family (for docs and a quick look)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont


def contact_sheet(samples: list[tuple[str, bytes]], cols: int = 6, cell: int = 220) -> Image.Image:
    """Tile (caption, PNG bytes) pairs into a grid, each image fitted into a square cell."""
    rows = (len(samples) + cols - 1) // cols
    font = ImageFont.load_default(size=14)
    sheet = Image.new("RGB", (cols * cell, rows * (cell + 20)), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (caption, png) in enumerate(samples):
        im = Image.open(io.BytesIO(png)).convert("RGB")
        im.thumbnail((cell - 10, cell - 10))
        x, y = (i % cols) * cell, (i // cols) * (cell + 20)
        sheet.paste(im, (x + (cell - im.width) // 2, y + 20 + (cell - im.height) // 2))
        draw.text((x + 5, y + 2), caption, fill="black", font=font)
        draw.rectangle([x, y, x + cell - 1, y + cell + 19], outline=(200, 200, 200))
    return sheet


def dataset_sheet(data_dir: Path, out: Path, per_family: int = 2, column: str = "image") -> Path:
    """Samples of every family (and real MATH items) from a built dataset."""
    from .dataset import load

    ds = load(data_dir)
    picked: dict[str, list[tuple[str, bytes]]] = {}
    for split in ds:
        for row in ds[split].select_columns(["family", "id", column]).with_format("arrow").iter(batch_size=256):
            for fam, img in zip(row["family"].to_pylist(), row[column].to_pylist()):
                if len(picked.setdefault(fam, [])) < per_family:
                    picked[fam].append((fam, img["bytes"]))
    samples = [s for fam in sorted(picked) for s in picked[fam]]
    out.parent.mkdir(parents=True, exist_ok=True)
    contact_sheet(samples).save(out)
    return out
