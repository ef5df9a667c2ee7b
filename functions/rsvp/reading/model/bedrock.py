"""Amazon Bedrock through the Converse API (boto3 bedrock-runtime), in the stack's own account and region.

The answer is constrained to the reading's schema as the input of one tool the model must call (toolChoice), the
way Converse gives structured output across model families. botocore retries throttling and 5xx with adaptive
backoff (as the sender's SES client does) within a bounded time; what still fails is a ModelFailure, and the rules
read alone. Imported only when a model id is set: with the mode off, nothing of this is loaded.
"""

from __future__ import annotations

from typing import Any

from .port import ModelFailure

TOOL = "record_reading"
MAX_TOKENS = 1024  # a reading is ~150 tokens of JSON


class Bedrock:
    def __init__(self, model_id: str, *, client: Any = None, region: str = "", timeout: float = 20.0,
                 attempts: int = 4) -> None:
        if not model_id:
            raise ValueError("a Bedrock model id is needed (READER_MODEL_ID)")
        self.model_id = model_id
        self.name = f"bedrock:{model_id}"
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client("bedrock-runtime", **({"region_name": region} if region else {}), config=Config(
                connect_timeout=5, read_timeout=timeout, retries={"mode": "adaptive", "max_attempts": attempts}))
        self._client = client

    def answer(self, system: str, user: str, schema: dict[str, Any]) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError

        try:
            response = self._client.converse(
                modelId=self.model_id,
                system=[{"text": system}],
                messages=[{"role": "user", "content": [{"text": user}]}],
                inferenceConfig={"maxTokens": MAX_TOKENS, "temperature": 0},
                toolConfig={"tools": [{"toolSpec": {"name": TOOL, "description": "Record the reading of the reply.",
                                                    "inputSchema": {"json": schema}}}],
                            "toolChoice": {"tool": {"name": TOOL}}},
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            kind = {"ThrottlingException": "throttled", "ServiceQuotaExceededException": "throttled",
                    "ModelTimeoutException": "timeout"}.get(code, "unavailable")
            raise ModelFailure(kind, code or "client error") from exc
        except ReadTimeoutError as exc:
            raise ModelFailure("timeout", "Bedrock did not answer in time") from exc
        except BotoCoreError as exc:
            raise ModelFailure("unavailable", type(exc).__name__) from exc
        for block in response.get("output", {}).get("message", {}).get("content", []):
            use = block.get("toolUse") if isinstance(block, dict) else None
            if use and use.get("name") == TOOL and isinstance(use.get("input"), dict):
                return dict(use["input"])
        raise ModelFailure("invalid", f"no {TOOL} call in the answer (stop reason {response.get('stopReason')})")
