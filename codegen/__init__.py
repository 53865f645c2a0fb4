"""Codegen stage: scene graph -> Asymptote.

Backends are picked by name from ``registry`` (``rule``, ``hf:<base>[+<adapter>]``,
``openai:<url>#<model>``); ``repair`` compiles, feeds errors back, picks the best of K by the
shared stroke metric and falls back to ``rule``; ``pipeline`` runs ``img2asy run``.
"""
