"""Codegen stage: scene graph -> Asymptote, with swappable backends and a verifying repair loop.

* :mod:`.registry` names the backends (``rule``, ``hf:<base>[+<adapter>]``, ``openai:<url>#<model>``);
* :mod:`.rule` is the deterministic printer (baseline and last-resort fallback);
* :mod:`.repair` compiles, repairs, samples best-of-K and falls back to ``rule``;
* :mod:`.pipeline` runs files end to end (``img2asy run``).
"""
