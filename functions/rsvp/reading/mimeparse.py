"""A fast path to the same message tree Python's email parser builds, for mail with a regular shape.

``email.message_from_bytes`` (the compat32 feedparser) reads a message one line at a time in Python, so a
mail with a 300 KB attachment costs thousands of steps before anything is read. Here the structure is found
with a few regular-expression scans over the bytes instead: the header block, the boundary lines of each
multipart, the header blocks of a delivery-status report. The result is built from plain
``email.message.Message`` objects with the same headers (``set_raw``: the values exactly as the feedparser
stores them), payloads, preambles, default types and the defects the reader looks at, so everything
downstream behaves as it would with the standard parser.

Whatever is irregular (a bare CR line ending, an mbox "From " line inside the headers, a header line starting with a
colon, boundary lines back to back, nesting deeper than 40)
is left to the standard parser: ``parse_bytes`` returns None and the caller falls back. The two agree on
every message of the corpora (``tests/unit/test_mimeparse.py`` compares them tree by tree).

``read_tree`` is what the reader calls: this parser; else the standard one, when the message is small and shallow
enough for it (it steps through every line in Python, checking each against every boundary open above it, and
recurses per level: 2 s for 1 MiB nested 40 deep, RecursionError at a few hundred levels, and exceptions of its
own on odd parameters); else, or when it fails, this parser again in its lenient mode, which decides each
irregular case itself and never steps aside. Each way, the message read is bounded (see the limits below) and
what was left unread is said in ``Tree.notes``.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import errors
from email.message import Message
from email.utils import unquote

# feedparser's headerRE, one line at a time: a field name and a colon, or a continuation line.
_HEADER_LINES = re.compile(rb"(?:(?:[\041-\071\073-\176]+:|[ \t])[^\n]*(?:\n|\Z))*")
_FIELD_BREAK = re.compile(r"\r?\n(?![ \t])")
_BARE_CR = re.compile(rb"\r(?!\n)")

# Limits on what is read of one message. None of them is met by any mail we have (the largest header block, a
# test message of mailgun's, is 205 KiB; the most parts, 3,043 in its "enclosed-endless"; the deepest, 4 levels).
# Past each, the rest is not parsed and a note says so: a reply's answer is in its first text part, near the top.
MAX_DEPTH = 40  # levels of multipart and message/* parts
MAX_PARTS = 10_000  # parts, and blocks of delivery-status reports (each a Message of its own, ~1 KiB)
MAX_HEADER_BYTES = 2**20  # header fields, over all the parts (each field a string and a list entry)
# The standard parser is used for irregular mail only while its cost stays small: lines x (levels + 1).
STANDARD_PARSER_BYTES = 2**20
STANDARD_PARSER_WORK = 300_000
_NESTING = re.compile(rb"content-type[ \t]*:[ \t\r\n]*(?:multipart|message)/", re.I)


class _Irregular(Exception):
    """Something the standard parser has a special rule for: let it decide."""


def parse_bytes(raw: bytes) -> Message | None:
    """The compat32 message tree of ``raw``, or None when the standard parser should read it."""
    tree = parse_tree(raw)
    return tree[0] if tree else None


# Each part's content type and Content-Disposition value, by id(part), as the parser saw them (the reader would
# otherwise ask each part again, and Message.get re-scans its headers for every question).
PartKinds = dict[int, tuple[str, "str | None"]]


def parse_tree(raw: bytes) -> tuple[Message, PartKinds] | None:
    """parse_bytes, with the kinds of its parts."""
    tree = _fast(raw, lenient=False)
    return (tree.message, tree.kinds) if tree else None


@dataclass
class Tree:
    message: Message
    kinds: PartKinds = field(default_factory=dict)  # empty when the standard parser built the tree
    notes: list[str] = field(default_factory=list)  # what was not read, and why, in words


def read_tree(raw: bytes) -> Tree:
    """The message tree, by whichever parser can build it at a bounded cost (see the module's docstring)."""
    tree = _fast(raw, lenient=False)
    if tree is not None:
        return tree
    notes = []
    if len(raw) <= STANDARD_PARSER_BYTES:
        nesting = len(_NESTING.findall(raw))
        if nesting <= MAX_DEPTH and (raw.count(b"\n") + raw.count(b"\r") + 1) * (nesting + 1) <= STANDARD_PARSER_WORK:
            try:
                return Tree(email.message_from_bytes(raw))
            except Exception as exc:  # RecursionError; UnicodeError, ValueError from odd parameters ("undefined")
                notes.append(f"the standard parser failed ({type(exc).__name__}: {str(exc)[:200]}): read leniently")
    lenient = _fast(raw, lenient=True)
    assert lenient is not None  # the lenient parser never steps aside
    lenient.notes[:0] = notes
    return lenient


def _fast(raw: bytes, *, lenient: bool) -> Tree | None:
    if b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n"):
        if not lenient:
            return None
        raw = _BARE_CR.sub(b"\n", raw)  # as the standard parser reads them: each bare CR ends a line
    parser = _Parser(raw, lenient)
    try:
        message = parser.read()
    except _Irregular:
        return None
    if message.get_content_maintype() == "multipart" and not message.is_multipart():
        message.defects.append(errors.MultipartInvariantViolationDefect())
    return Tree(message, parser.kinds, list(dict.fromkeys(parser.notes)))


class _Parser:
    """Reads one message. Every part is a range of the one buffer (lo, hi): nothing is copied but the header
    blocks read and each leaf's payload, once (a 30 MB attachment nested 30 levels deep was copied at each)."""

    def __init__(self, buffer: bytes, lenient: bool = False) -> None:
        self.buffer = buffer
        # Lenient: what the standard parser has a special rule for is decided here (a header line the feedparser
        # treats specially ends the headers; back-to-back boundary lines hold no part; an empty or unusable boundary
        # is none; nesting past MAX_DEPTH is not read) instead of raising _Irregular.
        self.lenient = lenient
        self.notes: list[str] = []
        self.parts = 0
        self.header_bytes = MAX_HEADER_BYTES  # still to read
        # The message created last: RFC 2046 gives the line break before a boundary to the boundary, and the
        # feedparser takes it from this one (a leaf's payload, a nested multipart's epilogue, the innermost of
        # a message/rfc822, the last block of a delivery-status report).
        self.last: Message | None = None
        self.last_is_multipart = False
        self.leaf: tuple[Message, int, int] | None = None  # the last message when it is a leaf: its payload is set
        self.kinds: PartKinds = {}  # when the next message is made, or with the line break given away

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def read(self) -> Message:
        message = self.message(0, len(self.buffer), "text/plain", 0)
        self.set_leaf_payload(chomp=False)
        return message

    def message(self, lo: int, hi: int, default_type: str, depth: int) -> Message:
        if depth > MAX_DEPTH and not self.lenient:
            raise _Irregular("nested too deeply")
        if self.leaf is not None:
            self.set_leaf_payload(chomp=False)
        self.parts += 1
        message = Message()
        self.last, self.last_is_multipart = message, False
        if default_type != "text/plain":
            message.set_default_type(default_type)
        fields: dict[str, str] = {}
        body = _headers(message, self.buffer, lo, hi, fields, self.header_bytes, self.notes, self.lenient)
        self.header_bytes -= min(self.header_bytes, body - lo)
        ctype = _content_type(message, fields.get("content-type"))
        self.kinds[id(message)] = (ctype, fields.get("content-disposition"))
        maintype = ctype.partition("/")[0]
        if maintype in ("multipart", "message") and depth >= MAX_DEPTH:
            self.note(f"nested deeper than {MAX_DEPTH} levels: the parts below were not read")
            message.set_payload("")
        elif maintype == "multipart":
            self.last_is_multipart = True
            self.multipart(message, ctype, body, hi, depth)
        elif maintype == "message":
            if ctype == "message/delivery-status":
                blocks: list[Message | str] = []
                for block_lo, block_hi in _blocks(self.buffer, body, hi):
                    if self.parts >= MAX_PARTS:
                        self.note(f"more than {MAX_PARTS:,} parts: the rest were not read")
                        break
                    blocks.append(self.message(block_lo, block_hi, "text/plain", depth + 1))
                message.set_payload(blocks)
            else:
                message.set_payload([self.message(body, hi, "text/plain", depth + 1)])
        else:
            self.leaf = (message, body, hi)
        return message

    def text(self, lo: int, hi: int) -> str:
        return str(memoryview(self.buffer)[lo:hi], "ascii", "surrogateescape")

    def set_leaf_payload(self, *, chomp: bool) -> None:
        if self.leaf is not None:
            message, lo, hi = self.leaf
            self.leaf = None
            message.set_payload(self.text(lo, _chomped(self.buffer, lo, hi) if chomp else hi))

    def multipart(self, message: Message, ctype: str, lo: int, hi: int, depth: int) -> None:
        buffer = self.buffer
        try:
            boundary = _boundary(message)
            separator = b"--" + _boundary_bytes(boundary) if boundary else b""
        except _Irregular as irregular:
            if not self.lenient:
                raise
            self.note(f"an unusable boundary ({irregular}): the multipart read as text")
            boundary = None
        if boundary is not None and not boundary and self.lenient:
            self.note("an empty boundary: the multipart read as text")
            boundary = None
        if boundary is None:  # a multipart in name only: the whole body is its text
            message.defects.append(errors.NoBoundaryInMultipartDefect())
            message.set_payload(self.text(lo, hi))
            return
        if not boundary:
            raise _Irregular("an empty boundary")
        if str(message.get("content-transfer-encoding", "8bit")).lower() not in ("7bit", "8bit", "binary"):
            message.defects.append(errors.InvalidMultipartContentTransferEncodingDefect())
        lines = _boundary_lines(buffer, lo, hi, separator)
        if not lines or lines[0][2]:  # the first boundary never comes: what precedes a closing one is the text
            message.defects.append(errors.StartBoundaryNotFoundDefect())
            message.set_payload(self.text(lo, lines[0][0] if lines else hi))
            message.epilogue = ""
            return
        first = lines[0][0]
        message.preamble = self.text(lo, _chomped(buffer, lo, first)) if first > lo else None
        child_type = "message/rfc822" if ctype == "multipart/digest" else "text/plain"
        parts: list[Message | str] = []
        closed = False
        for (_, start, close), following in zip(lines, [*lines[1:], None], strict=True):
            if close:
                closed = True
                message.epilogue = self.text(start, hi)
                break
            stop = following[0] if following else hi
            if following is not None and stop <= start:
                if not self.lenient:
                    raise _Irregular("boundary lines back to back")
                continue  # no part between them
            if self.parts >= MAX_PARTS:
                self.note(f"more than {MAX_PARTS:,} parts: the rest were not read")
                break
            parts.append(self.message(start, stop, child_type, depth + 1))
            self.give_line_break_to_boundary()
            self.last, self.last_is_multipart = message, True
        if not closed:
            message.defects.append(errors.CloseBoundaryNotFoundDefect())
        message.set_payload(parts)

    def give_line_break_to_boundary(self) -> None:
        last = self.last
        assert last is not None
        if self.last_is_multipart:
            last.epilogue = _chomp_text(last.epilogue) if last.epilogue else None
        elif self.leaf is not None:
            self.set_leaf_payload(chomp=True)


def _content_type(message: Message, value: str | None) -> str:
    """Message.get_content_type(), from the header value the parser has at hand."""
    if value is None:
        return message.get_default_type()
    if not value.isascii():
        return message.get_content_type()  # 8-bit bytes: as the email package renders them
    ctype = value.partition(";")[0].strip().lower()
    return ctype if ctype.count("/") == 1 else "text/plain"


_KEPT = ("content-type", "content-disposition")


def _headers(message: Message, data: bytes, lo: int, hi: int, kept: dict[str, str] | None = None,
             budget: int = MAX_HEADER_BYTES, notes: list[str] | None = None, lenient: bool = False) -> int:
    """Store the header fields of data[lo:hi] as compat32 does (the first Content-Type and Content-Disposition also
    in `kept`), those within the first `budget` bytes of the block; return where the body starts."""
    at = lo
    if data.startswith(b"From ", lo, hi):  # an mbox envelope line
        eol = data.find(b"\n", lo, hi)
        at = hi if eol < 0 else eol + 1
        message.set_unixfrom(data[lo:at].decode("ascii", "surrogateescape").rstrip("\r\n"))
    while at < hi and data[at] in b" \t":  # a continuation of nothing: the feedparser drops it
        message.defects.append(errors.FirstHeaderLineIsContinuationDefect(""))
        eol = data.find(b"\n", at, hi)
        at = hi if eol < 0 else eol + 1
    end = _HEADER_LINES.match(data, at, hi).end()  # type: ignore[union-attr]  # matches the empty string at worst
    if end > at:
        read = min(end, at + budget)
        block = data[at:read].decode("ascii", "surrogateescape")
        if read < end:  # the fields past the budget are not read (the last one read may be cut: it is dropped)
            block = block[:block.rfind("\n") + 1]
            if notes is not None:
                notes.append(f"header fields past {MAX_HEADER_BYTES // 1024:,} KiB were not read")
        if block.endswith("\n"):
            block = block[:-2] if block.endswith("\r\n") else block[:-1]
        for field in _FIELD_BREAK.split(block) if block else ():
            name, _, value = field.partition(":")
            value = value.lstrip(" \t").rstrip("\r\n")
            message.set_raw(name, value)
            if kept is not None and (key := name.lower()) in _KEPT:
                kept.setdefault(key, value)
    rest = data[end:min(end + 2, hi)]
    if not rest:
        return end
    if rest[:1] == b"\n":
        return end + 1
    if rest == b"\r\n":
        return end + 2
    if (rest[:1] == b":" or data.startswith(b"From ", end, hi)) and not lenient:
        raise _Irregular("a header line the feedparser treats specially")
    message.defects.append(errors.MissingHeaderBodySeparatorDefect())
    return end


def parse_headers(data: bytes) -> Message:
    """Only the header block of `data` (a text/rfc822-headers part, a block of a delivery-status report), read
    leniently: a Message with those fields and no payload."""
    message = Message()
    data = _BARE_CR.sub(b"\n", data) if b"\r" in data else data
    _headers(message, data, 0, len(data), lenient=True)
    message.set_payload("")
    return message


def _boundary(message: Message) -> str | None:
    """Message.get_boundary(), without its general parameter machinery when the header is plain (no RFC 2231
    parameter, no backslash): the first boundary parameter, unquoted twice as get_param and get_boundary each do."""
    header = message.get("content-type")
    value = str(header) if header is not None else ""
    if header is None or "*" in value or "\\" in value:
        try:
            return message.get_boundary()
        except (LookupError, ValueError) as exc:  # an RFC 2231 charset that raises on use ("undefined"), a NUL in it
            raise _Irregular(f"{type(exc).__name__} reading the boundary parameter") from exc
    rest = ";" + value
    while rest[:1] == ";":  # email.message._parseparam: split at semicolons outside quotes
        rest = rest[1:]
        end = rest.find(";")
        while end > 0 and rest.count('"', 0, end) % 2:
            end = rest.find(";", end + 1)
        if end < 0:
            end = len(rest)
        name, equals, raw = rest[:end].partition("=")
        if name.strip().lower() == "boundary":  # a bare "boundary" is an empty one
            return unquote(unquote(raw.strip())).rstrip() if equals else ""
        rest = rest[end:]
    return None


def _boundary_bytes(boundary: str) -> bytes:
    """The boundary as the bytes of its lines: raw 8-bit bytes as they came; characters an RFC 2231 parameter
    decoded to (boundary*=utf-8''%C3%A9b), in UTF-8."""
    try:
        return boundary.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        try:
            return boundary.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as exc:
            raise _Irregular("a boundary that is no text") from exc


def _boundary_lines(body: bytes, lo: int, hi: int, separator: bytes) -> list[tuple[int, int, bool]]:
    """Each line of body[lo:hi] that is the separator, optionally "--", then only blanks: (where it starts, where
    the next line starts, whether it closes). Found with bytes.find, which is many times faster than a multiline
    regex."""
    found: list[tuple[int, int, bool]] = []
    at = body.find(separator, lo, hi)
    while at >= 0:
        after = at + len(separator)
        if at == lo or body[at - 1] == 10:  # at the start of a line
            eol = body.find(b"\n", after, hi)
            end = hi if eol < 0 else eol
            rest = body[after:end]
            close = rest.startswith(b"--")
            if not (rest[2:] if close else rest).rstrip(b"\r").strip(b" \t"):  # then blanks only (a CR ends a line)
                found.append((at, end if eol < 0 else eol + 1, close))
        at = body.find(separator, after, hi)
    return found


def _blocks(body: bytes, lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """The header blocks of body[lo:hi], separated by empty lines, split as the feedparser splits them (an extra
    empty line makes an empty block), one at a time, as ranges."""
    at = line = lo  # where the current block, and the current line, start
    while True:
        eol = body.find(b"\n", line, hi)
        nxt = hi if eol < 0 else eol + 1
        if line < hi and body[line:nxt] not in (b"\n", b"\r\n"):
            line = nxt
            continue
        yield at, line
        if nxt >= hi:
            return
        at = line = nxt


def _chomped(body: bytes, lo: int, hi: int) -> int:
    """Where body[lo:hi] ends without its last line break."""
    if hi - lo >= 2 and body[hi - 2:hi] == b"\r\n":
        return hi - 2
    if hi > lo and body[hi - 1] == 10:
        return hi - 1
    return hi


def _chomp_text(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith(("\n", "\r")):
        return text[:-1]
    return text
