"""Random drawing style: pens, fills, font sizes, written as Asymptote expressions."""

from __future__ import annotations

import random

COLORS = ["red", "blue", "heavygreen", "orange", "purple", "deepblue", "brown", "magenta"]


def linewidth(rng: random.Random) -> str:
    """'' (default pen) most of the time, else an explicit width."""
    return "" if rng.random() < 0.6 else f"linewidth({rng.choice(['0.6', '0.8', '1', '1.2', '1.5'])})"


def pen(rng: random.Random, dash_p: float = 0.0, color_p: float = 0.0) -> str:
    """A pen expression such as ``linewidth(1)+dashed``; '' means the default pen."""
    parts = [p for p in [linewidth(rng)] if p]
    if rng.random() < dash_p:
        parts.append(rng.choice(["dashed", "dotted", "dashed"]))
    if rng.random() < color_p:
        parts.append(rng.choice(COLORS))
    return "+".join(parts)


def with_pen(args: str, p: str) -> str:
    """Append a pen argument when there is one: with_pen('A--B', 'dashed') -> 'A--B, dashed'."""
    return f"{args}, {p}" if p else args


def fill_pen(rng: random.Random, color_p: float = 0.3) -> str:
    """A fill colour: light gray levels mostly, sometimes a light colour."""
    if rng.random() < color_p:
        return rng.choice(["lightgray", "palegray", "lightblue", "paleblue", "lightgreen", "palegreen",
                           "lightyellow", "pink", "lightred", "paleyellow"])  # fmt: skip
    return f"gray({rng.choice(['0.6', '0.7', '0.75', '0.8', '0.85', '0.9'])})"


def fontsize(rng: random.Random) -> str:
    """'' (default 12pt) or a ``defaultpen(fontsize(..))`` line."""
    if rng.random() < 0.7:
        return ""
    return f"defaultpen(fontsize({rng.choice([8, 9, 10, 11, 14])}pt));"


def size_line(rng: random.Random, lo: int = 140, hi: int = 260) -> str:
    """``size(w)`` or ``unitsize(..)`` as people write them."""
    return f"size({rng.randrange(lo, hi, 10)});"
