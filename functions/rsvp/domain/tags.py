"""Personal reply addresses: registration+TAG@domain, where TAG is unguessable.

The tag is an HMAC of the meeting and the invitee's address under a secret kept out of the
repository (Secrets Manager in AWS). A reply that reaches the tagged address identifies its
invitee without trusting the From header, which anyone can write.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from .addresses import canonical_address, split_address

TAG_LENGTH = 16  # base32 characters: 80 bits
_TAG = re.compile(r"^[a-z0-9]{4,64}$")  # lenient: validity is decided by lookup, not shape


def reply_tag(secret: bytes, meeting_id: str, email: str) -> str:
    digest = hmac.new(secret, f"{meeting_id}\n{email.lower()}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:TAG_LENGTH]


def verify_tag(secret: bytes, tag: str, meeting_id: str, email: str) -> bool:
    return hmac.compare_digest(reply_tag(secret, meeting_id, email), tag)


def reply_address(mailbox: str, tag: str) -> str:
    local, domain = split_address(mailbox)
    return f"{local}+{tag}@{domain}"


def tag_from_address(address: str, mailbox_local_parts: set[str] | None = None) -> str | None:
    """The tag of a personal reply address, or None.

    With `mailbox_local_parts`, only addresses built on one of those mailboxes count.
    """
    local, _domain = split_address(address.strip().lower())
    base, plus, tag = local.partition("+")
    if not plus or not _TAG.match(tag):
        return None
    if mailbox_local_parts is not None and base not in mailbox_local_parts:
        return None
    return tag


def base_mailbox(address: str) -> str:
    """The mailbox an address belongs to, without its plus tag: registration+TAG@Desk.org -> registration@desk.org
    (an address without a tag is its own mailbox)."""
    local, domain = split_address(canonical_address(address))
    return f"{local.partition('+')[0]}@{domain}" if local else canonical_address(address)
