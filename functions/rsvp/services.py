"""Use cases: load a meeting, send invitations, process an inbound reply, send the daily digest.

Plain Python over the ports; the handlers call these and nothing else.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from babel.lists import format_list

from .domain.invitees import Category, Invitee
from .domain.meeting import Meeting
from .domain.records import HistoryEntry, InboundClaim, InviteeRecord, ReviewItem
from .domain.rsvp import (
    Decision,
    Delivery,
    Intent,
    InviteeState,
    MessageKind,
    Outcome,
    Response,
    Status,
    decide_reply,
)
from .domain.sending import ClaimState, RetryLater, SendJob, SendKind, SendRejected, SendThrottled
from .domain.tags import reply_address, reply_tag, tag_from_address
from .mail.calendar import invitation_calendar
from .mail.formatting import city, cutoff_text, locale_for, long_date, session_lines, timestamp
from .mail.message import Attachment, OutgoingEmail, Recipient, new_message_id
from .mail.render import Renderer
from .ports import Clock, JobQueue, Mailer, RateLimiter, RawMailStore, Repository, Sleeper
from .reading import Reading, read_message
from .reading.authentication import sender_verified
from .reading.mime import ParsedMessage, parse_message

log = logging.getLogger(__name__)

UNROUTED_MEETING = "-"  # review items for mail that reached no meeting's mailbox


@dataclass(frozen=True)
class InviteReport:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InboundResult:
    outcome: Outcome
    message_key: str
    meeting_id: str | None = None
    email: str | None = None
    reading: Reading | None = None
    response: Response = Response.NONE
    identified_by: str | None = None

    def summary(self) -> dict[str, Any]:
        return {"outcome": self.outcome.value, "meeting": self.meeting_id, "invitee": self.email,
                "response": self.response.value, "identified_by": self.identified_by,
                "intent": self.reading.intent.value if self.reading and self.reading.intent else None,
                "kind": self.reading.kind.value if self.reading else None}


@dataclass(frozen=True)
class Arrival:
    """One inbound message as it is being processed."""

    msg: ParsedMessage
    raw_key: str
    key: str
    claim: InboundClaim
    received_at: datetime  # when our mailbox received it (decides lateness)
    now: datetime  # when we process it

    @property
    def written_at(self) -> datetime:
        return _written_at(self.msg, self.received_at)


@dataclass(frozen=True)
class Route:
    meeting: Meeting | None
    record: InviteeRecord | None
    identified_by: str | None
    outcome_if_unknown: Outcome = Outcome.UNKNOWN_SENDER


@dataclass(frozen=True)
class QueueReport:
    sending: str
    queued: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class _NoLimit:
    def acquire(self) -> None:
        return None


class _NoSleep:
    def sleep(self, seconds: float) -> None:
        return None


@dataclass
class Desk:
    repo: Repository
    store: RawMailStore
    mailer: Mailer
    clock: Clock
    secret: bytes
    sender_address: str
    renderer: Renderer = field(default_factory=Renderer)
    digest_recipients: tuple[str, ...] = ()
    lease_seconds: int = 900
    jobs: JobQueue | None = None
    _meeting_contexts: dict[tuple[int, str], tuple[Meeting, dict[str, Any]]] = field(default_factory=dict)
    _meetings: dict[str, tuple[float, Meeting]] = field(default_factory=dict)
    _assets: dict[str, bytes] = field(default_factory=dict)
    limiter: RateLimiter = field(default_factory=_NoLimit)
    sleeper: Sleeper = field(default_factory=_NoSleep)
    stale_after_seconds: int = 600  # a send claim older than this, never confirmed by SES, may be retried
    throttle_retries: int = 6

    # ------------------------------------------------------------------ loading
    def load(self, meeting: Meeting, invitees: Iterable[Invitee], programme: bytes | None = None
             ) -> list[InviteeRecord]:
        """Store a validated meeting and its invitees; re-loading updates details and keeps answers.
        The programme PDF, if any, goes to the mail bucket beside the raw mail (assets/)."""
        if meeting.programme:
            if programme is None:
                raise ValueError(f"{meeting.id}: the meeting names a programme but its PDF was not given")
            self.store.put(_programme_key(meeting), programme)
        return self.add_invitees(meeting, invitees)

    def add_invitees(self, meeting: Meeting, invitees: Iterable[Invitee]) -> list[InviteeRecord]:
        """Add or update invitees (each with its personal reply tag); answers and delivery are kept."""
        records = [InviteeRecord(meeting_id=meeting.id, invitee=invitee,
                                 tag=reply_tag(self.secret, meeting.id, invitee.email),
                                 state=InviteeState(email=invitee.email)) for invitee in invitees]
        self.repo.save_meeting(meeting, records)
        return records

    def _programme(self, meeting: Meeting) -> tuple[Attachment, ...]:
        """The programme attachment, read from the bucket once per container."""
        if not meeting.programme:
            return ()
        key = _programme_key(meeting)
        if key not in self._assets:
            self._assets[key] = self.store.get(key)
        return (Attachment(meeting.programme.rsplit("/", 1)[-1], "application/pdf", self._assets[key]),)

    def meeting(self, meeting_id: str) -> Meeting:
        """The meeting, kept a minute per container (a campaign reads it for every job)."""
        cached = self._meetings.get(meeting_id)
        if cached is not None and time.monotonic() - cached[0] < 60:
            return cached[1]
        meeting = self.repo.get_meeting(meeting_id)
        if meeting is None:
            raise LookupError(f"no meeting {meeting_id!r} is loaded")
        self._meetings[meeting_id] = (time.monotonic(), meeting)
        return meeting

    # ------------------------------------------------------------------ invitations and reminders
    def queue_invitations(self, meeting_id: str, only: set[str] | None = None, resend: bool = False
                          ) -> QueueReport:
        """One job per invitee on the send queue. Re-running continues the same sending (only what is not
        yet sent is queued again); `resend` starts a new sending to everyone who can be mailed."""
        report, jobs = self._plan_invitations(meeting_id, only, resend)
        self._enqueue(jobs)
        return report

    def send_invitations(self, meeting_id: str, only: set[str] | None = None) -> InviteReport:
        """Plan and deliver in this process, without a queue (small lists, scripts, tests)."""
        planned, jobs = self._plan_invitations(meeting_id, only, resend=False)
        report = InviteReport(skipped=list(planned.skipped))
        for job in jobs:
            outcome = self.deliver(job)
            if outcome == "sent":
                report.sent.append(job.email)
            else:
                report.failed[job.email] = outcome
        return report

    def _plan_invitations(self, meeting_id: str, only: set[str] | None, resend: bool
                          ) -> tuple[QueueReport, list[SendJob]]:
        meeting = self.meeting(meeting_id)
        now = self.clock.now()
        sending = f"invitation-{now:%Y%m%dT%H%M%S}" if resend else "invitation-1"
        report = QueueReport(sending)
        jobs = []
        for record in self.repo.list_invitees(meeting.id):
            if only is not None and record.email not in only:
                continue
            if record.state.delivery is not Delivery.OK or (record.state.invited_at and not resend):
                report.skipped.append(record.email)
                continue
            if self.repo.mark_queued(meeting.id, record.email, sending, SendKind.INVITATION.value, now):
                jobs.append(SendJob(SendKind.INVITATION, meeting.id, record.email, sending))
                report.queued.append(record.email)
            else:
                report.skipped.append(record.email)
        return report, jobs

    def deliver(self, job: SendJob) -> str:
        """Send one job exactly once: claim it, respect the send rate, back off when throttled, record it.

        A job whose earlier attempt died between SES accepting the message and our record is settled by
        SES's own Send event (confirm_send); until that arrives, or the claim goes stale, it is retried later.
        """
        meeting = self.meeting(job.meeting_id)
        record = self.repo.get_invitee(meeting.id, job.email)
        if record is None:
            return "unknown invitee"
        if record.state.delivery is not Delivery.OK:
            self.repo.fail_send(meeting.id, job.email, job.sending, f"address {record.state.delivery.value}", False)
            return "skipped"
        if job.kind is SendKind.REMINDER and (record.state.no_reminders or record.state.status is not Status.PENDING):
            self.repo.fail_send(meeting.id, job.email, job.sending, "answered or asked for no reminders", False)
            return "skipped"
        claim = self.repo.claim_send(meeting.id, job.email, job.sending, self.clock.now(), self.stale_after_seconds)
        if claim is ClaimState.SENT:
            return "already sent"
        if claim is ClaimState.IN_FLIGHT:
            raise RetryLater(f"{job.sending} to {job.email}: another attempt is in flight or unconfirmed")
        now = self.clock.now()
        email = self.invitation(meeting, record, now) if job.kind is SendKind.INVITATION else self.reminder(
            meeting, record, now)
        email = replace(email, tags={"meeting": meeting.id, "sending": job.sending, "invitee": record.tag})
        try:
            provider_id = self._send_paced(email, key=f"{job.sending}/{job.email}")
        except SendRejected as exc:
            self.repo.fail_send(meeting.id, job.email, job.sending, str(exc), False)
            return "rejected"
        except SendThrottled as exc:
            self.repo.fail_send(meeting.id, job.email, job.sending, str(exc), True)
            raise RetryLater(f"still throttled after {self.throttle_retries} tries") from exc
        self.repo.finish_send(meeting.id, job.email, job.sending, self.clock.now(), (email.message_id, provider_id),
                              job.kind.value)
        return "sent"

    def _send_paced(self, email: OutgoingEmail, key: str = "") -> str:
        """Send within the account's rate, with exponential backoff (full jitter) when SES throttles."""
        jitter = random.Random(key)  # noqa: S311 - spreading retries, not security
        for attempt in range(self.throttle_retries):
            self.limiter.acquire()
            try:
                return self.mailer.send(email)
            except SendThrottled:
                if attempt == self.throttle_retries - 1:
                    raise
                self.sleeper.sleep(jitter.uniform(0, min(8.0, 0.25 * 2 ** attempt)))
        raise SendThrottled("unreachable")

    def _enqueue(self, jobs: list[SendJob]) -> None:
        if not jobs:
            return
        if self.jobs is None:
            raise RuntimeError("no send queue configured (INVITATION_QUEUE_URL)")
        self.jobs.enqueue(jobs)

    def run_reminders(self) -> list[str]:
        """On each reminder day (days before the cutoff, meeting's calendar), at the digest hour, queue one
        reminder to every invitee who has not answered, can be mailed, and has not asked for no mail."""
        queued = []
        now = self.clock.now()
        for meeting in self.repo.list_meetings():
            local = meeting.local(now)
            if not meeting.is_open(now) or local.time() < meeting.digest.time:
                continue
            for days in meeting.reminders:
                if local.date() != meeting.rsvp_cutoff.date() - timedelta(days=days):
                    continue
                if not self.repo.claim_once(meeting.id, f"reminder-{days}", now):
                    continue
                sending = f"reminder-{days}"
                jobs = [SendJob(SendKind.REMINDER, meeting.id, r.email, sending)
                        for r in self.repo.list_invitees(meeting.id)
                        if r.state.status is Status.PENDING and r.state.delivery is Delivery.OK
                        and not r.state.no_reminders and r.state.invited_at
                        and self.repo.mark_queued(meeting.id, r.email, sending, SendKind.REMINDER.value, now)]
                self._enqueue(jobs)
                queued.append(f"{meeting.id}:{sending}:{len(jobs)}")
        return queued

    def reminder(self, meeting: Meeting, record: InviteeRecord, now: datetime) -> OutgoingEmail:
        language = record.invitee.language
        context = self._context(meeting, record, language)
        context["days_left"] = meeting.days_left(now)
        rendered = self.renderer.render("reminder", language, context)
        personal = reply_address(meeting.mailbox, record.tag)
        email = self._email(meeting, record, "reminder", language, rendered.subject, rendered.text, rendered.html,
                            now, auto_submitted="auto-generated")
        return replace(email, list_unsubscribe=_mailto(personal, "UNSUBSCRIBE"))

    # ------------------------------------------------------------------ SES events (configuration set)
    def delivery_event(self, detail: dict[str, Any]) -> str:
        """An SES Send/Bounce/Complaint event for one of our messages (EventBridge detail)."""
        kind = str(detail.get("eventType") or detail.get("notificationType") or "")
        mail = detail.get("mail", {})
        tags = {k: (v[0] if isinstance(v, list) and v else v) for k, v in (mail.get("tags") or {}).items()}
        found = self.repo.find_by_tag(str(tags.get("invitee", ""))) if tags.get("invitee") else None
        if found is None:
            return "not ours"
        meeting_id, email = found
        now = self.clock.now()
        if kind == "Send" and tags.get("sending"):
            self.repo.confirm_send(meeting_id, email, str(tags["sending"]), str(mail.get("messageId", "")), now)
            return "send confirmed"
        meeting = self.repo.get_meeting(meeting_id)
        record = self.repo.get_invitee(meeting_id, email)
        if meeting is None or record is None:
            return "not ours"
        if kind == "Bounce" and detail.get("bounce", {}).get("bounceType") == "Permanent":
            self.repo.set_delivery(meeting_id, email, Delivery.UNDELIVERABLE,
                                   str(detail["bounce"].get("bounceSubType", "permanent bounce")), now)
            self._event_history(meeting, record, Outcome.BOUNCE, detail, now)
            return "undeliverable"
        if kind == "Complaint":
            self.repo.set_delivery(meeting_id, email, Delivery.COMPLAINED, "complaint (marked as spam)", now)
            self._event_history(meeting, record, Outcome.COMPLAINT, detail, now)
            return "complained"
        return "ignored"

    def _event_history(self, meeting: Meeting, record: InviteeRecord, outcome: Outcome, detail: dict[str, Any],
                       now: datetime) -> None:
        self.repo.add_history(HistoryEntry(
            meeting_id=meeting.id, email=record.email, at=now, source="ses-event", outcome=outcome,
            message_key=str(detail.get("mail", {}).get("messageId", ""))[:32], status_before=record.state.status,
            status_after=record.state.status, reasons=(outcome.explanation,)))

    def invitation(self, meeting: Meeting, record: InviteeRecord, now: datetime) -> OutgoingEmail:
        """The personal invitation: in the invitee's language (and the meeting's other invitation languages),
        with quick-reply links and a calendar invite whose answers come back to the personal address."""
        languages = meeting.languages_for(record.invitee.language)
        contexts = {language: self._context(meeting, record, language) for language in languages}
        rendered = self.renderer.render_multilingual("invitation", contexts)
        personal = reply_address(meeting.mailbox, record.tag)
        desk = meeting.organisers[0].name if meeting.organisers else "Registration"
        calendar = invitation_calendar(
            meeting, organizer=personal, organizer_name=desk, attendee=record.email,
            attendee_name=record.invitee.addressed_as, language=languages[0], now=now,
            description=contexts[languages[0]]["calendar_note"])
        email = self._email(meeting, record, "invitation", languages[0], rendered.subject, rendered.text,
                            rendered.html, now, auto_submitted="auto-generated")
        return replace(email, calendar=calendar, list_unsubscribe=_mailto(personal, "UNSUBSCRIBE"),
                       attachments=self._programme(meeting))

    # ------------------------------------------------------------------ inbound replies
    def process_inbound(self, raw_key: str, arrived_at: datetime | None = None) -> InboundResult:
        """Read one stored message and do what a registration officer would. Idempotent per message."""
        raw = self.store.get(raw_key)
        now = self.clock.now()
        msg = parse_message(raw)
        key = message_key(msg, raw)
        claim = self.repo.claim_inbound(key, raw_key, now, self.lease_seconds)
        if claim is None:
            log.info("duplicate inbound message skipped", extra={"message_key": key})
            return InboundResult(Outcome.DUPLICATE, key)
        arrival = Arrival(msg, raw_key, key, claim, _received_at(msg, arrived_at, now), now)
        result = self._handle(arrival)
        self.repo.finish_inbound(key, result.outcome.value, self.clock.now())
        log.info("inbound message processed", extra={"message_key": key, **result.summary()})
        return result

    def _handle(self, arrival: Arrival) -> InboundResult:
        msg, key = arrival.msg, arrival.key
        route = self._route(msg)
        meeting, record = route.meeting, route.record
        try:
            reading = read_message(msg, meeting)
        except Exception as exc:  # a reader defect on one message must not block the mailbox: keep, flag, go on
            log.exception("reader failed", extra={"message_key": key})
            self._review(arrival, meeting, record, Outcome.MALFORMED, (f"reader failed: {type(exc).__name__}: {exc}",))
            return InboundResult(Outcome.MALFORMED, key, meeting.id if meeting else None,
                                 record.email if record else None)
        if self._from_ourselves(msg):
            reading = _as_automatic(reading, "sent from the desk's own address")

        if reading.kind is MessageKind.BOUNCE:
            return self._bounce(arrival, reading, meeting, record, route)
        if meeting is None:
            outcome = Outcome.AUTO_REPLY if reading.is_automatic else Outcome.UNROUTED
            if outcome.needs_review:
                self._review(arrival, None, None, outcome, reading.reasons, reading)
            return InboundResult(outcome, key, reading=reading)
        if reading.kind is MessageKind.AUTO_REPLY:
            if record:
                self._history(arrival, reading, meeting, record, Outcome.AUTO_REPLY)
            return InboundResult(Outcome.AUTO_REPLY, key, meeting.id, record.email if record else None, reading,
                                 identified_by=route.identified_by)
        if not msg.from_address and not msg.text.strip() and not msg.calendars:
            self._review(arrival, meeting, record, Outcome.MALFORMED, ("no sender and no readable text", *msg.defects))
            return InboundResult(Outcome.MALFORMED, key, meeting.id, None, reading)
        if record is None:
            outcome = route.outcome_if_unknown
            self._review(arrival, meeting, None, outcome, reading.reasons, reading)
            self._history(arrival, reading, meeting, None, outcome)
            return InboundResult(outcome, key, meeting.id, None, reading)

        assert reading.intent is not None
        if reading.unsubscribe:
            self.repo.set_no_reminders(meeting.id, record.email, arrival.now)
            self._history(arrival, reading, meeting, record, Outcome.UNSUBSCRIBED)
            if reading.intent is Intent.UNCLEAR:
                return InboundResult(Outcome.UNSUBSCRIBED, key, meeting.id, record.email, reading,
                                     identified_by=route.identified_by)
        decision = decide_reply(
            state=record.state, intent=reading.intent, sessions=reading.sessions, attendees=reading.attendees,
            attendee_count=reading.attendee_count, written_at=arrival.written_at,
            received_at=arrival.received_at, cutoff=meeting.rsvp_cutoff, message_key=key,
            source="calendar" if msg.calendars and reading.confidence >= 0.99 else "reply")
        decision = self._apply(meeting, record, decision)
        self._history(arrival, reading, meeting, record, decision.outcome, decision=decision)
        if decision.outcome.needs_review:
            self._review(arrival, meeting, record, decision.outcome, (*reading.reasons, *decision.notes), reading)
        response = self._respond(meeting, record, msg, decision, arrival.claim, arrival.now)
        return InboundResult(decision.outcome, key, meeting.id, record.email, reading, response, route.identified_by)

    def _apply(self, meeting: Meeting, record: InviteeRecord, decision: Decision) -> Decision:
        if decision.answer is None or decision.outcome not in (Outcome.RECORDED, Outcome.UNCHANGED):
            return decision
        if self.repo.write_answer(meeting.id, record.email, decision.answer):
            return decision
        # Another message written later won the race between our read and our write.
        return Decision(Outcome.SUPERSEDED, Response.NONE, notes=("a later answer was recorded concurrently",))

    def _bounce(self, arrival: Arrival, reading: Reading, meeting: Meeting | None, record: InviteeRecord | None,
                route: Route) -> InboundResult:
        """Mark the failed recipients undeliverable (final failures only); never answer."""
        targets: list[tuple[Meeting, InviteeRecord]] = []
        for candidate in [meeting] if meeting else self._meeting_for(arrival.msg):
            for address in reading.failed_recipients:
                found = self.repo.get_invitee(candidate.id, address)
                if found:
                    targets.append((candidate, found))
        if not targets and meeting and record and reading.final_failure:
            targets.append((meeting, record))
        for target_meeting, target in targets:
            if reading.report == "complaint":
                self.repo.set_delivery(target.meeting_id, target.email, Delivery.COMPLAINED,
                                       "; ".join(reading.reasons), arrival.now)
            elif reading.final_failure:
                self.repo.set_delivery(target.meeting_id, target.email, Delivery.UNDELIVERABLE,
                                       "; ".join(reading.reasons), arrival.now)
            self._history(arrival, reading, target_meeting, target, Outcome.BOUNCE, source="bounce")
        first = targets[0][1] if targets else None
        return InboundResult(Outcome.BOUNCE, arrival.key,
                             first.meeting_id if first else (meeting.id if meeting else None),
                             first.email if first else None, reading, identified_by=route.identified_by)

    # ------------------------------------------------------------------ identifying the invitee
    def _route(self, msg: ParsedMessage) -> Route:
        """Tag first (unforgeable), then our Message-ID in the thread, then an authenticated From."""
        for address in msg.recipients:
            tag = tag_from_address(address)
            found = self.repo.find_by_tag(tag) if tag else None
            if found:
                return self._routed(found, "reply tag")
        for message_id in [*msg.in_reply_to, *reversed(msg.references)]:
            for candidate in (message_id, message_id.split("@", 1)[0]):
                found = self.repo.find_by_sent_message(candidate)
                if found:
                    return self._routed(found, "thread (In-Reply-To)")
        meetings = self._meeting_for(msg)
        if not meetings:
            # A bounce carries our original headers: the tag is in their Reply-To.
            for headers in msg.returned_headers:
                for value in headers.get_all("Reply-To", []) + headers.get_all("From", []):
                    tag = tag_from_address(str(value).split("<")[-1].strip(" >"))
                    found = self.repo.find_by_tag(tag) if tag else None
                    if found:
                        return self._routed(found, "reply tag in returned headers")
            return Route(None, None, None, Outcome.UNROUTED)
        meeting = meetings[0]
        record = self.repo.get_invitee(meeting.id, msg.from_address) if msg.from_address else None
        if record is None:
            return Route(meeting, None, None, Outcome.UNKNOWN_SENDER)
        if sender_verified(msg.message, msg.from_address):
            return Route(meeting, record, "verified sender address")
        return Route(meeting, None, None, Outcome.UNVERIFIED_SENDER)

    def _routed(self, found: tuple[str, str], how: str) -> Route:
        meeting = self.repo.get_meeting(found[0])
        record = self.repo.get_invitee(found[0], found[1]) if meeting else None
        return Route(meeting, record, how if record else None)

    def _meeting_for(self, msg: ParsedMessage) -> list[Meeting]:
        """Meetings whose mailbox the message was sent to, the most current first."""
        ids: list[str] = []
        for address in msg.recipients:
            local, _, domain = address.partition("@")
            ids += self.repo.meetings_for_mailbox(f"{local.split('+', 1)[0]}@{domain}")
        meetings = [m for m in (self.repo.get_meeting(i) for i in dict.fromkeys(ids)) if m]
        now = self.clock.now()
        return sorted(meetings, key=lambda m: (not m.is_active(now), m.rsvp_cutoff))

    def _from_ourselves(self, msg: ParsedMessage) -> bool:
        address = msg.from_address.split("+", 1)[0] + "@" + msg.from_address.rpartition("@")[2]
        return bool(msg.from_address) and (
            msg.from_address == self.sender_address or bool(self.repo.meetings_for_mailbox(address)))

    # ------------------------------------------------------------------ answering
    def _respond(self, meeting: Meeting, record: InviteeRecord, msg: ParsedMessage, decision: Decision,
                 claim: InboundClaim, now: datetime) -> Response:
        response = decision.response
        if response is Response.NONE or record.state.delivery is not Delivery.OK:
            return Response.NONE
        if response.value in claim.responses_sent:
            return response  # sent by an earlier attempt that crashed afterwards
        fresh = self.repo.get_invitee(meeting.id, record.email) or record
        self._answer(meeting, fresh, response, now, key=claim.message_key, in_reply_to=msg.message_id,
                     references=tuple(msg.references), cc=_cc_for(msg, record), auto_submitted="auto-replied")
        self.repo.note_response_sent(claim.message_key, response.value)
        if response is Response.CLARIFY:
            self.repo.note_clarify_sent(meeting.id, record.email, now)
        return response

    def send_confirmation(self, meeting: Meeting, record: InviteeRecord, now: datetime) -> str:
        """Confirm the recorded answer to the invitee (after an organiser set it by hand)."""
        if record.state.delivery is not Delivery.OK:
            raise SendRejected(f"{record.email} is {record.state.delivery.value}: no mail is sent there")
        return self._answer(meeting, record, Response.CONFIRMATION, now,
                            key=f"confirmation/{record.email}/{now.isoformat()}")

    def _answer(self, meeting: Meeting, record: InviteeRecord, response: Response, now: datetime, *, key: str,
                **headers: Any) -> str:
        """Render one answer to the invitee in their language, send it, and remember its Message-IDs."""
        language = record.invitee.language
        context = self._context(meeting, record, language)
        if response is Response.CLOSED:
            context["status_line"] = _status_line(record, language)
        rendered = self.renderer.render(response.value, language, context)
        email = self._email(meeting, record, response.value, language, rendered.subject, rendered.text,
                            rendered.html, now, **headers)
        provider_id = self._send_paced(email, key=key)
        self.repo.record_sent(meeting.id, record.email, now, (email.message_id, provider_id), response.value)
        return provider_id

    def _email(self, meeting: Meeting, record: InviteeRecord, kind: str, language: str, subject: str, text: str,
               html: str, now: datetime, *, in_reply_to: str | None = None, references: tuple[str, ...] = (),
               cc: tuple[Recipient, ...] = (), auto_submitted: str = "auto-generated") -> OutgoingEmail:
        personal = reply_address(meeting.mailbox, record.tag)
        desk = meeting.organisers[0].name if meeting.organisers else "Registration"
        return OutgoingEmail(
            sender=Recipient(self.sender_address, desk), to=(Recipient(record.email, record.invitee.addressed_as),),
            cc=cc, reply_to=Recipient(personal, desk), subject=subject, text=text, html=html, kind=kind,
            in_reply_to=in_reply_to, references=references, auto_submitted=auto_submitted,
            message_id=new_message_id(self.sender_address.rpartition("@")[2]), date=now, language=language)

    def _meeting_context(self, meeting: Meeting, language: str) -> dict[str, Any]:
        """What every invitee's message shares (Babel dates in every zone): computed once per meeting."""
        key = (id(meeting), language)
        cached = self._meeting_contexts.get(key)
        if cached is not None and cached[0] is meeting:
            return cached[1]
        if len(self._meeting_contexts) > 64:
            self._meeting_contexts.clear()
        context = {
            "language": language,
            "meeting_title": meeting.title_in(language),
            "kind": meeting.kind,
            "venue": meeting.venue,
            "hosts_sentence": _hosts_sentence(meeting, language),
            "sessions": [_session_view(s, meeting, language) for s in meeting.sessions],
            "session_views": {s.id: _session_view(s, meeting, language) for s in meeting.sessions},
            "cutoff": cutoff_text(meeting, language),
        }
        self._meeting_contexts[key] = (meeting, context)
        return context

    def _context(self, meeting: Meeting, record: InviteeRecord, language: str) -> dict[str, Any]:
        answer = record.state.answer
        shared = self._meeting_context(meeting, language)
        chosen = [shared["session_views"][s] for s in (answer.sessions or ()) if s in shared["session_views"]] \
            if answer else []
        return {
            **shared,
            "greeting": greeting(record.invitee, language),
            "organisation": record.invitee.organisation,
            "chosen_sessions": chosen,
            "reply_address": reply_address(meeting.mailbox, record.tag),
            "desk_name": meeting.organisers[0].name if meeting.organisers else "",
            "status": record.state.status.value,
            "attendees": list(answer.attendees) if answer else [],
            "attendee_count": answer.attendee_count if answer else 0,
            "status_line": "",
            "header_line": meeting.title_in(language),
            "footer_line": reply_address(meeting.mailbox, record.tag),
            "links": {word: _mailto(reply_address(meeting.mailbox, record.tag),
                                    f"{word.upper()}: {meeting.title_in(language)}")
                      for word in ("accept", "decline", "maybe")},
            "calendar_note": _CALENDAR_NOTE.get(language, _CALENDAR_NOTE["en"]),
        }

    # ------------------------------------------------------------------ history and review
    def _history(self, arrival: Arrival, reading: Reading, meeting: Meeting, record: InviteeRecord | None,
                 outcome: Outcome, *, decision: Decision | None = None, source: str | None = None) -> None:
        """One history entry per message and invitee (or unmatched, with no invitee)."""
        msg = arrival.msg
        answer = decision.answer if decision else None
        before = record.state.status if record else None
        changed = answer is not None and outcome in (Outcome.RECORDED, Outcome.UNCHANGED)
        self.repo.add_history(HistoryEntry(
            meeting_id=meeting.id, email=record.email if record else None, at=arrival.now,
            source=source or (answer.source if answer else "reply"), outcome=outcome, message_key=arrival.key,
            raw_key=arrival.raw_key, received_at=arrival.received_at, written_at=arrival.written_at,
            from_address=msg.from_address, subject=msg.subject,
            intent=reading.intent.value if reading.intent else None, kind=reading.kind.value,
            status_before=before, status_after=answer.status if changed and answer else before,
            sessions=reading.sessions, attendees=reading.attendees, attendee_count=reading.attendee_count,
            language=reading.language, confidence=reading.confidence,
            reasons=(*reading.reasons, *(decision.notes if decision else ())), excerpt=reading.new_text[:1000]))

    def _review(self, arrival: Arrival, meeting: Meeting | None, record: InviteeRecord | None, outcome: Outcome,
                reasons: Iterable[str], reading: Reading | None = None) -> None:
        msg = arrival.msg
        excerpt = reading.new_text if reading and reading.new_text else msg.text
        self.repo.add_review(ReviewItem(
            meeting_id=meeting.id if meeting else UNROUTED_MEETING, received_at=arrival.received_at,
            message_key=arrival.key, outcome=outcome, raw_key=arrival.raw_key,
            email=record.email if record else None, from_address=msg.from_address, subject=msg.subject,
            excerpt=excerpt[:1000], reasons=(outcome.explanation, *reasons),
            intent=reading.intent.value if reading and reading.intent else None,
            attendees=reading.attendees if reading else (), sessions=reading.sessions if reading else None,
            language=reading.language if reading else None, confidence=reading.confidence if reading else None))

    # ------------------------------------------------------------------ digest
    def run_digests(self) -> list[str]:
        """Send each active meeting's digest once per local day, at or after its configured local time."""
        sent = []
        now = self.clock.now()
        for meeting in self.repo.list_meetings():
            local = meeting.local(now)
            if not meeting.is_active(now) or local.time() < meeting.digest.time:
                continue
            day = local.date().isoformat()
            if not self.repo.claim_digest(meeting.id, day, now):
                continue
            try:
                if self.send_digest(meeting.id, now):
                    sent.append(meeting.id)
            except Exception:
                self.repo.release_digest(meeting.id, day)  # let the scheduler's retry send it
                raise
        return sent

    def build_digest(self, meeting_id: str, now: datetime, since: datetime | None = None) -> Digest:
        meeting = self.meeting(meeting_id)
        since = since if since is not None else self.repo.last_digest_at(meeting_id, before=now)
        records = self.repo.list_invitees(meeting_id)
        return Digest.build(meeting, records, self.repo.history_since(meeting_id, since),
                            self.repo.open_reviews(meeting_id), now, since)

    def send_digest(self, meeting_id: str, now: datetime) -> bool:
        """The scheduled digest; skipped on a quiet day when the meeting says so."""
        digest = self._full_digest(meeting_id, now)
        if digest.meeting.digest.skip_when_unchanged and digest.quiet:
            return False
        self._send_paced(self._digest_email(digest), key=f"digest/{meeting_id}")
        return True

    def compose_digest(self, meeting_id: str, now: datetime) -> OutgoingEmail:
        """The digest as it would be sent now (organisers' `rsvp digest --preview`)."""
        return self._digest_email(self._full_digest(meeting_id, now))

    def send_digest_now(self, meeting_id: str, now: datetime) -> OutgoingEmail:
        """Send the digest on demand; the next one reports changes from this one on."""
        email = self.compose_digest(meeting_id, now)
        self._send_paced(email, key=f"digest/{meeting_id}/now")
        self.repo.claim_digest(meeting_id, f"{now:%Y-%m-%d}~on-demand-{now:%H%M%S%f}", now)
        return email

    def _full_digest(self, meeting_id: str, now: datetime) -> Digest:
        digest = self.build_digest(meeting_id, now)
        return replace(digest, sending=self.repo.send_progress(meeting_id, "invitation-1"),
                       send_failures=self.repo.send_failures(meeting_id, "invitation-1"))

    def _digest_email(self, digest: Digest) -> OutgoingEmail:
        from .participants import participant_rows, write_participants

        meeting, now = digest.meeting, digest.now
        language = meeting.organiser_language
        rendered = self.renderer.render("digest", language, digest.context(language))
        recipients = tuple(dict.fromkeys([o.email for o in meeting.organisers] + list(self.digest_recipients)))
        participants = write_participants(participant_rows(meeting, digest.records), "csv")
        return OutgoingEmail(
            sender=Recipient(self.sender_address, meeting.organisers[0].name if meeting.organisers else ""),
            to=tuple(Recipient(r) for r in recipients), subject=rendered.subject, text=rendered.text,
            html=rendered.html, kind="digest", message_id=new_message_id(self.sender_address.rpartition("@")[2]),
            date=now, language=language,
            attachments=(Attachment(f"{meeting.id}-participants-{meeting.local(now):%Y-%m-%d}.csv", "text/csv",
                                    participants),))


@dataclass(frozen=True)
class Digest:
    meeting: Meeting
    now: datetime
    since: datetime | None
    totals: dict[str, Counter[str]]
    changes: list[HistoryEntry]
    reviews: list[Any]
    undeliverable: list[InviteeRecord]
    pending: list[InviteeRecord]
    attendees: int
    days_left: int
    sending: dict[str, int] = field(default_factory=dict)  # invitation jobs by state: queued, sent, rejected…
    send_failures: list[tuple[str, str, str]] = field(default_factory=list)  # (email, state, reason)
    records: list[InviteeRecord] = field(default_factory=list)
    late: list[HistoryEntry] = field(default_factory=list)
    per_day: list[tuple[str, int]] = field(default_factory=list)  # (local date, answers recorded that day)

    PENDING_SHOWN = 100  # the rest are in the attached list and in `rsvp status`

    @property
    def quiet(self) -> bool:
        """Nothing happened since the last digest and nothing waits for a human (the first digest is never quiet)."""
        return self.since is not None and not self.changes and not self.reviews and not self.send_failures

    @classmethod
    def build(cls, meeting: Meeting, records: list[InviteeRecord], history: list[HistoryEntry],
              reviews: list[Any], now: datetime, since: datetime | None) -> Digest:
        totals: dict[str, Counter[str]] = {c.value: Counter() for c in Category}
        for record in records:
            totals[record.invitee.category.value][record.state.status.value] += 1
        changes = [h for h in history if h.outcome in (Outcome.RECORDED, Outcome.BOUNCE, Outcome.TOO_LATE,
                                                       Outcome.UNSUBSCRIBED, Outcome.COMPLAINT) and h.email]
        undeliverable = [r for r in records if r.state.delivery is not Delivery.OK]
        pending = [r for r in records if r.state.status is Status.PENDING and r.state.delivery is Delivery.OK]
        attendees = sum(r.state.answer.attendee_count for r in records
                        if r.state.answer and r.state.status is Status.ACCEPTED)
        late = [h for h in history if h.outcome is Outcome.TOO_LATE]
        return cls(meeting, now, since, totals, changes, reviews, undeliverable, pending, attendees,
                   meeting.days_left(now), records=records, late=late, per_day=_answers_per_day(meeting, records, now))

    def context(self, language: str) -> dict[str, Any]:
        zone = self.meeting.timezone
        statuses = [s.value for s in Status]
        by_category = [{"label": Category(c).label, "counts": [self.totals[c][s] for s in statuses],
                        "total": sum(self.totals[c].values())} for c in self.totals]
        overall = [sum(self.totals[c][s] for c in self.totals) for s in statuses]
        return {
            "language": language,
            "meeting_title": self.meeting.title_in(language),
            "header_line": self.meeting.title_in(language),
            "footer_line": f"{self.meeting.mailbox} · {timestamp(self.now, zone, language)} ({city(zone, language)})",
            "today": long_date(self.meeting.local(self.now), language),
            "since": timestamp(self.since, zone, language) if self.since else None,
            "days_left": self.days_left,
            "closed": not self.meeting.is_open(self.now),
            "cutoff": cutoff_text(self.meeting, language),
            "statuses": statuses,
            "by_category": by_category,
            "overall": overall,
            "invited": sum(overall),
            "attendees": self.attendees,
            "changes": [{"who": h.email, "outcome": h.outcome.value,
                         "status": (h.status_after.value if h.status_after and h.outcome is Outcome.RECORDED else ""),
                         "before": (h.status_before.value if h.status_before else ""),
                         "when": timestamp(h.at, zone, language), "subject": h.subject,
                         "attendees": ", ".join(h.attendees), "by": h.actor} for h in self.changes],
            "reviews": [{"who": r.email or r.from_address or "(unknown)", "why": r.reasons[0] if r.reasons else "",
                         "when": timestamp(r.received_at, zone, language), "subject": r.subject,
                         "excerpt": " ".join(r.excerpt.split())[:200]} for r in self.reviews],
            "undeliverable": [{"who": r.email, "organisation": r.invitee.organisation,
                               "delivery": r.state.delivery.value} for r in self.undeliverable],
            "pending": [{"who": r.email, "name": r.invitee.addressed_as, "organisation": r.invitee.organisation,
                         "category": r.invitee.category.label}
                        for r in sorted(self.pending, key=lambda r: (r.invitee.organisation.casefold(), r.email))[
                            :self.PENDING_SHOWN]],
            "pending_total": len(self.pending),
            "pending_more": max(0, len(self.pending) - self.PENDING_SHOWN),
            "late": [{"who": h.email, "when": timestamp(h.received_at or h.at, zone, language), "subject": h.subject,
                      "intent": h.intent or ""} for h in self.late],
            "per_day": _chart(self.per_day, language),
            "unchanged": not self.changes,
            "quiet": self.quiet,
            "sending": dict(sorted(self.sending.items())),
            "send_failures": [{"who": e, "state": s, "reason": r} for e, s, r in self.send_failures],
        }


# ---------------------------------------------------------------------- helpers


_CALENDAR_NOTE = {
    "en": "Answer with Yes / No / Maybe, or reply to the invitation email with the names of your delegation.",
    "es": "Responda Sí / No / Quizás, o responda al correo de invitación con los nombres de su delegación.",
    "fr": "Répondez Oui / Non / Peut-être, ou répondez au courriel d'invitation avec les noms de votre délégation.",
}


def _answers_per_day(meeting: Meeting, records: list[InviteeRecord], now: datetime, days: int = 14
                     ) -> list[tuple[str, int]]:
    """Answers on record by the local day they were written: the last `days` days up to today."""
    today = meeting.local(now).date()
    counts: Counter[str] = Counter()
    for record in records:
        answer = record.state.answer
        if answer is not None:
            counts[meeting.local(answer.written_at).date().isoformat()] += 1
    return [((today - timedelta(days=back)).isoformat(), counts[(today - timedelta(days=back)).isoformat()])
            for back in range(days - 1, -1, -1)]


def _chart(per_day: list[tuple[str, int]], language: str) -> list[dict[str, Any]]:
    """Bars as table cells (Outlook and Gmail render them; no images, no scripts)."""
    from babel.dates import format_date

    peak = max((n for _, n in per_day), default=0) or 1
    return [{"day": format_date(datetime.fromisoformat(day).date(), "EEE d MMM", locale=locale_for(language)),
             "count": n, "width": max(2, round(240 * n / peak)) if n else 0, "blocks": "█" * round(20 * n / peak)}
            for day, n in per_day]


def _programme_key(meeting: Meeting) -> str:
    return f"assets/{meeting.id}/{meeting.programme.rsplit('/', 1)[-1]}"


def _mailto(address: str, subject: str) -> str:
    """A mailto: link whose subject the reader understands ("ACCEPT: …", "UNSUBSCRIBE")."""
    return f"mailto:{address}?subject={quote(subject, safe='')}"


def message_key(msg: ParsedMessage, raw: bytes) -> str:
    """Identity of an inbound message across re-deliveries: sender + Message-ID, else the bytes."""
    basis = f"{msg.from_address}\n{msg.message_id}".encode() if msg.message_id else raw
    return hashlib.sha256(basis).hexdigest()[:32]


def greeting(invitee: Invitee, language: str) -> str:
    honorific = invitee.honorific.lower().replace(".", "")
    if language == "es":
        feminine = honorific.startswith(("sra", "srta", "excma", "embajadora", "dra", "consejera", "ministra", "doña"))
        masculine = honorific.startswith(("sr", "excmo", "embajador", "dr", "consejero", "ministro", "don"))
        if feminine:
            return f"Estimada {invitee.addressed_as}"
        if masculine:
            return f"Estimado {invitee.addressed_as}"
        return "Estimados colegas"
    if language == "fr":
        if honorific.startswith(("mme", "madame", "mlle")):
            return "Madame"
        if honorific in ("m", "monsieur"):
            return "Monsieur"
        return "Madame, Monsieur"
    return f"Dear {invitee.addressed_as}" if invitee.honorific else "Dear colleagues"


def _hosts_sentence(meeting: Meeting, language: str) -> str:
    hosts = list(meeting.hosts) or [meeting.organisers[0].name if meeting.organisers else ""]
    return str(format_list(hosts, locale=locale_for(language)))


def _session_view(session: Any, meeting: Meeting, language: str) -> dict[str, Any]:
    return {"id": session.id, "title": session.title_in(language), "lines": session_lines(session, meeting, language)}


def _status_line(record: InviteeRecord, language: str) -> str:
    labels = {
        "en": {"pending": "no answer recorded", "accepted": "attending", "declined": "not attending",
               "tentative": "tentative"},
        "es": {"pending": "ninguna respuesta registrada", "accepted": "participa", "declined": "no participa",
               "tentative": "provisional"},
        "fr": {"pending": "aucune réponse enregistrée", "accepted": "participe", "declined": "ne participe pas",
               "tentative": "provisoire"},
    }
    return labels.get(language, labels["en"])[record.state.status.value]


def _cc_for(msg: ParsedMessage, record: InviteeRecord) -> tuple[Recipient, ...]:
    """Copy the person who actually replied (a colleague using the invitee's personal address)."""
    sender = msg.from_address
    if sender and sender != record.email and "@" in sender:
        return (Recipient(sender, msg.from_name),)
    return ()


def _received_at(msg: ParsedMessage, arrived_at: datetime | None, now: datetime) -> datetime:
    """When the mailbox received it: our server's Received stamp, else the storage event, else now."""
    for candidate in (msg.received_at, arrived_at):
        if candidate is not None and candidate <= now + timedelta(minutes=5):
            return candidate
    return now


def _written_at(msg: ParsedMessage, received_at: datetime) -> datetime:
    """The sender's Date, unless missing or later than arrival (a wrong clock must not win races)."""
    if msg.date is not None and msg.date <= received_at:
        return msg.date
    return received_at


def _as_automatic(reading: Reading, reason: str) -> Reading:
    return replace(reading, kind=MessageKind.AUTO_REPLY, intent=None, reasons=(reason, *reading.reasons))


__all__ = ["Desk", "Digest", "InboundResult", "Intent", "InviteReport", "message_key"]
