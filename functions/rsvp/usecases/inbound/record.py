"""Decide and record: what a genuine reply changes (the pure rule `decide_reply`), written in one go with its
history line and the decision on the claim; the history line of every other message and the review item of
those that need a human."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ...domain.meeting import Meeting
from ...domain.records import HistoryEntry, InviteeRecord, ReviewItem
from ...domain.rsvp import KEPT, Decision, Outcome, Response, Source, decide_reply
from ...ports import InboundLedger, Journal, ReviewQueue
from ...reading import Reading
from .arrival import Arrival

UNROUTED_MEETING = "-"  # review items for mail that reached no meeting's mailbox
MAX_ADDRESS = 320  # characters of a sender's address kept in the history and the review queue


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
    journal: Journal
    reviews: ReviewQueue
    ledger: InboundLedger

    def commit(self, arrival: Arrival, meeting: Meeting, record: InviteeRecord, reading: Reading,
               decision: Decision) -> Decision:
        """Record what a genuine reply changes in one write: the answer, the reminder opt-out, the history line
        and the decision on the claim (all or nothing, so a retry after a crash finds all or nothing). When a
        message written later won the race between our read and our write, the reply is recorded as superseded."""
        if self.ledger.commit_decision(arrival.key, decision, entry(arrival, reading, meeting, record,
                                                                    history_outcome(reading, decision), decision),
                                       no_reminders=reading.unsubscribe):
            return decision
        lost = Decision(Outcome.SUPERSEDED, Response.NONE, notes=("a later answer was recorded concurrently",),
                        before=decision.before)
        self.ledger.commit_decision(arrival.key, lost, entry(arrival, reading, meeting, record, lost.outcome, lost),
                                    no_reminders=reading.unsubscribe)
        return lost

    def history(self, arrival: Arrival, reading: Reading, meeting: Meeting, record: InviteeRecord | None,
                outcome: Outcome, *, source: Source | None = None) -> None:
        """The history line of a message that is not an answer (automatic mail, a bounce, an unknown sender)."""
        self.journal.add_history(entry(arrival, reading, meeting, record, outcome, source=source))

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


def history_outcome(reading: Reading, decision: Decision) -> Outcome:
    """What a reply's history line shows: an unclear reply asking for no more mail is an unsubscribe."""
    return Outcome.UNSUBSCRIBED if reading.unsubscribe and decision.outcome is Outcome.UNCLEAR else decision.outcome


def entry(arrival: Arrival, reading: Reading, meeting: Meeting, record: InviteeRecord | None, outcome: Outcome,
          decision: Decision | None = None, *, source: Source | None = None) -> HistoryEntry:
    """One history line per message and invitee (or unmatched, with no invitee)."""
    msg = arrival.msg
    answer = decision.answer if decision else None
    before = decision.before if decision and decision.before else (record.state.status if record else None)
    changed = answer is not None and outcome in KEPT
    return HistoryEntry(
        meeting_id=meeting.id, email=record.email if record else None, at=arrival.now,
        source=source or (answer.source if answer else Source.REPLY), outcome=outcome, message_key=arrival.key,
        raw_key=arrival.raw_key, received_at=arrival.received_at, written_at=arrival.written_at,
        from_address=msg.from_address[:MAX_ADDRESS], subject=msg.subject,
        intent=reading.intent.value if reading.intent else None, kind=reading.kind.value,
        status_before=before, status_after=answer.status if changed and answer else before,
        sessions=reading.sessions, attendees=reading.attendees, attendee_count=reading.attendee_count,
        language=reading.language, confidence=reading.confidence,
        reasons=(*reading.reasons, *(decision.notes if decision else ())), excerpt=reading.new_text[:1000])
