"""The invitation: calendar invite, quick-reply links our reader understands, bilingual text, safe headers."""

from __future__ import annotations

import email
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from icalendar import Calendar

from rsvp.app import App as Desk
from rsvp.domain.invitees import Category, Invitee
from rsvp.domain.meeting import Meeting, parse_meeting
from rsvp.domain.records import InviteeRecord
from rsvp.domain.rsvp import InviteeState
from rsvp.reading import read_message
from rsvp.reading.intent import quick_answer
from rsvp.usecases.compose import Composer
from tests.conftest import EXAMPLE, ROOT, ZURICH

NOW = datetime(2021, 1, 18, 9, 0, tzinfo=ZURICH)


def invite(meeting: Meeting, language: str = "es", name: str = "Ana Pérez", honorific: str = "Sra."
           ) -> email.message.Message:
    invitee = Invitee("ana@mission.example.org", name, "Misión", language, Category.STATE, honorific)
    record = InviteeRecord(meeting.id, invitee, "abcdefgh23456789", InviteeState(invitee.email))
    return email.message_from_bytes(Composer(meeting.mailbox).invitation(meeting, record, NOW).to_bytes())


def part(message: email.message.Message, content_type: str) -> str:
    found = next(p for p in message.walk() if p.get_content_type() == content_type)
    payload = found.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def test_the_calendar_invite_lets_outlook_and_gmail_answer_to_the_personal_address(meeting: Meeting) -> None:
    message = invite(meeting)
    calendar = Calendar.from_ical(part(message, "text/calendar"))
    [event] = calendar.walk("VEVENT")

    assert str(calendar["METHOD"]) == "REQUEST"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Zurich"
    assert str(event["ORGANIZER"]) == "mailto:registration+abcdefgh23456789@minefree-americas.example.org"
    assert str(event["ATTENDEE"]) == "mailto:ana@mission.example.org"
    assert event["ATTENDEE"].params["RSVP"] == "TRUE" and event["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert event["DTSTART"].dt == datetime(2021, 2, 10, 15, 0, tzinfo=ZURICH)
    assert dict(event["RRULE"]) == {"FREQ": ["DAILY"], "COUNT": [2]}, "two same-hour days: one series"
    attachment = next(p for p in message.walk() if p.get_filename() == "invite.ics")
    assert attachment.get_content_type() == "application/ics"


def test_sessions_at_different_hours_are_separate_events() -> None:
    text = (EXAMPLE / "meeting.yaml").read_text(encoding="utf-8").replace(
        "start: 2021-02-11T15:00\n    end: 2021-02-11T18:00", "start: 2021-02-11T10:00\n    end: 2021-02-11T12:00")
    events = Calendar.from_ical(part(invite(parse_meeting(text)), "text/calendar")).walk("VEVENT")
    assert [e["UID"] for e in events] == ["mine-free-americas-2021-day1@minefree-americas.example.org",
                                         "mine-free-americas-2021-day2@minefree-americas.example.org"]


def test_quick_reply_links_carry_subjects_the_reader_understands(meeting: Meeting) -> None:
    html = part(invite(meeting), "text/html")
    links = [unquote(h) for h in re.findall(r'href="(mailto:[^"]+)"', html) if "subject=" in h]
    subjects = [parse_qs(urlparse(link).query)["subject"][0] for link in links]
    assert [quick_answer(s).value for s in subjects[:3]] == ["accept", "decline", "tentative"]  # type: ignore[union-attr]
    assert all(urlparse(link).path == "registration+abcdefgh23456789@minefree-americas.example.org" for link in links)


def test_a_quick_reply_sent_from_a_mail_client_is_read_as_its_answer(meeting: Meeting) -> None:
    raw = ("From: ana@mission.example.org\r\nTo: registration+abcdefgh23456789@minefree-americas.example.org\r\n"
           "Subject: DECLINE: Las Américas como Zona Libre de Minas\r\nContent-Type: text/plain\r\n\r\n").encode()
    reading = read_message(raw, meeting)
    assert (reading.intent.value, reading.tag) == ("decline", "abcdefgh23456789")  # type: ignore[union-attr]


def test_the_seed_invitation_is_bilingual_with_the_invitees_language_first(meeting: Meeting) -> None:
    spanish_first = part(invite(meeting, "es"), "text/plain")
    english_first = part(invite(meeting, "en", "Ann Lee", "Ms"), "text/plain")
    assert spanish_first.index("Lugar:") < spanish_first.index("Venue:")
    assert english_first.index("Venue:") < english_first.index("Lugar:")
    assert "Respuestas rápidas" in spanish_first and "Quick replies" in spanish_first


def test_names_cannot_break_the_calendar_or_the_headers(meeting: Meeting) -> None:
    message = invite(meeting, "en", 'Eve"\r\nATTENDEE:mailto:evil@x.org;', "Ms")
    calendar = part(message, "text/calendar")
    attendee = Calendar.from_ical(calendar).walk("VEVENT")[0]["ATTENDEE"]
    assert str(attendee) == "mailto:ana@mission.example.org", "one attendee: nothing was injected"
    assert not any(line.startswith("ATTENDEE:mailto:evil") for line in calendar.splitlines())
    assert message["List-Unsubscribe"].startswith("<mailto:registration+")
    assert message["Auto-Submitted"] == "auto-generated"


def test_rsvp_preview_writes_the_exact_invitation(tmp_path: Path) -> None:
    out = tmp_path / "preview.eml"
    subprocess.run([sys.executable, "-m", "rsvp.cli", "preview", "--meeting", str(EXAMPLE / "meeting.yaml"),
                    "--invitee", "geneve@icrc.example.org", "--out", str(out)], check=True, capture_output=True,
                   cwd=ROOT)
    message = email.message_from_bytes(out.read_bytes())
    assert message["To"] == "\"M. Jean Dupont\" <geneve@icrc.example.org>"
    assert [p.get_content_type() for p in message.walk()][:5] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar"]


def test_a_programme_pdf_is_stored_at_load_and_attached_to_invitations(tmp_path: Path) -> None:
    from rsvp.domain.errors import InvalidFile
    from rsvp.domain.invitees import load_invitees
    from rsvp.domain.meeting import load_meeting, read_programme
    from tests.conftest import FakeClock
    from tests.fakes import FakeMailer, FakeStore, InMemoryRepository

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    meeting_file = tmp_path / "meeting.yaml"
    meeting_file.write_text((EXAMPLE / "meeting.yaml").read_text(encoding="utf-8") + "programme: programme.pdf\n",
                            encoding="utf-8")
    (tmp_path / "programme.pdf").write_bytes(b"not a pdf")
    with pytest.raises(InvalidFile, match=r"programme: programme\.pdf is not a PDF file"):
        load_meeting(meeting_file)
    (tmp_path / "programme.pdf").write_bytes(pdf)
    meeting = load_meeting(meeting_file)
    store, mailer = FakeStore(), FakeMailer()
    desk = Desk(stores=InMemoryRepository(), store=store, mailer=mailer, clock=FakeClock(NOW), secret=b"k",
                sender_address=meeting.mailbox)
    desk.catalog.load(meeting, load_invitees(EXAMPLE / "invitees.csv", meeting)[:1],
                      read_programme(meeting_file, meeting))
    desk.invitations.send_now(meeting.id)

    assert store.objects == {"assets/mine-free-americas-2021/programme.pdf": pdf}
    message = email.message_from_bytes(mailer.sent[0].to_bytes())
    attached = next(p for p in message.walk() if p.get_filename() == "programme.pdf")
    assert attached.get_content_type() == "application/pdf" and attached.get_payload(decode=True) == pdf
