"""The hf backend on a tiny random Qwen2: chat-template prompting, greedy/sampled candidates, LoRA round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from img2asy.codegen.hf import HFBackend
from img2asy.codegen.model_io import BASE_MODELS, DEFAULT_BASE, adapter_base, build_tiny_model, load_model
from img2asy.codegen.base_model import models_dir
from img2asy.codegen.prompt import Repair

SCENE = "scene 100x100 bp unit=10\npoint P1 (0,0) dot\npoint P2 (10,0) dot\nsegment P1 P2\n"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    real = models_dir() / BASE_MODELS[DEFAULT_BASE].folder
    src = real if (real / "tokenizer.json").exists() else None
    corpus = ["size(100); draw((0,0)--(1,1)); label(\"$A$\", (0,0), SW);", SCENE] * 4
    return build_tiny_model(tmp_path_factory.mktemp("tiny"), tokenizer_src=src, corpus=corpus, hidden=32, layers=2)


@pytest.fixture(scope="module")
def adapter(tiny, tmp_path_factory) -> Path:
    """A LoRA with non-zero weights (so it changes the model), saved like a trained one."""
    from peft import LoraConfig, get_peft_model

    model, _ = load_model(str(tiny), "fp32", trainable=True)
    torch.manual_seed(1)
    peft = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    out = tmp_path_factory.mktemp("adapter")
    peft.save_pretrained(str(out))
    return out


def test_greedy_is_deterministic_and_sampling_gives_n(tiny):
    be = HFBackend(str(tiny), max_new_tokens=12)
    a = be.generate(scene_text=SCENE)
    assert len(a) == 1 and a == be.generate(scene_text=SCENE) and a[0].endswith("\n")
    many = be.generate(scene_text=SCENE, n=3)
    assert len(many) == 3
    st = be.last_stats
    assert st.new_tokens > 0 and st.prompt_tokens > 20 and be.tokens_per_s() > 0
    # a repair turn makes the prompt longer: the failed program and the error are in it
    be.generate(scene_text=SCENE, repair=Repair("draw((0,0)--(1,1))", "line 1, column 18: syntax error"))
    assert be.last_stats.prompt_tokens > st.prompt_tokens
    assert "syntax error" in be.tokenizer.decode(be.prompt_ids(SCENE, Repair("x", "syntax error"))["input_ids"][0])


def test_scene_graph_input_is_serialised(tiny):
    from img2asy.scene_graph.schema import SceneGraph, Stroke

    g = SceneGraph(100, 100, 72)
    g.add("segment", Stroke(), a=[0.0, 0.0], b=[50.0, 50.0])
    be = HFBackend(str(tiny), max_new_tokens=4)
    assert len(be.generate(scene=g)) == 1
    with pytest.raises(ValueError):
        be.generate()


def test_adapter_round_trip(tiny, adapter):
    """Loading base+adapter through the backend gives the trained model's outputs, not the base's."""
    base = HFBackend(str(tiny), max_new_tokens=4)
    tuned = HFBackend(str(tiny), str(adapter), max_new_tokens=4)
    assert adapter_base(adapter) == str(tiny)
    from peft import PeftModel

    ref_model, tok = load_model(str(tiny), "fp32")
    ref = PeftModel.from_pretrained(ref_model, str(adapter)).eval()
    enc = tuned.prompt_ids(SCENE)
    with torch.inference_mode():
        want = ref(**enc).logits
        got = tuned.model(**enc).logits
        plain = base.model(**enc).logits
    assert torch.allclose(got, want, atol=1e-4)
    assert not torch.allclose(got, plain, atol=1e-3)


def test_spec_options_reach_the_backend_and_win(tiny):
    """``hf:<base>?key=value`` sets HFOptions; the spec's own options beat the caller's defaults."""
    from img2asy.codegen.registry import make_backend

    be = make_backend(f"hf:{tiny}?max_new_tokens=3&temperature=0.5", {"max_new_tokens": 50, "seed": 7})
    opts = be.inner.options if hasattr(be, "inner") else be.options
    assert (opts.max_new_tokens, opts.temperature, opts.seed) == (3, 0.5, 7)


def test_repetition_penalty_reaches_generation(tiny):
    """``?repetition_penalty=`` (a model stuck repeating a line, docs/TRAINING.md session 10): a
    strong penalty changes greedy decoding and repeats fewer tokens; 1.0 leaves it as it was."""
    plain = HFBackend(str(tiny), max_new_tokens=24)
    same = HFBackend(str(tiny), max_new_tokens=24, repetition_penalty=1.0)
    strong = HFBackend(str(tiny), max_new_tokens=24, repetition_penalty=5.0)
    a, b, c = (be.complete(SCENE)[0] for be in (plain, same, strong))
    ids = [be.tokenizer(x, add_special_tokens=False)["input_ids"] for be, x in ((plain, a), (strong, c))]
    assert a == b and a != c
    assert len(ids[1]) - len(set(ids[1])) <= len(ids[0]) - len(set(ids[0]))


def test_a_looping_decoder_is_stopped_at_the_third_copy_of_a_line(tiny):
    """The session-10 adapter wrote ``draw((0,0)--(1,1));`` / ``draw((1,1)--(1,0));`` until the
    512-token limit (106 s on this CPU). Decoding stops once a statement line has been written
    3 times; braces, blank lines and an unfinished last line do not count."""
    from img2asy.codegen.hf import _repeat_stop, repeated_line

    loop = "size(200);\n" + "draw((0,0)--(1,1));\ndraw((1,1)--(1,0));\n" * 3
    assert repeated_line(loop, 3) and not repeated_line(loop, 4)
    assert not repeated_line("for (int i=0;i<3;++i) {\n}\n}\n}\n\n\n\n", 3)
    assert not repeated_line("draw(A--B);\ndraw(A--B);\ndraw(A--B);", 3)  # the third is unfinished
    be = HFBackend(str(tiny), max_new_tokens=4)
    prompt = be.prompt_ids(SCENE)["input_ids"]
    stop = _repeat_stop(be.tokenizer, prompt.shape[1], 3)
    two = be.tokenizer("draw((0,0)--(1,1));\n" * 2, return_tensors="pt", add_special_tokens=False)["input_ids"]
    three = be.tokenizer("draw((0,0)--(1,1));\n" * 3, return_tensors="pt", add_special_tokens=False)["input_ids"]
    assert not bool(stop(torch.cat([prompt, two], 1))[0]) and bool(stop(torch.cat([prompt, three], 1))[0])
    assert be.options.stop_repeats == 3 and HFBackend(str(tiny), max_new_tokens=4, stop_repeats=0).complete(SCENE)
