"""LoRA fine-tuning of the codegen LLM (trl ``SFTTrainer`` + peft), sized for a 2-core CPU.

One YAML config (``configs/sft.yaml``) describes a run: base model, data, LoRA shape, optimiser
and evaluation. The same command runs on GPUs through ``accelerate launch``.

Why it fits a small CPU:

* the loss covers the completion only, and trl's fused LM head projects only those positions;
* LoRA can be limited to the top layers (``lora.layers: top:K``): with gradient checkpointing
  off, nothing below the lowest adapted layer keeps activations or runs backward;
* batch size 1 with gradient accumulation means no padding at all; for larger batches the
  ``group_by_length`` sampler buckets similar lengths; sequences over ``max_length`` are dropped;
* ``train.max_seconds`` time-boxes a run; checkpoints every ``save_steps`` make it resumable.

Every run logs loss, learning rate, validation loss and -- on a small fixed validation subset --
compile rate (plus stroke/label F1 when ``img2asy.eval.metrics`` provides them) to
``<output_dir>/metrics.csv`` and TensorBoard (``<output_dir>/tb``).
"""

from __future__ import annotations

import copy
import csv
import json
import math
import time
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml

from .sft_data import DataConfig, NoiseConfig, SFTExample, load_split

ALL_PROJ = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class LoraConfig:
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: tuple[str, ...] = ALL_PROJ
    layers: str = "all"  # "all", "top:K" or a comma list of layer indices


@dataclass(frozen=True)
class TrainConfig:
    dtype: str = "fp32"  # fp32 is faster than bf16 on CPUs without bf16 units; bf16 halves memory
    max_length: int = 1024  # longer examples are dropped, not truncated
    epochs: float = 1.0
    max_steps: int = -1
    batch_size: int = 1
    grad_accum: int = 8
    lr: float = 2e-4
    scheduler: str = "cosine"
    warmup_ratio: float = 0.05
    weight_decay: float = 0.0
    gradient_checkpointing: bool = False
    logging_steps: int = 1
    eval_steps: int = 10
    save_steps: int = 10
    save_total_limit: int = 2
    seed: int = 0
    threads: int | None = None
    max_seconds: float | None = None  # stop (and save) after this much training time
    eval_on_start: bool = False  # validation loss of the untouched base as step 0


@dataclass(frozen=True)
class EvalConfig:
    n_loss: int = 24  # val items for the validation loss
    n_generate: int = 4  # val items generated and compiled (0: none)
    generate_every: int = 0  # steps between generation checks (0: only at the end of training)
    max_new_tokens: int = 512


@dataclass(frozen=True)
class SFTConfig:
    """A whole fine-tuning run."""

    name: str = "asy-lora"
    base: str = "qwen2.5-coder-0.5b"
    output_dir: str = "runs/sft/asy-lora"
    export_dir: str | None = None  # where the final adapter is copied (models/codegen/<name>)
    data: DataConfig = field(default_factory=DataConfig)
    lora: LoraConfig = field(default_factory=LoraConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)


# ------------------------------------------------------------------ config files
def _build(cls, raw: dict | None):
    """A (nested, frozen) dataclass from a dict, rejecting unknown keys."""
    raw = dict(raw or {})
    known = {f.name: f for f in fields(cls)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ValueError(f"unknown {cls.__name__} keys: {sorted(unknown)}")
    kw = {}
    for name, value in raw.items():
        default = getattr(cls(), name) if name in known else None
        if is_dataclass(default):
            kw[name] = _build(type(default), value)
        elif isinstance(default, tuple) and isinstance(value, list):
            kw[name] = tuple(value)
        elif isinstance(value, (str, int)) and not isinstance(value, bool) and "float" in str(known[name].type):
            kw[name] = float(value)  # YAML reads 1e-4 (no dot) as a string
        else:
            kw[name] = value
    return cls(**kw)


def _set(raw: dict, dotted: str, value: Any) -> None:
    *path, last = dotted.split(".")
    node = raw
    for p in path:
        node = node.setdefault(p, {})
    node[last] = value


def load_config(path: str | Path | None = None, overrides: list[str] | dict | None = None) -> SFTConfig:
    """An :class:`SFTConfig` from YAML, with ``key.sub=value`` overrides (values parsed as YAML)."""
    raw = yaml.safe_load(Path(path).read_text()) if path else {}
    items = overrides.items() if isinstance(overrides, dict) else (o.split("=", 1) for o in overrides or [])
    for k, v in items:
        _set(raw, k, yaml.safe_load(v) if isinstance(v, str) else v)
    return _build(SFTConfig, raw)


def config_dict(cfg: SFTConfig) -> dict:
    return json.loads(json.dumps(asdict(cfg)))


# ------------------------------------------------------------------ LoRA
def layer_indices(spec: str, n_layers: int) -> list[int] | None:
    """``all`` -> None (every layer); ``top:K`` -> the last K; ``"0,3,5"`` -> those."""
    spec = str(spec).strip()
    if spec == "all":
        return None
    if spec.startswith("top:"):
        k = int(spec[4:])
        if not 0 < k <= n_layers:
            raise ValueError(f"top:{k} needs 1..{n_layers} layers")
        return list(range(n_layers - k, n_layers))
    idx = [int(x) for x in spec.split(",")]
    if any(not 0 <= i < n_layers for i in idx):
        raise ValueError(f"layer indices {idx} outside 0..{n_layers - 1}")
    return idx


def peft_config(lora: LoraConfig, n_layers: int):
    from peft import LoraConfig as PeftLora

    return PeftLora(
        r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout, target_modules=list(lora.target_modules),
        layers_to_transform=layer_indices(lora.layers, n_layers), bias="none", task_type="CAUSAL_LM",
    )  # fmt: skip


# ------------------------------------------------------------------ data -> trl datasets
def token_length(ex: SFTExample, tokenizer) -> int:
    msgs = ex.prompt() + ex.completion()
    return len(tokenizer.apply_chat_template(msgs, tokenize=True, return_dict=True)["input_ids"])


def fitting(examples: list[SFTExample], tokenizer, max_length: int) -> list[SFTExample]:
    """The examples whose prompt + program fit in ``max_length`` tokens, in order."""
    return [e for e in examples if token_length(e, tokenizer) <= max_length]


def to_dataset(examples: list[SFTExample], tokenizer, max_length: int):
    """A prompt-completion ``datasets.Dataset``; examples longer than ``max_length`` are dropped."""
    from datasets import Dataset

    rows, lengths = [], []
    for ex in examples:
        n = token_length(ex, tokenizer)
        if n <= max_length:
            rows.append(ex.as_record())
            lengths.append(n)
    if not rows:
        raise ValueError(f"no example fits max_length={max_length}")
    ds = Dataset.from_list(rows)
    return ds.add_column("length", lengths), len(examples) - len(rows)


# ------------------------------------------------------------------ generation check
@dataclass(frozen=True)
class GenCheck:
    """Compile rate (and F1s when available) of greedy generations on fixed val items."""

    n: int
    compile_rate: float
    stroke_f1: float | None
    label_f1: float | None
    seconds: float
    new_tokens: int


def _metrics_module():
    """``img2asy.eval.metrics`` if it is available (it is written separately; imported lazily)."""
    try:
        from img2asy.eval import metrics
    except ImportError:
        return None
    return metrics


def score_program(code: str, reference_code: str, toolchain, metrics=None) -> dict:
    """Compile ``code``; with ``metrics``, its stroke/label F1 against the item's own program."""
    res = toolchain.compile(code)
    out: dict[str, Any] = {"ok": bool(res.ok), "error": None if res.ok else (str(res.errors[0]) if res.errors else "?")}
    if metrics is not None and reference_code:
        try:
            ref = metrics.Reference.from_program(reference_code, toolchain)
            sc = metrics.score_program(code, ref, toolchain, result=res)
            out |= {"stroke_f1": sc.stroke_f1, "label_f1": sc.label_f1}
        except Exception as e:  # a metric failure must not stop training
            out["metric_error"] = f"{type(e).__name__}: {e}"
    return out


def generation_check(model, tokenizer, items: list[dict], max_new_tokens: int, toolchain=None,
                     batch_size: int = 4) -> tuple[GenCheck, list[dict]]:  # fmt: skip
    """Greedy-generate a program for each item (``scene_text``, ``reference_code``) and compile it.

    Items are decoded ``batch_size`` at a time (left-padded): CPU decoding is bound by memory
    traffic, so a batch of four costs little more than one sequence.
    """
    import torch

    from img2asy.asy import Toolchain
    from img2asy.codegen.prompt import build_messages, extract_code

    toolchain = toolchain or Toolchain.default()
    metrics = _metrics_module()
    was_training = model.training
    model.eval()
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    t0, n_new, rows = time.perf_counter(), 0, []
    try:
        with torch.inference_mode():
            for b in range(0, len(items), batch_size):
                chunk = items[b : b + batch_size]
                texts = [tokenizer.apply_chat_template(build_messages(it["scene_text"]), tokenize=False,
                                                       add_generation_prompt=True) for it in chunk]  # fmt: skip
                enc = tokenizer(texts, return_tensors="pt", add_special_tokens=False, padding=True).to(model.device)
                out = model.generate(**enc, do_sample=False, max_new_tokens=max_new_tokens, use_cache=True,
                                     temperature=None, top_p=None, top_k=None, pad_token_id=tokenizer.pad_token_id)  # fmt: skip
                for it, seq in zip(chunk, out[:, enc["input_ids"].shape[1] :]):
                    n_new += int((seq != tokenizer.pad_token_id).sum())
                    code = extract_code(tokenizer.decode(seq, skip_special_tokens=True))
                    rows.append({"id": it["id"], "code": code,
                                 **score_program(code, it.get("reference_code", ""), toolchain, metrics)})  # fmt: skip
    finally:
        tokenizer.padding_side = side
        if was_training:
            model.train()

    def mean(k: str) -> float | None:
        vals = [r[k] for r in rows if k in r]
        return sum(vals) / len(vals) if vals else None

    check = GenCheck(len(rows), sum(r["ok"] for r in rows) / max(1, len(rows)), mean("stroke_f1"), mean("label_f1"),
                     round(time.perf_counter() - t0, 1), n_new)  # fmt: skip
    return check, rows


# ------------------------------------------------------------------ logging callback
CSV_FIELDS = ("step", "epoch", "seconds", "loss", "learning_rate", "grad_norm", "mean_token_accuracy", "num_tokens",
              "eval_loss", "compile_rate", "stroke_f1", "label_f1", "gen_seconds")  # fmt: skip


def make_callback(out_dir: Path, gen_items: list[dict], ecfg: EvalConfig, tokenizer, max_seconds: float | None):
    """A TrainerCallback: CSV + TensorBoard logging, periodic generation checks, a time box."""
    from torch.utils.tensorboard import SummaryWriter
    from transformers import TrainerCallback

    class SFTLogger(TrainerCallback):
        def __init__(self):
            self.csv_path = out_dir / "metrics.csv"
            self.tb = SummaryWriter(str(out_dir / "tb"))
            self.t0 = time.perf_counter()
            self.train_seconds = 0.0
            self.last_gen_step = -1
            self.checks: list[dict] = []
            self.step_seconds: list[float] = []

        def _row(self, state, values: dict) -> None:
            if not any(k in values and values[k] is not None for k in CSV_FIELDS[3:]):
                return  # e.g. the trainer's end-of-run summary: nothing this log tracks
            new = not self.csv_path.exists()
            with open(self.csv_path, "a", newline="") as f:
                w = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore")
                if new:
                    w.writeheader()
                w.writerow({"step": state.global_step, "epoch": round(state.epoch or 0, 4),
                            "seconds": round(time.perf_counter() - self.t0, 1), **values})  # fmt: skip
            for k, v in values.items():
                if isinstance(v, (int, float)) and v is not None and k in CSV_FIELDS:
                    self.tb.add_scalar(("eval/" if k in ("eval_loss", "compile_rate", "stroke_f1", "label_f1") else "train/") + k, v, state.global_step)
            self.tb.flush()

        def on_train_begin(self, args, state, control, **kw):
            self.t0 = time.perf_counter() - self.train_seconds
            return control

        def on_log(self, args, state, control, logs=None, **kw):
            if logs and state.is_world_process_zero:
                self._row(state, {k: v for k, v in logs.items() if isinstance(v, (int, float))})
            return control

        def _generate(self, state, model) -> None:
            if not gen_items or state.global_step == self.last_gen_step:
                return
            self.last_gen_step = state.global_step
            check, rows = generation_check(model, tokenizer, gen_items, ecfg.max_new_tokens)
            rec = {"compile_rate": check.compile_rate, "stroke_f1": check.stroke_f1, "label_f1": check.label_f1,
                   "gen_seconds": check.seconds}  # fmt: skip
            self._row(state, rec)
            self.checks.append({"step": state.global_step, **asdict(check)})
            with open(out_dir / "generations.jsonl", "a") as f:
                for r in rows:
                    f.write(json.dumps({"step": state.global_step, **r}) + "\n")
            print(f"[sft] step {state.global_step}: val compile rate {check.compile_rate:.2f} on {check.n} items ({check.seconds:.0f}s)")

        def on_evaluate(self, args, state, control, model=None, **kw):
            if ecfg.generate_every and state.global_step % ecfg.generate_every == 0 and state.is_world_process_zero:
                self._generate(state, model)
            return control

        def on_step_begin(self, args, state, control, **kw):
            self._step_t0 = time.perf_counter()
            return control

        def on_step_end(self, args, state, control, **kw):
            if getattr(self, "_step_t0", None) is not None:
                self.step_seconds.append(time.perf_counter() - self._step_t0)  # optimizer step only, no eval
            if max_seconds and time.perf_counter() - self.t0 > max_seconds:
                print(f"[sft] time box of {max_seconds:.0f}s reached at step {state.global_step}: stopping")
                control.should_training_stop = True
                control.should_save = True
            return control

        def on_train_end(self, args, state, control, model=None, **kw):
            if state.is_world_process_zero:
                self._generate(state, model)
            self.tb.close()
            return control

    return SFTLogger()


# ------------------------------------------------------------------ the trainer
def make_trainer_class():
    """``SFTTrainer`` with a CPU-friendly loss: the LM head runs only where a label is trained.

    trl's fused, tiled LM head suits GPUs; on this CPU it was 4x slower than a plain head.
    Here the model is asked for logits at the completion positions only (``logits_to_keep``
    as a boolean mask), which skips the vocabulary projection of every prompt token.
    """
    import torch
    import torch.nn.functional as F
    from trl import SFTTrainer

    class CompletionSFTTrainer(SFTTrainer):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            if return_outputs or "labels" not in inputs:
                return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            mode = "train" if self.model.training else "eval"
            labels = inputs["labels"]
            keep = torch.zeros_like(labels, dtype=torch.bool)
            keep[:, :-1] = labels[:, 1:] != -100  # position t predicts token t+1
            fwd = {k: v for k, v in inputs.items() if k not in ("labels", "completion_mask", "assistant_masks")}
            out = model(**fwd, use_cache=False, logits_to_keep=keep)
            target = labels[:, 1:][keep[:, :-1]]
            logits = out.logits.reshape(-1, out.logits.shape[-1]).float()
            loss_sum = F.cross_entropy(logits, target, reduction="sum")
            n_tok = target.numel()
            denom = num_items_in_batch if num_items_in_batch is not None else n_tok
            loss = loss_sum / torch.as_tensor(denom, device=loss_sum.device).clamp(min=1)
            with torch.no_grad():
                acc = (logits.argmax(-1) == target).float().mean().item() if n_tok else 0.0
            self._metrics[mode]["mean_token_accuracy"].append(acc)
            if mode == "train":
                self._total_train_tokens += int(inputs["attention_mask"].sum()) if "attention_mask" in inputs else labels.numel()
            self._metrics[mode]["num_tokens"] = [self._total_train_tokens]
            return loss

    return CompletionSFTTrainer


# ------------------------------------------------------------------ the run
@dataclass
class RunResult:
    output_dir: str
    adapter_dir: str
    steps: int
    train_seconds: float  # wall time of trainer.train(), evaluations and generation checks included
    seconds_per_step: float  # mean optimizer step (forward + backward of grad_accum sequences), no evaluation
    train_examples: int
    dropped_long: int
    trainable_params: int
    final_eval_loss: float | None
    checks: list[dict]


def _gen_items(examples: list[SFTExample], n: int) -> list[dict]:
    """The first ``n`` examples as generation-check items (scene text in, reference program for F1)."""
    return [{"id": e.id, "scene_text": e.scene_text, "reference_code": e.code} for e in examples[: max(n, 0)]]


def train(cfg: SFTConfig, resume: bool = False) -> RunResult:
    """Run (or resume) one fine-tuning; writes the adapter to ``output_dir/adapter`` (and ``export_dir``)."""
    import torch
    from trl import SFTConfig as TrlConfig

    from img2asy.codegen.model_io import load_model

    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not resume:
        for stale in ("metrics.csv", "generations.jsonl"):
            (out / stale).unlink(missing_ok=True)
    (out / "config.yaml").write_text(yaml.safe_dump(config_dict(cfg), sort_keys=False))
    t = cfg.train
    if t.threads:
        torch.set_num_threads(t.threads)
    torch.manual_seed(t.seed)

    model, tok = load_model(cfg.base, t.dtype, trainable=True)
    model.config.use_cache = False
    train_ex = load_split(cfg.data, "train", cfg.data.max_train)
    val_ex = load_split(cfg.data, "val", cfg.data.max_val)
    train_ds, dropped = to_dataset(train_ex, tok, t.max_length)
    train_ds = train_ds.remove_columns(["id"])
    val_fit = fitting(val_ex, tok, t.max_length)  # fixed val subsets: the first items that fit
    val_ds, _ = to_dataset(val_fit[: max(cfg.eval.n_loss, 1)], tok, t.max_length)
    val_ds = val_ds.remove_columns(["id"])
    gen_items = _gen_items(val_fit, cfg.eval.n_generate)
    print(f"[sft] {len(train_ds)} train examples ({dropped} over {t.max_length} tokens dropped), "
          f"{len(val_ds)} val for loss, {len(gen_items)} for compile rate; inputs={cfg.data.inputs}")  # fmt: skip

    use_bf16 = t.dtype == "bf16" and torch.cuda.is_available()
    args = TrlConfig(
        output_dir=str(out), num_train_epochs=t.epochs, max_steps=t.max_steps,
        per_device_train_batch_size=t.batch_size, per_device_eval_batch_size=1, gradient_accumulation_steps=t.grad_accum,
        learning_rate=t.lr, lr_scheduler_type=t.scheduler, warmup_steps=t.warmup_ratio, weight_decay=t.weight_decay,
        gradient_checkpointing=t.gradient_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False} if t.gradient_checkpointing else None,
        logging_steps=t.logging_steps, eval_strategy="steps", eval_steps=t.eval_steps, save_strategy="steps",
        save_steps=t.save_steps, save_total_limit=t.save_total_limit, seed=t.seed, data_seed=t.seed,
        eval_on_start=t.eval_on_start, max_length=t.max_length, packing=False, completion_only_loss=True, bf16=use_bf16,
        train_sampling_strategy="group_by_length" if t.batch_size > 1 else "random",
        report_to="none", dataloader_num_workers=0, remove_unused_columns=True, save_only_model=False,
        model_init_kwargs=None, dataset_num_proc=None, disable_tqdm=False,
    )  # fmt: skip
    n_layers = model.config.num_hidden_layers
    trainer = make_trainer_class()(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds, processing_class=tok,
                         peft_config=peft_config(cfg.lora, n_layers))  # fmt: skip
    logger = make_callback(out, gen_items, cfg.eval, tok, t.max_seconds)
    trainer.add_callback(logger)
    trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    print(f"[sft] trainable parameters: {trainable:,}")

    has_ckpt = any(out.glob("checkpoint-*"))
    t0 = time.perf_counter()
    trainer.train(resume_from_checkpoint=True if resume and has_ckpt else None)
    seconds = time.perf_counter() - t0
    evals = [h for h in trainer.state.log_history if "eval_loss" in h]
    final = evals[-1] if evals and evals[-1].get("step") == trainer.state.global_step else trainer.evaluate()

    adapter_dir = out / "adapter"
    trainer.model.save_pretrained(str(adapter_dir))
    _portable_adapter_config(adapter_dir, cfg.base)
    steps = trainer.state.global_step
    per_step = sum(logger.step_seconds) / len(logger.step_seconds) if logger.step_seconds else seconds / max(1, steps)
    res = RunResult(str(out), str(adapter_dir), steps, round(seconds, 1), round(per_step, 2),
                    len(train_ds), dropped, trainable, final.get("eval_loss"), logger.checks)  # fmt: skip
    (out / "result.json").write_text(json.dumps(asdict(res), indent=1))
    plot_curves([out / "metrics.csv"], out / "curves.png", [cfg.name])
    if cfg.export_dir:
        export_adapter(cfg, res, Path(cfg.export_dir))
    return res


def _portable_adapter_config(adapter_dir: Path, base_spec: str) -> None:
    """Record the base by its spec (``qwen2.5-coder-0.5b``), not this machine's absolute path."""
    p = adapter_dir / "adapter_config.json"
    c = json.loads(p.read_text())
    c["base_model_name_or_path"] = base_spec  # (peft warns about extra keys, so nothing else is added)
    p.write_text(json.dumps(c, indent=2, sort_keys=True))


def export_adapter(cfg: SFTConfig, res: RunResult, dest: Path, dtype: str = "bf16") -> Path:
    """Copy the adapter (LoRA weights in ``dtype`` + config only) and the run's record into ``dest``."""
    import shutil

    from img2asy.codegen.model_io import torch_dtype

    from safetensors.torch import load_file, save_file

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(res.adapter_dir) / "adapter_config.json", dest / "adapter_config.json")
    # bf16 halves the file; peft casts the weights back to the model's dtype when loading
    tensors = load_file(str(Path(res.adapter_dir) / "adapter_model.safetensors"))
    save_file({k: v.to(torch_dtype(dtype)).contiguous() for k, v in tensors.items()}, str(dest / "adapter_model.safetensors"))
    (dest / "train_config.yaml").write_text(yaml.safe_dump(config_dict(cfg), sort_keys=False))
    (dest / "train_result.json").write_text(json.dumps(asdict(res), indent=1))
    return dest


# ------------------------------------------------------------------ plots
def read_metrics(path: Path) -> list[dict]:
    with open(path) as f:
        return [{k: (float(v) if v not in ("", None) else None) for k, v in r.items()} for r in csv.DictReader(f)]


def plot_curves(paths: list[Path], png: Path, names: list[str] | None = None) -> Path:
    """Training loss, validation loss and compile rate against step, one line per run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    for i, p in enumerate(paths):
        if not Path(p).exists():
            continue
        rows = read_metrics(Path(p))
        name = names[i] if names else Path(p).parent.name
        for ax, key in zip(axes, ("loss", "eval_loss", "compile_rate")):
            pts = [(r["step"], r[key]) for r in rows if r.get(key) is not None]
            if pts:
                ax.plot(*zip(*pts), marker="o" if key != "loss" else None, ms=3, label=name)
    for ax, title in zip(axes, ("train loss (completion tokens)", "val loss", "val compile rate")):
        ax.set_title(title)
        ax.set_xlabel("optimizer step")
        ax.grid(alpha=0.3)
        if not ax.lines:
            ax.text(0.5, 0.5, "not measured in these runs", ha="center", va="center", transform=ax.transAxes, color="gray")
    axes[2].set_ylim(-0.03, 1.03)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return png


# ------------------------------------------------------------------ hyper-parameter search
@dataclass(frozen=True)
class SearchResult:
    name: str
    overrides: dict
    steps: int
    seconds_per_step: float
    eval_loss: float | None
    compile_rate: float | None
    score: float


def search_score(eval_loss: float | None, compile_rate: float | None, weight: float = 0.5) -> float:
    """Lower is better: validation loss minus ``weight`` x compile rate."""
    return (eval_loss if eval_loss is not None else math.inf) - weight * (compile_rate or 0.0)


def run_search(spec_path: Path, only: list[str] | None = None, extra: list[str] | None = None) -> list[SearchResult]:
    """Short runs of a base config under each variant's overrides; writes a Markdown table and plot.

    ``extra`` (``key=value``) applies to every variant, e.g. another dataset path. A variant whose
    ``result.json`` exists is not rerun, so an interrupted search continues where it stopped.
    """
    spec = yaml.safe_load(Path(spec_path).read_text())
    base_cfg = Path(spec["base_config"])
    root = Path(spec.get("output_root", "runs/sft-search"))
    common = dict(spec.get("common", {}))
    for item in extra or []:
        k, v = item.split("=", 1)
        common[k] = yaml.safe_load(v)
    results: list[SearchResult] = []
    for name, over in spec["variants"].items():
        if only and name not in only:
            continue
        run_dir = root / name
        done = run_dir / "result.json"
        if not done.exists():
            cfg = load_config(base_cfg, {**common, **(over or {}), "output_dir": str(run_dir), "export_dir": None, "name": name})
            train(cfg)
        r = json.loads(done.read_text())
        cr = r["checks"][-1]["compile_rate"] if r["checks"] else None
        results.append(SearchResult(name, over or {}, r["steps"], r["seconds_per_step"], r["final_eval_loss"], cr,
                                    round(search_score(r["final_eval_loss"], cr), 4)))  # fmt: skip
    write_search_table(results, root / "search.md")
    plot_curves([root / r.name / "metrics.csv" for r in results], root / "search_curves.png", [r.name for r in results])
    return results


def write_search_table(results: list[SearchResult], path: Path) -> Path:
    lines = ["| run | overrides | steps | s/step | val loss | compile rate | score |", "|---|---|---|---|---|---|---|"]
    for r in sorted(results, key=lambda r: r.score):
        over = ", ".join(f"{k}={v}" for k, v in r.overrides.items()) or "(base)"
        el = f"{r.eval_loss:.4f}" if r.eval_loss is not None else "-"
        cr = f"{r.compile_rate:.2f}" if r.compile_rate is not None else "-"
        lines.append(f"| {r.name} | {over} | {r.steps} | {r.seconds_per_step:.1f} | {el} | {cr} | {r.score:.4f} |")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def copy_config(cfg: SFTConfig, **changes) -> SFTConfig:
    """``cfg`` with top-level fields replaced (tests use it)."""
    d = copy.deepcopy(config_dict(cfg))
    d.update(changes)
    return _build(SFTConfig, d)


__all__ = ["SFTConfig", "LoraConfig", "TrainConfig", "EvalConfig", "DataConfig", "NoiseConfig", "load_config", "train",
           "run_search", "plot_curves", "generation_check", "layer_indices", "to_dataset"]  # fmt: skip
