"""Loading the codegen base model (and an optional LoRA adapter) with transformers.

A base *spec* names the model to start from:

* a local folder holding a Hugging Face model (``config.json`` + weights);
* a short name from :data:`BASE_MODELS` (``qwen2.5-coder-0.5b``), resolved to a bf16
  safetensors folder under :func:`codegen.base_model.models_dir`, converted once from the
  offline GGUF on first use (loading the GGUF takes about a minute, the folder seconds);
* a ``.gguf`` file path (loaded and dequantised on the fly);
* a Hugging Face hub id (``Qwen/Qwen2.5-Coder-0.5B-Instruct``), only where the hub is reachable.

The GGUF loader in transformers marks the model as quantised although its layers are dense
after loading; :func:`unflag_quantized` clears that so the model can train and be saved.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from .base_model import GGUF_NAME, HUB_ID, assemble_gguf, models_dir


@dataclass(frozen=True)
class BaseModel:
    """A known base: its offline GGUF source, converted folder name, hub id and licence."""

    name: str
    gguf: str
    folder: str
    hub_id: str
    licence: str


BASE_MODELS = {
    "qwen2.5-coder-0.5b": BaseModel(
        "qwen2.5-coder-0.5b", GGUF_NAME, "qwen2.5-coder-0.5b-instruct", HUB_ID, "Apache-2.0"
    ),
}
DEFAULT_BASE = "qwen2.5-coder-0.5b"


def torch_dtype(name: str):
    import torch

    try:
        return {"bf16": torch.bfloat16, "bfloat16": torch.bfloat16, "fp32": torch.float32,
                "float32": torch.float32, "fp16": torch.float16, "float16": torch.float16}[name]  # fmt: skip
    except KeyError:
        raise ValueError(f"unknown dtype {name!r}: use bf16, fp32 or fp16") from None


def unflag_quantized(model) -> None:
    """Forget the GGUF 'quantised' marking: the dequantised weights are ordinary dense tensors."""
    for attr in ("hf_quantizer", "quantization_method"):
        if hasattr(model, attr):
            try:
                delattr(model, attr)
            except AttributeError:
                setattr(model, attr, None)
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        try:
            del model.config.quantization_config
        except AttributeError:
            model.config.quantization_config = None


def load_gguf(path: Path, dtype: str = "bf16"):
    """(model, tokenizer) from a GGUF file, dequantised to ``dtype`` and unflagged."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(path)
    tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch_dtype(dtype))
    unflag_quantized(model)
    return model, tok


def convert_gguf(gguf: Path, out: Path, dtype: str = "bf16") -> Path:
    """Write a GGUF model as a ``dtype`` safetensors folder (with tokenizer and chat template)."""
    t0 = time.perf_counter()
    model, tok = load_gguf(gguf, dtype)
    tmp = out.with_name(out.name + ".tmp")
    model.save_pretrained(str(tmp), safe_serialization=True)
    tok.save_pretrained(str(tmp))
    (tmp / "img2asy_source.json").write_text(
        json.dumps({"gguf": gguf.name, "dtype": dtype, "seconds": round(time.perf_counter() - t0, 1)}, indent=1)
    )
    if out.exists():
        import shutil

        shutil.rmtree(out)
    tmp.rename(out)
    return out


def base_folder(name: str = DEFAULT_BASE, convert: bool = True) -> Path:
    """The converted bf16 folder of a known base, converting from the GGUF on first use."""
    bm = BASE_MODELS[name]
    out = models_dir() / bm.folder
    if (out / "config.json").exists():
        return out
    if not convert:
        raise FileNotFoundError(f"{out} does not exist: run `img2asy model convert`")
    return convert_gguf(assemble_gguf(), out)


def resolve_base(spec: str) -> str:
    """A base spec (see module docstring) as something ``from_pretrained`` accepts."""
    p = Path(spec).expanduser()
    if spec in BASE_MODELS:
        return str(base_folder(spec))
    if p.is_dir() or p.suffix == ".gguf":
        if not p.exists():
            raise FileNotFoundError(f"base model {spec} does not exist")
        return str(p)
    if "/" in spec and not p.exists():
        return spec  # a hub id: only works where the hub is reachable
    raise ValueError(f"unknown base model {spec!r}: a folder, a .gguf file, a hub id or one of {sorted(BASE_MODELS)}")


def load_tokenizer(spec: str):
    from transformers import AutoTokenizer

    src = resolve_base(spec)
    if src.endswith(".gguf"):
        p = Path(src)
        return AutoTokenizer.from_pretrained(str(p.parent), gguf_file=p.name)
    return AutoTokenizer.from_pretrained(src)


def load_model(spec: str, dtype: str = "bf16", adapter: str | Path | None = None, trainable: bool = False):
    """(model, tokenizer) for ``spec``, with a peft LoRA ``adapter`` applied when given."""
    from transformers import AutoModelForCausalLM

    src = resolve_base(spec)
    if src.endswith(".gguf"):
        model, tok = load_gguf(Path(src), dtype)
    else:
        tok = load_tokenizer(src)
        model = AutoModelForCausalLM.from_pretrained(src, dtype=torch_dtype(dtype))
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter), is_trainable=trainable)
    if not trainable:
        model.eval()
    return model, tok


def adapter_base(adapter: str | Path) -> str | None:
    """The base a saved adapter was trained on (``base_model_name_or_path`` in its config)."""
    cfg = Path(adapter) / "adapter_config.json"
    if not cfg.exists():
        return None
    return json.loads(cfg.read_text()).get("base_model_name_or_path")
