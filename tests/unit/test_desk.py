"""The Desk's use cases as specifications, on in-memory fakes (the moto end-to-end tests cover AWS)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from rsvp.domain.invitees import Invitee
from rsvp.domain.meeting import Meeting
from rsvp.domain.rsvp import Answer, Outcome, Status
from rsvp.domain.tags import reply_address
from rsvp.services import Desk
from tests.conftest import ZURICH, FakeClock
from tests.fakes import FakeMailer, FakeStore, InMemoryRepository
from tests.support import reply

CANADA = "disarmament@mission-canada.example.org"


@dataclass
class World:
    desk: Desk
    repo: InMemoryRepository
    store: FakeStore
    mailer: FakeMailer
    clock: FakeClock
    meeting: Meeting

    def arrive(self, raw: bytes, at: datetime) -> Outcome:
        key = f"inbound/{len(self.store.objects)}"
        self.store.objects[key] = f"Received: by inbound-smtp; {at:%a, %d %b %Y %H:%M:%S %z}\r\n".encode() + raw
        self.clock.current = at
        return self.desk.process_inbound(key).outcome

    def to(self, email: str) -> str:
        record = self.repo.get_invitee(self.meeting.id, email)
        assert record is not None
        return reply_address(self.meeting.mailbox, record.tag)

    def status(self, email: str) -> str:
        record = self.repo.get_invitee(self.meeting.id, email)
        assert record is not None
        return record.state.status.value


@pytest.fixture
def world(meeting: Meeting, invitees: list[Invitee], clock: FakeClock) -> World:
    repo, store, mailer = InMemoryRepository(), FakeStore(), FakeMailer()
    desk = Desk(repo=repo, store=store, mailer=mailer, clock=clock, secret=b"test-key",
                sender_address=meeting.mailbox)
    desk.load(meeting, invitees)
    return World(desk, repo, store, mailer, clock, meeting)


def at(day: int, hour: int, month: int = 1) -> datetime:
    return datetime(2021, month, day, hour, tzinfo=ZURICH)


def test_a_failed_send_is_reported_and_retried_by_the_next_run_without_resending_the_others(world: World) -> None:
    world.mailer.fail_for = {CANADA}
    first = world.desk.send_invitations(world.meeting.id)
    world.mailer.fail_for = set()
    second = world.desk.send_invitations(world.meeting.id)

    assert len(first.sent) == 11 and list(first.failed) == [CANADA]
    assert second.sent == [CANADA]
    assert world.mailer.kinds().count("invitation") == 12


def test_reloading_the_meeting_keeps_the_answers(world: World, invitees: list[Invitee]) -> None:
    world.desk.send_invitations(world.meeting.id)
    world.arrive(reply(sender=CANADA, to=world.to(CANADA), body="We will attend.", written=at(19, 9)), at(19, 9))
    world.desk.load(world.meeting, invitees)
    assert world.status(CANADA) == "accepted"


def test_a_retry_after_a_crash_between_sending_and_noting_does_not_resend(world: World) -> None:
    world.desk.send_invitations(world.meeting.id)
    raw = reply(sender=CANADA, to=world.to(CANADA), body="We will attend.", written=at(19, 9))
    world.store.objects["inbound/x"] = raw
    world.clock.current = at(19, 9)
    world.desk.process_inbound("inbound/x")
    key = next(iter(world.repo.claims))
    world.repo.claims[key]["state"] = "processing"  # as if the function died before finishing

    world.clock.current = at(19, 10)  # after the lease: SQS redelivers
    result = world.desk.process_inbound("inbound/x")

    assert result.outcome is Outcome.RECORDED
    assert world.mailer.kinds(CANADA).count("confirmation") == 1


def test_a_concurrent_later_answer_wins_the_race_between_read_and_write(world: World) -> None:
    world.desk.send_invitations(world.meeting.id)
    later = Answer(Status.DECLINED, None, (), 0, at(20, 9), "zzz")
    original = world.repo.write_answer

    def racing_write(meeting_id: str, email: str, answer: Answer) -> bool:
        original(meeting_id, email, later)  # another invocation records a later-written reply first
        return original(meeting_id, email, answer)

    world.repo.write_answer = racing_write  # type: ignore[method-assign]
    outcome = world.arrive(reply(sender=CANADA, to=world.to(CANADA), body="We will attend.", written=at(19, 9)),
                           at(20, 10))

    assert outcome is Outcome.SUPERSEDED
    assert world.status(CANADA) == "declined"
    assert "confirmation" not in world.mailer.kinds(CANADA)


def test_mail_from_the_desks_own_address_is_never_answered(world: World) -> None:
    world.desk.send_invitations(world.meeting.id)
    outcome = world.arrive(reply(sender=world.meeting.mailbox, to=world.to(CANADA), body="We will attend.",
                                 written=at(19, 9)), at(19, 9))
    assert outcome is Outcome.AUTO_REPLY
    assert world.mailer.kinds(CANADA) == ["invitation"]


def test_a_digest_that_fails_to_send_is_released_for_the_retry(world: World) -> None:
    world.clock.current = at(25, 9)
    world.mailer.fail_for = {"isu-events@minefree-americas.example.org"}
    with pytest.raises(RuntimeError):
        world.desk.run_digests()
    world.mailer.fail_for = set()
    assert world.desk.run_digests() == [world.meeting.id]
    assert world.desk.run_digests() == []


def test_no_digest_after_the_meeting_is_over(world: World) -> None:
    world.clock.current = world.meeting.ends_at + timedelta(days=2)
    assert world.desk.run_digests() == []
