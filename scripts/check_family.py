"""Developer aid: compile N seeds of one family, report failures, write a contact sheet.

    .venv/bin/python scripts/check_family.py FAMILY [N] [--sheet out.png]
"""

from __future__ import annotations

import argparse
import sys

from PIL import Image

from img2asy.asy import Toolchain
from img2asy.data.generators import generate


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("family")
    ap.add_argument("n", type=int, nargs="?", default=20)
    ap.add_argument("--sheet", default=None)
    args = ap.parse_args()
    tc = Toolchain.default()
    thumbs, bad = [], 0
    for seed in range(args.n):
        d = generate(args.family, seed)
        res = tc.compile(d.code)
        if not res.ok:
            bad += 1
            print(f"--- seed {seed} FAILED: {[str(e) for e in res.errors]}\n{d.code}", file=sys.stderr)
            continue
        if args.sheet and len(thumbs) < 12:
            im = tc.rasterize(res.pdf, 100)
            im.thumbnail((300, 300))
            thumbs.append(im)
    print(f"{args.family}: {args.n - bad}/{args.n} compile")
    if args.sheet and thumbs:
        sheet = Image.new("RGB", (4 * 310, 3 * 310), "white")
        for i, im in enumerate(thumbs):
            sheet.paste(im, ((i % 4) * 310 + 5, (i // 4) * 310 + 5))
        sheet.save(args.sheet)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
