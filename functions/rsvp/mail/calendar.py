"""The calendar invitation: METHOD:REQUEST, so Outlook's and Gmail's Yes/No/Maybe buttons answer us.

ORGANIZER is the invitee's personal reply address, so the METHOD:REPLY those buttons send comes back
tagged to the right invitee; ATTENDEE is the invitee with RSVP=TRUE. Sessions held at the same local
time on consecutive days become one daily series (Outlook shows only the first VEVENT of a multi-event
REQUEST); otherwise each session is its own VEVENT.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from ..domain.meeting import Meeting, Session
from ..timeutil import iso

PRODID = "-//RSVP Desk//Invitation//EN"


def invitation_calendar(meeting: Meeting, *, organizer: str, organizer_name: str, attendee: str,
                        attendee_name: str, language: str, now: datetime, description: str = "",
                        sequence: int = 0) -> str:
    lines = ["BEGIN:VCALENDAR", f"PRODID:{PRODID}", "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:REQUEST"]
    lines += _vtimezone(meeting.timezone, min(s.start for s in meeting.sessions).year,
                        max(s.end for s in meeting.sessions).year).splitlines()
    stamp = _utc(now)
    domain = meeting.mailbox.rpartition("@")[2]
    for events, session in _events(meeting.sessions):
        summary = meeting.title_in(language)
        if len(meeting.sessions) > 1 and events == 1:
            summary = f"{summary} — {session.title_in(language)}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{meeting.id}-{session.id}@{domain}",
            f"DTSTAMP:{stamp}",
            f"SEQUENCE:{sequence}",
            f"DTSTART;TZID={meeting.timezone}:{_local(session.start)}",
            f"DTEND;TZID={meeting.timezone}:{_local(session.end)}",
        ]
        if events > 1:
            lines.append(f"RRULE:FREQ=DAILY;COUNT={events}")
        lines += [
            f"SUMMARY;LANGUAGE={language}:{_text(summary)}",
            f"LOCATION:{_text(meeting.venue)}" if meeting.venue else "",
            f"DESCRIPTION:{_text(description)}" if description else "",
            f"ORGANIZER;CN={_param(organizer_name)}:mailto:{organizer}",
            f"ATTENDEE;CN={_param(attendee_name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{attendee}",
            "STATUS:CONFIRMED",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines if line)


def _events(sessions: tuple[Session, ...]) -> list[tuple[int, Session]]:
    """[(occurrences, first session)]: a daily series when every session repeats the first one's hours."""
    first = sessions[0]
    daily = len(sessions) > 1 and all(
        s.start == first.start + timedelta(days=i) and s.end - s.start == first.end - first.start
        for i, s in enumerate(sessions))
    return [(len(sessions), first)] if daily else [(1, s) for s in sessions]


@lru_cache(maxsize=64)
def _vtimezone(zone: str, first_year: int, last_year: int) -> str:
    from icalendar import Timezone

    text = Timezone.from_tzid(zone, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31)).to_ical()
    return str(text.decode("utf-8")).replace("\r\n", "\n").strip()


def _local(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _utc(moment: datetime) -> str:
    return iso(moment)[:19].replace("-", "").replace(":", "") + "Z"


def _text(value: str) -> str:
    """RFC 5545 TEXT escaping."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n")
            .replace("\n", "\\n"))


def _param(value: str) -> str:
    """A parameter value: quoted, with the characters RFC 5545 forbids inside quotes removed."""
    return '"' + "".join(c for c in value if c not in '"\r\n') + '"'


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and a space (never inside a character)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    if len(encoded) == len(line):  # ASCII: cut by position
        return "\r\n ".join([line[:75], *(line[i:i + 74] for i in range(75, len(line), 74))])
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > (75 if not parts else 74):
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)
