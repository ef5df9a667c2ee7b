"""Automatic mail: auto-replies (RFC 3834 and friends, out-of-office by subject or body) and bounces.

One predicate decides; the desk never answers what it finds here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexicon import matcher
from .mime import ParsedMessage, decode_text_header, part_text

_AUTO_PRECEDENCE = {"auto_reply", "bulk", "junk", "list"}
_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|bounces?|nobody|"
                             r"microsoftexchange[0-9a-f]*)@", re.I)
# The words are language data: lexicon/<language>/automatic.yaml (matched on lower-cased text: re.I costs ~5x).
_BOUNCE_SUBJECTS = matcher("automatic", "bounce_subjects")
_OOO_SUBJECTS = matcher("automatic", "out_of_office_subjects")
_OOO_BODY = matcher("automatic", "out_of_office_body")
_MACHINE_BODY = matcher("automatic", "machine_body")
_READ_RECEIPT = matcher("automatic", "read_receipt_subjects")
_LOCAL_PART = r"[\w.!#$%&'*+/=?^`{|}~-]"
_EMAIL = re.compile(rf"{_LOCAL_PART}++@[\w-]+(?:\.[\w-]+)+")
_EMAIL_AT_A_WORD = re.compile(rf"(?<!{_LOCAL_PART}){_LOCAL_PART}++@[\w-]+(?:\.[\w-]+)+")


def _emails(text: str) -> list[str]:
    """_EMAIL.findall(text), in linear time: findall tries the pattern at every character of a long word, and
    each try reads to the word's end (quadratic: 20 KB of letters, 0.8 s). A match can only start where a word
    of address characters starts, or where the previous match ended."""
    found: list[str] = []
    at = 0
    while True:
        match = (_EMAIL.match(text, at) if at else None) or _EMAIL_AT_A_WORD.search(text, at)
        if match is None:
            return found
        found.append(match.group())
        at = match.end()


@dataclass(frozen=True)
class Automatic:
    kind: str  # "auto_reply" | "bounce"
    reasons: tuple[str, ...]
    failed_recipients: tuple[str, ...] = field(default_factory=tuple)
    final: bool = True  # False for a delay warning: the address may still work
    report: str = "failure"  # failure | delay | complaint | delivery


_SES_NOTIFICATION = re.compile(r'"notificationType"\s*:\s*"(Bounce|Complaint|Delivery)"')


def detect_automatic(msg: ParsedMessage) -> Automatic | None:
    bounce = _bounce(msg) or _ses_notification(msg)
    if bounce:
        return bounce
    reasons: list[str] = []
    report_type = msg.report_type
    if msg.content_type == "multipart/report" and report_type in ("feedback-report", "disposition-notification"):
        reasons.append(f"{report_type} report (RFC 5965/8098)")
    get = msg.raw_header
    subject = msg.subject.lower()
    if _READ_RECEIPT(subject) or (get("Original-Message-ID") and "disposition" in report_type):
        reasons.append("read receipt")
    auto_submitted = msg.header("Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        reasons.append(f"Auto-Submitted: {auto_submitted}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"):
        if get(name) is not None:
            reasons.append(f"{name} header")
    precedence = (msg.header("Precedence") or msg.header("X-Precedence")).lower()
    if precedence in _AUTO_PRECEDENCE:
        reasons.append(f"Precedence: {precedence}")
    if get("List-Id") or get("List-Unsubscribe"):
        reasons.append("mailing-list message")
    if msg.header("Return-Path").strip() == "<>":
        reasons.append("null Return-Path")
    if msg.header("X-MS-Exchange-Generated-Message-Source") or msg.header("X-Ms-Exchange-Inbox-Rules-Loop"):
        reasons.append("Exchange generated message")
    if _OOO_SUBJECTS(subject):
        reasons.append("out-of-office subject")
    if reasons:
        return Automatic("auto_reply", tuple(reasons))
    return None


def out_of_office_body(text: str) -> bool:
    """Out-of-office wording near the start of the new text."""
    return _OOO_BODY(text[:600].lower())


def machine_body(text: str) -> bool:
    """A short text that says a machine wrote it ("This is an automated message, please do not reply", a ticket
    opened for our mail): an acknowledgement with no automatic-mail header."""
    return len(text) <= 2000 and _MACHINE_BODY(text.lower())


def _bounce(msg: ParsedMessage) -> Automatic | None:
    reasons: list[str] = []
    if msg.content_type == "multipart/report" and msg.report_type == "delivery-status":
        reasons.append("delivery status report (RFC 3464)")
    elif msg.delivery_reports:
        reasons.append("contains a delivery-status part")
    sender_is_daemon = bool(_BOUNCE_SENDERS.match(msg.from_address))
    subject_says = _BOUNCE_SUBJECTS(msg.subject.lower())
    if not reasons and sender_is_daemon and (subject_says or msg.header("Return-Path") == "<>"):
        reasons.append(f"from {msg.from_address} with a delivery-failure subject")
    if not reasons and subject_says and (
            msg.raw_header("X-Failed-Recipients") or msg.header("Return-Path").strip() == "<>"):
        reasons.append("delivery-failure subject with null Return-Path")
    if not reasons:
        return None
    failed, final = _failed_recipients(msg)
    if not final:
        # "Delayed Mail (still being retried)", "Remise différée": nothing failed yet, so no bounce; a notice the
        # desk keeps and never answers. A final failure, if it comes, is a report of its own.
        reasons.append("delay warning only (not a final failure)")
        return Automatic("auto_reply", tuple(reasons), failed, final, "delay")
    return Automatic("bounce", tuple(reasons), failed, final, "failure")


def _ses_notification(msg: ParsedMessage) -> Automatic | None:
    """Amazon SES bounce/complaint notifications delivered by email (SNS JSON in the body)."""
    body = (msg.text or _first_text(msg))[:50000]
    if "notificationType" not in body:
        return None
    body = body.replace('\\"', '"')  # SNS wraps the SES JSON as a string
    match = _SES_NOTIFICATION.search(body)
    if not match:
        return None
    kind = match.group(1).lower()
    addresses = tuple(dict.fromkeys(a.lower() for a in re.findall(r'"emailAddress"\s*:\s*"([^"]+)"', body)))
    if kind == "bounce":
        permanent = '"bounceType":"Permanent"' in body.replace(" ", "")
        return Automatic("bounce", ("Amazon SES bounce notification",), addresses, permanent,
                         "failure" if permanent else "delay")
    if kind == "complaint":
        return Automatic("bounce", ("Amazon SES complaint notification",), addresses, False, "complaint")
    return Automatic("bounce", ("Amazon SES delivery notification",), (), False, "delivery")


def _failed_recipients(msg: ParsedMessage) -> tuple[tuple[str, ...], bool]:
    failed: list[str] = []
    actions: list[str] = []
    for header in msg.message.get_all("X-Failed-Recipients", []):
        failed += [a.lower() for a in _emails(str(header))]
    for block in msg.delivery_reports:
        recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
        action = str(block.get("Action") or "").strip().lower()
        if action:
            actions.append(action)
        if recipient and action in ("", "failed"):
            failed += [a.lower() for a in _emails(str(recipient))]
    if not failed:
        for headers in msg.returned_headers:
            failed += [a.lower() for a in _emails(decode_text_header(headers.get("To")))]
    if not failed:
        # Exchange and sendmail prose: addresses named near the failure text.
        body = msg.text or _first_text(msg)
        candidates = [a.lower() for a in _emails(body)]
        failed += [a for a in candidates if not _BOUNCE_SENDERS.match(a)][:3]
    final = not actions or any(a == "failed" for a in actions)
    seen: dict[str, None] = dict.fromkeys(failed)
    return tuple(seen), final


def _first_text(msg: ParsedMessage) -> str:
    for part in msg.message.walk():
        if part.get_content_type() == "text/plain":
            return part_text(part)
    return ""
