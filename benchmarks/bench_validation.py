"""How often the input check refuses real diagrams: refusals per family over dataset splits.

    .venv/bin/python benchmarks/bench_validation.py --data DIR [--splits train val]

Every clean and degraded image of the splits goes through ``perception.image.check_diagram``
(the photo / blank-page / colour checks); every image in a dataset is a diagram, so each
refusal is a false alarm. Prints the count per (family, clean|degraded) and each refusal's reason.
"""

from __future__ import annotations

import argparse
import io
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
from PIL import Image

from img2asy.perception.image import PerceptionError, check_diagram


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--splits", nargs="+", default=["train", "val"])
    a = ap.parse_args()
    total, refused, reasons = Counter(), Counter(), []
    for split in a.splits:
        table = pq.read_table(a.data / "data" / f"{split}.parquet", columns=["id", "family", "image", "aug_image"])
        for row in table.to_pylist():
            for col, tag in (("image", "clean"), ("aug_image", "degraded")):
                if not row[col]:
                    continue
                key = f"{row['family'] or 'math'}/{tag}"
                total[key] += 1
                try:
                    check_diagram(Image.open(io.BytesIO(row[col]["bytes"])).convert("RGB"))
                except PerceptionError as e:
                    refused[key] += 1
                    reasons.append(f"{row['id']} {tag}: {e}")
    print("\n".join(reasons))
    print(json.dumps({"images": sum(total.values()), "refused": sum(refused.values()),
                      "refused_by_family": {k: f"{v}/{total[k]}" for k, v in sorted(refused.items())}}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
