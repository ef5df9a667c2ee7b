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


# Only a METHOD:REPLY answers; time zone definitions say nothing about the answer and are most of the parsing.
_METHOD_REPLY = re.compile(rb"^METHOD[ \t]*:[ \t]*REPLY[ \t]*\r?$", re.M | re.I)
_TIME_ZONES = re.compile(rb"^BEGIN:VTIMEZONE\r?\n.*?^END:VTIMEZONE\r?\n", re.S | re.M)


def calendar_reply(data: bytes) -> CalendarReply | None:
    from icalendar import Calendar  # imported on use: most mail has no calendar part

    if not _METHOD_REPLY.search(data):
        return None
    try:
        calendar = Calendar.from_ical(_TIME_ZONES.sub(b"", data))
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
