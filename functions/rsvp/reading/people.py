"""Delegation members named in a reply, with their titles, as written."""

from __future__ import annotations

import re

_HONORIFIC = (
    r"(?:H\.\s?E\.|S\.\s?E\.|E\.\s?S\.|Excmo\.?|Excma\.?|Excelent[ií]sim[oa]|Son\s+Excellence|His\s+Excellency|"
    r"Her\s+Excellency|Ambassador|Amb\.|Embajador[a]?|Ambassadeur|Ambassadrice|Embaixador[a]?|"
    r"Minister|Ministro|Ministra|Ministre|Counsell?or|Consejer[oa]|Conseill[eè]re?|Conselheir[oa]|"
    r"(?:First|Second|Third)\s+Secretary|(?:Primer|Primera|Segundo|Segunda|Tercer|Tercera)\s+Secretari[oa]|"
    r"(?:Premier|Première|Deuxième|Troisième)\s+Secr[ée]taire|Attach[ée]|Agregad[oa]|Coronel|Colonel|General|"
    r"Dr\.?|Dra\.?|Prof\.?|Ing\.?|Lic\.?|Mr\.?|Mrs\.?|Ms\.?|Miss|Sr\.|Sra\.|Srta\.|Sr|Sra|Don|Doña|Dña\.?|"
    r"M\.|Mme\.?|Mlle\.?|Monsieur|Madame|Sir|Dame|Senhor|Senhora|Sr\.ª|Exmo\.?|Exma\.?)"
)
_HONORIFIC_RX = re.compile(rf"(?<!\w){_HONORIFIC}(?!\w)")
_LEADING_TITLES = re.compile(rf"^((?:{_HONORIFIC}(?!\w)\s*)+)")


def split_title(person: str) -> tuple[str, str]:
    """'H.E. Ambassador Ana Pérez' -> ('H.E. Ambassador', 'Ana Pérez'): titles first, as on a badge."""
    person = " ".join(person.split())
    match = _LEADING_TITLES.match(person)
    if not match or match.end() >= len(person):
        return "", person
    return match.group(1).strip(), person[match.end():].strip()


_NAME_WORD = r"(?:[A-ZÁÉÍÓÚÑÜÇÀÂÊÎÔÛËÏŒÃÕ][\w'’\-]+|de|del|de\s+la|da|do|dos|van|von|al|el|bin|ibn)"
# A title starts a word, with a capital (every title above does): positions inside words fail at once.
_PERSON = re.compile(
    rf"(?<!\w)(?=[A-Z])((?:{_HONORIFIC}\s+(?:(?:o|a|el|la|le)\s+(?={_HONORIFIC}))?){{1,3}}(?:[A-ZÁÉÍÓÚÑÜÇÀÂÊÎÔÛËÏŒÃÕ][\w'’\-]+)"
    rf"(?:\s+{_NAME_WORD}){{0,4}})",
)
_GREETING = re.compile(r"^\s*(dear|estimad[oa]s?|querid[oa]s?|cher|ch[eè]re|chers|prezad[oa]s?|hello|hi|hola|"
                       r"bonjour|buenos\s+d[ií]as|good\s+(morning|afternoon))\b", re.I)
_TRAILING_JUNK = re.compile(r"(\s+(?:de|del|de\s+la|da|do|dos|van|von|al|el|y))+$")


# Scripts without Latin honorifics: Arabic (السيد …، up to the comma), Russian (г-н Д.А. Атаев),
# Chinese (张伟先生: the name carries its honorific as a suffix).
_ARABIC_PERSON = re.compile(r"((?:سعادة |معالي |فخامة )?(?:السفير|السفيرة|السيد|السيدة|الدكتور|الدكتورة|الأستاذ|"
                            r"الأستاذة|المستشار|المستشارة|سعادة|معالي)(?: [\u0621-\u064A\u066E-\u06D3]+){1,5})")
_RUSSIAN_PERSON = re.compile(r"((?:Его Превосходительство |Ее Превосходительство )?(?:г-н|г-жа|господин|госпожа|посол|"
                             r"советник|д-р)\s+(?:[А-ЯЁ]\.\s?){0,2}[А-ЯЁ][а-яё]+(?:\s+[А-ЯЁ][а-яё]+){0,2})")
_CHINESE_PERSON = re.compile(r"([\u4e00-\u9fff]{2,3}(?:先生|女士|博士|阁下)|"
                             r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,3}(?:参赞|大使|公使|一秘|二秘|三秘|随员)(?![\u4e00-\u9fff])|"
                             r"(?:参赞|大使|公使|一秘|二秘|三秘|随员|秘书|主任|司长|处长|部长|副司长|副处长)"
                             r"(?!无法|不能|将|会|也)[\u4e00-\u9fff]{2,3}?(?=代表|出席|参加|与会|，|。|、|和|及|$))")
_ARABIC_AND = re.compile(r"\s+و(?=(?:السيد|السيدة|الدكتور|الدكتورة|السفير|السفيرة|الأستاذ|الأستاذة|المستشار|"
                         r"المستشارة|سعادة|معالي))")
_OTHER_SCRIPTS = re.compile(r"[\u0600-\u06ff\u0400-\u04ff\u4e00-\u9fff]")
_LIST_ITEM = re.compile(r"^\s*([-*•·–]|\d{1,2}[.)])\s+")


# Words that are functions, not names, when they follow a title ("Minister Counsellor", "Deputy Head").
_TITLE_WORDS = {
    "counsellor", "counselor", "minister", "ambassador", "secretary", "attache", "attaché", "deputy", "head", "chief",
    "director", "advisor", "adviser", "officer", "representative", "consejero", "consejera", "ministro", "ministra",
    "embajador", "embajadora", "secretario", "secretaria", "conseiller", "conseillère", "ministre", "ambassadeur",
    "secrétaire", "conselheiro", "conselheira", "embaixador"}


def named_people(text: str) -> list[str]:
    """People introduced with a title, in order, without duplicates; greetings are skipped."""
    found: list[str] = []
    seen = _Seen()
    for line in _logical_lines(text):
        candidates = [m.group(1) for m in _PERSON.finditer(line)]
        if _OTHER_SCRIPTS.search(line):
            for other_script in (_ARABIC_PERSON, _RUSSIAN_PERSON, _CHINESE_PERSON):
                for match in other_script.finditer(line):  # "السيد أحمد علي والسيدة فاطمة حسن": two people
                    candidates += _ARABIC_AND.split(match.group(1))
        for raw in candidates:
            name = _TRAILING_JUNK.sub("", raw.strip(" ,.;:،"))
            if len(name.split()) < 2 and not _CHINESE_PERSON.fullmatch(name):
                continue
            words = _name_words(name)
            if not _CHINESE_PERSON.fullmatch(name) and not words - _TITLE_WORDS:
                continue  # "Minister Counsellor": titles only, nobody named
            if not seen.has_same_person(words):
                seen.add(words)
                found.append(name)
    return found


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
_DANGLING_TITLE = ("Dr.", "Mr.", "Ms.", "Mrs.", "Sr.", "Sra.", "M.", "Mme")


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
        elif not line or greeting:
            lines.append("")
            previous_raw = ""
            continue
        previous = lines[-1] if lines else ""
        soft_wrap = (len(previous_raw) >= _WRAP_WIDTH and not _LIST_ITEM.match(line)
                     and not previous.endswith((":", "：")) and previous[-1:] not in (".", "!", "?", "。"))
        if previous and (soft_wrap or previous.endswith(_DANGLING_TITLE)):
            lines[-1] = f"{previous} {line}"
        else:
            lines.append(line)
        previous_raw = raw.rstrip()
    return [line for line in lines if line]


def _name_words(name: str) -> set[str]:
    words = {w.strip(".,").lower() for w in _HONORIFIC_RX.sub(" ", f" {name} ").split()}
    return {w for w in words if w and len(w) > 1}


_COUNT_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "duas": 2, "três": 3,
}
_COUNT = re.compile(r"\b(\d|two|three|four|five|six|dos|tres|cuatro|cinco|deux|trois|quatre|cinq|duas|três)\s+"
                    r"(people|persons|participants|delegates|representatives|colleagues|members|personas|colegas|"
                    r"coll[eè]gues|funcionari[oa]s|funcion[aá]rios|"
                    r"participantes|delegad[oa]s|representantes|personnes|d[ée]l[ée]gu[ée]s|pessoas)\b", re.I)


_OTHER_COUNT = re.compile(r"(اثنين|اثنان|شخصين|ثلاثة|أربعة|خمسة|ستة)\s*(أشخاص|مشاركين|أعضاء|ممثلين)?|"
                          r"\b(два|две|двух|три|трех|четыре|пять)\s+(человек|представител\w*|делегат\w*|участник\w*)")
_OTHER_NUMBERS = {"اثنين": 2, "اثنان": 2, "شخصين": 2, "ثلاثة": 3, "أربعة": 4, "خمسة": 5, "ستة": 6, "два": 2, "две": 2,
                  "двух": 2, "три": 3, "трех": 3, "четыре": 4, "пять": 5}
_CJK_COUNT = re.compile(r"(两|二|三|四|五|六|\d)\s*(人|名|位)")
_CJK_NUMBERS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}


_WE_WILL_BE = re.compile(r"\b(we|there) (will|'ll|shall) be (\d|two|three|four|five|six)\b"
                         r"(?! (minutes|hours|days|weeks))", re.I)


_OF_US = re.compile(r"\b(\d|two|three|four|five|six|dos|tres|cuatro|cinco|deux|trois|quatre|cinq|dois|duas|tr[eê]s)\s+"
                    r"(of us|de nosotros|d'entre nous|de n[oó]s)\b", re.I)


def stated_count(text: str) -> int | None:
    match = _COUNT.search(text) or _WE_WILL_BE.search(text) or _OF_US.search(text)
    if not match:
        cjk = _CJK_COUNT.search(text)
        if cjk:
            return int(cjk.group(1)) if cjk.group(1).isdigit() else _CJK_NUMBERS[cjk.group(1)]
        other = _OTHER_COUNT.search(text)
        if other and (other.group(2) or other.group(4) or other.group(1) == "شخصين"):
            return _OTHER_NUMBERS[other.group(1) or other.group(3)]
        return None
    word = (match.group(3) if match.re is _WE_WILL_BE else match.group(1)).lower()
    return int(word) if word.isdigit() else _COUNT_WORDS.get(word, {"dois": 2, "tres": 3}.get(word))


_CLOSING = re.compile(r"^\s*(best|kind|warm)?\s*(regards|wishes)|^\s*(sincerely|yours|thanks|thank you|cheers|saludos|"
                      r"atentamente|cordialmente|un saludo|gracias|cordialement|bien (a|à) vous|salutations|merci|"
                      r"(bien|tr[eè]s|tres) cordialement|"
                      r"atenciosamente|cumprimentos|abraços|с уважением|مع التحية|مع خالص|此致|顺致|谢谢)\b", re.I)


def signer(text: str, people: list[str]) -> str | None:
    """The titled name under the closing ("Saludos,\nSra. Paola Ríos"): the sender, whatever From says."""
    lines = text.splitlines()
    closing = max((i for i, line in enumerate(lines) if _CLOSING.match(line)), default=None)
    if closing is None:
        return None
    tail = "\n".join(lines[closing + 1:closing + 4])
    return next((p for p in people if p in tail), None)
