"""Use cases: load a meeting, send invitations, process an inbound reply, send the daily digest.

Plain Python over the ports; the handlers call these and nothing else.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import random
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from babel.lists import format_list

from .domain.addresses import canonical_address, has_control_characters, is_valid_address, redact_address
from .domain.invitees import Category, Invitee
from .domain.meeting import Meeting
from .domain.records import ClaimHeld, HistoryEntry, InboundClaim, InviteeRecord, ReviewItem, Stage
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
from .domain.tags import reply_address, reply_tag, tag_from_address, verify_tag
from .mail.calendar import invitation_calendar
from .mail.formatting import city, cutoff_text, locale_for, long_date, session_lines, timestamp
from .mail.message import Attachment, OutgoingEmail, Recipient, new_message_id
from .mail.render import Renderer
from .ports import Clock, JobQueue, Mailer, RateLimiter, RawMailStore, Repository, Sleeper
from .reading import Reading, read_message
from .reading.authentication import ReceivingServer, Trace, Verification, read_trace
from .reading.mime import ParsedMessage, parse_message

if TYPE_CHECKING:
    from .reading.model.second import SecondReader

log = logging.getLogger(__name__)

UNROUTED_MEETING = "-"  # review items for mail that reached no meeting's mailbox
MAX_MESSAGE_BYTES = 40 * 2**20  # SES receiving's limit: anything larger was not stored by SES
MAX_THREAD_IDS = 50  # Message-IDs of a thread looked up (a References header can be made of thousands)
MAX_ADDRESS = 320  # characters of a sender's address kept in the history and the review queue


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
    model: str | None = None  # what the second reader did, if there is one ("used", "agreed", "timeout"…)

    def summary(self) -> dict[str, Any]:
        return {"outcome": self.outcome.value, "meeting": self.meeting_id,
                "invitee": redact_address(self.email) if self.email else None,
                "response": self.response.value, "identified_by": self.identified_by,
                "intent": self.reading.intent.value if self.reading and self.reading.intent else None,
                "kind": self.reading.kind.value if self.reading else None}


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
        return _written_at(self.msg, self.received_at)


@dataclass(frozen=True)
class Route:
    meeting: Meeting | None
    record: InviteeRecord | None
    identified_by: str | None
    outcome_if_unknown: Outcome = Outcome.UNKNOWN_SENDER
    reasons: tuple[str, ...] = ()  # why it is not an invitee's answer
    verification: Verification = Verification.NO_VERDICT  # what our receiving server says of the From


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
class SendClaim:
    """One attempt's claim on a send (SEND#sending#email), taken at `at`."""

    repo: Repository
    meeting_id: str
    email: str
    sending: str
    at: datetime
    state: ClaimState = ClaimState.IN_FLIGHT

    def hand_over(self, now: datetime) -> bool:
        return self.repo.hand_over(self.meeting_id, self.email, self.sending, self.at, now)

    def give_back(self) -> None:
        """Nothing reached SES: free the claim for the next attempt (best effort; else the stale rule frees it)."""
        with contextlib.suppress(Exception):
            self.repo.release_send(self.meeting_id, self.email, self.sending, self.at, "failed before sending")


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
    receiving: ReceivingServer = field(default_factory=lambda: ReceivingServer("", ()))  # trusts nobody's verdicts
    lease_seconds: float = 65.0  # when the caller does not say (the handler gives the function's remaining time)
    jobs: JobQueue | None = None
    _meeting_contexts: dict[tuple[int, str], tuple[Meeting, dict[str, Any]]] = field(default_factory=dict)
    _meetings: dict[str, tuple[float, Meeting]] = field(default_factory=dict)
    _assets: dict[str, bytes] = field(default_factory=dict)
    limiter: RateLimiter = field(default_factory=_NoLimit)
    sleeper: Sleeper = field(default_factory=_NoSleep)
    stale_after_seconds: int = 600  # a send claim older than this, never confirmed by SES, may be retried
    throttle_retries: int = 6
    second_reader: SecondReader | None = None  # a language model beside the rules (reading/model), if configured

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
        sent = self._claim_send(meeting.id, job.email, job.sending)
        claim = sent.state
        if claim is ClaimState.SENT:
            return "already sent"
        if claim is ClaimState.REJECTED:
            return "rejected"
        if claim is ClaimState.IN_FLIGHT:
            raise RetryLater(f"{job.sending} to {job.email}: another attempt is in flight or unconfirmed")
        now = self.clock.now()
        email = self.invitation(meeting, record, now) if job.kind is SendKind.INVITATION else self.reminder(
            meeting, record, now)
        email = replace(email, tags={"meeting": meeting.id, "sending": job.sending, "invitee": record.tag})
        try:
            provider_id = self._send_paced(email, key=f"{job.sending}/{job.email}", claim=sent)
        except SendRejected as exc:
            self.repo.fail_send(meeting.id, job.email, job.sending, str(exc), False)
            return "rejected"
        except SendThrottled as exc:
            self.repo.fail_send(meeting.id, job.email, job.sending, str(exc), True)
            raise RetryLater(f"still throttled after {self.throttle_retries} tries") from exc
        self.repo.finish_send(meeting.id, job.email, job.sending, self.clock.now(), (email.message_id, provider_id),
                              job.kind.value)
        return "sent"

    def _claim_send(self, meeting_id: str, email: str, sending: str, resend_stale: bool = True) -> SendClaim:
        """Claim the right to send. A failure of the claim itself (its reply lost, the write throttled) gives it
        back at once, so the retry sends without waiting."""
        claim = SendClaim(self.repo, meeting_id, email, sending, self.clock.now())
        try:
            claim.state = self.repo.claim_send(meeting_id, email, sending, claim.at, self.stale_after_seconds,
                                               resend_stale=resend_stale)
        except Exception:
            claim.give_back()
            raise
        return claim

    def _send_paced(self, email: OutgoingEmail, key: str = "", claim: SendClaim | None = None) -> str:
        """Send within the account's rate, with exponential backoff (full jitter) when SES throttles. With a
        claim: it is marked as handed to SES just before the first try, and given back when pacing or marking
        fails (SES has not accepted this message then: every earlier try was throttled)."""
        jitter = random.Random(key)  # noqa: S311 - spreading retries, not security
        for attempt in range(self.throttle_retries):
            try:
                self.limiter.acquire()
                if claim is not None and attempt == 0 and not claim.hand_over(self.clock.now()):
                    raise RetryLater(f"{claim.sending}: another attempt took the claim over")
            except RetryLater:
                raise
            except Exception:
                if claim is not None:
                    claim.give_back()
                raise
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
    def process_inbound(self, raw_key: str, arrived_at: datetime | None = None,
                        lease_seconds: float | None = None) -> InboundResult:
        """Read one stored message and do what a registration officer would, in stages:

            claim → parse → screen → identify → read → decide → apply → history → review → answer → finish

        The claim records each stage that completed, and the decision is written ahead of acting on it, so an
        attempt that crashed anywhere is resumed by SQS's retry from where it stopped: an answer is never lost
        and never confirmed twice. `lease_seconds` is how long this attempt may hold the message (the
        handler gives the function's remaining time, always shorter than the queue's visibility timeout)."""
        raw = self.store.get(raw_key)
        msg, trace = self._parse(raw)
        key = message_key(msg, raw, trace)
        claim = self.repo.claim_inbound(key, raw_key, self.clock.now(), lease_seconds or self.lease_seconds)
        if claim is ClaimHeld.DONE:
            log.info("duplicate inbound message skipped", extra={"message_key": key})
            return InboundResult(Outcome.DUPLICATE, key)
        if claim is ClaimHeld.HELD:
            raise RetryLater(f"inbound message {key} is being processed by another attempt")
        received_at = _received_at(msg if trace.ours else None, arrived_at, claim.started_at)
        arrival = Arrival(msg, trace, raw_key, key, claim, received_at, claim.started_at)
        try:
            result = self._handle(arrival)
        except BaseException:
            self._release(key)  # this attempt is over: its retry may take over at once
            raise
        self.repo.finish_inbound(key, result.outcome.value, self.clock.now(), result.response.value)
        log.info("inbound message processed", extra={"message_key": key, **result.summary()})
        return result

    def _release(self, key: str) -> None:
        try:
            self.repo.release_inbound(key, self.clock.now())
        except Exception:  # the lease then runs out by itself, long before the queue redelivers
            log.warning("could not release the claim on inbound message %s", key, exc_info=True)

    def _parse(self, raw: bytes) -> tuple[ParsedMessage, Trace]:
        """The message and our receiving server's trace on it; the reader never raises, and if it ever did, the
        mail would still be kept and flagged (an empty message with the reason among its defects)."""
        try:
            msg = parse_message(raw[:MAX_MESSAGE_BYTES])
        except Exception as exc:  # a parser defect on one message must not block the mailbox
            log.exception("parser failed")
            msg = unreadable_message(f"unparseable: {type(exc).__name__}: {exc}")
        if len(raw) > MAX_MESSAGE_BYTES:
            msg.defects.append(f"larger than {MAX_MESSAGE_BYTES // 2**20} MB: only the first part was read")
        return msg, read_trace(msg.message.raw_items(), self.receiving)

    def _handle(self, arrival: Arrival) -> InboundResult:
        msg, key = arrival.msg, arrival.key
        route = self._route(arrival)
        meeting, record = route.meeting, route.record
        condemned = arrival.trace.rejected_by_scan
        if condemned:  # never read, recorded or answered; an organiser may look at it
            self._review(arrival, meeting, None, Outcome.QUARANTINED, (condemned,))
            return InboundResult(Outcome.QUARANTINED, key, meeting.id if meeting else None)
        unreadable = next((d for d in msg.defects if d.startswith("unparseable")), None)
        try:
            reading = read_message(msg, meeting)
        except Exception as exc:  # a reader defect on one message must not block the mailbox: keep, flag, go on
            log.exception("reader failed", extra={"message_key": key})
            unreadable = f"reader failed: {type(exc).__name__}: {exc}"
            reading = None
        if reading is None or (unreadable and not reading.new_text.strip()):
            self._review(arrival, meeting, record, Outcome.MALFORMED, (unreadable or "unreadable",), reading)
            return InboundResult(Outcome.MALFORMED, key, meeting.id if meeting else None,
                                 record.email if record else None)
        if self._from_ourselves(msg):
            reading = _as_automatic(reading, "sent from the desk's own address")

        if reading.kind is MessageKind.BOUNCE:
            return self._bounce(arrival, reading, meeting, record, route)
        if meeting is None:
            outcome = Outcome.AUTO_REPLY if reading.is_automatic else route.outcome_if_unknown
            if outcome.needs_review:
                self._review(arrival, None, None, outcome, (*route.reasons, *reading.reasons), reading)
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
            self._review(arrival, meeting, None, outcome, (*route.reasons, *reading.reasons), reading)
            self._history(arrival, reading, meeting, None, outcome)
            return InboundResult(outcome, key, meeting.id, None, reading)

        model = None
        if self.second_reader is not None and arrival.claim.decision is None:
            # (asked once: a retried attempt finds the decision written before it was acted on, and reuses it)
            reading, model = self.second_reader.read(msg, reading, meeting)
        assert reading.intent is not None
        decision = arrival.claim.decision or self._decide(arrival, reading, meeting, record)
        if not arrival.claim.done(Stage.DECIDED):
            self.repo.note_stage(key, Stage.DECIDED, decision=decision)  # written ahead of acting on it
        if not arrival.claim.done(Stage.APPLIED):
            decision = self._apply(arrival, meeting, record, reading, decision)
            self.repo.note_stage(key, Stage.APPLIED, decision=decision)
        if not arrival.claim.done(Stage.HISTORY):
            outcome = Outcome.UNSUBSCRIBED if reading.unsubscribe and decision.outcome is Outcome.UNCLEAR \
                else decision.outcome
            self._history(arrival, reading, meeting, record, outcome, decision=decision)
            self.repo.note_stage(key, Stage.HISTORY)
        if reading.unsubscribe and reading.intent is Intent.UNCLEAR:
            return InboundResult(Outcome.UNSUBSCRIBED, key, meeting.id, record.email, reading,
                                 identified_by=route.identified_by, model=model)
        if decision.outcome.needs_review:
            self._review(arrival, meeting, record, decision.outcome, (*reading.reasons, *decision.notes), reading)
        response = self._respond(arrival, meeting, record, decision, route)
        if response is None:  # recorded, but SES refused the answer for good (a review item says so)
            return InboundResult(Outcome.NOT_CONFIRMED, key, meeting.id, record.email, reading, Response.NONE,
                                 route.identified_by, model)
        return InboundResult(decision.outcome, key, meeting.id, record.email, reading, response, route.identified_by,
                             model)

    def _decide(self, arrival: Arrival, reading: Reading, meeting: Meeting, record: InviteeRecord) -> Decision:
        assert reading.intent is not None
        return decide_reply(
            state=record.state, intent=reading.intent, sessions=reading.sessions, attendees=reading.attendees,
            attendee_count=reading.attendee_count, written_at=arrival.written_at,
            received_at=arrival.received_at, cutoff=meeting.rsvp_cutoff, message_key=arrival.key,
            source="calendar" if arrival.msg.calendars and reading.confidence >= 0.99 else (
                "model" if reading.read_by_model else "reply"),
            attendee_sessions=reading.attendee_sessions)

    def _apply(self, arrival: Arrival, meeting: Meeting, record: InviteeRecord, reading: Reading,
               decision: Decision) -> Decision:
        """Write what the decision changes (each write idempotent, so a resumed attempt may repeat it)."""
        if reading.unsubscribe:
            self.repo.set_no_reminders(meeting.id, record.email, arrival.now)
        if decision.answer is None or decision.outcome not in (Outcome.RECORDED, Outcome.UNCHANGED):
            return decision
        if self.repo.write_answer(meeting.id, record.email, decision.answer):
            return decision
        # Another message written later won the race between our read and our write.
        return Decision(Outcome.SUPERSEDED, Response.NONE, notes=("a later answer was recorded concurrently",),
                        before=decision.before)

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
    def _route(self, arrival: Arrival) -> Route:
        """Who replied, by what nobody else can write: the personal tag (an HMAC under our key, to the tag's own
        meeting's mailbox), then our Message-ID in the thread, then a From address our own receiving server
        verified. Anything else is not an invitee's answer: unknown sender, or possible spoofing."""
        msg = arrival.msg
        verification = arrival.trace.verify(msg.from_addresses)
        if verification is Verification.AMBIGUOUS:  # no answer is taken from a message that names two senders
            meetings = self._meeting_for(msg)
            return Route(meetings[0] if meetings else None, None, None, Outcome.UNVERIFIED_SENDER,
                         reasons=(verification.explanation,))
        tagged = self._route_by_tag(msg)
        if tagged is not None:
            return replace(tagged, verification=verification)
        for message_id in [*msg.in_reply_to, *reversed(msg.references)][:MAX_THREAD_IDS]:
            for candidate in (message_id, message_id.split("@", 1)[0]):
                found = self.repo.find_by_sent_message(candidate)
                if found:
                    return replace(self._routed(found, "thread (In-Reply-To)"), verification=verification)
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
        sender = canonical_address(msg.from_address)
        # Meetings may share a mailbox: the sender's is the one that invited them (the most current first).
        invited = next(((m, r) for m in meetings if sender and (r := self.repo.get_invitee(m.id, sender))), None)
        if invited is None:
            return Route(meetings[0], None, None, Outcome.UNKNOWN_SENDER)
        meeting, record = invited
        if verification is Verification.VERIFIED:
            return Route(meeting, record, "verified sender address", verification=verification)
        return Route(meeting, None, None, Outcome.UNVERIFIED_SENDER,
                     reasons=(f"{verification.explanation}: From {sender} matches an invitee, but nothing proves "
                              f"the message comes from them",))

    def _route_by_tag(self, msg: ParsedMessage) -> Route | None:
        """The invitee whose personal address the message was sent to; a tag we did not issue under the current
        key, or sent to another mailbox than its meeting's, is refused (and never falls back to the From)."""
        invalid: list[str] = []
        routes: dict[tuple[str, str], Route] = {}
        for address in msg.recipients:
            tag = tag_from_address(address)
            if not tag:
                continue
            found = self.repo.find_by_tag(tag)
            meeting = self.repo.get_meeting(found[0]) if found else None
            if found is None or meeting is None:
                if self.repo.meetings_for_mailbox(_mailbox_of(address)):
                    invalid.append(f"{redact_address(address)}: no invitee has this personal address")
                continue
            if _mailbox_of(address) != meeting.mailbox:
                invalid.append(f"{redact_address(address)}: a personal address of {meeting.id}, sent to another "
                               f"mailbox than {meeting.mailbox}")
                continue
            if not verify_tag(self.secret, tag, meeting.id, found[1]):
                invalid.append(f"{redact_address(address)}: not issued under the desk's current key")
                continue
            routes[found] = self._routed(found, "reply tag")
        if len(routes) > 1:
            first = next(iter(routes.values()))
            return Route(first.meeting, None, None, Outcome.INVALID_TAG,
                         reasons=("sent to the personal addresses of several invitees: whose answer is it?",))
        if routes:
            return next(iter(routes.values()))
        if invalid:
            meetings = self._meeting_for(msg)
            return Route(meetings[0] if meetings else None, None, None, Outcome.INVALID_TAG, reasons=tuple(invalid))
        return None

    def _routed(self, found: tuple[str, str], how: str) -> Route:
        meeting = self.repo.get_meeting(found[0])
        record = self.repo.get_invitee(found[0], found[1]) if meeting else None
        return Route(meeting, record, how if record else None)

    def _meeting_for(self, msg: ParsedMessage) -> list[Meeting]:
        """Meetings whose mailbox the message was sent to, the most current first."""
        ids: list[str] = []
        for address in msg.recipients:
            ids += self.repo.meetings_for_mailbox(_mailbox_of(address))
        meetings = [m for m in (self.repo.get_meeting(i) for i in dict.fromkeys(ids)) if m]
        now = self.clock.now()
        return sorted(meetings, key=lambda m: (not m.is_active(now), m.rsvp_cutoff))

    def _from_ourselves(self, msg: ParsedMessage) -> bool:
        if not msg.from_address:
            return False
        sender = canonical_address(msg.from_address)
        return sender == self.sender_address or bool(self.repo.meetings_for_mailbox(_mailbox_of(sender)))

    # ------------------------------------------------------------------ answering
    def _respond(self, arrival: Arrival, meeting: Meeting, record: InviteeRecord, decision: Decision,
                 route: Route) -> Response | None:
        """Send the decision's answer exactly once: claimed like an invitation (SEND#reply-KEY), SES's message id
        recorded the moment SES accepts it, and a crash in between settled by SES's Send event. None when SES
        refused it for good (a review item says so)."""
        response = decision.response
        if response is Response.NONE or record.state.delivery is not Delivery.OK:
            return Response.NONE
        if _sent_by_a_machine(arrival.msg):
            # A person's answer sent by a machine (Google Calendar's buttons, a mission's document system) is
            # recorded, never answered: RFC 3834, and no loop with another robot.
            return Response.NONE
        if arrival.claim.done(Stage.RESPONSE):
            return response
        sending = f"reply-{arrival.key}"
        fresh = self.repo.get_invitee(meeting.id, record.email) or record  # read before the claim: after it, only SES
        msg = arrival.msg
        email = self._compose_answer(meeting, fresh, response, self.clock.now(), in_reply_to=msg.message_id,
                                     references=tuple(msg.references)[-MAX_THREAD_IDS:],
                                     cc=_cc_for(msg, record, route), auto_submitted="auto-replied")
        email = replace(email, tags={"meeting": meeting.id, "sending": sending, "invitee": record.tag})
        # an answer goes at most once, ever: an attempt that died while SES held it is never sent again
        sent = self._claim_send(meeting.id, record.email, sending, resend_stale=False)
        claim = sent.state
        if claim is ClaimState.UNCONFIRMED:
            self._not_confirmed(arrival, meeting, record, response, "an attempt died while sending it and SES "
                                "never reported whether it went out; not sent again (look in the SES console)")
            return None
        if claim is ClaimState.IN_FLIGHT:
            raise RetryLater(f"the {response.value} for {arrival.key} may have been sent; waiting for SES's event")
        if claim is ClaimState.REJECTED:  # an earlier attempt saw SES refuse it, and died before saying so
            self._not_confirmed(arrival, meeting, record, response, "refused by the mail service")
            return None
        if claim is ClaimState.CLAIMED:
            try:
                provider_id = self._send_paced(email, key=sending, claim=sent)
            except SendRejected as exc:
                self.repo.fail_send(meeting.id, record.email, sending, str(exc), False)
                self._not_confirmed(arrival, meeting, record, response, str(exc))
                return None
            except SendThrottled as exc:
                self.repo.fail_send(meeting.id, record.email, sending, str(exc), True)
                raise RetryLater(f"SES still throttling after {self.throttle_retries} tries") from exc
            self.repo.finish_send(meeting.id, record.email, sending, self.clock.now(),
                                  (email.message_id, provider_id), response.value)
            self.repo.note_stage(arrival.key, Stage.RESPONSE, response_id=provider_id)
        else:
            self.repo.note_stage(arrival.key, Stage.RESPONSE)
        if response is Response.CLARIFY:
            self.repo.note_clarify_sent(meeting.id, record.email, arrival.now)
        return response

    def _not_confirmed(self, arrival: Arrival, meeting: Meeting, record: InviteeRecord, response: Response,
                       why: str) -> None:
        self._review(arrival, meeting, record, Outcome.NOT_CONFIRMED,
                     (f"the {response.value} could not be sent: {why}",))
        self.repo.note_stage(arrival.key, Stage.RESPONSE)

    def send_confirmation(self, meeting: Meeting, record: InviteeRecord, now: datetime) -> str:
        """Confirm the recorded answer to the invitee (after an organiser set it by hand)."""
        if record.state.delivery is not Delivery.OK:
            raise SendRejected(f"{record.email} is {record.state.delivery.value}: no mail is sent there")
        return self._answer(meeting, record, Response.CONFIRMATION, now,
                            key=f"confirmation/{record.email}/{now.isoformat()}")

    def _answer(self, meeting: Meeting, record: InviteeRecord, response: Response, now: datetime, *, key: str,
                **headers: Any) -> str:
        """Render one answer to the invitee in their language, send it, and remember its Message-IDs."""
        email = self._compose_answer(meeting, record, response, now, **headers)
        provider_id = self._send_paced(email, key=key)
        self.repo.record_sent(meeting.id, record.email, now, (email.message_id, provider_id), response.value)
        return provider_id

    def _compose_answer(self, meeting: Meeting, record: InviteeRecord, response: Response, now: datetime,
                        **headers: Any) -> OutgoingEmail:
        language = record.invitee.language
        context = self._context(meeting, record, language)
        if response is Response.CLOSED:
            context["status_line"] = _status_line(record, language)
        rendered = self.renderer.render(response.value, language, context)
        return self._email(meeting, record, response.value, language, rendered.subject, rendered.text,
                           rendered.html, now, **headers)

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
        views = shared["session_views"]
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
            # each attendee's own sessions, when the reply gave them person by person: {name: [session titles]}
            "attendee_sessions": {name: [views[s]["title"] for s in ids if s in views]
                                  for name, ids in answer.attendee_sessions} if answer else {},
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
        before = decision.before if decision and decision.before else (record.state.status if record else None)
        changed = answer is not None and outcome in (Outcome.RECORDED, Outcome.UNCHANGED)
        self.repo.add_history(HistoryEntry(
            meeting_id=meeting.id, email=record.email if record else None, at=arrival.now,
            source=source or (answer.source if answer else "reply"), outcome=outcome, message_key=arrival.key,
            raw_key=arrival.raw_key, received_at=arrival.received_at, written_at=arrival.written_at,
            from_address=msg.from_address[:MAX_ADDRESS], subject=msg.subject,
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
            email=record.email if record else None, from_address=msg.from_address[:MAX_ADDRESS], subject=msg.subject,
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
                         "attendees": ", ".join(h.attendees), "by": h.actor, "model": h.source == "model"}
                        for h in self.changes],
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


def _sent_by_a_machine(msg: ParsedMessage) -> bool:
    value = msg.header("Auto-Submitted").strip().lower()
    return bool(value) and value != "no"


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


def _body_bytes(raw: bytes) -> bytes:
    """The bytes after the header block (the whole message when it has no empty line)."""
    ends = [at + len(sep) for sep in (b"\r\n\r\n", b"\n\n") if (at := raw.find(sep)) >= 0]
    return raw[min(ends):] if ends else raw


def _mailbox_of(address: str) -> str:
    """registration+TAG@desk.org -> registration@desk.org"""
    local, _, domain = canonical_address(address).rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def unreadable_message(reason: str) -> ParsedMessage:
    """What is known of a message that could not be parsed at all: nothing but why."""
    from email.message import Message

    return ParsedMessage(message=Message(), subject="", from_name="", from_address="", recipients=[],
                         message_id=None, in_reply_to=[], references=[], date=None, received_at=None, text="",
                         text_from_html=False, defects=[reason])


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


def _cc_for(msg: ParsedMessage, record: InviteeRecord, route: Route) -> tuple[Recipient, ...]:
    """Copy the person who actually replied (a colleague using the invitee's personal address), only when our
    receiving server verified that address: an unverified From may be anyone's, and would be sent our mail."""
    sender = canonical_address(msg.from_address) if msg.from_address else ""
    if sender and sender != record.email and route.verification is Verification.VERIFIED \
            and is_valid_address(sender) and not has_control_characters(msg.from_name):
        return (Recipient(sender, msg.from_name[:200]),)
    return ()


def _received_at(msg: ParsedMessage | None, arrived_at: datetime | None, now: datetime) -> datetime:
    """When the mailbox received it: our server's Received stamp, else the storage event, else now."""
    for candidate in (msg.received_at if msg else None, arrived_at):
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
