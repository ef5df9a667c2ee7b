"""The rules and a language model, read together: the policy that combines them is `combine` (README: "A second
reader").

| the rules                 | the model (its answer guarded)          | the reading                                  |
|---------------------------|-----------------------------------------|----------------------------------------------|
| mode off, or not a reply  | not asked                               | the rules'                                   |
| certain (mode assist)     | not asked                               | the rules'                                   |
| any                       | unavailable, slow, failing, not JSON    | the rules', "model not used" in its reasons  |
| any                       | names someone the mail does not, gives  | unclear: to a person, both readings shown    |
|                           | unknown sessions, too large a delegation|                                              |
| certain                   | the same intent                         | the rules', "the model agrees"               |
| certain                   | another intent                          | unclear: to a person, both readings shown    |
| not certain               | accept or decline, certain, and not the | the model's, marked "read by model"          |
|                           | opposite of what the rules lean to      |                                              |
| not certain, leaning one  | certain of the opposite                 | unclear: to a person, both readings shown    |
|   way                     |                                         |                                              |
| unclear                   | tentative                               | the model's (tentative), "read by model"     |
| not certain               | not certain                             | the rules', the model's reason beside theirs |

"Certain" is accept or decline at confidence CERTAIN or more. The model never says who replied (the reply tag,
the thread and the verified From do), and is asked at most once per message (the inbound claim's decision is
written before the answer is acted on; a retried attempt reuses it).
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING

from ...domain.meeting import Meeting
from ...domain.rsvp import Intent, MessageKind
from .guards import ModelReading, checked
from .port import ModelFailure, ModelReader
from .prompt import PROMPT_VERSION, SCHEMA, SYSTEM, ModelInput, user_prompt

if TYPE_CHECKING:
    from ..mime import ParsedMessage
    from ..reader import Reading

CERTAIN = 0.8
MODEL_CONFIDENCE_CAP = 0.9  # a model's reading is never held as certain as the rules' plainest ones


class Mode(StrEnum):
    OFF = "off"
    ASSIST = "assist"  # the model reads only what the rules are not certain of
    ALWAYS = "always"  # the model reads every reply; the rules' certain readings stand only if it agrees


def certain(reading: Reading) -> bool:
    return reading.intent in (Intent.ACCEPT, Intent.DECLINE) and reading.confidence >= CERTAIN


class SecondReader:
    """Reads a reply the rules have read, with a model, and combines the two (`combine`)."""

    def __init__(self, model: ModelReader, mode: Mode = Mode.ASSIST, max_delegation: int = 12) -> None:
        self.model = model
        self.mode = mode
        self.max_delegation = max_delegation

    def read(self, msg: ParsedMessage, rules: Reading, meeting: Meeting) -> tuple[Reading, str]:
        """The reading, and what the model did ("not asked", "agreed", "used", "disagreed", "guarded", "not used",
        or the failure's kind: "unavailable", "throttled", "timeout", "invalid"), for the metrics."""
        if self.mode is Mode.OFF or rules.kind is not MessageKind.REPLY or (
                self.mode is Mode.ASSIST and certain(rules)):
            return rules, "not asked"
        given = model_input(msg, rules, meeting)
        try:
            answer = self.model.answer(SYSTEM, user_prompt(given), SCHEMA)
            model = checked(answer, meeting, [given.subject, given.new_text, given.quoted, *given.attachments],
                            self.max_delegation)
        except ModelFailure as failure:
            return replace(rules, reasons=(*rules.reasons, f"model not used ({failure}): the rules alone")), \
                failure.kind
        return combine(rules, model, f"{self.model.name}, prompt {PROMPT_VERSION}")


def combine(rules: Reading, model: ModelReading, name: str) -> tuple[Reading, str]:
    """The table in the module's text, in code."""
    said = f"model ({name}) reads {model.intent} at {model.confidence:.2f}: {model.reason}"
    if not model.trusted:
        return _to_a_person(rules, name, (*model.problems, said)), "guarded"
    intent = Intent(model.intent)
    if certain(rules):
        if intent is rules.intent:
            return replace(rules, reasons=(*rules.reasons, f"the model agrees ({name})"),
                           reader=f"rules+{name}"), "agreed"
        return _to_a_person(rules, name, (f"the rules and the model disagree: {said}",)), "disagreed"
    model_certain = intent in (Intent.ACCEPT, Intent.DECLINE) and model.confidence >= CERTAIN
    if model_certain:
        if rules.intent in (Intent.ACCEPT, Intent.DECLINE) and rules.intent is not intent:
            return _to_a_person(rules, name, (f"the rules and the model disagree: {said}",)), "disagreed"
        return _as_reading(rules, model, name), "used"
    if intent is Intent.TENTATIVE and rules.intent is Intent.UNCLEAR:
        return _as_reading(rules, model, name), "used"
    return replace(rules, reasons=(*rules.reasons, said), reader=f"rules+{name}"), "not used"


def _to_a_person(rules: Reading, name: str, why: tuple[str, ...]) -> Reading:
    return replace(rules, intent=Intent.UNCLEAR, attendee_count=None, attendees=(), sessions=None,
                   attendee_sessions=(), confidence=min(rules.confidence, 0.4),
                   reasons=(*rules.reasons, *why, "for a person to read: rules and model together"),
                   reader=f"rules+{name}")


def _as_reading(rules: Reading, model: ModelReading, name: str) -> Reading:
    intent = Intent(model.intent)
    count: int | None
    attendees: tuple[str, ...]
    sessions: tuple[str, ...] | None
    per_person: tuple[tuple[str, tuple[str, ...]], ...]
    if intent is Intent.DECLINE:
        count, attendees, sessions, per_person = 0, (), None, ()
    else:
        attendees, sessions, per_person = model.attendees, model.sessions, model.attendee_sessions
        count = model.attendee_count if model.attendee_count is not None else (
            max(1, len(attendees)) if intent is Intent.ACCEPT else (len(attendees) or None))
    return replace(rules, intent=intent, attendee_count=count, attendees=attendees, sessions=sessions,
                   attendee_sessions=per_person, language=model.language or rules.language,
                   confidence=min(model.confidence, MODEL_CONFIDENCE_CAP),
                   reasons=(*rules.reasons, f"read by model ({name}): {model.reason}"), reader=name)


def model_input(msg: ParsedMessage, rules: Reading, meeting: Meeting) -> ModelInput:
    """The message as the model is given it: the new text the rules read, the message it quotes, the attached
    notes' text, the calendar answer."""
    from ..attachments import read_attachments
    from ..quotes import earlier_message

    who, earlier = earlier_message(msg.text)
    attached = tuple(a.text for a in read_attachments(msg.attachments) if a.text) if msg.attachments else ()
    calendar = ""
    if msg.calendars:
        lines = msg.calendars[0].decode("utf-8", "replace").splitlines()
        calendar = "\n".join(line for line in lines if line.split(":", 1)[0].split(";", 1)[0].upper() in (
            "METHOD", "SUMMARY", "ATTENDEE", "COMMENT", "RECURRENCE-ID"))[:500]
    return ModelInput(meeting, msg.subject, rules.new_text or msg.text[:4000],
                      f"{who}\n{earlier}".strip() if earlier else "", attached, calendar)


def from_settings(mode: str, model_id: str = "", url: str = "", name: str = "", api_key: str = "",
                  region: str = "", timeout: float = 20.0, max_delegation: int = 12) -> SecondReader | None:
    """The second reader the settings ask for, or None (mode off). Adapters are imported only here."""
    chosen = Mode(mode or "off")
    if chosen is Mode.OFF:
        return None
    model: ModelReader
    if model_id:
        from .bedrock import Bedrock

        model = Bedrock(model_id, region=region, timeout=timeout)
    elif url:
        from .openai_compatible import OpenAICompatible

        if not name:
            raise ValueError("READER_MODEL_NAME is needed with READER_MODEL_URL")
        model = OpenAICompatible(url, name, api_key=api_key, timeout=timeout)
    else:
        raise ValueError(f"READER_MODE={chosen.value} needs READER_MODEL_ID (Bedrock) or READER_MODEL_URL")
    return SecondReader(model, chosen, max_delegation)
