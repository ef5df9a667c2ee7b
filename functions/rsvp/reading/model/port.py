"""The second reader's port: a language model that answers a prompt with one JSON object of a given schema."""

from __future__ import annotations

from typing import Any, Protocol


class ModelFailure(Exception):
    """The model gave no usable answer (unreachable, throttled past its retries, too slow, refused, not JSON): the
    rules read the message alone. `kind` is what the metric counts ("unavailable", "throttled", "timeout",
    "invalid")."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


class ModelReader(Protocol):
    """Ask the model; return the JSON object it answered with (its shape is checked by the caller, not here)."""

    name: str  # what readings record: "bedrock:<model id>", "openai:<model>@<host>"

    def answer(self, system: str, user: str, schema: dict[str, Any]) -> dict[str, Any]: ...
