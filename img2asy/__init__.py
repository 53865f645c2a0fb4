"""img2asy: turn images of K-12 math diagrams into editable Asymptote code.

The stages live in sibling packages installed under this namespace:
``img2asy.data`` (dataset engine), ``img2asy.scene_graph`` (the graph schema),
``img2asy.perception``, ``img2asy.codegen``, ``img2asy.training`` and ``img2asy.eval``.
``img2asy.asy`` is the single Asymptote toolchain wrapper every stage uses.
"""

__version__ = "0.1.0"
