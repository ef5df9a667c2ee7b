"""The journal (each invitee's history, the meeting's timeline and audit log), the review queue, the digest and
one-off markers, and erasing one person's records."""

from __future__ import annotations

from datetime import datetime

from boto3.dynamodb.conditions import Attr, Key

from ...domain.records import Erasure, HistoryEntry, ReviewItem
from ...timeutil import from_iso, iso
from . import codecs, schema
from .table import TableItems


class JournalItems(TableItems):
    def add_history(self, entry: HistoryEntry) -> None:
        self.table.put_item(Item={
            **schema.history_key(entry.meeting_id, entry.email, entry.at, entry.message_key),
            **schema.timeline_key(entry.meeting_id, entry.email, entry.at, entry.message_key),
            **codecs.history_item(entry), **self._expiry(entry.meeting_id)})

    def history_of(self, meeting_id: str, email: str) -> list[HistoryEntry]:
        entries = [codecs.history_entry(meeting_id, item) for item in self._query(
            KeyConditionExpression=Key("pk").eq(schema.partition(meeting_id))
            & Key("sk").begins_with(schema.history_prefix(email)))]
        return sorted(entries, key=lambda h: (h.at, h.message_key))

    def history_since(self, meeting_id: str, since: datetime | None) -> list[HistoryEntry]:
        condition = Key("gsi1pk").eq(f"TIMELINE#{meeting_id}")
        if since is not None:  # strictly after `since`: past every entry written at that very instant
            condition = condition & Key("gsi1sk").gt(f"{iso(since)}#\uffff")
        return [codecs.history_entry(meeting_id, item)
                for item in self._query(IndexName="GSI1", KeyConditionExpression=condition)]

    def add_audit(self, meeting_id: str, at: datetime, actor: str, text: str) -> None:
        self.table.put_item(Item={**schema.audit_key(meeting_id, at), "at": iso(at), "actor": actor[:200],
                                  "text": text[:1000], **self._expiry(meeting_id)})

    def audit_log(self, meeting_id: str) -> list[tuple[datetime, str, str]]:
        return [(from_iso(i["at"]), str(i.get("actor", "")), str(i.get("text", ""))) for i in self._query(
            KeyConditionExpression=Key("pk").eq(schema.partition(meeting_id)) & Key("sk").begins_with("AUDIT#"))]


class ReviewItems(TableItems):
    def add_review(self, item: ReviewItem) -> bool:
        """File the item unless it is already filed (a retry must not reopen what an organiser settled)."""
        return self._put_if({**schema.review_key(item.meeting_id, item.received_at, item.message_key),
                             **codecs.review_item_of(item), **self._expiry(item.meeting_id)}, Attr("pk").not_exists())

    def resolve_review(self, item: ReviewItem, resolution: str, by: str, at: datetime) -> bool:
        return self._update_if(
            Key=schema.review_key(item.meeting_id, item.received_at, item.message_key),
            UpdateExpression="SET resolved = :yes, resolution = :r, resolved_by = :by, resolved_at = :at",
            ConditionExpression=Attr("pk").exists() & Attr("resolved").eq(False),
            ExpressionAttributeValues={":yes": True, ":r": resolution[:300], ":by": by[:200], ":at": iso(at)})

    def open_reviews(self, meeting_id: str) -> list[ReviewItem]:
        return [codecs.review_item(meeting_id, item) for item in self._query(
            KeyConditionExpression=Key("pk").eq(schema.partition(meeting_id)) & Key("sk").begins_with("REVIEW#"),
            FilterExpression=Attr("resolved").eq(False))]

    def all_reviews(self, meeting_id: str) -> list[ReviewItem]:
        return [codecs.review_item(meeting_id, item) for item in self._query(
            KeyConditionExpression=Key("pk").eq(schema.partition(meeting_id)) & Key("sk").begins_with("REVIEW#"))]


class MarkerItems(TableItems):
    def claim_digest(self, meeting_id: str, local_date: str, at: datetime) -> bool:
        return self._claim_marker(meeting_id, schema.digest_marker(local_date), at)

    def release_digest(self, meeting_id: str, local_date: str) -> None:
        self.table.delete_item(Key=schema.marker_key(meeting_id, schema.digest_marker(local_date)))

    def last_digest_at(self, meeting_id: str, before: datetime) -> datetime | None:
        """When the latest digest before `before` was sent (a few items: one a day)."""
        times = [from_iso(item["at"]) for item in self._query(
            KeyConditionExpression=Key("pk").eq(schema.partition(meeting_id)) & Key("sk").begins_with("DIGEST#"))]
        earlier = [t for t in times if t < before]
        return max(earlier) if earlier else None

    def claim_once(self, meeting_id: str, marker: str, at: datetime) -> bool:
        return self._claim_marker(meeting_id, schema.once_marker(marker), at)

    def _claim_marker(self, meeting_id: str, marker: str, at: datetime) -> bool:
        """Write a marker item unless it exists: True for the one caller that wrote it."""
        return self._put_if({**schema.marker_key(meeting_id, marker), "at": iso(at), **self._expiry(meeting_id)},
                            Attr("pk").not_exists())


class ErasureItems(TableItems):
    def forget_invitee(self, meeting_id: str, email: str) -> Erasure:
        """Delete every item about one person in a meeting: the invitee and their answer, their personal tag, their
        history and review items (also those of mail they sent before they were matched), their sends and our
        sent Message-IDs, and the inbound claims of their messages. The raw mail keys are returned for the store."""
        email = email.lower()
        invitee = self._get(schema.invitee_key(meeting_id, email), consistent=True) or {}
        part = Key("pk").eq(schema.partition(meeting_id))
        history = list(self._query(KeyConditionExpression=part & Key("sk").begins_with(schema.history_prefix(email))))
        history += [h for h in self._query(KeyConditionExpression=part & Key("sk").begins_with(
            schema.history_prefix(None))) if str(h.get("from_address", "")).lower() == email]
        reviews = [r for r in self._query(KeyConditionExpression=part & Key("sk").begins_with("REVIEW#"))
                   if email in (str(r.get("email") or "").lower(), str(r.get("from_address", "")).lower())]
        sends = [i for i in self._query(KeyConditionExpression=part & Key("sk").begins_with("SEND#"))
                 if str(i.get("email", "")).lower() == email]
        sent_ids = {str(m).strip("<>") for m in [*invitee.get("invitation_message_ids", []),
                                                 *invitee.get("sent_ids", set()),
                                                 *(m for i in sends for m in i.get("message_ids", []))] if m}
        message_keys = {str(i["message_key"]) for i in [*history, *reviews] if i.get("message_key")}
        raw_keys = sorted({str(i["raw_key"]) for i in [*history, *reviews] if i.get("raw_key")})
        keys = [schema.invitee_key(meeting_id, email)] if invitee else []
        keys += [schema.tag_key(str(invitee["tag"]))] if invitee.get("tag") else []
        keys += [{"pk": i["pk"], "sk": i["sk"]} for i in [*history, *reviews, *sends]]
        keys += [schema.sent_key(m) for m in sorted(sent_ids)]
        keys += [schema.inbound_key(k) for k in sorted(message_keys) if not k.startswith("organiser-")]
        with self.table.batch_writer() as batch:
            for key in keys:
                batch.delete_item(Key=key)
        return Erasure(found=bool(invitee or history or reviews), items=len(keys), raw_keys=tuple(raw_keys))
