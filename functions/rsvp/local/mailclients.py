"""Replies as real mail clients write them: Gmail, Outlook, Apple Mail, iPhone, calendar buttons,
out-of-office robots and bounce reports. Used by the demo and the end-to-end tests."""

from __future__ import annotations

import email
import re
import uuid
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

from ..reading.mime import decode_text_header, part_text

_WROTE = {
    "gmail": {"en": "On {date}, {who} wrote:", "es": "El {date}, {who} escribió:", "fr": "Le {date}, {who} a écrit :"},
    "apple": {"en": "On {date}, at {time}, {who} wrote:", "es": "El {date}, a las {time}, {who} escribió:",
              "fr": "Le {date} à {time}, {who} a écrit :"},
}
_OUTLOOK = {
    "en": ("From", "Sent", "To", "Subject"), "es": ("De", "Enviado", "Para", "Asunto"),
    "fr": ("De", "Envoyé", "À", "Objet"),
}
_SIGNED_FROM_PHONE = {"en": "Sent from my iPhone", "es": "Enviado desde mi iPhone", "fr": "Envoyé de mon iPhone"}


def invitation_facts(raw: bytes) -> dict[str, str]:
    msg = email.message_from_bytes(raw)
    text, uid = "", ""
    for part in msg.walk():
        if part.get_content_type() == "text/plain" and not text:
            text = part_text(part)
        elif part.get_content_type() == "text/calendar" and not uid:
            found = re.search(r"^UID:(.+?)\r?$", part_text(part), re.M)
            uid = found.group(1).strip() if found else ""
    return {
        "uid": uid,  # the invitation's calendar UID, which a calendar's answer echoes
        "subject": decode_text_header(msg["Subject"]),
        "message_id": str(msg["Message-ID"]),
        "reply_to": parseaddr(decode_text_header(msg["Reply-To"]))[1],
        "reply_to_header": decode_text_header(msg["Reply-To"]),
        "from": decode_text_header(msg["From"]),
        "to": decode_text_header(msg["To"]),
        "date": str(msg["Date"]),
        "language": str(msg["Content-Language"] or "en"),
        "text": text,
    }


def compose(style: str, *, sender: str, sender_name: str, to: str, at: datetime, body: str,
            invitation: dict[str, str], partstat: str = "ACCEPTED") -> bytes:
    """A reply in `style` to the invitation described by `invitation`."""
    language = invitation["language"]
    if style == "bounce":
        return bounce(failed=sender, to=to, at=at, invitation=invitation)
    if style == "calendar":
        return calendar_reply(sender=sender, sender_name=sender_name, to=to, at=at, invitation=invitation,
                              partstat=partstat)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"{sender_name} <{sender}>"
    msg["To"] = to
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@{sender.rpartition('@')[2]}>"
    prefix = {"en": "RE: ", "es": "RE: ", "fr": "RE : "}.get(language, "RE: ") if style == "outlook" else "Re: "
    msg["Subject"] = prefix + invitation["subject"]
    if style != "plain":
        msg["In-Reply-To"] = invitation["message_id"]
        msg["References"] = invitation["message_id"]
    if style == "autoreply":
        msg.replace_header("Subject", "Automatic reply: " + invitation["subject"])
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(_with_quote(style, body, invitation, language), charset="utf-8", cte="quoted-printable")
    return msg.as_bytes()


def _with_quote(style: str, body: str, invitation: dict[str, str], language: str) -> str:
    original = invitation["text"].strip()
    sent = email.utils.parsedate_to_datetime(invitation["date"])
    if style == "gmail":
        header = _WROTE["gmail"].get(language, _WROTE["gmail"]["en"]).format(
            date=sent.strftime("%a, %d %b %Y at %H:%M"), who=invitation["reply_to_header"])
        return f"{body.rstrip()}\n\n{header}\n\n" + _quoted(original)
    if style in ("apple", "iphone"):
        header = _WROTE["apple"].get(language, _WROTE["apple"]["en"]).format(
            date=sent.strftime("%d %b %Y"), time=sent.strftime("%H:%M"), who=invitation["reply_to_header"])
        signature = f"\n\n{_SIGNED_FROM_PHONE.get(language, _SIGNED_FROM_PHONE['en'])}" if style == "iphone" else ""
        return f"{body.rstrip()}{signature}\n\n> {header}\n>\n" + _quoted(original)
    if style == "outlook":
        labels = _OUTLOOK.get(language, _OUTLOOK["en"])
        block = (f"{labels[0]}: {invitation['from']}\n{labels[1]}: {sent.strftime('%d %B %Y %H:%M')}\n"
                 f"{labels[2]}: {invitation['to']}\n{labels[3]}: {invitation['subject']}")
        return f"{body.rstrip()}\n\n________________________________\n{block}\n\n{original}\n"
    return body


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines()) + "\n"


def calendar_reply(*, sender: str, sender_name: str, to: str, at: datetime, invitation: dict[str, str],
                   partstat: str) -> bytes:
    """What Outlook sends when the invitee presses Accept / Decline / Tentative on a calendar invite."""
    verb = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}[partstat]
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"{sender_name} <{sender}>"
    msg["To"] = to
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@{sender.rpartition('@')[2]}>"
    msg["Subject"] = f"{verb}: {invitation['subject'].removeprefix('Invitation: ')}"
    msg.set_content("", charset="utf-8")
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    ics = (
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n"
        "BEGIN:VEVENT\r\n"
        f"ATTENDEE;PARTSTAT={partstat};CN={sender_name}:mailto:{sender}\r\n"
        f"UID:{invitation.get('uid') or uuid.uuid4()}\r\nDTSTAMP:{stamp}\r\nSEQUENCE:0\r\n"
        f"SUMMARY:{verb}: {invitation['subject'].removeprefix('Invitation: ')}\r\nORGANIZER:mailto:{to}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    msg.add_alternative(ics, subtype="calendar", params={"method": "REPLY"}, charset="utf-8")
    return msg.as_bytes()


def bounce(*, failed: str, to: str, at: datetime, invitation: dict[str, str]) -> bytes:
    """An RFC 3464 delivery status notification (Postfix style) for the invitation sent to `failed`."""
    boundary = uuid.uuid4().hex
    message_id = f"<{uuid.uuid4().hex}@mx.example.net>"
    text = f"""Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: {to}
Date: {format_datetime(at)}
Message-ID: {message_id}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.

I'm sorry to have to inform you that your message could not be delivered
to one or more recipients.

<{failed}>: host mx.example.net said: 550 5.1.1 User unknown

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; {failed}
Original-Recipient: rfc822;{failed}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--{boundary}
Content-Type: text/rfc822-headers

From: {invitation["from"]}
Reply-To: {invitation["reply_to_header"]}
To: {failed}
Subject: {invitation["subject"]}
Message-ID: {invitation["message_id"]}

--{boundary}--
"""
    return text.replace("\n", "\r\n").encode("utf-8")
