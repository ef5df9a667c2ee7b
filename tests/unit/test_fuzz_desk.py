"""Every stored message, however damaged, ends in a reading or a review item, and the raw mail is kept.

Mutated real mail (the shared corpus, our fixtures) and hostile shapes go through the Desk's whole inbound path
on the in-memory fakes: no exception may escape (a record that raised would be retried five times and then
sit in the dead-letter queue with nobody told), and each message leaves a trace an organiser can see.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime

import pytest

from rsvp.app import App as Desk
from rsvp.domain.invitees import Invitee
from rsvp.domain.meeting import Meeting
from rsvp.domain.rsvp import Outcome
from rsvp.reading.authentication import ReceivingServer
from tests.conftest import ROOT, SHARED, ZURICH, FakeClock
from tests.fakes import FakeMailer, FakeStore, InMemoryRepository

RECEIVING = ReceivingServer("rsvp.test", ("inbound-smtp.rsvp.test",))
STAMP = b"Received: from sender by inbound-smtp.rsvp.test; Wed, 20 Jan 2021 09:00:00 +0100\r\n"
# Outcomes that are a reading in themselves (nothing for a person to do, nothing recorded).
READ = {Outcome.AUTO_REPLY, Outcome.BOUNCE, Outcome.DUPLICATE}


def _messages() -> list[bytes]:
    files = sorted((ROOT / "tests" / "fixtures").rglob("*.eml"))
    if SHARED.exists():
        files += sorted((SHARED / "corpus").rglob("*.eml"))[:150]
    return [f.read_bytes() for f in files]


def _mutations(seed_messages: list[bytes], count: int) -> Iterator[bytes]:
    """Byte-level damage of the kinds mail suffers: truncation, spliced bytes, lost or doubled line breaks,
    a part's headers swapped with another message's, a header repeated hundreds of times, NULs."""
    rng = random.Random(20260301)
    for index in range(count):
        raw = bytearray(seed_messages[index % len(seed_messages)])
        for _ in range(rng.randint(1, 4)):
            kind = rng.randrange(7)
            at = rng.randrange(len(raw) + 1)
            if kind == 0:
                del raw[at:]
            elif kind == 1:
                raw[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
            elif kind == 2:
                raw[:] = raw.replace(b"\r\n", b"\n") if rng.random() < 0.5 else raw.replace(b"\n", b"\r")
            elif kind == 3:
                other = seed_messages[rng.randrange(len(seed_messages))]
                raw[at:at] = other[:rng.randrange(len(other) + 1)]
            elif kind == 4:
                raw[:0] = b"Content-Type: multipart/mixed; boundary=\"x\"\r\n" * rng.randint(1, 300)
            elif kind == 5:
                raw[at:at] = b"\x00" * rng.randint(1, 10)
            else:
                raw[:0] = b'Content-Type: text/plain; charset="' + rng.choice(
                    [b"undefined", b"utf\x00-8", b"x-unknown", "\u00e9".encode(), b"utf-7"]) + b'"\r\n'
        yield bytes(raw)


HOSTILE = [
    b"",
    b"\r\n\r\n",
    b"From: \r\n\r\n",
    b"From: " + b"a" * 200_000 + b"@b.org\r\n\r\nhi",
    b"To: " + b",".join(b"=?utf-8?q?x?= <r%d@x.org>" % i for i in range(20_000)) + b"\r\n\r\nhi",
    b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(3000)) + b"x",
    b"".join(b"Content-Type: message/rfc822\r\n\r\n" for _ in range(3000)) + b"x",
    b"Content-Type: multipart/mixed; boundary*=utf-8''%C3%A9\r\n\r\n--\xc3\xa9\r\n\r\nhi\r\n",
    b"Content-Type: text/html\r\n\r\n<div" + b"a" * 2_000_000,
    b"Subject: " + b"=?utf-8?b?" + b"QUFB" * 100_000 + b"?=\r\n\r\nhi",
    b"References: " + b" ".join(b"<%d@x>" % i for i in range(50_000)) + b"\r\n\r\nhi",
]


@pytest.fixture
def desk(meeting: Meeting, invitees: list[Invitee]) -> Desk:
    desk = Desk(stores=InMemoryRepository(), store=FakeStore(), mailer=FakeMailer(),
                clock=FakeClock(datetime(2021, 1, 20, 9, tzinfo=ZURICH)), secret=b"test-key",
                sender_address=meeting.mailbox, receiving=RECEIVING)
    desk.catalog.load(meeting, invitees)
    return desk


def _through(desk: Desk, messages: Iterator[bytes] | list[bytes]) -> list[tuple[int, Outcome]]:
    """Each message stored and processed; the ones that left no trace for an organiser."""
    repo = desk.stores
    assert isinstance(repo, InMemoryRepository) and isinstance(desk.store, FakeStore)
    silent = []
    for number, raw in enumerate(messages):
        key = f"inbound/{number}"
        desk.store.objects[key] = STAMP + raw
        traces = len(repo.history) + len(repo.reviews)
        outcome = desk.inbound.process(key).outcome  # must not raise
        if outcome not in READ and len(repo.history) + len(repo.reviews) == traces:
            silent.append((number, outcome))
        assert desk.store.objects[key] == STAMP + raw, "the raw mail is kept as it arrived"
    return silent


def test_damaged_real_mail_always_ends_in_a_reading_or_a_review_item(desk: Desk) -> None:
    seeds = _messages()
    assert seeds
    assert _through(desk, _mutations(seeds, 600)) == []


@pytest.mark.parametrize("raw", HOSTILE, ids=lambda raw: f"{raw[:40]!r}…{len(raw)}B")
def test_hostile_mail_ends_in_a_reading_or_a_review_item(desk: Desk, raw: bytes) -> None:
    assert _through(desk, [raw]) == []
