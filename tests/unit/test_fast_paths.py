"""Fast paths must read exactly what the plain ones read. Needles are a promise (every match of a pattern
contains one; a broken promise would hide an answer); language markers count as their regexes did."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsvp.reading import intent, matching, reader
from rsvp.reading.mime import parse_message
from rsvp.reading.prefilter import Indexed, Narrowed, NeedleIndex, Needles, needles
from rsvp.reading.quotes import new_text

from ..conftest import ROOT


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"attend", {"attend"}),
    (r"(will|shall) attend", {"will attend", "shall attend"}),
    (r"asist(ir|ire|iremos)", {"asistir", "asistire", "asistiremos"}),
    (r"(i|we)( \w+){0,2} (be )?available", {" available", " be available"}),  # the words between are unknown
    (r"come(?! back)", {"come"}),  # a negative lookahead adds nothing to find
    (r"(me|i)(?= \()", {"me (", "i ("}),  # a lookahead's text follows the match
    (r"a(?=bc)b", {"abc"}),  # (and overlaps what follows it)
    (r"de(?=\w+o)", {"de"}),
    (r"represent(ed|s|ing)?", {"represent", "represented", "represents", "representing"}),
    (r"(our|the) (delegation|team)\b[^.:]{0,60}:\s*$", {"our delegation", "our team", "the delegation", "the team"}),
    (r"participa[rn]", {"participar", "participan"}),
    (r"\w+ly", {"ly"}),
    (r"(attend|\w+ing)", {"attend", "ing"}),
])
def test_needles_are_read_from_the_pattern(pattern: str, expected: set[str]) -> None:
    assert needles(pattern) == expected


@pytest.mark.parametrize("pattern", [r"\w+", r"(attend)?", r"[^.]{0,60}", r"(attend|\w+)", r"x*"])
def test_no_needles_where_a_match_needs_no_fixed_text(pattern: str) -> None:
    assert needles(pattern) is None


def test_needles_are_found_anywhere_and_a_longer_one_is_implied_by_a_shorter() -> None:
    found = Needles(frozenset({"attend", "attendance", "join", "sumo"}))
    assert found.literals == {"attend", "join", "sumo"}
    assert found.found("we look forward to attendance") and found.found("me sumo") and not found.found("regards")


def lexicon_parts() -> list[str]:
    parts = []
    for name in dir(intent):
        lexicon = getattr(intent, name)
        if isinstance(lexicon, matching.Lexicon):
            parts += [p[2:] if p.startswith("\\b") and "|" not in matching._top_level(p) else p for p in lexicon.parts]
    return parts


PARTS = lexicon_parts()


def test_every_word_pattern_of_the_reader_has_needles() -> None:
    assert len(PARTS) > 150
    assert [p for p in PARTS if needles(p) is None] == []


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_text_matching_a_reader_pattern_always_contains_one_of_its_needles(data: st.DataObject) -> None:
    pattern = data.draw(st.sampled_from(PARTS))
    text = data.draw(st.from_regex(pattern))
    match = re.search(pattern, text)
    assert match is not None
    assert any(n in text[match.start():] for n in needles(pattern) or ())  # (a lookahead's text follows the match)


def test_prefiltered_lexicons_find_exactly_what_the_plain_alternations_find() -> None:
    texts = [new_text(parse_message(p.read_bytes()).text, 4000)
             for p in sorted((ROOT / "tests" / "fixtures").rglob("*.eml"))]
    clauses = [matching.fold(c).strip() for t in texts for c in intent._split(t)]
    assert len(clauses) > 700
    for name, lexicon in [(f"{module.__name__}.{name}", getattr(module, name)) for module in (intent, reader)
                          for name in dir(module)]:
        if not isinstance(lexicon, matching.Lexicon):
            continue
        plain = re.compile("|".join(f"(?:{p})" for p in lexicon.parts))
        for clause in clauses:
            ours, theirs = lexicon.search(clause), plain.search(clause)
            assert (ours.span() if ours else None) == (theirs.span() if theirs else None), (name, clause)


NARROWED_PARTS = ["attend", "attendance", "tend(er)?", "ab", "bc", "b", "(join|sumo)s?", r"\w+ing", "cd|xy"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NARROWED_PARTS), min_size=1, max_size=6, unique=True),
       st.text(alphabet="abcdxyjoinsumtedg ", max_size=30))
def test_a_narrowed_search_finds_what_the_whole_alternation_finds(parts: list[str], text: str) -> None:
    """Overlapping needles ("ab" and "bc" in "abc"), a needle inside another ("tend" in "attend"), a part with none."""
    def compose(chosen: list[str]) -> str:
        return "|".join(f"(?:{p})" for p in chosen)

    ours, theirs = Narrowed(parts, compose).search(text), re.search(compose(parts), text)
    assert (ours.span() if ours else None) == (theirs.span() if theirs else None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NARROWED_PARTS), min_size=1, max_size=9, unique=True),
       st.lists(st.text(alphabet="abcdxyjoinsumtedg ", max_size=30), min_size=1, max_size=4))
def test_a_search_through_the_shared_index_finds_what_the_whole_alternation_finds(parts: list[str],
                                                                                  texts: list[str]) -> None:
    """The same cases, the needles found by one index shared with another search (whose needles it finds too), each
    text asked twice (the second time, as the index remembers it)."""
    def compose(chosen: list[str]) -> str:
        return "|".join(f"(?:{p})" for p in chosen)

    index = NeedleIndex()
    index.add(lambda: frozenset(n for p in parts for n in needles(p) or ()))
    index.add(lambda: frozenset({"ten", "xyz", "a"}))  # another search's
    search = Indexed(parts, compose, index).search
    for text in [*texts, *texts]:
        ours, theirs = search(text), re.search(compose(parts), text)
        assert (ours.span() if ours else None) == (theirs.span() if theirs else None)


def test_an_index_finds_every_needle_a_text_holds_even_within_another() -> None:
    index = NeedleIndex()
    index.add(lambda: frozenset({"attend", "tend", "ten", "出席", "no "}))
    assert index.found("we will attend") == {"attend", "tend", "ten"}
    assert index.found("将出席会议") == {"出席"}
    assert index.found("nothing here") == frozenset()
    index.add(lambda: frozenset({"here"}))  # a search made later: the index is built again
    assert index.found("nothing here") == {"here"}


def test_a_gate_never_shuts_out_a_text_its_pattern_matches() -> None:
    from rsvp.reading import thread

    texts = [new_text(parse_message(p.read_bytes()).text, 4000)
             for p in sorted((ROOT / "tests" / "fixtures").rglob("*.eml"))]
    texts += ["À LA PLACE DE M. Dupont", "EN LUGAR DEL Sr. Pérez", "Please REMOVE Mr. X", "вместо г-на Петрова"]
    gates = [(gate, gate._pattern) for module in (reader, thread) for gate in vars(module).values()
             if isinstance(gate, matching.Gate)]
    assert len(gates) >= 3
    shut = 0
    for gate, pattern in gates:
        for text in texts:
            if pattern.search(text):
                assert gate(matching.fold(text)), (pattern.pattern[:60], text[:80])
            shut += not gate(matching.fold(text))
    assert shut > len(texts)  # (and it does shut most texts out)


def test_session_searches_start_where_their_whole_alternation_does() -> None:
    from rsvp.domain.meeting import load_meeting
    from rsvp.reading import sessions

    texts = [new_text(parse_message(p.read_bytes()).text, 4000)
             for p in sorted((ROOT / "tests" / "fixtures").rglob("*.eml"))]
    clauses = [matching.fold(c).strip() for t in texts for c in intent._split(t)]
    meetings = [load_meeting(p) for p in sorted((ROOT / "tests" / "fixtures" / "meetings").glob("*.yaml"))]
    for meeting in meetings:
        for index, session in enumerate(meeting.sessions):
            fast = sessions._session_pattern(session, index)
            whole = re.compile("|".join(f"(?:{p})" for p in sessions._session_patterns(session, index)))
            for clause in clauses:
                ours, theirs = fast.search(clause), whole.search(clause)
                assert (ours.start() if ours else None) == (theirs.start() if theirs else None), clause
                assert [m.span() for m in fast.finditer(clause)] == [m.span() for m in whole.finditer(clause)]


def marker_regexes() -> dict[str, re.Pattern[str]]:
    """The language markers as they were first written, from the data (lexicon/<xx>/language.yaml): one regex per
    language, its letters and marks first at each position, then its endings (each consuming its letters), then its
    words, each counted once. The word-split counting must agree with them exactly."""
    from rsvp.reading.lexicon import area

    data = area("language")
    parts: dict[str, list[str]] = {}
    for name in ("marker_letters", "marker_marks"):
        for e in data[name].entries:
            parts.setdefault(e.language, []).append(re.escape(e.pattern))
    for e in data["marker_endings"].entries:
        parts.setdefault(e.language, []).append(f"(?:{e.pattern})")
    marker_words: dict[str, list[str]] = {}
    for e in data["marker_words"].entries:
        marker_words.setdefault(e.language, []).append(re.escape(e.pattern))
    for lang, found in marker_words.items():
        parts.setdefault(lang, []).append(r"\b(?:" + "|".join(found) + r")(?!\w)")
    return {lang: re.compile("|".join(found)) for lang, found in parts.items()}


MARKER_REGEXES = marker_regexes()
PIECES = ["ñ", "¿", "¡", "ción", "ciones", "ã", "õ", "ção", "ções", "è", "ê", "œ", "là", "être", "não", "sim", "el",
          "estimadas", "participarei", "rei", "the", "yes", "nous", "séance", "a", "x", " ", " ", "'", ".", "-", "\n"]


def test_the_markers_of_the_data_are_those_first_written() -> None:
    """The data holds the markers the reader was first written with (one regex per language then)."""
    assert MARKER_REGEXES["es"].findall("ñ ¿ ¡ nación naciones el sí estimadas") == [
        "ñ", "¿", "¡", "ción", "ciones", "el", "sí", "estimadas"]
    assert [m.group() for m in MARKER_REGEXES["pt"].finditer("não ação participarei farei sim")] == [
        "não", "ã", "participarei", "sim"]
    assert set(MARKER_REGEXES) == {"es", "pt", "fr", "en"}


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_language_markers_count_as_the_regexes_would(text: str) -> None:
    from rsvp.reading.language import _marker_counts

    counts = _marker_counts(text)
    assert {lang: counts.get(lang, 0) for lang in MARKER_REGEXES} == {
        lang: len(rx.findall(text)) for lang, rx in MARKER_REGEXES.items()}


def test_the_gate_reads_every_example_of_the_language_data_as_the_full_reading_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example written beside the data, in every language (and with a greeting around it), is read the same
    whether the gate may skip it or not: a check of a clause missing from CLAUSE_CHECKS would show here."""
    from rsvp.reading.lexicon import area

    examples = [x.text for category in area("intent").values() for x in category.examples]
    texts = [t for x in examples for t in (x, f"Dear colleagues, {x}", f"{x} - thank you")]
    assert len(examples) > 250
    gated = [(intent._read_clause(t), intent._read_clause(t, repair=True)) for t in texts]
    assert intent._MAY_ANSWER is not None  # every gated check has needles
    monkeypatch.setattr(intent, "_MAY_ANSWER", None)
    assert gated == [(intent._read_clause(t), intent._read_clause(t, repair=True)) for t in texts]


def test_the_clause_gate_changes_no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [new_text(parse_message(p.read_bytes()).text, 4000)
             for p in sorted((ROOT / "tests" / "fixtures").rglob("*.eml"))]
    parts = [c for t in texts for c in intent._split(t)] + ["Hello, thank you.", "Tel: +41 22 917 1234", "¿Qué?"]
    gated = [(intent._read_clause(p), intent._read_clause(p, repair=True)) for p in parts]
    monkeypatch.setattr(intent, "_MAY_ANSWER", None)
    assert gated == [(intent._read_clause(p), intent._read_clause(p, repair=True)) for p in parts]
    gate = intent._gate(intent.CLAUSE_CHECKS)
    assert gate is not None
    skipped = sum(1 for p in parts if not gate(matching.fold(p).strip()))
    assert skipped > len(parts) // 3  # the gate spares many clauses
