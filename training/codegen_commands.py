"""CLI for the codegen LLM: ``img2asy train codegen|codegen-search|codegen-val``, ``img2asy model convert``."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path


def _train_codegen(a: argparse.Namespace) -> int:
    from .sft import load_config, train

    cfg = load_config(a.config, a.set)
    res = train(cfg, resume=a.resume)
    print(json.dumps(asdict(res), indent=1))
    return 0


def _train_search(a: argparse.Namespace) -> int:
    from .sft import run_search

    results = run_search(Path(a.config), a.only, a.set)
    for r in sorted(results, key=lambda r: r.score):
        print(f"{r.name:24s} steps={r.steps:3d} s/step={r.seconds_per_step:6.1f} val_loss={r.eval_loss} "
              f"compile={r.compile_rate} score={r.score}")  # fmt: skip
    return 0


def _train_val(a: argparse.Namespace) -> int:
    """Val compile rate of the base model and of an adapter on the same fixed val items."""
    from img2asy.codegen.model_io import load_model, load_tokenizer

    from .sft import _gen_items, fitting, generation_check, load_config
    from .sft_data import load_split

    cfg = load_config(a.config, a.set)
    # the same fixed val items training checks: the first that fit max_length, in the seeded order
    val = fitting(load_split(cfg.data, "val", cfg.data.max_val), load_tokenizer(cfg.base), cfg.train.max_length)
    items = _gen_items(val[a.skip : a.skip + a.n], a.n)
    report = {}
    for label, adapter in (("base", None), ("adapter", a.adapter)):
        if label == "adapter" and not adapter:
            continue
        if a.only and label != a.only:
            continue
        model, tok = load_model(cfg.base, a.dtype, adapter)
        check, rows = generation_check(model, tok, items, a.max_new_tokens)
        report[label] = asdict(check) | {"tokens_per_s": round(check.new_tokens / max(check.seconds, 1e-9), 2)}
        if a.out:
            out = Path(a.out)
            out.mkdir(parents=True, exist_ok=True)
            (out / f"generations-{label}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        print(f"{label}: compile rate {check.compile_rate:.3f} on {check.n} val items, "
              f"{report[label]['tokens_per_s']} tokens/s", flush=True)  # fmt: skip
        del model
    if a.out:
        (Path(a.out) / "val_report.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return 0


def _model_convert(a: argparse.Namespace) -> int:
    from img2asy.codegen.base_model import assemble_gguf
    from img2asy.codegen.model_io import BASE_MODELS, base_folder, convert_gguf

    if a.gguf:
        out = convert_gguf(Path(a.gguf), Path(a.out), a.dtype)
    elif a.out:
        out = convert_gguf(assemble_gguf(), Path(a.out), a.dtype)
    else:
        if a.force:
            import shutil

            from img2asy.codegen.base_model import models_dir

            shutil.rmtree(models_dir() / BASE_MODELS[a.base].folder, ignore_errors=True)
        out = base_folder(a.base)
    print(out)
    return 0


def register(groups: dict) -> None:
    t = groups["train"].add_parser("codegen", help="LoRA fine-tune the codegen LLM (configs/sft.yaml)")
    t.add_argument("--config", default="configs/sft.yaml")
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config key, e.g. lora.r=8")
    t.add_argument("--resume", action="store_true", help="continue from the last checkpoint in output_dir")
    t.set_defaults(fn=_train_codegen)

    s = groups["train"].add_parser("codegen-search", help="short LoRA runs over hyper-parameters (configs/sft_search.yaml)")
    s.add_argument("--config", default="configs/sft_search.yaml")
    s.add_argument("--only", nargs="*", default=None, help="run only these variants")
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a key in every variant")
    s.set_defaults(fn=_train_search)

    v = groups["train"].add_parser("codegen-val", help="val compile rate: base model vs an adapter")
    v.add_argument("--config", default="configs/sft.yaml")
    v.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    v.add_argument("--adapter", default=None)
    v.add_argument("--n", type=int, default=8)
    v.add_argument("--skip", type=int, default=0, help="skip the first val items (e.g. those used during training)")
    v.add_argument("--only", choices=["base", "adapter"], default=None)
    v.add_argument("--dtype", default="fp32")
    v.add_argument("--max-new-tokens", type=int, default=512)
    v.add_argument("--out", default=None)
    v.set_defaults(fn=_train_val)

    m = groups["model"].add_parser("convert", help="dequantise the offline GGUF base into a bf16 safetensors folder (once)")
    m.add_argument("--base", default="qwen2.5-coder-0.5b")
    m.add_argument("--gguf", default=None, help="convert this GGUF file instead (needs --out)")
    m.add_argument("--out", default=None)
    m.add_argument("--dtype", default="bf16")
    m.add_argument("--force", action="store_true", help="redo the conversion")
    m.set_defaults(fn=_model_convert)
