"""Sending at scale: one job per invitee and sending, claimed so each is sent exactly once."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum


class SendKind(StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"


class SendState(StrEnum):
    """Where one job of a sending stands."""

    QUEUED = "queued"  # on the send queue, not yet taken
    SENDING = "sending"  # an attempt holds it
    SENT = "sent"
    FAILED = "failed"  # the last attempt failed and may be retried (throttled, crashed before SES)
    REJECTED = "rejected"  # refused for good (by SES, or skipped: undeliverable, answered already)

    @property
    def settled(self) -> bool:
        return self in (SendState.SENT, SendState.REJECTED)


class SendOutcome(StrEnum):
    """What delivering one job did (the sender function's metric dimension)."""

    SENT = "sent"
    ALREADY_SENT = "already_sent"
    SKIPPED = "skipped"  # undeliverable address, or a reminder to someone who answered
    REJECTED = "rejected"
    UNKNOWN_INVITEE = "unknown_invitee"


@dataclass(frozen=True)
class SendJob:
    """What the sender function receives from the queue."""

    kind: SendKind
    meeting_id: str
    email: str
    sending: str  # e.g. "invitation-20210118T0900" or "reminder-7": one message per invitee per sending
    meeting_version: str = ""  # the meeting as it was when the job was queued: a sender holding another re-reads it

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, body: str) -> SendJob:
        data = json.loads(body)
        return cls(SendKind(data["kind"]), data["meeting_id"], data["email"], data["sending"],
                   str(data.get("meeting_version", "")))


class ClaimState(StrEnum):
    CLAIMED = "claimed"  # ours to send now
    SENT = "sent"  # already sent (or SES confirmed it): nothing to do
    IN_FLIGHT = "in_flight"  # another attempt holds it, or its outcome is not known yet: try later
    REJECTED = "rejected"  # the provider refused it for good: nothing more to do
    UNCONFIRMED = "unconfirmed"  # an attempt died after sending, and the provider never confirmed it


class SendThrottled(Exception):
    """The provider asked us to slow down; back off and retry."""


class SendRejected(Exception):
    """The provider refused this message for good (bad address, identity not verified…)."""


class RetryLater(Exception):
    """Raised so the queue redelivers the job later (another attempt in flight, outcome pending)."""
