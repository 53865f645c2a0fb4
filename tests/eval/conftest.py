"""A tiny dataset built with the real dataset code (two real items, one synthetic), for eval tests."""

from __future__ import annotations

import pytest

from img2asy.data.dataset import ItemSpec, build_item, write_dataset
from img2asy.data.generators import generate
from img2asy.data.real import load_blocks


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory, toolchain):
    out = tmp_path_factory.mktemp("ds")
    blocks = {b.id: b for b in load_blocks()}
    specs = [ItemSpec(f"math-{bid}", "math", "math", "Geometry", blocks[bid].code, "val", 0) for bid in ("75e7f6dcdcf8", "8cb7c9fdc36d")]
    specs.append(ItemSpec("syn-triangle-1", "synthetic", "triangle", "", generate("triangle", 1).code, "val", 1))
    records = [build_item(s, 150, False, toolchain) for s in specs]
    assert all(r["compiled"] for r in records)
    write_dataset(records, out)
    return out
