"""Real diagrams: the Asymptote blocks of the MATH dataset (``shared/data/math_asy``).

Items are kept when they compile with stock Asymptote; every dropped item gets a reason.
Blocks that set neither ``size`` nor ``unitsize`` get ``size(200);`` prepended, which is how
a person would see them (see the data folder's README).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from img2asy.asy import CompileResult

LICENCE = "MIT (MATH dataset, Hendrycks et al. 2021); problems (c) Mathematical Association of America"
AOPS_MODULES = ("olympiad", "cse5", "TrigMacros")
_SIZE_RE = re.compile(r"(?<![A-Za-z_])(unit)?size\s*\(")
_IMPORT_RE = re.compile(r"^\s*(?:import|include|access)\s+\"?([A-Za-z0-9_]+)", re.M)


@dataclass(frozen=True)
class RealBlock:
    """One block from the jsonl, with the program as it will be compiled."""

    id: str
    math_id: str
    subject: str
    level: str
    original: str
    code: str


def default_path() -> Path:
    """``shared/data/math_asy/math_asy_blocks.jsonl`` beside the checkout (or ``$IMG2ASY_REAL``)."""
    import os

    env = os.environ.get("IMG2ASY_REAL")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent
    for root in (here, *here.parents):
        p = root / "shared" / "data" / "math_asy" / "math_asy_blocks.jsonl"
        if p.exists():
            return p
    return here.parent / "shared" / "data" / "math_asy" / "math_asy_blocks.jsonl"


_GRAPH_NAMES = ("graph", "xaxis", "yaxis", "xequals", "yequals", "xlimits", "ylimits", "LeftTicks", "RightTicks", "Ticks")


def prepare(code: str) -> str:
    """The program a person would see: ``size(200);`` first when the block sets no size."""
    return code if _SIZE_RE.search(code) else "size(200);\n" + code


def graph_fix(code: str, result: CompileResult) -> str | None:
    """The program with ``import graph;`` when it failed only for calling the stock graph
    module without importing it (the AoPS renderer imports it implicitly); else None."""
    msg = result.errors[0].message if result.errors else ""
    m = re.match(r"no matching (?:variable|function)(?: call)? '?([A-Za-z_]+)", msg)
    if result.ok or not m or m[1] not in _GRAPH_NAMES or re.search(r"^\s*import\s+graph\b", code, re.M):
        return None
    return "import graph;\n" + code


# asy draws a 3D figure's labels as glyph outlines (filled paths, no text), which the annotator
# cannot tell from fills, so such a figure had no labels in its ground truth. For rendering and
# annotating, this override sets each 3D label as ordinary 2D text at its projected position
# (the same place and font); the item's program stays as written. Calls from inside modules
# (``dot("$A$", triple)``) still reach three's own ``label``.
_FLAT_LABEL3 = r"""
void label(picture pic=currentpicture, Label L, triple position, align align=NoAlign,
           pen p=currentpen, light light=nolight, string name="", render render=defaultrender,
           interaction interaction=LabelInteraction()) {
  pic.add(new void(frame f, transform3 t, picture pic2, projection P) {
      if(pic2 == null) return;
      triple v=t*position;
      pair z=project(v,P.t);
      if(align.is3D) label(pic2,L,z,unit(project(v+align.dir3,P.t)-z),p);
      else if(align.dir != 0) label(pic2,L,z,align.dir,p);
      else label(pic2,L,z,p);
    },true);
  pic.addPoint(position);
}
"""
_THREE_RE = re.compile(r"^[ \t]*import\s+(?:three|graph3|solids)\s*;[^\n]*\n?", re.M)


def flat_labels(code: str) -> str | None:
    """The program with its 3D labels set as 2D text (for rendering and annotating), or None
    when it imports no 3D module."""
    m = _THREE_RE.search(code)
    if not m:
        return None
    head = code[: m.end()]
    return head + ("" if head.endswith("\n") else "\n") + _FLAT_LABEL3 + code[m.end() :]


def load_blocks(path: Path | None = None) -> list[RealBlock]:
    path = path or default_path()
    blocks = []
    with open(path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                blocks.append(RealBlock(r["id"], r["math_id"], r["subject"], r["level"], r["asy"], prepare(r["asy"])))
    return blocks


def drop_reason(code: str, result: CompileResult) -> str | None:
    """Why a block is not kept (None when it compiled); short, groupable reasons."""
    if result.ok:
        return None
    msg = result.errors[0].message if result.errors else ""
    missing = re.findall(r"could not load module '([A-Za-z0-9_]+)'", msg)
    aops = sorted((set(_IMPORT_RE.findall(code)) | set(missing)) & set(AOPS_MODULES))
    if aops:
        return f"imports AoPS-only module {aops[0]}"
    if result.timed_out:
        return "compile timed out"
    msg = result.errors[0].message if result.errors else "unknown error"
    m = re.match(r"no matching (?:variable|function)(?: call)? '?([A-Za-z_][A-Za-z0-9_]*)", msg)
    if m:
        return f"uses a macro stock Asymptote lacks ({m[1]}; AoPS implicit import)"
    return f"compile error: {msg[:80]}"
