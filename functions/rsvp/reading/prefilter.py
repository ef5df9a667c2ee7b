"""Needles: literal strings one of which every match of a pattern must contain — a cheap test before a costly one.

A clause that contains none of a lexicon's needles cannot match it, so the lexicon's big alternation is not
tried there. The needles are read from the pattern itself, as Python's own regex parser sees it (RE2 and
Hyperscan prefilter the same way), and only where that is certain: a pattern with a part that could match
without any fixed text (``\\w+``, ``.{0,60}``, an optional group alone) gets no prefilter and is always tried.
All needles of a lexicon are searched at once through a trie-shaped alternation of plain literals, which the
regex engine dispatches on the first character.
"""

from __future__ import annotations

import functools
import re
import re._constants as _c  # type: ignore[import-not-found]  # the parser re itself uses
import re._parser as _parser  # type: ignore[import-not-found]
from collections.abc import Callable
from typing import Any

_MAX_STRINGS = 64  # an exact set larger than this is not expanded further
_MAX_CLASS = 8  # a character class of up to this many characters is expanded into its characters


class _Info:
    """What is known of the strings a piece of pattern matches: all of them (exact), or some it must contain."""

    __slots__ = ("exact", "required")

    def __init__(self, exact: frozenset[str] | None = None, required: frozenset[str] | None = None) -> None:
        self.exact = exact  # every string it can match (small finite sets only)
        self.required = required  # one of these is in every string it matches (None: nothing certain)

    def needles(self) -> frozenset[str] | None:
        if self.exact is not None:
            return self.exact if all(self.exact) else None
        return self.required


EMPTY = _Info(exact=frozenset({""}))
UNKNOWN = _Info()


def needles(pattern: str) -> frozenset[str] | None:
    """Literal strings, one of which is in every text `pattern` matches, from where the match starts (in the match,
    or in what a lookahead requires right after it: "i(?= \\()" needs "i ("); None when there is no such set)."""
    return _needles(pattern.removeprefix("\\b"))  # a word boundary is zero-width: it adds no needle


@functools.lru_cache(maxsize=1024)  # the lexicons, the clause gate and the tests ask for the same patterns
def _needles(pattern: str) -> frozenset[str] | None:
    try:
        return _sequence(list(_parser.parse(pattern))).needles()
    except (re.error, ValueError, TypeError, RecursionError):
        return None


def _sequence(items: list[tuple[Any, Any]]) -> _Info:
    """A concatenation: exact runs are multiplied out; every run and every item's own needles are candidates."""
    candidates: list[frozenset[str]] = []
    run: frozenset[str] | None = frozenset({""})
    all_exact = True
    for op, av in items:
        if op is _c.ASSERT and av[0] == 1:  # a lookahead: what it requires follows here, then the match goes on
            ahead = _sequence(list(av[1]))  # from the same place
            if ahead.exact is not None and run is not None and len(run) * len(ahead.exact) <= _MAX_STRINGS:
                joined = frozenset(a + b for a in run for b in ahead.exact)
                if all(joined):
                    candidates.append(joined)
            elif ahead.required is not None:
                candidates.append(ahead.required)
            all_exact = False
            if run is not None and all(run):
                candidates.append(run)
            run = frozenset({""})
            continue
        info = _item(op, av)
        if info.exact is not None and run is not None and len(run) * len(info.exact) <= _MAX_STRINGS:
            run = frozenset(a + b for a in run for b in info.exact)
            continue
        all_exact = False
        if run is not None and all(run):
            candidates.append(run)
        run = info.exact if info.exact is not None and len(info.exact) <= _MAX_STRINGS else None
        if info.required is not None:
            candidates.append(info.required)
    if all_exact and run is not None:
        return _Info(exact=run)
    if run is not None and all(run):
        candidates.append(run)
    return _Info(required=_best(candidates)) if candidates else UNKNOWN


def _best(candidates: list[frozenset[str]]) -> frozenset[str]:
    """The most selective: the set a text is least likely to hold one of, a needle of n characters being taken to
    be found half as often as one of n - 1 (up to ten: longer ones are all rare). Sixteen needles of a dozen
    characters ("nao responda a esta", …) are better than one of five ("email")."""
    return min(candidates, key=lambda s: (sum(0.5 ** min(len(n), 10) for n in s), -min(len(n) for n in s)))


def _item(op: Any, av: Any) -> _Info:
    if op is _c.LITERAL:
        return _Info(exact=frozenset({chr(av)}))
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return EMPTY  # zero width
    if op is _c.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is _c.LITERAL:
                chars.add(chr(value))
            elif kind is _c.RANGE and value[1] - value[0] < _MAX_CLASS:
                chars |= {chr(code) for code in range(value[0], value[1] + 1)}
            else:
                return UNKNOWN
        return _Info(exact=frozenset(chars)) if 0 < len(chars) <= _MAX_CLASS else UNKNOWN
    if op is _c.SUBPATTERN:
        return _sequence(list(av[3]))
    if op is _c.BRANCH:
        branches = [_sequence(list(alternative)) for alternative in av[1]]
        if all(b.exact is not None for b in branches):
            union = frozenset().union(*(b.exact for b in branches if b.exact is not None))
            if len(union) <= _MAX_STRINGS:
                return _Info(exact=union)
        required = [b.needles() for b in branches]
        if any(r is None for r in required):
            return UNKNOWN
        return _Info(required=frozenset().union(*(r for r in required if r is not None)))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, high, inner = av
        info = _sequence(list(inner))
        if low == 0:
            if high == 1 and info.exact is not None and len(info.exact) < _MAX_STRINGS:
                return _Info(exact=info.exact | {""})  # optional: x?
            return EMPTY if high == 0 else UNKNOWN
        if low == high == 1:
            return info
        return _Info(required=info.needles())  # at least once
    return UNKNOWN  # \w, ., negated classes, back references…


class Needles:
    """Does a text contain any of these literals? One trie-shaped regex over all of them."""

    def __init__(self, literals: frozenset[str]) -> None:
        # A needle that begins with another is redundant: the shorter is found wherever the longer is.
        minimal = [n for n in literals if not any(n[:end] in literals for end in range(1, len(n)))]
        self.literals = frozenset(minimal)
        self.pattern = _trie(sorted(minimal))
        self._rx = re.compile(self.pattern)
        self.found = self._rx.search

    def __repr__(self) -> str:
        return f"Needles({len(self.literals)})"


def _trie(words: list[str]) -> str:
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a needle ends here (and, being minimal, has nothing below)
    return _emit(tree)


def _emit(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _emit(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    if "" in node:
        return ""  # a needle ends here: what follows is not needed
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"




class Narrowed:
    """A search for the leftmost match of many alternatives that tries only the alternatives whose needles the text
    holds: one scan finds the needles present, and the alternation of just those parts (compiled once per set
    seen, a few dozen sets for a lexicon) is searched. Parts keep their order, and a part left out cannot match the
    text, so the match is the one the whole alternation finds. Parts without needles are always tried."""

    CACHED = 256  # alternations kept compiled

    def __init__(self, parts: list[str], compose: Callable[[list[str]], str]) -> None:
        each = [needles(part) for part in parts]
        scan = Needles(frozenset().union(*(found for found in each if found is not None)))
        owners: dict[str, set[int]] = {}
        for index, found in enumerate(each):
            for literal in found or ():
                # (a needle dropped as redundant is found as the shorter needle it begins with)
                stand_in = next(literal[:end] for end in range(1, len(literal) + 1) if literal[:end] in scan.literals)
                owners.setdefault(stand_in, set()).add(index)
        self._owners = {literal: frozenset(indexes) for literal, indexes in owners.items()}
        self._always = frozenset(index for index, found in enumerate(each) if found is None)
        self._parts = parts
        self._compose = compose
        self._first = scan.found  # the first needle: most texts hold none (and this search skips fast)
        self._every = re.compile(f"(?=({scan.pattern}))").findall  # every needle, overlapping ones too
        self._compiled = functools.lru_cache(maxsize=self.CACHED)(self._compile)

    def _compile(self, chosen: tuple[int, ...]) -> Callable[[str], re.Match[str] | None]:
        return re.compile(self._compose([self._parts[index] for index in chosen])).search

    def search(self, text: str) -> re.Match[str] | None:
        chosen = set(self._always)
        first = self._first(text)
        if first is not None:
            owners = self._owners
            for literal in set(self._every(text, first.start())):
                chosen |= owners[literal]
        return self._compiled(tuple(sorted(chosen)))(text) if chosen else None


NARROWED_FROM = 8  # parts: below this, one alternation behind one needle scan is as fast


class NeedleIndex:
    """Every needle of many searches found in a text in one pass (an Aho-Corasick automaton, pyahocorasick), so that
    each search then asks a set rather than scanning the text itself: a clause is read by some twenty lexicons, and
    one scan (~2 µs) replaces twenty (~1-2 µs each). What a text holds is remembered for the last texts read.

    Sources are added when their searches are made (at import), read when the index is first used; one added later
    rebuilds it."""

    KEPT = 64  # texts whose needles are remembered (a message's clauses, searched by several rules each)
    KEPT_UP_TO = 8192  # characters: a longer text is scanned each time it is asked about (at most ~1 MB kept)

    def __init__(self) -> None:
        self._sources: list[Callable[[], frozenset[str]]] = []
        self._automaton: Any = None
        self._memo: dict[str, frozenset[str]] = {}

    def add(self, source: Callable[[], frozenset[str]]) -> None:
        self._sources.append(source)
        self._automaton = None
        self._memo = {}  # (what the texts held of the needles known until now)

    def _build(self) -> Any:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for literal in sorted(frozenset().union(*(source() for source in self._sources))):
            automaton.add_word(literal, literal)
        if len(automaton):
            automaton.make_automaton()
        self._memo = {}
        return automaton

    def literals(self) -> frozenset[str]:
        """Every needle the index finds."""
        if self._automaton is None:
            self._automaton = self._build()
        return frozenset(self._automaton.keys())

    def found(self, text: str) -> frozenset[str]:
        """The needles `text` holds."""
        memo = self._memo
        known = memo.get(text)
        if known is not None:
            return known
        automaton = self._automaton
        if automaton is None:
            automaton = self._automaton = self._build()
            memo = self._memo
        known = frozenset(literal for _, literal in automaton.iter(text)) if len(automaton) else frozenset()
        if len(text) <= self.KEPT_UP_TO:
            if len(memo) >= self.KEPT:
                memo.clear()
            memo[text] = known
        return known


class Indexed:
    """The search of `compose(parts)` for texts that hold one of their needles, as an index finds them: of a long
    alternation, only the parts whose needles the text holds are tried (as in Narrowed). Parts without needles are
    always tried."""

    CACHED = 256  # alternations kept compiled

    def __init__(self, parts: list[str], compose: Callable[[list[str]], str], index: NeedleIndex) -> None:
        each = [needles(part) for part in parts]
        owners: dict[str, set[int]] = {}
        for position, found in enumerate(each):
            for literal in found or ():
                owners.setdefault(literal, set()).add(position)
        self._owners = {literal: frozenset(positions) for literal, positions in owners.items()}
        self._literals = frozenset(owners)
        self._always = tuple(position for position, found in enumerate(each) if found is None)
        self._parts = parts
        self._compose = compose
        self._index = index
        self._narrow = len(parts) >= NARROWED_FROM
        self._whole = re.compile(compose(parts)).search
        self._compiled = functools.lru_cache(maxsize=self.CACHED)(self._compile)

    @property
    def literals(self) -> frozenset[str]:
        return self._literals

    def _compile(self, chosen: tuple[int, ...]) -> Callable[[str], re.Match[str] | None]:
        return re.compile(self._compose([self._parts[position] for position in chosen])).search

    def search(self, text: str) -> re.Match[str] | None:
        if self._always and not self._narrow:
            return self._whole(text)
        found = self._index.found(text)
        if found.isdisjoint(self._literals):
            return self._compiled(self._always)(text) if self._always else None
        if not self._narrow:
            return self._whole(text)
        owners = self._owners
        chosen = set(self._always)
        for literal in found:
            positions = owners.get(literal)
            if positions is not None:
                chosen |= positions
        return self._compiled(tuple(sorted(chosen)))(text)
