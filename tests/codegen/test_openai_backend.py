"""The openai backend against a tiny local chat-completions server (the external service).

The server answers canned completions and records what it was sent; the backend, the prompt,
the repair loop and the compiler under it are the real ones.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from img2asy.codegen.openai_backend import BackendError, OpenAIBackend, chat_url
from img2asy.codegen.prompt import SYSTEM
from img2asy.codegen.registry import make_backend, parse_spec
from img2asy.codegen.repair import generate_verified
from img2asy.scene_graph.schema import SceneGraph, Stroke
from img2asy.scene_graph.serialize import to_text

GOOD = "size(150, 150);\ndraw((0,0)--(10,0)--(10,10)--cycle);"
BROKEN = "size(150, 150);\ndraw((0,0)--(10,0)--(10,10)--cycle)\ndot((0,0));"


class _Server:
    """Answers each POST with the next canned reply (one choice per request, like llama.cpp)."""

    def __init__(self, replies: list[str], status: int = 200):
        self.replies, self.status, self.requests = list(replies), status, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                text = outer.replies.pop(0) if outer.replies else GOOD
                data = {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
                        "usage": {"completion_tokens": 7}}  # fmt: skip
                raw = json.dumps(data).encode() if outer.status == 200 else b'{"error": "overloaded"}'
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _graph() -> SceneGraph:
    g = SceneGraph(313, 313, 150)
    g.add("polyline", Stroke(1.04), pts=[[2, 311], [311, 311], [311, 2]], closed=True)
    return g


def test_spec_and_url():
    spec = parse_spec("openai:http://127.0.0.1:8080/v1#qwen-coder")
    assert (spec.kind, spec.base, spec.extra) == ("openai", "http://127.0.0.1:8080/v1", "qwen-coder")
    assert chat_url("http://h:1") == "http://h:1/v1/chat/completions"
    assert chat_url("http://h:1/v1/") == "http://h:1/v1/chat/completions"
    assert chat_url("http://h:1/v1/chat/completions") == "http://h:1/v1/chat/completions"
    for bad in ("openai:http://h", "openai:#m", "openai:ftp://h#m", "gpt", "hf:"):
        with pytest.raises(ValueError):
            parse_spec(bad)
    assert parse_spec("hf:qwen2.5-coder-0.5b+runs/lora").extra == "runs/lora"


def test_generate_sends_the_shared_prompt_and_extracts_code():
    g = _graph()
    with _Server([f"Here you go:\n```asy\n{GOOD}\n```"]) as srv:
        backend = make_backend(f"openai:{srv.url}#tiny")
        assert isinstance(backend, OpenAIBackend)
        out = backend.generate(g, to_text(g), 1)
    assert out == [GOOD + "\n"]
    req = srv.requests[0]
    assert req["path"] == "/v1/chat/completions" and req["body"]["model"] == "tiny"
    msgs = req["body"]["messages"]
    assert msgs[0] == {"role": "system", "content": SYSTEM} and to_text(g).strip() in msgs[1]["content"]
    assert req["body"]["temperature"] == 0.0
    assert backend.usage.calls == 1 and backend.usage.completion_tokens == 7


def test_several_samples_from_a_server_that_ignores_n():
    with _Server(["a", "b", "c"]) as srv:
        out = OpenAIBackend(srv.url, "tiny").generate(_graph(), "scene", 3)
    assert out == ["a\n", "b\n", "c\n"] and len(srv.requests) == 3
    assert srv.requests[0]["body"]["n"] == 3 and srv.requests[0]["body"]["temperature"] > 0


def test_http_errors_and_dead_servers_raise_backend_error():
    with _Server([], status=503) as srv:
        with pytest.raises(BackendError, match="503"):
            OpenAIBackend(srv.url, "tiny").generate(_graph(), "scene")
    with pytest.raises(BackendError, match="cannot reach"):
        OpenAIBackend("http://127.0.0.1:9", "tiny", timeout=5).generate(_graph(), "scene")


def test_repair_round_trip_through_the_server(toolchain):
    with _Server([BROKEN, GOOD]) as srv:
        res = generate_verified(OpenAIBackend(srv.url, "tiny"), _graph(), toolchain)
    assert res.stage == "repair" and res.compiled
    repair_msgs = srv.requests[1]["body"]["messages"]
    assert repair_msgs[2] == {"role": "assistant", "content": BROKEN + "\n"}
    assert "line 3" in repair_msgs[3]["content"] and "does not compile" in repair_msgs[3]["content"]
