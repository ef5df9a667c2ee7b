"""Which language the sender wrote in: script first, then common words.

Every word, letter and script is read from the language folders on first use (lexicon/<xx>/language.yaml;
lexicon/schema.yaml, area "language", describes each category); this module holds only how they are counted.
The languages tried are those the data has: a script for some, stopwords and tell-tale spellings for others.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from .lexicon import Compiled, LexiconError, area, by_language, patterns, words, words_by_language

AREA = "language"

# A word the stopwords are looked up by (on lower-cased text): a run of a-z, apostrophes and every language's letters.
_WORD = Compiled(lambda: "[a-z'" + "".join(sorted({re.escape(c) for c in words(AREA, "letters")})) + "]+")
_ANY_SCRIPT = Compiled(lambda: "|".join(f"(?:{p})" for p in patterns(AREA, "script")))
_TOKEN = re.compile(r"\w+")


@functools.cache
def _word_languages() -> dict[str, tuple[str, ...]]:
    """Each stopword and the languages it is a word of (in the data's order)."""
    out: dict[str, tuple[str, ...]] = {}
    for lang, found in words_by_language(AREA, "stopwords").items():
        for word in dict.fromkeys(found):
            out[word] = (*out.get(word, ()), lang)
    return out


@functools.cache
def _scripts() -> dict[str, re.Pattern[str]]:
    return {lang: re.compile("|".join(f"(?:{p})" for p in found))
            for lang, found in by_language(AREA, "script").items()}


@dataclass(frozen=True)
class _Markers:
    """Spellings that give a language away even in three words: letters, marks, endings and whole words."""

    letters: dict[str, str]  # each language's marker letters
    counted: dict[str, str]  # the characters counted wherever they are: its letters and marks
    word_of: dict[str, str]  # each marker word and its one language
    endings: re.Pattern[str] | None  # every language's endings, one named group per language


@functools.cache
def _markers() -> _Markers:
    letters = {lang: "".join(found) for lang, found in words_by_language(AREA, "marker_letters").items()}
    marks = {lang: "".join(found) for lang, found in words_by_language(AREA, "marker_marks").items()}
    counted = {lang: letters.get(lang, "") + marks.get(lang, "")
               for lang in dict.fromkeys([*letters, *marks])}
    word_of: dict[str, str] = {}
    for entry in area(AREA)["marker_words"].entries:
        other = word_of.setdefault(entry.pattern, entry.language)
        if other != entry.language:
            raise LexiconError(f"{entry.where}: marker word {entry.pattern!r} is also one of {other}'s: a marker "
                               f"word tells one language")
    endings = by_language(AREA, "marker_endings")
    joined = "|".join(f"(?P<{lang}>" + "|".join(f"(?:{p})" for p in found) + ")" for lang, found in endings.items())
    return _Markers(letters, counted, word_of, re.compile(joined) if joined else None)


def _marker_counts(lowered: str) -> Counter[str]:
    """How many tell-tale spellings and words of each language `lowered` has: every marker letter and mark, except
    that a marker word (not starting with one of its language's letters) counts once as a whole, and an ending
    counts once with the letters in it. Counted as one regex per language would count them (letters first at each
    position, an ending consuming its letters, a word counted once), from the words the text is split into once:
    ~4x faster. (An ending "ção"/"ções" needs no entry: its ã or õ already counts, once.)"""
    markers = _markers()
    counts = Counter({lang: sum(lowered.count(char) for char in chars) for lang, chars in markers.counted.items()})
    for token in _TOKEN.findall(lowered):
        lang = markers.word_of.get(token)
        told = token
        if lang is None and markers.endings is not None:
            ending = markers.endings.search(token)
            if ending is not None:
                lang, told = ending.lastgroup, ending.group()
        if lang is not None:
            letters = markers.letters.get(lang, "")
            if not (letters and told[0] in letters):
                counts[lang] += 1 - sum(told.count(letter) for letter in letters)
    return counts


def detect_language(text: str, fallback: str | None = None) -> str | None:
    sample = text[:700]
    if _ANY_SCRIPT.search(sample):
        counts = Counter({lang: len(rx.findall(sample)) for lang, rx in _scripts().items()})
        script, hits = counts.most_common(1)[0]
        if hits >= 3:
            return script
    scores = Counter[str]()
    lowered = sample.lower()
    word_languages = _word_languages()
    for word in _WORD.findall(lowered):
        for lang in word_languages.get(word, ()):
            scores[lang] += 1
    for lang, hits in _marker_counts(lowered).items():
        scores[lang] += 2 * hits
    if not scores:
        return fallback
    # A tie goes to the language scored first: by the text's first stopword of it, else in the data's order.
    best, score = scores.most_common(1)[0]
    return best if score >= 1 else fallback


def marked_language(text: str) -> str | None:
    """The language a very short text gives away by its own words ("Oui, avec plaisir", "Sí, gracias"),
    when exactly one language has the most tell-tale words; None when nothing tells."""
    scores = _marker_counts(text[:300].lower())
    ranked = scores.most_common(2)
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]
