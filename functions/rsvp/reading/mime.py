"""MIME as it arrives: tolerant header decoding, charset repair, parts of interest (HTML to text: html.py)."""

from __future__ import annotations

import binascii
import codecs
import contextlib
import email
import functools
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from email.message import Message
from email.utils import parsedate_to_datetime

from .addresses import address_list
from .attachments import ATTACHMENT_BYTES, ATTACHMENTS, Attachment, document_type
from .html import html_to_text
from .mimeparse import MAX_PARTS, PartKinds, Tree, parse_headers, read_tree

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
    attachments: list[Attachment] = field(default_factory=list)  # PDF and DOCX files (notes verbales), bounded
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased name -> first value, indexed once
    delivery_reports: list[Message] = field(default_factory=list)
    returned_headers: list[Message] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    content_type: str = "text/plain"  # of the message itself, as Message.get_content_type() gives it
    report_type: str = ""  # its report-type parameter (multipart/report), lower-cased
    # Every mailbox address of every From header, in order, lower-cased: more than one (two From headers, or one
    # naming several mailboxes) is a sender that cannot be verified. from_address is the first of them.
    from_addresses: tuple[str, ...] = ()

    def header(self, name: str) -> str:
        """A header field decoded, read up to a line's worth (RFC 5322's 998 characters, encoded)."""
        return decode_text_header(self.headers.get(name.lower(), "")[:_LONGEST_SUBJECT * 4])

    def raw_header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def parse_message(raw: bytes) -> ParsedMessage:
    """The facts of a message, however it is made: this never raises, and reads a bounded amount of any input
    (the limits are beside each step, and what a limit left unread is said in `defects`)."""
    try:
        with warnings.catch_warnings():
            # The standard library warns about what a message holds (an invalid "\," escape decoded by a header
            # parser): the mail's fault, not ours, and no reason to read it any differently.
            warnings.simplefilter("ignore", DeprecationWarning)
            return _parse(raw)
    except Exception as exc:  # the safety net: no mail we have or generate reaches it (the fuzz specs check)
        return _unparsed(raw, f"unparseable: {type(exc).__name__}: {str(exc)[:200]}")


def _parse(raw: bytes) -> ParsedMessage:
    tree = read_tree(raw)
    if any(isinstance(d, email.errors.StartBoundaryNotFoundDefect) for d in tree.message.defects):
        tree = _reparse_with_unfolded_headers(raw) or tree
    message, kinds = tree.message, tree.kinds
    notes = list(tree.notes)
    facts = _header_facts(message, notes)
    text, from_html, calendars, reports, returned, attachments = _walk(message, kinds, notes)
    return replace(
        facts, text=text, text_from_html=from_html, calendars=calendars, attachments=attachments,
        delivery_reports=reports,
        returned_headers=returned, defects=[type(d).__name__ for d in message.defects] + notes,
        content_type=kinds[id(message)][0] if id(message) in kinds else message.get_content_type(),
    )


def _unparsed(raw: bytes, why: str) -> ParsedMessage:
    """What can be read of a message no parser could read: its header fields, an empty text, and why."""
    try:
        message = parse_headers(raw[:MAX_HEADER_READ])
        facts = _header_facts(message, [])
    except Exception:  # nothing at all: the facts of an empty message
        message = Message()
        facts = _header_facts(message, [])
    return replace(facts, defects=[why, *facts.defects])


# RFC 5322 caps a line at 998 characters; a longer subject is not one a person wrote, and is read only that far.
_LONGEST_SUBJECT = 998
# Every address the message was delivered to or for, in the order they are searched for a reply tag.
_RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "x-forwarded-to", "envelope-to", "x-envelope-to")
# What is read of the address headers. A From names one person (the longest in our mail is 183 characters;
# a display name of 200 characters, RFC 2047 encoded, is ~1,300); the recipient headers name everyone a reply
# went to (our longest: 523 characters), and the reply tag is found among the first of them, in To.
# Past these the rest is not read (a list cut at its last comma): a header that long is not a reply's.
FROM_CHARACTERS = 4096
FROM_HEADERS = 16  # two are already a sender that cannot be verified
RECIPIENT_CHARACTERS = 32 * 1024  # each recipient header (~800 addresses)
RECIPIENTS_CHARACTERS = 64 * 1024  # all of them together
# Message-IDs: a thread is found by In-Reply-To and the last References (services look up 50).
IN_REPLY_TO_CHARACTERS = 4096
REFERENCES_CHARACTERS = 16 * 1024  # the end of the header: its last ~200 IDs
MAX_IDS = 100
# What _unparsed reads of a message for its header fields.
MAX_HEADER_READ = 2**20


def _header_facts(message: Message, notes: list[str]) -> ParsedMessage:
    """The facts read from the message's own header fields (the rest of a ParsedMessage left empty)."""
    headers: dict[str, str] = {}
    froms: list[str] = []
    delivered_to: dict[str, list[str]] = {name: [] for name in _RECIPIENT_HEADERS}
    for name, value in message.raw_items():  # one pass; Message.get() re-scans every header on each call
        key = name.lower()
        headers.setdefault(key, value)
        if key == "from":
            froms.append(value)
        elif key in delivered_to:
            delivered_to[key].append(value)
    subject = decode_text_header(headers.get("subject", "")[:_LONGEST_SUBJECT * 4])[:_LONGEST_SUBJECT]
    senders = [pair for value in froms[:FROM_HEADERS] for pair in _mailboxes(value, FROM_CHARACTERS, "From", notes)]
    from_addresses = tuple(address.lower() for _, address in senders if address)
    from_name = next((name for name, address in senders if address), "")
    if not from_name and senders:
        from_name = senders[0][0]  # "Name" <>: a name without an address
    room = RECIPIENTS_CHARACTERS
    recipients: list[str] = []
    for value in (value for values in delivered_to.values() for value in values):
        if room <= 0:
            _note(notes, f"recipient headers past {RECIPIENTS_CHARACTERS // 1024} KiB in all were not read")
            break
        limit = min(RECIPIENT_CHARACTERS, room)
        room -= min(len(value), limit)
        recipients += [address.lower() for _, address in _mailboxes(value, limit, "recipient", notes)
                       if "@" in address]
    return ParsedMessage(
        message=message, subject=subject, from_name=from_name, from_address=from_addresses[0] if from_addresses
        else "", recipients=recipients, message_id=_first_id(headers.get("message-id", "")[:IN_REPLY_TO_CHARACTERS]),
        in_reply_to=_ids(headers.get("in-reply-to", "")[:IN_REPLY_TO_CHARACTERS])[:MAX_IDS],
        references=_ids(headers.get("references", "")[-REFERENCES_CHARACTERS:])[-MAX_IDS:], headers=headers,
        date=_parse_date(headers.get("date")), received_at=_received_at(headers.get("received")), text="",
        text_from_html=False, defects=notes, from_addresses=from_addresses,
        report_type=(_param(headers.get("content-type", ""), "report-type") or "").lower(),
    )


def _note(notes: list[str], text: str) -> None:
    if text not in notes:
        notes.append(text)


def _mailboxes(value: str, limit: int, what: str, notes: list[str]) -> list[tuple[str, str]]:
    """(display name, address) of each mailbox of a raw address header: its structure read first, on the header
    as it came, then RFC 2047 decoded in the display names only (see addresses.py); at most `limit` characters
    of it, cut at the last comma before them."""
    if len(value) > limit:
        _note(notes, f"{what} header past {limit:,} characters was not read")
        cut = value.rfind(",", 0, limit)
        value = value[:cut if cut > 0 else limit]
    pairs = address_list(_raw_text(value))
    return [(decode_text_header(name) if name else "", address.strip()) for name, address in pairs]


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    """email.utils.getaddresses(values), in linear time (see addresses.py)."""
    return [pair for value in values for pair in address_list(value)]


def _reparse_with_unfolded_headers(raw: bytes) -> Tree | None:
    """compat32 keeps a folded boundary parameter folded (Lotus Notes does this); unfold and retry."""
    head, sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw[:65536] else raw.partition(b"\n\n")
    if not sep or len(head) > MAX_HEADER_READ:
        return None
    unfolded = re.sub(rb"\r?\n[ \t]+", b" ", head)
    tree = read_tree(unfolded + sep + body)
    return None if any(isinstance(d, email.errors.StartBoundaryNotFoundDefect) for d in tree.message.defects) else tree


def _raw_text(text: str) -> str:
    """A header value as text: raw 8-bit bytes in it (against the RFC, common in practice; the parser keeps them
    as surrogates) read as UTF-8, else as Windows-1252."""
    if text.isascii():
        return text
    raw = _as_bytes(text)
    lenient = raw.decode("utf-8", "replace")  # mostly good UTF-8 with a broken character is still UTF-8
    broken = lenient.count("\ufffd")
    return lenient if sum(not c.isascii() for c in lenient) >= 4 * broken else decode_bytes(raw, None)


def decode_text_header(value: object) -> str:
    """RFC 2047 decoded, whitespace-folded text; never raises on bad encodings. Raw 8-bit bytes in a header
    (against the RFC, common in practice) are read as UTF-8, else as Windows-1252."""
    if value is None:
        return ""
    text = _raw_text(str(value))
    if "=?" in text:
        text = _decode_encoded_words(text)
    return " ".join(text.split())


def _encoded_words(text: str) -> Iterator[tuple[int, int, str, str, str]]:
    """Each RFC 2047 encoded word, as email.header.decode_header finds them (the pattern
    =\\?([^?]*?)\\?([qQbB])\\?(.*?)\\?= , left to right): (start, end, charset, Q or B, text up to "?="). Found with
    str.find, each search going on from the last: the pattern, tried at each "=?" with no "?=" after it, read to
    the end of the text each time (quadratic: 1.8 s for 64 KB)."""
    question = _Search(text, "?")
    closing = _Search(text, "?=")
    at = 0
    while (start := text.find("=?", at)) >= 0:
        mark = question.find(start + 2)
        if mark < 0:
            return
        if text[mark + 1:mark + 2] in ("q", "Q", "b", "B") and text[mark + 2:mark + 3] == "?":
            end = closing.find(mark + 3)
            if end < 0:
                return
            yield start, end + 2, text[start + 2:mark], text[mark + 1], text[mark + 3:end]
            at = end + 2
        else:
            at = start + 1


class _Search:
    """str.find for one needle, asked from positions that never go back: an answer serves every later question
    up to it."""

    def __init__(self, text: str, needle: str) -> None:
        self.text, self.needle = text, needle
        self.asked = self.found = -2

    def find(self, start: int) -> int:
        if self.asked < 0 or start < self.asked or 0 <= self.found < start:
            self.asked, self.found = start, self.text.find(self.needle, start)
        return self.found


def _decode_encoded_words(text: str) -> str:
    """Encoded words decoded; the blanks between two adjacent ones dropped (RFC 2047 6.2), and adjacent words in
    one charset decoded together, since mailers split a multibyte character across them."""
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    at = 0
    for start, end, declared, encoding, encoded in _encoded_words(text):
        between = text[at:start]
        adjacent = bool(pending) and not between.strip()
        charset = declared.split("*", 1)[0].strip().lower()
        if pending and (not adjacent or charset != pending_charset):
            out.append(decode_bytes(b"".join(pending), pending_charset))
            pending = []
        if not adjacent:
            out.append(between)
        pending.append(_word_bytes(encoding, encoded))
        pending_charset = charset
        at = end
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
        codec = _mail_codec(_SUPERSETS.get(declared, declared))
        if codec:
            candidates.append(codec)
    candidates += ["utf-8", "cp1252"]
    for charset in candidates:
        try:
            return payload.decode(charset)
        except UnicodeError:
            continue
    return payload.decode("latin-1")


# Codecs Python has that are no charset of mail text: "undefined" raises on every use; IDNA and Punycode decode
# host names, in Python code whose time grows faster than the text.
_NOT_CHARSETS = frozenset({"undefined", "idna", "punycode"})


@functools.lru_cache(maxsize=512)
def _mail_codec(charset: str) -> str | None:
    """The codec a declared charset names, or None when Python has none by that name (or the name is no name at
    all: a NUL in it), or it is none for text."""
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError):
        return None
    return info.name if info._is_text_encoding and info.name not in _NOT_CHARSETS else None


# Text parts are decoded from at most this much of their payload as it came (base64 or quoted-printable), the
# parts of each kind (plain, HTML) together. Our largest is 59 KB; the reader reads 4,000 characters of new text,
# at the top, and a bottom-posted answer under a megabyte of quoted thread is no reply anyone writes (nor would it
# be read: new_text looks at 10,000 lines). Calendars: a reply's is a few KB (an invitation with time zones ~10).
TEXT_BYTES = 2**20
CALENDAR_BYTES = 256 * 1024
CALENDARS = 8
# The headers of a message that bounced (text/rfc822-headers): ours are a few KB, and a report returns one set.
RETURNED_HEADER_BYTES = 64 * 1024
RETURNED_HEADERS = 8


def part_text(part: Message, limit: int = TEXT_BYTES) -> str:
    """The text of a leaf part, decoded from at most `limit` characters of its payload."""
    payload = payload_bytes(part, limit)
    return "" if payload is None else decode_bytes(payload, _charset(part))


def payload_bytes(part: Message, limit: int) -> bytes | None:
    """part.get_payload(decode=True) of at most `limit` characters of the payload as stored, cut at the end of a
    line so base64 and quoted-printable are cut between their lines (None for a multipart)."""
    stored = vars(part).get("_payload")
    if isinstance(stored, str) and len(stored) > limit:
        cut = stored.rfind("\n", 0, limit) + 1 or limit
        clone = Message()
        encoding = next((v for k, v in part.raw_items() if k.lower() == "content-transfer-encoding"), None)
        if encoding is not None:
            clone.set_raw("Content-Transfer-Encoding", encoding)
        clone.set_payload(stored[:cut])
        part = clone
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else None


def _charset(part: Message, content_type: str | None = None) -> str | None:
    """Message.get_content_charset(), read straight from the header (that method re-parses every parameter)."""
    value = str(part.get("content-type", "")) if content_type is None else content_type
    if "*" in value:  # RFC 2231 parameters: the full parser
        try:
            return part.get_content_charset()
        except (LookupError, ValueError):  # a charset named in a charset it names ("undefined"), a NUL in it
            return None
    charset = _param(value, "charset")
    return charset.lower() if charset is not None and charset.isascii() else None


_PARAMS = {name: re.compile(rf";\s*{name}\s*=\s*(?:\"([^\"]*)\"|([^;\s]*))", re.I)
           for name in ("charset", "report-type", "format", "delsp")}


def _param(value: str, name: str) -> str | None:
    """A plain Content-Type parameter's value (quoted or not), without the email package's general machinery."""
    found = _PARAMS[name].search(value)
    if found is None:
        return None
    return found.group(1) if found.group(1) is not None else found.group(2)


_QUOTE_DEPTH = re.compile(r"^>+")


def _unflowed(text: str, content_type: str) -> str:
    """A format=flowed text (RFC 3676: Thunderbird, Apple Mail) as its writer wrote it: a line ending in a space
    goes on in the next line of the same quote depth (the space dropped too when DelSp=yes); a space-stuffed line
    loses its first space; the signature line "-- " ends a paragraph. Other texts are returned as they are."""
    flowed = _param(content_type, "format") if "flowed" in content_type.lower() else None
    if flowed is None or flowed.lower() != "flowed":
        return text
    delete_space = (_param(content_type, "delsp") or "").lower() == "yes"
    out: list[str] = []
    joining: tuple[int, str] | None = None  # the paragraph being joined: its quote depth and text so far
    for raw in text.split("\n"):
        line = raw[:-1] if raw.endswith("\r") else raw
        found = _QUOTE_DEPTH.match(line)
        depth = found.end() if found else 0
        line = line[depth:]
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if joining is not None and joining[0] != depth:
            out.append(_with_depth(*joining))
            joining = None
        soft = line.endswith(" ") and line != "-- "
        if soft and delete_space:
            line = line[:-1]
        text_so_far = (joining[1] if joining else "") + line
        if soft:
            joining = (depth, text_so_far)
        else:
            out.append(_with_depth(depth, text_so_far))
            joining = None
    if joining is not None:
        out.append(_with_depth(*joining))
    return "\n".join(out)


def _with_depth(depth: int, line: str) -> str:
    return f"{'>' * depth} {line}" if depth else line


def _walk(message: Message, kinds: PartKinds, notes: list[str]
          ) -> tuple[str, bool, list[bytes], list[Message], list[Message], list[Attachment]]:
    plain: list[str] = []
    html: list[Message] = []  # decoded only when there is no plain text
    calendars: list[bytes] = []
    reports: list[Message] = []
    returned: list[Message] = []
    attachments: list[Attachment] = []
    room = TEXT_BYTES
    for part, ctype, in_attachment in _parts(message, kinds):
        document = document_type(ctype, _filename(part)) if ctype.startswith("application/") else None
        if document:
            if len(attachments) >= ATTACHMENTS:
                _note(notes, f"documents past the first {ATTACHMENTS} were not read")
                continue
            if _stored_size(part) > ATTACHMENT_BYTES * 4 // 3 + 4096:  # base64 of more than the bound: not decoded
                attachments.append(Attachment(_filename(part), document, b"", too_large=True))
                continue
            attachments.append(Attachment(_filename(part), document, load=functools.partial(
                payload_bytes, part, ATTACHMENT_BYTES * 4 // 3 + 4096)))
            continue
        if ctype == "text/calendar" or (ctype == "application/ics"):
            if len(calendars) >= CALENDARS:
                _note(notes, f"calendars past the first {CALENDARS} were not read")
                continue
            payload = _bounded(part, CALENDAR_BYTES, "calendar", notes)
            if payload is not None:
                calendars.append(payload)
            continue
        if ctype == "message/delivery-status":
            reports.extend(p for p in _sub_messages(part))
            continue
        if ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            if len(returned) >= RETURNED_HEADERS:
                _note(notes, f"returned headers past the first {RETURNED_HEADERS} were not read")
                continue
            returned.append(_headers_part(part, notes))
            continue
        if in_attachment:
            continue
        if ctype == "text/plain":
            if room <= 0:
                _note(notes, f"text parts past {TEXT_BYTES // 2**20} MiB were not read")
                continue
            payload = _bounded(part, room, "text part", notes)
            room -= _stored_size(part)
            content_type = str(part.get("content-type", ""))
            plain.append("" if payload is None else _unflowed(decode_bytes(payload, _charset(part, content_type)),
                                                              content_type))
        elif ctype == "text/html":
            html.append(part)
    if plain and any(p.strip() for p in plain):
        return "\n".join(plain), False, calendars, reports, returned, attachments
    if html:
        room = TEXT_BYTES
        texts = []
        for part in html:
            if room <= 0:
                _note(notes, f"HTML parts past {TEXT_BYTES // 2**20} MiB were not read")
                break
            payload = _bounded(part, room, "HTML part", notes)
            room -= _stored_size(part)
            texts.append(html_to_text("" if payload is None else decode_bytes(payload, _charset(part))))
        return "\n".join(texts), True, calendars, reports, returned, attachments
    return "", False, calendars, reports, returned, attachments


def _filename(part: Message) -> str:
    try:
        return str(part.get_filename() or "")[:200]
    except (TypeError, ValueError, LookupError):
        return ""


def _stored_size(part: Message) -> int:
    stored = vars(part).get("_payload")
    return len(stored) if isinstance(stored, str) else 0


def _bounded(part: Message, limit: int, what: str, notes: list[str]) -> bytes | None:
    if _stored_size(part) > limit:
        _note(notes, f"a {what} past {limit // 1024:,} KiB of its payload was read only that far")
    return payload_bytes(part, limit)


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


def _headers_part(part: Message, notes: list[str]) -> Message:
    """A text/rfc822-headers part (the headers of the mail that bounced) as a message: its header fields."""
    return parse_headers(_bounded(part, RETURNED_HEADER_BYTES, "returned headers part", notes) or b"")


def _as_bytes(text: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte
        return text.encode("utf-8", "replace")


def _sub_messages(part: Message) -> list[Message]:
    """The blocks of a delivery-status report (the parsers make each a Message; the standard parser, when it
    reads a report, leaves it as text)."""
    payload = vars(part).get("_payload")
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    if isinstance(payload, str):
        blocks = [block for block in re.split(r"\n\s*\n", payload[:MAX_HEADER_READ]) if block.strip()]
        return [parse_headers(_as_bytes(block)) for block in blocks[:MAX_PARTS]]
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
