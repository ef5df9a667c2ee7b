"""The matching engine every reading module shares, and no language's words: text folded for matching
(accents, case, the scripts that have neither), alternations of lexicon patterns compiled on first use and
gated by the needles every message is searched for once (prefilter.NeedleIndex)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .lexicon import Compiled, placed
from .prefilter import NARROWED_FROM, Indexed, Narrowed, NeedleIndex, Needles, needles

# ---------------------------------------------------------------------- normalisation


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if base != char:
            table[code] = base
    for code in (*range(0x064B, 0x0660), 0x0670, 0x0640):  # Arabic short vowels, shadda, sukun; tatweel
        table[code] = ""
    table.update({ord("ß"): "ss", ord("æ"): "ae", ord("œ"): "oe", ord("ø"): "o", ord("’"): "'", ord("‘"): "'",
                  ord("´"): "'", ord("`"): "'", 0xA0: " "})
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower-case, Latin accents and Arabic vowel marks removed; other letters untouched (Cyrillic й stays й)."""
    return _folded(text) if len(text) <= _FOLDS_KEPT_UP_TO else text.lower().translate(_FOLD)


_FOLDS_KEPT_UP_TO = 8192  # characters: a message's new text is folded for several rules, a clause's for a few


@functools.lru_cache(maxsize=128)  # (at most ~1 MB kept)
def _folded(text: str) -> str:
    return text.lower().translate(_FOLD)


_NON_LATIN = re.compile(r"[^\x00-\u024f\u2000-\u206f]")
_SCRIPT_ONLY = re.compile(r"^[()|?:\s\\.{},0-9*+\u0400-\u04ff\u0600-\u06ff\u4e00-\u9fff\u3000-\u303f\uff00-\uffef-]*$")


_NON_LATIN_MEMO: tuple[str, bool] = ("", False)


def _non_latin(text: str) -> bool:
    """Does `text` have Arabic, Cyrillic or CJK characters? Remembered for the clause being read (one tuple,
    replaced whole, so a reader never sees a text paired with another text's answer)."""
    global _NON_LATIN_MEMO
    memo = _NON_LATIN_MEMO
    if memo[0] is text:
        return memo[1]
    value = bool(_NON_LATIN.search(text))
    _NON_LATIN_MEMO = (text, value)
    return value


class Alternatives:
    """Many patterns searched as their alternation would be, fast: `search` finds a match that starts where the
    alternation's leftmost match starts (not always the same alternative), `finditer` finds the alternation's own.

    Built on first use. Parts that begin with a word boundary are merged under one leading \\b, so positions inside
    words fail at once (CPython tries every top-level alternative at every position otherwise: ~10x slower). Parts
    written only in Arabic, Cyrillic or Chinese script are tried only on text that has such characters. And each
    merged alternation is tried only on text that holds one of its needles (see prefilter.py): as `index` finds
    them, when the search is given one shared with others that search the same texts, else by its own scans.
    """

    def __init__(self, parts: Sequence[str], index: NeedleIndex | None = None) -> None:
        self._parts = tuple(parts)
        self._index = index
        if index is not None:
            index.add(self._needles_of_parts)

    def _needles_of_parts(self) -> frozenset[str]:
        return frozenset().union(*(found for part in self.parts if (found := needles(part)) is not None))

    @property
    def parts(self) -> tuple[str, ...]:
        return self._parts

    @functools.cached_property
    def _whole(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in self.parts))

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Every match of the alternation, left to right (none looked for where `search` finds none)."""
        return self._whole.finditer(text) if self.search(text) else iter(())

    @functools.cached_property
    def needles(self) -> frozenset[str] | None:
        """Literals one of which every match of the lexicon contains."""
        return _union_of_needles(self.parts)

    def search(self, text: str) -> re.Match[str] | None:
        """The leftmost match of any part (as one alternation would find it). The first call builds the search,
        which then answers every later call itself."""
        search = self._build()
        self.search = search  # type: ignore[method-assign,assignment]
        return search(text)

    def _group(self, start: str, parts: list[str], end: str = "") -> Callable[[str], re.Match[str] | None]:
        if self._index is None:
            return _prefiltered(start, parts, end)

        def compose(chosen: list[str]) -> str:
            return start + "|".join(f"(?:{p})" for p in chosen) + end

        return Indexed(parts, compose, self._index).search

    def _build(self) -> Callable[[str], re.Match[str] | None]:
        parts = self.parts
        bounded = [p[2:] for p in parts if p.startswith("\\b") and "|" not in _top_level(p)]
        script = [p for p in parts if p not in bounded and not p.startswith("\\b") and _SCRIPT_ONLY.match(p)]
        rest = [p for p in parts if not (p.startswith("\\b") and "|" not in _top_level(p)) and p not in script]
        # Most bounded parts can only begin with a letter (or the apostrophe of "we'll"): those are tried only
        # there, not at every word's end; the few that may begin otherwise keep the plain \b.
        word_parts = [p for p in bounded if _begins_with_word_character(p)]
        others = [p for p in bounded if p not in word_parts]
        # Most clauses contain none of the literals every match needs ("attend", "asist", "be present"…): one scan
        # for those (a trie of plain literals, ~1-3 µs) spares the alternation (up to ~20 µs).
        group = self._group
        latin: list[Callable[[str], re.Match[str] | None]] = []
        if word_parts:
            latin.append(group(r"\b(?=[\w'’])(?:", word_parts, ")"))
        if others:
            latin.append(group(r"\b(?:", others, ")"))
        if rest:
            latin.append(group("", rest))
        in_script = group("", script) if script else None
        index, literals = self._index, _union_of_needles(parts)
        if index is not None and literals is not None and (len(latin) > 1 or in_script is not None):
            inner = self._leftmost(latin, in_script)
            # (most texts hold none of the lexicon's needles: asked once, not of each group)
            return lambda text: inner(text) if not index.found(text).isdisjoint(literals) else None
        if len(latin) == 1 and in_script is None:
            return latin[0]  # the common case: no wrapper
        return self._leftmost(latin, in_script)

    @staticmethod
    def _leftmost(latin: list[Callable[[str], re.Match[str] | None]],
                  in_script: Callable[[str], re.Match[str] | None] | None) -> Callable[[str], re.Match[str] | None]:
        def search(text: str) -> re.Match[str] | None:
            best = None
            for each in latin:
                found = each(text)
                if found and (best is None or found.start() < best.start()):
                    best = found
            if in_script is not None and _non_latin(text):
                found = in_script(text)
                if found and (best is None or found.start() < best.start()):
                    best = found
            return best

        return search


# The needles of every lexicon, found in a text in one pass: the rules that read a clause ask it, not the text.
NEEDLES = NeedleIndex()


class Gate:
    """Could `pattern` (a Compiled matched on the text as written, with or without case) match a text? Asked of the
    text folded, through NEEDLES: no only when the folded text holds none of the pattern's needles, folded (what a
    pattern matches in a text, folded, is in the text folded). A pattern without needles always may."""

    def __init__(self, pattern: Compiled) -> None:
        self._pattern = pattern
        NEEDLES.add(lambda: self.literals or frozenset())

    @functools.cached_property
    def literals(self) -> frozenset[str] | None:
        found = needles(self._pattern.pattern)
        return None if found is None else frozenset(fold(n) for n in found)

    def __call__(self, folded: str) -> bool:
        literals = self.literals
        return literals is None or not NEEDLES.found(folded).isdisjoint(literals)


class Lexicon(Alternatives):
    """The entries of some categories of the language data (lexicon/<xx>/intent.yaml), searched fast: the needles
    of all lexicons are found at once (NEEDLES), and each asks which of its own the text holds."""

    def __init__(self, *categories: str, area: str = "intent") -> None:  # (the parts are read on first use)
        self.categories = categories
        self.area = area
        self._index = NEEDLES
        NEEDLES.add(self._needles_of_parts)

    @functools.cached_property
    def parts(self) -> tuple[str, ...]:
        """Every entry of the categories, set as it matches, in the data's order."""
        return tuple(p for category in self.categories for p in placed(self.area, category))


def _union_of_needles(parts: Sequence[str]) -> frozenset[str] | None:
    """Literals one of which every match of any of `parts` contains (None when a part has none)."""
    each = [needles(p) for p in parts]
    return None if any(n is None for n in each) else frozenset().union(*(n for n in each if n is not None))


class _OnFirstUse:
    """A search built when it is first used: reading the patterns for needles and compiling them takes a few
    hundred milliseconds, which the Lambda functions that import the reader but never read a reply (sender,
    digest, SES events) and most CLI commands should not pay at start."""

    __slots__ = ("_build", "_search")

    def __init__(self, build: Callable[[], Callable[[str], Any]]) -> None:
        self._build: Callable[[], Callable[[str], Any]] | None = build
        self._search: Callable[[str], Any] | None = None

    def __call__(self, text: str) -> Any:
        if self._search is None:
            assert self._build is not None
            self._search, self._build = self._build(), None
        return self._search(text)




def _prefiltered(start: str, parts: list[str], end: str = "") -> Callable[[str], re.Match[str] | None]:
    """The search of `start`, the alternation of `parts`, then `end` (built when its lexicon is first searched):
    tried only on text holding one of the parts' needles (when all parts have some); of a long alternation, only
    the parts whose needles the text holds."""

    def compose(chosen: list[str]) -> str:
        return start + "|".join(f"(?:{p})" for p in chosen) + end

    literals = _union_of_needles(parts)
    if literals is None:
        return re.compile(compose(parts)).search
    if len(parts) >= NARROWED_FROM:
        return Narrowed(parts, compose).search
    search = re.compile(compose(parts)).search
    found = Needles(literals).found
    return lambda text: search(text) if found(text) else None


def _begins_with_word_character(pattern: str) -> bool:
    """Does every match of `pattern` begin with a letter, digit, underscore or apostrophe? (Read from the
    parsed pattern; anything not understood answers no, which is always safe.)"""
    import re._parser as sre_parse  # type: ignore[import-not-found]  # the parser re itself uses

    try:
        starts_word, empty = _first_character(list(sre_parse.parse(pattern)))
    except (re.error, ValueError, TypeError):
        return False
    return starts_word and not empty


def _first_character(items: list[tuple[Any, Any]]) -> tuple[bool, bool]:
    """(every first character is a word character or an apostrophe, the items can match the empty string)."""
    import re._constants as c  # type: ignore[import-not-found]

    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero width: the next item matches first
        if op is c.LITERAL:
            return _STARTS_WORD.match(chr(av)) is not None, False
        if op is c.IN:
            return all(_class_item_starts_word(kind, value, c) for kind, value in av), False
        if op is c.SUBPATTERN:
            ok, empty = _first_character(list(av[3]))
        elif op is c.BRANCH:
            answers = [_first_character(list(alternative)) for alternative in av[1]]
            ok, empty = all(a[0] or a[1] for a in answers), any(a[1] for a in answers)
            ok = ok and all(a[0] for a in answers if not a[1]) and any(not a[1] for a in answers)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, _, inner = av
            ok, empty = _first_character(list(inner))
            empty = empty or low == 0
        else:
            return False, False
        if not ok:
            return False, False
        if not empty:
            return True, False
    return True, True


def _class_item_starts_word(kind: Any, value: Any, c: Any) -> bool:
    if kind is c.LITERAL:
        return _STARTS_WORD.match(chr(value)) is not None
    if kind is c.RANGE:
        return all(_STARTS_WORD.match(chr(code)) for code in range(value[0], value[1] + 1))
    return bool(kind is c.CATEGORY and value in (c.CATEGORY_WORD, c.CATEGORY_DIGIT))


_STARTS_WORD = re.compile(r"[\w'’]")


def _top_level(pattern: str) -> str:
    """The pattern with every parenthesised group removed (to see its top-level alternation)."""
    depth, out, escaped = 0, [], False
    for char in pattern:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)
