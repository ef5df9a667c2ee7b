"""Ports: what the use cases need from the outside world, each a handful of methods.

Every use case takes only the ports it needs. The DynamoDB adapter implements all the stores on one table
(`adapters.dynamodb.DynamoRepository`); the fakes in tests/fakes.py implement them in memory, and one contract
suite (tests/integration/test_store_contract.py) runs against both, so they cannot drift.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from .domain.meeting import Meeting
from .domain.records import ClaimHeld, Erasure, HistoryEntry, InboundClaim, InviteeRecord, ReviewItem, Stage
from .domain.rsvp import Answer, Decision, Delivery, Outcome, Response
from .domain.sending import ClaimState, SendJob, SendKind, SendState
from .mail.message import OutgoingEmail

# ---------------------------------------------------------------------- the world around the desk


class Clock(Protocol):
    def now(self) -> datetime: ...


class Sleeper(Protocol):
    def sleep(self, seconds: float) -> None: ...


class RawMailStore(Protocol):
    """The mail bucket: raw inbound mail under inbound/, meeting assets (programme PDFs) under assets/."""

    bucket: str

    def get(self, key: str) -> bytes: ...
    def put(self, key: str, data: bytes) -> None: ...
    def delete(self, key: str) -> int:
        """Delete the object and every earlier version of it; how many versions were deleted."""
        ...


class JobQueue(Protocol):
    def enqueue(self, jobs: Iterable[SendJob]) -> int:
        """Queue the jobs; return how many were queued."""
        ...


class RateLimiter(Protocol):
    def acquire(self) -> None:
        """Return when one more message may be sent without exceeding the account's send rate."""
        ...


class Mailer(Protocol):
    def send(self, email: OutgoingEmail) -> str:
        """Send one message; return the provider's message id."""
        ...


# ---------------------------------------------------------------------- the stores


class MeetingStore(Protocol):
    def save_meeting(self, meeting: Meeting) -> None: ...
    def get_meeting(self, meeting_id: str) -> Meeting | None: ...
    def list_meetings(self) -> list[Meeting]: ...
    def meetings_for_mailbox(self, mailbox: str) -> list[str]:
        """Ids of the meetings whose mailbox this is (an address without its plus tag; any case)."""
        ...


class InviteeStore(Protocol):
    def save_invitees(self, meeting: Meeting, records: Iterable[InviteeRecord]) -> None:
        """Add invitees, or update the details of those already there: their answers and delivery are kept."""
        ...
    def get_invitee(self, meeting_id: str, email: str) -> InviteeRecord | None:
        """The invitee by address, in any case."""
        ...
    def get_with_meeting(self, meeting_id: str, email: str) -> tuple[Meeting | None, InviteeRecord | None]:
        """The invitee and their meeting in one read (no invitee without its meeting)."""
        ...
    def list_invitees(self, meeting_id: str) -> list[InviteeRecord]:
        """Every invitee of the meeting, by address."""
        ...
    def find_by_tag(self, tag: str) -> tuple[str, str] | None:
        """(meeting id, email) of the personal reply tag, in any case."""
        ...
    def write_answer(self, meeting_id: str, email: str, answer: Answer) -> bool:
        """Store `answer` unless an answer written later is already there. True when stored."""
        ...
    def set_delivery(self, meeting_id: str, email: str, delivery: Delivery, reason: str, at: datetime) -> None: ...
    def set_no_reminders(self, meeting_id: str, email: str, at: datetime) -> None: ...
    def note_clarify_sent(self, meeting_id: str, email: str, at: datetime) -> None: ...


class SendLedger(Protocol):
    """Exactly one message per invitee and sending (an invitation, a reminder, the answer to one reply)."""

    def mark_queued(self, meeting_id: str, email: str, sending: str, kind: SendKind, at: datetime) -> bool:
        """Record the job as queued unless this sending already has it; True when newly queued."""
        ...
    def claim_send(self, meeting_id: str, email: str, sending: str, at: datetime, stale_after_seconds: int,
                   resend_stale: bool = True) -> ClaimState:
        """The right to send once. An attempt that SES never confirmed within `stale_after_seconds` is taken over
        when it died before handing the message to SES, or when `resend_stale` (SES would have reported accepting
        it); else it is UNCONFIRMED, never sent twice."""
        ...
    def hand_over(self, meeting_id: str, email: str, sending: str, claimed_at: datetime, at: datetime) -> bool:
        """Note that the claim taken at `claimed_at` is about to give its message to SES; False when that claim
        is no longer ours (then nothing may be sent)."""
        ...
    def release_send(self, meeting_id: str, email: str, sending: str, claimed_at: datetime, reason: str) -> bool:
        """Give back a claim taken at `claimed_at` whose message never reached the provider (retryable at once);
        False when the claim is not that one any more, or the provider confirmed it."""
        ...
    def finish_send(self, meeting_id: str, email: str, sending: str, at: datetime, message_ids: Iterable[str],
                    kind: SendKind | Response) -> None:
        """The message went out: the job is sent, and our Message-IDs lead a reply in its thread to the invitee
        (an invitation also marks the invitee invited)."""
        ...
    def fail_send(self, meeting_id: str, email: str, sending: str, reason: str, retryable: bool) -> None: ...
    def confirm_send(self, meeting_id: str, email: str, sending: str, provider_id: str, at: datetime) -> None:
        """SES accepted the message (its Send event): settles an attempt that crashed before recording."""
        ...
    def record_sent(self, meeting_id: str, email: str, at: datetime, message_ids: Iterable[str],
                    kind: SendKind | Response) -> None:
        """Remember our outgoing Message-IDs of a message sent outside a sending (an organiser's confirmation)."""
        ...
    def find_by_sent_message(self, message_id: str) -> tuple[str, str] | None:
        """(meeting id, email) of the invitee one of our messages went to."""
        ...
    def send_progress(self, meeting_id: str, sending: str) -> dict[SendState, int]: ...
    def send_failures(self, meeting_id: str, sending: str) -> list[tuple[str, SendState, str]]:
        """(email, state, reason) for the jobs of a sending that failed or were rejected."""
        ...


class InboundLedger(Protocol):
    """One claim per inbound message: duplicates are skipped, a crashed attempt is resumed where it stopped."""

    def claim_inbound(self, message_key: str, raw_key: str, at: datetime, lease_seconds: float
                      ) -> InboundClaim | ClaimHeld:
        """The right to process a message for `lease_seconds` (with what earlier attempts completed), or why not:
        done already, or held by an attempt whose lease has not run out."""
        ...
    def note_stage(self, message_key: str, stage: Stage, *, decision: Decision | None = None,
                   response_id: str = "") -> None:
        """Record on the claim that `stage` completed (with the decision written ahead, or SES's message id)."""
        ...
    def commit_decision(self, message_key: str, decision: Decision, history: HistoryEntry, *,
                        no_reminders: bool = False) -> bool:
        """All that a reply changes, written at once or not at all: the decision's answer (when its outcome keeps
        one) unless an answer written later is there, the reminder opt-out, the history entry, and the decision on
        the claim (stages decided, applied, history). False, with nothing written, when the answer lost to a later
        one or the invitee is gone."""
        ...
    def release_inbound(self, message_key: str, at: datetime) -> None:
        """End this attempt's lease early (it failed): the retry need not wait for it to run out."""
        ...
    def finish_inbound(self, message_key: str, outcome: Outcome, at: datetime, response: Response = Response.NONE
                       ) -> None:
        """The message is done: its outcome and the answer sent, if any (the decision is dropped)."""
        ...


class Journal(Protocol):
    """What happened: each invitee's history (replies, bounces, manual changes) and the meeting's audit log."""

    def add_history(self, entry: HistoryEntry) -> None:
        """Keyed by meeting, invitee, time and message: writing the same entry again replaces it."""
        ...
    def history_of(self, meeting_id: str, email: str) -> list[HistoryEntry]:
        """One invitee's history, oldest first."""
        ...
    def history_since(self, meeting_id: str, since: datetime | None) -> list[HistoryEntry]:
        """The meeting's history after `since` (all of it with None), oldest first."""
        ...
    def add_audit(self, meeting_id: str, at: datetime, actor: str, text: str) -> None: ...
    def audit_log(self, meeting_id: str) -> list[tuple[datetime, str, str]]: ...


class ReviewQueue(Protocol):
    def add_review(self, item: ReviewItem) -> bool:
        """File a review item unless the same one (meeting, received, message) is filed; True when filed."""
        ...
    def resolve_review(self, item: ReviewItem, resolution: str, by: str, at: datetime) -> bool:
        """Settle a review item; False when it was already settled."""
        ...
    def open_reviews(self, meeting_id: str) -> list[ReviewItem]:
        """Items not settled yet, oldest first."""
        ...
    def all_reviews(self, meeting_id: str) -> list[ReviewItem]:
        """Every item, settled or not, oldest first."""
        ...


class DigestLedger(Protocol):
    """Once-a-day and once-ever markers of a meeting: the digest of a local day, a reminder day."""

    def claim_digest(self, meeting_id: str, local_date: str, at: datetime) -> bool: ...
    def release_digest(self, meeting_id: str, local_date: str) -> None: ...
    def last_digest_at(self, meeting_id: str, before: datetime) -> datetime | None: ...
    def claim_once(self, meeting_id: str, marker: str, at: datetime) -> bool:
        """True the first time `marker` is claimed for the meeting (reminder days, one-off jobs)."""
        ...


class PersonalData(Protocol):
    def forget_invitee(self, meeting_id: str, email: str) -> Erasure:
        """Delete every record about one person in a meeting (their raw mail keys are returned)."""
        ...


class Stores(MeetingStore, InviteeStore, SendLedger, InboundLedger, Journal, ReviewQueue, DigestLedger, PersonalData,
             Protocol):
    """Every store at once: what the DynamoDB adapter and the in-memory fake each implement."""
