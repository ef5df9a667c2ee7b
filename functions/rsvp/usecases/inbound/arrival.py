"""Claim and parse: one stored message becomes an `Arrival` (the parsed message, our server's trace, its identity
across re-deliveries, and when it arrived)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message

from ...domain.records import InboundClaim
from ...reading.authentication import ReceivingServer, Trace, read_trace
from ...reading.mime import ParsedMessage, parse_message

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 40 * 2**20  # SES receiving's limit: anything larger was not stored by SES


@dataclass(frozen=True)
class Arrival:
    """One inbound message as it is being processed."""

    msg: ParsedMessage
    trace: Trace  # what our receiving server stamped on it (verdicts)
    raw_key: str
    key: str
    claim: InboundClaim
    received_at: datetime  # when our mailbox received it (decides lateness)
    now: datetime  # when its processing began (the first attempt, kept by the claim)

    @property
    def written_at(self) -> datetime:
        """The sender's Date, unless missing or later than arrival (a wrong clock must not win races)."""
        if self.msg.date is not None and self.msg.date <= self.received_at:
            return self.msg.date
        return self.received_at


def parse(raw: bytes, receiving: ReceivingServer) -> tuple[ParsedMessage, Trace]:
    """The message and our receiving server's trace on it; the reader never raises, and if it ever did, the
    mail would still be kept and flagged (an empty message with the reason among its defects)."""
    try:
        msg = parse_message(raw[:MAX_MESSAGE_BYTES])
    except Exception as exc:  # a parser defect on one message must not block the mailbox
        log.exception("parser failed")
        msg = unreadable_message(f"unparseable: {type(exc).__name__}: {exc}")
    if len(raw) > MAX_MESSAGE_BYTES:
        msg.defects.append(f"larger than {MAX_MESSAGE_BYTES // 2**20} MB: only the first part was read")
    return msg, read_trace(msg.message.raw_items(), receiving)


def message_key(msg: ParsedMessage, raw: bytes, trace: Trace) -> str:
    """Identity of an inbound message across re-deliveries: a hash of the message as it reached our server (every
    byte below our own trace, which differs at each delivery). Two deliveries of one message are one; a forged
    message that copies a genuine one's From and Message-ID is another message, and cannot pre-empt it."""
    digest = hashlib.sha256()
    for name, value in list(msg.message.raw_items())[trace.body_start:]:
        digest.update(f"{name}:{value}\n".encode("utf-8", "surrogateescape"))
    digest.update(b"\n")
    digest.update(_body_bytes(raw))
    return digest.hexdigest()[:32]


def received_at(msg: ParsedMessage | None, arrived_at: datetime | None, now: datetime) -> datetime:
    """When the mailbox received it: our server's Received stamp, else the storage event, else now."""
    for candidate in (msg.received_at if msg else None, arrived_at):
        if candidate is not None and candidate <= now + timedelta(minutes=5):
            return candidate
    return now


def unreadable_message(reason: str) -> ParsedMessage:
    """What is known of a message that could not be parsed at all: nothing but why."""
    return ParsedMessage(message=Message(), subject="", from_name="", from_address="", recipients=[],
                         message_id=None, in_reply_to=[], references=[], date=None, received_at=None, text="",
                         text_from_html=False, defects=[reason])


def _body_bytes(raw: bytes) -> bytes:
    """The bytes after the header block (the whole message when it has no empty line)."""
    ends = [at + len(sep) for sep in (b"\r\n\r\n", b"\n\n") if (at := raw.find(sep)) >= 0]
    return raw[min(ends):] if ends else raw
