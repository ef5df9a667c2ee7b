"""Did our receiving server verify the sender? (Authentication-Results, RFC 8601)."""

from __future__ import annotations

import re
from email.message import Message

from .mime import decode_text_header

TRUSTED_AUTHSERV_IDS = ("amazonses.com", "rsvp.local")


def sender_verified(message: Message, from_address: str, trusted: tuple[str, ...] = TRUSTED_AUTHSERV_IDS
                    ) -> bool | None:
    """True: DMARC passed, or DKIM/SPF passed for the From domain. False: checked and failed.
    None: no verdict from a server we trust (nothing to go on)."""
    domain = from_address.rpartition("@")[2].lower()
    verdicts = []
    for header in message.get_all("Authentication-Results", []):
        text = decode_text_header(header).lower()
        authserv = text.split(";", 1)[0].strip()
        if not any(authserv == t or authserv.endswith("." + t) for t in trusted):
            continue
        verdicts.append(text)
    if not verdicts:
        return None
    for text in verdicts:
        if re.search(r"\bdmarc=pass\b", text):
            return True
        if re.search(r"\bdkim=pass\b[^;]*header\.(d|i)=@?([\w.-]*\.)?" + re.escape(domain) + r"\b", text):
            return True
        if re.search(r"\bspf=pass\b[^;]*smtp\.mailfrom=[^;\s]*@?" + re.escape(domain) + r"\b", text):
            return True
    return False
