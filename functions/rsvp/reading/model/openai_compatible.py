"""Any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp's server, LM Studio), with the standard library.

POST {url}/chat/completions with `response_format: {"type": "json_schema", …}` (what all four accept), temperature 0;
the JSON is read from choices[0].message.content. Timeouts bound each attempt; connection errors and 429/5xx are
retried with exponential backoff and jitter; anything else is a ModelFailure, and the rules read alone.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .port import ModelFailure

MAX_RESPONSE_BYTES = 256 * 1024  # an answer is a few hundred bytes: more is not read


class OpenAICompatible:
    def __init__(self, url: str, model: str, *, api_key: str = "", timeout: float = 20.0, attempts: int = 3,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"READER_MODEL_URL must be an http(s) URL, not {url!r}")
        self.url = url.rstrip("/")
        self.model = model
        self.name = f"openai:{model}@{parts.netloc}"
        self._key = api_key
        self._timeout = timeout
        self._attempts = max(1, attempts)
        self._sleep = sleep

    def _endpoint(self) -> str:
        return self.url if self.url.endswith("/chat/completions") else f"{self.url}/chat/completions"

    def answer(self, system: str, user: str, schema: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps({
            "model": self.model,
            "temperature": 0,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "reading", "strict": True, "schema": schema}},
        }).encode()
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {self._key}"}
                                                          if self._key else {})}
        last: ModelFailure | None = None
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(min(8.0, 0.5 * 2 ** attempt) * (0.5 + random.random() / 2))  # noqa: S311 (jitter)
            request = urllib.request.Request(self._endpoint(), data=body, headers=headers, method="POST")  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310 (http(s) only)
                    raw = response.read(MAX_RESPONSE_BYTES + 1)
            except urllib.error.HTTPError as exc:
                exc.close()  # (its body is not read: the status says enough)
                last = ModelFailure("throttled" if exc.code == 429 else "unavailable", f"HTTP {exc.code}")
                if exc.code == 429 or exc.code >= 500:
                    continue
                raise last from exc
            except TimeoutError:
                last = ModelFailure("timeout", f"no answer within {self._timeout:g} s")
                continue
            except (urllib.error.URLError, OSError) as exc:
                last = ModelFailure("unavailable", str(getattr(exc, "reason", exc))[:200])
                continue
            return _content(raw)
        assert last is not None
        raise last


def _content(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_RESPONSE_BYTES:
        raise ModelFailure("invalid", "answer larger than 256 KiB")
    try:
        reply = json.loads(raw)
        content = reply["choices"][0]["message"]["content"]
        found = json.loads(content) if isinstance(content, str) else content
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ModelFailure("invalid", f"not a chat completion with JSON content ({type(exc).__name__})") from exc
    if not isinstance(found, dict):
        raise ModelFailure("invalid", "the content is not a JSON object")
    return found
