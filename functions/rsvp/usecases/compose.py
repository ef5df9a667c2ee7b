"""The Composer: a meeting and an invitee in, the message they receive out (invitation, reminder, the answer to
their reply, the organisers' digest). No repository and no mailer: previews use it as the sender does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

from babel.lists import format_list

from ..domain.meeting import Meeting, Session
from ..domain.records import InviteeRecord
from ..domain.rsvp import Response
from ..domain.tags import reply_address
from ..mail.calendar import invitation_calendar
from ..mail.formatting import cutoff_text, locale_for, session_lines
from ..mail.message import Attachment, OutgoingEmail, Recipient, new_message_id
from ..mail.render import Renderer
from ..mail.words import words


def no_attachments(meeting: Meeting) -> tuple[Attachment, ...]:
    return ()


@dataclass
class Composer:
    sender_address: str
    renderer: Renderer = field(default_factory=Renderer)
    attachments: Callable[[Meeting], tuple[Attachment, ...]] = no_attachments  # the programme PDF, if any
    _shared: dict[tuple[int, str], tuple[Meeting, dict[str, Any]]] = field(default_factory=dict)

    def invitation(self, meeting: Meeting, record: InviteeRecord, now: datetime) -> OutgoingEmail:
        """The personal invitation: in the invitee's language (and the meeting's other invitation languages),
        with quick-reply links and a calendar invite whose answers come back to the personal address."""
        languages = meeting.languages_for(record.invitee.language)
        contexts = {language: self.context(meeting, record, language) for language in languages}
        rendered = self.renderer.render_multilingual("invitation", contexts)
        personal = reply_address(meeting.mailbox, record.tag)
        calendar = invitation_calendar(
            meeting, organizer=personal, organizer_name=desk_name(meeting), attendee=record.email,
            attendee_name=record.invitee.addressed_as, language=languages[0], now=now,
            description=contexts[languages[0]]["calendar_note"])
        email = self.email(meeting, record, "invitation", languages[0], rendered.subject, rendered.text,
                           rendered.html, now, auto_submitted="auto-generated")
        return replace(email, calendar=calendar, list_unsubscribe=mailto(personal, "UNSUBSCRIBE"),
                       attachments=self.attachments(meeting))

    def reminder(self, meeting: Meeting, record: InviteeRecord, now: datetime) -> OutgoingEmail:
        language = record.invitee.language
        context = self.context(meeting, record, language)
        context["days_left"] = meeting.days_left(now)
        rendered = self.renderer.render("reminder", language, context)
        email = self.email(meeting, record, "reminder", language, rendered.subject, rendered.text, rendered.html,
                           now, auto_submitted="auto-generated")
        return replace(email, list_unsubscribe=mailto(reply_address(meeting.mailbox, record.tag), "UNSUBSCRIBE"))

    def answer(self, meeting: Meeting, record: InviteeRecord, response: Response, now: datetime,
               **headers: Any) -> OutgoingEmail:
        """The answer to the invitee's reply (confirmation, clarification, closed), in their language, on the
        record as it stands."""
        language = record.invitee.language
        context = self.context(meeting, record, language)
        if response is Response.CLOSED:
            context["status_line"] = words(language).status[record.state.status.value]
        rendered = self.renderer.render(response.value, language, context)
        return self.email(meeting, record, response.value, language, rendered.subject, rendered.text,
                          rendered.html, now, **headers)

    def email(self, meeting: Meeting, record: InviteeRecord, kind: str, language: str, subject: str, text: str,
              html: str, now: datetime, *, in_reply_to: str | None = None, references: tuple[str, ...] = (),
              cc: tuple[Recipient, ...] = (), auto_submitted: str = "auto-generated") -> OutgoingEmail:
        personal = reply_address(meeting.mailbox, record.tag)
        desk = desk_name(meeting) or "Registration"
        return OutgoingEmail(
            sender=Recipient(self.sender_address, desk), to=(Recipient(record.email, record.invitee.addressed_as),),
            cc=cc, reply_to=Recipient(personal, desk), subject=subject, text=text, html=html, kind=kind,
            in_reply_to=in_reply_to, references=references, auto_submitted=auto_submitted,
            message_id=new_message_id(self.sender_address.rpartition("@")[2]), date=now, language=language)

    def organisers_email(self, meeting: Meeting, recipients: tuple[str, ...], kind: str, language: str,
                         subject: str, text: str, html: str, now: datetime,
                         attachments: tuple[Attachment, ...] = ()) -> OutgoingEmail:
        """A message to the meeting's organisers (the digest)."""
        return OutgoingEmail(
            sender=Recipient(self.sender_address, desk_name(meeting)), to=tuple(Recipient(r) for r in recipients),
            subject=subject, text=text, html=html, kind=kind,
            message_id=new_message_id(self.sender_address.rpartition("@")[2]), date=now, language=language,
            attachments=attachments)

    def shared_context(self, meeting: Meeting, language: str) -> dict[str, Any]:
        """What every invitee's message shares (Babel dates in every zone): computed once per meeting."""
        key = (id(meeting), language)
        cached = self._shared.get(key)
        if cached is not None and cached[0] is meeting:
            return cached[1]
        if len(self._shared) > 64:
            self._shared.clear()
        context = {
            "language": language,
            "meeting_title": meeting.title_in(language),
            "kind": meeting.kind,
            "venue": meeting.venue,
            "hosts_sentence": hosts_sentence(meeting, language),
            "sessions": [session_view(s, meeting, language) for s in meeting.sessions],
            "session_views": {s.id: session_view(s, meeting, language) for s in meeting.sessions},
            "cutoff": cutoff_text(meeting, language),
        }
        self._shared[key] = (meeting, context)
        return context

    def context(self, meeting: Meeting, record: InviteeRecord, language: str) -> dict[str, Any]:
        answer = record.state.answer
        shared = self.shared_context(meeting, language)
        views = shared["session_views"]
        chosen = [views[s] for s in (answer.sessions or ()) if s in views] if answer else []
        personal = reply_address(meeting.mailbox, record.tag)
        vocabulary = words(language)
        return {
            **shared,
            "greeting": vocabulary.greeting(record.invitee.honorific, record.invitee.addressed_as),
            "organisation": record.invitee.organisation,
            "chosen_sessions": chosen,
            "reply_address": personal,
            "desk_name": desk_name(meeting),
            "status": record.state.status.value,
            "attendees": list(answer.attendees) if answer else [],
            # each attendee's own sessions, when the reply gave them person by person: {name: [session titles]}
            "attendee_sessions": {name: [views[s]["title"] for s in ids if s in views]
                                  for name, ids in answer.attendee_sessions} if answer else {},
            "attendee_count": answer.attendee_count if answer else 0,
            "status_line": "",
            "header_line": meeting.title_in(language),
            "footer_line": personal,
            "links": {word: mailto(personal, f"{word.upper()}: {meeting.title_in(language)}")
                      for word in ("accept", "decline", "maybe")},
            "calendar_note": vocabulary.calendar_note,
        }


def desk_name(meeting: Meeting) -> str:
    return meeting.organisers[0].name if meeting.organisers else ""


def hosts_sentence(meeting: Meeting, language: str) -> str:
    hosts = list(meeting.hosts) or [desk_name(meeting)]
    return str(format_list(hosts, locale=locale_for(language)))


def session_view(session: Session, meeting: Meeting, language: str) -> dict[str, Any]:
    return {"id": session.id, "title": session.title_in(language), "lines": session_lines(session, meeting, language)}


def mailto(address: str, subject: str) -> str:
    """A mailto: link whose subject the reader understands ("ACCEPT: …", "UNSUBSCRIBE")."""
    return f"mailto:{address}?subject={quote(subject, safe='')}"
