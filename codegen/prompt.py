"""The chat prompt shared by every LLM backend, training and inference alike.

One home for the wording so a model is trained on exactly what it is asked at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM = (
    "You write Asymptote code for K-12 math diagrams. Given a scene description, write one "
    "complete Asymptote program that redraws the figure: set size(...), name points with pair, "
    "use draw, fill, dot, arc, circle, Arrow and label as a person would, and use only stock "
    "Asymptote (no olympiad or cse5 modules). Answer with the code only."
)


@dataclass(frozen=True)
class Repair:
    """What the repair loop sends back: the failed program and the compiler's complaint."""

    program: str
    error: str  # structured: "line L, column C: message\n    offending line"


def user_message(scene_text: str) -> str:
    return f"Scene:\n{scene_text.strip()}\n\nAsymptote program:"


def repair_message(repair: Repair) -> str:
    return (
        "That program does not compile. Asymptote says:\n"
        f"{repair.error.strip()}\n\nWrite the corrected complete program, code only."
    )


def build_messages(scene_text: str, repair: Repair | None = None) -> list[dict[str, str]]:
    """Chat messages for one generation; with ``repair``, the previous attempt and its error follow."""
    msgs = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user_message(scene_text)}]
    if repair is not None:
        msgs += [{"role": "assistant", "content": repair.program}, {"role": "user", "content": repair_message(repair)}]
    return msgs


def extract_code(completion: str) -> str:
    """The program inside a completion (strips Markdown fences the model may add)."""
    text = completion.strip()
    if "```" in text:
        parts = text.split("```")
        body = max(parts[1::2], key=len) if len(parts) > 2 else parts[-1]
        first, _, rest = body.partition("\n")
        text = rest if first.strip().lower() in ("asy", "asymptote", "") else body
    return text.strip() + "\n"
