"""Building outgoing messages whose headers cannot be injected."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from ..domain.addresses import has_control_characters, split_address


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""

    def header(self) -> Address:
        local, domain = split_address(self.email)
        return Address(display_name=_one_line(self.name), username=local, domain=domain)


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

    def to_message(self) -> EmailMessage:
        msg = EmailMessage(policy=_POLICY)
        msg["From"] = self.sender.header()
        msg["To"] = [r.header() for r in self.to]
        if self.cc:
            msg["Cc"] = [r.header() for r in self.cc]
        if self.reply_to:
            msg["Reply-To"] = self.reply_to.header()
        msg["Subject"] = _one_line(self.subject)
        if self.date:
            msg["Date"] = format_datetime(self.date)
        msg["Message-ID"] = self.message_id or new_message_id(split_address(self.sender.email)[1])
        if self.in_reply_to:
            msg["In-Reply-To"] = f"<{self.in_reply_to.strip('<>')}>"
            refs = [*self.references, self.in_reply_to]
            msg["References"] = " ".join(f"<{r.strip('<>')}>" for r in dict.fromkeys(refs))
        # RFC 3834: tells well-behaved responders not to answer us, so no mail loops.
        msg["Auto-Submitted"] = self.auto_submitted
        msg["X-Auto-Response-Suppress"] = "OOF, AutoReply"  # no out-of-office answers; calendar replies still come
        msg["Content-Language"] = self.language
        if self.list_unsubscribe:
            msg["List-Unsubscribe"] = f"<{_one_line(self.list_unsubscribe)}>"
        msg.set_content(self.text, subtype="plain", charset="utf-8", cte="quoted-printable")
        msg.add_alternative(self.html, subtype="html", charset="utf-8", cte="quoted-printable")
        if self.calendar:
            # Inline REQUEST part (Outlook, Gmail show Yes/No/Maybe) and the same file attached for other clients.
            msg.add_alternative(self.calendar, subtype="calendar", charset="utf-8", cte="quoted-printable",
                                params={"method": "REQUEST"})
            msg.add_attachment(self.calendar.encode("utf-8"), maintype="application", subtype="ics",
                               filename="invite.ics")
        for attachment in self.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            msg.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
        return msg

    def to_bytes(self) -> bytes:
        return self.to_message().as_bytes()


# RFC 5322 allows 998 octets a line: URLs (List-Unsubscribe) must not be folded into encoded words.
_POLICY = SMTP.clone(max_line_length=998)


def new_message_id(domain: str) -> str:
    return f"<{uuid.uuid4().hex}@{domain or 'rsvp.invalid'}>"


def _one_line(text: str) -> str:
    """Header text from names and titles: control characters become spaces, never new headers."""
    if has_control_characters(text):
        text = "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text)
    return " ".join(text.split())
