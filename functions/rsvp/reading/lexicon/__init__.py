"""The reader's language data: one folder per language, one file per area of the reader, checked by a schema.

`reading/lexicon/<language>/<area>.yaml` holds, for each category the schema (`schema.yaml`) names for that
area, the entries (regular expressions over folded text), how they match (whole words, anywhere, or at the
start), and examples the category must and must not find. The engine here knows no language: it validates the
files, then builds one matcher per category on first use, from every language's entries in LANGUAGES order.

Adding a language is adding its folder; nothing else.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # yaml itself is imported on first use: importing the reader stays cheap
    import yaml

HERE = Path(__file__).resolve().parent
# Every folder here is a language (its code), tried in alphabetical order; `common` (what no language owns) last.
LANGUAGES = tuple(sorted((p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))),
                         key=lambda name: (name == "common", name)))
# How an entry is set in the text: a whole word or phrase (\b on both sides), beginning at a word's start only
# (\b before it: "our delegation:" at a line's end), anywhere, or at the start of the text.
MATCHES = ("words", "word_start", "anywhere", "start")
_PLACED = {"words": r"\b(?:{})\b", "word_start": r"\b(?:{})", "anywhere": "(?:{})", "start": "^(?:{})"}
CATEGORY_KEYS = frozenset({"entries", "match", "examples", "not"})
SCHEMA_KEYS = frozenset({"kind", "match", "text", "per_language", "description"})
# "patterns": regular expressions; "words": plain strings; "values": plain strings each naming a value
# (`- {two: 2}`: the number a word stands for).
KINDS = ("patterns", "words", "values")
# What the reader hands a category: fold(text) (the default), text.lower(), or the text as written.
TEXTS = ("folded", "lowered", "original")


class LexiconError(ValueError):
    """A language file that does not follow the schema: names the file, the line and the entry."""


@dataclass(frozen=True)
class Entry:
    pattern: str
    match: str
    language: str
    where: str  # "path:line"
    value: str | None = None  # what a "values" entry stands for


@dataclass(frozen=True)
class Example:
    text: str
    found: bool  # the category must find it (True) or must not (False)
    language: str
    where: str


@dataclass(frozen=True)
class Category:
    area: str
    name: str
    entries: tuple[Entry, ...]
    examples: tuple[Example, ...]


def _where(path: Path, node: yaml.Node) -> str:
    try:
        shown = path.relative_to(HERE.parent.parent.parent)
    except ValueError:
        shown = path
    return f"{shown}:{node.start_mark.line + 1}"


def _mapping(node: yaml.Node, path: Path, what: str) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        raise LexiconError(f"{_where(path, node)}: {what} must be a mapping")
    pairs = []
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise LexiconError(f"{_where(path, key)}: {what}: keys must be plain names")
        pairs.append((key, value))
    return pairs


def _strings(node: yaml.Node, path: Path, what: str) -> list[tuple[str, str]]:
    """A list of strings, each with where it is written."""
    import yaml

    if not isinstance(node, yaml.SequenceNode):
        raise LexiconError(f"{_where(path, node)}: {what} must be a list")
    out = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or item.tag != "tag:yaml.org,2002:str" or not item.value.strip():
            raise LexiconError(f"{_where(path, item)}: {what}: each item must be a non-empty string")
        out.append((item.value, _where(path, item)))
    return out


def _entries(node: yaml.Node, path: Path, what: str) -> list[tuple[str, str, str | None]]:
    """A category's entries: strings, each matched as the category says, or one-key mappings that say how that
    entry is matched (`- {anywhere: '...'}`)."""
    import yaml

    if not isinstance(node, yaml.SequenceNode):
        raise LexiconError(f"{_where(path, node)}: {what} must be a list")
    out: list[tuple[str, str, str | None]] = []
    for item in node.value:
        if isinstance(item, yaml.MappingNode):
            pairs = _mapping(item, path, what)
            if len(pairs) != 1 or pairs[0][0].value not in MATCHES:
                raise LexiconError(f"{_where(path, item)}: {what}: an entry written as a mapping has one key, how it "
                                   f"matches ({', '.join(MATCHES)})")
            key, value = pairs[0]
            wrapper = yaml.SequenceNode("tag:yaml.org,2002:seq", [value], item.start_mark, item.end_mark)
            out += [(pattern, where, key.value) for pattern, where in _strings(wrapper, path, what)]
        else:
            wrapper = yaml.SequenceNode("tag:yaml.org,2002:seq", [item], item.start_mark, item.end_mark)
            out += [(pattern, where, None) for pattern, where in _strings(wrapper, path, what)]
    return out


def _values(node: yaml.Node, path: Path, what: str) -> list[tuple[str, str, str | None]]:
    """A "values" category's entries: one-key mappings, the word and what it stands for (`- {two: 2}`)."""
    import yaml

    if not isinstance(node, yaml.SequenceNode):
        raise LexiconError(f"{_where(path, node)}: {what} must be a list")
    out: list[tuple[str, str, str | None]] = []
    for item in node.value:
        pairs = _mapping(item, path, what) if isinstance(item, yaml.MappingNode) else []
        if (len(pairs) != 1 or not pairs[0][0].value.strip() or not isinstance(pairs[0][1], yaml.ScalarNode)
                or not pairs[0][1].value.strip()):
            raise LexiconError(f"{_where(path, item)}: {what}: each entry is a word and its value ({{two: 2}})")
        out.append((pairs[0][0].value, _where(path, item), pairs[0][1].value))
    return out


def _loader() -> Any:
    """libyaml's safe loader where PyYAML has it (about ten times faster: the data is read in a fresh process
    before its first message), else PyYAML's own."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def schema() -> dict[str, dict[str, dict[str, str]]]:
    import yaml

    loaded = yaml.load((HERE / "schema.yaml").read_text(encoding="utf-8"), Loader=_loader())  # noqa: S506 - safe
    for area, categories in loaded.items():
        for name, spec in categories.items():
            if not isinstance(name, str):  # YAML 1.1 reads a bare yes, no, on or off as a boolean
                raise LexiconError(f"schema.yaml: {area}: category {name!r} must be a name (quote it)")
            unknown = set(spec) - SCHEMA_KEYS
            count = spec.get("per_language", 1)
            if (unknown or spec.get("kind") not in KINDS or spec.get("match", "words") not in MATCHES
                    or spec.get("text", "folded") not in TEXTS or not isinstance(count, int) or count < 1):
                raise LexiconError(f"schema.yaml: {area}.{name}: kind {'|'.join(KINDS)}, match {'|'.join(MATCHES)}, "
                                   f"text {'|'.join(TEXTS)}, per_language (a number), description "
                                   f"(unknown: {sorted(unknown)})")
    return loaded  # type: ignore[no-any-return]


def read_file(path: Path, language: str, area: str, check_patterns: bool = True) -> dict[str, Category]:
    """One language's file for an area, validated: every category known, every entry a valid pattern. The reader
    loads its shipped files without compiling each entry alone (`check_patterns=False`: over a thousand
    compilations, half the first message's cost); the test suite holds every shipped file to the full check
    (tests/unit/test_lexicon.py), as it holds the code."""
    import yaml

    known = schema().get(area)
    if known is None:
        raise LexiconError(f"{path}: no area '{area}' in the schema (areas: {', '.join(sorted(schema()))})")
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise LexiconError(f"{path}{line}: not YAML: {getattr(exc, 'problem', None) or exc}") from exc
    out: dict[str, Category] = {}
    if root is None:
        return out
    for key, value in _mapping(root, path, "the file"):
        name = key.value
        if name not in known:
            raise LexiconError(f"{_where(path, key)}: unknown category '{name}' (area {area} has: "
                               f"{', '.join(known)})")
        spec = known[name]
        fields = {k.value: (k, v) for k, v in _mapping(value, path, f"category '{name}'")}
        for field_name, (field_key, _) in fields.items():
            if field_name not in CATEGORY_KEYS:
                raise LexiconError(f"{_where(path, field_key)}: {name}: unknown key '{field_name}' "
                                   f"(keys: {', '.join(sorted(CATEGORY_KEYS))})")
        if "entries" not in fields:
            raise LexiconError(f"{_where(path, key)}: {name}: no entries")
        match = spec.get("match", "words")
        if "match" in fields:
            match_node = fields["match"][1]
            match = getattr(match_node, "value", "")
            if match not in MATCHES:
                raise LexiconError(f"{_where(path, match_node)}: {name}: match must be one of {', '.join(MATCHES)}")
        entries = []
        read = _values if spec["kind"] == "values" else _entries
        for pattern, where, own in read(fields["entries"][1], path, f"{name}.entries"):
            if check_patterns and spec["kind"] == "patterns":
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise LexiconError(f"{where}: {name}: entry {pattern!r} is not a valid pattern: {exc}") from exc
            if spec["kind"] == "values":
                entries.append(Entry(pattern, match, language, where, own))
            else:
                entries.append(Entry(pattern, own or match, language, where))
        if "per_language" in spec and len(entries) != int(spec["per_language"]):
            raise LexiconError(f"{_where(path, key)}: {name}: {len(entries)} entries, the schema asks for exactly "
                               f"{spec['per_language']} (the n-th entry means the n-th one in every language)")
        examples = [Example(t, True, language, w) for t, w in
                    (_strings(fields["examples"][1], path, f"{name}.examples") if "examples" in fields else [])]
        examples += [Example(t, False, language, w) for t, w in
                     (_strings(fields["not"][1], path, f"{name}.not") if "not" in fields else [])]
        out[name] = Category(area, name, tuple(entries), tuple(examples))
    return out


@functools.cache
def area(name: str) -> dict[str, Category]:
    """Every category of an area, with the entries of every language (LANGUAGES order)."""
    merged: dict[str, list[Category]] = {category: [] for category in schema()[name]}
    for language in LANGUAGES:
        path = HERE / language / f"{name}.yaml"
        if path.exists():
            for category, read in read_file(path, language, name, check_patterns=False).items():
                merged[category].append(read)
    return {category: Category(name, category, tuple(e for part in parts for e in part.entries),
                               tuple(x for part in parts for x in part.examples))
            for category, parts in merged.items()}


def matcher(area_name: str, category: str) -> Callable[[str], bool]:
    """Does the text (folded or lowered, as the schema says) hold one of the category's entries? (`start`:
    does it begin with one.) Built on first use; a text without any literal every entry needs is passed by at once."""
    return lambda text: bool(_gate(area_name, category)(text)) and any(
        test(text) for test in _tests(area_name, category))


@functools.cache
def _gate(area_name: str, category: str) -> Callable[[str], object]:
    from ..prefilter import Needles, needles

    literal = _literal(area_name, category)
    found = [needles(re.escape(e.pattern) if literal else e.pattern) for e in area(area_name)[category].entries]
    if not found or any(n is None or not all(n) for n in found):
        return lambda text: True
    return Needles(frozenset(x for n in found if n for x in n)).found


@functools.cache
def _tests(area_name: str, category: str) -> tuple[Callable[[str], Any], ...]:
    tests: list[Callable[[str], Any]] = []
    # A plain word may begin or end with a mark ("n°", "but "): it is found where no letter touches it.
    whole = r"(?<!\w)(?:{})(?!\w)" if _literal(area_name, category) else r"\b(?:{})\b"
    for mode, template in (("start", "(?:{})"), ("words", whole), ("word_start", r"\b(?:{})"),
                           ("anywhere", "{}")):
        chosen = patterns(area_name, category, mode)
        if chosen:
            compiled = re.compile(template.format("|".join(f"(?:{p})" for p in chosen)))
            tests.append(compiled.match if mode == "start" else compiled.search)
    return tuple(tests)


def words(area_name: str, category: str) -> list[str]:
    """A "words" category's entries as written (every language, LANGUAGES order)."""
    return [e.pattern for e in area(area_name)[category].entries]


@functools.cache
def words_by_language(area_name: str, category: str) -> dict[str, tuple[str, ...]]:
    """A "words" category's entries as written, language by language (LANGUAGES order)."""
    out: dict[str, list[str]] = {}
    for e in area(area_name)[category].entries:
        out.setdefault(e.language, []).append(e.pattern)
    return {language: tuple(found) for language, found in out.items()}


def patterns(area_name: str, category: str, match: str | None = None) -> list[str]:
    """The category's entries as patterns (every language, LANGUAGES order; a "words" category's escaped), those
    matched as `match` only when given: for a part of the reader that sets them in a structure of its own (a
    quoted header's "Name:", a line's end)."""
    literal = _literal(area_name, category)
    return [re.escape(e.pattern) if literal else e.pattern for e in area(area_name)[category].entries
            if match is None or e.match == match]


def placed(area_name: str, category: str) -> list[str]:
    """Each entry set as it matches (every language, LANGUAGES order): r"\\b(?:p)\\b" for whole words, r"\\b(?:p)"
    from a word's start, "(?:p)" anywhere, "^(?:p)" at the start; for a matcher of its own (intent.Lexicon)."""
    literal = _literal(area_name, category)
    return [_PLACED[e.match].format(re.escape(e.pattern) if literal else e.pattern)
            for e in area(area_name)[category].entries]


def _literal(area_name: str, category: str) -> bool:
    return schema()[area_name][category]["kind"] in ("words", "values")


@functools.cache
def values(area_name: str, category: str) -> dict[str, str]:
    """A "values" category as a lookup: each word, lower-cased, and what it stands for (every language)."""
    return {e.pattern.lower(): e.value or "" for e in area(area_name)[category].entries}


@functools.cache
def by_language(area_name: str, category: str) -> dict[str, tuple[str, ...]]:
    """The category's entries as patterns, language by language (LANGUAGES order): for a category whose entries
    mean something by their place (`per_language`: the twelve months), or for patterns tried one language at a
    time."""
    literal = _literal(area_name, category)
    out: dict[str, list[str]] = {}
    for e in area(area_name)[category].entries:
        out.setdefault(e.language, []).append(re.escape(e.pattern) if literal else e.pattern)
    return {language: tuple(found) for language, found in out.items()}


def alternation(area_name: str, category: str, match: str | None = None) -> str:
    """The entries as one non-capturing alternation, for a pattern built around them."""
    return "(?:" + "|".join(f"(?:{p})" for p in patterns(area_name, category, match)) + ")"


class Compiled:
    """A regular expression written around language data, compiled on first use (importing the reader reads no
    file). `build` returns the pattern; each attribute (`search`, `match`, `pattern`…), once looked up, is the
    compiled pattern's own, so later calls cost what a plain compiled pattern's do."""

    def __init__(self, build: Callable[[], str], flags: int = 0) -> None:
        self._build = build
        self._flags = flags

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = self.__dict__.setdefault("_compiled", re.compile(self._build(), self._flags))
        value = getattr(compiled, name)
        setattr(self, name, value)
        return value
