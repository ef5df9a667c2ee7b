"""The reply reader: one call from raw bytes to a Reading, used by the processing function and the CLI."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..domain.meeting import Meeting
from ..domain.rsvp import Intent, MessageKind
from ..domain.tags import tag_from_address
from .attachments import read_attachments
from .automatic import detect_automatic, machine_body, out_of_office_body
from .calendar import CalendarReply, calendar_reply, for_meeting
from .intent import bare_word, quick_answer, read_intent
from .intent_lexicon import (
    CONDITION,
    CORRECTION,
    DELEGATION_UNCHANGED,
    FORM_FIELD,
    HEDGE,
    NOUN_PREDICATE,
    PREDICATE,
    PROVISIONAL,
    Clause,
    IntentReading,
)
from .language import detect_language, marked_language
from .lexicon import Compiled, alternation, patterns, placed
from .matching import Gate, Lexicon, fold
from .mime import ParsedMessage, decode_text_header, parse_message
from .people import (
    companions,
    named_people,
    person_display,
    signed_in_script,
    signer,
    stated_count,
    table_names,
)
from .quotes import new_text
from .sessions import (
    _ABSENCE,
    _ALL,
    _EXCEPT,
    _ONLY,
    chosen_sessions,
    days_without_a_session,
    names_a_session,
    sessions_from_clauses,
    sessions_per_person,
)
from .thread import answers_our_question, as_it_stands, taken_out
from .unsubscribe import asks_to_unsubscribe


@dataclass(frozen=True)
class Reading:
    kind: MessageKind
    intent: Intent | None
    attendee_count: int | None
    attendees: tuple[str, ...]
    sessions: tuple[str, ...] | None
    language: str | None
    confidence: float
    tag: str | None
    reasons: tuple[str, ...]
    new_text: str = ""
    failed_recipients: tuple[str, ...] = field(default_factory=tuple)
    unsubscribe: bool = False  # asks for no more mail (reminders stop; the RSVP is read as usual)
    final_failure: bool = True
    report: str | None = None  # for a bounce: failure | delay | complaint | delivery
    # "Ms X on the 10th, Mr Y on the 11th": each attendee's sessions, when they differ (else every attendee comes to
    # `sessions`, which is then the union of theirs)
    attendee_sessions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Who read it: "rules", a model ("bedrock:<id>, prompt <version>"), or both ("rules+…": see reading/model)
    reader: str = "rules"

    @property
    def read_by_model(self) -> bool:
        """Is what it says a model's reading (not the rules', nor the rules' with a model agreeing)?"""
        return self.reader != "rules" and not self.reader.startswith("rules+")

    @property
    def is_automatic(self) -> bool:
        return self.kind is not MessageKind.REPLY

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "intent": self.intent.value if self.intent else None,
            "attendee_count": self.attendee_count,
            "attendees": list(self.attendees),
            "sessions": list(self.sessions) if self.sessions is not None else None,
            "language": self.language,
            "confidence": round(self.confidence, 2),
            "tag": self.tag,
            "reasons": list(self.reasons),
            **({"failed_recipients": list(self.failed_recipients)} if self.failed_recipients else {}),
            **({"unsubscribe": True} if self.unsubscribe else {}),
            **({"attendee_sessions": {name: list(ids) for name, ids in self.attendee_sessions}}
               if self.attendee_sessions else {}),
            **({"reader": self.reader} if self.reader != "rules" else {}),
        }


# A reply's answer is at its top: past about two pages of new text the rest is not read (a newsletter or a long
# forwarded report would cost time in proportion to its length, and add nothing but false hints).
READ_LIMIT = 4000


def read_message(raw: bytes | ParsedMessage, meeting: Meeting | None = None) -> Reading:
    """What the sender said. Never raises: what the reader could not read is an unclear reply with an empty new
    text, its reason also among the message's defects ("unparseable: …"), as the mail service expects of a
    message it must keep for a person to look at."""
    msg = raw if isinstance(raw, ParsedMessage) else parse_message(raw)
    try:
        return _read(msg, meeting)
    except Exception as exc:  # the safety net: no mail we have or generate reaches it (the fuzz specs check)
        reason = f"unparseable: {type(exc).__name__} while reading: {str(exc)[:200]}"
        msg.defects.append(reason)
        return Reading(MessageKind.REPLY, Intent.UNCLEAR, None, (), None, None, 0.0, None, (reason,))


def _read(msg: ParsedMessage, meeting: Meeting | None) -> Reading:
    tag = find_tag(msg, meeting)
    fallback_language = meeting.languages[0] if meeting else None
    text = new_text(msg.text, READ_LIMIT)
    for data in msg.calendars:
        # Before the automatic-mail check: Google Calendar sends a person's answer with Auto-Submitted.
        answer = calendar_reply(data)
        if answer:
            return _calendar_answer(msg, answer, text, _language(msg, text, fallback_language), tag, meeting)
    automatic = detect_automatic(msg)
    if automatic and "Auto-Submitted: auto-generated" in automatic.reasons and set(automatic.reasons) <= (
            _SENT_FOR_A_PERSON) and not out_of_office_body(text):
        # A mission's document system sends its notes verbales marked auto-generated: the writer is a person,
        # and an answer the note gives is read (the desk records it and never answers a machine).
        written = _read_reply(msg, text, _language(msg, text, fallback_language), tag, meeting)
        if written.kind is MessageKind.REPLY and written.intent in (Intent.ACCEPT, Intent.DECLINE):
            return replace(written, reasons=(*written.reasons, "sent by a machine for a person (Auto-Submitted)"))
    if automatic:
        return Reading(
            kind=MessageKind(automatic.kind), intent=None, attendee_count=None, attendees=(), sessions=None,
            language=detect_language(f"{msg.subject}\n{text}", fallback_language), confidence=0.95, tag=tag,
            reasons=automatic.reasons, new_text=text, failed_recipients=automatic.failed_recipients,
            final_failure=automatic.final,
            report=automatic.report if automatic.kind == "bounce" or automatic.report == "delay" else None,
        )
    language = _language(msg, text, fallback_language)
    if asks_to_unsubscribe(msg.subject, text):
        reading = _read_reply(msg, text, language, tag, meeting)
        return replace(reading, unsubscribe=True,
                       intent=Intent.UNCLEAR if reading.intent is None else reading.intent)
    return _read_reply(msg, text, language, tag, meeting)


# The marks a mission's document system puts on the notes verbales it sends for a person: auto-generated, perhaps in
# bulk (bulk alone is a mailing, whatever it says).
_SENT_FOR_A_PERSON = frozenset({"Auto-Submitted: auto-generated", "Precedence: bulk"})


def _calendar_answer(msg: ParsedMessage, answer: CalendarReply, text: str, language: str | None, tag: str | None,
                     meeting: Meeting | None) -> Reading:
    """A calendar button's answer, read with what the person wrote beside it: a comment that hedges or refuses
    outweighs an Accept ("accepting to hold the date only"), one that names sessions restricts it, and an answer
    to one occurrence (RECURRENCE-ID) is an answer for that session."""
    reason = f"calendar reply PARTSTAT for {answer.attendee}"
    if meeting and not for_meeting(answer, meeting.id, meeting.mailbox, tuple(meeting.title.values())):
        return Reading(MessageKind.REPLY, Intent.UNCLEAR, None, (), None, language, 0.6, tag,
                       (f"{reason}, for another event ({answer.uid[:60]})",), text)
    intent, reasons = answer.intent, [reason]
    comment = answer.comment.strip() or text
    written = read_intent(comment) if comment else None
    if written and intent is Intent.ACCEPT and written.intent in (Intent.TENTATIVE, Intent.DECLINE):
        intent = written.intent
        reasons.append(f"the comment outweighs the button: {', '.join(written.reasons[:1])}")
    if intent is Intent.DECLINE and written and written.intent is Intent.ACCEPT and any(
            c.replacement for c in written.clauses):
        # "Declined" with "Mme X me remplacera": the mission comes, through the one who goes instead
        found = _answer(msg, written, comment, language, tag, meeting)
        return replace(found, reasons=(*reasons, "the comment names who goes instead", *found.reasons), new_text=text)
    if intent is Intent.DECLINE:
        return Reading(MessageKind.REPLY, intent, 0, (), None, language, 0.99, tag, tuple(reasons), text)
    name = msg.from_name or answer.name
    sessions = None
    if meeting and len(meeting.sessions) > 1:
        if written and written.clauses:
            answered = [c.text for c in written.clauses if c.accept or c.tentative or c.replacement]
            refused = [c.text for c in written.clauses if c.decline]
            sessions = sessions_from_clauses(answered, refused, meeting.sessions,
                                             [c.text for c in written.clauses if c.text not in answered + refused])
        if sessions is None and answer.occurrence:
            day = [s.id for s in meeting.sessions if s.start.strftime("%Y%m%d") == answer.occurrence]
            sessions = tuple(day) if len(day) == 1 else None
            if sessions:
                reasons.append(f"for the occurrence of {answer.occurrence}")
    return Reading(MessageKind.REPLY, intent, 1, (name,) if name else (), sessions, language,
                   0.99 if intent is answer.intent else 0.7, tag, tuple(reasons), text)


INLINE_LIMIT = 20000  # inline answers sit under the questions of the quoted invitation, near the top


def inline_answer(full_text: str) -> Intent | None:
    """"> Will you attend the Dialogue?" then "Yes." on the next line: an answer written inline, under the
    question it answers (only attendance questions count; "> Do you need a visa letter?" / "Yes" does not)."""
    lines = full_text.splitlines()
    for index, line in enumerate(lines):
        quoted = line.lstrip()
        if not (quoted.startswith(">") and quoted.rstrip().endswith("?") and PREDICATE.search(fold(quoted))):
            continue
        answer = next((a for a in lines[index + 1:index + 4] if a.strip()), "")
        if answer.lstrip().startswith(">"):
            continue
        bare = bare_word(fold(answer).strip(" .!"))
        if bare is not None:
            return bare
    return None


# "Please find attached our note verbale", "Adjunto la nota", "ci-joint", "em anexo", "во вложении", "مرفق", "附件".
_ATTACHED = Compiled(lambda: r"(?:" + "|".join(placed("intent", "attached")) + ")")


def _from_attachments(msg: ParsedMessage, body: IntentReading, text: str, language: str | None, tag: str | None,
                      meeting: Meeting | None) -> Reading | None:
    """The answer in an attached note verbale (PDF or DOCX), read as the body is; when the body answers nothing
    and the file cannot be read (a scan), the reason says so for the person who will."""
    documents = read_attachments(msg.attachments)
    readable = [d for d in documents if d.text]
    if readable:
        written = "\n\n".join(d.text for d in readable)
        reading = read_intent(written)
        if reading.intent is not Intent.UNCLEAR:
            names = ", ".join(d.filename for d in readable)
            reading = replace(reading, confidence=min(reading.confidence, 0.8),
                              reasons=(*reading.reasons, f"read from the attachment {names}"))
            combined = f"{text}\n\n[{names}]\n{written}".strip()
            found = _answer(msg, reading, written, language, tag, meeting)
            return replace(found, new_text=combined)
    if body.intent is Intent.UNCLEAR:
        problems = [f"the attachment {d.filename}: {d.problem}" for d in documents if d.problem]
        if problems or readable:
            return Reading(MessageKind.REPLY, Intent.UNCLEAR, None, (), None, language, 0.3, tag,
                           (*body.reasons, *(problems or ["the attachment holds no answer"])), text)
    return None


# "See below", "Ver respuestas abajo en rojo": the answer is typed inside the quoted invitation.
_SEE_BELOW = Compiled(lambda: r"\b(?:" + alternation("intent", "see_below") + r")\b")
_BRACKETED = re.compile(r"\[([^\[\]\n]{3,200})\]")
_CHECKBOX = re.compile(r"^\s*\[\s*([xX✓✔✗ ]?)\s*\]\s*(\S.{0,200})$")
_ARROW = re.compile(r"^\s*(?:>>|->|=>|-->|»)\s*(\S.{0,200})$")
_QUOTE_MARKS = re.compile(r"^(?:\s*>(?= |$) ?)+")  # "> " quoting; a ">>" arrow typed by the writer is kept


def inline_marks(quoted: str) -> str:
    """What the writer typed into the quoted invitation, as lines the reader can read: "[GHANA: Mr X - will
    attend]", a ticked "[X] Session 1", a "[ ] Session 2" left empty, ">> SÍ - Tte. Cnel. Giménez" before the
    session it answers, and form lines ("Participante: …") the invitation never had."""
    lines = [_QUOTE_MARKS.sub("", line) for line in quoted.splitlines()]
    out: list[str] = []
    for index, line in enumerate(lines):
        box = _CHECKBOX.match(line)
        if box:
            out.append(("I will attend " if box.group(1).strip() else "I will not attend ") + box.group(2))
            continue
        arrow = _ARROW.match(line)
        if arrow:
            mark = _answer_words(arrow.group(1))
            following = next((n.strip() for n in lines[index + 1:index + 3] if n.strip()), "")
            out.append(f"{mark} {following}" if following and not _ARROW.match(following) else mark)
            continue
        out += [m.group(1) for m in _BRACKETED.finditer(line) if not m.group(1).strip().lower().startswith("mailto")]
        form = FORM_FIELD.match(fold(line).strip())
        if form and not _ANSWER_LINE.search(line):
            out.append(line.strip())
    return "\n".join(out)


_ANSWER_LINE = re.compile(r"mailto:|https?://")
_FIRST_WORD = re.compile(r"^\s*([^\W\d_]+)[\s,.:;!–—-]*(.*)$", re.S)


def _answer_words(mark: str) -> str:
    """">> SÍ - Tte. Cnel. Giménez" -> "Tte. Cnel. Giménez will attend": a bare yes or no typed as a mark, said
    in words the reader weighs whatever the language."""
    found = _FIRST_WORD.match(mark)
    answer = bare_word(fold(found.group(1))) if found else None
    if found is None or answer is None:
        return mark
    rest = found.group(2).strip()
    said = "will attend" if answer is Intent.ACCEPT else "will not attend"
    return f"{rest} {said}:" if rest else f"I {said}:"


def _read_reply(msg: ParsedMessage, text: str, language: str | None, tag: str | None, meeting: Meeting | None
                ) -> Reading:
    quick = quick_answer(msg.subject)
    reading = read_intent(text)
    if quick and len(text) < 200:
        if reading.intent is Intent.UNCLEAR or reading.intent is quick:
            reading = IntentReading(quick, 0.95, (f"quick answer in subject: {msg.subject!r}", *(
                reading.reasons if reading.intent is quick else ())), reading.replacement, reading.clauses)
        else:  # "ACCEPT" from the link, "I clicked the wrong link, we cannot attend" below: what they wrote wins
            reading = replace(reading, confidence=min(reading.confidence, 0.8), reasons=(
                *reading.reasons, f"the body outweighs the subject {msg.subject.strip()[:20]!r}"))
        return _answer(msg, reading, text, language, tag, meeting)
    if reading.intent is Intent.UNCLEAR:
        inline = inline_answer(msg.text[:INLINE_LIMIT])
        if inline is not None:
            reading = IntentReading(inline, 0.8, ("answered inline under the quoted question",),
                                    clauses=reading.clauses)
    if reading.intent is Intent.UNCLEAR and meeting is not None and not any(
            c.question or c.tentative or c.decline for c in reading.clauses) and _named_not_signing(text) and (
            answers_our_question(msg.text, meeting.mailbox)):
        # "Será el Primer Secretario Andrés Villalba.": names given in answer to the desk's question about them
        reading = IntentReading(Intent.ACCEPT, 0.7, ("names given in answer to the desk's question",),
                                clauses=reading.clauses)
    if reading.intent is Intent.UNCLEAR and not any(c.question or c.tentative for c in reading.clauses) and (
            "\t" in text and table_names(text)):
        reading = IntentReading(Intent.ACCEPT, 0.6, ("a table of participants",), clauses=reading.clauses)
    if reading.intent is Intent.UNCLEAR and _SEE_BELOW.search(fold(text)):
        marks = inline_marks(msg.text[len(text):INLINE_LIMIT] if msg.text.startswith(text) else msg.text[:INLINE_LIMIT])
        marked = read_intent(marks) if marks else None
        if marked and marked.intent is not Intent.UNCLEAR:
            reading = replace(marked, confidence=min(marked.confidence, 0.7),
                              reasons=(*marked.reasons, "answered inside the quoted invitation ('see below')"))
            return _answer(msg, reading, marks, language, tag, meeting)
    if meeting is not None and msg.attachments and (reading.intent is Intent.UNCLEAR or _ATTACHED.search(fold(text))):
        # (only mail that reached a meeting's mailbox: a PDF costs tens to hundreds of milliseconds to read)
        read = _from_attachments(msg, reading, text, language, tag, meeting)
        if read is not None:
            return read
    if reading.intent is Intent.UNCLEAR and out_of_office_body(text):
        return Reading(MessageKind.AUTO_REPLY, None, None, (), None, language, 0.7, tag,
                       ("out-of-office wording in the body and no answer",), text)
    if reading.intent is Intent.UNCLEAR and machine_body(text):
        return Reading(MessageKind.AUTO_REPLY, None, None, (), None, language, 0.7, tag,
                       ("the text says a machine sent it, and gives no answer",), text)
    return _answer(msg, reading, text, language, tag, meeting)


# ---------------------------------------------------------------------- the language data (lexicon/<xx>/writer.yaml)
# Who the writer says comes: the words are read from the language folders on first use (lexicon/schema.yaml, area
# "writer", describes each category); this module holds only how they are set together.
AREA = "writer"


def _alt(category: str) -> str:
    return alternation(AREA, category)


# The sender speaking for themself: "I will attend", "asistiré", "je participerai", "participarei" (folded text).
# (Never a letter of an abbreviation: "Chargé d'affaires a.i.", "i.e.")
# A word entry stands alone ("i" is no letter of "in"); an entry of a language written without spaces ("我本人")
# is found anywhere.
_FIRST_PERSON = Compiled(lambda: r"(?<!\.)(?:" + "|".join(
    ([rf"\b{alternation(AREA, 'first_person', 'words')}\b"] if patterns(AREA, "first_person", "words") else [])
    + ([alternation(AREA, "first_person", "anywhere")] if patterns(AREA, "first_person", "anywhere") else []))
    + r")(?!\.\w)")
# "I am writing on behalf of Ambassador Lopez, who will attend": the writer speaks for someone else.
_ON_BEHALF = Compiled(lambda: r"\b" + _alt("on_behalf") + r"\b")


# "Ms Hanna Berg instead of Mr Lars Berg": the one replaced is not coming (read in the text as written).
_INSTEAD_OF = Compiled(lambda: "(?:" + _alt("instead_of") + r")\s+")
_MAY_REPLACE = Gate(_INSTEAD_OF)


def _replaced(text: str) -> list[str]:
    """What follows each "instead of" in `text` (the person replaced begins it)."""
    if not _MAY_REPLACE(fold(text)):
        return []
    return [text[m.end():m.end() + 200] for m in _INSTEAD_OF.finditer(text)]


# "I am pleased to confirm that Mr X will represent us": the writer reports; only what follows counts. A reporting
# verb with any ending, perhaps its object pronoun, then its "that" and a space.
_REPORTING = Compiled(lambda: r"\b" + _alt("reporting_verbs") + r"\w*(?: " + _alt("reporting_objects") + ")? "
                      + _alt("complementisers") + r"\s")
# "We may join", "participaríamos", "мы", "我们": the writer speaks for a group (folded text).
_WE = Lexicon("we", area=AREA)
# "Dr X will join me", "me acompañará", "myself and Mr Y": the writer comes too (folded text).
_WITH_ME = Lexicon("with_me", area=AREA)  # each entry as it matches ("我和": anywhere)


def _after_reporting(clause: str) -> str:
    match = _REPORTING.search(clause)
    return clause[match.end():] if match else clause


_PIECE = re.compile(r"[,;]\s+|\s[-–—]\s")


def _without_what_it_depends_on(clause: str) -> str:
    """An answer's clause without the pieces after its first that hedge or set a condition: "tal vez me conecte el
    jueves, depende de cómo salga la reunión del miércoles" chooses Thursday; Wednesday is what it depends on."""
    pieces = _PIECE.split(clause)
    if len(pieces) < 2:
        return clause
    # (the pieces up to the answer's own are kept: "Sous réserve de confirmation, Mme X devrait pouvoir se joindre à
    # la première séance" hedges the answer, it is not what the answer depends on)
    answer = next((i for i, p in enumerate(pieces) if PREDICATE.search(p) or NOUN_PREDICATE.search(p)), 0)
    kept = [*pieces[:answer + 1], *(p for p in pieces[answer + 1:]
                                    if not (_starts_with(HEDGE, p) or _starts_with(CONDITION, p)))]
    return ", ".join(kept)


def _starts_with(lexicon: Lexicon, text: str) -> bool:
    found = lexicon.search(text)
    return found is not None and found.start() == 0


def _named_not_signing(text: str) -> list[str]:
    """The people a text names, but for the one who signs it."""
    people = named_people(text)
    signature = signer(text, people)
    return [p for p in people if p != signature]


def _sessions_corrected(reading: IntentReading, meeting: Meeting) -> tuple[list[str], list[str], list[str]] | None:
    """When the writer corrects the sessions of an acceptance given above ("Correction: the 11th, not the 10th",
    "Rectification : pour les deux séances"), the clauses from the correction on: (accepting, refusing, neither)."""
    clauses = reading.clauses
    for index, clause in enumerate(clauses):
        if not (index and CORRECTION.search(clause.text) and any(c.accept or c.replacement for c in clauses[:index])):
            continue
        # the correction names the sessions, or the clause right after its mark does ("Прошу прощения, неточность: /
        # г-н Волков будет участвовать не в первой, а во второй сессии")
        for mark in (index, index + 1)[:2 if len(_NOT_LETTERS.sub("", clause.text)) < 30 else 1]:
            if mark < len(clauses) and (names_a_session([clauses[mark].text], meeting.sessions)
                                        or _ALL.search(clauses[mark].text)):
                after = clauses[mark:]
                return ([after[0].text, *(c.text for c in after[1:] if c.accept or c.replacement)],
                        [c.text for c in after[1:] if c.decline and not c.replacement],
                        [c.text for c in after[1:] if not (c.accept or c.decline or c.replacement)])
    return None


def _answers(clause: Clause) -> bool:
    return clause.accept or clause.decline or clause.replacement or clause.question or clause.tentative


_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{3,8}")


def _han_short_in(person: str, text: str) -> bool:
    """A Chinese name with its title, written short in `text` as surname and title ("王海涛参赞", "王参赞")."""
    if not _HAN_NAME.fullmatch(person):
        return False
    return any(person[0] + person[k:] in text for k in (2, 3) if len(person) - k >= 2)


def _a_day_without_a_session(reading: IntentReading, meeting: Meeting) -> bool:
    """An acceptance that names, by its number, a day near the meeting with none of its sessions, and no session."""
    accepting = [c.text for c in reading.clauses if (c.accept or c.replacement) and _ANY_DIGIT.search(c.text)]
    return bool(accepting) and days_without_a_session(
        accepting, meeting.sessions, meeting.local(meeting.rsvp_cutoff).date()) and not names_a_session(
        [c.text for c in reading.clauses if c.accept or c.replacement], meeting.sessions)


def _answer(msg: ParsedMessage, reading: IntentReading, text: str, language: str | None, tag: str | None,
            meeting: Meeting | None) -> Reading:
    intent = reading.intent
    if intent is Intent.DECLINE and meeting and len(meeting.sessions) > 1:
        # "We won't be joining the second one": refusing some sessions by name accepts the others.
        declined = [c.text for c in reading.clauses if c.decline and not c.cancellation]
        remaining = sessions_from_clauses([], declined, meeting.sessions)
        if remaining and declined and not any(c.cancellation for c in reading.clauses):
            reading = IntentReading(Intent.ACCEPT, 0.6, (*reading.reasons, "refuses only some sessions"),
                                    clauses=reading.clauses)
            intent = Intent.ACCEPT
    if intent is Intent.DECLINE:
        return Reading(MessageKind.REPLY, intent, 0, (), None, language, reading.confidence, tag, reading.reasons, text)
    if intent is Intent.ACCEPT and meeting and _a_day_without_a_session(reading, meeting):
        # "Please register me for the session on Friday 12 February": no session that day; the writer is asked
        intent = Intent.UNCLEAR
        reading = IntentReading(intent, 0.4, (*reading.reasons, "names a day on which there is no session"),
                                clauses=reading.clauses)
    if intent is Intent.UNCLEAR:
        return Reading(MessageKind.REPLY, intent, None, (), None, language, reading.confidence, tag, reading.reasons,
                       text)
    refused = " ".join(c.original for c in reading.clauses if c.decline and not c.replacement)
    replaced = _replaced(text)
    people = [p for p in named_people(text) if p.split()[-1] not in refused and not _han_short_in(p, refused)
              and not any(after.startswith(p) for after in replaced)]
    removed = taken_out(text, people)  # "Please remove Mr X from our list; the rest remains unchanged"
    people = [p for p in people if p not in removed]
    sender = msg.from_name.replace(",", " ").split()
    sender_named = (any(part in sender for p in people for part in p.split(",")[0].split()[-2:]) if sender else False
                    ) or bool(signer(text, people))  # (a name's last words, before its function)
    stated = stated_count(text, language)
    # On a tentative reply, who would come and when is read from the hedged attendance ("I will probably join on the
    # 11th"), not from a hedge about something else ("not sure yet: it depends on the Ambassador's 10th").
    hedged = [c for c in reading.clauses if c.tentative and (
        PREDICATE.search(c.text) or NOUN_PREDICATE.search(c.text) or PROVISIONAL.search(c.text))
              ] if intent is Intent.TENTATIVE else []
    speaks_for_self = any(
        (c.accept or c in hedged) and not c.replacement and _FIRST_PERSON.search(_after_reporting(c.text))
        and not _ON_BEHALF.search(c.text) for c in reading.clauses)
    writer_comes = speaks_for_self or bool(_WITH_ME.search(fold(text)))  # "my colleague and I", "el suscrito y"
    signature = signer(text, people)
    if signature and not writer_comes and any(p != signature for p in people) and (
            text.find(signature) == text.rfind(signature)):  # named once: in the signature only
        # "I will not attend myself, but Mr. Mensah will … Kind regards, Dr. Helena Vogt": who signs is not coming
        people = [p for p in people if p != signature]
        sender_named = False
    writer = person_display(msg.from_name) if _is_a_person(msg.from_name) else ""
    if writer and writer.isascii():
        writer = signed_in_script(text) or writer  # "Tarek Ben Salem" signs "طارق بن سالم": named as they sign
    standing = as_it_stands(msg.text, text, people, refused, meeting.mailbox) if (
        meeting and intent is Intent.ACCEPT) else None
    count: int | None
    if standing:
        people = standing  # "Ms X will replace Mr Y": the delegation the quoted answer gave, as it now stands
        count = max(len(people), stated or 0)
    elif stated and writer_comes and companions(text) == stated:
        count = stated + 1  # "I will attend with two colleagues (names to follow)": the writer and two more
        if writer and not sender_named and len(people) == stated:
            people.append(writer)
    elif stated:
        count = stated
        if writer and writer_comes and not sender_named and len(people) == stated - 1:
            people.append(writer)  # "We will be three: Tom, Priya and myself"
    elif people and not sender_named and writer_comes:
        count = 1 + len(people)  # "I will attend, together with my colleague Dr X"
        if writer:
            people.append(writer)  # the writer, counted, named as their mail client names them
    elif intent is Intent.TENTATIVE and not people and not speaks_for_self and not (
            writer and not _WE.search(fold(text))):
        count = None  # "Pencil us in; names to follow": who would come is not said (a person's own "Maybe" is theirs)
    else:
        count = max(1, len(people))
    accepting = [c for c in reading.clauses if c.accept]
    if not standing and accepting and all(DELEGATION_UNCHANGED.search(c.text) for c in accepting):
        # "the rest of the delegation remains unchanged", its list not quoted: who stands is for a person to see
        return Reading(MessageKind.REPLY, Intent.UNCLEAR, None, (), None, language, 0.4, tag,
                       (*reading.reasons, "changes a delegation given before that this message does not quote"), text)
    if not people and count == 1 and not stated and writer:
        people = [writer]  # the writer, alone: named as their mail client names them
    accepted = [_without_what_it_depends_on(c.text) for c in reading.clauses
                if c.accept or c.replacement or c in hedged]
    # "Delighted to accept - but only for Wednesday": the restriction rides in the next clause.
    accepted += [c.text for before, c in zip(reading.clauses, reading.clauses[1:], strict=False)
                 if (before.accept or before.replacement) and not (c.accept or c.decline) and (
                     _ONLY.search(c.text) or _EXCEPT.search(c.text)
                     or (_ANY_DIGIT.search(c.text) and named_people(c.original)))]
    # "من المرجح أن يشارك العميد X، / مدير المركز، / في الجلسات كافة باستثناء الجلسة الأولى": past a function's clause
    accepted += [c.text for before, between, c in zip(reading.clauses, reading.clauses[1:], reading.clauses[2:],
                                                       strict=False)
                 if (before.accept or before.replacement or before in hedged) and not _answers(between)
                 and not _answers(c) and c.text not in accepted and (_ONLY.search(c.text) or _EXCEPT.search(c.text))]
    # ("…; el 11, el Ing. Raúl Méndez.": a day and a person ride in the next clause too)
    # "Предварительно - два участника, 11 февраля": what a provisional booking puts down may follow it
    accepted += [c.text for before, c in zip(reading.clauses, reading.clauses[1:], strict=False)
                 if before in hedged and not (c.accept or c.decline or c.question or c.tentative)
                 and not (PREDICATE.search(before.text) or NOUN_PREDICATE.search(before.text))]
    # "Wednesday only for me, I'm afraid - … Happy to be registered", "probablemente solo el miércoles 10": a clause
    # that answers nothing itself, or only hedges, but restricts to a session restricts an answer that names none.
    if meeting and not names_a_session(accepted, meeting.sessions):
        accepted += [c.text for c in reading.clauses if not (c.accept or c.decline or c.replacement or c.question)
                     and c.text not in accepted and _ONLY.search(c.text) and not _ABSENCE.search(c.text)]
    declined = [c.text for c in reading.clauses if c.decline and not c.replacement]
    neutral = [c.text for c in reading.clauses if not (c.accept or c.decline or c.replacement) and c not in hedged
               and c.text not in accepted]
    corrected = _sessions_corrected(reading, meeting) if meeting else None
    if corrected is not None:
        # "…the session on the 10th. Correction: the 11th, not the 10th": the sessions after the correction count
        accepted, declined, neutral = corrected
    sessions = None
    per_person: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if meeting:
        sessions = sessions_from_clauses(accepted, declined, meeting.sessions, neutral) if reading.clauses else \
            chosen_sessions(text, meeting.sessions)
        per_person = sessions_per_person(text, people, meeting.sessions) if len(people) > 1 else ()
        if per_person:
            union = {s for _, ids in per_person for s in ids}
            sessions = None if len(union) == len(meeting.sessions) else tuple(
                s.id for s in meeting.sessions if s.id in union)
    return Reading(MessageKind.REPLY, intent, count, tuple(people), sessions, language, reading.confidence, tag,
                   reading.reasons, text, attendee_sessions=per_person)


# "Permanent Mission of Chile", "Registration desk", "info": a From name that is not a person's.
_NOT_A_PERSON = Compiled(lambda: r"\b(?:" + alternation("people", "organisation_words") + r")\b")


def _is_a_person(name: str) -> bool:
    name = name.strip()
    return 1 < len(name) <= 60 and "@" not in name and not any(c.isdigit() for c in name) and not (
        _NOT_A_PERSON.search(fold(name)))


_ANY_DIGIT = re.compile(r"\d")
_LANGUAGES = ("en", "es", "fr", "pt", "ar", "ru", "zh")
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def _language(msg: ParsedMessage, text: str, fallback: str | None) -> str | None:
    """From the new text when there is enough of it; for "No" or a calendar button, from the language the
    sender's mail client declares, else from the subject and the whole message (the quoted invitation)."""
    if len(_NOT_LETTERS.sub("", text[:400])) >= 40:  # letters among the first 400 characters
        return detect_language(text, fallback)
    marked = marked_language(text)
    if marked:
        return marked
    declared = msg.header("Content-Language").split(",")[0].strip()[:2].lower()
    if declared in _LANGUAGES:
        return declared
    return detect_language(f"{text}\n{msg.subject}\n{msg.text[:1500]}", fallback)


def find_tag(msg: ParsedMessage, meeting: Meeting | None = None) -> str | None:
    """The personal reply tag this message was sent to (or, for a bounce, the one our mail carried)."""
    bases = {meeting.mailbox.split("@")[0]} if meeting else None
    for address in msg.recipients:
        tag = tag_from_address(address, bases)
        if tag:
            return tag
    for headers in msg.returned_headers:
        for name in ("Reply-To", "From", "Sender"):
            for address in decode_text_header(headers.get(name)).replace(">", " ").replace("<", " ").split():
                tag = tag_from_address(address.strip(",;"), bases)
                if tag:
                    return tag
    return None
