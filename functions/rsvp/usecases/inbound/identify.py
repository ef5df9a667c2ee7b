"""Identify: who replied, by what nobody else can write — the who-replied rule, in one place.

The personal tag (an HMAC under our key, to the tag's own meeting's mailbox), then our Message-ID in the thread,
then a From address our own receiving server verified. Anything else is not an invitee's answer: unknown sender,
or possible spoofing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ...domain.addresses import canonical_address, redact_address
from ...domain.meeting import Meeting
from ...domain.records import InviteeRecord
from ...domain.rsvp import Outcome
from ...domain.tags import base_mailbox, tag_from_address, verify_tag
from ...ports import InviteeStore, MeetingStore, SendLedger
from ...reading.authentication import Verification
from ...reading.mime import ParsedMessage
from .arrival import Arrival

MAX_THREAD_IDS = 50  # Message-IDs of a thread looked up (a References header can be made of thousands)


@dataclass(frozen=True)
class Route:
    meeting: Meeting | None
    record: InviteeRecord | None
    identified_by: str | None
    outcome_if_unknown: Outcome = Outcome.UNKNOWN_SENDER
    reasons: tuple[str, ...] = ()  # why it is not an invitee's answer
    verification: Verification = Verification.NO_VERDICT  # what our receiving server says of the From


@dataclass
class WhoReplied:
    meetings: MeetingStore
    invitees: InviteeStore
    ledger: SendLedger
    secret: bytes
    sender_address: str  # the desk's own From (SENDER_ADDRESS), which may differ from every meeting's mailbox

    def identify(self, arrival: Arrival, now: datetime) -> Route:
        msg = arrival.msg
        verification = arrival.trace.verify(msg.from_addresses)
        if verification is Verification.AMBIGUOUS:  # no answer is taken from a message that names two senders
            meetings = self.meetings_for(msg, now)
            return Route(meetings[0] if meetings else None, None, None, Outcome.UNVERIFIED_SENDER,
                         reasons=(verification.explanation,))
        tagged = self._by_tag(msg, now)
        if tagged is not None:
            return replace(tagged, verification=verification)
        for message_id in [*msg.in_reply_to, *reversed(msg.references)][:MAX_THREAD_IDS]:
            for candidate in (message_id, message_id.split("@", 1)[0]):
                found = self.ledger.find_by_sent_message(candidate)
                if found:
                    return replace(self._routed(found, "thread (In-Reply-To)"), verification=verification)
        meetings = self.meetings_for(msg, now)
        if not meetings:
            # A bounce carries our original headers: the tag is in their Reply-To.
            for headers in msg.returned_headers:
                for value in headers.get_all("Reply-To", []) + headers.get_all("From", []):
                    tag = tag_from_address(str(value).split("<")[-1].strip(" >"))
                    found = self.invitees.find_by_tag(tag) if tag else None
                    if found:
                        return self._routed(found, "reply tag in returned headers")
            return Route(None, None, None, Outcome.UNROUTED)
        sender = canonical_address(msg.from_address)
        # Meetings may share a mailbox: the sender's is the one that invited them (the most current first).
        invited = next(((m, r) for m in meetings if sender and (r := self.invitees.get_invitee(m.id, sender))), None)
        if invited is None:
            return Route(meetings[0], None, None, Outcome.UNKNOWN_SENDER)
        meeting, record = invited
        if verification is Verification.VERIFIED:
            return Route(meeting, record, "verified sender address", verification=verification)
        return Route(meeting, None, None, Outcome.UNVERIFIED_SENDER,
                     reasons=(f"{verification.explanation}: From {sender} matches an invitee, but nothing proves "
                              f"the message comes from them",))

    def meetings_for(self, msg: ParsedMessage, now: datetime) -> list[Meeting]:
        """Meetings whose mailbox the message was sent to, the most current first."""
        ids: list[str] = []
        for address in msg.recipients:
            ids += self.meetings.meetings_for_mailbox(base_mailbox(address))
        meetings = [m for m in (self.meetings.get_meeting(i) for i in dict.fromkeys(ids)) if m]
        return sorted(meetings, key=lambda m: (not m.is_active(now), m.rsvp_cutoff))

    def from_ourselves(self, msg: ParsedMessage, meeting: Meeting | None) -> bool:
        """Sent from the desk's own address or one of its mailboxes (a loop, or our mail coming back). Only a
        sender on the domain of our From or of the meeting's mailbox costs a lookup."""
        if not msg.from_address:
            return False
        sender = canonical_address(msg.from_address)
        mailbox = base_mailbox(sender)
        ours = canonical_address(self.sender_address)
        if sender == ours or mailbox == ours or (meeting is not None and mailbox == meeting.mailbox):
            return True
        domain = mailbox.rpartition("@")[2]
        if domain not in {ours.rpartition("@")[2], meeting.mailbox.rpartition("@")[2] if meeting else ""}:
            return False
        return bool(self.meetings.meetings_for_mailbox(mailbox))

    def _by_tag(self, msg: ParsedMessage, now: datetime) -> Route | None:
        """The invitee whose personal address the message was sent to; a tag we did not issue under the current
        key, or sent to another mailbox than its meeting's, is refused (and never falls back to the From)."""
        invalid: list[str] = []
        routes: dict[tuple[str, str], Route] = {}
        for address in msg.recipients:
            tag = tag_from_address(address)
            if not tag:
                continue
            found = self.invitees.find_by_tag(tag)
            meeting, record = self.invitees.get_with_meeting(*found) if found else (None, None)
            if found is None or meeting is None:
                if self.meetings.meetings_for_mailbox(base_mailbox(address)):
                    invalid.append(f"{redact_address(address)}: no invitee has this personal address")
                continue
            if base_mailbox(address) != meeting.mailbox:
                invalid.append(f"{redact_address(address)}: a personal address of {meeting.id}, sent to another "
                               f"mailbox than {meeting.mailbox}")
                continue
            if not verify_tag(self.secret, tag, meeting.id, found[1]):
                invalid.append(f"{redact_address(address)}: not issued under the desk's current key")
                continue
            routes[found] = Route(meeting, record, "reply tag" if record else None)
        if len(routes) > 1:
            first = next(iter(routes.values()))
            return Route(first.meeting, None, None, Outcome.INVALID_TAG,
                         reasons=("sent to the personal addresses of several invitees: whose answer is it?",))
        if routes:
            return next(iter(routes.values()))
        if invalid:
            meetings = self.meetings_for(msg, now)
            return Route(meetings[0] if meetings else None, None, None, Outcome.INVALID_TAG, reasons=tuple(invalid))
        return None

    def _routed(self, found: tuple[str, str], how: str) -> Route:
        meeting, record = self.invitees.get_with_meeting(*found)
        return Route(meeting, record, how if record else None)
