"""What a model's answer must be before anything of it is used. The mail is untrusted and may instruct the model;
the answer is therefore checked as untrusted too:

- its shape is the schema's (else: a ModelFailure, and the rules read alone);
- every attendee it names is written in the message (else dropped, and the reading goes to a person);
- every session id is the meeting's (else dropped, and the reading goes to a person);
- its count is at least the people it names and at most `max_delegation` (else the reading goes to a person);
- it says nothing of who replied: that is never asked, and nothing it returns could change it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...domain.meeting import Meeting
from ..matching import fold
from .port import ModelFailure
from .prompt import INTENTS, LANGUAGES, SCHEMA


@dataclass(frozen=True)
class ModelReading:
    intent: str
    attendees: tuple[str, ...]
    attendee_count: int | None
    sessions: tuple[str, ...] | None
    attendee_sessions: tuple[tuple[str, tuple[str, ...]], ...]
    language: str | None
    reason: str
    confidence: float
    problems: tuple[str, ...] = ()  # what the guards took out: the reading then goes to a person

    @property
    def trusted(self) -> bool:
        return not self.problems


def checked(answer: dict[str, Any], meeting: Meeting, texts: list[str], max_delegation: int) -> ModelReading:
    """The model's answer, its shape checked and its content guarded (see the module's text)."""
    _shape(answer)
    written = _normalised("\n".join(texts))
    problems: list[str] = []
    attendees: list[str] = []
    for name in answer["attendees"]:
        name = " ".join(name.split())
        if not name:
            continue
        if _name_part(name) in written:
            attendees.append(name)
        else:
            problems.append(f"the model named someone the message does not: {name[:60]!r}")
    ids = {s.id for s in meeting.sessions}
    sessions = answer["sessions"]
    if sessions is not None:
        unknown = [s for s in sessions if s not in ids]
        if unknown:
            problems.append(f"the model gave sessions the meeting does not have: {', '.join(unknown)[:80]}")
        sessions = tuple(s.id for s in meeting.sessions if s.id in sessions) or None
        if sessions is not None and len(sessions) == len(ids):
            sessions = None  # every session: not restricted
    per_person: list[tuple[str, tuple[str, ...]]] = []
    for item in answer["attendee_sessions"]:
        person = " ".join(item["attendee"].split())
        chosen = tuple(s.id for s in meeting.sessions if s.id in item["sessions"])
        if person in attendees and chosen:
            per_person.append((person, chosen))
        elif person not in attendees:
            problems.append(f"sessions for someone not among the attendees: {person[:60]!r}")
    count = answer["attendee_count"]
    if count is not None and count < len(attendees):
        count = len(attendees)
    if (count or 0) > max_delegation or len(attendees) > max_delegation:
        problems.append(f"a delegation of {max(count or 0, len(attendees))}, above the {max_delegation} a person "
                        "should check")
    language = answer["language"] if answer["language"] != "other" else None
    return ModelReading(answer["intent"], tuple(attendees), count, sessions, tuple(per_person), language,
                        answer["reason"].strip()[:400], float(answer["confidence"]), tuple(problems))


_NAME_END = re.compile(r"\s*(?:[,،(]|\s[-–—]\s).*$", re.S)
_DOTS = re.compile(r"[.\u200e\u200f]")


def _normalised(text: str) -> str:
    return " ".join(_DOTS.sub(" ", fold(text)).split())


def _name_part(name: str) -> str:
    """The name as the message must write it: before its function ("Ana Pérez, Counsellor"), folded, its dots and
    blanks aside ("Mr. X" is "Mr X")."""
    return _normalised(_NAME_END.sub("", name)) or _normalised(name)


def _shape(answer: Any) -> None:
    """The schema's shape (a hand check of this one schema: the Lambda artifact carries no JSON-schema library)."""
    def fail(why: str) -> ModelFailure:
        return ModelFailure("invalid", f"the answer does not fit the schema: {why}")

    if not isinstance(answer, dict):
        raise fail("not an object")
    expected = set(SCHEMA["properties"])
    if set(answer) != expected:
        missing, extra = expected - set(answer), set(answer) - expected
        raise fail(f"missing {sorted(missing)}" if missing else f"unknown {sorted(extra)[:5]}")
    if answer["intent"] not in INTENTS or answer["language"] not in LANGUAGES:
        raise fail("intent or language not one of the allowed values")
    if not _strings(answer["attendees"], 100, 200):
        raise fail("attendees")
    if answer["sessions"] is not None and not _strings(answer["sessions"], 100, 100):
        raise fail("sessions")
    count = answer["attendee_count"]
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1000):
        raise fail("attendee_count")
    per_person = answer["attendee_sessions"]
    if not isinstance(per_person, list) or len(per_person) > 100 or not all(
            isinstance(i, dict) and set(i) == {"attendee", "sessions"} and isinstance(i["attendee"], str)
            and _strings(i["sessions"], 100, 100) for i in per_person):
        raise fail("attendee_sessions")
    if not isinstance(answer["reason"], str):
        raise fail("reason")
    confidence = answer["confidence"]
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        raise fail("confidence")


def _strings(value: Any, most: int, longest: int) -> bool:
    return isinstance(value, list) and len(value) <= most and all(
        isinstance(v, str) and len(v) <= longest for v in value)
