"""The send ledger: one item per job of a sending, claimed so that each message goes out once; SENT items lead a
reply in the thread of one of our messages back to its invitee."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from ...domain.rsvp import Response
from ...domain.sending import ClaimState, SendKind, SendState
from ...timeutil import iso
from . import codecs, schema
from .table import TableItems, TransactionCancelled


class SendItems(TableItems):
    def mark_queued(self, meeting_id: str, email: str, sending: str, kind: SendKind, at: datetime) -> bool:
        return self._put_if({**schema.send_key(meeting_id, sending, email), "state": SendState.QUEUED.value,
                             "kind": kind.value, "email": email, "sending": sending, "queued_at": iso(at),
                             **self._expiry(meeting_id)},
                            Attr("pk").not_exists() | Attr("state").eq(SendState.QUEUED.value))

    def claim_send(self, meeting_id: str, email: str, sending: str, at: datetime, stale_after_seconds: int,
                   resend_stale: bool = True) -> ClaimState:
        stale = iso(at - timedelta(seconds=stale_after_seconds))
        expiry = self._expiry(meeting_id)
        takeover = (Attr("state").eq(SendState.SENDING.value) & Attr("claimed_at").lt(stale)
                    & Attr("confirmed_id").not_exists())
        if not resend_stale:  # only an attempt that died before handing the message to SES
            takeover = takeover & Attr("handed_at").not_exists()
        key = schema.send_key(meeting_id, sending, email)
        claimed = self._update_if(
            Key=key,
            UpdateExpression="SET #state = :sending, claimed_at = :now, email = :email, sending = :sending_id"
                             + (", expires_at = :exp" if expiry else "") + " REMOVE handed_at ADD attempts :one",
            ConditionExpression=Attr("state").not_exists()
            | Attr("state").is_in([SendState.QUEUED.value, SendState.FAILED.value]) | takeover,
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":sending": SendState.SENDING.value, ":now": iso(at), ":one": 1,
                                       ":email": email, ":sending_id": sending,
                                       **({":exp": expiry["expires_at"]} if expiry else {})})
        if claimed:
            return ClaimState.CLAIMED
        item = self._get(key, consistent=True) or {}
        state = item.get("state")
        if state == SendState.SENT.value:
            return ClaimState.SENT
        if state == SendState.REJECTED.value:
            return ClaimState.REJECTED
        if item.get("confirmed_id"):  # SES accepted it; the attempt died before recording: settle it now
            self.finish_send(meeting_id, email, sending, at, [str(item["confirmed_id"])],
                             codecs.send_kind(str(item.get("kind") or "")))
            return ClaimState.SENT
        if state == SendState.SENDING.value and str(item.get("claimed_at", "")) < stale and item.get("handed_at"):
            return ClaimState.UNCONFIRMED
        return ClaimState.IN_FLIGHT

    def hand_over(self, meeting_id: str, email: str, sending: str, claimed_at: datetime, at: datetime) -> bool:
        return self._update_if(Key=schema.send_key(meeting_id, sending, email), UpdateExpression="SET handed_at = :at",
                               ConditionExpression=Attr("state").eq(SendState.SENDING.value)
                               & Attr("claimed_at").eq(iso(claimed_at)),
                               ExpressionAttributeValues={":at": iso(at)})

    def release_send(self, meeting_id: str, email: str, sending: str, claimed_at: datetime, reason: str) -> bool:
        return self._update_if(Key=schema.send_key(meeting_id, sending, email),
                               UpdateExpression="SET #state = :failed, last_error = :reason REMOVE handed_at",
                               ConditionExpression=Attr("state").eq(SendState.SENDING.value)
                               & Attr("claimed_at").eq(iso(claimed_at)) & Attr("confirmed_id").not_exists(),
                               ExpressionAttributeNames={"#state": "state"},
                               ExpressionAttributeValues={":failed": SendState.FAILED.value, ":reason": reason[:500]})

    def finish_send(self, meeting_id: str, email: str, sending: str, at: datetime, message_ids: Iterable[str],
                    kind: SendKind | Response) -> None:
        ids = list(dict.fromkeys(m.strip("<>") for m in message_ids if m))
        done = ("Update", {"Key": schema.send_key(meeting_id, sending, email),
                           "UpdateExpression": "SET #state = :sent, sent_at = :at, message_ids = :ids "
                                               "REMOVE last_error",
                           "ExpressionAttributeNames": {"#state": "state"},
                           "ExpressionAttributeValues": {":sent": SendState.SENT.value, ":at": iso(at), ":ids": ids}})
        try:  # one write: the job sent, the thread's SENT items and the invitee's bookkeeping
            self._transact(done, *self._sent_items(meeting_id, email, at, ids, kind))
        except TransactionCancelled:  # the invitee was erased meanwhile: the job is sent all the same
            self.table.update_item(**done[1])
            self._remember_sent(meeting_id, email, at, ids, kind)

    def fail_send(self, meeting_id: str, email: str, sending: str, reason: str, retryable: bool) -> None:
        state = SendState.FAILED if retryable else SendState.REJECTED
        self.table.update_item(Key=schema.send_key(meeting_id, sending, email),
                               UpdateExpression="SET #state = :state, last_error = :reason",
                               ExpressionAttributeNames={"#state": "state"},
                               ExpressionAttributeValues={":state": state.value, ":reason": reason[:500]})

    def confirm_send(self, meeting_id: str, email: str, sending: str, provider_id: str, at: datetime) -> None:
        self.table.update_item(Key=schema.send_key(meeting_id, sending, email),
                               UpdateExpression="SET confirmed_id = :id, confirmed_at = :at",
                               ExpressionAttributeValues={":id": provider_id, ":at": iso(at)})

    def record_sent(self, meeting_id: str, email: str, at: datetime, message_ids: Iterable[str],
                    kind: SendKind | Response) -> None:
        self._remember_sent(meeting_id, email, at, list(dict.fromkeys(m.strip("<>") for m in message_ids if m)), kind)

    def _sent_items(self, meeting_id: str, email: str, at: datetime, ids: list[str], kind: SendKind | Response
                    ) -> list[tuple[str, dict[str, Any]]]:
        """The writes that remember a sent message (for a transaction): its SENT items and the invitee's ids."""
        if not ids:
            return []
        expiry = self._expiry(meeting_id)
        invited = kind is SendKind.INVITATION
        return [*(("Put", {"Item": {**schema.sent_key(m), "meeting_id": meeting_id, "email": email,
                                    "kind": kind.value, "sent_at": iso(at), **expiry}}) for m in ids),
                ("Update", {"Key": schema.invitee_key(meeting_id, email),
                            "UpdateExpression": "ADD sent_ids :ids" + (
                                " SET invited_at = :at, invitation_message_ids = :list" if invited else ""),
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": {":ids": set(ids),
                                                          **({":at": iso(at), ":list": ids} if invited else {})}})]

    def _remember_sent(self, meeting_id: str, email: str, at: datetime, ids: list[str],
                       kind: SendKind | Response) -> None:
        """The same writes as `_sent_items`, one by one: the SENT items always, the invitee's only if it is there."""
        writes = self._sent_items(meeting_id, email, at, ids, kind)
        with self.table.batch_writer() as batch:
            for _kind, params in writes[:-1]:
                batch.put_item(Item=params["Item"])
        if writes:
            self._update_if(**writes[-1][1])

    def find_by_sent_message(self, message_id: str) -> tuple[str, str] | None:
        item = self._get(schema.sent_key(message_id))
        return (str(item["meeting_id"]), str(item["email"])) if item else None

    def send_progress(self, meeting_id: str, sending: str) -> dict[SendState, int]:
        counts: dict[SendState, int] = {}
        for item in self._query(KeyConditionExpression=Key("pk").eq(schema.partition(meeting_id))
                                & Key("sk").begins_with(schema.send_prefix(sending)), ProjectionExpression="#s",
                                ExpressionAttributeNames={"#s": "state"}):
            state = SendState(item["state"])
            counts[state] = counts.get(state, 0) + 1
        return counts

    def send_failures(self, meeting_id: str, sending: str) -> list[tuple[str, SendState, str]]:
        return [(str(item["email"]), SendState(item["state"]), str(item.get("last_error", "")))
                for item in self._query(KeyConditionExpression=Key("pk").eq(schema.partition(meeting_id))
                                        & Key("sk").begins_with(schema.send_prefix(sending)),
                                        FilterExpression=Attr("state").is_in([SendState.FAILED.value,
                                                                              SendState.REJECTED.value]))]
