"""The ``hf`` codegen backend: a transformers causal LM, optionally with a LoRA adapter.

``hf:<base>[+<adapter>]`` in the registry builds ``HFBackend(base, adapter, **opts)``. The
prompt is :func:`codegen.prompt.build_messages` rendered with the model's chat template, the
same text the adapter was trained on; the program is :func:`codegen.prompt.extract_code` of
the completion. One candidate is decoded greedily; several are sampled.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .prompt import Repair, build_messages, extract_code


@dataclass(frozen=True)
class GenerationStats:
    """Speed of one ``generate`` call (all candidates together)."""

    prompt_tokens: int
    new_tokens: int
    seconds: float

    @property
    def tokens_per_s(self) -> float:
        return self.new_tokens / self.seconds if self.seconds > 0 else 0.0


@dataclass
class HFOptions:
    dtype: str = "fp32"  # fp32 is faster than bf16 on CPUs without native bf16; bf16 halves memory
    max_new_tokens: int = 512  # 94% of real MATH programs fit (train split, Qwen tokens; median 176)
    temperature: float = 0.8
    top_p: float = 0.95
    seed: int = 0
    threads: int | None = None  # torch threads (None: torch's default)
    repetition_penalty: float = 1.0  # > 1 discourages tokens already in the text (a model stuck repeating a line)
    stop_repeats: int = 3  # stop once a statement line has been written this many times (a loop); 0: off
    device: str = "cpu"


def repeated_line(text: str, times: int, min_len: int = 8) -> bool:
    """Some complete line of ``text`` (at least ``min_len`` characters, so not ``}`` or a blank)
    occurs ``times`` times or more: the decoder is looping (an under-trained adapter writes the
    same ``draw`` lines until the token limit, ~90 s on this CPU)."""
    lines = [ln.strip() for ln in text.split("\n")[:-1]]  # the last one may be unfinished
    counts: dict[str, int] = {}
    for ln in lines:
        if len(ln) >= min_len:
            counts[ln] = counts.get(ln, 0) + 1
            if counts[ln] >= times:
                return True
    return False


def _repeat_stop(tokenizer, prompt_len: int, times: int):
    """A ``StoppingCriteria`` that ends each sequence once :func:`repeated_line` holds for it."""
    import torch
    from transformers import StoppingCriteria

    class RepeatStop(StoppingCriteria):
        def __call__(self, input_ids, scores=None, **kwargs):
            done = [repeated_line(tokenizer.decode(row[prompt_len:], skip_special_tokens=True), times) for row in input_ids]
            return torch.tensor(done, dtype=torch.bool, device=input_ids.device)

    return RepeatStop()


class HFBackend:
    """Generate Asymptote programs with a (LoRA-adapted) causal LM."""

    def __init__(self, base: str, adapter: str | Path | None = None, **opts):
        from .model_io import load_model

        self.base, self.adapter = base, str(adapter) if adapter else None
        self.options = HFOptions(**opts)
        self.name = f"hf:{base}" + (f"+{adapter}" if adapter else "")
        if self.options.threads:
            import torch

            torch.set_num_threads(self.options.threads)
        self.model, self.tokenizer = load_model(base, self.options.dtype, self.adapter)
        if self.adapter:  # fold the LoRA weights in: same outputs, no adapter overhead per token
            self.model = self.model.merge_and_unload()
        self.model.to(self.options.device)
        self.history: list[GenerationStats] = []

    def prompt_ids(self, scene_text: str, repair: Repair | None = None):
        msgs = build_messages(scene_text, repair)
        text = self.tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
        return self.tokenizer(text, return_tensors="pt", add_special_tokens=False)

    def complete(self, scene_text: str, n: int = 1, repair: Repair | None = None) -> list[str]:
        """The raw completions (before code extraction)."""
        import torch

        enc = self.prompt_ids(scene_text, repair).to(self.options.device)
        sample = n > 1
        kw = dict(do_sample=sample, num_return_sequences=n, max_new_tokens=self.options.max_new_tokens,
                  pad_token_id=self.tokenizer.pad_token_id, eos_token_id=self.tokenizer.eos_token_id)  # fmt: skip
        if self.options.repetition_penalty != 1.0:
            kw["repetition_penalty"] = self.options.repetition_penalty
        if self.options.stop_repeats > 0:
            from transformers import StoppingCriteriaList

            kw["stopping_criteria"] = StoppingCriteriaList([_repeat_stop(self.tokenizer, enc["input_ids"].shape[1], self.options.stop_repeats)])
        if sample:
            torch.manual_seed(self.options.seed)
            kw |= dict(temperature=self.options.temperature, top_p=self.options.top_p, top_k=0)
        else:
            kw |= dict(temperature=None, top_p=None, top_k=None)
        t0 = time.perf_counter()
        with torch.inference_mode():
            out = self.model.generate(**enc, **kw)
        seconds = time.perf_counter() - t0
        plen = enc["input_ids"].shape[1]
        new = out[:, plen:]
        n_new = int((new != self.tokenizer.pad_token_id).sum()) if self.tokenizer.pad_token_id is not None else new.numel()
        self.history.append(GenerationStats(plen, n_new, seconds))
        return self.tokenizer.batch_decode(new, skip_special_tokens=True)

    def generate(self, scene=None, scene_text: str | None = None, n: int = 1, repair: Repair | None = None) -> list[str]:
        """``n`` candidate programs for a scene (its graph or its text; the text wins when given)."""
        if scene_text is None:
            if scene is None:
                raise ValueError("HFBackend.generate needs a scene graph or its scene text")
            from img2asy.scene_graph.serialize import to_text

            scene_text = to_text(scene)
        return [extract_code(c) for c in self.complete(scene_text, n, repair)]

    @property
    def last_stats(self) -> GenerationStats | None:
        return self.history[-1] if self.history else None

    def tokens_per_s(self) -> float:
        """Mean decode speed over every call so far."""
        toks = sum(s.new_tokens for s in self.history)
        secs = sum(s.seconds for s in self.history)
        return toks / secs if secs else 0.0
