"""Settings, read once from the environment (set by template.yaml, or by the local runner)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Settings:
    table_name: str
    mail_bucket: str
    sender_address: str
    inbound_prefix: str = "inbound/"
    tag_secret_arn: str = ""  # Secrets Manager secret holding the reply-tag key (deployed stacks)
    tag_secret: str = ""  # the key itself: local runs and tests only, never in a deployed stack
    digest_recipients: tuple[str, ...] = ()
    configuration_set: str = ""
    outbox_dir: str = ""  # local runs: keep a copy of every sent message here as .eml
    region: str = ""
    invitation_queue_url: str = ""
    max_send_rate: float = 0.0  # 0: read the account's SES sending quota
    # Our receiving server, the only one whose verdicts on a sender are trusted: the authserv-id of the
    # Authentication-Results it prepends and the host names in its Received lines. Unset: nobody is trusted.
    authserv_id: str = ""
    receiving_hosts: tuple[str, ...] = ()
    record_retention_days: int = 0  # RSVPs, history and review items expire this long after the meeting (0: kept)
    # A second reader (reading/model): off, assist (only what the rules are not certain of) or always; a Bedrock
    # model id, or an OpenAI-compatible server's URL and model name (local runs, self-hosted models).
    reader_mode: str = "off"
    reader_model_id: str = ""
    reader_model_url: str = ""
    reader_model_name: str = ""
    reader_model_key: str = ""  # a local server's API key, if it wants one (never set in a deployed stack)
    reader_model_timeout: float = 20.0
    reader_max_delegation: int = 12  # a model's delegation larger than this goes to a person

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        missing = [name for name in ("TABLE_NAME", "MAIL_BUCKET", "SENDER_ADDRESS") if not env.get(name)]
        if missing:
            raise RuntimeError(f"missing environment variable(s): {', '.join(missing)}")
        if not env.get("TAG_SECRET_ARN") and not env.get("TAG_SECRET"):
            raise RuntimeError("set TAG_SECRET_ARN (deployed) or TAG_SECRET (local runs)")
        return cls(
            table_name=env["TABLE_NAME"],
            mail_bucket=env["MAIL_BUCKET"],
            sender_address=env["SENDER_ADDRESS"].strip().lower(),
            inbound_prefix=env.get("INBOUND_PREFIX", "inbound/"),
            tag_secret_arn=env.get("TAG_SECRET_ARN", ""),
            tag_secret=env.get("TAG_SECRET", ""),
            digest_recipients=tuple(a.strip().lower() for a in env.get("DIGEST_RECIPIENTS", "").split(",")
                                    if a.strip()),
            configuration_set=env.get("SES_CONFIGURATION_SET", ""),
            outbox_dir=env.get("OUTBOX_DIR", ""),
            region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "")),
            invitation_queue_url=env.get("INVITATION_QUEUE_URL", ""),
            max_send_rate=float(env.get("MAX_SEND_RATE", "0") or 0),
            authserv_id=env.get("AUTHSERV_ID", "").strip().lower(),
            receiving_hosts=tuple(h.strip().lower().rstrip(".") for h in env.get("RECEIVING_HOSTS", "").split(",")
                                  if h.strip()),
            record_retention_days=int(env.get("RECORD_RETENTION_DAYS", "0") or 0),
            **_reader_settings(env),
        )


READER_MODES = ("off", "assist", "always")


def _reader_settings(env: Mapping[str, str]) -> dict[str, Any]:
    mode = (env.get("READER_MODE", "") or "off").strip().lower()
    if mode not in READER_MODES:
        raise RuntimeError(f"READER_MODE must be one of {', '.join(READER_MODES)}, not {mode!r}")
    model_id, url = env.get("READER_MODEL_ID", "").strip(), env.get("READER_MODEL_URL", "").strip()
    if mode != "off" and not (model_id or url):
        raise RuntimeError(f"READER_MODE={mode} needs READER_MODEL_ID (Bedrock) or READER_MODEL_URL "
                           "(an OpenAI-compatible server)")
    if url and not env.get("READER_MODEL_NAME", "").strip():
        raise RuntimeError("READER_MODEL_URL needs READER_MODEL_NAME (the model the server is to run)")
    return {"reader_mode": mode, "reader_model_id": model_id, "reader_model_url": url,
            "reader_model_name": env.get("READER_MODEL_NAME", "").strip(),
            "reader_model_key": env.get("READER_MODEL_KEY", ""),
            "reader_model_timeout": float(env.get("READER_MODEL_TIMEOUT", "20") or 20),
            "reader_max_delegation": int(env.get("READER_MAX_DELEGATION", "12") or 12)}
