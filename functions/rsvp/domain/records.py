"""What the desk stores: invitees with their RSVP, the reply history, the review queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .invitees import Invitee
from .rsvp import Decision, InviteeState, Outcome, Source, Status


@dataclass(frozen=True)
class InviteeRecord:
    meeting_id: str
    invitee: Invitee
    tag: str
    state: InviteeState
    invitation_message_ids: tuple[str, ...] = ()

    @property
    def email(self) -> str:
        return self.invitee.email


@dataclass(frozen=True)
class HistoryEntry:
    """One event in an invitee's RSVP history (or an unmatched message, with email None)."""

    meeting_id: str
    email: str | None
    at: datetime  # when the desk processed it
    source: Source
    outcome: Outcome
    message_key: str = ""
    raw_key: str = ""
    received_at: datetime | None = None
    written_at: datetime | None = None
    from_address: str = ""
    subject: str = ""
    intent: str | None = None
    kind: str | None = None
    status_before: Status | None = None
    status_after: Status | None = None
    sessions: tuple[str, ...] | None = None
    attendees: tuple[str, ...] = ()
    attendee_count: int | None = None
    language: str | None = None
    confidence: float | None = None
    reasons: tuple[str, ...] = ()
    excerpt: str = ""
    actor: str = ""  # the organiser who made a manual change

    @property
    def changed(self) -> bool:
        return self.status_before != self.status_after or self.outcome is Outcome.RECORDED


@dataclass(frozen=True)
class ReviewItem:
    meeting_id: str
    received_at: datetime
    message_key: str
    outcome: Outcome
    raw_key: str = ""
    email: str | None = None
    from_address: str = ""
    subject: str = ""
    excerpt: str = ""
    reasons: tuple[str, ...] = field(default_factory=tuple)
    resolved: bool = False
    # what the reader saw
    intent: str | None = None
    attendees: tuple[str, ...] = ()
    sessions: tuple[str, ...] | None = None
    language: str | None = None
    confidence: float | None = None
    # how an organiser settled it
    resolution: str = ""
    resolved_by: str = ""
    resolved_at: datetime | None = None

    @property
    def id(self) -> str:
        """A short handle organisers type: the start of the message key."""
        return self.message_key[:10]


class ClaimHeld(StrEnum):
    """Why a message cannot be processed now."""

    DONE = "done"  # an earlier delivery of the same message was processed to the end: a duplicate
    HELD = "held"  # another attempt is processing it right now (its lease has not run out): try again later


class Stage(StrEnum):
    """The stages of processing one inbound message that a retry does not do again."""

    DECIDED = "decided"  # what the message changes, written ahead of doing it (the decision on the claim)
    APPLIED = "applied"  # the answer, delivery state or reminder opt-out is written
    HISTORY = "history"  # the history entry is written
    RESPONSE = "response"  # the answer to the invitee was accepted by SES (its message id on the claim)


@dataclass(frozen=True)
class InboundClaim:
    """The right to process one inbound message, and what earlier attempts on it completed."""

    message_key: str
    started_at: datetime  # when the first attempt began: the processing time recorded in the history
    attempts: int = 1
    stages: frozenset[Stage] = frozenset()
    decision: Decision | None = None  # the decision an earlier attempt wrote ahead (Stage.DECIDED)
    response_id: str = ""  # SES's message id of the answer sent (Stage.RESPONSE)

    @property
    def fresh(self) -> bool:
        return self.attempts == 1

    def done(self, stage: Stage) -> bool:
        return stage in self.stages


@dataclass(frozen=True)
class Erasure:
    """What erasing one person's records removed (counts only: the audit line never names them)."""

    found: bool
    items: int  # records deleted
    raw_keys: tuple[str, ...] = ()  # their stored mail, for the raw-mail store to delete
