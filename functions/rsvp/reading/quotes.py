"""Keep only what the sender wrote now.

Quoted lines ("> ") are dropped wherever they are, so top-posted, bottom-posted and inline answers
all survive. An attribution line ("On … wrote:", "El … escribió:", "Le … a écrit :", "Em … escreveu:",
"…于…写道：") is dropped with its quote. An Outlook/Lotus header block (From:/Sent:/To:/Subject: in
any of our languages), "Original Message" and "Forwarded message" separators end the new text:
what follows them is the earlier message, unquoted. Signatures and legal disclaimers are dropped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from .lexicon import alternation, patterns, words

_C = r"\s*[:：]"  # ASCII or full-width colon (Chinese and Japanese clients)


class _Patterns:
    """The patterns of quoted text, built on first use from the language data (lexicon/<language>/quotes.yaml):
    every field is matched on lower-cased lines (re.I costs several times more)."""

    def __init__(self) -> None:
        verbs_bounded = alternation("quotes", "attribution_verbs", "words")
        verbs_anywhere = alternation("quotes", "attribution_verbs", "anywhere")
        openers = words("quotes", "attribution_openers")
        self.attribution = re.compile(
            "^(?:" + "|".join(f"(?:{p}){_C}" for p in patterns("quotes", "attribution")) +
            rf"|.{{0,250}}\b{verbs_bounded}{_C}|.{{0,250}}{verbs_anywhere}{_C})\s*$")
        self.openings = tuple(openers)  # plain words: a line that starts with none is no wrapped attribution
        self.attribution_start = re.compile("^" + alternation("quotes", "attribution_openers") + r"\b.{0,200}$")
        self.attribution_end = re.compile(alternation("quotes", "attribution_verbs") + r"\s*[:：]\s*$")
        self.separator = re.compile(r"^[-=_*\s]*" + alternation("quotes", "separators") + r"[-=_*\s:]*$")
        from_fields = alternation("quotes", "from_fields")
        self.header_field = re.compile(r"^\*?(?:" + from_fields + "|" + alternation("quotes", "header_fields") +
                                       r")\*?" + _C)
        self.from_field = re.compile(r"^\*?" + from_fields + r"\*?" + _C + r"\s*\S")
        self.signature = re.compile("^" + alternation("quotes", "signatures") + "$")
        self.disclaimer = re.compile("^" + alternation("quotes", "disclaimers"))


@functools.cache
def _patterns() -> _Patterns:
    return _Patterns()


_QUOTED = re.compile(r"^\s*(>|\|(?!\s*\w+\s*\|))")


# Lines looked at: the answer is at the top, or under the quoted lines it answers. Our longest text has 320 lines;
# a reply under 10,000 lines of quoted thread is not one anybody wrote (and each line costs ~2 µs).
MOST_LINES = 10_000


_BIDI_MARK = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def new_text(text: str, limit: int | None = None) -> str:
    """The sender's own words in a reply (about the first `limit` characters of them, cut at a line's end; a
    line longer than `limit` is read that far), among its first MOST_LINES lines. Lines are split only as far as
    they are read."""
    found = _patterns()
    if _BIDI_MARK.search(text):  # "‫في 4 فبراير … كتب …:‬": the marks a right-to-left client sets around a line
        text = _BIDI_MARK.sub("", text)
    lines = _Lines(text, limit if limit is not None else len(text) + 1)
    kept: list[str] = []
    in_signature = False
    index = 0
    room = limit if limit is not None else len(text) + 1
    split = lines.lines  # (read directly while split: a call per line costs more than reading it)
    while index < MOST_LINES and room > 0:
        line = split[index] if index < len(split) else lines.get(index)
        if line is None:
            break
        line, step = _wrapped_attribution(found, lines, index, line)
        stripped = line.strip()
        if _QUOTED.match(line):
            in_signature = False  # a signature ends where the quote resumes (inline answers)
            index += step
            continue
        low = stripped.lower()  # every pattern here is lower-case (re.I costs several times more)
        if low.endswith((":", "：")) and found.attribution.match(low):
            if not _quote_follows(lines, index + step):
                break  # the earlier message follows unquoted
            index += step
            continue
        if low and (found.separator.match(low) or _header_block_starts(found, lines, index, low)):
            break
        if low and (found.signature.match(low) or found.disclaimer.match(low)):
            in_signature = True
        if not in_signature:
            kept.append(line.rstrip())
            room -= len(line) + 1
        index += step
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


_LINE_END = re.compile(r"\r\n?|\n")
_CHUNK = 8192  # characters split at once: most texts whole


class _Lines:
    """The lines of a text (ended by LF, CRLF or CR), each at most `width` characters, split as they are asked
    for, a few kilobytes at a time: a reply is read from its top, and only so far (a line of megabytes is split
    off alone, and only its first `width` characters are kept)."""

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = width
        self.lines: list[str] = []
        self.at = 0  # where the next line starts; past the end when every line is split

    def get(self, index: int) -> str | None:
        while len(self.lines) <= index and self.at <= len(self.text):
            self._split_more()
        return self.lines[index] if index < len(self.lines) else None

    def _split_more(self) -> None:
        text, at, width = self.text, self.at, self.width
        end = text.find("\n", at + _CHUNK)  # a chunk ends with a line feed, so no CRLF is cut in two
        last = end < 0
        if (len(text) if last else end) - at > 4 * _CHUNK:  # a very long line in it
            found = _LINE_END.search(text, at)
            stop = found.start() if found else len(text)
            self.lines.append(text[at:min(stop, at + width)])
            self.at = found.end() if found else len(text) + 1
            return
        lines = (text[at:] if last else text[at:end + 1]).replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if not last:
            lines.pop()  # the empty string after the chunk's last line feed: the next chunk starts there
        self.lines += lines if max(map(len, lines)) <= width else [line[:width] for line in lines]
        self.at = len(text) + 1 if last else end + 1

    def following(self, start: int, count: int) -> list[str]:
        """Up to `count` lines from `start`."""
        out = []
        for index in range(start, start + count):
            line = self.get(index)
            if line is None:
                break
            out.append(line)
        return out


def _quote_follows(lines: _Lines, start: int) -> bool:
    for line in lines.following(start, 4):
        if line.strip():
            return bool(_QUOTED.match(line))
    return True  # nothing follows: the attribution was the last line


def _header_block_starts(found: _Patterns, lines: _Lines, index: int, low: str) -> bool:
    """An Outlook or Lotus header block: From: followed by two more header fields (Sent/To/Subject…)."""
    if not found.from_field.match(low):
        return False
    following = [line.strip().lower() for line in lines.following(index + 1, 6) if line.strip()]
    return sum(bool(found.header_field.match(line)) for line in following[:5]) >= 2


def _wrapped_attribution(found: _Patterns, lines: _Lines, index: int, line: str) -> tuple[str, int]:
    """Gmail and Thunderbird wrap a long 'On … wrote:' over two or three lines: the line at `index` with
    those it continues into, and how many lines that is."""
    low = line.strip().lower()
    if not low.startswith(found.openings) or not found.attribution_start.match(low) or found.attribution_end.search(
            line.lower()):
        return line, 1
    for extra in (1, 2):
        parts = lines.following(index, extra + 1)
        candidate = " ".join(part.strip() for part in parts)
        if len(parts) == extra + 1 and found.attribution_end.search(parts[extra].lower()) and len(candidate) < 400:
            return candidate, extra + 1
    return line, 1



EARLIER_LIMIT = 100_000  # characters of a thread looked through for the message under the new text
_ONE_LEVEL = re.compile(r"^\s*(?:>|\|(?!\s*\w+\s*\|)) ?")  # one level of quoting


def earlier_message(text: str, unless: Callable[[str], bool] | None = None,
                    through: Callable[[str], bool] | None = None) -> tuple[str, str]:
    """The message quoted just under the new text: the lines that say who wrote it (an attribution, "On … X wrote:",
    or a header block, "From: … Sent: …") and its own words, as new_text reads them; ("", "") when none is found.
    Quoted lines ("> ") are read one level down. When `through(who)` holds, the message quoted under that one is
    read instead (once: the desk's question quoting the answer it asks about). When `unless(who)` holds, its words
    are not read (who, "")."""
    who, lines = _earlier_lines(text)
    if through is not None and through(who):
        who, lines = _earlier_lines("\n".join(lines())[:EARLIER_LIMIT])
    return (who, "") if unless is not None and unless(who) else (who, new_text("\n".join(lines())))


def _earlier_lines(text: str) -> tuple[str, Callable[[], list[str]]]:
    """Who wrote the message under the new text, and its lines, read when asked for."""
    found = _patterns()
    lines = _Lines(text[:EARLIER_LIMIT], EARLIER_LIMIT)
    index = 0
    who = ""
    while index < MOST_LINES:
        line = lines.get(index)
        if line is None:
            return "", list
        line, step = _wrapped_attribution(found, lines, index, line)
        low = line.strip().lower()
        if _QUOTED.match(line):
            if not who:  # Apple Mail quotes its attribution too: "> On 29 Jan 2021, at 11:05, X wrote:"
                inner = _ONE_LEVEL.sub("", line, count=1).strip()
                if inner.lower().endswith((":", "：")) and found.attribution.match(inner.lower()):
                    return inner, functools.partial(_one_level_down, lines, index + 1)
            return who, functools.partial(_one_level_down, lines, index)
        if low.endswith((":", "：")) and found.attribution.match(low):
            who = line.strip()
            if not _quote_follows(lines, index + step):
                return who, functools.partial(lines.following, index + step, MOST_LINES)
        elif low and _header_block_starts(found, lines, index, low):
            block = lines.following(index, 8)  # the header block ends at its last field (Sent:, To:, Subject:…)
            end = 1 + max(i for i, field in enumerate(block) if found.header_field.match(field.strip().lower()))
            return " ".join(f.strip() for f in block[:end] if f.strip()), functools.partial(
                lines.following, index + end, MOST_LINES)
        index += step
    return "", list


def _one_level_down(lines: _Lines, start: int) -> list[str]:
    """The quoted lines from `start` on, one level of quoting taken off."""
    quoted = []
    for following in lines.following(start, MOST_LINES - start):
        if following.strip() and not _QUOTED.match(following):
            break
        quoted.append(_ONE_LEVEL.sub("", following, count=1))
    return quoted
