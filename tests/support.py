"""Small builders for test messages."""

from __future__ import annotations

import uuid
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime


def reply(*, sender: str, to: str, body: str, written: datetime, subject: str = "RE: Invitation",
          name: str = "", message_id: str | None = None, in_reply_to: str | None = None,
          headers: dict[str, str] | None = None) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"{name} <{sender}>" if name else sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(written)
    msg["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@{sender.rpartition('@')[2]}>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    return msg.as_bytes()
