"""Codegen stage: scene graph -> Asymptote (swappable backends and a repair loop).

Not built yet (issue 4).
"""
