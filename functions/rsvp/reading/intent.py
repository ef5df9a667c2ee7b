"""Intent: accept, decline, tentative or unclear — and when unsure, unclear.

The new text is cut into clauses (sentences, list items, and halves of "X but Y"). Each clause is
read for an attendance predicate ("attend", "participar", "participer", "участвовать", "出席"…), a
negation governing it, a commitment ("will", "confirm", "pleased to"), a hedge ("probably", "subject
to", "intentaré"), a counterfactual ("would have been delighted to attend"), a question, a
cancellation or a replacement ("Ms X will represent the Mission"). The clauses are then weighed:
a refusal plus a named replacement is an acceptance; an acceptance and a refusal of different
sessions is an acceptance of those sessions; otherwise contradictions are unclear.

Latin-script text is matched accent-folded and lower-cased, so missing or wrong accents do not
matter; a few key words are also matched with one typo ("confimro", "attnd").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise

from ..domain.rsvp import Intent
from .intent_lexicon import (
    _ANSWER_LABEL,
    _CJK_CONTRAST,
    _CLASH,
    _CONTRAST,
    _CONTRAST_WORD,
    _EMPTY_VALUE,
    _LEADING_NO,
    _LEADING_YES,
    _MAYBE_VALUE,
    _NO_VALUE,
    _OBLIGATION,
    _REGRET,
    _REPLY_PREFIXES,
    _WELL_WISHING,
    _WORD,
    _YES_VALUE,
    ABOUT_SOMEONE_ELSE,
    ACKNOWLEDGEMENT,
    AFFIRMING_NEGATION,
    ALREADY_REGISTERED,
    ANOTHER_OCCASION,
    BARE_VERB,
    CANCEL_OWN,
    CANCEL_SOMEONE_ELSE,
    CANCELLATION,
    COMMITTED,
    CONDITION,
    CONFIRM,
    CONFLICT_REFUSAL,
    CORRECTION,
    COUNTERFACTUAL,
    DEFERRAL,
    DELEGATION_UNCHANGED,
    DISCLAIMER,
    ELLIPTICAL_YES,
    FORM_FIELD,
    HEDGE,
    INDIRECT_QUESTION,
    INVITATION_BEFORE,
    MISS,
    NEGATION,
    NOBODY,
    NOT_KNOWING,
    NOUN_PREDICATE,
    PERFORMATIVE,
    PREDICATE,
    QUESTION_START,
    REFUSAL,
    REGISTER_REQUEST,
    REPLACEMENT,
    REPLACES,
    TOPIC,
    WHATEVER_HAPPENS,
    WISH,
    Clause,
    IntentReading,
    _alt,
    _any,
    _quick_lookup,
    _typo_candidates,
    _words,
)
from .lexicon import Compiled
from .matching import (
    NEEDLES,
    Lexicon,
    _OnFirstUse,
    fold,
)
from .prefilter import Needles, needles


def quick_answer(subject: str) -> Intent | None:
    """Subjects from the invitation's quick-reply links, or a bare word typed as the subject."""
    cleaned = _REPLY_PREFIXES.sub("", fold(subject.strip()))
    head = re.split(r"\s*[:\-–|]\s*", cleaned, maxsplit=1)[0].strip().strip("!.")
    return _quick_lookup().get(head)


def bare_word(word: str) -> Intent | None:
    """A whole answer that is a bare yes or no ("Yes", "Sí", "Non merci"), folded, its end punctuation stripped."""
    if word in _words("bare_yes"):
        return Intent.ACCEPT
    if word in _words("bare_no"):
        return Intent.DECLINE
    return None


# "My colleague will not attend, but I will": the verb is left out; the refusal was someone else's.
_ELLIPTICAL_SELF = Compiled(lambda: "^" + _alt("but_openers") + "?" + _alt("self_pronouns") + "(?: "
                            + _alt("self_intensifiers") + ")? " + _alt("self_answers") + r"[.!]?$")
_THIRD_PARTY = Compiled(lambda: _any("third_party_subjects"))
_BREAK = re.compile(r"(?<![.!?;\u3002\uff01\uff1f\uff1b])[.!?;\u3002\uff01\uff1f\uff1b]++(?=\s)|\n+|[\u3002\uff01\uff1f\uff1b]"
                    )  # a run of stops (Latin or full-width) read from its first
# A short closing line: what follows is a signature (names, titles, addresses), not an answer.
_CLOSING_LINE = Compiled(lambda: r"^\s*" + _alt("closings") + r"[\s,.!]*$", re.I)
# "Wednesday yes, Thursday no": a yes or no closing a phrase ends that clause.
_AFTER_YES_NO = Compiled(lambda: r"\b" + _alt("after_yes_no") + r"\b(?P<gap>\s*[,;]\s+)", re.I)
_NOT_REFUSING = Compiled(lambda: _any("negation_not_refusing"))  # "not only", "no problem"
_NEGATION_LIFTED = Compiled(lambda: _any("negation_lifted_after"))  # "ne … que": only
_NEGATION_AFTER = Compiled(lambda: r"^\S+\s+" + _alt("negation_after_verb") + r"\b")  # "je participerai pas"
_ABOUT_DETAILS = Compiled(lambda: _any("names_and_links", "other_details"))
_NAMES_AND_LINKS = Compiled(lambda: _any("names_and_links"))
# Modal words hedge a verb: without an attendance verb in the clause they say nothing about the answer.
_MODAL_ONLY = Compiled(lambda: _alt("modal_hedges"))
_ELLIPTICAL_NO = Compiled(lambda: "^(?:" + _alt("but_openers") + "|" + _alt("and_openers")
                          + r")?(?P<what>[^,;:]{2,30}?)[,:]? " + _alt("no_words") + r"[.!;]?$")
_ELLIPTICAL_YES_SESSION = Compiled(lambda: "^" + _alt("and_openers") + r"?(?P<what>[^,;:]{2,30}?)[,:]? "
                                   + _alt("yes_words") + r"[.!;]?$")
# "Yes, we received it": a yes about the mail, not about the meeting.
_RECEIPT = Compiled(lambda: _any("receipt"))
_REGRET_ADVERB = Compiled(lambda: "^" + _alt("regret_adverbs") + r"[,;:]?\s+(?=" + _alt("no_words") + r"\b)")
_SESSION_WORDS = Compiled(lambda: _any("session_words") + r"|\b\d{1,2}" + _alt("ordinal_suffixes") + r"?\b")
_IN_PERSON = Compiled(lambda: _any("in_person"))
_REMOTE = Compiled(lambda: _any("remote"))


def _ellipses(clauses: list[Clause]) -> list[Clause]:
    """New clauses where a refusal was someone else's, or where a condition set apart ("If the connection allows -
    which is never certain -, Mr X will follow the first session") governs the answer after it; the clauses read
    are left as they were."""
    out = list(clauses)
    for index in range(1, len(out)):
        before, clause = out[index - 1], out[index]
        governed = next((c for c in reversed(out[max(0, index - 2):index]) if _condition(c)), None) if (
            clause.accept or clause.replacement) else None
        if governed is not None and not any(c.accept or c.decline or c.tentative or c.replacement
                                            for c in out[max(0, index - 2):index]):
            out[index] = replace(clause, accept=False, replacement=False, tentative=True, evidence=[
                f"on condition: '{governed.original[:40]}'", *clause.evidence])
            continue
        if (_ELLIPTICAL_SELF.match(clause.text) and before.decline and not before.cancellation
                and _THIRD_PARTY.match(before.text)):
            out[index - 1] = replace(before, decline=False)
            out[index] = replace(clause, accept=True, evidence=[
                *clause.evidence, f"{clause.text} (after a refusal for someone else)"])
    return out


def read_intent(text: str) -> IntentReading:
    folded = fold(text)
    bare = _bare_answer(folded)
    if bare is not None:
        return IntentReading(bare, 0.85, (f"a bare '{text.strip()[:20]}' as the whole answer",))
    parts = _split(text)
    read = [_read_clause(part) for part in parts]
    clauses = _ellipses([c for c in read if c.text.strip()])
    reading = _weigh(clauses)
    if reading.intent is Intent.UNCLEAR and not any(c.question for c in clauses):
        # Nothing found: read once more with key words' typos repaired ("confimro mi aistencia"); a clause
        # with nothing to repair reads as it did.
        repaired = [c for c in (clause if _correct_typos(clause.text) == clause.text else _read_clause(part, True)
                                for part, clause in zip(parts, read, strict=True)) if c.text.strip()]
        second = _weigh(repaired)
        if second.intent is not Intent.UNCLEAR:
            return IntentReading(second.intent, min(second.confidence, 0.7),
                                 (*second.reasons, "read with spelling repaired"), second.replacement, second.clauses)
    return reading




def _sentences(text: str) -> list[str]:
    """Sentences and lines, not broken after titles and initials ("Excmo. Sr. Luis", "D.A. Ataev")."""
    out: list[str] = []
    start = 0
    for match in _BREAK.finditer(text):
        if match.group(0) == ".":
            word = re.search(r"([\w.°º]+)$", text[start:match.start()])
            token = word.group(1).lower() if word else ""
            if token in _words("abbreviations") or (len(token) == 1 and token.isalpha()) or re.fullmatch(r"(\w\.)+\w", token):
                continue
        out.append(text[start:match.end()])
        start = match.end()
    out.append(text[start:])
    return out


# A line broken inside a sentence by the writer's mail client (hard-wrapped at ~72 columns): a word or comma, then
# a line that goes on in lower case. Joined again, so that a clause is read whole.
_WRAPPED = re.compile(r"(?<=[^\W\d_]|,) *\n *(?=[a-z\u00df-\u00ff\u0430-\u044f\u0451])(?=[^\n\t]*$)", re.M)


def _split(text: str) -> list[str]:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if index and _CLOSING_LINE.match(line):
            text = "\n".join(lines[:index])
            break
    text = _WRAPPED.sub(" ", text)
    parts: list[str] = []
    for sentence in _sentences(text):
        if not sentence or not sentence.strip():
            continue
        for half in _between(_CONTRAST, sentence):
            for part in _between(_CJK_CONTRAST, half):
                parts.extend(p for p in _after_yes_no(part) if p and p.strip())
    return parts


def _between(pattern: Compiled, text: str) -> list[str]:
    """The pieces of `text` between the pattern's matches (what re.split gives, whatever groups the data has)."""
    pieces, start = [], 0
    for match in pattern.finditer(text):
        pieces.append(text[start:match.start()])
        start = match.end()
    pieces.append(text[start:])
    return pieces


def _after_yes_no(part: str) -> list[str]:
    pieces, start = [], 0
    for match in _AFTER_YES_NO.finditer(part):
        pieces.append(part[start:match.start("gap")])
        start = match.end("gap")
    pieces.append(part[start:])
    return pieces


def _read_clause(original: str, repair: bool = False) -> Clause:
    text = fold(original).strip()
    if repair:
        text = _correct_typos(text)
    if _MAY_ANSWER is not None and not _MAY_ANSWER(text):  # most clauses: greetings, addresses, small talk
        return Clause(text=text, original=original.strip(), question=_is_question(text))
    predicate = _attendance(text)
    refusal = REFUSAL.search(text)
    clause = Clause(text=text, original=original.strip(), question=_is_question(text))
    if DISCLAIMER.search(text):
        clause.disclaimer = True  # its negations deny a lack of interest; they refuse nothing themselves
        clause.evidence.append(DISCLAIMER.search(text).group(0))  # type: ignore[union-attr]
        return clause
    clause.counterfactual = bool(COUNTERFACTUAL.search(text))
    if refusal and AFFIRMING_NEGATION.search(text):
        refusal = None  # "nothing will prevent us", "rien ne nous empêchera": the refusal word is denied
    hedge = HEDGE.search(text)
    if PERFORMATIVE.search(text) and not clause.question:
        if hedge:  # "I confirm, in principle": hedged, not committed
            clause.tentative = True
            clause.evidence.append(hedge.group(0))
            return clause
        clause.accept = True
        clause.evidence.append(PERFORMATIVE.search(text).group(0))  # type: ignore[union-attr]
        return clause
    if ELLIPTICAL_YES.match(text) and not clause.question:
        if hedge:  # "Sí en principio, pero…"
            clause.tentative = True
            clause.evidence.append(hedge.group(0))
            return clause
        clause.accept = True
        clause.evidence.append(text[:20])
        return clause
    form = FORM_FIELD.match(text)
    if form:
        value = form.group("value")
        if _ANSWER_LABEL.fullmatch(form.group("label")):
            clause.decline = bool(_NO_VALUE.match(value))
            clause.tentative = not clause.decline and bool(_MAYBE_VALUE.match(value))
            clause.accept = not (clause.decline or clause.tentative) and bool(_YES_VALUE.match(value))
        else:
            empty = bool(_EMPTY_VALUE.match(value))
            clause.decline, clause.accept = empty, not empty
        clause.evidence.append(form.group(0)[:40])
        return clause
    elliptical = _ELLIPTICAL_NO.match(text)
    if elliptical and _SESSION_WORDS.search(elliptical.group("what")) and not clause.question:
        clause.decline = True  # "…, pero el jueves no": that session refused
        clause.evidence.append(text[:30])
        return clause
    elliptical = _ELLIPTICAL_YES_SESSION.match(text)
    if elliptical and not clause.question and HEDGE.search(elliptical.group("what")):
        clause.tentative = True  # "Probably yes", "el jueves probablemente sí": a yes held back by its hedge
        clause.evidence.append(HEDGE.search(elliptical.group("what")).group(0))  # type: ignore[union-attr]
        return clause
    if elliptical and _SESSION_WORDS.search(elliptical.group("what")) and not clause.question:
        clause.accept = True  # "Wednesday yes", "the 10th: yes"
        clause.evidence.append(text[:30])
        return clause
    unchanged = DELEGATION_UNCHANGED.search(text)
    if unchanged and not clause.question:
        clause.accept = True  # the delegation given before stands (as changed beside it)
        clause.evidence.append(unchanged.group(0))
        return clause
    registered = ALREADY_REGISTERED.search(text)
    if registered and not clause.question and not _negated(text, registered.start() + 3):
        clause.accept = True
        clause.evidence.append(registered.group(0))
        return clause
    about_someone_else = ABOUT_SOMEONE_ELSE.search(text) and not REGISTER_REQUEST.search(text)  # ("grateful if you
    # would register Mr X": a request, not a condition)
    if DEFERRAL.search(text) or about_someone_else or ACKNOWLEDGEMENT.search(text) or TOPIC.search(text) or (
            ANOTHER_OCCASION.search(text) or CANCEL_SOMEONE_ELSE.search(text)):
        return clause
    miss = MISS.search(text)
    if miss and not predicate and not clause.counterfactual:
        if _negated(text, miss.start()):
            clause.accept = True
        else:
            clause.decline = bool(_OBLIGATION.search(text[:miss.start()]))
        clause.evidence.append(miss.group(0))
        return clause
    noun = NOUN_PREDICATE.search(text)
    cancellation = CANCELLATION.search(text) or CANCEL_OWN.search(text)
    if cancellation and (predicate or noun or CANCEL_OWN.search(text)):
        clause.cancellation = True
        clause.decline = True
        clause.evidence.append(cancellation.group(0))
        return clause
    not_knowing = NOT_KNOWING.search(text)
    if not_knowing and not (clause.question and "?" in text):  # "尚无法确认是否出席": not knowing whether, asked of no one
        clause.tentative = True
        clause.evidence.append(not_knowing.group(0))
        return clause
    if predicate:
        negated = _negated(text, predicate.start())
        if clause.counterfactual and not negated:
            # "we would have been delighted to attend": a polite regret
            clause.decline = True
            clause.evidence.append(f"regret: {predicate.group(0)}")
            return clause
        if negated or refusal:
            if REPLACEMENT.search(text) and not negated:
                clause.replacement = True
            else:
                clause.decline = True
            clause.evidence.append((refusal or predicate).group(0))
            return clause
        if clause.question and not REGISTER_REQUEST.search(text):
            return clause
        if hedge and _ABOUT_DETAILS.search(text[max(0, hedge.start() - 25):hedge.start()]):
            hedge = None  # "names TBC", "link to follow": the details are pending, not the attendance
        if not hedge and _condition(clause):
            hedge = CONDITION.search(text)  # "If the visa arrives in time, Mr X will attend"
        if hedge:
            clause.tentative = True
            clause.evidence.append(hedge.group(0))
            return clause
        if REPLACEMENT.search(text):
            clause.replacement = True
        elif BARE_VERB.fullmatch(predicate.group(0)) and not (
                CONFIRM.search(text) or COMMITTED.search(text) or REGISTER_REQUEST.search(text)):
            clause.wish = bool(WISH.search(text))  # "me encantaría participar": a wish, no commitment yet
            return clause  # "Join us for our webinar", "Click to participate": no one commits to anything
        clause.accept = True
        clause.wish = bool(WISH.search(text))
        clause.evidence.append(predicate.group(0))
        return clause
    if clause.counterfactual and not clause.question and not _negated(text, len(text)):
        clause.decline = True  # "Gostaria muito de ter participado, mas…", "Я бы с удовольствием подключился, но…"
        clause.evidence.append(f"regret: {COUNTERFACTUAL.search(text).group(0)}")  # type: ignore[union-attr]
        return clause
    replaces = REPLACES.search(text)
    if replaces and NOBODY.search(text) and not clause.question:
        clause.decline = True  # "Заменить меня, увы, некому": nobody goes instead
        clause.evidence.append(NOBODY.search(text).group(0))  # type: ignore[union-attr]
        return clause
    if replaces and not clause.question and not refusal:
        clause.replacement = True  # "o Primeiro-Secretário X substituirá o Segundo-Secretário Y"
        clause.evidence.append(replaces.group(0))
        return clause
    refusal = refusal or CONFLICT_REFUSAL.search(text)
    if refusal and not clause.counterfactual:
        clause.decline = True
        clause.evidence.append(refusal.group(0))
        return clause
    if noun and CONFIRM.search(text) and not clause.question:
        hedge = hedge or (CONDITION.search(text) if _condition(clause) else None)
        if _negated(text, noun.start()):
            clause.tentative = bool(hedge)
            clause.decline = not hedge
        elif hedge:
            clause.tentative = True
        else:
            clause.accept = True
        clause.evidence.append(noun.group(0))
        return clause
    if hedge and _MODAL_ONLY.fullmatch(hedge.group(0).strip()):  # "I may watch later": about something else
        hedge = _answer_hedge(text)
    if hedge and not clause.question and _about_answer(text):
        clause.tentative = True
        clause.evidence.append(hedge.group(0))
    elif REGISTER_REQUEST.search(text):
        clause.accept = True
        clause.evidence.append(REGISTER_REQUEST.search(text).group(0))  # type: ignore[union-attr]
    return clause


@dataclass(frozen=True)
class _Found:
    """A match found in a slice of a clause, with its positions in the whole clause."""

    text: str
    at: int

    def start(self) -> int:
        return self.at

    def end(self) -> int:
        return self.at + len(self.text)

    def group(self, _: int = 0) -> str:
        return self.text


def _condition(clause: Clause) -> bool:
    """Is the clause a condition on the writer's side (read when needed: most clauses hold none)?"""
    if not clause.condition:
        clause.condition = bool(CONDITION.search(clause.text)) and not ABOUT_SOMEONE_ELSE.search(clause.text) and (
            not WHATEVER_HAPPENS.search(clause.text))
    return clause.condition


def _attendance(text: str) -> re.Match[str] | _Found | None:
    """The first attendance word that is the writer's, not the invitation's ("thank you for the invitation to attend
    the Conference" holds none)."""
    position = 0
    while (found := PREDICATE.search(text[position:])) is not None:
        start = position + found.start()
        if not INVITATION_BEFORE.search(text[max(0, start - 40):start]):
            return found if not position else _Found(found.group(0), start)
        position += max(found.end(), 1)
    return None


_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•·–a-z][.)]?)\s+")


def _is_question(text: str) -> bool:
    """Asked, not answered: "…?", "¿…", "Will there be…?", or asked without a mark ("1. Whether interpretation…")."""
    return text.endswith("?") or text.startswith("¿") or (bool(QUESTION_START.match(text)) and "?" in text) or bool(
        INDIRECT_QUESTION.search(_LIST_MARK.sub("", text, count=1)))


def _gate(checks: tuple[Lexicon | Compiled, ...]) -> Callable[[str], object] | None:
    found: set[str] = set()
    for check in checks:
        each = check.needles if isinstance(check, Lexicon) else needles(check.pattern)
        if each is None:
            return None  # a check that needs no fixed text: every clause is read in full
        found |= each
    literals = frozenset(found)
    if not literals <= NEEDLES.literals():
        return Needles(literals).found
    # (the clause's needles, found here for all the lexicons that then read it)
    return lambda text: not NEEDLES.found(text).isdisjoint(literals)


def _negated(text: str, position: int) -> bool:
    """A negation in the few words before the predicate (ne … pas, no podré, will not, не сможет, 无法)."""
    window = text[max(0, position - 45):position]
    window = window[max(window.rfind(":"), window.rfind(";")) + 1:]  # a negation's reach ends at a colon
    if AFFIRMING_NEGATION.search(window):
        return False
    if NEGATION.search(window):
        # "not only" and "no problem" are not refusals; nor is "ne participerons que le jeudi" ("only").
        return not (_NOT_REFUSING.search(window) or _NEGATION_LIFTED.match(text[position:position + 40]))
    after = text[position:position + 25]
    return bool(_NEGATION_AFTER.search(after))  # "je participerai pas" (spoken French)


def _answer_hedge(text: str) -> re.Match[str] | None:
    """The first hedge in `text` that is not a bare modal word."""
    position = 0
    while (found := HEDGE.search(text[position:])) is not None:
        if not _MODAL_ONLY.fullmatch(found.group(0).strip()):
            return found
        position += max(1, found.end())
    return None


def _about_answer(text: str) -> bool:
    """A hedge counts without a predicate when it is about the answer itself ('not sure yet', 'TBC')."""
    return not _NAMES_AND_LINKS.search(text)


def _inflection(word: str, target: str) -> bool:
    """Words that differ only at their ending are forms of one word ("participar"/"participare",
    "confirma"/"confirmo"), not a typo of each other: repairing would change what was said."""
    return target.startswith(word) or word.startswith(target) or word[:-1] == target[:-1]


def _correct_typos(text: str) -> str:
    """Replace words one edit away from a key word ("confimro" -> "confirmo", "attnd" -> "attend")."""
    words = _WORD.findall(text)
    for word in words:
        if len(word) < 5 or word in _words("typo_targets") or word in _words("not_typos"):
            continue
        for target in _typo_candidates().get(word[0], ()):
            if abs(len(target) - len(word)) <= 1 and not _inflection(word, target) and _one_edit(word, target):
                text = re.sub(rf"\b{re.escape(word)}\b", target, text)
                break
    return text


def _one_edit(a: str, b: str) -> bool:
    if a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]]
                                   and a[diffs[1]] == b[diffs[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _bare_answer(folded: str) -> Intent | None:
    lines = [line.strip(" \t.,!") for line in folded.splitlines() if line.strip()]
    if not lines or len(lines) > 3:
        return None
    first = _REGRET_ADVERB.sub("", lines[0])  # "Sadly not this time": the adverb does not change the answer
    short = len(folded.split()) <= 10
    if short and _LEADING_YES.match(first) and not (NEGATION.search(first[4:]) or _CONTRAST_WORD.search(first)
                                                     or _RECEIPT.search(first)):
        return Intent.ACCEPT
    if short and _LEADING_NO.match(first) and not _CONTRAST_WORD.search(first):
        return Intent.DECLINE
    if first in _words("bare_yes") or first.strip(".!") in _words("bare_yes"):
        return Intent.ACCEPT if len(lines) == 1 or len(" ".join(lines[1:])) < 40 else None
    if first in _words("bare_no"):
        return Intent.DECLINE if len(lines) == 1 or len(" ".join(lines[1:])) < 40 else None
    return None


def _weigh(clauses: list[Clause]) -> IntentReading:
    corrected = _after_correction(clauses)
    if corrected is not None:
        return corrected
    reading = _weigh_answers(clauses)
    deferrals = [c for c in clauses if DEFERRAL.search(c.text)] if reading.intent is not Intent.DECLINE and (
        any(c.question for c in clauses)) else []
    if deferrals:
        # "Before we confirm, could you tell us…": the answer waits for ours
        return IntentReading(Intent.UNCLEAR, 0.5, (f"answer deferred: '{deferrals[0].original[:40]}'",),
                             clauses=tuple(clauses))
    disclaimers = [c for c in clauses if c.disclaimer]
    if disclaimers and reading.intent is not Intent.DECLINE:
        if reading.intent is Intent.UNCLEAR and not any(c.accept or c.tentative or c.replacement for c in clauses):
            return IntentReading(Intent.DECLINE, 0.6, (f"a refusal announced: '{disclaimers[0].evidence[0]}'",),
                                 clauses=tuple(clauses))
        return IntentReading(Intent.UNCLEAR, 0.4, (*reading.reasons, "and a refusal announced"),
                             clauses=tuple(clauses))
    if reading.intent is Intent.UNCLEAR and not any(
            c.accept or c.decline or c.tentative or c.replacement or c.question or c.wish for c in clauses):
        # "2 March falls in the opening week of the Council and the whole team will be tied up… we wish you every
        # success": a clash, with a regret or good wishes for the day, and no answer: a regret without a "no"
        clash = next((c for c in clauses if _CLASH.search(c.text)), None)
        farewell = next((c for c in clauses if _WELL_WISHING.search(c.text) or _REGRET.search(c.text)), None)
        if clash is not None and farewell is not None:
            return IntentReading(Intent.DECLINE, 0.7, (f"a clash: '{clash.original[:40]}'",
                                                       f"regretted or wished well: '{farewell.original[:40]}'"),
                                 clauses=tuple(clauses))
    return reading


def _after_correction(clauses: list[Clause]) -> IntentReading | None:
    """"Yes, we will attend. Actually, the Ambassador just told me we cannot": when the writer corrects an answer
    given above, the answer after the correction is the last word (if it is one on its own)."""
    answering = [i for i, c in enumerate(clauses) if c.accept or c.decline or c.tentative or c.replacement]
    if len(answering) < 2:  # an answer before the correction and one after it
        return None
    for c in clauses[answering[0] + 1:]:
        c.correction = c.correction or bool(CORRECTION.search(c.text))
    marks = [i for i, c in enumerate(clauses) if c.correction and i > answering[0]]
    if not marks:
        return None
    for mark in marks:  # the first correction that is followed by an answer; a later one corrects that in turn
        before, after = clauses[:mark], clauses[mark:]
        if not any(c.accept or c.decline or c.tentative or c.replacement for c in after):
            return None
        last = _weigh(after[:1] and [replace(after[0], correction=False), *after[1:]])
        if last.intent is Intent.UNCLEAR:
            continue
        first = _weigh_answers(before)
        return IntentReading(last.intent, min(last.confidence, 0.8),
                             (*last.reasons, f"corrected: '{clauses[mark].original[:30]}'", *first.reasons[:1]),
                             last.replacement, tuple(after))
    return None


def _weigh_answers(clauses: list[Clause]) -> IntentReading:
    accepts = [c for c in clauses if c.accept]
    declines = [c for c in clauses if c.decline]
    tentatives = [c for c in clauses if c.tentative]
    replacements = [c for c in clauses if c.replacement]
    cancellations = [c for c in clauses if c.cancellation]

    def why(kind: str, chosen: list[Clause]) -> tuple[str, ...]:
        return tuple(f"{kind}: '{c.evidence[0] if c.evidence else c.original[:40]}'" for c in chosen[:2])

    if replacements and tentatives and not declines:
        return IntentReading(Intent.TENTATIVE, 0.6, why("hedged", tentatives), clauses=tuple(clauses))
    if replacements and (declines or accepts or replacements):
        return IntentReading(Intent.ACCEPT, 0.85, why("representative named", replacements)
                             + why("refusal for another", declines), replacement=bool(declines), clauses=tuple(clauses))
    if cancellations and not accepts:
        return IntentReading(Intent.DECLINE, 0.9, why("cancellation", cancellations), clauses=tuple(clauses))
    if declines and accepts and all(c.wish for c in accepts):
        return IntentReading(Intent.DECLINE, 0.8, why("wish outweighed by refusal", declines), clauses=tuple(clauses))
    clash = [b for a, b in pairwise(clauses)
             if a.wish and not (b.accept or b.decline) and _CLASH.search(b.text)]
    if clash and all(c.wish for c in accepts) and not declines and not _split_by_session(accepts, clash):
        return IntentReading(Intent.DECLINE, 0.7, why("wish outweighed by a clash", clash), clauses=tuple(clauses))
    if declines and accepts and not any(c.cancellation for c in declines) and _someone_else_named(clauses, accepts, declines):
        # "I will not attend myself. Mr Kwame Mensah will join both sessions": another goes in the writer's place
        return IntentReading(Intent.ACCEPT, 0.75, why("another attends", accepts) + why("in place of", declines),
                             replacement=True, clauses=tuple(clauses))
    if declines and accepts and _other_mode(accepts, declines):
        return IntentReading(Intent.ACCEPT, 0.75, why("attends", accepts) + why("another way than", declines),
                             clauses=tuple(clauses))
    if declines and accepts:
        split = _split_by_session(accepts, declines)
        if split and _hedging_attendance(tentatives, accepts):
            # "Not Wednesday; Thursday I will attend, subject to the rector's agenda": the session kept is hedged
            return IntentReading(Intent.TENTATIVE, 0.6, why("hedged", tentatives) + why("and refuses", declines),
                                 clauses=tuple(clauses))
        return IntentReading(Intent.ACCEPT if split else Intent.UNCLEAR, 0.6 if split else 0.4,
                             why("accepts", accepts) + why("and refuses", declines), clauses=tuple(clauses))
    if declines and tentatives and _split_by_session(tentatives, declines):
        # "El miércoles no puedo. El jueves probablemente sí": one session refused, the other only hoped for
        return IntentReading(Intent.TENTATIVE, 0.6, why("hedged", tentatives) + why("and refuses", declines),
                             clauses=tuple(clauses))
    if declines:
        return IntentReading(Intent.DECLINE, 0.9 if len(declines) > 1 or not tentatives else 0.7,
                             why("refusal", declines), clauses=tuple(clauses))
    if tentatives and not accepts:
        return IntentReading(Intent.TENTATIVE, 0.75, why("hedged", tentatives), clauses=tuple(clauses))
    if accepts and tentatives:
        hedged_attendance = _hedging_attendance(tentatives, accepts)
        if hedged_attendance:
            return IntentReading(Intent.TENTATIVE, 0.6, why("hedged", hedged_attendance), clauses=tuple(clauses))
        return IntentReading(Intent.ACCEPT, 0.7, why("acceptance", accepts) + why("details pending", tentatives),
                             clauses=tuple(clauses))
    if accepts:
        return IntentReading(Intent.ACCEPT, 0.9, why("acceptance", accepts), clauses=tuple(clauses))
    return IntentReading(Intent.UNCLEAR, 0.3, ("no answer found in the new text",), clauses=tuple(clauses))


def _hedging_attendance(tentatives: list[Clause], accepts: list[Clause]) -> list[Clause]:
    """The hedges that hold an acceptance back: one on attending ("mi participación, no confirmada", "as long as the
    platform is allowed"), not one on details ("names to follow"); any hedge, when every acceptance is a wish ("we
    intend to send someone; who, pending the leadership")."""
    if all(c.wish for c in accepts):
        return tentatives
    return [c for c in tentatives if PREDICATE.search(c.text) or NOUN_PREDICATE.search(c.text) or _condition(c)]


def _someone_else_named(clauses: list[Clause], accepts: list[Clause], declines: list[Clause]) -> bool:
    """Every refusal names nobody who is said to come, and every acceptance names someone (with a title, as
    written) who is not refused: a replacement, whatever words it uses."""
    from .people import named_people

    refused = {w for c in declines for p in named_people(c.original) for w in p.split()[-1:]}
    named = [named_people("\n".join(n.original for n in _with_neighbours(clauses, i)))
             for i, c in enumerate(clauses) if c.accept]
    return all(named) and all(p.split()[-1] not in refused for each in named for p in each) and not any(
        _SESSION_WORDS.search(c.text) for c in declines)


def _with_neighbours(clauses: list[Clause], index: int) -> list[Clause]:
    """The clause and the clauses right beside it that answer nothing ("Mi colega, el Sr. X, / asistirá"; two before
    it when a function stands between: "زميلي السيد X، / مسؤول البرامج، / سيشارك"): a name is often set apart from its
    verb by a comma or a line."""
    def silent(c: Clause) -> bool:
        return not (c.accept or c.decline or c.tentative or c.replacement or c.question)

    before: list[Clause] = []
    for earlier in reversed(clauses[max(0, index - 2):index]):  # ("زميلي السيد X، / مسؤول البرامج، / سيشارك")
        if not silent(earlier):
            break
        before.insert(0, earlier)
    after = [clauses[index + 1]] if index + 1 < len(clauses) and silent(clauses[index + 1]) else []
    return [*before, clauses[index], *after]


def _other_mode(accepts: list[Clause], declines: list[Clause]) -> bool:
    """'We cannot attend in person but will join online': one way of attending refused, another taken."""
    return (all(_IN_PERSON.search(c.text) for c in declines) and any(_REMOTE.search(c.text) for c in accepts)) or (
        all(_REMOTE.search(c.text) for c in declines) and any(_IN_PERSON.search(c.text) for c in accepts))


def _split_by_session(accepts: list[Clause], declines: list[Clause]) -> bool:
    """'I can join on the 10th but not on the 11th': each side names a session."""
    return any(_SESSION_WORDS.search(c.text) for c in declines) and any(
        _SESSION_WORDS.search(c.text) for c in accepts)


# Every check by which _read_clause can find something in a clause (the others are consulted only after one of
# these has matched). A clause holding none of their needles is read at once as saying nothing (_MAY_ANSWER); a
# check added to _read_clause must be added here (tests/unit/test_fast_paths.py holds the two together).
CLAUSE_CHECKS: tuple[Lexicon | Compiled, ...] = (
    PREDICATE, NOUN_PREDICATE, REFUSAL, CONFLICT_REFUSAL, COUNTERFACTUAL, HEDGE, CANCELLATION, CANCEL_OWN,
    PERFORMATIVE, ELLIPTICAL_YES, FORM_FIELD, _ELLIPTICAL_NO, _ELLIPTICAL_YES_SESSION, ALREADY_REGISTERED, MISS,
    NOT_KNOWING, REGISTER_REQUEST, DISCLAIMER, REPLACES, DELEGATION_UNCHANGED)
_MAY_ANSWER: Callable[[str], object] | None = _OnFirstUse(lambda: _gate(CLAUSE_CHECKS) or (lambda text: True))
NEEDLES.add(lambda: frozenset().union(*(needles(check.pattern) or () for check in CLAUSE_CHECKS
                                        if not isinstance(check, Lexicon))))
