"""The whole RSVP loop on moto, through the real handlers with real Lambda event shapes.

SES receiving is played by LocalStack.deliver (raw message into S3 with a Received stamp), S3
notifies SQS (moto does this itself), and LocalStack.drain hands SQS batches to the inbound
handler exactly as the event source mapping would.
"""

from __future__ import annotations

import email
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from rsvp.adapters.aws import AwsClients, aws_clients, replay_dead_letters
from rsvp.app import App as Desk
from rsvp.domain.invitees import Invitee
from rsvp.domain.meeting import Meeting
from rsvp.domain.records import InviteeRecord
from rsvp.domain.tags import reply_address
from rsvp.handlers import digest, inbound, invite, runtime
from rsvp.local.demo import local_app
from rsvp.local.stack import LambdaContext, LocalStack, Verdicts, provision
from tests.conftest import ZURICH, FakeClock
from tests.support import reply

PERU = "desarme@mission-peru.example.org"
CANADA = "disarmament@mission-canada.example.org"
NORWAY = "gva.disarmament@mission-norway.example.org"


@dataclass
class Loop:
    stack: LocalStack
    clients: AwsClients
    clock: FakeClock
    meeting: Meeting
    outbox: Path

    @property
    def desk(self) -> Desk:
        return runtime.app()

    def deliver(self, raw: bytes, at: datetime | None = None, verdicts: Verdicts | None = None) -> str:
        """SES receiving stores the message; the queue is drained through the inbound handler."""
        at = at or self.clock.now()
        self.clock.current = at
        key = self.stack.deliver(raw, at, self.clients, verdicts)
        self.stack.drain(inbound.handler, self.clients)
        return key

    def sent(self, kind: str | None = None, to: str | None = None) -> list[Message]:
        files = sorted(self.outbox.glob("*.eml")) if self.outbox.exists() else []
        picked = [f for f in files if (kind is None or f.name.split("-", 2)[1] == kind)
                  and (to is None or f.name.endswith(f"-{to}.eml"))]
        return [email.message_from_bytes(f.read_bytes()) for f in picked]

    def record(self, address: str) -> InviteeRecord:
        found = self.desk.stores.get_invitee(self.meeting.id, address)
        assert found is not None
        return found

    def personal_address(self, address: str) -> str:
        return reply_address(self.meeting.mailbox, self.record(address).tag)

    def invitation_id(self, address: str) -> str:
        return str(self.sent("invitation", address)[0]["Message-ID"])

    def dead_letters(self) -> int:
        attributes = self.clients.sqs.get_queue_attributes(QueueUrl=self.stack.dead_letter_queue_url,
                                                           AttributeNames=["ApproximateNumberOfMessages"])
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


@pytest.fixture
def loop(meeting: Meeting, invitees: list[Invitee], clock: FakeClock, tmp_path: Path) -> Iterator[Loop]:
    with mock_aws():
        clients = aws_clients("eu-west-1")
        stack = provision(clients, region="eu-west-1", mailbox=meeting.mailbox, sender=meeting.mailbox,
                          name="test", outbox_dir=str(tmp_path / "outbox"))
        runtime.install(local_app(stack, clients, clock))
        try:
            runtime.app().catalog.load(meeting, invitees)
            response = invite.handler({"meeting_id": meeting.id}, LambdaContext("InviteFunction"))
            assert len(response["queued"]) == len(invitees)
            drained = stack.drain_sends(clients)
            assert drained["failed"] == 0, (drained, runtime.app().stores.send_progress(meeting.id, "invitation-1"))
            yield Loop(stack, clients, clock, meeting, tmp_path / "outbox")
        finally:
            runtime.install(None)


def at(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2021, month, day, hour, minute, tzinfo=ZURICH)


# ---------------------------------------------------------------------- invitations


def test_each_invitee_gets_one_personal_invitation_and_a_second_run_sends_none(loop: Loop) -> None:
    invitations = loop.sent("invitation")
    assert len(invitations) == 12
    reply_tos = {str(m["Reply-To"]) for m in invitations}
    assert len(reply_tos) == 12, "every invitee has their own reply address"
    assert all("registration+" in r for r in reply_tos)
    assert all(m["Auto-Submitted"] == "auto-generated" for m in invitations)

    again = invite.handler({"meeting_id": loop.meeting.id}, LambdaContext("InviteFunction"))
    loop.stack.drain_sends(loop.clients)

    assert again["queued"] == []
    assert len(loop.sent("invitation")) == 12
    assert loop.desk.stores.send_progress(loop.meeting.id, "invitation-1") == {"sent": 12}


def test_invitation_is_in_the_invitees_language_with_every_session_in_every_display_zone(loop: Loop) -> None:
    spanish = loop.sent("invitation", PERU)[0]
    text = next(p for p in spanish.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "miércoles, 10 de febrero de 2021, 15:00–18:00 (Zúrich)" in text
    assert "miércoles, 10 de febrero de 2021, 09:00–12:00 (Lima)" in text
    assert "jueves, 11 de febrero de 2021, 09:00–12:00 (Nueva York)" in text
    assert "a más tardar el lunes, 8 de febrero de 2021, 18:00 (Zúrich)" in text
    assert loop.personal_address(PERU) in text


# ---------------------------------------------------------------------- replies


def test_an_acceptance_is_recorded_with_its_history_and_confirmed_in_the_invitees_language(loop: Loop) -> None:
    raw = reply(sender=PERU, to=loop.personal_address(PERU), written=at(19, 11),
                body="Confirmamos la participación del Excmo. Sr. Luis Ugarelli y de la Sra. Carla Moreno, "
                     "solo en la segunda sesión.")
    loop.deliver(raw, at(19, 11, 2))

    answer = loop.record(PERU).state.answer
    assert answer is not None and answer.status.value == "accepted"
    assert answer.sessions == ("day2",)
    assert answer.attendee_count == 2
    history = loop.desk.stores.history_since(loop.meeting.id, None)
    assert [(h.email, h.outcome.value, h.status_after.value if h.status_after else None) for h in history] == [
        (PERU, "recorded", "accepted")]
    assert history[0].raw_key.startswith("inbound/")
    confirmation = loop.sent("confirmation", PERU)
    assert len(confirmation) == 1
    assert confirmation[0]["Auto-Submitted"] == "auto-replied"
    assert confirmation[0]["In-Reply-To"] == email.message_from_bytes(raw)["Message-ID"]
    body = confirmation[0].get_payload()[0].get_payload(decode=True).decode()
    assert "Segunda sesión" in body and "Sra. Carla Moreno" in body


def test_the_same_message_delivered_twice_is_recorded_once_and_confirmed_once(loop: Loop) -> None:
    raw = reply(sender=CANADA, to=loop.personal_address(CANADA), body="We will attend.", written=at(19, 16))

    first = loop.deliver(raw, at(19, 16, 1))
    second = loop.deliver(raw, at(19, 16, 3))  # SES delivered it again under another object key

    assert first != second
    assert len(loop.sent("confirmation", CANADA)) == 1
    assert len(loop.desk.stores.history_since(loop.meeting.id, None)) == 1
    assert loop.record(CANADA).state.status.value == "accepted"


def test_a_reply_that_changes_an_earlier_answer_replaces_it(loop: Loop) -> None:
    loop.deliver(reply(sender=CANADA, to=loop.personal_address(CANADA), body="We will attend.",
                       written=at(19, 16)), at(19, 16, 1))
    loop.deliver(reply(sender=CANADA, to=loop.personal_address(CANADA),
                       body="Unfortunately we will no longer be able to attend. Please cancel our registration.",
                       written=at(2, 11, month=2)), at(2, 11, 1, month=2))

    state = loop.record(CANADA).state
    assert state.status.value == "declined"
    assert state.answer is not None and state.answer.attendee_count == 0
    statuses = [(h.status_before.value, h.status_after.value) for h in
                loop.desk.stores.history_since(loop.meeting.id, None)
                if h.status_before is not None and h.status_after is not None]
    assert statuses == [("pending", "accepted"), ("accepted", "declined")]
    assert len(loop.sent("confirmation", CANADA)) == 2


def test_replies_processed_out_of_order_keep_the_later_written_answer(loop: Loop) -> None:
    earlier = reply(sender=NORWAY, to=loop.personal_address(NORWAY), body="Norway will attend.",
                    written=at(20, 9))
    later = reply(sender=NORWAY, to=loop.personal_address(NORWAY),
                  body="Norway regrets that it will not be able to attend.", written=at(21, 9))

    loop.deliver(later, at(21, 9, 1))
    loop.deliver(earlier, at(21, 9, 5))  # the older message was delayed in transit

    assert loop.record(NORWAY).state.status.value == "declined"
    outcomes = [h.outcome.value for h in loop.desk.stores.history_since(loop.meeting.id, None)]
    assert outcomes == ["recorded", "superseded"]
    assert len(loop.sent("confirmation", NORWAY)) == 1, "no confirmation restating a superseded answer"


def test_a_reply_after_the_cutoff_gets_a_closed_notice_and_goes_to_review_unchanged(loop: Loop) -> None:
    loop.deliver(reply(sender=PERU, to=loop.personal_address(PERU), body="Confirmamos nuestra participación.",
                       written=at(1, 10, month=2)), at(1, 10, 1, month=2))
    cutoff = loop.meeting.rsvp_cutoff

    loop.deliver(reply(sender=PERU, to=loop.personal_address(PERU),
                       body="Lamentamos informar que no podremos participar.", written=cutoff + timedelta(hours=15)),
                 cutoff + timedelta(hours=15, minutes=1))

    assert loop.record(PERU).state.status.value == "accepted"
    closed = loop.sent("closed", PERU)
    assert len(closed) == 1
    assert "participa" in closed[0].get_payload()[0].get_payload(decode=True).decode()
    reviews = loop.desk.stores.open_reviews(loop.meeting.id)
    assert [r.outcome.value for r in reviews] == ["too_late"]
    assert reviews[0].email == PERU


def test_a_reply_sent_before_the_cutoff_but_processed_after_is_on_time(loop: Loop) -> None:
    cutoff = loop.meeting.rsvp_cutoff
    raw = reply(sender=PERU, to=loop.personal_address(PERU), body="Confirmamos.", written=cutoff - timedelta(minutes=5))
    loop.clock.current = cutoff - timedelta(minutes=1)
    loop.stack.deliver(raw, cutoff - timedelta(minutes=1), loop.clients)  # arrived in time
    loop.clock.current = cutoff + timedelta(hours=2)  # ...processed late (a retry, an outage)
    loop.stack.drain(inbound.handler, loop.clients)

    assert loop.record(PERU).state.status.value == "accepted"
    assert loop.sent("closed", PERU) == []


def test_an_auto_reply_changes_nothing_and_gets_no_answer(loop: Loop) -> None:
    loop.deliver(reply(sender=CANADA, to=loop.personal_address(CANADA), subject="Automatic reply: Invitation",
                       body="I am out of the office until 1 February.", written=at(18, 9, 1),
                       headers={"Auto-Submitted": "auto-replied"}), at(18, 9, 2))
    loop.deliver(reply(sender=NORWAY, to=loop.personal_address(NORWAY), subject="Out of Office",
                       body="I am currently out of the office with limited access to email.", written=at(18, 9, 1)),
                 at(18, 9, 2))

    assert loop.record(CANADA).state.status.value == "pending"
    assert loop.record(NORWAY).state.status.value == "pending"
    assert len(loop.sent()) == 12, "only the invitations: nothing answered the robots"


def test_a_stranger_without_a_tag_changes_nothing_and_goes_to_review(loop: Loop) -> None:
    loop.deliver(reply(sender="stranger@unknown.example.org", to=loop.meeting.mailbox,
                       body="We will attend. Please register Mr John Smith.", written=at(23, 8)), at(23, 8, 1))

    assert all(r.state.status.value == "pending" for r in loop.desk.stores.list_invitees(loop.meeting.id))
    reviews = loop.desk.stores.open_reviews(loop.meeting.id)
    assert [(r.outcome.value, r.from_address) for r in reviews] == [
        ("unknown_sender", "stranger@unknown.example.org")]
    assert len(loop.sent()) == 12, "no mail to an unknown sender (no backscatter)"


def test_an_invitee_address_in_from_without_a_tag_is_not_trusted_unless_verified(loop: Loop) -> None:
    spoofed = reply(sender=PERU, to=loop.meeting.mailbox, body="Lamentamos no poder participar.",
                    written=at(20, 9))
    loop.deliver(spoofed, at(20, 9, 1))
    assert loop.record(PERU).state.status.value == "pending"
    assert [r.outcome.value for r in loop.desk.stores.open_reviews(loop.meeting.id)] == ["unverified_sender"]

    verified = reply(sender=PERU, to=loop.meeting.mailbox, body="Confirmamos nuestra participación.",
                     written=at(20, 10))
    loop.deliver(verified, at(20, 10, 1), Verdicts.passing())  # our receiving server verified it
    assert loop.record(PERU).state.status.value == "accepted"


def test_a_reply_in_the_thread_of_the_invitation_is_matched_without_a_tag(loop: Loop) -> None:
    raw = reply(sender="colleague@mission-norway.example.org", to=loop.meeting.mailbox,
                body="Norway will attend, represented by Mr Erik Lunde.", written=at(20, 9),
                in_reply_to=loop.invitation_id(NORWAY))
    loop.deliver(raw, at(20, 9, 1), Verdicts.passing())

    assert loop.record(NORWAY).state.status.value == "accepted"
    confirmation = loop.sent("confirmation", NORWAY)[0]
    assert "colleague@mission-norway.example.org" in str(confirmation["Cc"]), "the verified colleague is copied"


def test_a_confirmation_is_never_copied_to_an_unverified_from(loop: Loop) -> None:
    raw = reply(sender="anyone@elsewhere.example.net", to=loop.personal_address(NORWAY),
                body="Norway will attend.", written=at(20, 9))
    loop.deliver(raw, at(20, 9, 1))

    assert loop.record(NORWAY).state.status.value == "accepted", "the personal address proves whose answer it is"
    [confirmation] = loop.sent("confirmation", NORWAY)
    assert confirmation["Cc"] is None and confirmation["To"].endswith(f"<{NORWAY}>")


def test_a_malformed_message_is_kept_flagged_and_does_not_crash(loop: Loop) -> None:
    garbage = b"\x00\xff\xfe not a mail message \x00\r\n\r\n\xc3\x28\xa0\xa1"
    key = loop.deliver(garbage, at(20, 9, 1))

    assert loop.dead_letters() == 0
    stored = loop.clients.s3.get_object(Bucket=loop.stack.bucket, Key=key)["Body"].read()
    assert stored.endswith(garbage), "the raw message is kept"
    reviews = loop.desk.stores.open_reviews("-") + loop.desk.stores.open_reviews(loop.meeting.id)
    assert [r.raw_key for r in reviews] == [key]
    assert len(loop.sent()) == 12


def test_an_unclear_reply_gets_one_clarification_request_and_goes_to_review(loop: Loop) -> None:
    for hour in (10, 11):
        loop.deliver(reply(sender=CANADA, to=loop.personal_address(CANADA),
                           body="Thank you. Will interpretation be available?", written=at(21, hour)),
                     at(21, hour, 1))

    assert loop.record(CANADA).state.status.value == "pending"
    assert len(loop.sent("clarify", CANADA)) == 1, "at most one request a day: no ping-pong"
    assert [r.outcome.value for r in loop.desk.stores.open_reviews(loop.meeting.id)] == ["unclear", "unclear"]


def test_a_bounce_marks_the_invitee_undeliverable_and_is_never_answered(loop: Loop) -> None:
    from rsvp.local.mailclients import bounce, invitation_facts

    invitation = loop.outbox / next(p.name for p in loop.outbox.glob(f"*-invitation-{CANADA}.eml"))
    raw = bounce(failed=CANADA, to=loop.meeting.mailbox, at=at(18, 9, 3),
                 invitation=invitation_facts(invitation.read_bytes()))
    loop.deliver(raw, at(18, 9, 4))

    assert loop.record(CANADA).state.delivery.value == "undeliverable"
    assert len(loop.sent()) == 12
    again = invite.handler({"meeting_id": loop.meeting.id, "only": [CANADA], "resend": True},
                           LambdaContext("InviteFunction"))
    assert again["queued"] == [] and again["skipped"] == [CANADA]


def test_a_message_that_keeps_failing_is_dead_lettered_and_can_be_replayed(loop: Loop) -> None:
    body = json.dumps({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "eu-west-1",
        "eventTime": "2021-01-20T09:00:00.000Z", "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": loop.stack.bucket}, "object": {"key": "inbound/not-yet-there"}}}]})
    loop.clients.sqs.send_message(QueueUrl=loop.stack.inbound_queue_url, MessageBody=body)

    for _ in range(loop.stack.max_receive_count + 1):
        loop.stack.drain(inbound.handler, loop.clients, max_rounds=1)
    assert loop.dead_letters() == 1

    raw = reply(sender=CANADA, to=loop.personal_address(CANADA), body="We will attend.", written=at(20, 8))
    loop.clients.s3.put_object(Bucket=loop.stack.bucket, Key="inbound/not-yet-there", Body=raw)
    loop.stack.drain(inbound.handler, loop.clients)  # the notification for the put itself
    moved = replay_dead_letters(loop.clients.sqs, loop.stack.dead_letter_queue_url, loop.stack.inbound_queue_url)
    loop.stack.drain(inbound.handler, loop.clients)

    assert moved == 1
    assert loop.dead_letters() == 0
    assert loop.record(CANADA).state.status.value == "accepted"
    assert len(loop.sent("confirmation", CANADA)) == 1, "the replayed copy is recognised as a duplicate"


def test_the_s3_test_event_is_ignored(loop: Loop) -> None:
    loop.clients.sqs.send_message(QueueUrl=loop.stack.inbound_queue_url, MessageBody=json.dumps(
        {"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2021-01-18T09:00:00.000Z",
         "Bucket": loop.stack.bucket}))
    counts = loop.stack.drain(inbound.handler, loop.clients)
    assert counts["failed"] == 0
    assert loop.dead_letters() == 0


# ---------------------------------------------------------------------- digest


def test_the_digest_goes_out_once_a_day_after_its_local_time_with_what_changed(loop: Loop) -> None:
    loop.deliver(reply(sender=CANADA, to=loop.personal_address(CANADA), body="We will attend.",
                       written=at(19, 16)), at(19, 16, 1))
    schedule: dict[str, Any] = {"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}}

    loop.clock.current = at(20, 7, 0)
    assert digest.handler(schedule, LambdaContext("DigestFunction"))["sent"] == [], "before 08:00 local"
    loop.clock.current = at(20, 8, 0)
    assert digest.handler(schedule, LambdaContext("DigestFunction"))["sent"] == [loop.meeting.id]
    loop.clock.current = at(20, 9, 0)
    assert digest.handler(schedule, LambdaContext("DigestFunction"))["sent"] == [], "once a day"

    digests = loop.sent("digest")
    assert len(digests) == 1
    assert digests[0]["To"] == "isu-events@minefree-americas.example.org"
    text = _plain(digests[0])
    assert CANADA in text and "No answer -> Accepted" in text
    assert "Days left to the cutoff: 19" in text
    assert "No answer yet (11; Days left to the cutoff: 19)" in text
    attached = [p for p in digests[0].walk() if p.get_filename()]
    assert [p.get_filename() for p in attached] == [f"{loop.meeting.id}-participants-2021-01-20.csv"]
    participants = attached[0].get_payload(decode=True).decode("utf-8-sig").splitlines()
    assert participants[0].startswith("organisation,category,title,name")
    assert len(participants) == 2 and CANADA in participants[1]

    loop.clock.current = at(21, 8, 30)
    digest.handler(schedule, LambdaContext("DigestFunction"))
    second = _plain(loop.sent("digest")[1])
    assert second.strip().startswith("No change since the last digest — Thursday, 21 January 2021: ")
    assert len(second.strip().splitlines()) == 1, "a quiet day is one line"
    assert CANADA not in second.split("No answer yet")[0]


def _plain(message: Any) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain" and not p.get_filename())
    return str(part.get_payload(decode=True).decode())
