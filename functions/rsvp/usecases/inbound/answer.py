"""Answer: the decision's answer to the invitee (confirmation, clarification, closed), sent exactly once.

Claimed like an invitation (SEND#reply-KEY), SES's message id recorded the moment SES accepts it, and a crash in
between settled by SES's Send event. Never to a machine's message (RFC 3834), never twice."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ...domain.addresses import canonical_address, has_control_characters, is_valid_address
from ...domain.meeting import Meeting
from ...domain.records import InviteeRecord, Stage
from ...domain.rsvp import KEPT, Decision, Delivery, Outcome, Response
from ...domain.sending import ClaimState, RetryLater, SendRejected
from ...mail.message import Recipient
from ...ports import Clock, InboundLedger, InviteeStore
from ...reading.authentication import Verification
from ...reading.mime import ParsedMessage
from ..compose import Composer
from ..sending import Outbox
from .arrival import Arrival
from .identify import MAX_THREAD_IDS, Route
from .record import Recorder


class AnswerNotSent(Exception):
    pass


@dataclass
class Answerer:
    invitees: InviteeStore
    inbound: InboundLedger
    outbox: Outbox
    composer: Composer
    recorder: Recorder
    clock: Clock

    def respond(self, arrival: Arrival, meeting: Meeting, record: InviteeRecord, decision: Decision,
                route: Route) -> Response:
        """The response sent (or NONE); AnswerNotSent when SES refused it for good (a review item says so)."""
        response = decision.response
        if response is Response.NONE or record.state.delivery is not Delivery.OK:
            return Response.NONE
        if sent_by_a_machine(arrival.msg):
            # A person's answer sent by a machine (Google Calendar's buttons, a mission's document system) is
            # recorded, never answered: RFC 3834, and no loop with another robot.
            return Response.NONE
        if arrival.claim.done(Stage.RESPONSE):
            return response
        sending = f"reply-{arrival.key}"
        msg = arrival.msg
        # The record as it stands after this decision (the answer just written), without reading it again.
        answered = replace(record, state=replace(record.state, answer=decision.answer)) \
            if decision.answer is not None and decision.outcome in KEPT else record
        email = self.composer.answer(meeting, answered, response, self.clock.now(), in_reply_to=msg.message_id,
                                     references=tuple(msg.references)[-MAX_THREAD_IDS:],
                                     cc=copy_to(msg, record, route), auto_submitted="auto-replied")
        email = replace(email, tags={"meeting": meeting.id, "sending": sending, "invitee": record.tag})
        # an answer goes at most once, ever: an attempt that died while SES held it is never sent again
        claim = self.outbox.claim(meeting.id, record.email, sending, resend_stale=False)
        if claim.state is ClaimState.UNCONFIRMED:
            self._not_sent(arrival, meeting, record, response, "an attempt died while sending it and SES never "
                           "reported whether it went out; not sent again (look in the SES console)")
        if claim.state is ClaimState.IN_FLIGHT:
            raise RetryLater(f"the {response.value} for {arrival.key} may have been sent; waiting for SES's event")
        if claim.state is ClaimState.REJECTED:  # an earlier attempt saw SES refuse it, and died before saying so
            self._not_sent(arrival, meeting, record, response, "refused by the mail service")
        if claim.state is ClaimState.CLAIMED:
            try:  # (recorded sent on the send ledger: a retry finds it SENT, and notes the stage then)
                self.outbox.send_claimed(claim, email, response, paced=False)
            except SendRejected as exc:
                self._not_sent(arrival, meeting, record, response, str(exc))
        else:
            self.inbound.note_stage(arrival.key, Stage.RESPONSE)
        if response is Response.CLARIFY:
            self.invitees.note_clarify_sent(meeting.id, record.email, arrival.now)
        return response

    def _not_sent(self, arrival: Arrival, meeting: Meeting, record: InviteeRecord, response: Response,
                  why: str) -> None:
        self.recorder.review(arrival, meeting, record, Outcome.NOT_CONFIRMED,
                             (f"the {response.value} could not be sent: {why}",))
        self.inbound.note_stage(arrival.key, Stage.RESPONSE)
        raise AnswerNotSent(why)


def sent_by_a_machine(msg: ParsedMessage) -> bool:
    value = msg.header("Auto-Submitted").strip().lower()
    return bool(value) and value != "no"


def copy_to(msg: ParsedMessage, record: InviteeRecord, route: Route) -> tuple[Recipient, ...]:
    """Copy the person who actually replied (a colleague using the invitee's personal address), only when our
    receiving server verified that address: an unverified From may be anyone's, and would be sent our mail."""
    sender = canonical_address(msg.from_address) if msg.from_address else ""
    if sender and sender != record.email and route.verification is Verification.VERIFIED \
            and is_valid_address(sender) and not has_control_characters(msg.from_name):
        return (Recipient(sender, msg.from_name[:200]),)
    return ()
