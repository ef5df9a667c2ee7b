"""Items <-> records: how each record is written to and read from the table (no key logic here: schema.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...domain.invitees import Category, Invitee
from ...domain.records import HistoryEntry, InviteeRecord, ReviewItem
from ...domain.rsvp import Answer, Decision, Delivery, InviteeState, Outcome, Response, Source, Status
from ...domain.sending import SendKind
from ...timeutil import from_iso, iso


def _without_nones(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v is not None}


def _number(value: float | None) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None


def _time(item: dict[str, Any], name: str) -> Any:
    return from_iso(item[name]) if item.get(name) else None


def invitee_item(record: InviteeRecord) -> dict[str, Any]:
    inv = record.invitee
    return {"email": inv.email, "name": inv.name, "organisation": inv.organisation, "language": inv.language,
            "category": inv.category.value, "honorific": inv.honorific, "tag": record.tag}


def invitee_record(meeting_id: str, item: dict[str, Any]) -> InviteeRecord:
    invitee = Invitee(email=item["email"], name=item["name"], organisation=item["organisation"],
                      language=item["language"], category=Category(item["category"]),
                      honorific=item.get("honorific", ""))
    state = InviteeState(
        email=item["email"], answer=answer(item.get("answer")), delivery=Delivery(item.get("delivery", "ok")),
        invited_at=_time(item, "invited_at"), clarify_sent_at=_time(item, "clarify_sent_at"),
        no_reminders=bool(item.get("no_reminders", False)))
    return InviteeRecord(meeting_id=meeting_id, invitee=invitee, tag=item.get("tag", ""), state=state,
                         invitation_message_ids=tuple(item.get("invitation_message_ids", [])))


def answer_item(value: Answer) -> dict[str, Any]:
    return {"status": value.status.value, "sessions": list(value.sessions) if value.sessions is not None else None,
            "attendees": list(value.attendees), "attendee_count": value.attendee_count,
            "written_at": iso(value.written_at), "message_key": value.message_key, "source": value.source.value,
            **({"attendee_sessions": [[name, list(ids)] for name, ids in value.attendee_sessions]}
               if value.attendee_sessions else {})}


def answer(item: dict[str, Any] | None) -> Answer | None:
    if not item:
        return None
    sessions = item.get("sessions")
    return Answer(status=Status(item["status"]), sessions=tuple(sessions) if sessions is not None else None,
                  attendees=tuple(item.get("attendees", [])), attendee_count=int(item.get("attendee_count", 0)),
                  written_at=from_iso(item["written_at"]), message_key=item["message_key"],
                  source=Source(item.get("source", "reply")),
                  attendee_sessions=tuple((str(name), tuple(ids)) for name, ids in item.get("attendee_sessions", [])))


def decision_item(value: Decision) -> dict[str, Any]:
    return {"outcome": value.outcome.value, "response": value.response.value, "notes": list(value.notes),
            "before": value.before.value if value.before else None,
            "answer": answer_item(value.answer) if value.answer else None}


def decision(item: dict[str, Any]) -> Decision:
    return Decision(Outcome(item["outcome"]), Response(item["response"]), answer=answer(item.get("answer")),
                    notes=tuple(item.get("notes", [])), before=Status(item["before"]) if item.get("before") else None)


def history_item(entry: HistoryEntry) -> dict[str, Any]:
    return _without_nones({
        "email": entry.email, "at": iso(entry.at), "source": entry.source.value, "outcome": entry.outcome.value,
        "message_key": entry.message_key, "raw_key": entry.raw_key,
        "received_at": iso(entry.received_at) if entry.received_at else None,
        "written_at": iso(entry.written_at) if entry.written_at else None,
        "from_address": entry.from_address, "subject": entry.subject[:300], "intent": entry.intent,
        "kind": entry.kind,
        "status_before": entry.status_before.value if entry.status_before else None,
        "status_after": entry.status_after.value if entry.status_after else None,
        "sessions": list(entry.sessions) if entry.sessions is not None else None,
        "attendees": list(entry.attendees), "attendee_count": entry.attendee_count,
        "language": entry.language, "confidence": _number(entry.confidence),
        "reasons": list(entry.reasons), "excerpt": entry.excerpt[:1000], "actor": entry.actor or None,
    })


def history_entry(meeting_id: str, item: dict[str, Any]) -> HistoryEntry:
    sessions = item.get("sessions")
    return HistoryEntry(
        meeting_id=meeting_id, email=item.get("email"), at=from_iso(item["at"]), source=Source(item["source"]),
        outcome=Outcome(item["outcome"]), message_key=item.get("message_key", ""), raw_key=item.get("raw_key", ""),
        received_at=_time(item, "received_at"), written_at=_time(item, "written_at"),
        from_address=item.get("from_address", ""), subject=item.get("subject", ""), intent=item.get("intent"),
        kind=item.get("kind"),
        status_before=Status(item["status_before"]) if item.get("status_before") else None,
        status_after=Status(item["status_after"]) if item.get("status_after") else None,
        sessions=tuple(sessions) if sessions is not None else None, attendees=tuple(item.get("attendees", [])),
        attendee_count=int(item["attendee_count"]) if item.get("attendee_count") is not None else None,
        language=item.get("language"),
        confidence=float(item["confidence"]) if item.get("confidence") is not None else None,
        reasons=tuple(item.get("reasons", [])), excerpt=item.get("excerpt", ""), actor=item.get("actor", ""))


def review_item_of(item: ReviewItem) -> dict[str, Any]:
    return _without_nones({
        "received_at": iso(item.received_at), "message_key": item.message_key, "outcome": item.outcome.value,
        "raw_key": item.raw_key, "email": item.email, "from_address": item.from_address,
        "subject": item.subject[:300], "excerpt": item.excerpt[:1000], "reasons": list(item.reasons),
        "resolved": item.resolved, "intent": item.intent, "attendees": list(item.attendees),
        "sessions": list(item.sessions) if item.sessions is not None else None, "language": item.language,
        "confidence": _number(item.confidence),
    })


def review_item(meeting_id: str, item: dict[str, Any]) -> ReviewItem:
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
        resolved_at=_time(item, "resolved_at"))


def send_kind(value: str) -> SendKind | Response:
    """What a send item sends: an invitation or reminder (SendKind), or the answer to a reply (Response)."""
    if value in {k.value for k in SendKind}:
        return SendKind(value)
    return Response(value) if value in {r.value for r in Response} else Response.NONE
