"""Meetings as organisers describe them in YAML, validated with file, line and field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .addresses import has_control_characters, is_valid_address, normalise_address
from .errors import InvalidFile, Problem

# Languages the product can write mail in (templates exist for each).
MAIL_LANGUAGES = ("en", "es", "fr")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Session:
    id: str
    title: Mapping[str, str]
    start: datetime  # aware, in the meeting's time zone
    end: datetime

    def title_in(self, language: str) -> str:
        return self.title.get(language) or next(iter(self.title.values()))


@dataclass(frozen=True)
class Organiser:
    name: str
    email: str


@dataclass(frozen=True)
class DigestSettings:
    time: time = time(8, 0)
    skip_when_unchanged: bool = False


@dataclass(frozen=True)
class Meeting:
    id: str
    title: Mapping[str, str]
    timezone: str
    display_timezones: tuple[str, ...]
    languages: tuple[str, ...]
    mailbox: str
    organisers: tuple[Organiser, ...]
    sessions: tuple[Session, ...]
    rsvp_cutoff: datetime  # aware, in the meeting's time zone
    kind: str = ""
    hosts: tuple[str, ...] = ()
    venue: str = ""
    organiser_language: str = "en"
    digest: DigestSettings = field(default_factory=DigestSettings)
    invitation_languages: tuple[str, ...] = ()  # e.g. (en, es): every invitation in both, the invitee's first
    programme: str = ""  # a PDF attached to invitations: path beside the meeting file when loaded
    reminders: tuple[int, ...] = (7, 2)  # days before the cutoff

    def languages_for(self, language: str) -> list[str]:
        """The languages an invitation to someone reading `language` is written in, theirs first."""
        if not self.invitation_languages:
            return [language]
        if language in self.invitation_languages:
            return [language, *(lang for lang in self.invitation_languages if lang != language)]
        return [language, self.invitation_languages[0]]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title[self.languages[0]]

    def accepts_reply_at(self, at: datetime) -> bool:
        """The cutoff rule, the only one: a reply the mailbox received at or before the cutoff instant (the minute
        the meeting file names, :00 seconds) is taken; one received a second later is too late."""
        return at <= self.rsvp_cutoff

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def days_left(self, at: datetime) -> int:
        """Whole days from `at` to the cutoff, counted on the meeting's calendar."""
        return (self.rsvp_cutoff.date() - self.local(at).date()).days

    @property
    def ends_at(self) -> datetime:
        return max(s.end for s in self.sessions)

    def is_active(self, at: datetime) -> bool:
        """Worth digesting: from loading until a day after the last session."""
        return at <= self.ends_at + timedelta(days=1)

    def session(self, session_id: str) -> Session | None:
        return next((s for s in self.sessions if s.id == session_id), None)

    def to_document(self) -> dict[str, Any]:
        """The YAML-shaped document this meeting was loaded from (for storage)."""
        return {
            "id": self.id,
            "title": dict(self.title),
            "kind": self.kind,
            "hosts": list(self.hosts),
            "venue": self.venue,
            "timezone": self.timezone,
            "display_timezones": list(self.display_timezones),
            "languages": list(self.languages),
            "organiser_language": self.organiser_language,
            "mailbox": self.mailbox,
            "organisers": [{"name": o.name, "email": o.email} for o in self.organisers],
            "sessions": [
                {"id": s.id, "title": dict(s.title), "start": s.start.strftime("%Y-%m-%dT%H:%M"),
                 "end": s.end.strftime("%Y-%m-%dT%H:%M")}
                for s in self.sessions
            ],
            "rsvp_cutoff": self.rsvp_cutoff.strftime("%Y-%m-%dT%H:%M"),
            "digest": {"time": self.digest.time.strftime("%H:%M"),
                       "skip_when_unchanged": self.digest.skip_when_unchanged},
            "invitation_languages": list(self.invitation_languages),
            "reminders": list(self.reminders),
            **({"programme": self.programme} if self.programme else {}),
        }


MAX_PROGRAMME_BYTES = 5 * 1024 * 1024  # SES takes 10 MB a message; base64 grows it by a third


def load_meeting(path: str | Path) -> Meeting:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFile([Problem(str(path), None, "(file)", f"not UTF-8 text ({exc.reason})")]) from exc
    meeting = parse_meeting(text, str(path))
    if meeting.programme:
        read_programme(path, meeting)
    return meeting


def read_programme(meeting_file: Path, meeting: Meeting) -> bytes:
    """The programme PDF named in the meeting file, checked: present, a PDF, small enough to send."""
    pdf = meeting_file.parent / meeting.programme
    line = None
    if not pdf.is_file():
        raise InvalidFile([Problem(str(meeting_file), line, "programme", f"{pdf} does not exist")])
    data = pdf.read_bytes()
    if not data.startswith(b"%PDF"):
        raise InvalidFile([Problem(str(meeting_file), line, "programme", f"{pdf.name} is not a PDF file")])
    if len(data) > MAX_PROGRAMME_BYTES:
        raise InvalidFile([Problem(str(meeting_file), line, "programme",
                                   f"{pdf.name} is {len(data) // 1024} KiB; at most 5 MiB can be attached")])
    return data


def parse_meeting(text: str, filename: str = "meeting.yaml") -> Meeting:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InvalidFile([Problem(filename, line, "(syntax)", str(getattr(exc, "problem", exc)))]) from exc
    lines = _line_map(node) if node is not None else {}
    return meeting_from_document(data, filename, lines)


def meeting_from_document(data: Any, filename: str = "meeting", lines: Mapping[tuple[Any, ...], int] | None = None
                          ) -> Meeting:
    reader = _Reader(filename, lines or {})
    meeting = reader.meeting(data)
    if reader.problems or meeting is None:
        raise InvalidFile(reader.problems)
    return meeting


def _line_map(node: yaml.Node, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines.update(_line_map(value, (*path, key.value)))
            lines[(*path, key.value)] = key.start_mark.line + 1  # the key's line, where the field is named
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_line_map(item, (*path, index)))
    return lines


class _Reader:
    """Walks the document once, collecting every problem rather than stopping at the first."""

    def __init__(self, filename: str, lines: Mapping[tuple[Any, ...], int]) -> None:
        self.filename = filename
        self.lines = lines
        self.problems: list[Problem] = []

    def problem(self, path: tuple[Any, ...], message: str) -> None:
        line = None
        probe = path
        while probe and line is None:
            line = self.lines.get(probe)
            probe = probe[:-1]
        label = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path))
        self.problems.append(Problem(self.filename, line or self.lines.get(()), label or "(document)", message))

    def text(self, data: Mapping[str, Any], path: tuple[Any, ...], required: bool = True) -> str:
        value = data.get(path[-1])
        if value is None:
            if required:
                self.problem(path, "is required")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(path, "must be text")
            return ""
        value = str(value).strip()
        if has_control_characters(value):
            self.problem(path, "must be one line of text (no line breaks or control characters)")
            return ""
        if required and not value:
            self.problem(path, "must not be empty")
        return value

    def localised(self, data: Mapping[str, Any], path: tuple[Any, ...], languages: tuple[str, ...]) -> dict[str, str]:
        value = data.get(path[-1])
        if isinstance(value, str):
            return dict.fromkeys(languages, value.strip())
        if not isinstance(value, Mapping):
            self.problem(path, "must be text, or a mapping from language code to text")
            return {}
        result = {}
        for lang, text in value.items():
            if not isinstance(text, str) or not text.strip() or has_control_characters(text.strip()):
                self.problem((*path, lang), "must be one line of non-empty text")
                continue
            result[str(lang)] = text.strip()
        missing = [lang for lang in languages if lang not in result]
        if missing and result:
            self.problem(path, f"missing translation for {', '.join(missing)} (the meeting's languages)")
        return result

    def zone(self, value: Any, path: tuple[Any, ...]) -> str:
        if not isinstance(value, str) or not value:
            self.problem(path, "must be an IANA time zone such as Europe/Zurich")
            return ""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(path, f"unknown time zone {value!r} (use an IANA name such as Europe/Zurich)")
            return ""
        return value

    def moment(self, value: Any, path: tuple[Any, ...], zone: str) -> datetime | None:
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, date):
            parsed = datetime.combine(value, time(23, 59))
        elif isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                self.problem(path, f"{value!r} is not a date and time like 2021-02-10T15:00")
                return None
        else:
            self.problem(path, "must be a date and time like 2021-02-10T15:00 (meeting's local time)")
            return None
        if not zone:
            return None
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=ZoneInfo(zone))
        return parsed.astimezone(ZoneInfo(zone))

    def meeting(self, data: Any) -> Meeting | None:
        if not isinstance(data, Mapping):
            self.problem((), "a meeting file must be a YAML mapping (id:, title:, sessions: ...)")
            return None
        meeting_id = self.text(data, ("id",))
        if meeting_id and not _ID.match(meeting_id):
            self.problem(("id",), "use lower-case letters, digits and dashes (e.g. mine-free-americas-2021)")
        languages = self.languages(data.get("languages"))
        title = self.localised(data, ("title",), languages)
        zone = self.zone(data.get("timezone"), ("timezone",))
        display = data.get("display_timezones") or ([zone] if zone else [])
        if not isinstance(display, list):
            self.problem(("display_timezones",), "must be a list of IANA time zones")
            display = []
        display_zones = tuple(z for i, z in enumerate(display) if self.zone(z, ("display_timezones", i)))
        mailbox = self.text(data, ("mailbox",))
        if mailbox and not is_valid_address(mailbox):
            self.problem(("mailbox",), f"{mailbox!r} is not an email address")
        if "+" in mailbox.partition("@")[0]:
            self.problem(("mailbox",), "must not contain '+': personal reply addresses add '+TAG' to it")
        organisers = self.organisers(data.get("organisers"))
        sessions = self.sessions(data.get("sessions"), languages, zone)
        cutoff = self.moment(data.get("rsvp_cutoff"), ("rsvp_cutoff",), zone) if "rsvp_cutoff" in data else None
        if "rsvp_cutoff" not in data:
            self.problem(("rsvp_cutoff",), "is required (last moment a reply is accepted, meeting's local time)")
        if cutoff and sessions and cutoff > min(s.start for s in sessions):
            self.problem(("rsvp_cutoff",), "is after the first session starts")
        organiser_language = str(data.get("organiser_language") or (languages[0] if languages else "en"))
        if organiser_language not in MAIL_LANGUAGES:
            self.problem(("organiser_language",), f"must be one of {', '.join(MAIL_LANGUAGES)}")
        hosts = data.get("hosts") or []
        if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
            self.problem(("hosts",), "must be a list of names")
            hosts = []
        venue = self.text(data, ("venue",), required=False)
        kind = self.text(data, ("kind",), required=False)
        digest = self.digest(data.get("digest"))
        invitation_languages = data.get("invitation_languages") or []
        if not isinstance(invitation_languages, list) or any(lang not in languages for lang in invitation_languages):
            self.problem(("invitation_languages",), "must list some of the meeting's languages, e.g. [en, es]")
            invitation_languages = []
        reminders = data.get("reminders", [7, 2])
        if not isinstance(reminders, list) or not all(isinstance(d, int) and not isinstance(d, bool) and 0 < d < 100
                                                      for d in reminders):
            self.problem(("reminders",), "must be a list of whole days before the cutoff, e.g. [7, 2] (or [])")
            reminders = []
        programme = self.text(data, ("programme",), required=False)
        if programme and not programme.lower().endswith(".pdf"):
            self.problem(("programme",), "must be a PDF file name, e.g. programme.pdf (beside the meeting file)")
        if self.problems or cutoff is None:
            return None
        return Meeting(
            id=meeting_id, title=title, timezone=zone, display_timezones=display_zones, languages=languages,
            mailbox=normalise_address(mailbox), organisers=organisers, sessions=sessions, rsvp_cutoff=cutoff,
            kind=kind, hosts=tuple(h.strip() for h in hosts), venue=venue, organiser_language=organiser_language,
            digest=digest, invitation_languages=tuple(invitation_languages),
            reminders=tuple(sorted(set(reminders), reverse=True)), programme=programme,
        )

    def languages(self, value: Any) -> tuple[str, ...]:
        if value is None:
            self.problem(("languages",), f"is required: a list drawn from {', '.join(MAIL_LANGUAGES)}")
            return ()
        if not isinstance(value, list) or not value:
            self.problem(("languages",), "must be a non-empty list such as [en, es]")
            return ()
        result = []
        for index, lang in enumerate(value):
            if lang not in MAIL_LANGUAGES:
                self.problem(("languages", index),
                             f"{lang!r} is not a language the product writes mail in ({', '.join(MAIL_LANGUAGES)})")
            elif lang not in result:
                result.append(lang)
        return tuple(result)

    def organisers(self, value: Any) -> tuple[Organiser, ...]:
        if not isinstance(value, list) or not value:
            self.problem(("organisers",), "must list at least one organiser (name and email) for the digest")
            return ()
        result = []
        for index, item in enumerate(value):
            path = ("organisers", index)
            if not isinstance(item, Mapping):
                self.problem(path, "must have name: and email:")
                continue
            name = self.text(item, (*path, "name"))
            email = self.text(item, (*path, "email"))
            if email and not is_valid_address(email):
                self.problem((*path, "email"), f"{email!r} is not an email address")
            result.append(Organiser(name=name, email=normalise_address(email)))
        return tuple(result)

    def sessions(self, value: Any, languages: tuple[str, ...], zone: str) -> tuple[Session, ...]:
        if not isinstance(value, list) or not value:
            self.problem(("sessions",), "must list at least one session (id, title, start, end)")
            return ()
        result: list[Session] = []
        seen: set[str] = set()
        for index, item in enumerate(value):
            path = ("sessions", index)
            if not isinstance(item, Mapping):
                self.problem(path, "must have id:, title:, start: and end:")
                continue
            session_id = self.text(item, (*path, "id"))
            if session_id in seen:
                self.problem((*path, "id"), f"duplicate session id {session_id!r}")
            seen.add(session_id)
            if session_id and not _ID.match(session_id):
                self.problem((*path, "id"), "use lower-case letters, digits and dashes")
            title = self.localised(item, (*path, "title"), languages)
            start = self.moment(item.get("start"), (*path, "start"), zone)
            end = self.moment(item.get("end"), (*path, "end"), zone)
            if start and end and end <= start:
                self.problem((*path, "end"), "must be after start")
            if start and end and session_id:
                result.append(Session(id=session_id, title=title, start=start, end=end))
        return tuple(sorted(result, key=lambda s: s.start))

    def digest(self, value: Any) -> DigestSettings:
        if value is None:
            return DigestSettings()
        if not isinstance(value, Mapping):
            self.problem(("digest",), "must be a mapping with time: HH:MM and skip_when_unchanged: true/false")
            return DigestSettings()
        at = value.get("time", "08:00")
        if isinstance(at, int):  # YAML 1.1 reads 08:00 as a sexagesimal number
            at = f"{at // 60:02d}:{at % 60:02d}"
        match = _CLOCK.match(str(at))
        if not match:
            self.problem(("digest", "time"), f"{at!r} is not a time like 08:00")
            return DigestSettings()
        skip = value.get("skip_when_unchanged", False)
        if not isinstance(skip, bool):
            self.problem(("digest", "skip_when_unchanged"), "must be true or false")
            skip = False
        return DigestSettings(time=time(int(match[1]), int(match[2])), skip_when_unchanged=skip)
