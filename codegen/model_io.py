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

    from transformers import GgufConfig

    path = Path(path)
    tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch_dtype(dtype),
                                                 quantization_config=GgufConfig(dequantize=True))  # dense layers
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


def load_model(spec: str, dtype: str = "fp32", adapter: str | Path | None = None, trainable: bool = False):
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


# ------------------------------------------------------------------ tiny models (tests, smoke runs)
_CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def build_small_tokenizer(corpus: list[str], vocab_size: int = 600):
    """A byte-level BPE tokenizer with a ChatML template, trained on ``corpus`` (no download needed)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)  # fmt: skip
    tk.train_from_iterator(corpus, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tk, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   chat_template=_CHATML)  # fmt: skip


def build_tiny_model(out: Path, tokenizer_src: str | Path | None = None, corpus: list[str] | None = None,
                     hidden: int = 64, layers: int = 2, seed: int = 0, init_std: float = 0.1) -> Path:  # fmt: skip
    """Save a randomly initialised ``layers``-layer Qwen2 causal LM and its tokenizer to ``out``.

    The tokenizer is the one in ``tokenizer_src`` (e.g. the converted Qwen folder) when given,
    else a small BPE trained on ``corpus``. For tests and smoke runs: it loads in a second.
    ``init_std`` is larger than the usual 0.02 so a LoRA on it can move the near-uniform output quickly.
    """
    import torch
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    if tokenizer_src is not None:
        tok = AutoTokenizer.from_pretrained(str(tokenizer_src))
    else:
        tok = build_small_tokenizer(corpus or ["size(100); draw((0,0)--(1,1)); label(\"$A$\", (0,0), SW);"])
    torch.manual_seed(seed)
    cfg = Qwen2Config(vocab_size=len(tok), hidden_size=hidden, intermediate_size=hidden * 2, num_hidden_layers=layers,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096, initializer_range=init_std,
                      tie_word_embeddings=True, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id)  # fmt: skip
    model = Qwen2ForCausalLM(cfg)
    out = Path(out)
    model.save_pretrained(str(out), safe_serialization=True)
    tok.save_pretrained(str(out))
    return out
