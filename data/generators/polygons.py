"""Family module (being written)."""
from __future__ import annotations

import random

from .base import register
from .labels import fmt, math, vertex_names
from .style import pen, with_pen, fill_pen, fontsize, size_line
