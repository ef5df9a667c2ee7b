"""SES's own events for our messages (configuration set -> EventBridge): Send settles a send whose attempt died
before recording it; a permanent Bounce or a Complaint stops all mail to the address."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..domain.records import HistoryEntry, InviteeRecord
from ..domain.rsvp import Delivery, Outcome, Source
from ..ports import Clock, InviteeStore, Journal, SendLedger


class EventOutcome(StrEnum):
    NOT_OURS = "not_ours"
    SEND_CONFIRMED = "send_confirmed"
    UNDELIVERABLE = "undeliverable"
    COMPLAINED = "complained"
    IGNORED = "ignored"


@dataclass
class SesEvents:
    invitees: InviteeStore
    ledger: SendLedger
    journal: Journal
    clock: Clock

    def handle(self, detail: dict[str, Any]) -> EventOutcome:
        """An SES Send/Bounce/Complaint event for one of our messages (EventBridge detail)."""
        kind = str(detail.get("eventType") or detail.get("notificationType") or "")
        mail = detail.get("mail") or {}
        tags = {k: (v[0] if isinstance(v, list) and v else v) for k, v in (mail.get("tags") or {}).items()}
        found = self.invitees.find_by_tag(str(tags.get("invitee", ""))) if tags.get("invitee") else None
        if found is None:
            return EventOutcome.NOT_OURS
        meeting_id, email = found
        now = self.clock.now()
        if kind == "Send" and tags.get("sending"):
            self.ledger.confirm_send(meeting_id, email, str(tags["sending"]), str(mail.get("messageId", "")), now)
            return EventOutcome.SEND_CONFIRMED
        record = self.invitees.get_invitee(meeting_id, email)
        if record is None:
            return EventOutcome.NOT_OURS
        bounce = detail.get("bounce") or {}
        if kind == "Bounce" and bounce.get("bounceType") == "Permanent":
            self.invitees.set_delivery(meeting_id, email, Delivery.UNDELIVERABLE,
                                       str(bounce.get("bounceSubType", "permanent bounce")), now)
            self._history(record, Outcome.BOUNCE, mail)
            return EventOutcome.UNDELIVERABLE
        if kind == "Complaint":
            self.invitees.set_delivery(meeting_id, email, Delivery.COMPLAINED, "complaint (marked as spam)", now)
            self._history(record, Outcome.COMPLAINT, mail)
            return EventOutcome.COMPLAINED
        return EventOutcome.IGNORED

    def _history(self, record: InviteeRecord, outcome: Outcome, mail: dict[str, Any]) -> None:
        self.journal.add_history(HistoryEntry(
            meeting_id=record.meeting_id, email=record.email, at=self.clock.now(), source=Source.SES_EVENT,
            outcome=outcome, message_key=str(mail.get("messageId", ""))[:32], status_before=record.state.status,
            status_after=record.state.status, reasons=(outcome.explanation,)))
