"""A desk on moto, fed through the real inbound handler as SES, S3 and SQS feed it in AWS, for the suites that
attack it (spoofing, faults, concurrency). One stack serves a whole module; each case loads its own copy of
the seed meeting (its own id, so its own invitees, tags, history and review queue).

Redelivery is emulated as SQS does it: a record that fails becomes visible again after the queue's visibility
timeout, so the clock moves on by that much before the next round, and after maxReceiveCount deliveries the
message goes to the dead-letter queue.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from moto import mock_aws

from rsvp.adapters.aws import AwsClients, SesMailer, aws_clients
from rsvp.app import App as Desk
from rsvp.domain.invitees import Invitee, load_invitees
from rsvp.domain.meeting import Meeting, load_meeting
from rsvp.domain.records import HistoryEntry, InviteeRecord, ReviewItem
from rsvp.domain.tags import reply_address
from rsvp.handlers import inbound, runtime
from rsvp.local.stack import ClockSleeper, LocalSesEvents, LocalStack, Verdicts, provision, read_template
from rsvp.mail.message import OutgoingEmail
from tests.conftest import EXAMPLE, ZURICH, FakeClock

VISIBILITY_TIMEOUT = timedelta(seconds=int(read_template()["Resources"]["InboundQueue"]["Properties"][
    "VisibilityTimeout"]))
PERU = "desarme@mission-peru.example.org"
CANADA = "disarmament@mission-canada.example.org"
NORWAY = "gva.disarmament@mission-norway.example.org"


@dataclass
class Recorder:
    """Wraps the mailer: every message SES accepted, in order."""

    inner: Any
    sent: list[OutgoingEmail] = field(default_factory=list)

    def send(self, email: OutgoingEmail) -> str:
        provider_id = str(self.inner.send(email))
        self.sent.append(email)
        return provider_id


@dataclass
class MotoDesk:
    stack: LocalStack
    clients: AwsClients
    clock: FakeClock
    recorder: Recorder
    seed: Meeting
    invitees: list[Invitee]
    meeting: Meeting
    events_desk: Desk | None = None  # the SES-events function's own container
    numbers: Iterator[int] = field(default_factory=itertools.count)

    @property
    def desk(self) -> Desk:
        return runtime.app()

    def new_meeting(self, **changes: Any) -> Meeting:
        """A fresh copy of the seed meeting (own id, own invitees and tags), now the one the case works on."""
        number = next(self.numbers)
        local, _, domain = self.seed.mailbox.partition("@")
        changes = {"mailbox": f"{local}-{number}@{domain}", **changes}
        self.meeting = replace(self.seed, id=f"{self.seed.id}-{number}", **changes)
        self.desk.catalog.load(self.meeting, self.invitees)
        return self.meeting

    # ---------------------------------------------------------------- mail in
    def personal_address(self, email: str, meeting: Meeting | None = None) -> str:
        meeting = meeting or self.meeting
        return reply_address(meeting.mailbox, self.record(email, meeting).tag)

    def store(self, raw: bytes, at: datetime, verdicts: Verdicts | None = None) -> str:
        """SES receiving stores the message (and S3 tells the inbound queue); nothing is processed yet."""
        self.clock.current = at
        return self.stack.deliver(raw, at, self.clients, verdicts)

    def deliver(self, raw: bytes, at: datetime, verdicts: Verdicts | None = None) -> str:
        key = self.store(raw, at, verdicts)
        self.drain()
        return key

    def drain(self, rounds: int | None = None) -> int:
        """Hand the queue to the inbound handler as the event source mapping does, letting the visibility
        timeout pass between redeliveries; returns how many records failed in all."""
        failed = 0
        for _ in range(rounds or self.stack.max_receive_count + 1):
            counts = self.stack.drain(inbound.handler, self.clients, max_rounds=1, after_batch=self.ses_events)
            failed += counts["failed"]
            if not counts["records"]:
                break
            if counts["failed"]:
                self.clock.current = self.clock.current + VISIBILITY_TIMEOUT
        return failed

    def ses_events(self) -> None:
        """SES's Send events for what the batch sent, handled by the SES-events function in its own container."""
        inbound_desk = runtime.app()
        runtime.install(self.events_desk or inbound_desk)
        try:
            self.stack.ses_events.deliver()
        finally:
            runtime.install(inbound_desk)

    # ---------------------------------------------------------------- what the desk did
    def record(self, email: str, meeting: Meeting | None = None) -> InviteeRecord:
        found = self.desk.stores.get_invitee((meeting or self.meeting).id, email)
        assert found is not None
        return found

    def status(self, email: str) -> str:
        return self.record(email).state.status.value

    def history(self, email: str | None = None) -> list[HistoryEntry]:
        entries = self.desk.stores.history_since(self.meeting.id, None)
        return [h for h in entries if email is None or h.email == email]

    def reviews(self) -> list[ReviewItem]:
        return self.desk.stores.open_reviews(self.meeting.id) + self.desk.stores.open_reviews("-")

    def answers(self, to: str | None = None, kind: str | None = None) -> list[OutgoingEmail]:
        """The answers the desk sent for the current meeting."""
        return [e for e in self.recorder.sent if e.tags.get("meeting") == self.meeting.id and e.kind != "invitation"
                and (to is None or e.to[0].email == to) and (kind is None or e.kind == kind)]

    def dead_letters(self) -> int:
        attributes = self.clients.sqs.get_queue_attributes(QueueUrl=self.stack.dead_letter_queue_url,
                                                           AttributeNames=["ApproximateNumberOfMessages"])
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])

    def purge_dead_letters(self) -> None:
        self.discard(self.stack.dead_letter_queue_url)

    def discard(self, queue_url: str = "") -> None:
        """Empty a queue (the inbound one by default), as purge_queue would without its once-a-minute limit."""
        url = queue_url or self.stack.inbound_queue_url
        while messages := self.clients.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            for message in messages:
                self.clients.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def install(self, desk: Desk) -> None:
        runtime.install(desk)


def build_app(stack: LocalStack, clients: AwsClients, clock: FakeClock, recorder: Recorder) -> Desk:
    """The Desk as the functions build it (bootstrap), sending through SES on moto with SES's Send events."""
    from rsvp.bootstrap import build_app as bootstrap

    return bootstrap(stack.settings(), clock=clock, sleeper=ClockSleeper(clock), mailer=recorder)


def moto_desk(tmp_name: str = "attack") -> Iterator[MotoDesk]:
    """A module's desk on moto: provisioned from template.yaml, the functions' Desk installed."""
    with mock_aws():
        clients = aws_clients("eu-west-1")
        seed = load_meeting(EXAMPLE / "meeting.yaml")
        stack = provision(clients, region="eu-west-1", mailbox=seed.mailbox, sender=seed.mailbox, name=tmp_name)
        clock = FakeClock(datetime(2021, 1, 20, 9, 0, tzinfo=ZURICH))
        events = LocalSesEvents(SesMailer(clients.ses, stack.configuration_set), stack.region,
                                stack.configuration_set)
        stack.ses_events = events
        recorder = Recorder(events)
        runtime.install(build_app(stack, clients, clock, recorder))
        try:
            invitees = load_invitees(EXAMPLE / "invitees.csv", seed)
            world = MotoDesk(stack, clients, clock, recorder, seed, invitees, seed,
                             events_desk=build_app(stack, clients, clock, recorder))
            world.new_meeting()
            yield world
        finally:
            runtime.install(None)


def at(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2021, month, day, hour, minute, tzinfo=ZURICH)
