"""``img2asy graph IMAGE... --out DIR``: perceive images and write their scene graphs.

Per image: ``<stem>.graph.json`` (the scene graph), ``<stem>.graph.txt`` (its compact text
form, what the codegen model reads) and ``<stem>.overlay.png`` (the graph drawn over the
input). A bad image gets a clear one-line error and the batch goes on; the exit status is 1
when any image failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def write_outputs(graph, image, out: Path, stem: str) -> list[Path]:
    """The three files for one perceived image."""
    from img2asy.scene_graph.render import draw_graph
    from img2asy.scene_graph.serialize import save_json, to_text

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.graph.json", out / f"{stem}.graph.txt", out / f"{stem}.overlay.png"]
    save_json(graph, paths[0])
    paths[1].write_text(to_text(graph))
    draw_graph(graph, image).save(paths[2])
    return paths


def _unique_stems(paths: list[Path]) -> list[str]:
    """File stems, made unique when two inputs share one (a/x.png and b/x.png)."""
    seen: dict[str, int] = {}
    out = []
    for p in paths:
        k = seen.get(p.stem, 0)
        seen[p.stem] = k + 1
        out.append(p.stem if k == 0 else f"{p.stem}-{k}")
    return out


def _graph(a: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .pipeline import Perceiver, Perception, PerceptionError, default_config

    cfg = Perceiver.from_yaml(a.config) if a.config else default_config()
    if a.dpi:
        import dataclasses

        cfg = dataclasses.replace(cfg, dpi=a.dpi)
    if a.no_ocr:
        import dataclasses

        cfg = dataclasses.replace(cfg, ocr=False)
    perc = Perception(cfg)
    paths = [Path(p) for p in a.images]
    out = Path(a.out)
    failed = 0
    t0 = time.perf_counter()
    for path, stem in tqdm(list(zip(paths, _unique_stems(paths))), desc="perceiving", unit="img"):
        try:
            loaded = perc.load(path)
            graph = perc.perceive(loaded.image)
            write_outputs(graph, loaded.image, out, stem)
        except PerceptionError as e:
            failed += 1
            tqdm.write(f"error: {e}", file=sys.stderr)
        except Exception as e:  # one bad image never stops the batch
            failed += 1
            tqdm.write(f"error: {path}: {type(e).__name__}: {e}", file=sys.stderr)
    n = len(paths)
    print(f"wrote {n - failed}/{n} graphs to {out} ({time.perf_counter() - t0:.1f} s)")
    return 1 if failed else 0


def register(groups: dict) -> None:
    p = groups["root"].add_parser("graph", help="perceive diagram images: scene graph JSON, text form and overlay")
    p.add_argument("images", nargs="+", help="PNG, JPEG, WebP or PDF files")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--config", default=None, help="perception settings (default: configs/perception.yaml)")
    p.add_argument("--dpi", type=float, default=None, help="the images' resolution, when known")
    p.add_argument("--no-ocr", action="store_true", help="skip reading the labels (faster)")
    p.set_defaults(fn=_graph)
