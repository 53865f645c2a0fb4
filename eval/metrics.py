"""The one implementation of the codegen metrics, shared by training, evaluation and the CLI.

* **Stroke F1** compares what a program draws with the reference drawing, text removed: the
  candidate's strokes-only render (Ghostscript ``-dFILTERTEXT``) against the reference's
  strokes-only render, or against an input image with its labels' boxes blanked. Filled areas
  count by their outline (a big fill would otherwise outweigh every line). The candidate is
  aligned to the reference by its ink bounding box (a program's ``size`` may differ), then a
  pixel counts as matched when the other drawing has ink within ``tol`` px (3 px at 150 dpi).
  A 3D reference (``import three``) draws its labels as glyph outlines, which no filter can
  tell from strokes, so against it the candidate's labels count as ink too.
* **Label F1** matches the multisets of normalised label strings: the candidate's come from the
  LaTeX that asy typeset (``CompileResult.tex``), the reference's from its graph or program.
  asy typesets a 3D figure's labels once per distinct string, so against such a reference each
  string counts once on both sides.
* **Length ratio** is the candidate's lexical token count over the reference program's
  (comments removed), so 1.0 means "as long as a person wrote it".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass

import cv2
import numpy as np
from PIL import Image

from img2asy.asy import CompileResult, Toolchain
from img2asy.data.texlabels import parse_path_labels, parse_tex_labels, visible_glyphs
from img2asy.eval.ink import ink
from img2asy.scene_graph.schema import SceneGraph

REFERENCE_DPI = 150.0
TOL_PX_AT_150 = 3.0
_TOKEN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|\S")


@dataclass(frozen=True)
class PRF:
    """Precision, recall and their harmonic mean."""

    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def to_json(self) -> dict[str, float]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


# ----------------------------------------------------------------------------- strokes
def ink_mask(image: Image.Image) -> np.ndarray:
    """Boolean ink mask: the one definition of ink, :func:`eval.ink.ink`."""
    return ink(image)


def outline_fills(mask: np.ndarray, thick: int = 7) -> np.ndarray:
    """Keep lines as they are but only a thin band around areas thicker than ``thick`` px."""
    if not mask.any():
        return mask
    m = mask.astype(np.uint8)
    solid = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((thick, thick), np.uint8))
    interior = cv2.erode(solid, np.ones((5, 5), np.uint8))
    return mask & ~interior.astype(bool)


def blank_boxes(mask: np.ndarray, boxes: list[list[float]], pad: float = 2.0) -> np.ndarray:
    """``mask`` with every box (``[x0, y0, x1, y1]`` px) widened by ``pad`` cleared."""
    out = mask.copy()
    h, w = out.shape
    for x0, y0, x1, y1 in boxes:
        a, b = max(0, int(math.floor(x0 - pad))), min(w, int(math.ceil(x1 + pad)))
        c, d = max(0, int(math.floor(y0 - pad))), min(h, int(math.ceil(y1 + pad)))
        out[c:d, a:b] = False
    return out


def stroke_mask(image: Image.Image, label_boxes: list[list[float]] | None = None) -> np.ndarray:
    """The mask stroke F1 compares: ink, labels blanked, fills reduced to their outline."""
    m = ink_mask(image)
    if label_boxes:
        m = blank_boxes(m, label_boxes)
    return outline_fills(m)


def _bbox(mask: np.ndarray) -> tuple[float, float, float, float] | None:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    return float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)


def _warp(mask: np.ndarray, m: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    out = cv2.warpAffine(mask.astype(np.uint8) * 255, m, (shape[1], shape[0]), flags=cv2.INTER_LINEAR)
    return out > 0


def _prf(cand: np.ndarray, ref: np.ndarray, ref_dist: np.ndarray, tol: float, m: np.ndarray | None = None) -> PRF:
    """Precision/recall of ``cand`` mapped by affine ``m`` (None: identity) onto ``ref``'s canvas.

    Precision maps every candidate pixel and counts those that land off the reference canvas
    as unmatched; recall uses the candidate warped onto the reference canvas.
    """
    nc, nr = int(cand.sum()), int(ref.sum())
    if nc == 0 or nr == 0:
        return PRF(float(nc == nr), float(nc == nr))
    if m is None:
        placed = cand
        matched = int((ref_dist[cand] <= tol).sum())
    else:
        ys, xs = np.nonzero(cand)
        px = np.floor(m[0, 0] * (xs + 0.5) + m[0, 2]).astype(np.int64)
        py = np.floor(m[1, 1] * (ys + 0.5) + m[1, 2]).astype(np.int64)
        inside = (px >= 0) & (py >= 0) & (px < ref.shape[1]) & (py < ref.shape[0])
        matched = int((ref_dist[py[inside], px[inside]] <= tol).sum())
        placed = _warp(cand, m, ref.shape)
    if not placed.any():
        return PRF(0.0, 0.0)
    cand_dist = cv2.distanceTransform((~placed).astype(np.uint8), cv2.DIST_L2, 3)
    return PRF(matched / nc, float((cand_dist[ref] <= tol).sum()) / nr)


def stroke_prf(cand: np.ndarray, ref: np.ndarray, tol: float = TOL_PX_AT_150, align: bool = True) -> PRF:
    """Stroke precision/recall of mask ``cand`` against mask ``ref`` (see module docstring).

    With ``align``, ``cand`` is also tried scaled and moved so its ink box meets ``ref``'s
    (scales: 1, the boxes' x, y and mean ratio; box centres or corners aligned; then shifts of
    up to 2 px), keeping the best F1; without it the masks must share a size and are compared
    in place.
    """
    ref_dist = cv2.distanceTransform((~ref).astype(np.uint8), cv2.DIST_L2, 3) if ref.any() else None
    if ref_dist is None or not cand.any():
        return PRF(float(not cand.any() and not ref.any()), float(not cand.any() and not ref.any()))
    if not align:
        if cand.shape != ref.shape:
            raise ValueError(f"masks differ in size: {cand.shape} vs {ref.shape}")
        return _prf(cand, ref, ref_dist, tol)
    cb, rb = _bbox(cand), _bbox(ref)
    cw, ch = max(cb[2] - cb[0], 1.0), max(cb[3] - cb[1], 1.0)
    rw, rh = max(rb[2] - rb[0], 1.0), max(rb[3] - rb[1], 1.0)
    sx, sy = rw / cw, rh / ch
    scales = sorted({round(s, 4) for s in (sx, sy, math.sqrt(sx * sy), 1.0)})

    def transform(s: float, anchor: int, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
        # anchor 0: box centres meet; 1: top-left corners; 2: bottom-right corners
        fx = ((cb[0] + cb[2]) / 2, cb[0], cb[2])[anchor]
        fy = ((cb[1] + cb[3]) / 2, cb[1], cb[3])[anchor]
        tx = ((rb[0] + rb[2]) / 2, rb[0], rb[2])[anchor]
        ty = ((rb[1] + rb[3]) / 2, rb[1], rb[3])[anchor]
        return np.float32([[s, 0, tx - s * fx + dx], [0, s, ty - s * fy + dy]])

    def score(m: np.ndarray) -> PRF:
        return _prf(cand, ref, ref_dist, tol, m)

    best = _prf(cand, ref, ref_dist, tol) if cand.shape == ref.shape else PRF(0.0, 0.0)
    best_t: tuple = (1.0, -1)
    for s in scales:
        for anchor in (0, 1, 2):
            prf = score(transform(s, anchor))
            if prf.f1 > best.f1:
                best, best_t = prf, (s, anchor)
    if best_t[1] >= 0:  # refine the best placement by small shifts
        s, anchor = best_t
        for dx in (-2, -1, 0, 1, 2):
            for dy in (-2, -1, 0, 1, 2):
                if dx or dy:
                    prf = score(transform(s, anchor, dx, dy))
                    if prf.f1 > best.f1:
                        best = prf
    return best


# ----------------------------------------------------------------------------- labels
_SIZE_CMDS = re.compile(r"\\(tiny|scriptsize|footnotesize|small|normalsize|large|Large|LARGE|huge|Huge|displaystyle|textstyle|scriptstyle|bf|it|rm|sf|tt)\b")  # fmt: skip
_GLYPH_MAP = {"−": "-", "′": "'", "◦": "°"}


def normalise_label(latex: str) -> str:
    """A label's comparable form: the glyphs it shows, no spaces, size/style commands dropped."""
    glyphs = visible_glyphs(_SIZE_CMDS.sub(" ", latex))
    return "".join(_GLYPH_MAP.get(c, c) for c in glyphs if not c.isspace())


def label_prf(candidate: list[str], reference: list[str], distinct: bool = False) -> PRF:
    """Multiset match of normalised labels (empty labels ignored); with ``distinct``, each
    string counts once on both sides (a reference whose counts are unknown)."""
    c = Counter(x for x in map(normalise_label, candidate) if x)
    r = Counter(x for x in map(normalise_label, reference) if x)
    if distinct:
        c, r = Counter(set(c)), Counter(set(r))
    nc, nr = sum(c.values()), sum(r.values())
    if nc == 0 or nr == 0:
        return PRF(float(nc == nr), float(nc == nr))
    hit = sum((c & r).values())
    return PRF(hit / nc, hit / nr)


def tex_labels(result: CompileResult) -> list[str]:
    """The label strings a compiled program typeset."""
    return [lab.latex for lab in parse_tex_labels(result.tex)]


def graph_labels(graph: SceneGraph) -> list[str]:
    return [d.get("latex") or d.get("text", "") for _, d in graph.nodes("label")]


# ----------------------------------------------------------------------------- length
def strip_comments(code: str) -> str:
    """Asymptote source without ``//`` and ``/* */`` comments (strings left intact)."""
    out, i, n = [], 0, len(code)
    while i < n:
        c = code[i]
        if c in "\"'":
            j = i + 1
            while j < n and code[j] != c:
                j += 2 if code[j] == "\\" else 1
            out.append(code[i : j + 1])
            i = j + 1
        elif code.startswith("//", i):
            j = code.find("\n", i)
            i = n if j < 0 else j
        elif code.startswith("/*", i):
            j = code.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def code_tokens(code: str) -> int:
    """Lexical tokens (identifiers, numbers, punctuation) outside comments."""
    return len(_TOKEN_RE.findall(strip_comments(code)))


def length_ratio(code: str, reference_code: str) -> float:
    return code_tokens(code) / max(1, code_tokens(reference_code))


# ----------------------------------------------------------------------------- programs
@dataclass
class Reference:
    """What a candidate is compared with: a stroke mask, the labels, optionally the program."""

    mask: np.ndarray
    labels: list[str]
    dpi: float = REFERENCE_DPI
    code: str | None = None
    path_labels: bool = False  # the labels are drawn as paths (3D): ink in the mask, counts unknown

    @property
    def tol(self) -> float:
        return TOL_PX_AT_150 * self.dpi / REFERENCE_DPI

    @classmethod
    def from_program(cls, code: str, toolchain: Toolchain, dpi: float = REFERENCE_DPI) -> "Reference":
        """A reference program's strokes-only render and typeset labels (raises if it does not compile)."""
        res = toolchain.compile(code)
        if not res.ok:
            raise ValueError(f"reference program does not compile: {res.errors[0] if res.errors else ''}")
        img = toolchain.rasterize(res.pdf, dpi, mode="strokes")
        labels, paths = tex_labels(res), parse_path_labels(res.tex)
        if paths and not labels:  # a 3D figure: asy draws its labels as glyph outlines
            return cls(outline_fills(ink_mask(img)), paths, dpi, code, path_labels=True)
        return cls(outline_fills(ink_mask(img)), labels, dpi, code)

    @classmethod
    def from_image(cls, image: Image.Image, graph: SceneGraph) -> "Reference":
        """An input image with its graph's label boxes blanked; labels from the graph."""
        boxes = [d["bbox"] for _, d in graph.nodes("label")]
        return cls(stroke_mask(image, boxes), graph_labels(graph), float(graph.dpi or REFERENCE_DPI))


@dataclass
class ProgramScores:
    """How one program compares with its reference."""

    compiled: bool
    stroke: PRF | None = None
    labels: PRF | None = None
    length_ratio: float | None = None

    @property
    def stroke_f1(self) -> float:
        return self.stroke.f1 if self.stroke else 0.0

    @property
    def label_f1(self) -> float:
        return self.labels.f1 if self.labels else 0.0

    def to_json(self) -> dict:
        d = asdict(self)
        d["stroke"] = self.stroke.to_json() if self.stroke else None
        d["labels"] = self.labels.to_json() if self.labels else None
        return d


def candidate_mask(result: CompileResult, toolchain: Toolchain, dpi: float, text: bool = False) -> np.ndarray:
    """The program's stroke mask; with ``text``, its labels' glyphs count as ink (against a
    reference whose labels are glyph outlines, :attr:`Reference.path_labels`)."""
    return outline_fills(ink_mask(toolchain.rasterize(result.pdf, dpi, mode="all" if text else "strokes")))


def score_program(code: str, reference: Reference, toolchain: Toolchain, result: CompileResult | None = None) -> ProgramScores:
    """Compile (or reuse ``result``) and score ``code`` against ``reference``."""
    res = result if result is not None else toolchain.compile(code)
    ratio = length_ratio(code, reference.code) if reference.code is not None else None
    if not res.ok:
        return ProgramScores(False, length_ratio=ratio)
    stroke = stroke_prf(candidate_mask(res, toolchain, reference.dpi, reference.path_labels), reference.mask, reference.tol)
    labels = label_prf(tex_labels(res) + parse_path_labels(res.tex), reference.labels, distinct=reference.path_labels)
    return ProgramScores(True, stroke, labels, ratio)
