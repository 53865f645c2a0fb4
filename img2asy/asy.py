"""The one Asymptote toolchain wrapper: compile, parse errors, rasterise, cache.

Every stage (dataset engine, codegen repair loop, evaluation) compiles through
:class:`Toolchain`, so safety rules and caching are decided in one place:

* each program compiles in a fresh temporary directory with ``-safe`` (no ``system``,
  no writes outside that directory), a wall-clock timeout that kills the whole process
  group (asy and its TeX children) and an address-space cap;
* results are cached by a hash of the program text and the toolchain settings, so the
  same program is never compiled twice;
* errors come back structured (line, column, message, offending source line) because the
  repair loop feeds them to a model.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from PIL import Image

RasterMode = Literal["all", "strokes", "text"]
CACHE_FORMAT = 2  # bump when what a cached compile holds changes (2: the label LaTeX)
# -safe: no system(), no writes outside the temp dir; -render=0: 3D as vector output, no OpenGL;
# -keep: leave asy's LaTeX file, the exact source of every label string.
ASY_ARGS = ("-safe", "-noV", "-nointeractiveView", "-render=0", "-keep", "-f", "pdf")

_ERROR_RE = re.compile(r"^(?P<file>[^:\n]+\.asy): (?P<line>\d+)\.(?P<col>\d+): (?P<msg>.*)$")


@dataclass(frozen=True)
class AsyError:
    """One compiler diagnostic, shaped for a repair prompt."""

    message: str
    line: int | None = None
    column: int | None = None
    source_line: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line else ""
        src = f"\n    {self.source_line.strip()}" if self.source_line else ""
        return f"{where}{self.message}{src}"


@dataclass
class CompileResult:
    """Outcome of compiling one program; ``pdf`` is None when it failed."""

    ok: bool
    pdf: bytes | None
    errors: list[AsyError] = field(default_factory=list)
    log: str = ""
    seconds: float = 0.0
    timed_out: bool = False
    cached: bool = False
    tex: str | None = None  # asy's generated LaTeX: every label's final string, in drawing order

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("pdf")
        return d


def parse_errors(log: str, code: str, source_name: str = "fig.asy") -> list[AsyError]:
    """Turn asy's stderr into structured errors; unparsed text becomes one message."""
    lines = code.splitlines()
    errors: list[AsyError] = []
    for raw in log.splitlines():
        m = _ERROR_RE.match(raw.strip())
        if not m:
            continue
        if Path(m["file"]).name != source_name:  # error raised inside a library module
            errors.append(AsyError(f'{m["msg"].strip()} (in {Path(m["file"]).name})'))
            continue
        ln, col = int(m["line"]), int(m["col"])
        src = lines[ln - 1] if 0 < ln <= len(lines) else None
        errors.append(AsyError(m["msg"].strip(), ln, col, src))
    tex = [l[1:].strip() for l in log.splitlines() if l.startswith("!") and "Emergency stop" not in l]
    if tex:  # a LaTeX error inside a label surfaces as "shipout failed"; the TeX message says why
        errors.insert(0, AsyError("LaTeX error in a label: " + "; ".join(tex)))
    if not errors:
        other = [l for l in log.splitlines() if l.startswith("error:")]
        msg = "; ".join(other) if other else log.strip().splitlines()[-1] if log.strip() else "unknown error"
        errors.append(AsyError(msg.strip()))
    return errors


def _limit_memory(megabytes: int):
    def apply() -> None:
        cap = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    return apply


def _run(cmd: list[str], cwd: str, timeout: float, memory_mb: int, env: dict) -> tuple[int, str, bool]:
    """Run a command in its own process group; kill the whole group on timeout."""
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_limit_memory(memory_mb),
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out.decode("utf-8", "replace"), False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return -9, out.decode("utf-8", "replace"), True


@dataclass
class Toolchain:
    """Settings for the asy + Ghostscript pipeline; cheap to construct, safe to share."""

    asy: str = "asy"
    gs: str = "gs"
    timeout: float = 30.0
    memory_mb: int = 2048
    cache_dir: Path | None = None

    @classmethod
    def default(cls) -> "Toolchain":
        """Toolchain caching under ``$IMG2ASY_CACHE`` (default ``~/.cache/img2asy``)."""
        root = Path(os.environ.get("IMG2ASY_CACHE", Path.home() / ".cache" / "img2asy"))
        return cls(cache_dir=root / "asy")

    @cached_property
    def version(self) -> str:
        out = subprocess.run([self.asy, "--version"], capture_output=True, text=True, timeout=30)
        first = (out.stdout + out.stderr).strip().splitlines()
        return first[0] if first else "unknown"

    def _key(self, *parts: object) -> str:
        h = hashlib.sha256()
        for p in (CACHE_FORMAT, self.version, ASY_ARGS, self.memory_mb, *parts):
            h.update(str(p).encode())
            h.update(b"\0")
        return h.hexdigest()

    def _cache_path(self, key: str, suffix: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / key[:2] / f"{key}{suffix}"

    # ------------------------------------------------------------------ compile
    def compile(self, code: str) -> CompileResult:
        """Compile ``code`` to PDF in a throw-away directory (cached by content)."""
        key = self._key("compile", code)
        meta_p, pdf_p = self._cache_path(key, ".json"), self._cache_path(key, ".pdf")
        if meta_p is not None and meta_p.exists():
            meta = json.loads(meta_p.read_text())
            pdf = pdf_p.read_bytes() if meta["ok"] else None
            errors = [AsyError(**e) for e in meta.pop("errors")]
            return CompileResult(pdf=pdf, errors=errors, cached=True, **{k: v for k, v in meta.items() if k != "cached"})
        result = self._compile_uncached(code)
        if meta_p is not None and not result.timed_out:
            meta_p.parent.mkdir(parents=True, exist_ok=True)
            if result.ok:
                _atomic_write(pdf_p, result.pdf)
            _atomic_write(meta_p, json.dumps(result.to_json()).encode())
        return result

    def _compile_uncached(self, code: str) -> CompileResult:
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="img2asy-") as tmp:
            src = Path(tmp, "fig.asy")
            src.write_text(code)
            env = dict(os.environ, ASYMPTOTE_HOME=str(Path(tmp, ".asy")), TEXMFOUTPUT=tmp)
            cmd = [self.asy, *ASY_ARGS, "-o", "fig", "fig.asy"]
            rc, log, timed_out = _run(cmd, tmp, self.timeout, self.memory_mb, env)
            pdf_path = Path(tmp, "fig.pdf")
            ok = rc == 0 and not timed_out and pdf_path.exists() and pdf_path.stat().st_size > 0
            pdf = pdf_path.read_bytes() if ok else None
            tex_path = Path(tmp, "fig_.tex")
            tex = tex_path.read_text(errors="replace") if ok and tex_path.exists() else None
        seconds = time.perf_counter() - t0
        if timed_out:
            errors = [AsyError(f"compilation timed out after {self.timeout:g} s")]
        elif ok:
            errors = []
        else:
            errors = parse_errors(log, code)
        return CompileResult(ok, pdf, errors, log[-4000:], seconds, timed_out, tex=tex)

    # ---------------------------------------------------------------- rasterise
    def rasterize(
        self, pdf: bytes, dpi: float = 150, mode: RasterMode = "all", antialias: bool = True
    ) -> Image.Image:
        """Render the first PDF page with Ghostscript; ``mode`` filters text or strokes."""
        key = self._key("raster", hashlib.sha256(pdf).hexdigest(), dpi, mode, antialias)
        png_p = self._cache_path(key, ".png")
        if png_p is not None and png_p.exists():
            return _load_png(png_p.read_bytes())
        bits = "4" if antialias else "1"
        flags = {"all": [], "strokes": ["-dFILTERTEXT"], "text": ["-dFILTERVECTOR"]}[mode]
        with tempfile.TemporaryDirectory(prefix="img2asy-gs-") as tmp:
            Path(tmp, "in.pdf").write_bytes(pdf)
            cmd = [
                self.gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=png16m",
                # gs 10 ignores -dFILTERVECTOR when graphics antialiasing is on; text has no vectors.
                f"-r{dpi:g}", f"-dTextAlphaBits={bits}", f"-dGraphicsAlphaBits={bits if mode != 'text' else 1}",
                "-dFirstPage=1", "-dLastPage=1", *flags, "-sOutputFile=out.png", "in.pdf",
            ]  # fmt: skip
            rc, log, timed_out = _run(cmd, tmp, self.timeout, self.memory_mb, dict(os.environ))
            out = Path(tmp, "out.png")
            if rc != 0 or timed_out or not out.exists():
                raise RuntimeError(f"ghostscript failed (rc={rc}, timed_out={timed_out}): {log[-500:]}")
            data = out.read_bytes()
        if png_p is not None:
            png_p.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(png_p, data)
        return _load_png(data)


def _load_png(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img.convert("RGB")


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + f".tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class AsyDocument:
    """One Asymptote program that owns its compile/rasterise/save, with cached results."""

    def __init__(self, code: str, toolchain: Toolchain | None = None):
        self.code = code
        self.toolchain = toolchain or Toolchain.default()
        self._rasters: dict[tuple, Image.Image] = {}

    @cached_property
    def compiled(self) -> CompileResult:
        return self.toolchain.compile(self.code)

    @property
    def ok(self) -> bool:
        return self.compiled.ok

    @property
    def pdf(self) -> bytes | None:
        return self.compiled.pdf

    @property
    def errors(self) -> list[AsyError]:
        return self.compiled.errors

    def rasterize(self, dpi: float = 150, mode: RasterMode = "all", antialias: bool = True) -> Image.Image:
        """PNG-equivalent image of the figure; raises if the program did not compile."""
        if not self.ok:
            raise ValueError(f"program does not compile: {self.errors[0] if self.errors else ''}")
        key = (dpi, mode, antialias)
        if key not in self._rasters:
            self._rasters[key] = self.toolchain.rasterize(self.pdf, dpi, mode, antialias)
        return self._rasters[key]

    def save(self, stem: str | Path, dpi: float = 150) -> list[Path]:
        """Write ``stem.asy`` and, when it compiles, ``stem.pdf`` and ``stem.png``."""
        stem = Path(stem)
        stem.parent.mkdir(parents=True, exist_ok=True)
        written = [stem.with_suffix(".asy")]
        written[0].write_text(self.code)
        if self.ok:
            stem.with_suffix(".pdf").write_bytes(self.pdf)
            self.rasterize(dpi).save(stem.with_suffix(".png"))
            written += [stem.with_suffix(".pdf"), stem.with_suffix(".png")]
        return written


def have_toolchain() -> bool:
    """True when both asy and gs are on PATH (used by the CLI to explain what is missing)."""
    return shutil.which("asy") is not None and shutil.which("gs") is not None
