"""Synthetic K-12 diagram families; importing this package registers all of them."""

from .base import Diagram, families, generate, register

# Family modules register themselves on import.
from . import (  # noqa: F401,E402  (imported for their registrations)
    areas,
    charts,
    circles,
    coordinate,
    grids,
    lines,
    numberline,
    polygons,
    solids,
    triangles,
    venn,
)

__all__ = ["Diagram", "families", "generate", "register"]
