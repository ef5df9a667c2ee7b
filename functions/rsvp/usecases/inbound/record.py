"""Decide and record: what a genuine reply changes (the pure rule `decide_reply`), written so that a resumed
attempt may repeat any write; the history line of every message and the review item of those that need a human."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ...domain.meeting import Meeting
from ...domain.records import HistoryEntry, InviteeRecord, ReviewItem
from ...domain.rsvp import Decision, Outcome, Response, Source, decide_reply
from ...ports import InviteeStore, Journal, ReviewQueue
from ...reading import Reading
from .arrival import Arrival

UNROUTED_MEETING = "-"  # review items for mail that reached no meeting's mailbox
MAX_ADDRESS = 320  # characters of a sender's address kept in the history and the review queue
KEPT = (Outcome.RECORDED, Outcome.UNCHANGED)  # the outcomes whose answer is the invitee's answer


def decide(arrival: Arrival, reading: Reading, meeting: Meeting, record: InviteeRecord) -> Decision:
    assert reading.intent is not None
    return decide_reply(
        state=record.state, intent=reading.intent, sessions=reading.sessions, attendees=reading.attendees,
        attendee_count=reading.attendee_count, written_at=arrival.written_at, received_at=arrival.received_at,
        in_time=meeting.accepts_reply_at(arrival.received_at), message_key=arrival.key,
        source=Source.CALENDAR if arrival.msg.calendars and reading.confidence >= 0.99 else (
            Source.MODEL if reading.read_by_model else Source.REPLY),
        attendee_sessions=reading.attendee_sessions)


@dataclass
class Recorder:
    invitees: InviteeStore
    journal: Journal
    reviews: ReviewQueue

    def apply(self, arrival: Arrival, meeting: Meeting, record: InviteeRecord, reading: Reading,
              decision: Decision) -> Decision:
        """Write what the decision changes (each write idempotent, so a resumed attempt may repeat it)."""
        if reading.unsubscribe:
            self.invitees.set_no_reminders(meeting.id, record.email, arrival.now)
        if decision.answer is None or decision.outcome not in KEPT:
            return decision
        if self.invitees.write_answer(meeting.id, record.email, decision.answer):
            return decision
        # Another message written later won the race between our read and our write.
        return Decision(Outcome.SUPERSEDED, Response.NONE, notes=("a later answer was recorded concurrently",),
                        before=decision.before)

    def history(self, arrival: Arrival, reading: Reading, meeting: Meeting, record: InviteeRecord | None,
                outcome: Outcome, *, decision: Decision | None = None, source: Source | None = None) -> None:
        """One history entry per message and invitee (or unmatched, with no invitee)."""
        msg = arrival.msg
        answer = decision.answer if decision else None
        before = decision.before if decision and decision.before else (record.state.status if record else None)
        changed = answer is not None and outcome in KEPT
        self.journal.add_history(HistoryEntry(
            meeting_id=meeting.id, email=record.email if record else None, at=arrival.now,
            source=source or (answer.source if answer else Source.REPLY), outcome=outcome, message_key=arrival.key,
            raw_key=arrival.raw_key, received_at=arrival.received_at, written_at=arrival.written_at,
            from_address=msg.from_address[:MAX_ADDRESS], subject=msg.subject,
            intent=reading.intent.value if reading.intent else None, kind=reading.kind.value,
            status_before=before, status_after=answer.status if changed and answer else before,
            sessions=reading.sessions, attendees=reading.attendees, attendee_count=reading.attendee_count,
            language=reading.language, confidence=reading.confidence,
            reasons=(*reading.reasons, *(decision.notes if decision else ())), excerpt=reading.new_text[:1000]))

    def review(self, arrival: Arrival, meeting: Meeting | None, record: InviteeRecord | None, outcome: Outcome,
               reasons: Iterable[str], reading: Reading | None = None) -> None:
        msg = arrival.msg
        excerpt = reading.new_text if reading and reading.new_text else msg.text
        self.reviews.add_review(ReviewItem(
            meeting_id=meeting.id if meeting else UNROUTED_MEETING, received_at=arrival.received_at,
            message_key=arrival.key, outcome=outcome, raw_key=arrival.raw_key,
            email=record.email if record else None, from_address=msg.from_address[:MAX_ADDRESS], subject=msg.subject,
            excerpt=excerpt[:1000], reasons=(outcome.explanation, *reasons),
            intent=reading.intent.value if reading and reading.intent else None,
            attendees=reading.attendees if reading else (), sessions=reading.sessions if reading else None,
            language=reading.language if reading else None, confidence=reading.confidence if reading else None))
