"""No reply lost, no answer confirmed twice: faults injected into the real inbound handler on moto.

For each scenario a clean run is recorded first: the calls the desk makes (on the repository, the mail store and
the mailer) and the AWS operations behind them. Then, for each call in turn, a fresh meeting is run with
  - a crash (an exception, as if the function died) right after that call completed, or
  - that AWS operation failing with throttling that outlasted botocore's retries (or, for SES, the desk's own
    backoff),
and SQS's redelivery (after the visibility timeout, up to maxReceiveCount) does the rest. The final state must be
the clean run's: the answer recorded as once, the reply to the invitee sent exactly once (or a review item
saying why not), one history entry, the same review items, nothing in the dead-letter queue, the claim done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from rsvp.app import App as Desk
from rsvp.domain.records import InboundClaim
from rsvp.domain.sending import SendRejected
from tests.integration.harness import CANADA, PERU, MotoDesk, Recorder, at, build_app, moto_desk
from tests.support import reply


class InjectedCrash(Exception):
    """The function dying in the middle of its work."""


@pytest.fixture(scope="module")
def world() -> Iterator[MotoDesk]:
    yield from moto_desk("faults")


# ---------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    name: str
    body: str
    written: datetime
    received: datetime
    answer: str  # the reply's kind the invitee must receive exactly once ("" when none is due)
    status: str
    review: tuple[str, ...] = ()
    rejected: bool = False  # SES refuses the answer for good


SCENARIOS = {s.name: s for s in [
    Scenario("acceptance", "Confirmamos la participación del Excmo. Sr. Luis Ugarelli y de la Sra. Carla Moreno.",
             at(20, 9), at(20, 9, 1), "confirmation", "accepted"),
    Scenario("unclear", "¿Habrá interpretación al inglés?", at(20, 9), at(20, 9, 1), "clarify", "pending",
             ("unclear",)),
    Scenario("late", "Confirmamos nuestra participación.", at(9, 9, month=2), at(9, 9, 1, month=2), "closed",
             "pending", ("too_late",)),
    Scenario("refused by SES", "Confirmamos nuestra participación.", at(20, 9), at(20, 9, 1), "", "accepted",
             ("not_confirmed",), rejected=True),
]}


@dataclass
class Outcome:
    status: str
    attendees: tuple[str, ...]
    history: list[tuple[str, str | None]]
    answers: list[str]
    reviews: list[str]
    dead_letters: int
    claims_done: bool


def run(world: MotoDesk, scenario: Scenario, prepare: Callable[[Desk], Desk | Callable[[], None] | None]
        = lambda desk: None) -> Outcome:
    """One reply through the handler, from a fresh meeting and a freshly built desk (as a new container).
    `prepare` may return the desk to process with (the same one's use cases over instrumented ports)."""
    desk = build_app(world.stack, world.clients, world.clock, world.recorder)
    if scenario.rejected:
        desk = replace(desk, mailer=Refusing(desk.mailer))
    world.install(desk)
    world.new_meeting()
    raw = reply(sender=PERU, to=world.personal_address(PERU), body=scenario.body, written=scenario.written)
    prepared = prepare(desk)  # faults apply to the processing only, not to the test's own reads
    if isinstance(prepared, Desk):
        world.install(prepared)
    world.deliver(raw, scenario.received)
    world.install(desk)
    if callable(prepared) and not isinstance(prepared, Desk):
        prepared()
    record = world.record(PERU)
    outcome = Outcome(
        status=record.state.status.value, attendees=record.state.answer.attendees if record.state.answer else (),
        history=[(h.outcome.value, h.status_after.value if h.status_after else None) for h in world.history(PERU)],
        answers=[e.kind for e in world.answers(PERU)], reviews=sorted(r.outcome.value for r in world.reviews()),
        dead_letters=world.dead_letters(), claims_done=_claims_done(world))
    world.purge_dead_letters()
    return outcome


def _claims_done(world: MotoDesk) -> bool:
    table = world.clients.dynamodb.Table(world.stack.table_name)
    items = [table.get_item(Key={"pk": f"INBOUND#{key}", "sk": "INBOUND"}).get("Item", {}) for key in _keys(world)]
    return bool(items) and all(item.get("state") == "done" for item in items)


def _keys(world: MotoDesk) -> list[str]:
    return sorted({h.message_key for h in world.history()} | {r.message_key for r in world.reviews()})


@dataclass
class Refusing:
    """SES refusing the answer for good (MessageRejected), as for an address SES will not deliver to."""

    inner: Any

    def send(self, email: Any) -> str:
        if email.kind != "invitation":
            raise SendRejected("MessageRejected: Email address is on the suppression list")
        return str(self.inner.send(email))


# ---------------------------------------------------------------------- crash after each call


@dataclass
class Calls:
    """Wraps a port: records each call by name, and crashes right after the `crash_after`-th one (1-based)."""

    inner: Any
    log: list[str]
    label: str
    crash_after: int | None = None
    counter: list[int] = field(default_factory=lambda: [0])

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            self.log.append(f"{self.label}.{name}")
            self.counter[0] += 1
            if self.counter[0] == self.crash_after:
                raise InjectedCrash(f"died after {self.label}.{name}")
            return result
        return call


def instrument(log: list[str], crash_after: int | None = None) -> Callable[[Desk], Desk]:
    counter = [0]

    def prepare(desk: Desk) -> Desk:  # the same desk over instrumented ports; run() installs it for the reply only
        return replace(desk, stores=Calls(desk.stores, log, "repo", crash_after, counter),
                       store=Calls(desk.store, log, "store", crash_after, counter),
                       mailer=Calls(desk.mailer, log, "mailer", crash_after, counter))
    return prepare


def _clean(world: MotoDesk, scenario: Scenario) -> tuple[Outcome, list[str]]:
    calls: list[str] = []
    return run(world, scenario, instrument(calls)), calls


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_crash_after_any_call_loses_nothing_and_sends_nothing_twice(world: MotoDesk, name: str) -> None:
    scenario = SCENARIOS[name]
    clean, calls = _clean(world, scenario)
    assert clean.status == scenario.status and clean.reviews == sorted(scenario.review)
    assert clean.answers == ([scenario.answer] if scenario.answer else [])
    assert clean.dead_letters == 0 and clean.claims_done and len(clean.history) == 1

    differing = {}
    for index in range(1, len(calls) + 1):
        crashed = run(world, scenario, instrument([], crash_after=index))
        if crashed != clean:
            differing[f"crash after call {index} ({calls[index - 1]})"] = crashed
    assert not differing, f"{len(differing)} of {len(calls)} crash points differ from the clean run {clean}: " \
                          f"{differing}"


# ---------------------------------------------------------------------- throttling on each AWS call


@dataclass
class Throttle:
    """A botocore before-call hook: records each AWS operation, and answers the chosen ones with throttling, as
    AWS does once botocore's own retries are exhausted (the request never reaches moto)."""

    log: list[str]
    operation: str = ""  # the operation that fails ("dynamodb.UpdateItem"),
    nth: int = 0  # from its nth call (1-based; counted per operation, as pacing makes the interleaving vary),
    times: int = 1  # this many calls of it in a row (other operations go through)

    def __call__(self, model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        name = f"{model.service_model.service_name}.{model.name}"
        self.log.append(name)
        if name != self.operation or not self.nth <= self.log.count(name) < self.nth + self.times:
            return None
        code = "ProvisionedThroughputExceededException" if "dynamodb" in name else (
            "TooManyRequestsException" if "ses" in name else "SlowDown")
        return AWSResponse("https://aws.example", 400, {}, None), {
            "Error": {"Code": code, "Message": "Rate exceeded"}, "ResponseMetadata": {"HTTPStatusCode": 400}}


def throttled(throttle: Throttle, world: MotoDesk) -> Callable[[Desk], Callable[[], None]]:
    def prepare(desk: Desk) -> Callable[[], None]:
        clients = {id(c): c for c in _clients(desk, world)}.values()
        for client in clients:
            client.meta.events.register_first("before-call", throttle, unique_id="throttle")

        def undo() -> None:
            for client in clients:
                client.meta.events.unregister("before-call", unique_id="throttle")
        return undo
    return prepare


def _clients(desk: Desk, world: MotoDesk) -> list[Any]:
    repo: Any = desk.stores
    store: Any = desk.store
    return [repo.table.meta.client, store.client, world.clients.ses]


@pytest.mark.parametrize("name", ["acceptance", "unclear", "refused by SES"])
def test_throttling_on_any_aws_call_fails_the_record_for_a_retry_and_never_completes_it_as_done(
        world: MotoDesk, name: str) -> None:
    scenario = SCENARIOS[name]
    clean_log: list[str] = []
    clean = run(world, scenario, throttled(Throttle(clean_log), world))
    ses_sends = [i for i, op in enumerate(clean_log, start=1) if op == "sesv2.SendEmail"]
    differing = {}
    for index in range(1, len(clean_log) + 1):
        # SES throttling is retried by the desk itself (with backoff): make it outlast those tries too (the calls
        # in between, pacing and records, succeed: DynamoDB failing as well would be a second fault).
        operation = clean_log[index - 1]
        times = world.desk.throttle_retries if index in ses_sends else 1
        nth = clean_log[:index].count(operation)
        result = run(world, scenario, throttled(Throttle([], operation, nth, times), world))
        if result != clean:
            differing[f"{clean_log[index - 1]} (call {index}) throttled"] = result
    assert not differing, f"{len(differing)} of {len(clean_log)} throttled calls differ from {clean}: {differing}"


# ---------------------------------------------------------------------- redelivery and the lease


def _fresh_desk_and_peru_accepting(world: MotoDesk) -> tuple[Desk, bytes]:
    """A freshly built desk on a new meeting, and Peru's plain acceptance to it."""
    desk = build_app(world.stack, world.clients, world.clock, world.recorder)
    world.install(desk)
    world.new_meeting()
    return desk, reply(sender=PERU, to=world.personal_address(PERU), body="Confirmamos nuestra participación.",
                       written=at(20, 9))


def test_a_redelivery_while_another_attempt_holds_the_message_is_retried_later_not_dropped(world: MotoDesk) -> None:
    desk, raw = _fresh_desk_and_peru_accepting(world)
    world.store(raw, at(20, 9, 1))
    held: list[InboundClaim] = []
    original = desk.stores.claim_inbound

    def another_attempt_first(key: str, raw_key: str, when: datetime, lease: float) -> Any:
        if not held:  # a concurrent attempt (another delivery of the same message) claims it just before us
            held.append(original(key, raw_key, when, lease))  # type: ignore[arg-type]
        return original(key, raw_key, when, lease)

    desk.stores.claim_inbound = another_attempt_first  # type: ignore[method-assign]
    failed = world.drain()  # that attempt then died without a word: its lease runs out before SQS redelivers

    assert failed == 1, "the held message failed its record (SQS keeps it), it was not deleted as a duplicate"
    assert world.status(PERU) == "accepted"
    assert [e.kind for e in world.answers(PERU)] == ["confirmation"]
    assert world.dead_letters() == 0


def test_an_attempt_that_died_without_releasing_its_claim_is_taken_over_after_the_lease(world: MotoDesk) -> None:
    desk, raw = _fresh_desk_and_peru_accepting(world)
    real_commit, real_release = desk.stores.commit_decision, desk.stores.release_inbound
    killed: list[str] = []

    def commit_then_die(message_key: str, decision: Any, history: Any, **kwargs: Any) -> bool:
        real_commit(message_key, decision, history, **kwargs)
        if not killed:
            killed.append(message_key)
            raise InjectedCrash("the function was killed after recording the answer")
        return True

    desk.stores.commit_decision = commit_then_die  # type: ignore[method-assign]
    desk.stores.release_inbound = lambda key, when: None  # type: ignore[method-assign]  # killed: no except ran

    failed = world.drain() if world.store(raw, at(20, 9, 1)) else 0
    desk.stores.commit_decision, desk.stores.release_inbound = real_commit, real_release  # type: ignore[method-assign]

    assert killed and failed == 1, "the first attempt died holding its lease; SQS redelivered after the lease"
    assert world.status(PERU) == "accepted"
    assert [e.kind for e in world.answers(PERU)] == ["confirmation"]
    assert [h.outcome.value for h in world.history(PERU)] == ["recorded"]
    assert world.dead_letters() == 0


def test_an_answer_ses_never_confirmed_is_never_sent_again_and_a_person_is_told(world: MotoDesk) -> None:
    desk, raw = _fresh_desk_and_peru_accepting(world)
    inner = desk.mailer
    lost: list[str] = []

    class DiesAfterSesAccepted:
        def send(self, email: Any) -> str:
            provider_id = str(inner.send(email))
            if not lost:
                lost.append(provider_id)
                world.stack.ses_events.pending.clear()  # and SES's Send event never arrives
                raise InjectedCrash("died between SES accepting the answer and recording it")
            return provider_id

    world.install(replace(desk, mailer=DiesAfterSesAccepted()))
    world.deliver(raw, at(20, 9, 1))

    assert lost, "SES accepted the confirmation once"
    assert [e.kind for e in world.answers(PERU)] == ["confirmation"], "and it was never sent a second time"
    assert world.status(PERU) == "accepted"
    [item] = world.reviews()
    assert item.outcome.value == "not_confirmed" and "never reported" in " ".join(item.reasons)
    assert world.dead_letters() == 0


# ---------------------------------------------------------------------- concurrency


@pytest.fixture
def atomic_conditional_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto evaluates a condition and writes the item in two steps, without a lock: two threads can both pass one
    condition, which DynamoDB never allows; and its transactions copy whole tables, which a concurrent read must not
    see half-changed. A lock around moto's operations gives them DynamoDB's atomicity."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "get_item", "query",
                 "batch_get_item"):
        original = getattr(DynamoDBBackend, name)

        def atomic(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(self, *args, **kwargs)
        monkeypatch.setattr(DynamoDBBackend, name, atomic)


@dataclass
class Slow:
    """Wraps the repository so that two attempts interleave: a little pause after every call."""

    inner: Any

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            time.sleep(0.005)
            return result
        return call


def _at_once(world: MotoDesk, keys: list[str]) -> list[str]:
    """Each stored message processed by its own container at the same moment; what became of each."""
    desks = []
    for _ in keys:
        desk = build_app(world.stack, world.clients, world.clock, world.recorder)
        desks.append(replace(desk, stores=Slow(desk.stores)))
    start = threading.Barrier(len(keys))
    results: list[str] = [""] * len(keys)

    def work(index: int) -> None:
        start.wait()
        try:
            results[index] = desks[index].inbound.process(keys[index]).outcome.value
        except Exception as exc:  # the record fails; SQS would redeliver it
            results[index] = type(exc).__name__
    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.usefixtures("atomic_conditional_writes")
def test_the_same_message_delivered_twice_at_once_is_recorded_and_confirmed_once(world: MotoDesk) -> None:
    world.install(build_app(world.stack, world.clients, world.clock, world.recorder))
    world.new_meeting()
    raw = reply(sender=PERU, to=world.personal_address(PERU), body="Confirmamos nuestra participación.",
                written=at(20, 9))
    keys = [world.store(raw, at(20, 9, 1)), world.store(raw, at(20, 9, 1))]
    world.discard()  # the containers below are handed the messages directly

    results = _at_once(world, keys)
    retried = [world.desk.inbound.process(key).outcome.value for key, r in zip(keys, results, strict=True)
               if r == "RetryLater"]  # SQS redelivers the one that found the message held

    assert sorted(results + retried) in (["RetryLater", "duplicate", "recorded"], ["duplicate", "recorded"])
    assert world.status(PERU) == "accepted"
    assert [e.kind for e in world.answers(PERU)] == ["confirmation"]
    assert [h.outcome.value for h in world.history(PERU)] == ["recorded"]


@pytest.mark.usefixtures("atomic_conditional_writes")
def test_two_replies_from_one_invitee_at_once_keep_the_later_written_and_confirm_it_once(world: MotoDesk) -> None:
    world.install(build_app(world.stack, world.clients, world.clock, world.recorder))
    world.new_meeting()
    to = world.personal_address(CANADA)
    accept = reply(sender=CANADA, to=to, body="We will attend.", written=at(20, 9))
    decline = reply(sender=CANADA, to=to, body="Sorry, we will not be able to attend after all.",
                    written=at(20, 9, 5))
    keys = [world.store(accept, at(20, 9, 6)), world.store(decline, at(20, 9, 6))]
    world.discard()  # the containers below are handed the messages directly

    results = _at_once(world, keys)

    assert world.status(CANADA) == "declined", results
    history = {h.message_key: h.outcome.value for h in world.history(CANADA)}
    assert len(history) == 2 and "recorded" in history.values()
    sent = world.answers(CANADA)
    assert [e.kind for e in sent].count("confirmation") <= 2
    assert sum(1 for e in sent if e.tags["sending"].endswith(_key_of(world, decline))) == 1, \
        "the later-written answer is confirmed exactly once"
    assert isinstance(world.recorder, Recorder)


def _key_of(world: MotoDesk, raw: bytes) -> str:
    entry = next(h for h in world.history(CANADA) if h.intent == ("decline" if b"not be able" in raw else "accept"))
    return entry.message_key
