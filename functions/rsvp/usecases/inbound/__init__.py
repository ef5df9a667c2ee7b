"""Inbound mail, as named stages:

    claim → parse → identify → screen → read → decide → record → answer → finish

Each stage is a line below. A message that is not an invitee's answer is rejected with one of the `screen`
exceptions, which says what becomes of it; the claim records each stage that completed, and the decision is
written ahead of acting on it, so an attempt that crashed anywhere is resumed by SQS's retry from where it
stopped: an answer is never lost and never confirmed twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...domain.addresses import redact_address
from ...domain.meeting import Meeting
from ...domain.records import ClaimHeld, InviteeRecord, Stage
from ...domain.rsvp import Delivery, Intent, MessageKind, Outcome, Response, Source
from ...domain.sending import RetryLater
from ...ports import Clock, InboundLedger, InviteeStore, RawMailStore
from ...reading import Reading, read_message
from ...reading.authentication import ReceivingServer
from .answer import Answerer, AnswerNotSent
from .arrival import Arrival, message_key, parse, received_at
from .identify import Route, WhoReplied
from .record import Recorder, decide
from .screen import Automatic, NotAnAnswer, NotForAnyMeeting, NotFromAnInvitee, Quarantined, Unreadable

if TYPE_CHECKING:
    from ...reading.model.second import SecondReader

log = logging.getLogger(__name__)


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


@dataclass
class Inbound:
    store: RawMailStore
    ledger: InboundLedger
    invitees: InviteeStore
    who: WhoReplied
    recorder: Recorder
    answerer: Answerer
    clock: Clock
    receiving: ReceivingServer  # whose verdicts we trust: our own receiving server's only
    second_reader: SecondReader | None = None  # a language model beside the rules (reading/model), if configured
    lease_seconds: float = 65.0  # when the caller does not say (the handler gives the function's remaining time)

    def process(self, raw_key: str, arrived_at: datetime | None = None, lease_seconds: float | None = None
                ) -> InboundResult:
        """Read one stored message and do what a registration officer would. `lease_seconds` is how long this
        attempt may hold the message (the handler gives the function's remaining time, always shorter than the
        queue's visibility timeout)."""
        raw = self.store.get(raw_key)
        msg, trace = parse(raw, self.receiving)
        key = message_key(msg, raw, trace)
        claim = self.ledger.claim_inbound(key, raw_key, self.clock.now(), lease_seconds or self.lease_seconds)
        if claim is ClaimHeld.DONE:
            log.info("duplicate inbound message skipped", extra={"message_key": key})
            return InboundResult(Outcome.DUPLICATE, key)
        if claim is ClaimHeld.HELD:
            raise RetryLater(f"inbound message {key} is being processed by another attempt")
        arrival = Arrival(msg, trace, raw_key, key, claim, received_at(msg if trace.ours else None, arrived_at,
                                                                        claim.started_at), claim.started_at)
        try:
            result = self._stages(arrival)
        except BaseException:
            self._release(key)  # this attempt is over: its retry may take over at once
            raise
        self.ledger.finish_inbound(key, result.outcome, self.clock.now(), result.response)
        log.info("inbound message processed", extra={"message_key": key, **result.summary()})
        return result

    def _stages(self, arrival: Arrival) -> InboundResult:
        route = self.who.identify(arrival, arrival.now)
        reading: Reading | None = None
        try:
            reading = self._screen(arrival, route)
            if reading.kind is MessageKind.BOUNCE:
                return self._bounce(arrival, reading, route)
            self._screen_answer(arrival, route, reading)
        except NotAnAnswer as rejected:
            return self._rejected(arrival, route, rejected, reading)
        meeting, record = route.meeting, route.record
        assert meeting is not None  # (screened: an invitee's answer to a meeting)
        assert record is not None
        return self._answer(arrival, route, meeting, record, reading)

    def _screen(self, arrival: Arrival, route: Route) -> Reading:
        """What is wrong with the message before anyone reads it, then the reading (a reader defect on one message
        must not block the mailbox: keep, flag, go on)."""
        if arrival.trace.rejected_by_scan:
            raise Quarantined((arrival.trace.rejected_by_scan,))
        unreadable = next((d for d in arrival.msg.defects if d.startswith("unparseable")), None)
        try:
            reading = read_message(arrival.msg, route.meeting)
        except Exception as exc:
            log.exception("reader failed", extra={"message_key": arrival.key})
            raise Unreadable((f"reader failed: {type(exc).__name__}: {exc}",)) from None
        if unreadable and not reading.new_text.strip():
            raise Unreadable((unreadable,), reading=reading)
        if self.who.from_ourselves(arrival.msg, route.meeting):
            reading = replace(reading, kind=MessageKind.AUTO_REPLY, intent=None,
                              reasons=("sent from the desk's own address", *reading.reasons))
        return reading

    @staticmethod
    def _screen_answer(arrival: Arrival, route: Route, reading: Reading) -> None:
        """Is it an invitee's answer? Raises why not."""
        if route.meeting is None:
            if reading.is_automatic:
                raise NotForAnyMeeting(outcome=Outcome.AUTO_REPLY)
            raise NotForAnyMeeting((*route.reasons, *reading.reasons), route.outcome_if_unknown)
        if reading.kind is MessageKind.AUTO_REPLY:
            raise Automatic()
        msg = arrival.msg
        if not msg.from_address and not msg.text.strip() and not msg.calendars:
            raise Unreadable(("no sender and no readable text", *msg.defects))
        if route.record is None:
            raise NotFromAnInvitee((*route.reasons, *reading.reasons), route.outcome_if_unknown)

    def _rejected(self, arrival: Arrival, route: Route, rejected: NotAnAnswer, reading: Reading | None
                  ) -> InboundResult:
        meeting, record = route.meeting, route.record
        quarantined = isinstance(rejected, Quarantined)
        if rejected.reviewed:
            self.recorder.review(arrival, meeting, None if quarantined else record, rejected.outcome,
                                 rejected.reasons, None if quarantined else rejected.reading or reading)
        if rejected.kept_in_history and meeting is not None and reading is not None and (
                record is not None or isinstance(rejected, NotFromAnInvitee)):
            self.recorder.history(arrival, reading, meeting, record, rejected.outcome)
        automatic = isinstance(rejected, Automatic)
        return InboundResult(rejected.outcome, arrival.key, meeting.id if meeting else None,
                             record.email if record and not quarantined else None,
                             reading if not quarantined else None,
                             identified_by=route.identified_by if automatic else None)

    def _bounce(self, arrival: Arrival, reading: Reading, route: Route) -> InboundResult:
        """Mark the failed recipients undeliverable (final failures only); never answer."""
        meeting, record = route.meeting, route.record
        targets: list[tuple[Meeting, InviteeRecord]] = []
        for candidate in [meeting] if meeting else self.who.meetings_for(arrival.msg, arrival.now):
            for address in reading.failed_recipients:
                found = self.invitees.get_invitee(candidate.id, address)
                if found:
                    targets.append((candidate, found))
        if not targets and meeting and record and reading.final_failure:
            targets.append((meeting, record))
        for target_meeting, target in targets:
            if reading.report == "complaint":
                self.invitees.set_delivery(target.meeting_id, target.email, Delivery.COMPLAINED,
                                           "; ".join(reading.reasons), arrival.now)
            elif reading.final_failure:
                self.invitees.set_delivery(target.meeting_id, target.email, Delivery.UNDELIVERABLE,
                                           "; ".join(reading.reasons), arrival.now)
            self.recorder.history(arrival, reading, target_meeting, target, Outcome.BOUNCE, source=Source.BOUNCE)
        first = targets[0][1] if targets else None
        return InboundResult(Outcome.BOUNCE, arrival.key,
                             first.meeting_id if first else (meeting.id if meeting else None),
                             first.email if first else None, reading, identified_by=route.identified_by)

    def _answer(self, arrival: Arrival, route: Route, meeting: Meeting, record: InviteeRecord, reading: Reading
                ) -> InboundResult:
        """read (the second reader) → decide → record → answer, each stage done once across attempts."""
        claim, key = arrival.claim, arrival.key
        model = None
        if self.second_reader is not None and claim.decision is None:
            # (asked once: a retried attempt finds the decision written before it was acted on, and reuses it)
            reading, model = self.second_reader.read(arrival.msg, reading, meeting)
        assert reading.intent is not None
        if claim.decision is not None and claim.done(Stage.HISTORY):
            decision = claim.decision  # recorded by an attempt that died after: answer as it decided
        else:
            decision = self.recorder.commit(arrival, meeting, record, reading,
                                            decide(arrival, reading, meeting, record))
        unsubscribed = reading.unsubscribe and reading.intent is Intent.UNCLEAR
        result = InboundResult(decision.outcome, key, meeting.id, record.email, reading,
                               identified_by=route.identified_by, model=model)
        if unsubscribed:
            return replace(result, outcome=Outcome.UNSUBSCRIBED)
        if decision.outcome.needs_review:
            self.recorder.review(arrival, meeting, record, decision.outcome, (*reading.reasons, *decision.notes),
                                 reading)
        try:
            return replace(result, response=self.answerer.respond(arrival, meeting, record, decision, route))
        except AnswerNotSent:  # recorded, but SES refused the answer for good (a review item says so)
            return replace(result, outcome=Outcome.NOT_CONFIRMED)

    def _release(self, key: str) -> None:
        try:
            self.ledger.release_inbound(key, self.clock.now())
        except Exception:  # the lease then runs out by itself, long before the queue redelivers
            log.warning("could not release the claim on inbound message %s", key, exc_info=True)


__all__ = ["Inbound", "InboundResult"]
