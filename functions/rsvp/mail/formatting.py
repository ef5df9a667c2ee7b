"""Dates, times and zones written the way each language writes them (Babel)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, get_timezone_location

from ..domain.meeting import Meeting, Session

# International secretariats write English the British way: "Wednesday, 10 February 2021".
_LOCALES = {"en": "en_GB"}


def locale_for(language: str) -> str:
    return _LOCALES.get(language, language)


def long_date(moment: datetime, language: str) -> str:
    """'Wednesday, 10 February 2021' / 'miércoles, 10 de febrero de 2021'."""
    return format_date(moment.date(), format="full", locale=locale_for(language))


def short_time(moment: datetime, language: str) -> str:
    return format_time(moment.time(), format="HH:mm", locale=locale_for(language))


def long_moment(moment: datetime, language: str) -> str:
    return f"{long_date(moment, language)}, {short_time(moment, language)}"


@lru_cache(maxsize=256)
def city(zone: str, language: str) -> str:
    return str(get_timezone_location(ZoneInfo(zone), locale=locale_for(language), return_city=True))


def session_lines(session: Session, meeting: Meeting, language: str) -> list[str]:
    """One line per display time zone: '10:00–12:00, Wednesday, 10 February 2021 (Lima)'."""
    lines = []
    for zone in meeting.display_timezones or (meeting.timezone,):
        start = session.start.astimezone(ZoneInfo(zone))
        end = session.end.astimezone(ZoneInfo(zone))
        lines.append(f"{long_date(start, language)}, {short_time(start, language)}–{short_time(end, language)}"
                     f" ({city(zone, language)})")
    return lines


def cutoff_text(meeting: Meeting, language: str) -> str:
    """The cutoff in the meeting's zone, named by its city."""
    cutoff = meeting.rsvp_cutoff
    return f"{long_moment(cutoff, language)} ({city(meeting.timezone, language)})"


def timestamp(moment: datetime, zone: str, language: str) -> str:
    """Compact, for lists: '25 Jan 2021, 17:00'."""
    return str(format_datetime(moment.astimezone(ZoneInfo(zone)), "d MMM y, HH:mm", locale=locale_for(language)))
