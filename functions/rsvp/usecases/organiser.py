"""What organisers do by hand: look at the numbers, settle the review queue, set an answer, read an invitee's
history, list the participants, erase a person. Plain Python over the ports it needs, like the use cases it
sits beside; the command line is a thin layer over this and never reaches a store itself."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ..domain.addresses import canonical_address
from ..domain.invitees import Category
from ..domain.meeting import Meeting
from ..domain.records import HistoryEntry, InviteeRecord, ReviewItem
from ..domain.rsvp import Answer, Delivery, Outcome, Response, Source, Status
from ..domain.sending import SendRejected
from ..participants import Participant, participant_rows
from ..ports import Clock, InviteeStore, Journal, MeetingStore, PersonalData, RawMailStore, ReviewQueue
from ..timeutil import iso
from .compose import Composer
from .inbound.record import UNROUTED_MEETING
from .invitations import Invitations, PlannedInvitation
from .sending import Outbox

REVIEW_DECISIONS = ("accept", "decline", "tentative", "dismiss")
_STATUS_OF = {"accept": Status.ACCEPTED, "decline": Status.DECLINED, "tentative": Status.TENTATIVE}


class OrganiserError(Exception):
    """A request that cannot be carried out, with one line that says why; `exit_code` for scripts."""

    exit_code = 2


class NotFound(OrganiserError):
    exit_code = 3


class Conflict(OrganiserError):
    exit_code = 4


@dataclass(frozen=True)
class StatusReport:
    meeting: Meeting
    by_category: dict[str, Counter[str]]
    sessions: dict[str, dict[str, int]]  # session id -> {"delegations": n, "attendees": n}
    attendees: int
    named_attendees: int
    delivery: Counter[str]
    no_reminders: int
    open_reviews: int
    invitations: dict[str, int]
    days_left: int
    closed: bool  # registration has closed (the cutoff rule, as replies are judged)

    @property
    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for counts in self.by_category.values():
            total.update(counts)
        return total

    def to_json(self) -> dict[str, Any]:
        return {
            "meeting": self.meeting.id, "title": self.meeting.title_in(self.meeting.organiser_language),
            "days_left": self.days_left,
            "cutoff": iso(self.meeting.rsvp_cutoff),
            "by_category": {c: {s.value: counts[s.value] for s in Status} for c, counts in self.by_category.items()},
            "totals": {s.value: self.totals[s.value] for s in Status},
            "invitees": sum(self.totals.values()), "attendees": self.attendees,
            "named_attendees": self.named_attendees, "sessions": self.sessions,
            "delivery": dict(self.delivery), "no_reminders": self.no_reminders, "open_reviews": self.open_reviews,
            "invitations": self.invitations, "closed": self.closed,
        }


@dataclass
class Organiser:
    meetings: MeetingStore
    invitees: InviteeStore
    journal: Journal
    reviews: ReviewQueue
    erasure: PersonalData
    store: RawMailStore
    invitations: Invitations
    outbox: Outbox
    composer: Composer
    clock: Clock
    secret: bytes
    actor: str  # who is at the keyboard: recorded in the history of every manual change

    # ------------------------------------------------------------------ reading
    def list_meetings(self) -> list[Meeting]:
        return self.meetings.list_meetings()

    def find_meeting(self, meeting_id: str) -> Meeting | None:
        return self.meetings.get_meeting(meeting_id)

    def find_invitee(self, meeting_id: str, email: str) -> InviteeRecord | None:
        return self.invitees.get_invitee(meeting_id, email.strip().lower())

    def invitees_of(self, meeting_id: str) -> list[InviteeRecord]:
        return self.invitees.list_invitees(self.meeting(meeting_id).id)

    def meeting(self, meeting_id: str) -> Meeting:
        meeting = self.meetings.get_meeting(meeting_id)
        if meeting is None:
            known = ", ".join(m.id for m in self.meetings.list_meetings()) or "none loaded"
            raise NotFound(f"no meeting {meeting_id!r} (meetings: {known})")
        return meeting

    def invitee(self, meeting_id: str, email: str) -> InviteeRecord:
        record = self.invitees.get_invitee(meeting_id, email.strip().lower())
        if record is None:
            raise NotFound(f"{email} is not an invitee of {meeting_id}")
        return record

    def status(self, meeting_id: str, now: datetime) -> StatusReport:
        meeting = self.meeting(meeting_id)
        records = self.invitees.list_invitees(meeting_id)
        by_category: dict[str, Counter[str]] = {c.value: Counter() for c in Category}
        sessions = {s.id: {"delegations": 0, "attendees": 0} for s in meeting.sessions}
        attendees = named = no_reminders = 0
        delivery: Counter[str] = Counter()
        for record in records:
            by_category[record.invitee.category.value][record.state.status.value] += 1
            delivery[record.state.delivery.value] += 1
            no_reminders += record.state.no_reminders
            answer = record.state.answer
            if answer is None or answer.status is not Status.ACCEPTED:
                continue
            attendees += answer.attendee_count
            named += len(answer.attendees)
            for session in answer.sessions if answer.sessions is not None else tuple(sessions):
                if session in sessions:
                    sessions[session]["delegations"] += 1
                    sessions[session]["attendees"] += _attending(answer, session)
        return StatusReport(
            meeting=meeting, by_category=by_category, sessions=sessions, attendees=attendees, named_attendees=named,
            delivery=delivery, no_reminders=no_reminders, open_reviews=len(self.reviews.open_reviews(meeting_id)),
            invitations=self.invitations.progress(meeting_id), days_left=meeting.days_left(now),
            closed=self.is_closed(meeting, now))

    def history(self, meeting_id: str, email: str) -> list[HistoryEntry]:
        record = self.invitee(meeting_id, email)
        return self.journal.history_of(meeting_id, record.email)

    def participants(self, meeting_id: str, statuses: Iterable[Status] = (Status.ACCEPTED,)) -> list[Participant]:
        meeting = self.meeting(meeting_id)
        return participant_rows(meeting, self.invitees.list_invitees(meeting_id), statuses)

    def invitation_plan(self, meeting_id: str, only: set[str] | None = None, resend: bool = False
                        ) -> list[PlannedInvitation]:
        """Who `rsvp invite` would send to, and why not to the others (its --dry-run)."""
        self.meeting(meeting_id)
        if only:
            self.check_invitees(meeting_id, only)
        return self.invitations.plan(meeting_id, only, resend)

    def check_invitees(self, meeting_id: str, emails: Iterable[str]) -> None:
        known = {r.email for r in self.invitees.list_invitees(meeting_id)}
        unknown = sorted({e.strip().lower() for e in emails} - known)
        if unknown:
            raise NotFound(f"not invitees of {meeting_id}: {', '.join(unknown)}")

    def is_closed(self, meeting: Meeting, now: datetime) -> bool:
        """Registration has closed: the cutoff rule, as replies are judged."""
        return not meeting.accepts_reply_at(now)

    def send_confirmation(self, meeting: Meeting, record: InviteeRecord, now: datetime) -> str:
        """Confirm the recorded answer to the invitee (after an organiser set it by hand)."""
        if record.state.delivery is not Delivery.OK:
            raise SendRejected(f"{record.email} is {record.state.delivery.value}: no mail is sent there")
        email = self.composer.answer(meeting, record, Response.CONFIRMATION, now)
        provider_id = self.outbox.send(email, key=f"confirmation/{record.email}/{now.isoformat()}")
        self.outbox.ledger.record_sent(meeting.id, record.email, now, (email.message_id, provider_id),
                                       Response.CONFIRMATION)
        return provider_id

    # ------------------------------------------------------------------ changing
    def set_answer(self, meeting_id: str, email: str, decision: str, *, sessions: Sequence[str] = (),
                   attendees: Sequence[str] = (), count: int | None = None, note: str = "", notify: bool = False,
                   now: datetime, review: ReviewItem | None = None) -> HistoryEntry:
        """Record an answer by hand. It is written now, so it replaces anything the invitee wrote before; a reply
        written after it will, in turn, replace it (the rule every answer follows)."""
        meeting = self.meeting(meeting_id)
        record = self.invitee(meeting_id, email)
        status = _STATUS_OF.get(decision)
        if status is None:
            raise OrganiserError(f"{decision!r} is not an answer (accept, decline or tentative)")
        chosen = self._sessions(meeting, sessions)
        if count is not None and count < 0:
            raise OrganiserError("the number of attendees cannot be negative")
        declined = status is Status.DECLINED
        people = () if declined else tuple(a.strip() for a in attendees if a.strip())
        answer = Answer(
            status=status, sessions=None if declined else chosen, attendees=people,
            attendee_count=0 if declined else (count if count is not None else max(1, len(people))),
            written_at=now, message_key=f"organiser-{uuid.uuid4().hex[:12]}", source=Source.ORGANISER)
        before = record.state.status
        if not self.invitees.write_answer(meeting.id, record.email, answer):
            raise Conflict(f"{record.email}: a later answer was recorded meanwhile; look at `rsvp history` and retry")
        reasons = []
        if review is not None:
            reasons.append(f"settles review {review.id}: {review.reasons[0] if review.reasons else review.outcome}")
        if note:
            reasons.append(note)
        entry = HistoryEntry(
            meeting_id=meeting.id, email=record.email, at=now, source=Source.ORGANISER, outcome=Outcome.RECORDED,
            message_key=review.message_key if review else answer.message_key, raw_key=review.raw_key if review else "",
            intent=decision, status_before=before, status_after=status, sessions=answer.sessions,
            attendees=answer.attendees, attendee_count=answer.attendee_count, reasons=tuple(reasons),
            actor=self.actor)
        self.journal.add_history(entry)
        if notify:
            fresh = self.invitees.get_invitee(meeting.id, record.email) or record
            self.send_confirmation(meeting, fresh, now)
        return entry

    def review_queue(self, meeting_id: str, *, include_settled: bool = False) -> list[ReviewItem]:
        self.meeting(meeting_id)
        return self.reviews.all_reviews(meeting_id) if include_settled else self.reviews.open_reviews(meeting_id)

    def settle_review(self, meeting_id: str, review_id: str, decision: str, *, email: str | None = None,
                      sessions: Sequence[str] = (), attendees: Sequence[str] = (), count: int | None = None,
                      note: str = "", notify: bool = False, now: datetime) -> ReviewItem:
        """Answer for the invitee (accept / decline / tentative) or dismiss the item; either way it leaves the queue."""
        item = self._review(meeting_id, review_id)
        if decision not in REVIEW_DECISIONS:
            raise OrganiserError(f"{decision!r}: choose one of {', '.join(REVIEW_DECISIONS)}")
        if decision != "dismiss":
            who = email or item.email
            if not who:
                raise OrganiserError(f"review {item.id} came from {item.from_address or 'an unknown sender'}, who is "
                                     "not matched to an invitee: say which invitee with --invitee EMAIL")
            self.set_answer(meeting_id, who, decision, sessions=sessions or (item.sessions or ()),
                            attendees=attendees or item.attendees, count=count, note=note, notify=notify, now=now,
                            review=item)
        resolution = decision if decision == "dismiss" else f"{decision} for {email or item.email}"
        if note:
            resolution += f" — {note}"
        if not self.reviews.resolve_review(item, resolution, self.actor, now):
            raise Conflict(f"review {item.id} was settled meanwhile by someone else")
        return replace(item, resolved=True, resolution=resolution, resolved_by=self.actor, resolved_at=now)

    def _review(self, meeting_id: str, review_id: str) -> ReviewItem:
        handle = review_id.strip().lower()
        matches = [r for r in self.review_queue(meeting_id, include_settled=True) if r.message_key.startswith(handle)]
        if not handle or not matches:
            raise NotFound(f"no review item {review_id!r} in {meeting_id} (see `rsvp review {meeting_id}`)")
        if len(matches) > 1:
            raise OrganiserError(f"{review_id!r} matches {len(matches)} review items; give more of its id")
        if matches[0].resolved:
            raise Conflict(f"review {matches[0].id} was already settled by {matches[0].resolved_by}: "
                           f"{matches[0].resolution}")
        return matches[0]

    # ------------------------------------------------------------------ personal data
    def forget(self, meeting_id: str, email: str, now: datetime,
               local_copies: Callable[[str, Sequence[str]], int] | None = None) -> str:
        """Erase one person's records in a meeting — their RSVP and history, review items, sends, personal tag,
        their stored mail (every version) and, through `local_copies(address, raw keys)`, a local run's copies —
        and say so in the meeting's audit log, which never names them. Returns the audit line."""
        meeting = self.meeting(meeting_id)
        address = canonical_address(email)
        erasure = self.erasure.forget_invitee(meeting.id, address)
        unrouted = self.erasure.forget_invitee(UNROUTED_MEETING, address)  # their mail that reached no meeting
        if not (erasure.found or unrouted.found):
            raise NotFound(f"nothing is recorded about {email} in {meeting_id}")
        raw_keys = sorted({*erasure.raw_keys, *unrouted.raw_keys})
        versions = sum(self.store.delete(key) for key in raw_keys)
        files = local_copies(address, raw_keys) if local_copies else 0
        reference = hmac.new(self.secret, address.encode(), hashlib.sha256).hexdigest()[:12]
        line = (f"erased one person's records: {erasure.items + unrouted.items} record(s), {len(raw_keys)} stored "
                f"message(s) ({versions} version(s)), {files} local cop(y/ies); reference {reference} (the address "
                f"under the desk's key: it names nobody, and tells whether an address given later was this one)")
        self.journal.add_audit(meeting.id, now, self.actor, line)
        return line

    @staticmethod
    def _sessions(meeting: Meeting, given: Sequence[str]) -> tuple[str, ...] | None:
        if not given:
            return None
        ids = {s.id for s in meeting.sessions}
        unknown = [s for s in given if s not in ids]
        if unknown:
            raise OrganiserError(f"unknown session(s) {', '.join(unknown)}; this meeting has {', '.join(sorted(ids))}")
        chosen = tuple(s.id for s in meeting.sessions if s.id in set(given))
        return None if len(chosen) == len(ids) else chosen


def _attending(answer: Answer, session: str) -> int:
    """How many of a delegation come to one session: per person when the reply said who comes when."""
    if not answer.attendee_sessions:
        return answer.attendee_count
    named = sum(1 for person in answer.attendees if session in (answer.sessions_of(person) or (session,)))
    return named + max(0, answer.attendee_count - len(answer.attendees))
