"""Which sessions a reply chooses, resolved to the meeting's session ids."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from ..domain.meeting import Session
from . import lexicon
from .lexicon import Compiled
from .matching import Alternatives, fold
from .prefilter import NeedleIndex


# The structure is here, the words in lexicon/<language>/sessions.yaml (area "sessions").
def _alt(category: str) -> str:
    return lexicon.alternation("sessions", category)


def _placed(*categories: str) -> str:
    return "(?:" + "|".join(p for category in categories for p in lexicon.placed("sessions", category)) + ")"


_ALL = Compiled(lambda: _placed("all_sessions"), re.I)
_EXCLUDED = Compiled(lambda: _placed("excluding") + r"[^.]*$")  # "not on the", "sauf le" just before a session
_INSTEAD = Compiled(lambda: r"(?:^|[\s,;])(?:" + _alt("instead_words") + r")\s")  # "не в первой, а во второй"


def _excluded(before: str) -> bool:
    """Does a negation just before a session's mention refuse it ("not on the 10th")? Not past "but"/"а"/"sino"
    ("not in the first, but in the second session": the second is chosen)."""
    turns = list(_INSTEAD.finditer(before))
    return bool(_EXCLUDED.search(before[turns[-1].end():] if turns else before))
_ONLY = Compiled(lambda: _placed("only", "but_not"), re.I)  # a restriction, either way
_ONLY_WORD = Compiled(lambda: _placed("only"), re.I)  # "only", "solo": what it names is chosen ("but not": refused)


_EXCEPT = Compiled(lambda: _placed("except_words"))
_EXCEPT_REACH = re.compile(r"[^.;:!?\n]{0,50}")
_SHORT_LEAD = re.compile(r"[\s,]*(?:[^\W\d]+[\s,]+){0,3}")


def _excepted(text: str, sessions: Sequence[Session]) -> set[str]:
    """Sessions taken out of a whole by "except" (folded text): those named right after it, by their words or by a
    bare ordinal ("all sessions except the first", "todas menos la primera", "все, кроме первой")."""
    out: set[str] = set()
    for found in _EXCEPT.finditer(text):
        reach = _EXCEPT_REACH.match(text, found.end())
        tail = reach.group() if reach else ""
        for index, session in enumerate(sessions):
            ordinals = [names[index] for names in lexicon.by_language("sessions", "ordinals").values()
                        if index < len(names)]
            named = [m for m in (_session_pattern(session, index).search(tail),
                                 *(re.search(rf"\b(?:{o})\b", tail) for o in ordinals)) if m]
            # right after the word ("except the first", "باستثناء جلسة يوم الخميس"), not a part of a session
            # ("except the last hour of the second")
            if any(_SHORT_LEAD.fullmatch(tail[:m.start()]) for m in named):
                out.add(session.id)
    return out


def _all_but(text: str, sessions: Sequence[Session]) -> tuple[str, ...] | None:
    """The sessions left when some are excepted from the whole ("all except the first": the second), or None."""
    excepted = _excepted(text, sessions) if _EXCEPT.search(text) else set()
    left = tuple(s.id for s in sessions if s.id not in excepted)
    return left if excepted and left else None


def chosen_sessions(text: str, sessions: Sequence[Session], require_only: bool = True) -> tuple[str, ...] | None:
    """Session ids the reply restricts itself to, or None when it does not restrict (all sessions)."""
    if len(sessions) < 2:
        return None
    lowered = fold(text)
    all_but = _all_but(lowered, sessions)
    if all_but is not None:
        return all_but
    if _ALL.search(text):
        return None
    mentioned: list[str] = []
    excluded: list[str] = []
    for index, session in enumerate(sessions):
        for match in _session_pattern(session, index).finditer(lowered):
            before = lowered[max(0, match.start() - 40):match.start()]
            if _excluded(before):
                excluded.append(session.id)
            else:
                mentioned.append(session.id)
    chosen = [s.id for s in sessions if s.id in mentioned and s.id not in excluded]
    if excluded and not chosen:
        chosen = [s.id for s in sessions if s.id not in excluded]
    if not chosen or len(chosen) == len(sessions):
        return None
    if require_only and not (_ONLY.search(text) or excluded or len(set(mentioned)) < len(sessions)):
        return None
    return tuple(chosen)


def names_a_session(texts: Sequence[str], sessions: Sequence[Session]) -> bool:
    """Does any of these (folded) texts name one of the sessions?"""
    return any(_session_pattern(s, i).search(text) for text in texts for i, s in enumerate(sessions))


# Why someone cannot come to a session: the session named here is excluded.
_ABSENCE = Compiled(lambda: _placed("absence_reasons"))


def sessions_from_clauses(accepted: Sequence[str], declined: Sequence[str], sessions: Sequence[Session],
                          others: Sequence[str] = ()) -> tuple[str, ...] | None:
    """Sessions chosen by an acceptance, read clause by clause (texts already folded).

    An accepting clause with "only"/"solo"/"uniquement" names exactly its sessions; otherwise the
    sessions named in accepting clauses count, minus those named in refusals or given as reasons of
    absence ("on the 11th I will be travelling"). None: not restricted (all sessions).
    """
    if len(sessions) < 2:
        return None
    patterns = [_session_pattern(s, i) for i, s in enumerate(sessions)]

    def named(text: str) -> set[str]:
        return {s.id for s, rx in zip(sessions, patterns, strict=True) if rx.search(text)}

    def negated_in(text: str) -> set[str]:
        """Sessions an accepting clause itself rules out: "on the 11th, not on the 10th"."""
        return {s.id for s, rx in zip(sessions, patterns, strict=True)
                for m in rx.finditer(text) if _excluded(text[max(0, m.start() - 20):m.start()])}

    all_but = [left for text in accepted if (left := _all_but(text, sessions)) is not None]
    if all_but:
        return tuple(s.id for s in sessions if all(s.id in left for left in all_but))
    only = [_after_only(text, named) for text in accepted if _ONLY_WORD.search(text) and not _ALL.search(text)]
    only_ids = set().union(*only) if only else set()
    if only_ids and any(_ALL.search(text) for text in accepted):
        return None  # "Mr. W will join the first session only; Mr. A and I will attend both days": all, between them
    if only_ids and len(only_ids) < len(sessions):
        return tuple(s.id for s in sessions if s.id in only_ids)
    if any(_ALL.search(text) for text in accepted):
        return None
    excluded = set().union(*(named(t) for t in declined)) if declined else set()
    excluded |= set().union(*(negated_in(t) for t in accepted)) if accepted else set()
    included = set().union(*(named(t) - negated_in(t) for t in accepted)) if accepted else set()
    excluded |= set().union(*(named(t) for t in others if _ABSENCE.search(t))) if others else set()
    if not included and excluded:
        included = {s.id for s in sessions}
    chosen = [s.id for s in sessions if s.id in included and s.id not in excluded]
    return tuple(chosen) if chosen and len(chosen) < len(sessions) else None


_SUFFIX = Compiled(lambda: "(?:" + "|".join(lexicon.patterns("sessions", "day_suffixes")) + ")?")
_JOIN = Compiled(lambda: r"\s*" + _placed("list_joiners") + r"\s*")


@functools.cache
def _date_forms() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each language's date forms with its month names: its own forms, and the common ones where it has months."""
    months = lexicon.by_language("sessions", "months")
    forms = lexicon.by_language("sessions", "date_forms")
    common = forms.get("common", ())
    out = []
    for language in lexicon.LANGUAGES:
        own = forms.get(language, ()) if language != "common" else ()
        names = months.get(language, ())
        chosen = [f for f in (*own, *(common if names else ())) if names or "<month>" not in f]
        if chosen:
            out.append((language, tuple(chosen)))
    return tuple(out)


def _dates(day: int, month: int) -> list[str]:
    """The patterns naming day `day` of month `month` (1-12) in every language."""
    months = lexicon.by_language("sessions", "months")
    suffix, join = _SUFFIX.pattern, _JOIN.pattern
    out = []
    for language, forms in _date_forms():
        name = f"(?:{months[language][month - 1]})" if language in months else ""
        for form in forms:
            out.append(form.replace("<day>", str(day)).replace("<month_number>", str(month))
                       .replace("<suffix>", suffix).replace("<join>", join).replace("<month>", name))
    return out


def _after_only(text: str, named: Callable[[str], set[str]]) -> set[str]:
    """Sessions in the scope of "only": those named after it ("busy on the 10th, so only the 11th"), else
    all those the clause names ("the 10th only")."""
    match = _ONLY_WORD.search(text)
    after = named(text[match.start():]) if match else set()
    return after or named(text)


_COMPILED: dict[tuple[object, ...], Alternatives] = {}
# The needles of the sessions' patterns, found in a text at once for all of them (a meeting's few sessions are
# looked for in the same clauses); a new meeting's sessions rebuild it (about a millisecond).
_NEEDLES = NeedleIndex()


def _session_pattern(session: Session, index: int) -> Alternatives:
    """The patterns naming this session, built once per session (a meeting has a handful)."""
    key = (session.id, session.start, tuple(sorted(session.title.items())), index)
    pattern = _COMPILED.get(key)
    if pattern is None:
        if len(_COMPILED) > 1000:  # a long-running process sees many meetings: start over rather than grow
            global _NEEDLES
            _COMPILED.clear()
            _NEEDLES = NeedleIndex()  # (a search still in use keeps the index it was made with)
        pattern = _COMPILED[key] = Alternatives(_session_patterns(session, index), _NEEDLES)
    return pattern


def _not_an_hour() -> str:
    return r"(?!\s*(?::\d|" + _placed("hour_marks") + "))"


def _day_patterns(day: int, month: int) -> list[str]:
    """The patterns naming a day by its number: "10 February", "el 10", "no dia 10", "10/02" (every language)."""
    suffix, not_an_hour = _SUFFIX.pattern, _not_an_hour()
    return [*_dates(day, month),
            rf"\b{_alt('before_day')}\s+{day}{suffix}\b{not_an_hour}",
            # "no dia 11", "el día 10", "le jour 11"
            rf"\b{_alt('before_day_word')}\s+{_alt('day_words')}\s+{day}\b",
            rf"\b{day:02d}[./]{month:02d}\b"]


_NEAR = 7  # days either side of the sessions in which a date named beside an acceptance is taken for the meeting's


@functools.lru_cache(maxsize=64)
def _other_days(session_days: tuple[date, ...], after: date) -> Alternatives | None:
    others = [d for d in _near_days(session_days) if d not in session_days and d > after]
    if not others:
        return None
    # A day without its month ("dia 9", "le 12") is taken for the sessions' month, unless a month follows it
    # ("votre invitation du 1er février").
    months = "|".join(f"(?:{m})" for names in lexicon.by_language("sessions", "months").values() for m in names)
    no_month = rf"(?![\s,]*(?:(?:de|of)\s+)?(?:{months}))"
    session_months = {d.month for d in session_days}
    patterns = [p for d in others for p in (
        _day_patterns(d.day, d.month) if d.month in session_months else [*_dates(d.day, d.month),
                                                                        rf"\b{d.day:02d}[./]{d.month:02d}\b"])]
    return Alternatives([f"(?:{p}){no_month}" for p in patterns])


def days_without_a_session(texts: Sequence[str], sessions: Sequence[Session], after: date) -> bool:
    """Do these (folded) texts name, by its number, a day near the meeting that holds none of its sessions ("register
    me for the session on Friday 12 February", "confirmo presença na terça-feira, dia 9")? Days up to `after` (the
    reply deadline) are left out: a reply names its deadline."""
    if not sessions:
        return False
    session_days = tuple(sorted({s.start.date() for s in sessions}))
    numbers = {int(n) for text in texts for n in _DAY_NUMBER.findall(text)}
    if not numbers & _other_day_numbers(session_days, after) or any(_ALL.search(text) for text in texts):
        return False  # (most replies name no day, or only the sessions' and the deadline's: no pattern is tried)
    pattern = _other_days(session_days, after)
    return pattern is not None and any(pattern.search(text) for text in texts)


_DAY_NUMBER = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")


@functools.lru_cache(maxsize=64)
def _other_day_numbers(session_days: tuple[date, ...], after: date) -> frozenset[int]:
    return frozenset(d.day for d in _near_days(session_days) if d not in session_days and d > after)


def _near_days(session_days: tuple[date, ...]) -> list[date]:
    return [session_days[0] + timedelta(days=n)
            for n in range(-_NEAR, (session_days[-1] - session_days[0]).days + _NEAR + 1)]


def _session_patterns(session: Session, index: int) -> list[str]:
    weekday = session.start.weekday()
    suffix, join = _SUFFIX.pattern, _JOIN.pattern
    not_an_hour = _not_an_hour()
    day = session.start.day
    alternatives = _day_patterns(day, session.start.month)
    alternatives += [rf"\b(?:{names[weekday]})\b" for names in lexicon.by_language("sessions", "weekdays").values()]
    # "on the 10th and 11th", "les 10 et 11", "los días 10 y 11": a list of days after an article
    alternatives += [rf"\b{_alt('before_days')}\s+{day}{suffix}(?:{join}\d{{1,2}}{suffix})+\b{not_an_hour}",
                     rf"\b{_alt('before_days')}\s+\d{{1,2}}{suffix}(?:{join}\d{{1,2}}{suffix})*{join}"
                     rf"(?:{_alt('before_day')}\s+)?{day}{suffix}\b{not_an_hour}"]
    ordinals = [names[index] for names in lexicon.by_language("sessions", "ordinals").values()]
    if ordinals:
        ordinal = "(?:" + "|".join(f"(?:{o})" for o in ordinals) + ")"
        # An ordinal counts only next to a session word: "Premier secrétaire" is a title, not a session.
        alternatives.append(rf"\b{ordinal}\s+{_placed('session_nouns', 'ordinal_pronouns')}")
        alternatives.append(rf"{_placed('session_nouns')}\s+{index + 1}\b")
        # "I can only attend the first": an ordinal standing for a session right after "only … the"
        alternatives.append(rf"{_placed('only')}[^.,;]{{0,30}}\b{_alt('before_ordinal')}\s+{ordinal}\b"
                            rf"(?!\s+{_alt('titled_after_ordinal')})")
    alternatives += [names[index] for names in lexicon.by_language("sessions", "ordinal_phrases").values()
                     if index < len(names)]
    for title in session.title.values():
        alternatives.append(re.escape(fold(title)))
    return alternatives


def sessions_per_person(text: str, people: Sequence[str], sessions: Sequence[Session]) -> tuple[
        tuple[str, tuple[str, ...]], ...]:
    """"Ms X on the 10th, Mr Y on the 11th", "el día 10 participará la Lic. X; el 11, el Ing. Y": the sessions each
    person comes to, when the reply gives them person by person (and not every person to every session); ()
    otherwise (every person comes to the reply's sessions). Each person's sessions are read from the words between
    their name and the next one's, or, when the reply names the day first, between the previous name and theirs."""
    if len(sessions) < 2 or len(people) < 2:
        return ()
    lowered = fold(text)
    patterns = [_session_pattern(s, i) for i, s in enumerate(sessions)]
    every = tuple(s.id for s in sessions)

    def named(piece: str) -> tuple[str, ...] | None:
        if _ALL.search(piece):
            return every
        found = tuple(s.id for s, rx in zip(sessions, patterns, strict=True) if rx.search(piece))
        return found or None

    mentions = []
    for person in people:
        surname = fold(person.split(",")[0].split()[-1]) if person.split(",")[0].split() else ""
        at = lowered.find(surname) if len(surname) > 1 else -1
        if at < 0:
            return ()
        mentions.append((at, person, at + len(surname)))
    mentions.sort()
    line_start = lowered.rfind("\n", 0, mentions[0][0]) + 1
    day_first = named(lowered[line_start:mentions[0][0]]) is not None
    out = []
    for index, (at, person, end) in enumerate(mentions):
        if day_first:
            start = mentions[index - 1][2] if index else line_start
            piece = lowered[start:at]
        else:
            line_end = lowered.find("\n", end)
            stop = mentions[index + 1][0] if index + 1 < len(mentions) else (
                line_end if line_end >= 0 else len(lowered))
            piece = lowered[end:stop]
        chosen = named(piece)
        if chosen is None:
            return ()
        out.append((person, chosen))
    if len({chosen for _, chosen in out}) < 2 and out[0][1] == every:
        return ()  # everyone at every session: nothing person by person ("– dia 10" on every line still restricts)
    order = {p: i for i, p in enumerate(people)}
    return tuple(sorted(out, key=lambda pair: order[pair[0]]))
