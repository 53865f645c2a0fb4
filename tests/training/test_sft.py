"""LoRA SFT on a tiny random Qwen2: completion-only masking, loss going down, logging, resume."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from img2asy.training.sft import layer_indices, load_config, to_dataset, train
from img2asy.training.sft_data import DataConfig, load_split

REPO = Path(__file__).resolve().parents[2]


def _cfg(base: Path, data: Path, out: Path, **over):
    o = {
        "name": "tiny", "base": str(base), "output_dir": str(out), "export_dir": str(out / "export"),
        "data.dataset": str(data), "data.inputs": "noisy_gt",
        "lora.r": 8, "lora.alpha": 16, "lora.dropout": 0.0, "lora.layers": "all",
        "train.max_steps": 8, "train.epochs": 50, "train.grad_accum": 1, "train.lr": 0.02, "train.warmup_ratio": 0.0,
        "train.scheduler": "constant", "train.eval_steps": 4, "train.save_steps": 4, "train.logging_steps": 1,
        "train.max_length": 4096, "eval.n_loss": 1, "eval.n_generate": 1, "eval.max_new_tokens": 8,
    }  # fmt: skip
    o.update(over)
    return load_config(REPO / "configs" / "sft.yaml", o)


def test_shipped_config_loads_with_overrides():
    cfg = load_config(REPO / "configs" / "sft.yaml", ["lora.r=4", "train.lr=1e-4", "lora.target_modules=[q_proj,v_proj]"])
    assert cfg.lora.r == 4 and cfg.train.lr == 1e-4 and cfg.lora.target_modules == ("q_proj", "v_proj")
    assert cfg.train.dtype == "fp32" and cfg.data.inputs in ("noisy_gt", "perception", "auto")
    with pytest.raises(ValueError):
        load_config(REPO / "configs" / "sft.yaml", ["lora.rank=4"])


def test_layer_selection():
    assert layer_indices("all", 24) is None
    assert layer_indices("top:4", 24) == [20, 21, 22, 23]
    assert layer_indices("0,5", 24) == [0, 5]
    with pytest.raises(ValueError):
        layer_indices("top:30", 24)


def test_loss_masks_everything_but_the_program(tiny_base, sft_dataset, tmp_path):
    """The labels the trainer sees are exactly the assistant's program (+ end of turn); the prompt is masked."""
    from transformers import AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    from img2asy.codegen.model_io import load_model

    model, tok = load_model(str(tiny_base), "fp32", trainable=True)
    ex = load_split(DataConfig(dataset=str(sft_dataset)), "train")
    ds, dropped = to_dataset(ex, tok, 4096)
    assert dropped == 0 and len(ds) == 3
    args = SFTConfig(output_dir=str(tmp_path), completion_only_loss=True, max_length=4096, report_to="none",
                     bf16=False, gradient_checkpointing=False)
    trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tok)
    row = trainer.train_dataset[0]
    by_id = {e.id: e for e in ex}
    e = next(e for e in ex if e.as_record()["prompt"] == ds[0]["prompt"])
    ids = row["input_ids"]
    labels = row["labels"] if "labels" in row else [t if m else -100 for t, m in zip(ids, row["completion_mask"])]
    first = next(i for i, t in enumerate(labels) if t != -100)
    prompt_text = tok.apply_chat_template(e.prompt(), tokenize=False, add_generation_prompt=True)
    assert tok.decode(ids[:first]) == prompt_text  # everything before the program is prompt, and masked
    target = tok.decode([t for t in labels if t != -100])
    assert target.startswith(e.code.strip()) and target.strip().endswith("<|im_end|>")
    assert all(t != -100 for t in labels[first:])
    assert isinstance(AutoTokenizer, type) and by_id


def test_few_steps_lower_the_loss_and_resume(tiny_base, sft_dataset, tmp_path):
    res = train(_cfg(tiny_base, sft_dataset, tmp_path / "run"))
    assert res.steps == 8 and res.train_examples == 3
    rows = list(csv.DictReader(open(tmp_path / "run" / "metrics.csv")))
    losses = [float(r["loss"]) for r in rows if r["loss"]]
    assert len(losses) == 8
    assert sum(losses[-2:]) / 2 < sum(losses[:2]) / 2 - 0.5, losses  # it learns the three programs (nats)
    evals = [float(r["eval_loss"]) for r in rows if r["eval_loss"]]
    assert len(evals) >= 2 and all(v > 0 for v in evals)
    gens = [r for r in rows if r["compile_rate"]]
    assert gens and 0.0 <= float(gens[-1]["compile_rate"]) <= 1.0  # the val generation check ran and compiled
    assert (tmp_path / "run" / "curves.png").stat().st_size > 1000
    assert any((tmp_path / "run" / "tb").iterdir())
    # the shipped artefact is the LoRA only, and names its base by spec
    exp = tmp_path / "run" / "export"
    assert (exp / "adapter_model.safetensors").stat().st_size < 2_000_000
    assert json.loads((exp / "adapter_config.json").read_text())["base_model_name_or_path"] == str(tiny_base)
    # the exported (bf16) adapter loads through the hf backend and matches the trained one closely
    import torch

    from img2asy.codegen.hf import HFBackend

    fp32 = HFBackend(str(tiny_base), str(tmp_path / "run" / "adapter"), max_new_tokens=2)
    bf16 = HFBackend(str(tiny_base), str(exp), max_new_tokens=2)
    enc = fp32.prompt_ids("scene 10x10 bp unit=1\n")
    with torch.inference_mode():
        assert torch.allclose(fp32.model(**enc).logits, bf16.model(**enc).logits, atol=0.05)
    # resuming continues from the last checkpoint instead of starting over
    res2 = train(_cfg(tiny_base, sft_dataset, tmp_path / "run", **{"train.max_steps": 10, "eval.n_generate": 0}), resume=True)
    assert res2.steps == 10
    steps = [int(r["step"]) for r in csv.DictReader(open(tmp_path / "run" / "metrics.csv")) if r["loss"]]
    assert steps[-2:] == [9, 10] and steps.count(1) == 1
