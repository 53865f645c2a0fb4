"""Perception stage: image -> scene graph (YOLO detector, PP-OCR, stroke vectorisation).

Not built yet (issue 3); the ground-truth side of its contract is ``img2asy.scene_graph``.
"""
