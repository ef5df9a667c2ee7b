"""The rules that once lived in two or three places and disagreed, each now in one: specs for the bugs that
came from the copies (the cutoff minute, mail from our own address, a stale meeting after a load)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from rsvp.app import App
from rsvp.domain.invitees import Invitee
from rsvp.domain.meeting import Meeting
from rsvp.domain.rsvp import Outcome
from rsvp.domain.tags import base_mailbox, reply_address
from rsvp.reading.authentication import ReceivingServer
from tests.conftest import ZURICH, FakeClock
from tests.fakes import FakeJobQueue, FakeMailer, FakeStore, InMemoryRepository
from tests.support import reply

CANADA = "disarmament@mission-canada.example.org"
RECEIVING = ReceivingServer("rsvp.test", ("inbound-smtp.rsvp.test",))
SENDER = "no-reply@notifications.minefree-americas.example.org"  # SENDER_ADDRESS, not the meeting's mailbox


def desk(meeting: Meeting, invitees: list[Invitee], clock: FakeClock, stores: InMemoryRepository | None = None,
         jobs: FakeJobQueue | None = None, store: FakeStore | None = None) -> App:
    app = App(stores=stores or InMemoryRepository(), store=store or FakeStore(), mailer=FakeMailer(), clock=clock,
              secret=b"test-key", sender_address=SENDER, receiving=RECEIVING, jobs=jobs or FakeJobQueue())
    app.catalog.load(meeting, invitees)
    return app


def arrive(app: App, raw: bytes, at: datetime) -> Outcome:
    key = f"inbound/{len(app.store.objects)}"  # type: ignore[attr-defined]
    app.store.put(key, (f"Received: from sender.example by {RECEIVING.hosts[0]}; "
                        f"{at:%a, %d %b %Y %H:%M:%S %z}\r\n").encode() + raw)
    app.clock.current = at  # type: ignore[attr-defined]
    return app.inbound.process(key).outcome


def personal(app: App, meeting: Meeting, email: str) -> str:
    record = app.stores.get_invitee(meeting.id, email)
    assert record is not None
    return reply_address(meeting.mailbox, record.tag)


# ---------------------------------------------------------------------- the cutoff


def test_at_the_cutoff_instant_the_organiser_sees_registration_open_as_replies_are_judged(
        meeting: Meeting, invitees: list[Invitee], clock: FakeClock) -> None:
    app = desk(meeting, invitees, clock)
    organiser = app.organiser("ana")

    assert not organiser.status(meeting.id, meeting.rsvp_cutoff).closed
    assert organiser.status(meeting.id, meeting.rsvp_cutoff + timedelta(seconds=1)).closed


def test_a_reply_received_at_the_cutoff_instant_is_recorded_and_one_a_second_later_is_too_late(
        meeting: Meeting, invitees: list[Invitee], clock: FakeClock) -> None:
    app = desk(meeting, invitees, clock)
    on_time = reply(sender=CANADA, to=personal(app, meeting, CANADA), body="We will attend.",
                    written=meeting.rsvp_cutoff - timedelta(minutes=5))
    late = reply(sender=CANADA, to=personal(app, meeting, CANADA), body="We will not attend after all.",
                 written=meeting.rsvp_cutoff - timedelta(minutes=1))

    assert arrive(app, on_time, meeting.rsvp_cutoff) is Outcome.RECORDED
    assert arrive(app, late, meeting.rsvp_cutoff + timedelta(seconds=1)) is Outcome.TOO_LATE


# ---------------------------------------------------------------------- mail from ourselves


def test_the_base_mailbox_of_an_address_drops_its_tag_and_case() -> None:
    assert base_mailbox("Registration+AbC234@Desk.Example.ORG") == "registration@desk.example.org"
    assert base_mailbox("registration@desk.example.org") == "registration@desk.example.org"


@pytest.mark.parametrize("sender", ["mailbox", "sender address", "another tag of the mailbox"])
def test_mail_from_the_desk_itself_is_never_read_as_an_answer_when_its_from_is_not_its_mailbox(
        meeting: Meeting, invitees: list[Invitee], clock: FakeClock, sender: str) -> None:
    app = desk(meeting, invitees, clock)
    local, _, domain = meeting.mailbox.partition("@")
    address = {"mailbox": meeting.mailbox, "sender address": SENDER,
               "another tag of the mailbox": f"{local}+zzzz2345zzzz2345@{domain}"}[sender]
    raw = reply(sender=address, to=personal(app, meeting, CANADA), body="We will attend.",
                written=datetime(2021, 1, 20, 9, tzinfo=ZURICH))

    assert arrive(app, raw, datetime(2021, 1, 20, 9, 1, tzinfo=ZURICH)) is Outcome.AUTO_REPLY
    assert app.mailer.sent == []  # type: ignore[attr-defined]
    record = app.stores.get_invitee(meeting.id, CANADA)
    assert record is not None and record.state.answer is None


# ---------------------------------------------------------------------- the meeting a sender holds


def test_an_invitation_queued_right_after_a_load_goes_out_with_the_meeting_as_loaded(
        meeting: Meeting, invitees: list[Invitee], clock: FakeClock) -> None:
    stores, jobs, store = InMemoryRepository(), FakeJobQueue(), FakeStore()
    sender = desk(meeting, invitees, clock, stores, jobs, store)  # the sender function's container
    sender.invitations.queue_all(meeting.id)
    for job in jobs.jobs:
        sender.sender.deliver(job)  # it now holds the meeting in its cache
    moved = replace(meeting, sessions=tuple(replace(s, start=s.start + timedelta(hours=2), end=s.end
                                                    + timedelta(hours=2)) for s in meeting.sessions))
    organisers = desk(moved, invitees, clock, stores, jobs, store)  # `rsvp meeting load`, then `invite --resend`
    queued = len(jobs.jobs)
    organisers.invitations.queue_all(meeting.id, {CANADA}, resend=True)

    [job] = jobs.jobs[queued:]
    sender.sender.deliver(job)
    resent = sender.mailer.sent[-1]  # type: ignore[attr-defined]
    was, now = (m.sessions[0].start.astimezone(ZURICH) for m in (meeting, moved))
    assert resent.to[0].email == CANADA and f"{now:%H:%M}" in resent.text and f"{was:%H:%M}" not in resent.text
    assert sender.catalog.get(meeting.id) == moved
