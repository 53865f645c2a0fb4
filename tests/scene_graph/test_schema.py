"""Scene-graph schema: typed nodes, relations, exact JSON round-trip, rescaling."""

from __future__ import annotations

import json

import pytest

from img2asy.scene_graph.schema import SceneGraph, Stroke


def _graph() -> SceneGraph:
    g = SceneGraph(200, 100, dpi=150)
    a = g.add("point", xy=[10.5, 20.25], dot=True, radius=2.0)
    b = g.add("point", xy=[110.0, 20.25], dot=False)
    s = g.add("segment", Stroke(1.04, (0, 0, 0), "dashed"), a=[10.5, 20.25], b=[110.0, 20.25])
    g.relate(s, a, "endpoint")
    g.relate(s, b, "endpoint")
    lab = g.add("label", bbox=[0, 0, 9, 12], text="A", latex="$A$", fontsize=12.0, angle=0.0)
    g.relate(lab, a, "labels")
    g.add("circle", Stroke(), center=[50, 50], r=20)
    return g


def test_ids_and_counts():
    g = _graph()
    assert g.count() == {"point": 2, "segment": 1, "label": 1, "circle": 1}
    assert [n for n, _ in g.nodes("point")] == ["p0", "p1"]
    assert g.g.nodes["s0"]["dash"] == "dashed"


def test_json_round_trip_is_exact():
    g = _graph()
    text = g.dumps()
    back = SceneGraph.from_json(json.loads(text))
    assert back.dumps() == text
    assert back.g.edges["s0", "p0"]["rel"] == "endpoint"
    nid = back.add("point", xy=[1, 1])  # counters continue after loading
    assert nid == "p2"


def test_scaled_moves_every_coordinate():
    g = _graph().scaled(2.0)
    assert (g.width, g.height, g.dpi) == (400, 200, 300)
    assert g.g.nodes["p0"]["xy"] == [21.0, 40.5]
    assert g.g.nodes["c0"]["r"] == 40
    assert g.g.nodes["l0"]["bbox"] == [0, 0, 18, 24]


def test_rotated_turns_about_the_centre_and_back():
    g = _graph()
    r = g.rotated(90.0)  # counter-clockwise on screen (y down): right of centre goes up
    assert (r.width, r.height) == (200, 100)
    x, y = r.g.nodes["p1"]["xy"]
    assert (x, y) == pytest.approx((100 + (20.25 - 50), 50 - (110.0 - 100)))
    assert r.g.nodes["l0"]["angle"] == 90.0
    back = r.rotated(-90.0)
    assert back.g.nodes["p0"]["xy"] == pytest.approx([10.5, 20.25], abs=0.02)
    assert back.g.nodes["s0"]["b"] == pytest.approx([110.0, 20.25], abs=0.02)


def test_rejects_unknown_kinds_and_relations():
    g = SceneGraph(10, 10)
    with pytest.raises(ValueError):
        g.add("blob")
    p = g.add("point", xy=[0, 0])
    with pytest.raises(ValueError):
        g.relate(p, p, "likes")


def test_copies_share_no_state():
    g = _graph()
    h = g.scaled(2.0)
    h.g.graph["width"] = 1
    h.g.nodes["p0"]["xy"][0] = -1
    assert g.width == 200 and g.g.nodes["p0"]["xy"][0] == 10.5
    k = SceneGraph.from_json(g.to_json())
    k.g.nodes["s0"]["a"][0] = -5
    assert g.g.nodes["s0"]["a"][0] == 10.5
