"""The language-data loader: a file that does not follow the schema is refused with its file, line and entry."""
from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from rsvp.reading.lexicon import LANGUAGES, LexiconError, area, matcher, read_file, schema


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "xx" / "unsubscribe.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "line", "message"), [
    ("phrases:\n  entries: [a]\nfarewells:\n  entries: [b]\n", 3, "unknown category 'farewells'"),
    ("phrases:\n  entries: [a]\n  synonyms: [b]\n", 3, "unknown key 'synonyms'"),
    ("phrases:\n  entries:\n    - ok\n    - 'broken (group'\n", 4, "'broken (group' is not a valid pattern"),
    ("phrases:\n  entries:\n    - 3\n", 3, "each item must be a non-empty string"),
    ("phrases:\n  entries: one\n", 2, "must be a list"),
    ("phrases:\n  match: sometimes\n  entries: [a]\n", 2, "match must be one of"),
    ("phrases:\n  examples: [a]\n", 1, "no entries"),
    ("phrases:\n  entries: [non[- ]?remis]\n", 2, "not YAML"),
])
def test_a_malformed_language_file_is_refused_naming_file_line_and_entry(
        tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(LexiconError) as caught:
        read_file(path, "xx", "unsubscribe")
    assert f"unsubscribe.yaml:{line}:" in str(caught.value) and message in str(caught.value)


def test_an_unknown_area_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="no area 'farewells'"):
        read_file(write(tmp_path, "phrases:\n  entries: [a]\n"), "xx", "farewells")


def test_every_language_has_its_folder_of_data_and_its_examples_suite() -> None:
    assert set(LANGUAGES) >= {"en", "es", "fr", "pt", "ru", "ar", "zh"}
    tests = Path(__file__).resolve().parent.parent / "lang"
    assert all((tests / language / f"test_{language}.py").exists() for language in LANGUAGES if language != "common")


def test_entries_of_every_language_are_merged_in_one_matcher_each_with_its_way_of_matching() -> None:
    phrases = area("unsubscribe")["phrases"]
    assert {e.language for e in phrases.entries} == {"en", "es", "fr", "pt", "ru", "ar", "zh"}
    found = matcher("unsubscribe", "phrases")
    assert found("please unsubscribe") and found("prosim: отписаться") and found("请退订")
    assert not found("pleaseunsubscribe")  # Latin phrases match whole words; scripts without spaces anywhere


def test_every_shipped_language_file_follows_the_schema_every_entry_a_valid_pattern() -> None:
    from rsvp.reading.lexicon import HERE

    for name in schema():
        for language in LANGUAGES:  # the full check, which the reader skips when it loads its own files
            if (HERE / language / f"{name}.yaml").exists():
                read_file(HERE / language / f"{name}.yaml", language, name)
    for name in schema():
        categories = area(name)  # raises LexiconError, naming the file and line, for any file that does not
        assert all(category.entries for category in categories.values()), f"{name}: a category with no entries"


def schema_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str) -> None:
    from rsvp.reading import lexicon

    (tmp_path / "schema.yaml").write_text(f"unsubscribe:\n  phrases:\n{spec}", encoding="utf-8")
    monkeypatch.setattr(lexicon, "HERE", tmp_path)
    lexicon.schema.cache_clear()
    monkeypatch.setattr(lexicon, "schema", functools.cache(lexicon.schema.__wrapped__))


def test_a_values_category_reads_each_word_with_what_it_stands_for(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    schema_with(tmp_path, monkeypatch, "    kind: values\n")
    read = read_file(write(tmp_path, "phrases:\n  entries:\n    - {two: 2}\n    - {Deux: 2}\n"), "xx", "unsubscribe")
    assert [(e.pattern, e.value) for e in read["phrases"].entries] == [("two", "2"), ("Deux", "2")]
    with pytest.raises(LexiconError, match=r"unsubscribe.yaml:4: .*a word and its value"):
        read_file(write(tmp_path, "phrases:\n  entries:\n    - {two: 2}\n    - three\n"), "xx", "unsubscribe")


def test_a_category_whose_entries_mean_their_place_needs_exactly_its_number_of_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema_with(tmp_path, monkeypatch, "    kind: words\n    per_language: 3\n")
    read = read_file(write(tmp_path, "phrases:\n  entries: [a, b, c]\n"), "xx", "unsubscribe")
    assert [e.pattern for e in read["phrases"].entries] == ["a", "b", "c"]
    with pytest.raises(LexiconError, match=r"unsubscribe.yaml:1: phrases: 2 entries, the schema asks for exactly 3"):
        read_file(write(tmp_path, "phrases:\n  entries: [a, b]\n"), "xx", "unsubscribe")


def test_every_honorific_starts_with_a_capital_as_the_person_pattern_expects() -> None:
    """people.py looks for a titled name only where a capital letter starts a word: an honorific written
    otherwise ("dr.", "É.S.") would never be found."""
    from rsvp.reading.lexicon import patterns
    from rsvp.reading.people import named_people

    assert all(re.match(r"(?:\(\?:)?[A-Z]", p) for p in patterns("people", "honorifics"))
    assert named_people("Our delegation: Excma. Embajadora Ana Pérez and Sr.ª Maria Lima.") == [
        "Excma. Embajadora Ana Pérez", "Sr.ª Maria Lima"]
