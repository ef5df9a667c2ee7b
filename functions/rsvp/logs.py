"""Addresses never reach the logs whole (as Zulip's email code keeps them): `d***@mission-canada.example.org`.

The full address lives in DynamoDB only. Every record the functions log — its message, its arguments, its extra
fields and any traceback — passes through `RedactAddresses` on the way to a handler, whichever module logged it
(boto3's debug lines and exception texts included).
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from .domain.addresses import redact_address

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z0-9-]{2,63}")
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def redact_text(text: str) -> str:
    return _EMAIL.sub(lambda m: redact_address(m.group()), text) if "@" in text else text


def _redact(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bytes | bytearray):  # request bodies in boto3's debug lines
        return redact_text(bytes(value).decode("utf-8", "replace")) if b"@" in value else value
    if depth > 6:
        return value
    if isinstance(value, dict):
        return {k: _redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact(v, depth + 1) for v in value)
    return value


class RedactAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        if record.args:
            record.args = _redact(record.args) if isinstance(record.args, tuple | dict) else record.args
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD:
                record.__dict__[key] = _redact(value)
        if record.exc_info and record.exc_info[0] is not None:
            # Exception texts carry addresses ("MessageRejected: x@y"): the traceback goes redacted into the message.
            text = "".join(traceback.format_exception(*record.exc_info))
            record.msg = f"{record.getMessage()}\n{redact_text(text)}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


_FILTER = RedactAddresses()


def redact_logs(*loggers: logging.Logger | Any) -> None:
    """Put the filter on every handler of the root logger and of `loggers` (idempotent; handlers added later, as
    a test's log capture, are covered by calling it again)."""
    for source in (logging.getLogger(), *loggers):
        for handler in getattr(source, "handlers", []):
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
