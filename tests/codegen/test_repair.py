"""The repair loop against the real compiler, with small scripted backends standing in for a model."""

from __future__ import annotations

from img2asy.codegen.prompt import Repair
from img2asy.codegen.registry import Backend
from img2asy.codegen.repair import RepairConfig, error_text, generate_verified
from img2asy.scene_graph.schema import SceneGraph, Stroke

GOOD = "size(150, 150);\ndraw((0,0)--(10,0)--(10,10)--cycle);\n"
BROKEN = "size(150, 150);\ndraw((0,0)--(10,0)--(10,10)--cycle)\ndot((0,0));\n"  # missing ';'


def _graph() -> SceneGraph:
    g = SceneGraph(313, 313, 150)
    pts = [[2, 311], [311, 311], [311, 2]]
    g.add("polyline", Stroke(1.04), pts=pts, closed=True)
    return g


def _image(toolchain):
    return toolchain.rasterize(toolchain.compile(GOOD).pdf, 150)


class FixesAfterError(Backend):
    """Writes a broken program, then the fixed one once it is shown the compiler's error."""

    name = "scripted"

    def __init__(self):
        super().__init__()
        self.repairs: list[Repair] = []

    def generate(self, scene, scene_text, n=1, repair=None):
        if repair is None:
            return [BROKEN] * n
        self.repairs.append(repair)
        return [GOOD if "line" in repair.error else BROKEN] * n


class NeverCompiles(Backend):
    name = "hopeless"

    def __init__(self):
        super().__init__()
        self.calls: list[tuple[int, bool]] = []

    def generate(self, scene, scene_text, n=1, repair=None):
        self.calls.append((n, repair is not None))
        return ["draw((0,0)--;\n"] * n


class Crashes(Backend):
    name = "crashes"

    def generate(self, scene, scene_text, n=1, repair=None):
        raise ConnectionError("server went away")


class SamplesOnly(Backend):
    """No repair; sampling returns a broken, a misplaced and a faithful program."""

    name = "sampler"
    can_repair = False

    def generate(self, scene, scene_text, n=1, repair=None):
        if n == 1:
            return [BROKEN]
        wrong = "size(150, 150);\ndraw((0,0)--(10,10));\ndraw(circle((3,7),2));\n"
        return [BROKEN, wrong, GOOD][:n]


def test_repair_uses_the_compiler_error(toolchain):
    backend = FixesAfterError()
    res = generate_verified(backend, _graph(), toolchain, _image(toolchain))
    assert res.compiled and res.stage == "repair" and res.code == GOOD
    assert [(a.stage, a.compiled) for a in res.attempts] == [("model", False), ("repair", True), ("rule_better", True)]
    assert not res.pass_at_1 and res.compiled_after_repair
    shown = backend.repairs[0]
    assert shown.program == BROKEN and "line 3" in shown.error and "dot((0,0));" in shown.error
    assert res.stroke_f1 is not None and res.stroke_f1 > 0.95
    assert res.attempts[0].error and res.seconds > 0


def test_hopeless_backend_falls_back_to_rule(toolchain):
    backend = NeverCompiles()
    res = generate_verified(backend, _graph(), toolchain, None, RepairConfig(rounds=2, k=3))
    assert res.compiled and res.stage == "rule_fallback"
    assert [a.stage for a in res.attempts] == ["model", "repair", "repair"] + ["best_of_k"] * 3 + ["rule_fallback"]
    assert backend.calls == [(1, False), (1, True), (1, True), (3, False)]
    assert "draw(" in res.code and toolchain.compile(res.code).ok
    assert not res.compiled_after_repair


def test_crashing_backend_is_a_failed_attempt_not_an_exception(toolchain):
    res = generate_verified(Crashes(), _graph(), toolchain)
    assert res.compiled and res.stage == "rule_fallback"
    assert "ConnectionError" in res.attempts[0].error


def test_best_of_k_picks_the_closest_render(toolchain):
    res = generate_verified(SamplesOnly(), _graph(), toolchain, _image(toolchain), RepairConfig(k=3))
    assert res.stage == "best_of_k" and res.code == GOOD
    scored = [a.stroke_f1 for a in res.attempts if a.stage == "best_of_k" and a.compiled]
    assert len(scored) == 2 and max(scored) > 0.95 > min(scored)


def test_first_program_that_compiles_is_kept(toolchain):
    class Good(Backend):
        name = "good"

        def generate(self, scene, scene_text, n=1, repair=None):
            return [GOOD] * n

    res = generate_verified(Good(), _graph(), toolchain, _image(toolchain), RepairConfig(rule_check=False))
    assert res.stage == "model" and res.pass_at_1 and len(res.attempts) == 1
    both = generate_verified(Good(), _graph(), toolchain, _image(toolchain), RepairConfig(k=2, always_sample=True, rule_check=False))
    assert both.stage == "model" and len(both.attempts) == 3  # samples tie: the first program stays
    checked = generate_verified(Good(), _graph(), toolchain, _image(toolchain))
    assert checked.stage == "model" and [a.stage for a in checked.attempts] == ["model", "rule_better"]  # a tie: kept


def test_rule_program_replaces_a_compiling_program_that_draws_the_wrong_picture(toolchain):
    class Wrong(Backend):
        name = "wrong"

        def generate(self, scene, scene_text, n=1, repair=None):
            return ["size(150, 150);\ndraw((0,0)--(10,10));\ndraw(circle((3,7),2));\n"] * n

    res = generate_verified(Wrong(), _graph(), toolchain, _image(toolchain), RepairConfig(k=0))
    assert res.compiled and res.pass_at_1 and res.stage == "rule_better"
    assert [a.stage for a in res.attempts] == ["model", "rule_better"]
    rule_f1 = res.attempts[-1].stroke_f1
    assert rule_f1 is not None and rule_f1 > 0.9 and res.stroke_f1 == rule_f1
    alone = generate_verified(Wrong(), _graph(), toolchain, _image(toolchain), RepairConfig(k=0, rule_check=False))
    assert alone.stage == "model" and alone.stroke_f1 < 0.5
    blind = generate_verified(Wrong(), _graph(), toolchain, None, RepairConfig(k=0))
    assert blind.stage == "model"  # no input image: nothing to compare with


def test_error_text_is_structured(toolchain):
    text = error_text(toolchain.compile(BROKEN))
    assert text.startswith("line 3, column") and "dot((0,0));" in text
