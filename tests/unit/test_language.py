"""Which language a text is in, from the language data (lexicon/<xx>/language.yaml): the data's own checks, and
entries that could never be found (a word the reader cannot split out of a text, a letter in upper case, an accent
in a category read in folded text)."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from rsvp.reading import language
from rsvp.reading.lexicon import LexiconError, area, schema
from rsvp.reading.matching import fold


def test_the_languages_tried_are_those_the_data_has() -> None:
    assert set(language._scripts()) == {"ar", "ru", "zh"}
    assert {lang for words in language._word_languages().values() for lang in words} == {"en", "es", "fr", "pt", "de"}
    assert language.detect_language("Спасибо, будем") == "ru" and language.detect_language("شكرا جزيلا") == "ar"
    assert language.detect_language("Danke für die Einladung, wir sind dabei") == "de"


def test_a_marker_word_tells_one_language(monkeypatch: pytest.MonkeyPatch) -> None:
    real = area("language")
    words = real["marker_words"]
    twice = replace(words, entries=(*words.entries, replace(words.entries[0], language="xx", where="xx.yaml:3")))
    monkeypatch.setattr(language, "area", lambda name: {**real, "marker_words": twice})
    language._markers.cache_clear()
    try:
        with pytest.raises(LexiconError, match=r"xx.yaml:3: marker word .* tells one language"):
            language._markers()
    finally:
        language._markers.cache_clear()


def test_every_word_of_the_language_data_can_be_found() -> None:
    data = area("language")
    word = re.compile(language._WORD.pattern)
    assert [e.where for e in data["stopwords"].entries if not word.fullmatch(e.pattern)] == []
    assert [e.where for e in data["marker_words"].entries if not re.fullmatch(r"\w+", e.pattern)] == []
    for name in ("letters", "marker_letters", "marker_marks"):
        assert [e.where for e in data[name].entries if len(e.pattern) != 1] == [], name
    for e in data["script"].entries:
        assert re.fullmatch(r"\[[^\]]+\]", e.pattern), e.where  # one character class


@pytest.mark.parametrize("area_name", ["language", "writer"])
def test_a_word_is_written_as_the_text_it_is_read_in(area_name: str) -> None:
    for name, category in area(area_name).items():
        spec = schema()[area_name][name]
        prepare = {"lowered": str.lower, "original": str}.get(spec.get("text", "folded"), fold)
        if spec["kind"] == "words":
            assert [e.where for e in category.entries if prepare(e.pattern) != e.pattern] == [], name


def test_duplicates_in_one_language_are_none() -> None:
    for area_name in ("language", "writer"):
        for name, category in area(area_name).items():
            seen = [(e.language, e.pattern) for e in category.entries]
            assert len(seen) == len(set(seen)), (area_name, name)

