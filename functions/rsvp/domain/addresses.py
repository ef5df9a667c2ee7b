"""Email address checks shared by meetings, invitees and the mail reader."""

from __future__ import annotations

import re

# Deliberately practical rather than RFC 5322 complete: what a registration desk can send to.
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                      r"[A-Za-z]{2,63}$")
_UNSAFE = re.compile(r"[\r\n\x00-\x1f\x7f]")


def normalise_address(address: str) -> str:
    """Lower-case form used as the identity of an invitee."""
    return address.strip().lower()


def is_valid_address(address: str) -> bool:
    return bool(_ADDRESS.match(address)) and ".." not in address and len(address) <= 254


def has_control_characters(text: str) -> bool:
    """True when text could break a header (CR, LF and other control characters)."""
    return bool(_UNSAFE.search(text))


def split_address(address: str) -> tuple[str, str]:
    local, _, domain = address.rpartition("@")
    return local, domain
