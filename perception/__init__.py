"""Perception stage: image -> scene graph.

``pipeline.perceive(image)`` is the one entry point: image loading and validation
(``image``), text boxes from the YOLO detector (``detector``) and glyph clusters (``glyphs``),
PP-OCR recognition (``ocr``) mapped to LaTeX (``latex``), stroke vectorisation (``strokes``,
``skeleton``, ``fitting``) and graph assembly (``assemble``) into ``img2asy.scene_graph``.
"""
