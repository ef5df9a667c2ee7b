"""The inbound ledger: one claim per message (its identity is a hash of what reached our server), with a lease,
the stages an attempt completed and the decision written ahead of acting on it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr

from ...domain.records import ClaimHeld, InboundClaim, Stage
from ...domain.rsvp import Decision, Outcome, Response
from ...timeutil import from_iso, iso
from . import codecs, schema
from .table import TableItems

INBOUND_RETENTION = timedelta(days=400)
PROCESSING, DONE = "processing", "done"


class InboundItems(TableItems):
    def claim_inbound(self, message_key: str, raw_key: str, at: datetime, lease_seconds: float
                      ) -> InboundClaim | ClaimHeld:
        key = schema.inbound_key(message_key)
        response = self._update_returning(
            Key=key,
            UpdateExpression=(
                "SET #state = :processing, lease_until = :until, raw_key = if_not_exists(raw_key, :raw), "
                "first_seen = if_not_exists(first_seen, :now), attempts = if_not_exists(attempts, :zero) + :one, "
                "expires_at = if_not_exists(expires_at, :expires)"),
            ConditionExpression=Attr("pk").not_exists() | (
                Attr("state").eq(PROCESSING) & Attr("lease_until").lt(iso(at))),
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={
                ":processing": PROCESSING, ":until": iso(at + timedelta(seconds=lease_seconds)),
                ":raw": raw_key, ":now": iso(at), ":zero": 0, ":one": 1,
                ":expires": int((at + INBOUND_RETENTION).timestamp())},
            ReturnValues="ALL_NEW")
        if response is None:
            old = self._get(key, consistent=True) or {}
            return ClaimHeld.HELD if old.get("state") == PROCESSING else ClaimHeld.DONE
        item = response["Attributes"]
        return InboundClaim(
            message_key=message_key, started_at=from_iso(item["first_seen"]), attempts=int(item["attempts"]),
            stages=frozenset(Stage(s) for s in item.get("stages", set())),
            decision=codecs.decision(item["decision"]) if item.get("decision") else None,
            response_id=str(item.get("response_id", "")))

    def note_stage(self, message_key: str, stage: Stage, *, decision: Decision | None = None,
                   response_id: str = "") -> None:
        values: dict[str, Any] = {":stage": {stage.value}}
        sets = []
        if decision is not None:
            sets.append("decision = :decision")
            values[":decision"] = codecs.decision_item(decision)
        if response_id:
            sets.append("response_id = :response")
            values[":response"] = response_id
        self.table.update_item(Key=schema.inbound_key(message_key),
                               UpdateExpression="ADD stages :stage" + (" SET " + ", ".join(sets) if sets else ""),
                               ExpressionAttributeValues=values)

    def release_inbound(self, message_key: str, at: datetime) -> None:
        self._update_if(Key=schema.inbound_key(message_key), UpdateExpression="SET lease_until = :at",
                        ConditionExpression=Attr("state").eq(PROCESSING),
                        ExpressionAttributeValues={":at": iso(at - timedelta(seconds=1))})

    def finish_inbound(self, message_key: str, outcome: Outcome, at: datetime, response: Response = Response.NONE
                       ) -> None:
        self.table.update_item(Key=schema.inbound_key(message_key),
                               UpdateExpression="SET #state = :done, outcome = :outcome, finished_at = :at, "
                                                "sent_back = :response "
                                                "REMOVE lease_until, decision",  # (its attendees' names)
                               ExpressionAttributeNames={"#state": "state"},
                               ExpressionAttributeValues={":done": DONE, ":outcome": outcome.value, ":at": iso(at),
                                                          ":response": response.value})
