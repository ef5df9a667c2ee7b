"""The DynamoDB repository: one table, keys designed for the desk's queries (never a Scan).

  pk                      sk                                   what
  MEETINGS                MEETING#<id>                         meeting document (list = one Query)
  MAILBOX#<address>       MEETING#<id>                         mailbox -> meetings
  MEETING#<id>            INVITEE#<email>                      invitee, current answer, delivery, invitation
  MEETING#<id>            HISTORY#<email>#<at>#<key>           reply history (GSI1: TIMELINE#<id>, <at>#...)
  MEETING#<id>            REVIEW#<received>#<key>              review queue
  MEETING#<id>            DIGEST#<local date>                  digest sent (once a day)
  TAG#<tag>               TAG                                  personal reply tag -> invitee
  SENT#<message id>       SENT                                 our sent message -> invitee
  INBOUND#<key>           INBOUND                              inbound message claim (idempotency)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from ..domain.invitees import Category, Invitee
from ..domain.meeting import Meeting, meeting_from_document
from ..domain.records import ClaimHeld, Erasure, HistoryEntry, InboundClaim, InviteeRecord, ReviewItem, Stage
from ..domain.rsvp import Answer, Decision, Delivery, InviteeState, Outcome, Response, Status
from ..domain.sending import ClaimState
from ..timeutil import from_iso, iso

INBOUND_RETENTION = timedelta(days=400)


class DynamoRepository:
    """`retention_days`: every item of a meeting expires (DynamoDB TTL, `expires_at`) that many days after the
    meeting's last session; 0 keeps them until deleted."""

    def __init__(self, table: Any, retention_days: int = 0) -> None:
        self.table = table
        self.retention = timedelta(days=retention_days) if retention_days > 0 else None
        self._ends: dict[str, datetime] = {}  # meeting id -> end of its last session (read once per container)

    def _expiry(self, meeting_id: str) -> dict[str, int]:
        """The TTL attribute for an item of the meeting ({} when records are kept)."""
        if self.retention is None:
            return {}
        if meeting_id not in self._ends:
            meeting = self.get_meeting(meeting_id)
            if meeting is None:
                return {}
        return {"expires_at": int((self._ends[meeting_id] + self.retention).timestamp())}

    # ---------------------------------------------------------------- meetings and invitees
    def save_meeting(self, meeting: Meeting, invitees: Iterable[InviteeRecord]) -> None:
        self._ends[meeting.id] = meeting.ends_at
        expiry = self._expiry(meeting.id)
        self.table.put_item(Item={"pk": "MEETINGS", "sk": f"MEETING#{meeting.id}", "meeting_id": meeting.id,
                                  "doc": json.dumps(meeting.to_document(), ensure_ascii=False), **expiry})
        self.table.put_item(Item={"pk": f"MAILBOX#{meeting.mailbox}", "sk": f"MEETING#{meeting.id}",
                                  "meeting_id": meeting.id, **expiry})
        existing = {str(item["email"]) for item in self._query(
            KeyConditionExpression=Key("pk").eq(f"MEETING#{meeting.id}") & Key("sk").begins_with("INVITEE#"),
            ProjectionExpression="email")}
        records = list(invitees)
        with self.table.batch_writer() as batch:  # new invitees: 25 to a request
            for record in records:
                inv = record.invitee
                batch.put_item(Item={"pk": f"TAG#{record.tag}", "sk": "TAG", "meeting_id": meeting.id,
                                     "email": inv.email, **expiry})
                if inv.email not in existing:
                    batch.put_item(Item={
                        **_invitee_key(meeting.id, inv.email), "email": inv.email, "name": inv.name,
                        "organisation": inv.organisation, "language": inv.language, "category": inv.category.value,
                        "honorific": inv.honorific, "tag": record.tag, "status": Status.PENDING.value,
                        "delivery": Delivery.OK.value, **expiry})
        for record in records:  # re-imported invitees: details updated, answers and delivery kept
            inv = record.invitee
            if inv.email not in existing:
                continue
            self.table.update_item(
                Key=_invitee_key(meeting.id, inv.email),
                UpdateExpression=(
                    "SET email = :email, #name = :name, organisation = :org, #language = :lang, category = :cat, "
                    "honorific = :hon, tag = :tag, #status = if_not_exists(#status, :pending), "
                    "delivery = if_not_exists(delivery, :ok)" + (", expires_at = :exp" if expiry else "")),
                ExpressionAttributeNames={"#name": "name", "#language": "language", "#status": "status"},
                ExpressionAttributeValues={
                    ":email": inv.email, ":name": inv.name, ":org": inv.organisation, ":lang": inv.language,
                    ":cat": inv.category.value, ":hon": inv.honorific, ":tag": record.tag,
                    ":pending": Status.PENDING.value, ":ok": Delivery.OK.value,
                    **({":exp": expiry["expires_at"]} if expiry else {})},
            )

    def get_meeting(self, meeting_id: str) -> Meeting | None:
        item = self.table.get_item(Key={"pk": "MEETINGS", "sk": f"MEETING#{meeting_id}"}).get("Item")
        if not item:
            return None
        meeting = meeting_from_document(json.loads(item["doc"]), f"meeting {meeting_id}")
        self._ends[meeting.id] = meeting.ends_at
        return meeting

    def list_meetings(self) -> list[Meeting]:
        return [meeting_from_document(json.loads(item["doc"]), f"meeting {item['meeting_id']}")
                for item in self._query(KeyConditionExpression=Key("pk").eq("MEETINGS"))]

    def meetings_for_mailbox(self, mailbox: str) -> list[str]:
        return [str(item["meeting_id"]) for item in
                self._query(KeyConditionExpression=Key("pk").eq(f"MAILBOX#{mailbox.lower()}"))]

    def get_invitee(self, meeting_id: str, email: str) -> InviteeRecord | None:
        item = self.table.get_item(Key=_invitee_key(meeting_id, email), ConsistentRead=True).get("Item")
        return _invitee_record(meeting_id, item) if item else None

    def list_invitees(self, meeting_id: str) -> list[InviteeRecord]:
        return [_invitee_record(meeting_id, item) for item in self._query(
            KeyConditionExpression=Key("pk").eq(f"MEETING#{meeting_id}") & Key("sk").begins_with("INVITEE#"))]

    def find_by_tag(self, tag: str) -> tuple[str, str] | None:
        item = self.table.get_item(Key={"pk": f"TAG#{tag.lower()}", "sk": "TAG"}).get("Item")
        return (str(item["meeting_id"]), str(item["email"])) if item else None

    def find_by_sent_message(self, message_id: str) -> tuple[str, str] | None:
        item = self.table.get_item(Key={"pk": f"SENT#{message_id.strip('<>')}", "sk": "SENT"}).get("Item")
        return (str(item["meeting_id"]), str(item["email"])) if item else None

    # ---------------------------------------------------------------- invitations
    def claim_invitation(self, meeting_id: str, email: str, at: datetime) -> bool:
        try:
            self.table.update_item(
                Key=_invitee_key(meeting_id, email),
                UpdateExpression="SET invitation_state = :sending, invitation_claimed_at = :at",
                ConditionExpression=Attr("pk").exists() & (
                    Attr("invitation_state").not_exists() | Attr("invitation_state").eq("failed")),
                ExpressionAttributeValues={":sending": "sending", ":at": iso(at)})
        except ClientError as exc:
            if _conditional(exc):
                return False
            raise
        return True

    def record_invitation(self, meeting_id: str, email: str, at: datetime, message_ids: Iterable[str]) -> None:
        ids = [m.strip("<>") for m in message_ids if m]
        self.table.update_item(
            Key=_invitee_key(meeting_id, email),
            UpdateExpression="SET invitation_state = :sent, invited_at = :at, invitation_message_ids = :ids "
                             "REMOVE invitation_error",
            ExpressionAttributeValues={":sent": "sent", ":at": iso(at), ":ids": ids})
        self.record_sent(meeting_id, email, at, ids, "invitation")

    def record_sent(self, meeting_id: str, email: str, at: datetime, message_ids: Iterable[str], kind: str) -> None:
        ids = {m.strip("<>") for m in message_ids if m}
        if not ids:
            return
        expiry = self._expiry(meeting_id)
        with self.table.batch_writer() as batch:
            for message_id in ids:
                batch.put_item(Item={"pk": f"SENT#{message_id}", "sk": "SENT", "meeting_id": meeting_id,
                                     "email": email, "kind": kind, "sent_at": iso(at), **expiry})
        try:  # the invitee's item lists them too, so that erasing the invitee finds them
            self.table.update_item(Key=_invitee_key(meeting_id, email), UpdateExpression="ADD sent_ids :ids",
                                   ConditionExpression=Attr("pk").exists(), ExpressionAttributeValues={":ids": ids})
        except ClientError as exc:
            if not _conditional(exc):
                raise

    def release_invitation(self, meeting_id: str, email: str, reason: str) -> None:
        self.table.update_item(Key=_invitee_key(meeting_id, email),
                               UpdateExpression="SET invitation_state = :failed, invitation_error = :reason",
                               ExpressionAttributeValues={":failed": "failed", ":reason": reason[:500]})

    # ---------------------------------------------------------------- sending
    def mark_queued(self, meeting_id: str, email: str, sending: str, kind: str, at: datetime) -> bool:
        try:
            self.table.put_item(Item={**_send_key(meeting_id, sending, email), "state": "queued", "kind": kind,
                                      "email": email, "sending": sending, "queued_at": iso(at),
                                      **self._expiry(meeting_id)},
                                ConditionExpression=Attr("pk").not_exists() | Attr("state").eq("queued"))
        except ClientError as exc:
            if _conditional(exc):
                return False
            raise
        return True

    def claim_send(self, meeting_id: str, email: str, sending: str, at: datetime, stale_after_seconds: int,
                   resend_stale: bool = True) -> ClaimState:
        stale = iso(at - timedelta(seconds=stale_after_seconds))
        expiry = self._expiry(meeting_id)
        takeover = Attr("state").eq("sending") & Attr("claimed_at").lt(stale) & Attr("confirmed_id").not_exists()
        if not resend_stale:  # only an attempt that died before handing the message to SES
            takeover = takeover & Attr("handed_at").not_exists()
        try:
            self.table.update_item(
                Key=_send_key(meeting_id, sending, email),
                UpdateExpression="SET #state = :sending, claimed_at = :now, email = :email, sending = :sending_id"
                                 + (", expires_at = :exp" if expiry else "") + " REMOVE handed_at ADD attempts :one",
                ConditionExpression=Attr("state").not_exists() | Attr("state").is_in(["queued", "failed"]) | takeover,
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":sending": "sending", ":now": iso(at), ":one": 1, ":email": email,
                                           ":sending_id": sending,
                                           **({":exp": expiry["expires_at"]} if expiry else {})})
        except ClientError as exc:
            if not _conditional(exc):
                raise
            item = self.table.get_item(Key=_send_key(meeting_id, sending, email), ConsistentRead=True).get("Item", {})
            if item.get("state") == "sent":
                return ClaimState.SENT
            if item.get("state") == "rejected":
                return ClaimState.REJECTED
            if item.get("confirmed_id"):  # SES accepted it; the attempt died before recording: settle it now
                self.finish_send(meeting_id, email, sending, at, [str(item["confirmed_id"])], str(item.get("kind", "")))
                return ClaimState.SENT
            if item.get("state") == "sending" and str(item.get("claimed_at", "")) < stale and item.get("handed_at"):
                return ClaimState.UNCONFIRMED
            return ClaimState.IN_FLIGHT
        return ClaimState.CLAIMED

    def finish_send(self, meeting_id: str, email: str, sending: str, at: datetime, message_ids: Iterable[str],
                    kind: str) -> None:
        ids = [m.strip("<>") for m in message_ids if m]
        self.table.update_item(Key=_send_key(meeting_id, sending, email),
                               UpdateExpression="SET #state = :sent, sent_at = :at, message_ids = :ids "
                                                "REMOVE last_error",
                               ExpressionAttributeNames={"#state": "state"},
                               ExpressionAttributeValues={":sent": "sent", ":at": iso(at), ":ids": ids})
        if kind == "invitation":
            self.record_invitation(meeting_id, email, at, ids)
        else:
            self.record_sent(meeting_id, email, at, ids, kind)

    def fail_send(self, meeting_id: str, email: str, sending: str, reason: str, retryable: bool) -> None:
        self.table.update_item(Key=_send_key(meeting_id, sending, email),
                               UpdateExpression="SET #state = :state, last_error = :reason",
                               ExpressionAttributeNames={"#state": "state"},
                               ExpressionAttributeValues={":state": "failed" if retryable else "rejected",
                                                          ":reason": reason[:500]})

    def hand_over(self, meeting_id: str, email: str, sending: str, claimed_at: datetime, at: datetime) -> bool:
        return self._update_if(Key=_send_key(meeting_id, sending, email), UpdateExpression="SET handed_at = :at",
                               ConditionExpression=Attr("state").eq("sending") & Attr("claimed_at").eq(iso(claimed_at)),
                               ExpressionAttributeValues={":at": iso(at)})

    def release_send(self, meeting_id: str, email: str, sending: str, claimed_at: datetime, reason: str) -> bool:
        return self._update_if(Key=_send_key(meeting_id, sending, email),
                               UpdateExpression="SET #state = :failed, last_error = :reason REMOVE handed_at",
                               ConditionExpression=Attr("state").eq("sending")
                               & Attr("claimed_at").eq(iso(claimed_at)) & Attr("confirmed_id").not_exists(),
                               ExpressionAttributeNames={"#state": "state"},
                               ExpressionAttributeValues={":failed": "failed", ":reason": reason[:500]})

    def _update_if(self, **update: Any) -> bool:
        """One conditional update_item: False when its condition does not hold."""
        try:
            self.table.update_item(**update)
        except ClientError as exc:
            if not _conditional(exc):
                raise
            return False
        return True

    def confirm_send(self, meeting_id: str, email: str, sending: str, provider_id: str, at: datetime) -> None:
        self.table.update_item(Key=_send_key(meeting_id, sending, email),
                               UpdateExpression="SET confirmed_id = :id, confirmed_at = :at",
                               ExpressionAttributeValues={":id": provider_id, ":at": iso(at)})

    def send_progress(self, meeting_id: str, sending: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self._query(KeyConditionExpression=Key("pk").eq(f"MEETING#{meeting_id}")
                                & Key("sk").begins_with(f"SEND#{sending}#"), ProjectionExpression="#s",
                                ExpressionAttributeNames={"#s": "state"}):
            counts[str(item["state"])] = counts.get(str(item["state"]), 0) + 1
        return counts

    def send_failures(self, meeting_id: str, sending: str) -> list[tuple[str, str, str]]:
        return [(str(item["email"]), str(item["state"]), str(item.get("last_error", "")))
                for item in self._query(KeyConditionExpression=Key("pk").eq(f"MEETING#{meeting_id}")
                                        & Key("sk").begins_with(f"SEND#{sending}#"),
                                        FilterExpression=Attr("state").is_in(["failed", "rejected"]))]

    def claim_once(self, meeting_id: str, marker: str, at: datetime) -> bool:
        return self._claim_marker(meeting_id, f"ONCE#{marker}", at)

    def _claim_marker(self, meeting_id: str, sort_key: str, at: datetime) -> bool:
        """Write a marker item unless it exists: True for the one caller that wrote it."""
        try:
            self.table.put_item(Item={"pk": f"MEETING#{meeting_id}", "sk": sort_key, "at": iso(at),
                                      **self._expiry(meeting_id)},
                                ConditionExpression=Attr("pk").not_exists())
        except ClientError as exc:
            if _conditional(exc):
                return False
            raise
        return True

    def set_no_reminders(self, meeting_id: str, email: str, at: datetime) -> None:
        self.table.update_item(Key=_invitee_key(meeting_id, email),
                               UpdateExpression="SET no_reminders = :yes, no_reminders_at = :at",
                               ConditionExpression=Attr("pk").exists(),
                               ExpressionAttributeValues={":yes": True, ":at": iso(at)})

    # ---------------------------------------------------------------- replies
    def claim_inbound(self, message_key: str, raw_key: str, at: datetime, lease_seconds: float
                      ) -> InboundClaim | ClaimHeld:
        try:
            response = self.table.update_item(
                Key=_inbound_key(message_key),
                UpdateExpression=(
                    "SET #state = :processing, lease_until = :until, raw_key = if_not_exists(raw_key, :raw), "
                    "first_seen = if_not_exists(first_seen, :now), attempts = if_not_exists(attempts, :zero) + :one, "
                    "expires_at = if_not_exists(expires_at, :expires)"),
                ConditionExpression=Attr("pk").not_exists() | (
                    Attr("state").eq("processing") & Attr("lease_until").lt(iso(at))),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":processing": "processing", ":until": iso(at + timedelta(seconds=lease_seconds)),
                    ":raw": raw_key, ":now": iso(at), ":zero": 0, ":one": 1,
                    ":expires": int((at + INBOUND_RETENTION).timestamp())},
                ReturnValues="ALL_NEW")
        except ClientError as exc:
            if not _conditional(exc):
                raise
            old = self.table.get_item(Key=_inbound_key(message_key), ConsistentRead=True).get("Item", {})
            return ClaimHeld.HELD if old.get("state") == "processing" else ClaimHeld.DONE
        item = response["Attributes"]
        return InboundClaim(
            message_key=message_key, started_at=from_iso(item["first_seen"]), attempts=int(item["attempts"]),
            stages=frozenset(Stage(s) for s in item.get("stages", set())),
            decision=_decision(item["decision"]) if item.get("decision") else None,
            response_id=str(item.get("response_id", "")))

    def note_stage(self, message_key: str, stage: Stage, *, decision: Decision | None = None,
                   response_id: str = "") -> None:
        values: dict[str, Any] = {":stage": {stage.value}}
        update = "ADD stages :stage"
        if decision is not None:
            update += " SET decision = :decision"
            values[":decision"] = _decision_item(decision)
        if response_id:
            update += (", " if decision is not None else " SET ") + "response_id = :response"
            values[":response"] = response_id
        self.table.update_item(Key=_inbound_key(message_key), UpdateExpression=update,
                               ExpressionAttributeValues=values)

    def release_inbound(self, message_key: str, at: datetime) -> None:
        try:
            self.table.update_item(Key=_inbound_key(message_key), UpdateExpression="SET lease_until = :at",
                                   ConditionExpression=Attr("state").eq("processing"),
                                   ExpressionAttributeValues={":at": iso(at - timedelta(seconds=1))})
        except ClientError as exc:
            if not _conditional(exc):
                raise

    def finish_inbound(self, message_key: str, outcome: str, at: datetime, response: str = "none") -> None:
        self.table.update_item(Key=_inbound_key(message_key),
                               UpdateExpression="SET #state = :done, outcome = :outcome, finished_at = :at, "
                                                "sent_back = :response "
                                                "REMOVE lease_until, decision",  # (its attendees' names)
                               ExpressionAttributeNames={"#state": "state"},
                               ExpressionAttributeValues={":done": "done", ":outcome": outcome, ":at": iso(at),
                                                          ":response": response})

    def write_answer(self, meeting_id: str, email: str, answer: Answer) -> bool:
        written = iso(answer.written_at)
        try:
            self.table.update_item(
                Key=_invitee_key(meeting_id, email),
                UpdateExpression="SET answer = :answer, #status = :status, answer_written_at = :w, answer_key = :k",
                ConditionExpression=Attr("pk").exists() & (
                    Attr("answer_written_at").not_exists() | Attr("answer_written_at").lt(written) | (
                        Attr("answer_written_at").eq(written) & Attr("answer_key").lte(answer.message_key))),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":answer": _answer_item(answer), ":status": answer.status.value,
                                           ":w": written, ":k": answer.message_key})
        except ClientError as exc:
            if _conditional(exc):
                return False
            raise
        return True

    def set_delivery(self, meeting_id: str, email: str, delivery: Delivery, reason: str, at: datetime) -> None:
        self.table.update_item(Key=_invitee_key(meeting_id, email),
                               UpdateExpression="SET delivery = :d, delivery_reason = :r, delivery_at = :at",
                               ConditionExpression=Attr("pk").exists(),
                               ExpressionAttributeValues={":d": delivery.value, ":r": reason[:500], ":at": iso(at)})

    def note_clarify_sent(self, meeting_id: str, email: str, at: datetime) -> None:
        self.table.update_item(Key=_invitee_key(meeting_id, email), UpdateExpression="SET clarify_sent_at = :at",
                               ExpressionAttributeValues={":at": iso(at)})

    def add_history(self, entry: HistoryEntry) -> None:
        who = entry.email or "~unmatched"
        stamp = iso(entry.at)
        short = entry.message_key[:16] or "manual"
        item: dict[str, Any] = {
            "pk": f"MEETING#{entry.meeting_id}", "sk": f"HISTORY#{who}#{stamp}#{short}",
            "gsi1pk": f"TIMELINE#{entry.meeting_id}", "gsi1sk": f"{stamp}#{who}#{short}",
            "email": entry.email, "at": stamp, "source": entry.source, "outcome": entry.outcome.value,
            "message_key": entry.message_key, "raw_key": entry.raw_key,
            "received_at": iso(entry.received_at) if entry.received_at else None,
            "written_at": iso(entry.written_at) if entry.written_at else None,
            "from_address": entry.from_address, "subject": entry.subject[:300], "intent": entry.intent,
            "kind": entry.kind,
            "status_before": entry.status_before.value if entry.status_before else None,
            "status_after": entry.status_after.value if entry.status_after else None,
            "sessions": list(entry.sessions) if entry.sessions is not None else None,
            "attendees": list(entry.attendees), "attendee_count": entry.attendee_count,
            "language": entry.language,
            "confidence": Decimal(str(entry.confidence)) if entry.confidence is not None else None,
            "reasons": list(entry.reasons), "excerpt": entry.excerpt[:1000], "actor": entry.actor or None,
            **self._expiry(entry.meeting_id),
        }
        self.table.put_item(Item={k: v for k, v in item.items() if v is not None})

    def add_review(self, item: ReviewItem) -> bool:
        """File the item unless it is already filed (a retry must not reopen what an organiser settled)."""
        try:
            self._put_review(item)
        except ClientError as exc:
            if _conditional(exc):
                return False
            raise
        return True

    def _put_review(self, item: ReviewItem) -> None:
        self.table.put_item(ConditionExpression=Attr("pk").not_exists(), Item={k: v for k, v in {
            "pk": f"MEETING#{item.meeting_id}", "sk": _review_sort_key(item),
            "received_at": iso(item.received_at), "message_key": item.message_key, "outcome": item.outcome.value,
            "raw_key": item.raw_key, "email": item.email, "from_address": item.from_address,
            "subject": item.subject[:300], "excerpt": item.excerpt[:1000], "reasons": list(item.reasons),
            "resolved": item.resolved, "intent": item.intent, "attendees": list(item.attendees),
            "sessions": list(item.sessions) if item.sessions is not None else None, "language": item.language,
            "confidence": Decimal(str(item.confidence)) if item.confidence is not None else None,
            **self._expiry(item.meeting_id),
        }.items() if v is not None})

    def resolve_review(self, item: ReviewItem, resolution: str, by: str, at: datetime) -> bool:
        """Mark a review item settled; False when someone else settled it first."""
        try:
            self.table.update_item(
                Key={"pk": f"MEETING#{item.meeting_id}", "sk": _review_sort_key(item)},
                UpdateExpression="SET resolved = :yes, resolution = :r, resolved_by = :by, resolved_at = :at",
                ConditionExpression=Attr("pk").exists() & Attr("resolved").eq(False),
                ExpressionAttributeValues={":yes": True, ":r": resolution[:300], ":by": by[:200], ":at": iso(at)})
        except ClientError as exc:
            if _conditional(exc):
                return False
            raise
        return True

    def history_of(self, meeting_id: str, email: str) -> list[HistoryEntry]:
        """One invitee's whole history, oldest first."""
        return [_history_entry(meeting_id, item) for item in self._query(
            KeyConditionExpression=Key("pk").eq(f"MEETING#{meeting_id}")
            & Key("sk").begins_with(f"HISTORY#{email.lower()}#"))]

    # ---------------------------------------------------------------- erasure
    def forget_invitee(self, meeting_id: str, email: str) -> Erasure:
        """Delete every item about one person in a meeting: the invitee and their answer, their personal tag, their
        history and review items (also those of mail they sent before they were matched), their sends and our
        sent Message-IDs, and the inbound claims of their messages. The raw mail keys are returned for the store."""
        email = email.lower()
        invitee = self.table.get_item(Key=_invitee_key(meeting_id, email), ConsistentRead=True).get("Item") or {}
        partition = Key("pk").eq(f"MEETING#{meeting_id}")
        history = list(self._query(KeyConditionExpression=partition & Key("sk").begins_with(f"HISTORY#{email}#")))
        history += [h for h in self._query(KeyConditionExpression=partition & Key("sk").begins_with(
            "HISTORY#~unmatched#")) if str(h.get("from_address", "")).lower() == email]
        reviews = [r for r in self._query(KeyConditionExpression=partition & Key("sk").begins_with("REVIEW#"))
                   if email in (str(r.get("email") or "").lower(), str(r.get("from_address", "")).lower())]
        sends = [i for i in self._query(KeyConditionExpression=partition & Key("sk").begins_with("SEND#"))
                 if str(i.get("email", "")).lower() == email]
        sent_ids = {str(m).strip("<>") for m in [*invitee.get("invitation_message_ids", []),
                                                 *invitee.get("sent_ids", set()),
                                                 *(m for i in sends for m in i.get("message_ids", []))] if m}
        message_keys = {str(i["message_key"]) for i in [*history, *reviews] if i.get("message_key")}
        raw_keys = sorted({str(i["raw_key"]) for i in [*history, *reviews] if i.get("raw_key")})
        keys = [_invitee_key(meeting_id, email)] if invitee else []
        keys += [{"pk": f"TAG#{invitee['tag']}", "sk": "TAG"}] if invitee.get("tag") else []
        keys += [{"pk": i["pk"], "sk": i["sk"]} for i in [*history, *reviews, *sends]]
        keys += [{"pk": f"SENT#{m}", "sk": "SENT"} for m in sorted(sent_ids)]
        keys += [_inbound_key(k) for k in sorted(message_keys) if not k.startswith("organiser-")]
        with self.table.batch_writer() as batch:
            for key in keys:
                batch.delete_item(Key=key)
        return Erasure(found=bool(invitee or history or reviews), items=len(keys), raw_keys=tuple(raw_keys))

    def add_audit(self, meeting_id: str, at: datetime, actor: str, text: str) -> None:
        self.table.put_item(Item={"pk": f"MEETING#{meeting_id}", "sk": f"AUDIT#{iso(at)}", "at": iso(at),
                                  "actor": actor[:200], "text": text[:1000], **self._expiry(meeting_id)})

    def audit_log(self, meeting_id: str) -> list[tuple[datetime, str, str]]:
        return [(from_iso(i["at"]), str(i.get("actor", "")), str(i.get("text", ""))) for i in self._query(
            KeyConditionExpression=Key("pk").eq(f"MEETING#{meeting_id}") & Key("sk").begins_with("AUDIT#"))]

    # ---------------------------------------------------------------- digest
    def history_since(self, meeting_id: str, since: datetime | None) -> list[HistoryEntry]:
        condition = Key("gsi1pk").eq(f"TIMELINE#{meeting_id}")
        if since is not None:
            condition = condition & Key("gsi1sk").gt(iso(since))
        return [_history_entry(meeting_id, item)
                for item in self._query(IndexName="GSI1", KeyConditionExpression=condition)]

    def open_reviews(self, meeting_id: str) -> list[ReviewItem]:
        return [_review_item(meeting_id, item) for item in self._query(
            KeyConditionExpression=Key("pk").eq(f"MEETING#{meeting_id}") & Key("sk").begins_with("REVIEW#"),
            FilterExpression=Attr("resolved").eq(False))]

    def all_reviews(self, meeting_id: str) -> list[ReviewItem]:
        """Every review item, settled or not, oldest first."""
        return [_review_item(meeting_id, item) for item in self._query(
            KeyConditionExpression=Key("pk").eq(f"MEETING#{meeting_id}") & Key("sk").begins_with("REVIEW#"))]

    def last_digest_at(self, meeting_id: str, before: datetime) -> datetime | None:
        """When the latest digest before `before` was sent (a few items: one a day)."""
        times = [from_iso(item["at"]) for item in self._query(
            KeyConditionExpression=Key("pk").eq(f"MEETING#{meeting_id}") & Key("sk").begins_with("DIGEST#"),
            ScanIndexForward=False)]
        earlier = [t for t in times if t < before]
        return max(earlier) if earlier else None

    def claim_digest(self, meeting_id: str, local_date: str, at: datetime) -> bool:
        return self._claim_marker(meeting_id, f"DIGEST#{local_date}", at)

    def release_digest(self, meeting_id: str, local_date: str) -> None:
        self.table.delete_item(Key={"pk": f"MEETING#{meeting_id}", "sk": f"DIGEST#{local_date}"})

    # ---------------------------------------------------------------- helpers
    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = self.table.query(**kwargs)
            yield from page["Items"]
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _conditional(exc: ClientError) -> bool:
    return bool(exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


def _send_key(meeting_id: str, sending: str, email: str) -> dict[str, str]:
    return {"pk": f"MEETING#{meeting_id}", "sk": f"SEND#{sending}#{email.lower()}"}


def _review_sort_key(item: ReviewItem) -> str:
    return f"REVIEW#{iso(item.received_at)}#{item.message_key[:16]}"


def _review_item(meeting_id: str, item: dict[str, Any]) -> ReviewItem:
    sessions = item.get("sessions")
    return ReviewItem(
        meeting_id=meeting_id, received_at=from_iso(item["received_at"]), message_key=item["message_key"],
        outcome=Outcome(item["outcome"]), raw_key=item.get("raw_key", ""), email=item.get("email"),
        from_address=item.get("from_address", ""), subject=item.get("subject", ""),
        excerpt=item.get("excerpt", ""), reasons=tuple(item.get("reasons", [])),
        resolved=bool(item.get("resolved", False)), intent=item.get("intent"),
        attendees=tuple(item.get("attendees", [])), sessions=tuple(sessions) if sessions is not None else None,
        language=item.get("language"),
        confidence=float(item["confidence"]) if item.get("confidence") is not None else None,
        resolution=item.get("resolution", ""), resolved_by=item.get("resolved_by", ""),
        resolved_at=from_iso(item["resolved_at"]) if item.get("resolved_at") else None)


def _inbound_key(message_key: str) -> dict[str, str]:
    return {"pk": f"INBOUND#{message_key}", "sk": "INBOUND"}


def _decision_item(decision: Decision) -> dict[str, Any]:
    return {"outcome": decision.outcome.value, "response": decision.response.value, "notes": list(decision.notes),
            "before": decision.before.value if decision.before else None,
            "answer": _answer_item(decision.answer) if decision.answer else None}


def _decision(item: dict[str, Any]) -> Decision:
    return Decision(Outcome(item["outcome"]), Response(item["response"]), answer=_answer(item.get("answer")),
                    notes=tuple(item.get("notes", [])), before=Status(item["before"]) if item.get("before") else None)


def _invitee_key(meeting_id: str, email: str) -> dict[str, str]:
    return {"pk": f"MEETING#{meeting_id}", "sk": f"INVITEE#{email.lower()}"}


def _answer_item(answer: Answer) -> dict[str, Any]:
    return {"status": answer.status.value, "sessions": list(answer.sessions) if answer.sessions is not None else None,
            "attendees": list(answer.attendees), "attendee_count": answer.attendee_count,
            "written_at": iso(answer.written_at), "message_key": answer.message_key, "source": answer.source,
            **({"attendee_sessions": [[name, list(ids)] for name, ids in answer.attendee_sessions]}
               if answer.attendee_sessions else {})}


def _answer(item: dict[str, Any] | None) -> Answer | None:
    if not item:
        return None
    sessions = item.get("sessions")
    return Answer(status=Status(item["status"]), sessions=tuple(sessions) if sessions is not None else None,
                  attendees=tuple(item.get("attendees", [])), attendee_count=int(item.get("attendee_count", 0)),
                  written_at=from_iso(item["written_at"]), message_key=item["message_key"],
                  source=item.get("source", "reply"),
                  attendee_sessions=tuple((str(name), tuple(ids)) for name, ids in item.get("attendee_sessions", [])))


def _invitee_record(meeting_id: str, item: dict[str, Any]) -> InviteeRecord:
    invitee = Invitee(email=item["email"], name=item["name"], organisation=item["organisation"],
                      language=item["language"], category=Category(item["category"]),
                      honorific=item.get("honorific", ""))
    state = InviteeState(
        email=item["email"], answer=_answer(item.get("answer")), delivery=Delivery(item.get("delivery", "ok")),
        invited_at=from_iso(item["invited_at"]) if item.get("invited_at") else None,
        clarify_sent_at=from_iso(item["clarify_sent_at"]) if item.get("clarify_sent_at") else None,
        no_reminders=bool(item.get("no_reminders", False)))
    return InviteeRecord(meeting_id=meeting_id, invitee=invitee, tag=item.get("tag", ""), state=state,
                         invitation_message_ids=tuple(item.get("invitation_message_ids", [])))


def _history_entry(meeting_id: str, item: dict[str, Any]) -> HistoryEntry:
    sessions = item.get("sessions")
    return HistoryEntry(
        meeting_id=meeting_id, email=item.get("email"), at=from_iso(item["at"]), source=item["source"],
        outcome=Outcome(item["outcome"]), message_key=item.get("message_key", ""), raw_key=item.get("raw_key", ""),
        received_at=from_iso(item["received_at"]) if item.get("received_at") else None,
        written_at=from_iso(item["written_at"]) if item.get("written_at") else None,
        from_address=item.get("from_address", ""), subject=item.get("subject", ""), intent=item.get("intent"),
        kind=item.get("kind"),
        status_before=Status(item["status_before"]) if item.get("status_before") else None,
        status_after=Status(item["status_after"]) if item.get("status_after") else None,
        sessions=tuple(sessions) if sessions is not None else None, attendees=tuple(item.get("attendees", [])),
        attendee_count=int(item["attendee_count"]) if item.get("attendee_count") is not None else None,
        language=item.get("language"),
        confidence=float(item["confidence"]) if item.get("confidence") is not None else None,
        reasons=tuple(item.get("reasons", [])), excerpt=item.get("excerpt", ""), actor=item.get("actor", ""))


class DynamoRateLimiter:
    """At most `rate` sends per second across every concurrent sender: a conditional counter per second."""

    def __init__(self, table: Any, rate: float, clock: Any, sleeper: Any, key: str = "RATE#ses") -> None:
        self.table = table
        self.per_second = max(1, int(rate))
        self.clock = clock
        self.sleeper = sleeper
        self.key = key

    def acquire(self) -> None:
        while True:
            now = self.clock.now()
            second = int(now.timestamp())
            try:
                self.table.update_item(
                    Key={"pk": self.key, "sk": str(second)}, UpdateExpression="ADD n :one SET expires_at = :ttl",
                    ConditionExpression=Attr("n").not_exists() | Attr("n").lt(self.per_second),
                    ExpressionAttributeValues={":one": 1, ":ttl": second + 300})
                return
            except ClientError as exc:
                if not _conditional(exc):
                    raise
            self.sleeper.sleep(max(0.001, second + 1 - now.timestamp()))  # this second is full: wait for the next
