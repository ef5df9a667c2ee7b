"""A fast path to the same message tree Python's email parser builds, for mail with a regular shape.

``email.message_from_bytes`` (the compat32 feedparser) reads a message one line at a time in Python, so a
mail with a 300 KB attachment costs thousands of steps before anything is read. Here the structure is found
with a few regular-expression scans over the bytes instead: the header block, the boundary lines of each
multipart, the header blocks of a delivery-status report. The result is built from plain
``email.message.Message`` objects with the same headers (``set_raw``: the values exactly as the feedparser
stores them), payloads, preambles, default types and the defects the reader looks at, so everything
downstream behaves as it would with the standard parser.

Whatever is irregular (a bare CR line ending, an mbox "From " line inside the headers, a header line starting with a
colon, boundary lines back to back)
is left to the standard parser: ``parse_bytes`` returns None and the caller falls back. The two agree on
every message of the corpora (``tests/unit/test_mimeparse.py`` compares them tree by tree).
"""

from __future__ import annotations

import re
from email import errors
from email.message import Message
from email.utils import unquote

# feedparser's headerRE, one line at a time: a field name and a colon, or a continuation line.
_HEADER_LINES = re.compile(rb"(?:(?:[\041-\071\073-\176]+:|[ \t])[^\n]*(?:\n|\Z))*")
_FIELD_BREAK = re.compile(r"\r?\n(?![ \t])")
_MAX_DEPTH = 40


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
    if b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n"):
        return None
    parser = _Parser()
    try:
        message = parser.message(raw, "text/plain", 0)
    except (_Irregular, RecursionError):
        return None
    if message.get_content_maintype() == "multipart" and not message.is_multipart():
        message.defects.append(errors.MultipartInvariantViolationDefect())
    return message, parser.kinds


class _Parser:
    def __init__(self) -> None:
        # The message created last: RFC 2046 gives the line break before a boundary to the boundary, and the
        # feedparser takes it from this one (a leaf's payload, a nested multipart's epilogue, the innermost of
        # a message/rfc822, the last block of a delivery-status report).
        self.last: Message | None = None
        self.last_body: bytes | None = None  # its body, when it is a leaf
        self.last_is_multipart = False
        self.kinds: PartKinds = {}

    def message(self, data: bytes, default_type: str, depth: int) -> Message:
        if depth > _MAX_DEPTH:
            raise _Irregular("nested too deeply")
        message = Message()
        self.last, self.last_body, self.last_is_multipart = message, None, False
        if default_type != "text/plain":
            message.set_default_type(default_type)
        fields: dict[str, str] = {}
        body = data[_headers(message, data, fields):]
        ctype = _content_type(message, fields.get("content-type"))
        self.kinds[id(message)] = (ctype, fields.get("content-disposition"))
        maintype = ctype.partition("/")[0]
        if maintype == "multipart":
            self.last_is_multipart = True
            self.multipart(message, ctype, body, depth)
        elif maintype == "message":
            if ctype == "message/delivery-status":
                message.set_payload([self.message(block, "text/plain", depth + 1) for block in _blocks(body)])
            else:
                message.set_payload([self.message(body, "text/plain", depth + 1)])
        else:
            message.set_payload(body.decode("ascii", "surrogateescape"))
            self.last_body = body
        return message

    def multipart(self, message: Message, ctype: str, body: bytes, depth: int) -> None:
        boundary = _boundary(message)
        if boundary is None:  # a multipart in name only: the whole body is its text
            message.defects.append(errors.NoBoundaryInMultipartDefect())
            message.set_payload(body.decode("ascii", "surrogateescape"))
            return
        if not boundary:
            raise _Irregular("an empty boundary")
        if str(message.get("content-transfer-encoding", "8bit")).lower() not in ("7bit", "8bit", "binary"):
            message.defects.append(errors.InvalidMultipartContentTransferEncodingDefect())
        lines = _boundary_lines(body, b"--" + boundary.encode("ascii", "surrogateescape"))
        if not lines or lines[0][2]:  # the first boundary never comes: what precedes a closing one is the text
            message.defects.append(errors.StartBoundaryNotFoundDefect())
            message.set_payload(body[:lines[0][0] if lines else len(body)].decode("ascii", "surrogateescape"))
            message.epilogue = ""
            return
        message.preamble = _chomp(body[:lines[0][0]]).decode("ascii", "surrogateescape") if lines[0][0] else None
        child_type = "message/rfc822" if ctype == "multipart/digest" else "text/plain"
        parts: list[Message | str] = []
        closed = False
        for (_, start, close), following in zip(lines, [*lines[1:], None], strict=True):
            if close:
                closed = True
                message.epilogue = body[start:].decode("ascii", "surrogateescape")
                break
            stop = following[0] if following else len(body)
            if following is not None and stop <= start:
                raise _Irregular("boundary lines back to back")
            parts.append(self.message(body[start:stop], child_type, depth + 1))
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
        elif self.last_body is not None:
            last.set_payload(_chomp(self.last_body).decode("ascii", "surrogateescape"))


def _content_type(message: Message, value: str | None) -> str:
    """Message.get_content_type(), from the header value the parser has at hand."""
    if value is None:
        return message.get_default_type()
    if not value.isascii():
        return message.get_content_type()  # 8-bit bytes: as the email package renders them
    ctype = value.partition(";")[0].strip().lower()
    return ctype if ctype.count("/") == 1 else "text/plain"


_KEPT = ("content-type", "content-disposition")


def _headers(message: Message, data: bytes, kept: dict[str, str] | None = None) -> int:
    """Store the header fields as compat32 does (the first Content-Type and Content-Disposition also in `kept`);
    return where the body starts."""
    at = 0
    if data.startswith(b"From "):  # an mbox envelope line
        eol = data.find(b"\n")
        at = len(data) if eol < 0 else eol + 1
        message.set_unixfrom(data[:at].decode("ascii", "surrogateescape").rstrip("\r\n"))
    while data[at:at + 1] in (b" ", b"\t"):  # a continuation of nothing: the feedparser drops it
        message.defects.append(errors.FirstHeaderLineIsContinuationDefect(""))
        eol = data.find(b"\n", at)
        at = len(data) if eol < 0 else eol + 1
    end = _HEADER_LINES.match(data, at).end()  # type: ignore[union-attr]  # matches the empty string at worst
    if end > at:
        block = data[at:end].decode("ascii", "surrogateescape")
        if block.endswith("\n"):
            block = block[:-2] if block.endswith("\r\n") else block[:-1]
        for field in _FIELD_BREAK.split(block):
            name, _, value = field.partition(":")
            value = value.lstrip(" \t").rstrip("\r\n")
            message.set_raw(name, value)
            if kept is not None and (key := name.lower()) in _KEPT:
                kept.setdefault(key, value)
    rest = data[end:end + 2]
    if not rest:
        return end
    if rest[:1] == b"\n":
        return end + 1
    if rest == b"\r\n":
        return end + 2
    if rest[:1] == b":" or data.startswith(b"From ", end):
        raise _Irregular("a header line the feedparser treats specially")
    message.defects.append(errors.MissingHeaderBodySeparatorDefect())
    return end


def _boundary(message: Message) -> str | None:
    """Message.get_boundary(), without its general parameter machinery when the header is plain (no RFC 2231
    parameter, no backslash): the first boundary parameter, unquoted twice as get_param and get_boundary each do."""
    header = message.get("content-type")
    value = str(header) if header is not None else ""
    if header is None or "*" in value or "\\" in value:
        return message.get_boundary()
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


def _boundary_lines(body: bytes, separator: bytes) -> list[tuple[int, int, bool]]:
    """Each line that is the separator, optionally "--", then only blanks: (where it starts, where the next line
    starts, whether it closes). Found with bytes.find, which is many times faster than a multiline regex."""
    found: list[tuple[int, int, bool]] = []
    at = body.find(separator)
    while at >= 0:
        after = at + len(separator)
        if at == 0 or body[at - 1] == 10:  # at the start of a line
            eol = body.find(b"\n", after)
            end = len(body) if eol < 0 else eol
            rest = body[after:end]
            close = rest.startswith(b"--")
            if not (rest[2:] if close else rest).rstrip(b"\r").strip(b" \t"):  # then blanks only (a CR ends a line)
                found.append((at, end if eol < 0 else eol + 1, close))
        at = body.find(separator, after)
    return found


def _blocks(body: bytes) -> list[bytes]:
    """Header blocks separated by empty lines, split as the feedparser splits them (an extra empty line makes
    an empty block)."""
    lines = body.splitlines(keepends=True)
    blocks: list[bytes] = []
    at = 0
    while True:
        end = at
        while end < len(lines) and lines[end] not in (b"\n", b"\r\n"):
            end += 1
        blocks.append(b"".join(lines[at:end]))
        at = end + 1
        if at >= len(lines):
            return blocks


def _chomp_text(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith(("\n", "\r")):
        return text[:-1]
    return text


def _chomp(data: bytes) -> bytes:
    if data.endswith(b"\r\n"):
        return data[:-2]
    if data.endswith(b"\n"):
        return data[:-1]
    return data
