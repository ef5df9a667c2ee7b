"""Email address checks shared by meetings, invitees and the mail reader."""

from __future__ import annotations

import re
from functools import lru_cache

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


@lru_cache(maxsize=4096)
def canonical_domain(domain: str) -> str:
    """Lower-case A-label form ("Mission-Cañada.Example.org." -> "xn--mission-caada-1nb.example.org"), so a
    domain written in Unicode and its punycode are one domain; "" when it is not a domain name at all."""
    domain = domain.strip().strip("<>").rstrip(".").lower()
    if not domain or len(domain) > 253:
        return ""
    if not domain.isascii():
        try:
            domain = ".".join(label.encode("idna").decode("ascii") for label in domain.split("."))
        except UnicodeError:
            return ""
    return domain if _DOMAIN.fullmatch(domain) else ""


_DOMAIN = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*")


def canonical_address(address: str) -> str:
    """The identity form of an address as a sender wrote it: lower-cased, its domain in A-labels."""
    local, _, domain = address.strip().rpartition("@")
    if not local:
        return normalise_address(address)
    return f"{local.lower()}@{canonical_domain(domain) or domain.lower()}"


def redact_address(address: str) -> str:
    """An address as logs may show it: its first letter and its domain ("d***@mission-canada.example.org")."""
    local, at, domain = str(address).rpartition("@")
    if not at:
        return "***" if address else ""
    return f"{local[:1]}***@{domain[:100]}"
