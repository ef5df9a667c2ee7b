"""RSVPs: what an invitee has answered, and the rules that decide what a new reply changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum


class Intent(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    TENTATIVE = "tentative"
    UNCLEAR = "unclear"


class Status(StrEnum):
    PENDING = "pending"  # invited, no answer yet
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"

    @classmethod
    def from_intent(cls, intent: Intent) -> Status:
        return {Intent.ACCEPT: cls.ACCEPTED, Intent.DECLINE: cls.DECLINED,
                Intent.TENTATIVE: cls.TENTATIVE}[intent]


class Delivery(StrEnum):
    OK = "ok"
    UNDELIVERABLE = "undeliverable"  # hard bounce: no more mail
    COMPLAINED = "complained"


class MessageKind(StrEnum):
    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"


class Source(StrEnum):
    """Who or what gave an answer, or a history entry."""

    REPLY = "reply"  # a reply the rules read
    MODEL = "model"  # a reply the second reader (a language model) read
    CALENDAR = "calendar"  # a calendar client's answer (iTIP REPLY)
    ORGANISER = "organiser"  # set by hand
    BOUNCE = "bounce"  # a delivery failure report
    SES_EVENT = "ses-event"  # SES's own bounce or complaint event


@dataclass(frozen=True)
class Answer:
    """A recorded answer: what the invitee said, and which message said it."""

    status: Status
    sessions: tuple[str, ...] | None  # None: not restricted (all sessions)
    attendees: tuple[str, ...]
    attendee_count: int
    written_at: datetime  # when the answering message was written: the later message wins
    message_key: str
    source: Source = Source.REPLY
    # "Ms X on the 10th, Mr Y on the 11th": (attendee, their sessions) when they differ; `sessions` is their union
    attendee_sessions: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def sessions_of(self, attendee: str) -> tuple[str, ...] | None:
        """The sessions this attendee comes to (None: all of the answer's)."""
        return next((ids for name, ids in self.attendee_sessions if name == attendee), self.sessions)

    def supersedes(self, other: Answer | None) -> bool:
        """Does this answer replace `other`? The later-written one wins; ties broken by message key."""
        if other is None:
            return True
        if self.written_at != other.written_at:
            return self.written_at > other.written_at
        return self.message_key >= other.message_key


class Outcome(StrEnum):
    """What became of an inbound message — each with a sentence a person can read."""

    RECORDED = "recorded"
    UNCHANGED = "unchanged"  # same answer as already recorded
    SUPERSEDED = "superseded"  # an answer written later is already recorded
    TOO_LATE = "too_late"
    UNCLEAR = "unclear"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    UNKNOWN_SENDER = "unknown_sender"
    UNVERIFIED_SENDER = "unverified_sender"
    UNROUTED = "unrouted"
    MALFORMED = "malformed"
    DUPLICATE = "duplicate"
    UNSUBSCRIBED = "unsubscribed"
    COMPLAINT = "complaint"
    INVALID_TAG = "invalid_tag"
    QUARANTINED = "quarantined"
    NOT_CONFIRMED = "not_confirmed"

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self]

    @property
    def needs_review(self) -> bool:
        return self in _REVIEW


KEPT = frozenset({Outcome.RECORDED, Outcome.UNCHANGED})  # the outcomes whose answer is the invitee's answer


_EXPLANATIONS = {
    Outcome.RECORDED: "answer recorded",
    Outcome.UNCHANGED: "same answer as already recorded",
    Outcome.SUPERSEDED: "an answer written later is already recorded; kept in the history only",
    Outcome.TOO_LATE: "arrived after the registration cutoff; answer not changed",
    Outcome.UNCLEAR: "the reply does not say whether they attend",
    Outcome.AUTO_REPLY: "automatic reply (out of office or similar); ignored",
    Outcome.BOUNCE: "delivery failure report; the address is marked undeliverable",
    Outcome.UNKNOWN_SENDER: "sender is not an invitee and the message carries no valid reply tag",
    Outcome.UNVERIFIED_SENDER: "From matches an invitee but the sender could not be verified (possible spoofing)",
    Outcome.UNROUTED: "not addressed to the mailbox of any meeting",
    Outcome.MALFORMED: "the message could not be read",
    Outcome.DUPLICATE: "the same message was already processed",
    Outcome.UNSUBSCRIBED: "asked for no more emails; no further reminders",
    Outcome.COMPLAINT: "marked our mail as spam; no further mail to this address",
    Outcome.INVALID_TAG: "sent to a personal address the desk did not issue under its current key, or to another "
                         "meeting's mailbox (altered, or issued before the key was rotated); nothing recorded",
    Outcome.QUARANTINED: "our receiving server's scan condemned it (virus or spam); not read, recorded or answered",
    Outcome.NOT_CONFIRMED: "the answer was recorded but the mail service refused the confirmation",
}
_REVIEW = {Outcome.TOO_LATE, Outcome.UNCLEAR, Outcome.UNKNOWN_SENDER, Outcome.UNVERIFIED_SENDER,
           Outcome.UNROUTED, Outcome.MALFORMED, Outcome.INVALID_TAG, Outcome.QUARANTINED, Outcome.NOT_CONFIRMED}


class Response(StrEnum):
    """The mail the desk sends back, if any."""

    NONE = "none"
    CONFIRMATION = "confirmation"
    CLOSED = "closed"
    CLARIFY = "clarify"


@dataclass(frozen=True)
class InviteeState:
    """The invitee's RSVP as stored: current answer plus delivery and mail bookkeeping."""

    email: str
    answer: Answer | None = None
    delivery: Delivery = Delivery.OK
    invited_at: datetime | None = None
    clarify_sent_at: datetime | None = None
    no_reminders: bool = False  # the invitee asked for no more mail ("unsubscribe")

    @property
    def status(self) -> Status:
        return self.answer.status if self.answer else Status.PENDING


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    response: Response
    answer: Answer | None = None  # the answer to write, when the outcome changes the RSVP
    notes: Sequence[str] = field(default_factory=tuple)
    before: Status | None = None  # the invitee's status when the decision was taken


CLARIFY_AT_MOST_EVERY_SECONDS = 24 * 3600


def decide_reply(
    *,
    state: InviteeState,
    intent: Intent,
    sessions: tuple[str, ...] | None,
    attendees: tuple[str, ...],
    attendee_count: int | None,
    written_at: datetime,
    received_at: datetime,
    in_time: bool,
    message_key: str,
    source: Source = Source.REPLY,
    attendee_sessions: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> Decision:
    """Decide what a genuine reply from a known invitee changes and what we answer.

    `in_time`: the meeting accepted replies when the mailbox received this one (`Meeting.accepts_reply_at`), not
    when we processed it: a retry after the cutoff must not turn a timely reply into a late one.
    """
    decision = _decide(state, intent, sessions, attendees, attendee_count, written_at, received_at, in_time,
                       message_key, source)
    if attendee_sessions and decision.answer is not None and decision.answer.status is not Status.DECLINED and (
            decision.answer.message_key == message_key):
        named = set(decision.answer.attendees)
        decision = replace(decision, answer=replace(decision.answer, attendee_sessions=tuple(
            (name, ids) for name, ids in attendee_sessions if name in named)))
    return replace(decision, before=state.status)


def _decide(state: InviteeState, intent: Intent, sessions: tuple[str, ...] | None, attendees: tuple[str, ...],
            attendee_count: int | None, written_at: datetime, received_at: datetime, in_time: bool,
            message_key: str, source: Source) -> Decision:
    if not in_time:
        return Decision(Outcome.TOO_LATE, Response.CLOSED)
    if intent is Intent.UNCLEAR:
        recently = state.clarify_sent_at is not None and (
            (received_at - state.clarify_sent_at).total_seconds() < CLARIFY_AT_MOST_EVERY_SECONDS)
        return Decision(Outcome.UNCLEAR, Response.NONE if recently else Response.CLARIFY,
                        notes=("clarification already requested in the last 24 hours",) if recently else ())
    status = Status.from_intent(intent)
    count = attendee_count if attendee_count is not None else (
        0 if status is Status.DECLINED else max(1, len(attendees)))
    answer = Answer(status=status, sessions=None if status is Status.DECLINED else sessions,
                    attendees=() if status is Status.DECLINED else attendees,
                    attendee_count=0 if status is Status.DECLINED else count,
                    written_at=written_at, message_key=message_key, source=source)
    current = state.answer
    if current is not None and current.message_key == message_key:
        # A retry after a crash: the write already happened; whether the confirmation went out
        # is the inbound record's business, so decide exactly as the first attempt did.
        return Decision(Outcome.RECORDED, Response.CONFIRMATION, answer=current)
    if not answer.supersedes(current):
        return Decision(Outcome.SUPERSEDED, Response.NONE)
    if current is not None and _same_answer(current, answer):
        return Decision(Outcome.UNCHANGED, Response.CONFIRMATION, answer=answer)
    return Decision(Outcome.RECORDED, Response.CONFIRMATION, answer=answer)


def _same_answer(a: Answer, b: Answer) -> bool:
    return replace(a, written_at=b.written_at, message_key=b.message_key, source=b.source) == b
