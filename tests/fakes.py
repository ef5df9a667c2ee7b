"""Small in-memory stand-ins for the ports, keeping the same contracts as the DynamoDB adapter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from rsvp.domain.meeting import Meeting
from rsvp.domain.records import ClaimHeld, Erasure, HistoryEntry, InboundClaim, InviteeRecord, ReviewItem, Stage
from rsvp.domain.rsvp import KEPT, Answer, Decision, Delivery, Outcome, Response
from rsvp.domain.sending import ClaimState, SendJob, SendKind, SendRejected, SendState, SendThrottled
from rsvp.mail.message import OutgoingEmail


@dataclass
class FakeMailer:
    sent: list[OutgoingEmail] = field(default_factory=list)
    fail_for: set[str] = field(default_factory=set)
    throttle_next: int = 0  # this many next sends raise SendThrottled
    crash_after_send: bool = False  # accept the message, then crash (as if the process died)

    def send(self, email: OutgoingEmail) -> str:
        if email.to[0].email in self.fail_for:
            raise SendRejected(f"MessageRejected: {email.to[0].email}")
        if self.throttle_next:
            self.throttle_next -= 1
            raise SendThrottled("Maximum sending rate exceeded.")
        self.sent.append(email)
        if self.crash_after_send:
            self.crash_after_send = False
            raise SystemError("process died after SES accepted the message")
        return f"ses-{len(self.sent):04d}"

    def kinds(self, to: str | None = None) -> list[str]:
        return [e.kind for e in self.sent if to is None or e.to[0].email == to]


@dataclass
class FakeJobQueue:
    jobs: list[SendJob] = field(default_factory=list)

    def enqueue(self, jobs: Iterable[SendJob]) -> int:
        added = list(jobs)
        self.jobs.extend(added)
        return len(added)


@dataclass
class FakeSleeper:
    clock: object
    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.current = self.clock.current + timedelta(seconds=seconds)  # type: ignore[attr-defined]


@dataclass
class FakeStore:
    bucket: str = "mail"
    objects: dict[str, bytes] = field(default_factory=dict)

    def get(self, key: str) -> bytes:
        return self.objects[key]

    def put(self, key: str, data: bytes) -> None:
        self.objects[key] = data

    def delete(self, key: str) -> int:
        return 1 if self.objects.pop(key, None) is not None else 0


@dataclass
class InMemoryRepository:
    """Every store of `rsvp.ports.Stores` in memory. tests/integration/test_store_contract.py holds it to the same
    specification as DynamoDB."""

    meetings: dict[str, Meeting] = field(default_factory=dict)
    invitees: dict[tuple[str, str], InviteeRecord] = field(default_factory=dict)
    tags: dict[str, tuple[str, str]] = field(default_factory=dict)
    sent_ids: dict[str, tuple[str, str]] = field(default_factory=dict)
    claims: dict[str, dict[str, object]] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    reviews: list[ReviewItem] = field(default_factory=list)
    digests: dict[tuple[str, str], datetime] = field(default_factory=dict)
    sends: dict[tuple[str, str, str], dict[str, object]] = field(default_factory=dict)
    once: set[tuple[str, str]] = field(default_factory=set)
    audit: list[tuple[str, datetime, str, str]] = field(default_factory=list)

    # ---------------------------------------------------------------- meetings and invitees
    def save_meeting(self, meeting: Meeting) -> None:
        self.meetings[meeting.id] = meeting

    def get_meeting(self, meeting_id: str) -> Meeting | None:
        return self.meetings.get(meeting_id)

    def list_meetings(self) -> list[Meeting]:
        return [self.meetings[m] for m in sorted(self.meetings)]

    def meetings_for_mailbox(self, mailbox: str) -> list[str]:
        return sorted(m.id for m in self.meetings.values() if m.mailbox == mailbox.lower())

    def save_invitees(self, meeting: Meeting, records: Iterable[InviteeRecord]) -> None:
        for record in records:
            key = (meeting.id, record.email.lower())
            current = self.invitees.get(key)
            self.invitees[key] = replace(record, state=current.state, invitation_message_ids=(
                current.invitation_message_ids)) if current else record
            self.tags[record.tag.lower()] = key

    def get_invitee(self, meeting_id: str, email: str) -> InviteeRecord | None:
        return self.invitees.get((meeting_id, email.lower()))

    def get_with_meeting(self, meeting_id: str, email: str) -> tuple[Meeting | None, InviteeRecord | None]:
        meeting = self.get_meeting(meeting_id)
        return meeting, self.get_invitee(meeting_id, email) if meeting else None

    def list_invitees(self, meeting_id: str) -> list[InviteeRecord]:
        return [r for (m, _), r in sorted(self.invitees.items()) if m == meeting_id]

    def find_by_tag(self, tag: str) -> tuple[str, str] | None:
        return self.tags.get(tag.lower())

    def write_answer(self, meeting_id: str, email: str, answer: Answer) -> bool:
        record = self.invitees.get((meeting_id, email.lower()))
        if record is None:
            return False
        current = record.state.answer
        if current is not None and not answer.supersedes(current):
            return False
        self._change(meeting_id, email, answer=answer)
        return True

    def set_delivery(self, meeting_id: str, email: str, delivery: Delivery, reason: str, at: datetime) -> None:
        self._change(meeting_id, email, delivery=delivery)

    def set_no_reminders(self, meeting_id: str, email: str, at: datetime) -> None:
        self._change(meeting_id, email, no_reminders=True)

    def note_clarify_sent(self, meeting_id: str, email: str, at: datetime) -> None:
        self._change(meeting_id, email, clarify_sent_at=at)

    def _change(self, meeting_id: str, email: str, **state: object) -> None:
        key = (meeting_id, email.lower())
        record = self.invitees.get(key)
        if record is not None:  # an invitee erased meanwhile is not brought back
            self.invitees[key] = replace(record, state=replace(record.state, **state))  # type: ignore[arg-type]

    # ---------------------------------------------------------------- sending
    def mark_queued(self, meeting_id: str, email: str, sending: str, kind: SendKind, at: datetime) -> bool:
        item = self.sends.setdefault((meeting_id, sending, email.lower()),
                                     {"state": SendState.QUEUED, "kind": kind, "attempts": 0})
        return item["state"] is SendState.QUEUED

    def claim_send(self, meeting_id: str, email: str, sending: str, at: datetime, stale_after_seconds: int,
                   resend_stale: bool = True) -> ClaimState:
        item = self.sends.setdefault((meeting_id, sending, email.lower()),
                                     {"state": SendState.QUEUED, "kind": Response.NONE, "attempts": 0})
        stale = at - timedelta(seconds=stale_after_seconds)
        unconfirmed = item["state"] is SendState.SENDING and item["claimed_at"] < stale and not item.get("confirmed")  # type: ignore[operator]
        if item["state"] in (SendState.QUEUED, SendState.FAILED) or (
                unconfirmed and (resend_stale or not item.get("handed_at"))):
            item.update(state=SendState.SENDING, claimed_at=at, attempts=int(item["attempts"]) + 1)  # type: ignore[call-overload]
            item.pop("handed_at", None)
            return ClaimState.CLAIMED
        if item["state"] is SendState.SENT:
            return ClaimState.SENT
        if item["state"] is SendState.REJECTED:
            return ClaimState.REJECTED
        if item.get("confirmed"):
            self.finish_send(meeting_id, email, sending, at, [str(item["confirmed"])], item["kind"])  # type: ignore[arg-type]
            return ClaimState.SENT
        return ClaimState.UNCONFIRMED if unconfirmed and item.get("handed_at") else ClaimState.IN_FLIGHT

    def hand_over(self, meeting_id: str, email: str, sending: str, claimed_at: datetime, at: datetime) -> bool:
        item = self.sends.get((meeting_id, sending, email.lower()))
        if not item or item["state"] is not SendState.SENDING or item["claimed_at"] != claimed_at:
            return False
        item["handed_at"] = at
        return True

    def release_send(self, meeting_id: str, email: str, sending: str, claimed_at: datetime, reason: str) -> bool:
        item = self.sends.get((meeting_id, sending, email.lower()))
        if not item or item["state"] is not SendState.SENDING or item["claimed_at"] != claimed_at \
                or item.get("confirmed"):
            return False
        item.update(state=SendState.FAILED, error=reason)
        item.pop("handed_at", None)
        return True

    def finish_send(self, meeting_id: str, email: str, sending: str, at: datetime, message_ids: Iterable[str],
                    kind: SendKind | Response) -> None:
        self.sends.setdefault((meeting_id, sending, email.lower()), {"kind": kind, "attempts": 0}).update(
            state=SendState.SENT, error="")
        self.record_sent(meeting_id, email, at, message_ids, kind)

    def fail_send(self, meeting_id: str, email: str, sending: str, reason: str, retryable: bool) -> None:
        self.sends.setdefault((meeting_id, sending, email.lower()), {"kind": Response.NONE, "attempts": 0}).update(
            state=SendState.FAILED if retryable else SendState.REJECTED, error=reason)

    def confirm_send(self, meeting_id: str, email: str, sending: str, provider_id: str, at: datetime) -> None:
        item = self.sends.setdefault((meeting_id, sending, email.lower()),
                                     {"state": SendState.QUEUED, "kind": Response.NONE, "attempts": 0})
        item["confirmed"] = provider_id

    def record_sent(self, meeting_id: str, email: str, at: datetime, message_ids: Iterable[str],
                    kind: SendKind | Response) -> None:
        ids = [m.strip("<>") for m in message_ids if m]
        for message_id in ids:
            self.sent_ids[message_id] = (meeting_id, email.lower())
        if ids and kind is SendKind.INVITATION:
            record = self.invitees.get((meeting_id, email.lower()))
            if record is not None:
                self.invitees[(meeting_id, email.lower())] = replace(
                    record, state=replace(record.state, invited_at=at), invitation_message_ids=tuple(ids))

    def find_by_sent_message(self, message_id: str) -> tuple[str, str] | None:
        return self.sent_ids.get(message_id.strip("<>"))

    def send_progress(self, meeting_id: str, sending: str) -> dict[SendState, int]:
        counts: dict[SendState, int] = {}
        for (m, s, _), item in self.sends.items():
            if (m, s) == (meeting_id, sending):
                state = SendState(item["state"])  # type: ignore[arg-type]
                counts[state] = counts.get(state, 0) + 1
        return counts

    def send_failures(self, meeting_id: str, sending: str) -> list[tuple[str, SendState, str]]:
        return [(e, SendState(item["state"]), str(item.get("error", "")))  # type: ignore[arg-type]
                for (m, s, e), item in sorted(self.sends.items(), key=lambda kv: kv[0])
                if (m, s) == (meeting_id, sending) and item["state"] in (SendState.FAILED, SendState.REJECTED)]

    # ---------------------------------------------------------------- inbound
    def claim_inbound(self, message_key: str, raw_key: str, at: datetime, lease_seconds: float
                      ) -> InboundClaim | ClaimHeld:
        old = self.claims.get(message_key)
        if old is not None:
            if old["state"] == "done":
                return ClaimHeld.DONE
            if old["lease_until"] >= at:  # type: ignore[operator]
                return ClaimHeld.HELD
        claim = old or {"first_seen": at, "attempts": 0, "stages": set(), "decision": None, "response_id": ""}
        claim.update(state="processing", lease_until=at + timedelta(seconds=lease_seconds),
                     attempts=int(claim["attempts"]) + 1)  # type: ignore[call-overload]
        self.claims[message_key] = claim
        return InboundClaim(message_key, started_at=claim["first_seen"], attempts=claim["attempts"],  # type: ignore[arg-type]
                            stages=frozenset(claim["stages"]), decision=claim["decision"],  # type: ignore[arg-type]
                            response_id=str(claim["response_id"]))

    def note_stage(self, message_key: str, stage: Stage, *, decision: Decision | None = None,
                   response_id: str = "") -> None:
        claim = self.claims[message_key]
        claim["stages"].add(stage)  # type: ignore[attr-defined]
        if decision is not None:
            claim["decision"] = decision
        if response_id:
            claim["response_id"] = response_id

    def commit_decision(self, message_key: str, decision: Decision, history: HistoryEntry, *,
                        no_reminders: bool = False) -> bool:
        email = history.email or ""
        answer = decision.answer if decision.outcome in KEPT else None
        if answer is not None:
            record = self.invitees.get((history.meeting_id, email.lower()))
            if record is None or (record.state.answer is not None and not answer.supersedes(record.state.answer)):
                return False
            self._change(history.meeting_id, email, answer=answer)
        if no_reminders:
            self._change(history.meeting_id, email, no_reminders=True)
        self.add_history(history)
        claim = self.claims[message_key]
        claim["stages"].update({Stage.DECIDED, Stage.APPLIED, Stage.HISTORY})  # type: ignore[attr-defined]
        claim["decision"] = decision
        return True

    def release_inbound(self, message_key: str, at: datetime) -> None:
        claim = self.claims.get(message_key)
        if claim is not None and claim["state"] == "processing":
            claim["lease_until"] = at - timedelta(seconds=1)

    def finish_inbound(self, message_key: str, outcome: Outcome, at: datetime, response: Response = Response.NONE
                       ) -> None:
        self.claims[message_key].update(state="done", outcome=outcome, response=response, decision=None)

    # ---------------------------------------------------------------- journal, reviews, markers
    def add_history(self, entry: HistoryEntry) -> None:
        same = _history_identity(entry)
        for index, written in enumerate(self.history):
            if _history_identity(written) == same:
                self.history[index] = entry
                return
        self.history.append(entry)

    def history_of(self, meeting_id: str, email: str) -> list[HistoryEntry]:
        return sorted((h for h in self.history if h.meeting_id == meeting_id and h.email == email.lower()),
                      key=lambda h: (h.at, h.message_key))

    def history_since(self, meeting_id: str, since: datetime | None) -> list[HistoryEntry]:
        return sorted((h for h in self.history if h.meeting_id == meeting_id and (since is None or h.at > since)),
                      key=lambda h: (h.at, h.email or "~unmatched", h.message_key[:16]))

    def add_audit(self, meeting_id: str, at: datetime, actor: str, text: str) -> None:
        self.audit.append((meeting_id, at, actor, text))

    def audit_log(self, meeting_id: str) -> list[tuple[datetime, str, str]]:
        return sorted((at, actor, text) for m, at, actor, text in self.audit if m == meeting_id)

    def add_review(self, item: ReviewItem) -> bool:
        if any(_review_identity(r) == _review_identity(item) for r in self.reviews):
            return False
        self.reviews.append(item)
        return True

    def resolve_review(self, item: ReviewItem, resolution: str, by: str, at: datetime) -> bool:
        for index, current in enumerate(self.reviews):
            if _review_identity(current) == _review_identity(item):
                if current.resolved:
                    return False
                self.reviews[index] = replace(current, resolved=True, resolution=resolution, resolved_by=by,
                                              resolved_at=at)
                return True
        return False

    def open_reviews(self, meeting_id: str) -> list[ReviewItem]:
        return [r for r in self.all_reviews(meeting_id) if not r.resolved]

    def all_reviews(self, meeting_id: str) -> list[ReviewItem]:
        return sorted((r for r in self.reviews if r.meeting_id == meeting_id), key=_review_identity)

    def claim_digest(self, meeting_id: str, local_date: str, at: datetime) -> bool:
        if (meeting_id, local_date) in self.digests:
            return False
        self.digests[(meeting_id, local_date)] = at
        return True

    def release_digest(self, meeting_id: str, local_date: str) -> None:
        self.digests.pop((meeting_id, local_date), None)

    def last_digest_at(self, meeting_id: str, before: datetime) -> datetime | None:
        times = [t for (m, _), t in self.digests.items() if m == meeting_id and t < before]
        return max(times) if times else None

    def claim_once(self, meeting_id: str, marker: str, at: datetime) -> bool:
        if (meeting_id, marker) in self.once:
            return False
        self.once.add((meeting_id, marker))
        return True

    # ---------------------------------------------------------------- personal data
    def forget_invitee(self, meeting_id: str, email: str) -> Erasure:
        email = email.lower()
        record = self.invitees.pop((meeting_id, email), None)
        history = [h for h in self.history if h.meeting_id == meeting_id and email in (h.email, h.from_address)]
        reviews = [r for r in self.reviews if r.meeting_id == meeting_id and email in (r.email, r.from_address)]
        sends = [k for k in self.sends if k[0] == meeting_id and k[2] == email]
        self.history = [h for h in self.history if h not in history]
        self.reviews = [r for r in self.reviews if r not in reviews]
        for key in sends:
            del self.sends[key]
        tags = [t for t, owner in self.tags.items() if owner == (meeting_id, email)]
        sent = [m for m, owner in self.sent_ids.items() if owner == (meeting_id, email)]
        for tag in tags:
            del self.tags[tag]
        for message_id in sent:
            del self.sent_ids[message_id]
        claims = [k for k in {*(h.message_key for h in history), *(r.message_key for r in reviews)}
                  if self.claims.pop(k, None) is not None]
        raw = tuple(sorted({i.raw_key for i in [*history, *reviews] if i.raw_key}))
        items = (record is not None) + len(history) + len(reviews) + len(sends) + len(tags) + len(sent) + len(claims)
        return Erasure(found=bool(record or history or reviews), items=items, raw_keys=raw)


def _history_identity(entry: HistoryEntry) -> tuple[str, str, datetime, str]:
    """Keyed as in DynamoDB: meeting, invitee, time, message."""
    return (entry.meeting_id, entry.email or "~unmatched", entry.at, entry.message_key[:16] or "manual")


def _review_identity(item: ReviewItem) -> tuple[str, datetime, str]:
    return (item.meeting_id, item.received_at, item.message_key[:16])
