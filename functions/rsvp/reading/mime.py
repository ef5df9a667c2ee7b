"""MIME as it arrives: tolerant header decoding, charset repair, HTML to text, parts of interest."""

from __future__ import annotations

import binascii
import contextlib
import email
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html import unescape

from .mimeparse import PartKinds, parse_bytes, parse_tree

_MSGID = re.compile(r"<([^<>\s]+)>")


@dataclass
class ParsedMessage:
    """The facts of one message the reader and the services need, decoded once."""

    message: Message
    subject: str
    from_name: str
    from_address: str
    recipients: list[str]  # every address the message was delivered to or for
    message_id: str | None
    in_reply_to: list[str]
    references: list[str]
    date: datetime | None
    received_at: datetime | None  # stamped by the receiving server (topmost Received header)
    text: str  # the body as text (plain part, or HTML turned into text)
    text_from_html: bool
    calendars: list[bytes] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased name -> first value, indexed once
    delivery_reports: list[Message] = field(default_factory=list)
    returned_headers: list[Message] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    content_type: str = "text/plain"  # of the message itself, as Message.get_content_type() gives it
    report_type: str = ""  # its report-type parameter (multipart/report), lower-cased

    def header(self, name: str) -> str:
        return decode_text_header(self.headers.get(name.lower()))

    def raw_header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def parse_message(raw: bytes) -> ParsedMessage:
    tree = parse_tree(raw)
    message, kinds = tree if tree else (email.message_from_bytes(raw), {})
    if any(isinstance(d, email.errors.StartBoundaryNotFoundDefect) for d in message.defects):
        repaired = _reparse_with_unfolded_headers(raw)
        if repaired is not None:
            message, kinds = repaired, {}
    headers: dict[str, str] = {}
    delivered_to: dict[str, list[str]] = {name: [] for name in _RECIPIENT_HEADERS}
    for name, value in message.raw_items():  # one pass; Message.get() re-scans every header on each call
        key = name.lower()
        headers.setdefault(key, value)
        if key in delivered_to:
            delivered_to[key].append(decode_text_header(value))
    subject = decode_text_header(headers.get("subject", "")[:_LONGEST_SUBJECT * 4])[:_LONGEST_SUBJECT]
    from_pairs = _addresses([decode_text_header(headers.get("from"))])
    from_name, from_address = from_pairs[0] if from_pairs else ("", "")
    recipients = [addr.lower() for _, addr in _addresses([v for values in delivered_to.values() for v in values])
                  if "@" in addr]
    message_id = _first_id(headers.get("message-id"))
    date = _parse_date(headers.get("date"))
    text, from_html, calendars, reports, returned = _walk(message, kinds)
    return ParsedMessage(
        message=message, subject=subject, from_name=from_name.strip(), from_address=from_address.strip().lower(),
        recipients=recipients, message_id=message_id,
        in_reply_to=_ids(headers.get("in-reply-to")), references=_ids(headers.get("references")), headers=headers,
        date=date, received_at=_received_at(headers.get("received")), text=text, text_from_html=from_html,
        calendars=calendars, delivery_reports=reports, returned_headers=returned,
        defects=[type(d).__name__ for d in message.defects],
        content_type=kinds[id(message)][0] if id(message) in kinds else message.get_content_type(),
        report_type=(_param(headers.get("content-type", ""), "report-type") or "").lower(),
    )


# RFC 5322 caps a line at 998 characters; a longer subject is not one a person wrote, and is read only that far.
_LONGEST_SUBJECT = 998
# Every address the message was delivered to or for, in the order they are searched for a reply tag.
_RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "x-forwarded-to", "envelope-to", "x-envelope-to")


def _reparse_with_unfolded_headers(raw: bytes) -> Message | None:
    """compat32 keeps a folded boundary parameter folded (Lotus Notes does this); unfold and retry."""
    head, sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw[:65536] else raw.partition(b"\n\n")
    if not sep:
        return None
    unfolded = re.sub(rb"\r?\n[ \t]+", b" ", head)
    message = parse_bytes(unfolded + sep + body) or email.message_from_bytes(unfolded + sep + body)
    return None if any(isinstance(d, email.errors.StartBoundaryNotFoundDefect) for d in message.defects) else message


def decode_text_header(value: object) -> str:
    """RFC 2047 decoded, whitespace-folded text; never raises on bad encodings. Raw 8-bit bytes in a header
    (against the RFC, common in practice) are read as UTF-8, else as Windows-1252."""
    if value is None:
        return ""
    text = str(value)
    if not text.isascii():
        raw = text.encode("utf-8", "surrogateescape")  # the parser keeps raw bytes as surrogates
        lenient = raw.decode("utf-8", "replace")  # mostly good UTF-8 with a broken character is still UTF-8
        broken = lenient.count("\ufffd")
        text = lenient if sum(not c.isascii() for c in lenient) >= 4 * broken else decode_bytes(raw, None)
    if "=?" in text:
        text = _decode_encoded_words(text)
    return " ".join(text.split())


# An RFC 2047 encoded word, as email.header.decode_header finds them (charset, Q or B, text up to "?=").
_ENCODED_WORD = re.compile(r"=\?([^?]*?)\?([qQbB])\?(.*?)\?=", re.S)


def _decode_encoded_words(text: str) -> str:
    """Encoded words decoded; the blanks between two adjacent ones dropped (RFC 2047 6.2), and adjacent words in
    one charset decoded together, since mailers split a multibyte character across them."""
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    at = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[at:match.start()]
        adjacent = bool(pending) and not between.strip()
        charset = match.group(1).split("*", 1)[0].strip().lower()
        if pending and (not adjacent or charset != pending_charset):
            out.append(decode_bytes(b"".join(pending), pending_charset))
            pending = []
        if not adjacent:
            out.append(between)
        pending.append(_word_bytes(match.group(2), match.group(3)))
        pending_charset = charset
        at = match.end()
    if pending:
        out.append(decode_bytes(b"".join(pending), pending_charset))
    out.append(text[at:])
    return "".join(out)


def _word_bytes(encoding: str, encoded: str) -> bytes:
    data = encoded.encode("utf-8", "surrogateescape")
    if encoding in "qQ":
        return binascii.a2b_qp(data, header=True)
    try:
        return binascii.a2b_base64(data + b"===")
    except binascii.Error:
        return data


# Charsets mailers declare for text written in a larger one: Windows-1252 for Latin-1 and ASCII (and a superset
# for all printable text), GB18030 for GB2312/GBK, the Microsoft code pages for Shift_JIS and EUC-KR, Big5-HKSCS.
_SUPERSETS = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
              "gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "x-gbk": "gb18030", "shift_jis": "cp932",
              "shift-jis": "cp932", "sjis": "cp932", "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "big5": "big5hkscs"}


def decode_bytes(payload: bytes, declared: str | None) -> str:
    """Decode with the declared charset, repairing the common lies (cp1252 declared as latin-1 or utf-8)."""
    candidates = []
    if declared:
        declared = declared.strip().strip('"').lower()
        declared = _SUPERSETS.get(declared, declared)
        candidates.append(declared)
    candidates += ["utf-8", "cp1252"]
    for charset in candidates:
        try:
            return payload.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
    return payload.decode("latin-1")


def part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    return decode_bytes(payload, _charset(part))


def _charset(part: Message) -> str | None:
    """Message.get_content_charset(), read straight from the header (that method re-parses every parameter)."""
    value = str(part.get("content-type", ""))
    if "*" in value:  # RFC 2231 parameters: the full parser
        return part.get_content_charset()
    charset = _param(value, "charset")
    return charset.lower() if charset is not None and charset.isascii() else None


_PARAMS = {name: re.compile(rf";\s*{name}\s*=\s*(?:\"([^\"]*)\"|([^;\s]*))", re.I)
           for name in ("charset", "report-type")}


def _param(value: str, name: str) -> str | None:
    """A plain Content-Type parameter's value (quoted or not), without the email package's general machinery."""
    found = _PARAMS[name].search(value)
    if found is None:
        return None
    return found.group(1) if found.group(1) is not None else found.group(2)


def _walk(message: Message, kinds: PartKinds) -> tuple[str, bool, list[bytes], list[Message], list[Message]]:
    plain: list[str] = []
    html: list[Message] = []  # decoded only when there is no plain text
    calendars: list[bytes] = []
    reports: list[Message] = []
    returned: list[Message] = []
    for part, ctype, in_attachment in _parts(message, kinds):
        if ctype == "text/calendar" or (ctype == "application/ics"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                calendars.append(payload)
            continue
        if ctype == "message/delivery-status":
            reports.extend(p for p in _sub_messages(part))
            continue
        if ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            returned.append(_headers_part(part))
            continue
        if in_attachment:
            continue
        if ctype == "text/plain":
            plain.append(part_text(part))
        elif ctype == "text/html":
            html.append(part)
    if plain and any(p.strip() for p in plain):
        return "\n".join(plain), False, calendars, reports, returned
    if html:
        return "\n".join(html_to_text(part_text(h)) for h in html), True, calendars, reports, returned
    return "", False, calendars, reports, returned


def _parts(message: Message, kinds: PartKinds) -> Iterator[tuple[Message, str, bool]]:
    """Leaf parts in order, with their content type; attachments flagged; winmail.dat and other binaries are
    never decoded. (Kinds the parser already knows are not asked of each part again.)"""
    stack: list[tuple[Message, bool]] = [(message, False)]
    while stack:
        part, in_attachment = stack.pop()
        known = kinds.get(id(part))
        ctype = known[0] if known else part.get_content_type()
        if part.is_multipart() and ctype != "message/delivery-status":
            payload = part.get_payload()
            subs = [sub for sub in payload if isinstance(sub, Message)] if isinstance(payload, list) else []
            stack.extend((sub, in_attachment) for sub in reversed(subs))
            continue
        if ctype == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend((sub, True) for sub in reversed(payload) if isinstance(sub, Message))
            continue
        disposition = known[1] if known else part.get("Content-Disposition")
        yield part, ctype, in_attachment or str(disposition or "").split(";")[0].strip().lower() == "attachment"


_SIMPLE_ADDRESS = re.compile(r'\s*(?:([^"<>,;:()\\@]*?)\s*)?<?([^\s"<>,;:()\\@]+@[^\s"<>,;:()\\@]+)>?\s*')


_QUOTED_NAME = re.compile(r'\s*"([^"\\]*)"\s*<([^\s"<>,;:()\\@]+@[^\s"<>,;:()\\@]+)>\s*')  # "Name, Title" <a@b>


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    """email.utils.getaddresses, with a fast path for the plain forms nearly all headers use
    ("Name <a@b>", "a@b", lists of them); anything with quotes, comments or groups goes to the full parser."""
    pairs: list[tuple[str, str]] = []
    for value in values:
        quoted = _QUOTED_NAME.fullmatch(value)
        if quoted is not None:
            pairs.append((quoted.group(1), quoted.group(2)))
            continue
        items = value.split(",")
        if any(c in value for c in '"()\\;:') or (len(items) > 1 and not all(i.strip() for i in items)):
            pairs.extend(getaddresses([value]))
            continue
        for item in items:
            if not item.strip():
                continue
            match = _SIMPLE_ADDRESS.fullmatch(item)
            if match is None or (match.group(1) and "<" not in item):
                pairs.extend(getaddresses([item]))
            else:
                pairs.append(((match.group(1) or "").strip(), match.group(2)))
    return pairs


def _headers_part(part: Message) -> Message:
    """A text/rfc822-headers part (the headers of the mail that bounced) as a message."""
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        parsed = parse_bytes(payload)
        if parsed is not None:
            return parsed
    return email.message_from_string(part_text(part))


def _sub_messages(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    if isinstance(payload, str):
        return [email.message_from_string(block) for block in re.split(r"\n\s*\n", payload) if block.strip()]
    return []


def _first_id(value: object) -> str | None:
    ids = _ids(value)
    if ids:
        return ids[0]
    text = str(value or "").strip()
    return text or None


def _ids(value: object) -> list[str]:
    return _MSGID.findall(str(value or ""))


# The date format nearly every mailer writes ("Tue, 19 Jan 2021 10:04:05 +0100 (CET)"), read without
# email.utils' general parser; anything else goes to it.
_DATE = re.compile(r"\s*(?:[A-Za-z]{3},\s*)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? "
                   r"([+-])(\d{2})(\d{2})(?: \([^()]*\))?\s*")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), start=1)}


def _parse_date(value: object) -> datetime | None:
    if not value:
        return None
    plain = _DATE.fullmatch(str(value))
    if plain is not None and plain.group(2).lower() in _MONTHS and (plain.group(7), plain.group(8, 9)) != (
            "-", ("00", "00")):
        day, month, year, hour, minute, second, sign, zh, zm = plain.groups()
        offset = timedelta(hours=int(zh), minutes=int(zm)) * (-1 if sign == "-" else 1)
        with contextlib.suppress(ValueError):
            return datetime(int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second or 0),
                            tzinfo=timezone(offset))
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return None
    return parsed


def _received_at(top: str | None) -> datetime | None:
    """Our receiving server adds the topmost Received header; its date is when the mail arrived."""
    if not top or ";" not in str(top):
        return None
    return _parse_date(str(top).rsplit(";", 1)[1].strip())


_BLOCK = {"p", "div", "br", "tr", "td", "th", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "hr",
          "ul", "ol"}
_SKIP = {"style", "script", "head", "title"}
_QUOTE_CONTAINERS = ("gmail_quote", "divrplyfwdmsg", "appendonsend", "moz-cite-prefix", "yahoo_quoted",
                     "x_divrplyfwdmsg", "mail-quote")


class _TextExtractor:
    """What is read of HTML: text outside style/script/head/title and outside quoted earlier messages; block
    elements start lines. Fed by html_to_text's tokenizer (the same events html.parser gives, many times
    faster: html.parser steps through the markup in Python, this finds each tag with one regex search)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.skip_depth = 0
        self.quote_depth = 0
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, marker: str) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
        is_quote = bool(marker) and ((tag == "blockquote" and "cite" in marker) or any(
            c in marker for c in _QUOTE_CONTAINERS))
        if tag not in ("br", "hr", "img", "meta", "link", "input"):
            self.stack.append((tag, is_quote))
        if is_quote:
            self.quote_depth += 1
            self.out.append("\n> [quoted]\n")
        if tag in _BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self.skip_depth:
            self.skip_depth -= 1
        while self.stack:
            open_tag, was_quote = self.stack.pop()
            if was_quote:
                self.quote_depth -= 1
            if open_tag == tag:
                break
        if tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip_depth or self.quote_depth or not data:
            return
        self.out.append((unescape(data) if "&" in data else data).replace("\xa0", " "))


# Markup as html.parser reads it: comments, declarations and processing instructions (ignored), end tags, and
# start tags whose attribute values may hold ">" inside quotes.
_MARKUP = re.compile(r"<(?:!--.*?(?:--!?>|\Z)|![^>]*(?:>|\Z)|\?[^>]*(?:>|\Z)|"
                     r"/\s*([a-zA-Z][^\t\n\r\f />\x00]*)[^>]*>|"
                     r"([a-zA-Z][^\t\n\r\f />\x00]*)([^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*)>)", re.S)
_ATTRIBUTE = re.compile(r"((?<=['\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|\"[^\"]*\"|(?!['\"])[^>\s]*))?")
_MARKED_BY = ("class", "id", "type")


def html_to_text(html: str) -> str:
    reader = _TextExtractor()
    at = 0
    tokens = _MARKUP.finditer(html)
    while (found := next(tokens, None)) is not None:
        reader.handle_data(html[at:found.start()])
        at = found.end()
        end_tag, start_tag = found.group(1, 2)
        if end_tag:
            reader.handle_endtag(end_tag.lower())
        elif start_tag:
            tag = start_tag.lower()
            attributes = found.group(3)
            marker = " ".join(_attribute_value(m.group(3)) for m in _ATTRIBUTE.finditer(attributes)
                              if m.group(1).lower() in _MARKED_BY).lower() if "=" in attributes else ""
            reader.handle_starttag(tag, marker)
            if attributes.endswith("/"):  # <br/>: a start and an end
                reader.handle_endtag(tag)
            elif tag in ("script", "style"):  # raw text up to the closing tag
                close = re.compile(rf"</{tag}\s*>", re.I).search(html, at)
                at = close.start() if close else len(html)
                tokens = _MARKUP.finditer(html, at)  # go on after the raw text
    reader.handle_data(html[at:])
    text = "".join(reader.out)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _attribute_value(value: str | None) -> str:
    if not value:
        return ""
    if value[:1] == value[-1:] and value[:1] in ("'", '"') and len(value) > 1:
        value = value[1:-1]
    return unescape(value)
