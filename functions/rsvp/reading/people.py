"""Delegation members named in a reply, with their titles, as written."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from . import lexicon
from .lexicon import Compiled
from .prefilter import Needles, needles


# The structure is here, the words in lexicon/<language>/people.yaml (area "people").
def _honorific() -> str:
    # Longest first: "Cap. Nav." before "Cap.", "Tte. Cnel." before "Tte." (the first that fits is taken).
    titles = sorted(lexicon.patterns("people", "honorifics"), key=len, reverse=True)
    return "(?:" + "|".join(f"(?:{t})" for t in titles) + ")"


_HONORIFIC_RX = Compiled(lambda: rf"(?<!\w){_honorific()}(?!\w)")
_LEADING_TITLES = Compiled(lambda: rf"^((?:{_honorific()}(?!\w)\s*)+)")


def split_title(person: str) -> tuple[str, str]:
    """'H.E. Ambassador Ana Pérez' -> ('H.E. Ambassador', 'Ana Pérez'): titles first, as on a badge."""
    person = " ".join(person.split())
    match = _LEADING_TITLES.match(person)
    if not match or match.end() >= len(person):
        return "", person
    return match.group(1).strip(), person[match.end():].strip()


# A name: a capitalised word, then up to four more or lower-case particles ("de la", "van", "bin").
_CAPITALISED = r"[A-ZÁÉÍÓÚÑÜÇÀÂÊÎÔÛËÏŒÃÕ][\w'’\-]+"
# Inside a name, an initial ("Desmond A. Reid") or a one-letter particle ("Ciarán Ó Móráin") before a capitalised word.
_INITIAL = r"[A-ZÁÉÍÓÚÑ]\.(?=\s)|[A-ZÁÉÍÓÚÑ](?=\s+[A-ZÁÉÍÓÚÑ][\w'’\-])"
# Words of a name are apart by spaces, never by a tab (a table's next cell) or a line break.
# A title starts a word, with a capital (every honorific does): positions inside words fail at once.
_PERSON = Compiled(lambda: (
    rf"(?<!\w)(?=[A-Z])((?:{_honorific()}[^\S\t\n]+(?:{lexicon.alternation('people', 'title_suffixes')}[^\S\t\n]+)?"
    rf"(?:{lexicon.alternation('people', 'title_articles')}[^\S\t\n]+"
    rf"(?={_honorific()}))?){{1,3}}(?:{_CAPITALISED})"
    rf"(?:[^\S\t\n]+(?:{_CAPITALISED}|{_INITIAL}|{lexicon.alternation('people', 'name_particles')})){{0,4}})"))
# "my colleague Andrés Vidal", "accompanied by Tom Becker": an untitled name, two to four capitalised words.
_INTRODUCED = Compiled(lambda: (
    r"(?i:\b(?:" + lexicon.alternation("people", "introducers") + r"))[^\S\t\n]+\(?"  # "myself (Laura Benítez"
    rf"(?P<name>(?-i:{_CAPITALISED}(?:[^\S\t\n]+(?:{_CAPITALISED}|{_INITIAL}|"
    + lexicon.alternation("people", "name_particles") + r")){1,3}))"))
@functools.cache
def _may_introduce() -> Callable[[str], object]:
    """A line holding none of the introducers' literals introduces nobody (most lines)."""
    each = [needles(p) for p in lexicon.placed("people", "introducers")]
    if any(n is None for n in each):
        return lambda line: True
    return Needles(frozenset(x.lower() for n in each if n is not None for x in n)).found


# ", Tom Becker and Priya Nair": the next untitled names of a list an introducer began.
_NEXT_IN_LIST = Compiled(lambda: (
    r"\s*(?:,\s*|\s(?i:" + lexicon.alternation("people", "list_joiners") + r")\s+)"
    rf"(?P<name>{_CAPITALISED}(?:[^\S\t\n]+(?:{_CAPITALISED}|{_INITIAL}|"
    + lexicon.alternation("people", "name_particles") + r")){1,3})(?=\s*(?:$|[,.;:()]|\s(?i:"
    + lexicon.alternation("people", "list_joiners") + r")\s))"))


def _listed_after(line: str, at: int) -> list[str]:
    """The names that carry on a list of people from `at` ("me, Tom Becker and Priya Nair"): capitalised words,
    none of them an organisation's, up to a list's joiner or punctuation."""
    names = []
    while (found := _NEXT_IN_LIST.match(line, at)) is not None and not (
            _ORGANISATION_WORD.search(found.group("name")) or _HONORIFIC_RX.match(found.group("name"))):
        names.append(found.group("name"))
        at = found.end()
    return names


_ORGANISATION_WORD = Compiled(lambda: r"\b(?:" + lexicon.alternation("people", "organisation_words") + r")\b", re.I)
_GREETING = Compiled(lambda: r"^\s*" + lexicon.alternation("people", "greetings") + r"\b", re.I)
_SALUTATION_END = Compiled(lambda: lexicon.alternation("people", "salutation_ends"))
_TRAILING_JUNK = Compiled(lambda: r"(?:\s+" + lexicon.alternation("people", "name_particles") + ")+$")


# The letters a language's titled people are written in: its patterns are tried only on a line that has one.
_SCRIPTS = {"ar": re.compile(r"[\u0600-\u06ff]"), "ru": re.compile(r"[\u0400-\u04ff]"),
            "zh": re.compile(r"[\u4e00-\u9fff]")}
_ANY_LETTER = re.compile(r"[^\W\d_]")


@functools.cache
def _persons() -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    """Titled people in the scripts the Latin honorifics do not cover, one pattern per language, in order, each
    with the test a line must pass for it to be tried."""
    return tuple((_SCRIPTS.get(language, _ANY_LETTER), re.compile("|".join(f"(?:{p})" for p in found)))
                 for category in ("persons", "persons_unspaced")
                 for language, found in lexicon.by_language("people", category).items())


_UNSPACED_PERSON = Compiled(lambda: lexicon.alternation("people", "persons_unspaced"))
_AND_BEFORE_TITLE = Compiled(lambda: lexicon.alternation("people", "and_before_title"))
_LIST_ITEM = re.compile(r"^\s*([-*•·–]|\d{1,2}[.)])\s+")


# Words that are functions, not names, when they follow a title ("Minister Counsellor", "Deputy Head").
@functools.cache
def _title_words() -> frozenset[str]:
    return frozenset(lexicon.words("people", "title_words"))


_NAME_HEADER = Compiled(lambda: r"^\s*(?:" + lexicon.alternation("people", "name_headers") + r")\s*[:.]?\s*$", re.I)
# "Participante: Marina Costa, Coordenadora de Programas", "Name: Tom Becker": a form's name field filled in.
_NAME_FIELD = Compiled(lambda: (
    r"^\s*(?i:" + lexicon.alternation("people", "name_headers") + r")\s*[:：]\s*"
    rf"(?P<name>{_CAPITALISED}(?:[^\S\t\n]+(?:{_CAPITALISED}|{_INITIAL}|"
    + lexicon.alternation("people", "name_particles") + r")){1,3})\s*(?=$|,)"))


def table_names(text: str) -> list[str]:
    """The names in a table's name column ("Nombre\tCargo\tSesiones" then a row per person), as written."""
    names: list[str] = []
    column: int | None = None
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) < 2:
            column = None if line.strip() else column  # the table ends at a line of prose (rows may be apart)
            continue
        header = next((i for i, cell in enumerate(cells) if _NAME_HEADER.match(cell)), None)
        if header is not None:
            column = header
            continue
        if column is not None and column < len(cells) and 1 < len(cells[column]) <= 80 and not any(
                ch.isdigit() or ch == "@" for ch in cells[column]):
            names.append(cells[column])
    return names


def named_people(text: str) -> list[str]:
    """People introduced with a title (or in a table's name column), in order, without duplicates; greetings are
    skipped."""
    found: list[str] = []
    seen = _Seen()
    in_table = table_names(text) if "\t" in text else []
    for name in in_table:
        words = _name_words(name) or {name}
        if not seen.has_same_person(words):
            seen.add(words)
            found.append(name)
    for line in _logical_lines(text):
        if in_table and "\t" in line:
            continue  # a row of the table: its other cells are titles and notes ("الملحق العسكري", "公使衔参赞")
        if "(" in line or "（" in line:  # "السيد كريم بن صالح (Mr. Karim Bensalah)": one person, twice written
            line = _TRANSLITERATED.sub("", line)
        placed = [(m.start(), m.group(1) + _function_after(line[m.end():])) for m in _PERSON.finditer(line)]
        if _may_introduce()(line.lower()):
            for m in _INTRODUCED.finditer(line):
                if not _HONORIFIC_RX.match(m.group("name")):
                    placed.append((m.start("name"), m.group("name") + _function_after(line[m.end():])))
                    if line[m.start("name") - 1] != "(":  # "myself (Laura Benítez, Country Director)": one person
                        placed += [(m.end(), name) for name in _listed_after(line, m.end())]
        field = _NAME_FIELD.match(line)
        if field and not any(at == field.start("name") for at, _ in placed):
            placed.append((field.start("name"), field.group("name") + _function_after(line[field.end():])))
        candidates = [name for _, name in sorted(placed, key=lambda found: found[0])]
        if not line.isascii():  # every pattern of _persons() needs a letter of its script
            for script, other_script in _persons():
                if not script.search(line):
                    continue
                matches = list(other_script.finditer(line))
                for match, following in zip(matches, [*matches[1:], None], strict=False):
                    names = _AND_BEFORE_TITLE.split(match.group(0))  # "السيد أحمد علي والسيدة فاطمة حسن": two
                    # "г-н К.А. Лебедев, первый секретарь": its function, up to the next person named (an Arabic
                    # name's function after "،" stays apart: Arabic lists of participants are labelled without it)
                    function = _function_after(line[match.end():following.start() if following else len(line)])
                    if not function.startswith("،"):
                        names[-1] += function
                    candidates += names
        for raw in candidates:
            name = _TRAILING_JUNK.sub("", _POSSESSIVE.sub("", raw.strip(" ,.;:،")))
            function = _FUNCTION_AFTER.search(name)
            bare = name[:function.start()] if function else name
            if len(bare.split()) < 2 and not _UNSPACED_PERSON.fullmatch(bare):
                continue
            words = _name_words(bare)
            if not _UNSPACED_PERSON.fullmatch(bare) and not words - _title_words():
                continue  # "Minister Counsellor": titles only, nobody named
            if not seen.has_same_person(words):
                seen.add(words)
                found.append(name)
    return found


# ", Counsellor" / "، المستشار" right after a name: its function, up to the end of the phrase.
# It ends at punctuation, at the line's end, or where the next titled person begins ("…, Alterno Sra. Consejera X").
_FUNCTION = Compiled(lambda: (
    r"^\s*[,،]\s*((?:" + lexicon.alternation("people", "functions_after_name")
    + r")(?:[^,;.()\n\t–—،|<>@]|(?<=\ba)\.\s?i\.){0,40}?)"  # ("Chargé d'affaires a.i.": ad interim)
    r"(?=\s*(?:$|[,;()\n\t–—،|<>@]|\.(?!\s?i\.)|\s-\s)|\s+(?-i:" + _honorific() + r")[^\S\n]+[A-ZÁÉÍÓÚÑ])"), re.I)
_FUNCTION_AFTER = Compiled(lambda: r"[,،]\s*(?:" + lexicon.alternation("people", "functions_after_name") + ")", re.I)


def _function_after(rest: str) -> str:
    """", Counsellor" when the text after a name gives its function (kept with the separator written)."""
    if rest.lstrip()[:1] not in (",", "،"):
        return ""
    found = _FUNCTION.match(rest)
    if not found:
        return ""
    separator = "،" if "،" in found.group(0)[:found.start(1)] else ","
    return f"{separator} {found.group(1).strip()}"


# A name in Latin letters in brackets right after a name in another script: the same person's name transliterated.
_TRANSLITERATED = re.compile(r"(?<=[\u0400-\u04ff\u0600-\u06ff\u4e00-\u9fff])\s*[(（][A-Z][A-Za-z.\s'-]{2,50}[)）]")
_POSSESSIVE = re.compile(r"['’]s$")  # "Mr. Okafor's e-mail address": the same Mr. Okafor


class _Seen:
    """The names found so far, by their words. A name is one found before when the words of one are all among
    the other's ('Ms. Benali' after 'Ms. Nadia Benali', 'Ambassador Vandenberghe' after 'H.E. Ambassador Lotte
    Vandenberghe'). The first few are compared one by one; past _FEW, asking costs the same however many were
    found (2,000 compared pairwise: a minute), since each is kept under every subset of its words (a name has a
    few; past _MOST_WORDS, compared one by one)."""

    def __init__(self) -> None:
        self.found: list[frozenset[str]] = []  # the word sets of the names found, in order
        self.sets: set[frozenset[str]] = set()  # the same, once indexed
        self.subsets: set[frozenset[str]] = set()  # every non-empty subset of each indexed one
        self.long: list[frozenset[str]] = []  # word sets too long to expand

    def has_same_person(self, words: set[str]) -> bool:
        if not words:
            return False
        key = frozenset(words)
        if len(self.found) <= _FEW:
            return any(key <= other or other <= key for other in self.found)
        if key in self.subsets or any(key <= other for other in self.long):
            return True  # a name found holds all its words
        if len(key) > _MOST_WORDS:
            return any(other <= key for other in (*self.sets, *self.long))
        return any(subset in self.sets for subset in _subsets(key))  # all the words of a name found are its

    def add(self, words: set[str]) -> None:
        if not words:
            return
        self.found.append(frozenset(words))
        if len(self.found) == _FEW + 1:
            for key in self.found:
                self._index(key)
        elif len(self.found) > _FEW + 1:
            self._index(self.found[-1])

    def _index(self, key: frozenset[str]) -> None:
        if len(key) > _MOST_WORDS:
            self.long.append(key)
            return
        self.sets.add(key)
        self.subsets.update(_subsets(key))


_FEW = 16
_MOST_WORDS = 8


def _subsets(words: frozenset[str]) -> list[frozenset[str]]:
    items = sorted(words)
    return [frozenset(w for bit, w in enumerate(items) if mask >> bit & 1) for mask in range(1, 1 << len(items))]


_WRAP_WIDTH = 55  # mail clients wrap long lines near 72 characters; shorter lines end where the writer ended them


@functools.cache
def _dangling_titles() -> tuple[str, ...]:
    return tuple(lexicon.words("people", "dangling_titles"))


def _logical_lines(text: str) -> list[str]:
    """Lines with soft wraps joined ("my colleague Dr.\nAmara Okafor"); list items, greetings and short
    signature lines kept apart."""
    lines: list[str] = []
    previous_raw = ""
    for raw in text.splitlines():
        line = raw.strip()
        greeting = _GREETING.match(line)
        if greeting and "," in line[greeting.end():] and len(line.split(",", 1)[1].split()) >= 4:
            line = line.split(",", 1)[1].strip()  # "Hi, I am writing on behalf of Ambassador Lopez …"
        elif not line or greeting or _SALUTATION_END.search(line.lower()) or (not lines and _salutation(line)):
            lines.append("")
            previous_raw = ""
            continue
        previous = lines[-1] if lines else ""
        soft_wrap = (len(previous_raw) >= _WRAP_WIDTH and not _LIST_ITEM.match(line)
                     and not previous.endswith((":", "：")) and previous[-1:] not in (".", "!", "?", "。"))
        if previous and (soft_wrap or previous.endswith(_dangling_titles())):
            lines[-1] = f"{previous} {line}"
        else:
            lines.append(line)
        previous_raw = raw.rstrip()
    return [line for line in lines if line]


def _salutation(line: str) -> bool:
    """The first line a short address to someone, ending with a comma ("السيدة ماريا فرناندا رويث،", "Señora Ruiz,"):
    the one written to, not an attendee."""
    return line.endswith((",", "،")) and len(line.split()) <= 6 and not any(c.isdigit() for c in line)


def _name_words(name: str) -> set[str]:
    """The words that name the person: no honorific, and no word written in lower case in a script that has case
    (a function or title: "советник Т.А. Григорян" and "г-н Григорян" are one person)."""
    words = {w.strip(".,").lower() for w in _HONORIFIC_RX.sub(" ", f" {name} ").split() if not w.islower()}
    return {w for w in words if w and len(w) > 1}


def _numbers() -> str:
    """A number of people: digits, or a word the data gives the value of ("two", "deux", "три", "两")."""
    return r"(?P<number>\b\d{1,2}|" + "|".join(lexicon.placed("people", "numbers")) + ")"


# "3 delegates", "dos delegadas", "три представителя"; "we will be 3" ("nous serons vraisemblablement deux");
# "three of us"; "三人" (no space needed).
_COUNT = Compiled(lambda: _numbers() + r"\s+(?:" + "|".join(lexicon.placed("people", "counted_nouns")) + ")", re.I)
_WE_WILL_BE = Compiled(lambda: (
    r"\b" + lexicon.alternation("people", "we_will_be") + r"(?:,? " + lexicon.alternation("people", "count_hedges")
    + r",?)? (?P<number>\d{1,2}|"
    + "|".join(lexicon.patterns("people", "numbers")) + r")\b(?! " + lexicon.alternation("people", "time_units")
    + ")"), re.I)
_DELEGATION_OF = Compiled(lambda: r"\b" + lexicon.alternation("people", "delegation_of") + r"\s+" + _numbers()
                          + r"(?!\s*(?:" + lexicon.alternation("people", "time_units") + r"))\b", re.I)
_OF_US = Compiled(lambda: _numbers() + r"\s+" + lexicon.alternation("people", "of_us") + r"\b", re.I)
_COUNTED = Compiled(lambda: r"(?P<number>(?<!\d)\d{1,2}|" + "|".join(lexicon.patterns("people", "numbers")) + r")\s*"
                    + lexicon.alternation("people", "counters"), re.I)
_COUNTED_ALONE = Compiled(lambda: "(?P<number>" + "|".join(lexicon.placed("people", "counted_alone")) + ")")


@functools.cache
def _count_gates() -> tuple[Callable[[str], object], ...]:
    """For each count pattern, a test of the literals every match of it holds (read from its noun, phrase or counter
    part, lower-cased): most replies name no counted noun, and the number alternation is slow to try everywhere."""
    def gate(*categories: str) -> Callable[[str], object]:
        each = [needles(p) for c in categories for p in lexicon.placed("people", c)]
        if any(n is None for n in each):
            return lambda text: True
        return Needles(frozenset(x.lower() for n in each if n is not None for x in n)).found
    return (gate("counted_nouns"), gate("we_will_be"), gate("delegation_of"), gate("of_us"), gate("counters"))


def stated_count(text: str, language: str | None = None) -> int | None:
    """The number of attendees the reply states, if it states one (in a message in `language`, that language's
    words that another writes as a number count nobody: Portuguese "dos participantes", of the participants)."""
    text = text.replace("’", "'")  # "we’ll be three"
    if language in _not_numbers():
        text = _not_numbers()[language].sub("", text)
    lowered = text.lower()
    nouns, phrases, delegations, of_us, counters = _count_gates()
    match = ((nouns(lowered) and _COUNT.search(text)) or (phrases(lowered) and _WE_WILL_BE.search(text))
             or (delegations(lowered) and _DELEGATION_OF.search(text)) or (of_us(lowered) and _OF_US.search(text))
             or (counters(lowered) and _COUNTED.search(text)) or _COUNTED_ALONE.search(text))
    if not match:
        return None
    word = match.group("number").lower()
    if word.isdigit():
        return int(word)
    value = lexicon.values("people", "numbers").get(word) or lexicon.values("people", "counted_alone").get(word)
    return int(value) if value else None


@functools.cache
def _not_numbers() -> dict[str, re.Pattern[str]]:
    return {language: re.compile(r"\b(?:" + "|".join(map(re.escape, found)) + r")\b", re.I)
            for language, found in lexicon.words_by_language("people", "not_numbers").items()}


# "I will attend with two colleagues", "acompañado de dos colegas", "с двумя коллегами": others beside the writer.
_COMPANIONS = Compiled(lambda: r"\b(?:" + lexicon.alternation("people", "companions") + r")\s+" + _numbers()
                       + r"\s+(?:" + "|".join(lexicon.placed("people", "counted_nouns")) + ")", re.I)


def companions(text: str) -> int | None:
    """How many people the reply says come with someone ("with two colleagues": 2), if it says so."""
    match = _COMPANIONS.search(text.lower())
    if not match:
        return None
    word = match.group("number")
    return int(word) if word.isdigit() else int(lexicon.values("people", "numbers").get(word) or 0) or None


_CLOSING_LONGEST = 40  # characters: "Thank you and best regards,", "Avec mes salutations distinguées,"
_CLOSING = Compiled(lambda: r"^\s*" + lexicon.alternation("people", "closings") + r"\b", re.I)


def signer(text: str, people: list[str]) -> str | None:
    """The titled name under the closing ("Saludos,\nSra. Paola Ríos"): the sender, whatever From says."""
    lines = text.splitlines()
    closing = max((i for i, line in enumerate(lines) if len(line.strip()) <= _CLOSING_LONGEST and _CLOSING.match(line)),
                  default=None)  # ("Thanks for the invitation. We will…" is a sentence, not a closing)
    if closing is None:
        # No closing word: a name standing alone on one of the last lines signs the message ("Ms. Grace Mwangi",
        # then "Programme Officer").
        kept = [line.strip() for line in lines if line.strip()]
        prose = max((i for i, line in enumerate(kept) if line.endswith((".", "!", "?", ":", "。", "！", "？", "："))),
                    default=-1)  # a signature comes after the last sentence, and never after a colon (a list)
        if prose >= 0 and kept[prose].endswith((":", "：")):
            return None
        last = [line.strip(" \t,.") for line in kept[prose + 1:]][-4:]
        signing = [p for p in people if p in last]
        return signing[0] if len(signing) == 1 else None  # one name signs; several are a list
    tail = "\n".join(lines[closing + 1:closing + 4])
    return next((p for p in people if p in tail), None)


# A name in Arabic, Cyrillic or Chinese letters standing alone on a line: "طارق بن سالم", "Б.Т. Осмонов", "黄志华".
_SCRIPT_NAME = re.compile(r"(?:[\u0621-\u064A\u066E-\u06D3]+(?: [\u0621-\u064A\u066E-\u06D3]+){1,4}"
                          r"|(?:[А-ЯЁ]\.\s?){1,2}[А-ЯЁ][а-яё]+|[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+(?: [А-ЯЁ][а-яё]+)?"
                          r"|[\u4e00-\u9fff]{2,4})")


def signed_in_script(text: str) -> str | None:
    """The name signed under the closing in the message's own non-Latin script ("مع خالص التقدير،\nطارق بن سالم"):
    how the writer names themself when their mail client gives their name in Latin letters."""
    lines = [line.strip(" \t,.،") for line in text.splitlines()]
    closing = max((i for i, line in enumerate(lines) if len(line) <= _CLOSING_LONGEST and _CLOSING.match(line)),
                  default=None)
    if closing is None:
        return None
    first = next((line for line in lines[closing + 1:] if line.strip("-_ ")), "")  # (past a "-- " delimiter)
    if not _SCRIPT_NAME.fullmatch(first) or _ORGANISATION_WORD.search(first):
        return None
    return first


# "LEFEBVRE Arnaud (EEAS-WASHINGTON)", "Holloway, Margaret -UNIT-", "Quesada Solís, Mariela": how directories write a
# person's display name; read as the person's name, given name first ("Arnaud Lefebvre").
_DIRECTORY_NOTE = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\]|\s-\s*[A-Z0-9][A-Z0-9/&.\- ]*-?$|\s-[A-Z0-9/&.]+-?$)")


def person_display(name: str) -> str:
    """A From display name as a person's name, given name first: a directory's unit in brackets or after a dash is
    dropped, "Surname, Given" turned round, an upper-case surname before the given name turned round and
    capitalised. A name that is none of these is returned as written."""
    name = " ".join(_DIRECTORY_NOTE.sub("", name).split()).strip(" ,")
    if name.count(",") == 1:
        surname, given = (part.strip() for part in name.split(","))
        if surname and given and len(surname.split()) <= 3 and len(given.split()) <= 3:
            return f"{given} {surname}"
    words = name.split()
    upper = [w for w in words if len(w) > 1 and w.isupper() and w.isalpha()]
    if 1 <= len(upper) < len(words) and words[:len(upper)] == upper and any(len(w) > 2 for w in upper) and all(
            w[0].isupper() and not w.isupper() for w in words[len(upper):]):
        return " ".join([*words[len(upper):], *(w.capitalize() for w in upper)])
    return name
