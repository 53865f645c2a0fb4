"""The ``openai:<url>#<model>`` backend: any OpenAI-compatible ``/v1/chat/completions`` server.

Covers llama.cpp's server, vLLM, Ollama's compatibility endpoint and hosted APIs with the
standard library only (``urllib``). The prompt is :func:`codegen.prompt.build_messages`, the
same one the fine-tuned model is trained on. ``OPENAI_API_KEY``, when set, is sent as a
bearer token; nothing else is read from the environment.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request

from img2asy.scene_graph.schema import SceneGraph

from .prompt import Repair, build_messages, extract_code
from .registry import Backend


class BackendError(RuntimeError):
    """The server could not be reached or answered something unusable."""


def chat_url(url: str) -> str:
    """The chat-completions endpoint for a base URL (``http://h:p``, ``.../v1`` or the full path)."""
    u = url.rstrip("/")
    if u.endswith("/chat/completions"):
        return u
    if u.endswith("/v1"):
        return u + "/chat/completions"
    return u + "/v1/chat/completions"


class OpenAIBackend(Backend):
    """Chat completions over HTTP; greedy for one program, sampled (``temperature``) for several."""

    can_repair = True
    can_sample = True

    def __init__(self, url: str, model: str, *, temperature: float = 0.8, max_tokens: int = 2048,
                 timeout: float = 120.0, api_key: str | None = None):  # fmt: skip
        super().__init__()
        self.url = chat_url(url)
        self.model = model
        self.name = f"openai:{url}#{model}"
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.timeout = timeout
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")

    def _post(self, payload: dict) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(self.url, json.dumps(payload).encode(), headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")[:300]
            raise BackendError(f"{self.url} answered HTTP {e.code}: {body}") from e
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise BackendError(f"cannot reach {self.url}: {e}") from e
        except json.JSONDecodeError as e:
            raise BackendError(f"{self.url} did not answer JSON: {e}") from e

    def _complete(self, messages: list[dict], n: int, temperature: float) -> list[str]:
        payload = {"model": self.model, "messages": messages, "n": n, "temperature": temperature,
                   "max_tokens": self.max_tokens}  # fmt: skip
        t0 = time.perf_counter()
        data = self._post(payload)
        self.usage.seconds += time.perf_counter() - t0
        self.usage.calls += 1
        try:
            texts = [c["message"]["content"] or "" for c in data["choices"]]
        except (KeyError, TypeError) as e:
            raise BackendError(f"{self.url} answered without choices: {str(data)[:200]}") from e
        self.usage.completion_tokens += int((data.get("usage") or {}).get("completion_tokens") or 0)
        return texts

    def generate(self, scene: SceneGraph, scene_text: str, n: int = 1, repair: Repair | None = None) -> list[str]:
        messages = build_messages(scene_text, repair)
        temperature = 0.0 if n == 1 else self.temperature
        out: list[str] = []
        while len(out) < n:  # servers that ignore ``n`` answer one choice per request
            got = self._complete(messages, n - len(out), temperature)
            if not got:
                raise BackendError(f"{self.url} returned no choices")
            out += got
        return [extract_code(t) for t in out[:n]]
