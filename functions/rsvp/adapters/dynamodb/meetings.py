"""Meetings and their invitees (the invitee item carries the current answer, delivery and invitation)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from ...domain.meeting import Meeting, meeting_from_document
from ...domain.records import InviteeRecord
from ...domain.rsvp import Answer, Delivery, Status
from ...timeutil import iso
from . import codecs, schema
from .table import TableItems


class MeetingItems(TableItems):
    def save_meeting(self, meeting: Meeting) -> None:
        self._ends[meeting.id] = meeting.ends_at
        expiry = self._expiry(meeting.id)
        self.table.put_item(Item={**schema.meeting_key(meeting.id), "meeting_id": meeting.id,
                                  "ends_at": iso(meeting.ends_at),
                                  "doc": json.dumps(meeting.to_document(), ensure_ascii=False), **expiry})
        self.table.put_item(Item={**schema.mailbox_key(meeting.mailbox, meeting.id), "meeting_id": meeting.id,
                                  **expiry})

    def get_meeting(self, meeting_id: str) -> Meeting | None:
        item = self._get(schema.meeting_key(meeting_id))
        if not item:
            return None
        meeting = meeting_from_document(json.loads(item["doc"]), f"meeting {meeting_id}")
        self._ends[meeting.id] = meeting.ends_at
        return meeting

    def list_meetings(self) -> list[Meeting]:
        return [meeting_from_document(json.loads(item["doc"]), f"meeting {item['meeting_id']}")
                for item in self._query(KeyConditionExpression=Key("pk").eq(schema.MEETINGS))]

    def meetings_for_mailbox(self, mailbox: str) -> list[str]:
        return [str(item["meeting_id"]) for item in
                self._query(KeyConditionExpression=Key("pk").eq(schema.mailbox_pk(mailbox)))]


class InviteeItems(TableItems):
    def save_invitees(self, meeting: Meeting, records: Iterable[InviteeRecord]) -> None:
        self._ends[meeting.id] = meeting.ends_at
        expiry = self._expiry(meeting.id)
        existing = {str(item["email"]) for item in self._query(
            KeyConditionExpression=Key("pk").eq(schema.partition(meeting.id)) & Key("sk").begins_with("INVITEE#"),
            ProjectionExpression="email")}
        records = list(records)
        with self.table.batch_writer() as batch:  # new invitees: 25 to a request
            for record in records:
                batch.put_item(Item={**schema.tag_key(record.tag), "meeting_id": meeting.id, "email": record.email,
                                     **expiry})
                if record.email not in existing:
                    batch.put_item(Item={**schema.invitee_key(meeting.id, record.email), **codecs.invitee_item(record),
                                         "status": Status.PENDING.value, "delivery": Delivery.OK.value, **expiry})
        for record in records:  # re-imported invitees: details updated, answers and delivery kept
            if record.email not in existing:
                continue
            details = codecs.invitee_item(record)
            names = {f"#{k}": k for k in details}
            self.table.update_item(
                Key=schema.invitee_key(meeting.id, record.email),
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in details)
                + (", expires_at = :exp" if expiry else ""),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={**{f":{k}": v for k, v in details.items()},
                                           **({":exp": expiry["expires_at"]} if expiry else {})})

    def get_invitee(self, meeting_id: str, email: str) -> InviteeRecord | None:
        item = self._get(schema.invitee_key(meeting_id, email), consistent=True)
        return codecs.invitee_record(meeting_id, item) if item else None

    def get_with_meeting(self, meeting_id: str, email: str) -> tuple[Meeting | None, InviteeRecord | None]:
        """The invitee and their meeting in one read (BatchGetItem, consistent)."""
        keys = [schema.meeting_key(meeting_id), schema.invitee_key(meeting_id, email)]
        found: list[dict[str, Any]] = []
        request = {self.table.name: {"Keys": keys, "ConsistentRead": True}}
        for _ in range(8):  # what DynamoDB left unprocessed is asked again
            response = self.table.meta.client.batch_get_item(RequestItems=request)
            found += response.get("Responses", {}).get(self.table.name, [])
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        meeting = next((i for i in found if i["pk"] == schema.MEETINGS), None)
        invitee = next((i for i in found if i["pk"] != schema.MEETINGS), None)
        loaded = meeting_from_document(json.loads(meeting["doc"]), f"meeting {meeting_id}") if meeting else None
        if loaded is not None:
            self._ends[loaded.id] = loaded.ends_at
        return loaded, codecs.invitee_record(meeting_id, invitee) if invitee and loaded else None

    def list_invitees(self, meeting_id: str) -> list[InviteeRecord]:
        return [codecs.invitee_record(meeting_id, item) for item in self._query(
            KeyConditionExpression=Key("pk").eq(schema.partition(meeting_id)) & Key("sk").begins_with("INVITEE#"))]

    def find_by_tag(self, tag: str) -> tuple[str, str] | None:
        item = self._get(schema.tag_key(tag))
        return (str(item["meeting_id"]), str(item["email"])) if item else None

    def write_answer(self, meeting_id: str, email: str, answer: Answer) -> bool:
        written = iso(answer.written_at)
        return self._update_if(
            Key=schema.invitee_key(meeting_id, email),
            UpdateExpression="SET answer = :answer, #status = :status, answer_written_at = :w, answer_key = :k",
            ConditionExpression=Attr("pk").exists() & (
                Attr("answer_written_at").not_exists() | Attr("answer_written_at").lt(written) | (
                    Attr("answer_written_at").eq(written) & Attr("answer_key").lte(answer.message_key))),
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":answer": codecs.answer_item(answer), ":status": answer.status.value,
                                       ":w": written, ":k": answer.message_key})

    def set_delivery(self, meeting_id: str, email: str, delivery: Delivery, reason: str, at: datetime) -> None:
        self._set_on_invitee(meeting_id, email, delivery=delivery.value, delivery_reason=reason[:500],
                             delivery_at=iso(at))

    def set_no_reminders(self, meeting_id: str, email: str, at: datetime) -> None:
        self._set_on_invitee(meeting_id, email, no_reminders=True, no_reminders_at=iso(at))

    def note_clarify_sent(self, meeting_id: str, email: str, at: datetime) -> None:
        self._set_on_invitee(meeting_id, email, clarify_sent_at=iso(at))

    def _set_on_invitee(self, meeting_id: str, email: str, **values: object) -> None:
        """SET attributes on an invitee that exists (an invitee erased meanwhile is not brought back)."""
        self._update_if(Key=schema.invitee_key(meeting_id, email),
                        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values),
                        ConditionExpression=Attr("pk").exists(),
                        ExpressionAttributeNames={f"#{k}": k for k in values},
                        ExpressionAttributeValues={f":{k}": v for k, v in values.items()})
