"""The Desk's use cases as specifications, on in-memory fakes (the moto end-to-end tests cover AWS)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from rsvp.app import App as Desk
from rsvp.domain.invitees import Invitee
from rsvp.domain.meeting import Meeting
from rsvp.domain.rsvp import Answer, Outcome, Status
from rsvp.domain.sending import RetryLater, SendJob, SendOutcome, SendRejected
from rsvp.domain.tags import reply_address
from rsvp.reading.authentication import ReceivingServer
from rsvp.usecases.ses_events import EventOutcome
from tests.conftest import ZURICH, FakeClock
from tests.fakes import FakeJobQueue, FakeMailer, FakeSleeper, FakeStore, InMemoryRepository
from tests.support import reply

CANADA = "disarmament@mission-canada.example.org"
RECEIVING = ReceivingServer("rsvp.test", ("inbound-smtp.rsvp.test",))


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
        self.store.objects[key] = (f"Received: from sender.example by {RECEIVING.hosts[0]}; "
                                   f"{at:%a, %d %b %Y %H:%M:%S %z}\r\n").encode() + raw
        self.clock.current = at
        return self.desk.inbound.process(key).outcome

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
    desk = Desk(stores=repo, store=store, mailer=mailer, clock=clock, secret=b"test-key",
                sender_address=meeting.mailbox, receiving=RECEIVING, jobs=FakeJobQueue())
    desk.catalog.load(meeting, invitees)
    return World(desk, repo, store, mailer, clock, meeting)


def at(day: int, hour: int, month: int = 1) -> datetime:
    return datetime(2021, month, day, hour, tzinfo=ZURICH)


def test_a_rejected_address_is_recorded_and_does_not_stop_the_others(world: World) -> None:
    world.mailer.fail_for = {CANADA}
    report = world.desk.invitations.send_now(world.meeting.id)

    assert len(report.sent) == 11 and report.failed == {CANADA: "rejected"}
    assert world.repo.send_progress(world.meeting.id, "invitation-1") == {"sent": 11, "rejected": 1}
    assert world.mailer.kinds().count("invitation") == 11
    world.clock.current = at(19, 9)
    world.desk.digests.run()
    digest = next(e for e in world.mailer.sent if e.kind == "digest")
    assert "Invitations: 1 rejected, 11 sent" in digest.text
    assert f"{CANADA}: rejected — MessageRejected: {CANADA}" in digest.text


# ---------------------------------------------------------------------- sending at scale


def queue(world: World) -> list[SendJob]:
    """The jobs one `queue_all` puts on the queue."""
    before = len(world.desk.jobs.jobs)  # type: ignore[attr-defined]
    world.desk.invitations.queue_all(world.meeting.id)
    return list(world.desk.jobs.jobs[before:])  # type: ignore[attr-defined]


def test_each_invitee_gets_one_job_and_a_rerun_queues_only_what_is_unsent(world: World) -> None:
    jobs = queue(world)
    for job in jobs[:5]:
        world.desk.sender.deliver(job)
    again = queue(world)

    assert len(jobs) == 12 and {j.sending for j in jobs} == {"invitation-1"}
    assert sorted(j.email for j in again) == sorted(j.email for j in jobs[5:])


def test_a_job_delivered_twice_sends_once(world: World) -> None:
    job = queue(world)[0]
    assert world.desk.sender.deliver(job) == "sent"
    assert world.desk.sender.deliver(job) is SendOutcome.ALREADY_SENT
    assert world.mailer.kinds(job.email) == ["invitation"]


def test_a_crash_after_ses_accepted_is_settled_by_the_ses_send_event_without_a_second_message(world: World) -> None:
    job = queue(world)[0]
    world.mailer.crash_after_send = True
    with pytest.raises(SystemError):
        world.desk.sender.deliver(job)
    with pytest.raises(RetryLater):
        world.desk.sender.deliver(job)  # redelivered at once: the first attempt's outcome is not known yet
    sent = world.mailer.sent[0]
    world.desk.ses_events.handle({"eventType": "Send", "mail": {"messageId": "ses-0001", "tags": {
        k: [v] for k, v in sent.tags.items()}}})

    assert world.desk.sender.deliver(job) is SendOutcome.ALREADY_SENT
    assert world.mailer.kinds(job.email) == ["invitation"]
    record = world.repo.get_invitee(world.meeting.id, job.email)
    assert record is not None and record.state.invited_at is not None


def test_an_attempt_that_died_before_sending_is_retried_once_its_claim_is_stale(world: World) -> None:
    job = queue(world)[0]
    world.repo.claim_send(world.meeting.id, job.email, job.sending, world.clock.now(), 600)  # claimed, then died
    with pytest.raises(RetryLater):
        world.desk.sender.deliver(job)
    world.clock.current += timedelta(minutes=11)
    assert world.desk.sender.deliver(job) == "sent"
    assert world.mailer.kinds(job.email) == ["invitation"]


def test_throttling_backs_off_and_the_message_still_goes_once(world: World) -> None:
    world.desk = replace(world.desk, sleeper=FakeSleeper(world.clock))
    job = queue(world)[0]
    world.mailer.throttle_next = 3
    assert world.desk.sender.deliver(job) == "sent"
    assert len(world.desk.sleeper.slept) == 3  # type: ignore[attr-defined]
    assert world.mailer.kinds(job.email) == ["invitation"]


def test_reminders_go_once_on_each_reminder_day_to_those_who_have_not_answered(world: World) -> None:
    world.desk.invitations.send_now(world.meeting.id)
    world.arrive(reply(sender=CANADA, to=world.to(CANADA), body="We will attend.", written=at(19, 9)), at(19, 9))
    norway = "gva.disarmament@mission-norway.example.org"
    world.arrive(reply(sender=norway, to=world.to(norway), body="Please unsubscribe me.", subject="UNSUBSCRIBE",
                       written=at(19, 10)), at(19, 10))
    world.clock.current = at(1, 7, month=2)  # cutoff 8 February: 7 days before, before the digest hour
    assert world.desk.reminders.run() == []
    world.clock.current = at(1, 8, month=2)
    first = world.desk.reminders.run()
    world.clock.current = at(1, 9, month=2)
    again = world.desk.reminders.run()

    jobs = world.desk.jobs.jobs  # type: ignore[union-attr]
    assert first == ["mine-free-americas-2021:reminder-7:10"] and again == []
    assert CANADA not in {j.email for j in jobs} and norway not in {j.email for j in jobs}
    for job in jobs:
        world.desk.sender.deliver(job)
    reminder = next(e for e in world.mailer.sent if e.kind == "reminder" and e.language == "es")
    assert "Recordatorio" in reminder.subject and "UNSUBSCRIBE" in reminder.list_unsubscribe


def test_an_unsubscribe_reply_stops_reminders_and_gets_no_answer(world: World) -> None:
    world.desk.invitations.send_now(world.meeting.id)
    outcome = world.arrive(reply(sender=CANADA, to=world.to(CANADA), body="Please remove me from your mailing list.",
                                 written=at(19, 9)), at(19, 9))
    record = world.repo.get_invitee(world.meeting.id, CANADA)
    assert outcome is Outcome.UNSUBSCRIBED and record is not None and record.state.no_reminders
    assert world.mailer.kinds(CANADA) == ["invitation"]
    assert [h.outcome for h in world.repo.history] == [Outcome.UNSUBSCRIBED]


def test_ses_bounce_and_complaint_events_stop_further_mail(world: World) -> None:
    world.desk.invitations.send_now(world.meeting.id)
    tags = {k: [v] for k, v in world.mailer.sent[0].tags.items()}
    first = world.mailer.sent[0].to[0].email
    assert world.desk.ses_events.handle({"eventType": "Bounce", "bounce": {"bounceType": "Permanent",
                                                                        "bounceSubType": "NoEmail"},
                                      "mail": {"messageId": "x", "tags": tags}}) is EventOutcome.UNDELIVERABLE
    tags2 = {k: [v] for k, v in world.mailer.sent[1].tags.items()}
    assert world.desk.ses_events.handle({"eventType": "Complaint", "mail": {"messageId": "y", "tags": tags2}}) == \
        "complained"
    unknown = {"eventType": "Bounce", "mail": {"tags": {"invitee": ["nope"]}}}
    assert world.desk.ses_events.handle(unknown) is EventOutcome.NOT_OURS
    record = world.repo.get_invitee(world.meeting.id, first)
    assert record is not None and record.state.delivery.value == "undeliverable"
    assert [h.outcome for h in world.repo.history] == [Outcome.BOUNCE, Outcome.COMPLAINT]


def test_reloading_the_meeting_keeps_the_answers(world: World, invitees: list[Invitee]) -> None:
    world.desk.invitations.send_now(world.meeting.id)
    world.arrive(reply(sender=CANADA, to=world.to(CANADA), body="We will attend.", written=at(19, 9)), at(19, 9))
    world.desk.catalog.load(world.meeting, invitees)
    assert world.status(CANADA) == "accepted"


def test_a_retry_after_a_crash_between_sending_and_noting_does_not_resend(world: World) -> None:
    world.desk.invitations.send_now(world.meeting.id)
    raw = reply(sender=CANADA, to=world.to(CANADA), body="We will attend.", written=at(19, 9))
    world.store.objects["inbound/x"] = raw
    world.clock.current = at(19, 9)
    world.desk.inbound.process("inbound/x")
    key = next(iter(world.repo.claims))
    world.repo.claims[key]["state"] = "processing"  # as if the function died before finishing

    world.clock.current = at(19, 10)  # after the lease: SQS redelivers
    result = world.desk.inbound.process("inbound/x")

    assert result.outcome is Outcome.RECORDED
    assert world.mailer.kinds(CANADA).count("confirmation") == 1


def test_a_concurrent_later_answer_wins_the_race_between_read_and_write(world: World) -> None:
    world.desk.invitations.send_now(world.meeting.id)
    later = Answer(Status.DECLINED, None, (), 0, at(20, 9), "zzz")
    original = world.repo.commit_decision

    def racing_commit(message_key: str, decision: Any, history: Any, **kwargs: Any) -> bool:
        world.repo.write_answer(world.meeting.id, CANADA, later)  # another invocation records a later reply first
        return original(message_key, decision, history, **kwargs)

    world.repo.commit_decision = racing_commit  # type: ignore[method-assign]
    outcome = world.arrive(reply(sender=CANADA, to=world.to(CANADA), body="We will attend.", written=at(19, 9)),
                           at(20, 10))

    assert outcome is Outcome.SUPERSEDED
    assert world.status(CANADA) == "declined"
    assert "confirmation" not in world.mailer.kinds(CANADA)
    assert [h.outcome for h in world.repo.history_of(world.meeting.id, CANADA)] == [Outcome.SUPERSEDED]


def test_mail_from_the_desks_own_address_is_never_answered(world: World) -> None:
    world.desk.invitations.send_now(world.meeting.id)
    outcome = world.arrive(reply(sender=world.meeting.mailbox, to=world.to(CANADA), body="We will attend.",
                                 written=at(19, 9)), at(19, 9))
    assert outcome is Outcome.AUTO_REPLY
    assert world.mailer.kinds(CANADA) == ["invitation"]


def test_an_answer_a_machine_sent_for_a_person_is_recorded_and_never_answered(world: World) -> None:
    world.desk.invitations.send_now(world.meeting.id)
    note = ("The Permanent Mission of Canada has the honour to confirm that Ms. Ana Torres, Counsellor, "
            "will attend both sessions.")
    outcome = world.arrive(reply(sender=CANADA, to=world.to(CANADA), body=note, written=at(19, 9),
                                 headers={"Auto-Submitted": "auto-generated"}), at(19, 9))
    assert outcome is Outcome.RECORDED and world.status(CANADA) == "accepted"
    assert world.mailer.kinds(CANADA) == ["invitation"], "no confirmation goes back to a robot"


def test_who_comes_on_which_day_is_recorded_per_person_and_confirmed_so(world: World) -> None:
    from rsvp.participants import participant_rows

    world.desk.invitations.send_now(world.meeting.id)
    body = ("Estimados:\n\nEl día 10 participará la Lic. Carmen Soto Aguilar; el 11, el Ing. Raúl Méndez.\n\n"
            "Atentamente,\nCoordinación")
    assert world.arrive(reply(sender=CANADA, to=world.to(CANADA), body=body, written=at(19, 9)), at(19, 9)) \
        is Outcome.RECORDED
    record = world.repo.get_invitee(world.meeting.id, CANADA)
    assert record is not None and record.state.answer is not None
    answer = record.state.answer
    assert answer.sessions is None and answer.attendee_count == 2, "together they come to both sessions"
    assert answer.sessions_of("Lic. Carmen Soto Aguilar") == ("day1",)
    assert answer.sessions_of("Ing. Raúl Méndez") == ("day2",)
    rows = {row.name: row.sessions for row in participant_rows(world.meeting, [record])}
    assert rows == {"Carmen Soto Aguilar": ("day1",), "Raúl Méndez": ("day2",)}
    confirmation = next(e for e in world.mailer.sent if e.kind == "confirmation")
    first, second = (s.title_in(confirmation.language) for s in world.meeting.sessions)
    assert f"Carmen Soto Aguilar ({first})" in confirmation.text and f"Raúl Méndez ({second})" in confirmation.text


def test_a_digest_that_fails_to_send_is_released_for_the_retry(world: World) -> None:
    world.clock.current = at(25, 9)
    world.mailer.fail_for = {"isu-events@minefree-americas.example.org"}
    with pytest.raises(SendRejected):
        world.desk.digests.run()
    world.mailer.fail_for = set()
    assert world.desk.digests.run() == [world.meeting.id]
    assert world.desk.digests.run() == []


def test_no_digest_after_the_meeting_is_over(world: World) -> None:
    world.clock.current = world.meeting.ends_at + timedelta(days=2)
    assert world.desk.digests.run() == []
