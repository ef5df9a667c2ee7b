"""Which sessions a reply chooses, resolved to the meeting's session ids."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..domain.meeting import Session
from .intent import fold

_MONTHS = {
    "en": ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
           "novembro", "dezembro"],
}
_WEEKDAYS = {
    "en": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "pt": ["segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo"],
}
_ORDINALS = [
    r"first|1st|primera|primer|premi[eè]re|premier|primeira|primeiro",
    r"second|2nd|segunda|segundo|deuxi[eè]me|seconde",
    r"third|3rd|tercera|tercer|troisi[eè]me|terceira|terceiro",
]
# Scripts that put the ordinal after the noun (Arabic) or before it without a space (Chinese).
_OTHER_ORDINALS = [
    r"(الجلسة|اليوم|الاجتماع)\s+(الأولى|الاولى|الأول|الاول)|(перв(ое|ом|ую|ый|ой|ая))\s+(заседани\w*|сесси\w*|ден\w*|"
    r"встреч\w*)|第一(场|次|天|个)?(会议|会|天|场)?",
    r"(الجلسة|اليوم|الاجتماع)\s+(الثانية|الثاني)|(втор(ое|ом|ую|ой|ая))\s+(заседани\w*|сесси\w*|ден\w*|встреч\w*)|"
    r"第二(场|次|天|个)?(会议|会|天|场)?",
    r"(الجلسة|اليوم|الاجتماع)\s+(الثالثة|الثالث)|(трет(ье|ьем|ью|ий|ья))\s+(заседани\w*|сесси\w*|ден\w*)|"
    r"第三(场|次|天|个)?(会议|会|天|场)?",
]
_ALL = re.compile(r"\b(both|all\s+(the\s+)?(sessions|days)|ambas|ambos|todas\s+las\s+sesiones|los\s+dos\s+d[ií]as|"
                  r"les\s+deux|toutes\s+les\s+s[ée]ances|toutes\s+les\s+sessions|as\s+duas|todas\s+as\s+sess[õo]es)\b",
                  re.I)
_NOT_BEFORE = re.compile(r"\b(not|no|pas|ni|nor|except|excepto|sauf|sin|sans|nao|не)\b[^.]*$")
_ONLY = re.compile(r"(فقط|только|只|仅)|"
                   r"\b(only|just|solo|sólo|solamente|únicamente|unicamente|uniquement|seulement|apenas|somente|"
                   r"but\s+not|pero\s+no|mais\s+pas|not\s+the|no\s+el|no\s+la|pas\s+le|pas\s+la)\b", re.I)


def chosen_sessions(text: str, sessions: Sequence[Session], require_only: bool = True) -> tuple[str, ...] | None:
    """Session ids the reply restricts itself to, or None when it does not restrict (all sessions)."""
    if len(sessions) < 2 or _ALL.search(text):
        return None
    lowered = fold(text)
    mentioned: list[str] = []
    excluded: list[str] = []
    for index, session in enumerate(sessions):
        for match in _session_pattern(session, index).finditer(lowered):
            before = lowered[max(0, match.start() - 40):match.start()]
            if re.search(r"\b(not|no|pas|ni|nor|except|excepto|sauf|sin|sans|but\s+not|pero\s+no)\b[^.]*$", before):
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


# Why someone cannot come to a session: the session named here is excluded.
_ABSENCE = re.compile(r"\b(travel(l?ing)?|busy|tied up|occupied|commitment|conflict|clash|another meeting|hearing|"
                      r"double[- ]?booked|overbooked|"
                      r"mission|viaje|viajando|ocupad[oa]s?|compromiso|otra reunion|conflicto|prise?s?|occupee?s?|"
                      r"deplacement|autre reunion|empechement|ocupad[oa]|viagem|outra reuniao)\b")


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
                for m in rx.finditer(text) if _NOT_BEFORE.search(text[max(0, m.start() - 20):m.start()])}

    only = [_after_only(text, named) for text in accepted if _ONLY.search(text) and not _ALL.search(text)]
    only_ids = set().union(*only) if only else set()
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


_SUFFIX = r"(?:st|nd|rd|th|er|º)?"
_RUSSIAN_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
                   "ноября", "декабря"]
_ARABIC_MONTHS = ["يناير|كانون الثاني", "فبراير|شباط", "مارس|آذار", "أبريل|ابريل|نيسان", "مايو|أيار", "يونيو|حزيران",
                  "يوليو|تموز", "أغسطس|اغسطس|آب", "سبتمبر|أيلول", "أكتوبر|اكتوبر|تشرين الأول", "نوفمبر|تشرين الثاني",
                  "ديسمبر|كانون الأول"]
_JOIN = r"\s*(?:,|&|-|–|/|\band\b|\bor\b|\by\b|\bo\b|\be\b|\bet\b|\bou\b|\bto\b|\bal\b|\bau\b|\ba\b)\s*"


def _after_only(text: str, named: Callable[[str], set[str]]) -> set[str]:
    """Sessions in the scope of "only": those named after it ("busy on the 10th, so only the 11th"), else
    all those the clause names ("the 10th only")."""
    match = _ONLY.search(text)
    after = named(text[match.start():]) if match else set()
    return after or named(text)


_COMPILED: dict[tuple[object, ...], re.Pattern[str]] = {}


def _session_pattern(session: Session, index: int) -> re.Pattern[str]:
    """The compiled pattern naming this session, built once per session (a meeting has a handful)."""
    key = (session.id, session.start, tuple(sorted(session.title.items())), index)
    pattern = _COMPILED.get(key)
    if pattern is None:
        if len(_COMPILED) > 1000:  # a long-running process sees many meetings: start over rather than grow
            _COMPILED.clear()
        pattern = _COMPILED[key] = re.compile(_session_patterns(session, index))
    return pattern


def _session_patterns(session: Session, index: int) -> str:
    day = session.start.day
    month = session.start.month - 1
    weekday = session.start.weekday()
    alternatives = []
    for lang in _MONTHS:
        name = fold(_MONTHS[lang][month])
        alternatives += [rf"\b{day}(st|nd|rd|th|er|º)?\s+(de\s+)?{name}\b", rf"\b{name}\s+{day}(st|nd|rd|th)?\b"]
        # A list or range of days sharing the month: "10 or 11 February", "10-11 février", "February 10 and 11".
        alternatives += [rf"\b{day}{_SUFFIX}(?:{_JOIN}\d{{1,2}}{_SUFFIX})+\s+(de\s+)?{name}\b",
                         rf"\b{name}\s+\d{{1,2}}{_SUFFIX}(?:{_JOIN}\d{{1,2}}{_SUFFIX})*{_JOIN}{day}{_SUFFIX}\b"]
        alternatives.append(rf"\b{fold(_WEEKDAYS[lang][weekday])}\b")
    alternatives.append(rf"\b(le|el|the|del|on\s+the)\s+{day}(st|nd|rd|th|er)?\b(?!\s*(h\b|:\d|am\b|pm\b))")
    # "no dia 11", "el día 10", "le jour 11"
    alternatives.append(rf"\b(el|del|los|le|du|o|no|nos|do|dos|the|on\s+the)\s+(d[ií]as?|jours?|day)\s+{day}\b")
    # "on the 10th and 11th", "les 10 et 11", "los días 10 y 11": a list of days after an article
    alternatives += [rf"\b(les|los\s+dias|the|on\s+the|os\s+dias|nos\s+dias|los|el|le)\s+{day}{_SUFFIX}(?:{_JOIN}"
                     rf"\d{{1,2}}{_SUFFIX})+\b(?!\s*(h\b|:\d|am\b|pm\b))",
                     rf"\b(les|los\s+dias|the|on\s+the|os\s+dias|nos\s+dias|los|el|le)\s+\d{{1,2}}{_SUFFIX}(?:{_JOIN}"
                     rf"\d{{1,2}}{_SUFFIX})*{_JOIN}(the\s+)?{day}{_SUFFIX}\b(?!\s*(h\b|:\d|am\b|pm\b))"]
    # Chinese "2月10日", Russian "10 февраля", Arabic "10 فبراير"
    alternatives.append(rf"(?<!\d){month + 1}\s*月\s*{day}\s*[日号]")
    alternatives.append(rf"(?<!\d){day}(-?го)?\s+{_RUSSIAN_MONTHS[month]}")
    alternatives.append(rf"(?<![\d٠-٩]){day}\s+(من\s+)?({_ARABIC_MONTHS[month]})")
    alternatives.append(rf"\b{session.start.day:02d}[./]{session.start.month:02d}\b")
    if index < len(_ORDINALS):
        # An ordinal counts only next to a session word: "Premier secrétaire" is a title, not a session.
        alternatives.append(rf"\b({_ORDINALS[index]})\s+(session|sesion|seance|sessao|day|dia|jour|one|meeting)\b")
        alternatives.append(rf"\b(session|sesi[oó]n|s[ée]ance|day|d[ií]a|jour)\s+({index + 1})\b")
        alternatives.append(_OTHER_ORDINALS[index])
        # "I can only attend the first": an ordinal standing for a session right after "only … the"
        alternatives.append(rf"\b(only|solo|solamente|unicamente|uniquement|seulement|apenas|somente)\b[^.,;]{{0,30}}"
                            rf"\b(the|la|el|le|a|o)\s+({_ORDINALS[index]})\b(?!\s+(secretar|secret))")
    for title in session.title.values():
        alternatives.append(re.escape(fold(title)))
    return "|".join(f"(?:{a})" for a in alternatives)
