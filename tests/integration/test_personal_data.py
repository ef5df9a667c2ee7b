"""Personal data: kept for a set time after the meeting (DynamoDB TTL), and erased on request, wholly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from rsvp.usecases.organiser import NotFound
from tests.integration.harness import CANADA, PERU, MotoDesk, at, moto_desk
from tests.support import reply


@pytest.fixture(scope="module")
def world() -> Iterator[MotoDesk]:
    yield from moto_desk("privacy")


def _items(world: MotoDesk) -> list[dict[str, Any]]:
    table = world.clients.dynamodb.Table(world.stack.table_name)
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = table.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _of_meeting(world: MotoDesk, item: dict[str, Any]) -> bool:
    meeting_id = world.meeting.id
    return item.get("meeting_id") == meeting_id or item["pk"] == f"MEETING#{meeting_id}" or \
        item["pk"] == f"MAILBOX#{world.meeting.mailbox}"


def _answer_and_unmatched_mail(world: MotoDesk) -> None:
    world.new_meeting()
    world.deliver(reply(sender=PERU, to=world.personal_address(PERU), body="Confirmamos la participación del "
                        "Excmo. Sr. Luis Ugarelli.", written=at(20, 9)), at(20, 9, 1))
    world.deliver(reply(sender=PERU, to=world.meeting.mailbox, body="¿Habrá interpretación?", written=at(20, 10)),
                  at(20, 10, 1))  # unverified: a review item with Peru's address as its sender
    world.deliver(reply(sender=CANADA, to=world.personal_address(CANADA), body="We will attend.",
                        written=at(20, 11)), at(20, 11, 1))


def test_every_record_of_a_meeting_expires_the_retention_period_after_its_last_session(world: MotoDesk) -> None:
    _answer_and_unmatched_mail(world)
    expected = int((world.meeting.ends_at + timedelta(days=world.stack.record_retention_days)).timestamp())

    items = [i for i in _items(world) if _of_meeting(world, i)]

    kinds = {str(i["sk"]).split("#")[0] for i in items} | {str(i["pk"]).split("#")[0] for i in items}
    assert {"INVITEE", "HISTORY", "REVIEW", "SEND", "TAG", "SENT", "MEETING", "MAILBOX"} <= kinds
    assert {int(i["expires_at"]) for i in items} == {expected}


def test_forgetting_a_person_erases_every_record_and_message_and_names_nobody_in_the_audit(world: MotoDesk) -> None:
    _answer_and_unmatched_mail(world)
    raw_keys = {h.raw_key for h in world.history(PERU)} | {r.raw_key for r in world.reviews() if
                                                           r.from_address == PERU}
    assert len(raw_keys) == 2
    organiser = world.desk.organiser("ana.registrar")

    line = organiser.forget(world.meeting.id, "Desarme@Mission-Peru.example.org", at(21, 9))

    ours = [i for i in _items(world) if _of_meeting(world, i) or i["pk"] == "MEETING#-" or i.get("raw_key") in raw_keys]
    assert ours, "the meeting's other records are still there"
    assert not [i for i in ours if PERU in str(i)], "no record anywhere mentions the address"
    assert not [i for i in _items(world) if i.get("raw_key") in raw_keys], "nor the claims of their messages"
    for key in raw_keys:
        versions = world.clients.s3.list_object_versions(Bucket=world.stack.bucket, Prefix=key)
        assert not versions.get("Versions") and not versions.get("DeleteMarkers"), "every version of the raw mail"
    [(when, actor, text)] = world.desk.stores.audit_log(world.meeting.id)
    assert (when, actor, text) == (at(21, 9), "ana.registrar", line)
    assert "2 stored message(s)" in text and PERU not in text and "mission-peru" not in text
    assert world.status(CANADA) == "accepted", "nobody else is touched"
    assert world.desk.stores.get_invitee(world.meeting.id, PERU) is None
    with pytest.raises(NotFound):
        organiser.forget(world.meeting.id, PERU, at(21, 10))
