"""Address lists (From, To, Cc…) read in one pass over the header as it arrived.

The structure of RFC 5322 — quoted strings, comments (nested), angle addresses with their obsolete routes,
domain literals, groups — is read first, on the raw header; RFC 2047 encoded words are decoded afterwards, only
in the display names (by the caller). Decoding first, as a header is shown to people, would let
``=?utf-8?q?ana@mission.example?= <x@elsewhere.example>`` put an address into the header's structure from inside
a display name; here an encoded word is one word of the name, whatever it holds.

Otherwise the pairs are those ``email.utils.getaddresses`` gives (the same display names, the same addresses,
an empty pair for an empty entry, the same reading of malformed input; the specs compare the two on every
header we have), but without its costs: it steps through the header one character at a time, recurses for
each nested comment and group (a few thousand "(" raise RecursionError) and concatenates the members of a
group one list at a time; this reads runs of characters with regular expressions, nests with counters, and
takes time in proportion to the header's length.
"""

from __future__ import annotations

import re

# RFC 5322 specials, and where an atom ends: at a special or white space (a phrase's atom may hold dots).
_SPECIALS = frozenset('()<>@,:;."[]')
_ATOM = re.compile(r'[^()<>@,:;."\[\] \t\r\n]+')
_PHRASE_ATOM = re.compile(r'[^()<>@,:;"\[\] \t\r\n]+')
_PHRASE_ENDS = frozenset('()<>@,:;"[] \t\r\n')
_BLANKS = re.compile(r"[ \t\r\n]*")
# An RFC 2047 encoded word standing alone as a word of a display name.
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
# Runs of plain characters inside a quoted string, a domain literal and a comment.
_IN_QUOTES = re.compile(r'[^"\\\r]+')
_IN_BRACKETS = re.compile(r"[^\]\\\r]+")
_IN_COMMENT = re.compile(r"[^()\\\r]+")
# The plain forms nearly every header uses — "Name <a@b>", "a@b", lists of them — read without the parser.
_NOT_PLAIN = re.compile(r'["()\\;:\[\]]')
_PLAIN_ADDRESS = re.compile(r"[^\s()<>@,:;\"\[\]\\]*@[^\s()<>@,:;\"\[\]\\]+")
_PLAIN_NAME = re.compile(r"[^()<>@,:;\"\[\]\\]*")
_QUOTED_NAME = re.compile(r'[ \t\r\n]*"([^"\\\r]*)"[ \t\r\n]*<([^\s"()<>@,:;\[\]\\.][^\s"()<>@,:;\[\]\\]*@'
                          r'[^\s"()<>@,:;\[\]\\]+)>[ \t\r\n]*')  # Outlook's "Lopez, Ana" <ana@mission.example>
_BLANKS_RUN = re.compile(r"[ \t\r\n]+")

Pair = tuple[str, str]


def address_list(value: str) -> list[Pair]:
    """(display name, address) for each entry of an address header, as ``getaddresses([value])`` reads it; the
    names still RFC 2047 encoded. Linear in the length of `value`."""
    if not value:
        return []
    quoted = _QUOTED_NAME.fullmatch(value)
    if quoted is not None:
        return [(quoted.group(1), quoted.group(2))]
    if _NOT_PLAIN.search(value) is None:
        plain = _plain_list(value)
        if plain is not None:
            return plain
    return _Reader(value).address_list()


def _plain_list(value: str) -> list[Pair] | None:
    """Pairs of a list of "Name <a@b>" and "a@b" entries (no quotes, comments, groups or empty entries), or None
    when the value has another form."""
    pairs: list[Pair] = []
    for item in value.split(","):
        name, angle, rest = item.partition("<")
        if angle:
            address, close, tail = rest.partition(">")
            if not close or tail.strip(" \t\r\n") or address[:1] == "@" or not _PLAIN_ADDRESS.fullmatch(address) or \
                    not _PLAIN_NAME.fullmatch(name):  # ("<@b>" is a route without an address)
                return None
            pairs.append((_BLANKS_RUN.sub(" ", name).strip(" "), address))
            continue
        address = item.strip(" \t\r\n")
        if not _PLAIN_ADDRESS.fullmatch(address) or ">" in address:
            return None
        pairs.append(("", address))
    return pairs


class _Reader:
    """email._parseaddr.AddrlistClass, read by runs instead of characters, with counters instead of recursion."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.pos = 0
        self.comments: list[str] = []

    def address_list(self) -> list[Pair]:
        field, end = self.field, len(self.field)
        result: list[Pair] = []
        groups = 0  # groups open ("name: a, b;"), nested as the recursive parser nests them
        members: list[Pair] = []  # the addresses of the outermost open group
        while self.pos < end:
            if groups:
                self.skip_blanks()
                if self.pos < end and field[self.pos] == ";":
                    self.pos += 1
                    groups -= 1
                    self.finish_address()
                    if not groups:
                        result += members or [("", "")]
                    continue
                if self.pos >= end:
                    break
            pairs = self.address()
            if pairs is None:  # a group opens
                groups += 1
                if groups == 1:
                    members = []
            elif groups:
                members += pairs
            else:
                result += pairs or [("", "")]
        if groups:
            result += members or [("", "")]
        return result

    def address(self) -> list[Pair] | None:
        """The next address (a list of at most one pair), or None when a group opens (its ":" read)."""
        field, end = self.field, len(self.field)
        self.comments = []
        self.skip_blanks()
        start = self.pos
        phrase = self.phrase()
        self.skip_blanks()
        pairs: list[Pair] = []
        if self.pos >= end:
            if phrase:
                pairs = [(" ".join(self.comments), phrase[0])]
        elif field[self.pos] in ".@":  # an addr-spec: read again from the start, as one
            self.pos = start  # (the comments read so far are kept, and read again: as getaddresses does)
            address = self.addr_spec()
            pairs = [(" ".join(self.comments), address)]
        elif field[self.pos] == ":":
            self.pos += 1
            return None
        elif field[self.pos] == "<":
            route = self.route_addr()
            name = " ".join(phrase)
            pairs = [(f"{name} ({' '.join(self.comments)})" if self.comments else name, route)]
        elif phrase:
            pairs = [(" ".join(self.comments), phrase[0])]
        elif field[self.pos] in _SPECIALS:
            self.pos += 1
        self.finish_address()
        return pairs

    def finish_address(self) -> None:
        self.skip_blanks()
        if self.pos < len(self.field) and self.field[self.pos] == ",":
            self.pos += 1

    def skip_blanks(self) -> str:
        """Skip white space and comments (kept in self.comments); the blanks and tabs skipped."""
        blanks: list[str] = []
        field = self.field
        while True:
            found = _BLANKS.match(field, self.pos)
            assert found is not None  # matches the empty string at worst
            if found.end() > self.pos:
                blanks.append(found.group().replace("\r", "").replace("\n", ""))
                self.pos = found.end()
            if self.pos < len(field) and field[self.pos] == "(":
                self.comments.append(self.comment())
            else:
                return "".join(blanks)

    def phrase(self) -> list[str]:
        words: list[str] = []
        field, end = self.field, len(self.field)
        while self.pos < end:
            char = field[self.pos]
            if char in " \t\r\n":
                self.pos = _BLANKS.match(field, self.pos).end()  # type: ignore[union-attr]
            elif char == '"':
                words.append(self.delimited(_IN_QUOTES, '"'))
            elif char == "(":
                self.comments.append(self.comment())
            elif char in _PHRASE_ENDS:
                break
            else:
                encoded = _ENCODED_WORD.match(field, self.pos)
                if encoded is not None and (encoded.end() == end or field[encoded.end()] in _PHRASE_ENDS):
                    words.append(encoded.group())
                    self.pos = encoded.end()
                else:
                    words.append(self.atom(_PHRASE_ATOM))
        return words

    def atom(self, pattern: re.Pattern[str] = _ATOM) -> str:
        found = pattern.match(self.field, self.pos)
        if found is None:
            return ""
        self.pos = found.end()
        return found.group()

    def route_addr(self) -> str:
        """<[@route,@route:]addr-spec>: the addr-spec (the route skipped)."""
        field, end = self.field, len(self.field)
        self.pos += 1
        self.skip_blanks()
        expect_route = False
        address = ""
        while self.pos < end:
            if expect_route:
                self.domain()
                expect_route = False
            elif field[self.pos] == ">":
                self.pos += 1
                break
            elif field[self.pos] == "@":
                self.pos += 1
                expect_route = True
            elif field[self.pos] == ":":
                self.pos += 1
            else:
                address = self.addr_spec()
                self.pos += 1
                break
            self.skip_blanks()
        return address

    def addr_spec(self) -> str:
        field, end = self.field, len(self.field)
        local: list[str] = []
        self.skip_blanks()
        while self.pos < end:
            keep_blanks = True
            char = field[self.pos]
            if char == ".":
                if local and not local[-1].strip():
                    local.pop()
                local.append(".")
                self.pos += 1
                keep_blanks = False
            elif char == '"':
                quoted = self.delimited(_IN_QUOTES, '"')
                local.append('"{}"'.format(quoted.replace("\\", "\\\\").replace('"', '\\"')))
            elif char in _SPECIALS or char in " \t\r\n":
                if local and not local[-1].strip():
                    local.pop()
                break
            else:
                local.append(self.atom())
            blanks = self.skip_blanks()
            if keep_blanks and blanks:
                local.append(blanks)
        if self.pos >= end or field[self.pos] != "@":
            return "".join(local)
        self.pos += 1
        self.skip_blanks()
        domain = self.domain()
        return "".join(local) + "@" + domain if domain else ""

    def domain(self) -> str:
        parts: list[str] = []
        field, end = self.field, len(self.field)
        while self.pos < end:
            char = field[self.pos]
            if char in " \t":
                self.pos += 1
            elif char == "(":
                self.comments.append(self.comment())
            elif char == "[":
                parts.append(f"[{self.delimited(_IN_BRACKETS, ']')}]")
            elif char == ".":
                self.pos += 1
                parts.append(".")
            elif char == "@":  # two "@" (a@malicious.org@important.com): no domain at all
                return ""
            elif char in _SPECIALS or char in "\r\n":
                break
            else:
                parts.append(self.atom())
        return "".join(parts)

    def delimited(self, plain: re.Pattern[str], close: str) -> str:
        """A quoted string or domain literal from its opening character: its text, backslash escapes undone; it
        ends at `close` or a CR, or with the header."""
        field, end = self.field, len(self.field)
        out: list[str] = []
        self.pos += 1
        while self.pos < end:
            run = plain.match(field, self.pos)
            if run is not None:
                out.append(run.group())
                self.pos = run.end()
                if self.pos >= end:
                    break
            if field[self.pos] == "\\":
                out.append(field[self.pos + 1:self.pos + 2])
                self.pos += 2
            else:  # the closing character or a CR
                self.pos += 1
                break
        self.pos = min(self.pos, end)
        return "".join(out)

    def comment(self) -> str:
        """A comment from its "(": its text with the parentheses of nested comments dropped, as getcomment
        gives it; a CR or ")" closes the innermost one."""
        field, end = self.field, len(self.field)
        out: list[str] = []
        depth = 1
        self.pos += 1
        while self.pos < end:
            run = _IN_COMMENT.match(field, self.pos)
            if run is not None:
                out.append(run.group())
                self.pos = run.end()
                if self.pos >= end:
                    break
            char = field[self.pos]
            if char == "\\":
                out.append(field[self.pos + 1:self.pos + 2])
                self.pos += 2
            elif char == "(":
                depth += 1
                self.pos += 1
            else:
                self.pos += 1
                depth -= 1
                if not depth:
                    break
        self.pos = min(self.pos, end)
        return "".join(out)
