"""Calendar answers: an iCalendar METHOD:REPLY carries the attendee's PARTSTAT."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.rsvp import Intent

_PARTSTAT = {"ACCEPTED": Intent.ACCEPT, "DECLINED": Intent.DECLINE, "TENTATIVE": Intent.TENTATIVE}


@dataclass(frozen=True)
class CalendarReply:
    intent: Intent
    attendee: str
    comment: str


# Only a METHOD:REPLY answers; and only its structure, METHOD, ATTENDEE and COMMENT are read: icalendar is handed
# just those lines (time zones, descriptions and dates are most of the parsing, ~60 µs a line, and say nothing
# about the answer).
_METHOD_REPLY = re.compile(rb"^METHOD[ \t]*:[ \t]*REPLY[ \t]*\r?$", re.M | re.I)
_TIME_ZONES = re.compile(rb"^BEGIN:VTIMEZONE\r?\n.*?^END:VTIMEZONE\r?\n", re.S | re.M)
_FOLD = re.compile(rb"\r?\n[ \t]")
_READ = (b"BEGIN", b"END", b"METHOD", b"ATTENDEE", b"COMMENT")
_NAME_END = re.compile(rb"[;:]")


def _lines_read(data: bytes) -> bytes:
    lines = _FOLD.sub(b"", _TIME_ZONES.sub(b"", data)).splitlines()
    kept = [line for line in lines if _NAME_END.split(line, maxsplit=1)[0].strip().upper() in _READ]
    return b"\r\n".join(kept) + b"\r\n"


def calendar_reply(data: bytes) -> CalendarReply | None:
    from icalendar import Calendar  # imported on use: most mail has no calendar part

    if not _METHOD_REPLY.search(data):
        return None
    try:
        calendar = Calendar.from_ical(_lines_read(data))
    except (ValueError, KeyError, IndexError):
        return None
    if str(calendar.get("METHOD", "")).upper() != "REPLY":
        return None
    for event in calendar.walk("VEVENT"):
        attendees = event.get("ATTENDEE")
        if attendees is None:
            continue
        for attendee in attendees if isinstance(attendees, list) else [attendees]:
            status = str(attendee.params.get("PARTSTAT", "")).upper()
            if status in _PARTSTAT:
                address = str(attendee).removeprefix("mailto:").removeprefix("MAILTO:")
                return CalendarReply(_PARTSTAT[status], address.lower(), str(event.get("COMMENT", "")))
    return None
