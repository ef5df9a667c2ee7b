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
    r"M\.|Mme\.?|Mlle\.?|Monsieur|Madame|Sir|Dame)"
)
_NAME_WORD = r"(?:[A-ZÁÉÍÓÚÑÜÇÀÂÊÎÔÛËÏŒÃÕ][\w'’\-]+|de|del|de\s+la|da|do|dos|van|von|al|el|bin|ibn|y)"
_PERSON = re.compile(
    rf"((?:{_HONORIFIC}\s+){{1,3}}(?:[A-ZÁÉÍÓÚÑÜÇÀÂÊÎÔÛËÏŒÃÕ][\w'’\-]+)(?:\s+{_NAME_WORD}){{0,4}})",
)
_GREETING = re.compile(r"^\s*(dear|estimad[oa]s?|querid[oa]s?|cher|ch[eè]re|chers|prezad[oa]s?|hello|hi|hola|"
                       r"bonjour|buenos\s+d[ií]as|good\s+(morning|afternoon))\b", re.I)
_TRAILING_JUNK = re.compile(r"(\s+(?:de|del|de\s+la|da|do|dos|van|von|al|el|y))+$")


def named_people(text: str) -> list[str]:
    """People introduced with a title, in order, without duplicates; greetings are skipped."""
    found: list[str] = []
    for line in text.splitlines():
        if _GREETING.match(line):
            continue
        for match in _PERSON.finditer(line):
            name = _TRAILING_JUNK.sub("", match.group(1).strip(" ,.;:"))
            if len(name.split()) < 2:
                continue
            if not any(_same_person(name, seen) for seen in found):
                found.append(name)
    return found


def _same_person(a: str, b: str) -> bool:
    return a.split()[-1].lower() == b.split()[-1].lower() and (a in b or b in a)


_COUNT_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "duas": 2, "três": 3,
}
_COUNT = re.compile(r"\b(\d|two|three|four|five|six|dos|tres|cuatro|cinco|deux|trois|quatre|cinq|duas|três)\s+"
                    r"(people|persons|participants|delegates|representatives|colleagues|members|personas|"
                    r"participantes|delegad[oa]s|representantes|personnes|d[ée]l[ée]gu[ée]s|pessoas)\b", re.I)


def stated_count(text: str) -> int | None:
    match = _COUNT.search(text)
    if not match:
        return None
    word = match.group(1).lower()
    return int(word) if word.isdigit() else _COUNT_WORDS.get(word)
