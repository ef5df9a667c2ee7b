"""The inbound ledger: one claim per message (its identity is a hash of what reached our server), with a lease,
the stages an attempt completed and the decision written ahead of acting on it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from ...domain.records import ClaimHeld, HistoryEntry, InboundClaim, Stage
from ...domain.rsvp import KEPT, Decision, Outcome, Response
from ...timeutil import from_iso, iso
from . import codecs, schema
from .table import TableItems, TransactionCancelled, old_item

INBOUND_RETENTION = timedelta(days=400)
PROCESSING, DONE = "processing", "done"


class InboundItems(TableItems):
    def claim_inbound(self, message_key: str, raw_key: str, at: datetime, lease_seconds: float
                      ) -> InboundClaim | ClaimHeld:
        key = schema.inbound_key(message_key)
        try:
            response = self.table.update_item(
                Key=key,
                UpdateExpression=(
                    "SET #state = :processing, lease_until = :until, raw_key = if_not_exists(raw_key, :raw), "
                    "first_seen = if_not_exists(first_seen, :now), "
                    "attempts = if_not_exists(attempts, :zero) + :one, "
                    "expires_at = if_not_exists(expires_at, :expires)"),
                ConditionExpression=Attr("pk").not_exists() | (
                    Attr("state").eq(PROCESSING) & Attr("lease_until").lt(iso(at))),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":processing": PROCESSING, ":until": iso(at + timedelta(seconds=lease_seconds)),
                    ":raw": raw_key, ":now": iso(at), ":zero": 0, ":one": 1,
                    ":expires": int((at + INBOUND_RETENTION).timestamp())},
                ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return ClaimHeld.HELD if old_item(exc).get("state") == PROCESSING else ClaimHeld.DONE
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

    def commit_decision(self, message_key: str, decision: Decision, history: HistoryEntry, *,
                        no_reminders: bool = False) -> bool:
        """One write for what a reply changes: the answer (unless one written later is there), the reminder
        opt-out, the history entry and the decision on the claim (stages decided, applied, history)."""
        meeting_id, email = history.meeting_id, history.email or ""
        actions: list[tuple[str, dict[str, Any]]] = []
        answer = decision.answer if decision.outcome in KEPT else None
        if answer is not None:
            written = iso(answer.written_at)
            actions.append(("Update", {
                "Key": schema.invitee_key(meeting_id, email),
                "UpdateExpression": "SET answer = :answer, #status = :status, answer_written_at = :w, "
                                    "answer_key = :k" + (", no_reminders = :yes, no_reminders_at = :at"
                                                         if no_reminders else ""),
                "ConditionExpression": "attribute_exists(pk) AND (attribute_not_exists(answer_written_at) OR "
                                       "answer_written_at < :w OR (answer_written_at = :w AND answer_key <= :k))",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":answer": codecs.answer_item(answer), ":status": answer.status.value,
                                              ":w": written, ":k": answer.message_key,
                                              **({":yes": True, ":at": iso(history.at)} if no_reminders else {})}}))
        elif no_reminders:
            actions.append(("Update", {
                "Key": schema.invitee_key(meeting_id, email),
                "UpdateExpression": "SET no_reminders = :yes, no_reminders_at = :at",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {":yes": True, ":at": iso(history.at)}}))
        actions.append(("Put", {"Item": {
            **schema.history_key(meeting_id, history.email, history.at, history.message_key),
            **schema.timeline_key(meeting_id, history.email, history.at, history.message_key),
            **codecs.history_item(history), **self._expiry(meeting_id)}}))
        actions.append(("Update", {
            "Key": schema.inbound_key(message_key),
            "UpdateExpression": "ADD stages :stages SET decision = :decision",
            "ExpressionAttributeValues": {
                ":stages": {Stage.DECIDED.value, Stage.APPLIED.value, Stage.HISTORY.value},
                ":decision": codecs.decision_item(decision)}}))
        try:
            self._transact(*actions)
        except TransactionCancelled as exc:
            if answer is not None and exc.reasons and exc.reasons[0] == "ConditionalCheckFailed":
                return False  # a later-written answer is there (or the invitee is gone): nothing was written
            raise
        return True

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
