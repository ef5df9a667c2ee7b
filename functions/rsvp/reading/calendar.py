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
    uid: str = ""  # the event answered: ours are "<meeting id>-<session id>@…" (or "<meeting id>.…")
    occurrence: str = ""  # RECURRENCE-ID's date (YYYYMMDD): one session of a series answered
    name: str = ""  # the attendee's CN
    summary: str = ""  # the event's title as the client wrote it back ("Accepted: …")


# Only a METHOD:REPLY answers; and only its structure, METHOD, ATTENDEE and COMMENT are read: icalendar is handed
# just those lines (time zones, descriptions and dates are most of the parsing, ~60 µs a line, and say nothing
# about the answer).
_METHOD_REPLY = re.compile(rb"^METHOD[ \t]*:[ \t]*REPLY[ \t]*\r?$", re.M | re.I)
_TIME_ZONE_STARTS = re.compile(rb"^BEGIN:VTIMEZONE\r?\n", re.M)
_TIME_ZONE_ENDS = re.compile(rb"^END:VTIMEZONE\r?\n", re.M)
_FOLD = re.compile(rb"\r?\n[ \t]")
_READ = (b"BEGIN", b"END", b"METHOD", b"ATTENDEE", b"COMMENT", b"UID", b"SUMMARY")
# RECURRENCE-ID is read as text: its TZID is often a Windows zone name ("W. Europe Standard Time") that icalendar
# cannot place, and only the date is wanted.
_OCCURRENCE = re.compile(rb"^RECURRENCE-ID[^:\r\n]*:(\d{8})", re.M | re.I)
_NAME_END = re.compile(rb"[;:]")
# A reply names its attendee in a line or two; an invitation's structure is a few dozen lines. icalendar reads
# ~60 µs a line: past these many kept lines the calendar is not read further.
MOST_LINES = 500


def _lines_read(data: bytes) -> bytes:
    kept = [line for line in _FOLD.sub(b"", _without_time_zones(data)).splitlines()
            if _NAME_END.split(line, maxsplit=1)[0].strip().upper() in _READ]
    return b"\r\n".join(kept[:MOST_LINES]) + b"\r\n"


def _without_time_zones(data: bytes) -> bytes:
    """Each VTIMEZONE block dropped (from a BEGIN line to the next END line). Found one after the other: a single
    pattern with a lazy middle, tried at every BEGIN line with no END after it, scans to the end for each."""
    out: list[bytes] = []
    at = 0
    while (begin := _TIME_ZONE_STARTS.search(data, at)) is not None:
        end = _TIME_ZONE_ENDS.search(data, begin.end())
        if end is None:
            break
        out.append(data[at:begin.start()])
        at = end.end()
    out.append(data[at:])
    return b"".join(out)


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
    occurrence = _OCCURRENCE.search(_FOLD.sub(b"", data))
    for event in calendar.walk("VEVENT"):
        attendees = event.get("ATTENDEE")
        if attendees is None:
            continue
        for attendee in attendees if isinstance(attendees, list) else [attendees]:
            status = str(attendee.params.get("PARTSTAT", "")).upper()
            if status in _PARTSTAT:
                address = str(attendee).removeprefix("mailto:").removeprefix("MAILTO:")
                comment = str(event.get("COMMENT", "") or attendee.params.get("X-RESPONSE-COMMENT", ""))
                return CalendarReply(_PARTSTAT[status], address.lower(), comment, str(event.get("UID", "")),
                                     occurrence.group(1).decode() if occurrence else "",
                                     str(attendee.params.get("CN", "")), str(event.get("SUMMARY", "")))
    return None


def for_meeting(reply: CalendarReply, meeting_id: str, mailbox: str, titles: tuple[str, ...] = ()) -> bool:
    """Does the reply answer this meeting's invitation? Calendars echo the invitation's UID (ours: "<meeting id>-
    <session id>@<the meeting's mail domain>"), though Exchange may write back its own object id; so a foreign UID
    still answers us when the event's title is the meeting's. A reply with neither answers another event. (A reply
    without a UID is given the benefit.)"""
    uid = reply.uid.strip().lower()
    domain = mailbox.rpartition("@")[2].lower()
    if not uid or uid.startswith(meeting_id.lower()) or (bool(domain) and uid.endswith(f"@{domain}")):
        return True
    said = set(_WORDS.findall(reply.summary.lower()))
    return any(len(said & set(_WORDS.findall(title.lower()))) >= 2 for title in titles)


_WORDS = re.compile(r"[^\W\d_]{4,}")  # the title's longer words (not "the", "of", "de", dates)
