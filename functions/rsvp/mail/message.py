"""Building outgoing messages whose headers cannot be injected."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, formataddr

from ..domain.addresses import has_control_characters, split_address


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/csv"
    data: bytes


@dataclass(frozen=True)
class OutgoingEmail:
    sender: Recipient
    to: tuple[Recipient, ...]
    subject: str
    text: str
    html: str
    kind: str  # invitation | confirmation | closed | clarify | digest
    reply_to: Recipient | None = None
    cc: tuple[Recipient, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    auto_submitted: str = "auto-generated"
    message_id: str = ""
    date: datetime | None = None
    language: str = "en"
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    calendar: str = ""  # an iCalendar METHOD:REQUEST, sent inline and as invite.ics
    tags: dict[str, str] = field(default_factory=dict)  # SES message tags: come back in its events
    list_unsubscribe: str = ""  # mailto: URL that stops reminders

    @property
    def destinations(self) -> list[str]:
        return [r.email for r in (*self.to, *self.cc)]

    def to_bytes(self) -> bytes:
        """The message as SES receives it (RFC 5322/2045; CRLF; headers RFC 2047-encoded where needed).

        Written directly rather than through email.message.EmailMessage, which is ~10x slower here.
        """
        domain = split_address(self.sender.email)[1]
        head = [
            ("From", _address(self.sender)),
            ("To", ", ".join(_address(r) for r in self.to)),
        ]
        if self.cc:
            head.append(("Cc", ", ".join(_address(r) for r in self.cc)))
        if self.reply_to:
            head.append(("Reply-To", _address(self.reply_to)))
        head.append(("Subject", _encoded(self.subject)))
        if self.date:
            head.append(("Date", format_datetime(self.date)))
        head.append(("Message-ID", _one_line(self.message_id) or new_message_id(domain)))
        if self.in_reply_to:
            refs = dict.fromkeys(f"<{r.strip('<>')}>" for r in (*self.references, self.in_reply_to))
            head += [("In-Reply-To", f"<{_one_line(self.in_reply_to).strip('<>')}>"),
                     ("References", _one_line(" ".join(refs)))]
        # RFC 3834: tells well-behaved responders not to answer us, so no mail loops.
        head += [("Auto-Submitted", _one_line(self.auto_submitted)),
                 ("X-Auto-Response-Suppress", "OOF, AutoReply"),  # no out-of-office answers; calendar replies come
                 ("Content-Language", _one_line(self.language))]
        if self.list_unsubscribe:
            head.append(("List-Unsubscribe", f"<{_one_line(self.list_unsubscribe)}>"))
        head.append(("MIME-Version", "1.0"))
        alternative = [_text_part("plain", self.text), _text_part("html", self.html)]
        if self.calendar:
            # Inline REQUEST part (Outlook, Gmail show Yes/No/Maybe) and the same file attached for other clients.
            alternative.append(_text_part("calendar", self.calendar, '; method="REQUEST"'))
        body = _multipart("alternative", alternative)
        attachments = [_attachment("invite.ics", "application/ics", self.calendar.encode("utf-8"))] \
            if self.calendar else []
        attachments += [_attachment(a.filename, a.content_type, a.data) for a in self.attachments]
        if attachments:
            body = _multipart("mixed", [body, *attachments])
        lines = [f"{name}: {value}" for name, value in head]
        return ("\r\n".join(lines) + "\r\n").encode("ascii") + body


def _address(recipient: Recipient) -> str:
    name = _one_line(recipient.name)
    return formataddr((name, _one_line(recipient.email)), charset="utf-8") if name else _one_line(recipient.email)


def _encoded(text: str) -> str:
    """A header value, RFC 2047-encoded when it is not plain ASCII: base64 encoded words of at most 45
    bytes (75 characters each, never splitting a character), folded one to a line."""
    text = _one_line(text)
    if text.isascii() and len(text) < 900:
        return text
    words: list[str] = []
    chunk: list[str] = []
    size = 0
    for char in text:
        width = len(char.encode("utf-8"))
        if size + width > 45:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += width
    words.append("".join(chunk))
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w.encode('utf-8')).decode('ascii')}?=" for w in words)


def _text_part(subtype: str, text: str, params: str = "") -> bytes:
    data = text.replace("\r\n", "\n").encode("utf-8")
    encoded = binascii.b2a_qp(data, istext=True).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return (f'Content-Type: text/{subtype}; charset="utf-8"{params}\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode("ascii") + encoded


def _attachment(filename: str, content_type: str, data: bytes) -> bytes:
    safe = "".join(c for c in _one_line(filename) if c not in '"\\') or "attachment"
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (f'Content-Type: {_one_line(content_type)}; name="{safe}"\r\n'
            f'Content-Disposition: attachment; filename="{safe}"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n").encode("ascii") + encoded


def _multipart(subtype: str, parts: list[bytes]) -> bytes:
    boundary = f"=_{uuid.uuid4().hex}"
    out = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode("ascii")]
    for part in parts:
        out += [f"--{boundary}\r\n".encode("ascii"), part.rstrip(b"\r\n"), b"\r\n"]
    out.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(out)


def new_message_id(domain: str) -> str:
    return f"<{uuid.uuid4().hex}@{domain or 'rsvp.invalid'}>"


def _one_line(text: str) -> str:
    """Header text from names and titles: control characters become spaces, never new headers."""
    if has_control_characters(text):
        text = "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text)
    return " ".join(text.split())
