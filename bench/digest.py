"""The daily digest for a large meeting: build time and peak memory, against moto's DynamoDB.

A meeting of N invitees (default 20,000) with a realistic mix — about 45 % accepted (delegations of one to
four, half of them named, some for one session only), 15 % declined, 5 % tentative, the rest not answered,
2 % undeliverable — a full reply history, 300 changes since yesterday's digest and 60 replies waiting for
review. The digest is composed exactly as the digest function composes it (Query only: Scan is made to
fail), rendered in HTML and text, with the participants CSV attached.

    python -m bench.digest [--invitees 20000] [--rounds 3]

moto answers a Query through a generic response serializer that costs ~2 ms per item, a thousand times what
DynamoDB takes, so a first round against moto records every page read (the requests, items and bytes are
DynamoDB's own) and the timed rounds replay those pages as DynamoDB's wire JSON, parsed and turned into Python
values as boto3 does (json + TypeDeserializer). Figures: wall time per digest (median of the rounds), the moto
round beside it, and peak memory allocated while composing (tracemalloc, a separate round).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
import tracemalloc
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_DEFAULT_REGION": "eu-west-1"})
os.environ.pop("AWS_ENDPOINT_URL", None)

from .corpora import ROOT


class _Recorded:
    """Wraps the table: records each read's response as wire JSON (recording) or replays it (replaying);
    refuses Scan."""

    def __init__(self, table: Any) -> None:
        from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

        self.table = table
        self.pages: list[str] = []  # every response, in the order the digest asked for them
        self.position = 0
        self.replaying = False
        self.calls = 0
        self.bytes = 0
        self.items = 0
        self.serializer, self.deserializer = TypeSerializer(), TypeDeserializer()

    def scan(self, **_: Any) -> Any:
        raise AssertionError("the digest must read by Query, never Scan")

    def query(self, **kwargs: Any) -> Any:
        return self._read("query", kwargs)

    def get_item(self, **kwargs: Any) -> Any:
        return self._read("get_item", kwargs)

    def _read(self, operation: str, kwargs: dict[str, Any]) -> Any:
        self.calls += 1
        if self.replaying:  # the digest reads the same pages in the same order each time
            wire = self.pages[self.position % len(self.pages)]
            self.position += 1
            body = json.loads(wire)
            if "Item" in body:
                body["Item"] = {k: self.deserializer.deserialize(v) for k, v in body["Item"].items()}
            if "Items" in body:
                body["Items"] = [{k: self.deserializer.deserialize(v) for k, v in item.items()}
                                 for item in body["Items"]]
            return body
        response = getattr(self.table, operation)(**kwargs)
        wire_body: dict[str, Any] = {k: v for k, v in response.items()
                                     if k not in ("Items", "Item", "ResponseMetadata")}
        if "Item" in response:
            wire_body["Item"] = {k: self.serializer.serialize(v) for k, v in response["Item"].items()}
        if "Items" in response:
            wire_body["Items"] = [{k: self.serializer.serialize(v) for k, v in item.items()}
                                  for item in response["Items"]]
            self.items += len(response["Items"])
        wire = json.dumps(wire_body, default=str)
        self.bytes += len(wire)
        self.pages.append(wire)
        return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invitees", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from moto import mock_aws

    with mock_aws():
        run(args)


def run(args: argparse.Namespace) -> None:
    import boto3

    from rsvp.adapters.dynamodb import DynamoRepository
    from rsvp.app import App as Desk
    from rsvp.domain.invitees import Category, Invitee
    from rsvp.domain.meeting import load_meeting
    from rsvp.domain.records import HistoryEntry, InviteeRecord, ReviewItem
    from rsvp.domain.rsvp import Answer, Delivery, InviteeState, Outcome, Source, Status
    from rsvp.domain.tags import reply_tag
    from rsvp.local.stack import read_template, table_definition

    meeting = load_meeting(ROOT / "examples" / "mine-free-americas-2021" / "meeting.yaml")
    zone = ZoneInfo(meeting.timezone)
    now = datetime(2021, 2, 3, 8, 5, tzinfo=zone)
    yesterday = now - timedelta(days=1)
    dynamodb = boto3.resource("dynamodb", region_name="eu-west-1")
    dynamodb.meta.client.create_table(TableName="digest-bench", **table_definition(read_template()))
    table = dynamodb.Table("digest-bench")
    repo = DynamoRepository(table)
    rng = random.Random(5)
    started = time.perf_counter()

    languages, categories = ("en", "es", "fr"), list(Category)
    records = []
    for i in range(args.invitees):
        invitee = Invitee(f"delegate{i:05d}@mission{i % 193:03d}.example.org", f"Delegate {i}", f"Mission {i % 193}",
                          languages[i % 3], categories[i % 3], "Ms")
        records.append(InviteeRecord(meeting.id, invitee, reply_tag(b"bench", meeting.id, invitee.email),
                                     InviteeState(invitee.email)))
    repo.save_meeting(meeting)
    repo.save_invitees(meeting, records)

    with table.batch_writer() as batch:  # the adapter's own writes, 25 to a request
        seeding = DynamoRepository(batch)
        changes = 0
        for record in records:
            draw = rng.random()
            status = (Status.ACCEPTED if draw < 0.45 else Status.DECLINED if draw < 0.60
                      else Status.TENTATIVE if draw < 0.65 else None)
            if status is None:
                continue
            recent = changes < 300 and rng.random() < 0.05
            changes += recent
            written = (now - timedelta(hours=rng.uniform(1, 20))) if recent else (
                yesterday - timedelta(days=rng.uniform(0.1, 14)))
            count = rng.randint(1, 4) if status is Status.ACCEPTED else 0
            named = tuple(f"H.E. Ambassador Person {record.email[8:13]}-{k}" for k in range(count)) \
                if rng.random() < 0.5 else ()
            sessions = (rng.choice(["day1", "day2"]),) if status is Status.ACCEPTED and rng.random() < 0.2 else None
            answer = Answer(status, sessions, named, count, written, f"key-{record.email}", Source.REPLY)
            batch.put_item(Item={**_invitee_item(record), "answer": _answer(answer), "status": status.value,
                                 "answer_written_at": written.isoformat(), "answer_key": answer.message_key})
            seeding.add_history(HistoryEntry(
                meeting.id, record.email, written, Source.REPLY, Outcome.RECORDED, message_key=answer.message_key,
                from_address=record.email, subject="RE: Invitation", intent=status.value, kind="reply",
                status_before=Status.PENDING, status_after=status, attendees=named, attendee_count=count,
                reasons=("bench",), excerpt="We are pleased to confirm the participation of our delegation."))
    for n in range(60):  # (a conditional write each: not through the batch)
        repo.add_review(ReviewItem(meeting.id, now - timedelta(hours=n / 3), f"review-{n:04d}",
                                   Outcome.UNCLEAR, email=records[n * 7].email, from_address=records[n * 7].email,
                                   subject="Question", excerpt="Could you tell us whether interpretation is "
                                   "provided in the second session?", reasons=("no answer found",)))
    for record in records[::50]:
        repo.set_delivery(meeting.id, record.email, Delivery.UNDELIVERABLE, "bench bounce", yesterday)
    repo.claim_digest(meeting.id, f"{yesterday:%Y-%m-%d}", yesterday)
    seeded = time.perf_counter() - started

    recorded = _Recorded(table)
    desk = Desk(stores=DynamoRepository(recorded), store=None, mailer=None, clock=None,  # type: ignore[arg-type]
                secret=b"bench", sender_address=meeting.mailbox)  # (the digest reads the table only)
    begin = time.perf_counter()
    email = desk.digests.preview(meeting.id, now)
    on_moto = time.perf_counter() - begin
    requests, items, size = recorded.calls, recorded.items, recorded.bytes
    recorded.replaying = True
    walls = []
    for _ in range(args.rounds):
        desk.catalog._cache.clear()
        begin = time.perf_counter()
        email = desk.digests.preview(meeting.id, now)
        walls.append(time.perf_counter() - begin)
    desk.catalog._cache.clear()
    tracemalloc.start()
    desk.digests.preview(meeting.id, now)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    wall = statistics.median(walls)
    print(f"digest: {args.invitees:,} invitees (seeded in {seeded:.0f} s); reads: {requests} requests "
          f"(Query and GetItem, no Scan), {items:,} items, {size / 2**20:.1f} MB of DynamoDB JSON")
    print(f"  build time median {wall:.2f} s of {args.rounds} rounds ({', '.join(f'{w:.2f}' for w in walls)}; "
          f"reads replayed as wire JSON and deserialized as boto3 does)  [target < 10 s]: "
          f"{'OK' if wall < 10 else 'OVER'}")
    print(f"  the same digest with moto serving the reads: {on_moto:.1f} s (moto's serializer, not DynamoDB)")
    print(f"  peak memory while composing {peak / 2**20:.0f} MB (tracemalloc)  [target < 256 MB]: "
          f"{'OK' if peak < 256 * 2**20 else 'OVER'}")
    attached = email.attachments[0].data
    rows = attached.count(b"\n") - 1
    print(f"  message: HTML {len(email.html) / 1024:.0f} KB, text {len(email.text) / 1024:.0f} KB, "
          f"participants CSV {len(attached) / 1024:.0f} KB ({rows:,} rows)")
    if wall >= 10 or peak >= 256 * 2**20:
        raise SystemExit(1)


def _invitee_item(record: Any) -> dict[str, Any]:
    inv = record.invitee
    return {"pk": f"MEETING#{record.meeting_id}", "sk": f"INVITEE#{inv.email}", "email": inv.email, "name": inv.name,
            "organisation": inv.organisation, "language": inv.language, "category": inv.category.value,
            "honorific": inv.honorific, "tag": record.tag, "delivery": "ok", "status": "pending"}


def _answer(answer: Any) -> dict[str, Any]:
    from rsvp.adapters.dynamodb.codecs import answer_item

    return answer_item(answer)


if __name__ == "__main__":
    main()
