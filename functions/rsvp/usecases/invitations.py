"""Invitations and reminders: who gets one (one rule), queueing one job per invitee, and delivering a job."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import timedelta

from ..domain.meeting import Meeting
from ..domain.records import InviteeRecord
from ..domain.rsvp import Delivery, Status
from ..domain.sending import ClaimState, RetryLater, SendJob, SendKind, SendOutcome, SendRejected
from ..ports import Clock, DigestLedger, InviteeStore, JobQueue, MeetingStore, SendLedger
from .compose import Composer
from .meetings import MeetingCatalog, meeting_version
from .sending import Outbox

log = logging.getLogger(__name__)

FIRST_SENDING = "invitation-1"


def why_not_invited(record: InviteeRecord, resend: bool = False) -> str:
    """Eligibility for an invitation, the one rule: "" when the invitee gets one, else why not."""
    if record.state.delivery is not Delivery.OK:
        return f"address {record.state.delivery.value}"
    if record.state.invited_at and not resend:
        return "already invited"
    return ""


def why_not_reminded(record: InviteeRecord) -> str:
    """Eligibility for a reminder: "" when the invitee gets one, else why not."""
    if record.state.delivery is not Delivery.OK:
        return f"address {record.state.delivery.value}"
    if record.state.no_reminders:
        return "asked for no reminders"
    if record.state.status is not Status.PENDING:
        return "answered already"
    if not record.state.invited_at:
        return "not invited yet"
    return ""


@dataclass(frozen=True)
class PlannedInvitation:
    record: InviteeRecord
    languages: tuple[str, ...]
    skip: str  # "" when it would be sent


@dataclass(frozen=True)
class QueueReport:
    sending: str
    queued: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class InviteReport:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass
class Invitations:
    catalog: MeetingCatalog
    invitees: InviteeStore
    ledger: SendLedger
    queue: JobQueue
    sender: JobSender  # for sending in this process, without the queue
    clock: Clock

    def plan(self, meeting_id: str, only: set[str] | None = None, resend: bool = False) -> list[PlannedInvitation]:
        """Who would be invited and who not, and why (`rsvp invite --dry-run`)."""
        meeting = self.catalog.fresh(meeting_id)
        return [PlannedInvitation(r, tuple(meeting.languages_for(r.invitee.language)), why_not_invited(r, resend))
                for r in self._chosen(meeting, only)]

    def queue_all(self, meeting_id: str, only: set[str] | None = None, resend: bool = False) -> QueueReport:
        """One job per invitee on the send queue. Re-running continues the same sending (only what is not
        yet sent is queued again); `resend` starts a new sending to everyone who can be mailed."""
        report, jobs = self._jobs(meeting_id, only, resend)
        if jobs:
            self.queue.enqueue(jobs)
        return report

    def send_now(self, meeting_id: str, only: set[str] | None = None) -> InviteReport:
        """Plan and deliver in this process, without a queue (small lists, scripts, tests)."""
        planned, jobs = self._jobs(meeting_id, only, resend=False)
        report = InviteReport(skipped=list(planned.skipped))
        for job in jobs:
            outcome = self.sender.deliver(job)
            if outcome is SendOutcome.SENT:
                report.sent.append(job.email)
            else:
                report.failed[job.email] = outcome.value
        return report

    def progress(self, meeting_id: str, sending: str = FIRST_SENDING) -> dict[str, int]:
        return {state.value: n for state, n in self.ledger.send_progress(meeting_id, sending).items()}

    def failures(self, meeting_id: str, sending: str = FIRST_SENDING) -> list[tuple[str, str, str]]:
        return [(email, state.value, reason) for email, state, reason in self.ledger.send_failures(meeting_id, sending)]

    def _chosen(self, meeting: Meeting, only: set[str] | None) -> list[InviteeRecord]:
        records = self.invitees.list_invitees(meeting.id)
        if only is not None:
            wanted = {e.lower() for e in only}
            records = [r for r in records if r.email in wanted]
        return records

    def _jobs(self, meeting_id: str, only: set[str] | None, resend: bool) -> tuple[QueueReport, list[SendJob]]:
        meeting = self.catalog.fresh(meeting_id)  # as stored now: a load just before must be what goes out
        version = self.catalog.version(meeting)
        now = self.clock.now()
        sending = f"invitation-{now:%Y%m%dT%H%M%S}" if resend else FIRST_SENDING
        report = QueueReport(sending)
        jobs = []
        for record in self._chosen(meeting, only):
            if not why_not_invited(record, resend) and self.ledger.mark_queued(
                    meeting.id, record.email, sending, SendKind.INVITATION, now):
                jobs.append(SendJob(SendKind.INVITATION, meeting.id, record.email, sending, version))
                report.queued.append(record.email)
            else:
                report.skipped.append(record.email)
        return report, jobs


@dataclass
class Reminders:
    meetings: MeetingStore
    invitees: InviteeStore
    ledger: SendLedger
    markers: DigestLedger
    queue: JobQueue
    clock: Clock

    def run(self) -> list[str]:
        """On each reminder day (days before the cutoff, meeting's calendar), at the digest hour, queue one
        reminder to every invitee who has not answered, can be mailed, and has not asked for no mail."""
        queued = []
        now = self.clock.now()
        for meeting in self.meetings.list_meetings():
            local = meeting.local(now)
            if not meeting.accepts_reply_at(now) or local.time() < meeting.digest.time:
                continue
            for days in meeting.reminders:
                if local.date() != meeting.rsvp_cutoff.date() - timedelta(days=days):
                    continue
                sending = f"reminder-{days}"
                if not self.markers.claim_once(meeting.id, sending, now):
                    continue
                version = meeting_version(meeting)
                jobs = [SendJob(SendKind.REMINDER, meeting.id, r.email, sending, version)
                        for r in self.invitees.list_invitees(meeting.id)
                        if not why_not_reminded(r)
                        and self.ledger.mark_queued(meeting.id, r.email, sending, SendKind.REMINDER, now)]
                if jobs:
                    self.queue.enqueue(jobs)
                queued.append(f"{meeting.id}:{sending}:{len(jobs)}")
        return queued


@dataclass
class JobSender:
    """The sender function's use case: one job from the queue, sent exactly once."""

    catalog: MeetingCatalog
    invitees: InviteeStore
    ledger: SendLedger
    outbox: Outbox
    composer: Composer
    clock: Clock

    def deliver(self, job: SendJob) -> SendOutcome:
        """Claim the job, respect the send rate, back off when throttled, record it. A job whose earlier attempt
        died between SES accepting the message and our record is settled by SES's own Send event (confirm_send);
        until that arrives, or the claim goes stale, it is retried later."""
        meeting = self.catalog.get(job.meeting_id, job.meeting_version or None)
        record = self.invitees.get_invitee(meeting.id, job.email)
        if record is None:
            return SendOutcome.UNKNOWN_INVITEE
        # (already invited is no reason here: the job is the invitation, queued for this very sending)
        skip = why_not_reminded(record) if job.kind is SendKind.REMINDER else why_not_invited(record, resend=True)
        if skip:
            self.ledger.fail_send(meeting.id, job.email, job.sending, skip, False)
            return SendOutcome.SKIPPED
        claim = self.outbox.claim(meeting.id, job.email, job.sending)
        if claim.state is ClaimState.SENT:
            return SendOutcome.ALREADY_SENT
        if claim.state is ClaimState.REJECTED:
            return SendOutcome.REJECTED
        if claim.state is not ClaimState.CLAIMED:
            raise RetryLater(f"{job.sending} to {job.email}: another attempt is in flight or unconfirmed")
        now = self.clock.now()
        compose = self.composer.invitation if job.kind is SendKind.INVITATION else self.composer.reminder
        email = replace(compose(meeting, record, now),
                        tags={"meeting": meeting.id, "sending": job.sending, "invitee": record.tag})
        try:
            self.outbox.send_claimed(claim, email, job.kind)
        except SendRejected:
            return SendOutcome.REJECTED
        return SendOutcome.SENT
