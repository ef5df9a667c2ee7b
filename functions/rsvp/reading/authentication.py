"""Did our own receiving server verify the sender? (RFC 8601 Authentication-Results, SES verdicts.)

Everything in a stored message is the sender's text except the trace block our receiving server prepended
to it: SES receiving writes `Return-Path`, its `Received` line ("by inbound-smtp.REGION.amazonaws.com"), its
spam and virus verdicts, `Received-SPF`, one `Authentication-Results: amazonses.com; …` and its receipt on
top of the message as it arrived. Only that block is read here (RFC 8601 §5): the leading run of such fields,
which must hold our Received line, ending at the first other field or at a Received line our server did not
add; in it the first field of each kind, for our exact authserv-id (configured per deployment). A sender can
write `Authentication-Results: amazonses.com; dmarc=pass` anywhere in their own headers; it means nothing.

A verdict counts for the From domain only when it names that domain: DMARC by `header.from`, DKIM by the
signing domain (`header.d`, or the domain of `header.i`), SPF by the envelope sender (`smtp.mailfrom`, or
SES's `envelope-from`); each equal to the From domain or an organisational parent of it (relaxed
alignment, never past the organisational domain: `example.org` may sign for `mission.example.org`;
`mission-canada.example.org.evil.example` never passes for `mission-canada.example.org`). The headers are
parsed by their grammar (method=result, ptype.property=value, comments and quoted strings), never searched
for substrings, so `dmarc=pass` inside a quoted local part or a comment is only text.

(authres 1.2.0, the library for this header, rejects SES's own header: SES writes `client-ip=…;
envelope-from=…; helo=…;` after `spf=`, which the grammar does not allow; hence this small parser.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from ..domain.addresses import canonical_domain

# RFC 8601 §2.7 and the IANA registry: the names a resinfo may start with. A segment that starts with
# anything else (SES's "client-ip=…; envelope-from=…; helo=…") belongs to the result before it.
_METHODS = frozenset({"auth", "dkim", "dkim-adsp", "dkim-atps", "domainkeys", "dmarc", "dnswl", "iprev", "rrvs",
                      "sender-id", "smime", "spf", "vbr", "arc", "bimi"})
_LONGEST_HEADER = 8192  # an Authentication-Results longer than this is not one a receiving server wrote


class Verification(StrEnum):
    """What our receiving server says of the From address."""

    VERIFIED = "verified"  # DMARC passed for the From domain, or DKIM or SPF passed aligned with it
    FAILED = "failed"  # our server checked and nothing aligned with the From domain passed
    NO_VERDICT = "no_verdict"  # no verdict from our server in the message (nothing to go on)
    AMBIGUOUS = "ambiguous"  # two From headers, or a From with several addresses: never verified

    @property
    def explanation(self) -> str:
        return {
            Verification.VERIFIED: "our receiving server verified the From domain",
            Verification.FAILED: "our receiving server could not verify the From domain (no aligned DMARC, "
                                 "DKIM or SPF pass)",
            Verification.NO_VERDICT: "no verdict from our receiving server",
            Verification.AMBIGUOUS: "more than one From address (two From headers, or several in one)",
        }[self]


@dataclass(frozen=True)
class ReceivingServer:
    """Our own receiving server: the one whose trace headers are trusted. Configured per deployment
    (SES: authserv-id "amazonses.com", hosts "inbound-smtp.REGION.amazonaws.com"; the local SMTP door
    stamps its own)."""

    authserv_id: str
    hosts: tuple[str, ...]

    def added(self, received: str) -> bool:
        """Was this Received field added by us? (Its `by` clause names one of our hosts.)"""
        found = _BY.search(received[:2048])
        return found is not None and found.group(1).lower().rstrip(".") in self.hosts


_BY = re.compile(r"\bby\s+([A-Za-z0-9.-]+)", re.I)


@dataclass(frozen=True)
class MethodResult:
    method: str
    result: str
    properties: dict[str, str] = field(default_factory=dict)  # "header.from" -> "example.org"; lower-case names


@dataclass(frozen=True)
class Trace:
    """What our receiving server stamped on top of the message."""

    ours: bool = False  # our server's Received line is at the top
    results: tuple[MethodResult, ...] = ()  # from our Authentication-Results
    has_results: bool = False
    spam: str = ""  # X-SES-Spam-Verdict: PASS, FAIL, GRAY, PROCESSING_FAILED ("" when absent)
    virus: str = ""  # X-SES-Virus-Verdict
    body_start: int = 0  # index of the first header field below our block (the message as it arrived)

    def verify(self, from_addresses: Iterable[str]) -> Verification:
        senders = list(dict.fromkeys(a for a in from_addresses if a))
        if len(senders) > 1:
            return Verification.AMBIGUOUS
        if not self.has_results:
            return Verification.NO_VERDICT
        if not senders:
            return Verification.FAILED
        domain = canonical_domain(senders[0].rpartition("@")[2])
        if not domain:
            return Verification.FAILED
        return Verification.VERIFIED if any(_passes_for(r, domain) for r in self.results) else Verification.FAILED

    @property
    def rejected_by_scan(self) -> str | None:
        """Why our server's scan condemns the message (a virus, or spam), or None."""
        if self.virus.upper() == "FAIL":
            return "our receiving server found a virus (X-SES-Virus-Verdict: FAIL)"
        if self.spam.upper() == "FAIL":
            return "our receiving server judged it spam (X-SES-Spam-Verdict: FAIL)"
        return None


def read_trace(fields: Iterable[tuple[str, str]], server: ReceivingServer) -> Trace:
    """Our server's block at the top of the header fields (name, raw value), in order: the leading run of the
    fields a receiving server writes (Return-Path, our Received line, X-SES-*, Received-SPF,
    Authentication-Results), ending at the first other field or at a Received line our server did not add.
    Within it the first field of each kind is ours (our server writes each once, on top of what arrived)."""
    ours = False
    results: tuple[MethodResult, ...] | None = None
    spam = virus = ""
    index = -1
    for index, (name, value) in enumerate(fields):  # noqa: B007 - the index is where the block ends
        key = name.lower()
        if key == "received":
            if not server.added(value):
                break
            ours = True
        elif not ours and key != "return-path":
            break  # our server writes only the envelope sender above its Received line
        elif key not in _TRACE_FIELDS and not key.startswith("x-ses-"):
            break
        elif key == "authentication-results" and ours and results is None:
            parsed = parse_authentication_results(_text(value))
            if parsed is not None and parsed[0] == server.authserv_id.lower():
                results = parsed[1]
        elif key == "x-ses-spam-verdict" and ours and not spam:
            spam = value.strip()[:32]
        elif key == "x-ses-virus-verdict" and ours and not virus:
            virus = value.strip()[:32]
    else:
        index += 1
    if not ours:
        return Trace(body_start=0)
    return Trace(ours=True, results=results or (), has_results=results is not None, spam=spam, virus=virus,
                 body_start=max(index, 0))


_TRACE_FIELDS = frozenset({"return-path", "received-spf", "authentication-results"})


def _text(value: str) -> str:
    """A raw header value as text (the parser keeps 8-bit bytes as surrogates; an IDN domain may be UTF-8)."""
    return value if value.isascii() else value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# ---------------------------------------------------------------------- alignment


@lru_cache(maxsize=4096)
def organisational_domain(domain: str) -> str:
    """The registrable domain (DMARC's organisational domain) by the Public Suffix List."""
    return str(_public_suffixes().privatesuffix(domain) or domain)


@lru_cache(maxsize=1)
def _public_suffixes() -> Any:
    """The list is read on first use (30 ms), not at import: most messages are routed by their tag."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def aligned(authenticated: str, from_domain: str) -> bool:
    """Is a verdict for `authenticated` a verdict for `from_domain`? Equal, or a parent of it within the same
    organisational domain (relaxed alignment)."""
    authenticated = canonical_domain(authenticated)
    if not authenticated or not from_domain:
        return False
    if authenticated == from_domain:
        return True
    if not from_domain.endswith("." + authenticated):
        return False
    return organisational_domain(from_domain) == organisational_domain(authenticated) and \
        authenticated.count(".") >= organisational_domain(from_domain).count(".")


def _domain_of(value: str) -> str:
    """The domain in `@example.org`, `user@example.org` or `example.org` (after the last "@": a quoted local
    part holding "@" has been unquoted into the value before it)."""
    return value.strip().rpartition("@")[2]


def _passes_for(result: MethodResult, domain: str) -> bool:
    if result.result != "pass":
        return False
    props = result.properties
    if result.method == "dmarc":
        return canonical_domain(props.get("header.from", "")) == domain
    if result.method == "dkim":
        return any(aligned(_domain_of(props[name]), domain) for name in ("header.d", "header.i") if name in props)
    if result.method == "spf":
        mailfrom = props.get("smtp.mailfrom") or props.get("envelope-from", "")
        return bool(mailfrom) and aligned(_domain_of(mailfrom), domain)
    return False


# ---------------------------------------------------------------------- the header's grammar

# Words of RFC 8601's grammar once comments are removed: runs of quoted strings and other characters up to a
# blank or a semicolon (so `smtp.mailfrom="dmarc=pass"@evil.example` is one word), and the semicolons.
_WORD = re.compile(r'(?:"(?:[^"\\]|\\.)*"?|[^\s;"])+|;')


def _without_comments(text: str) -> str:
    """CFWS comments removed (nested, with quoted-pairs); quoted strings kept as they are."""
    out: list[str] = []
    depth = 0
    index = 0
    quoted = False
    while index < len(text):
        char = text[index]
        if char == "\\" and (depth or quoted):
            if not depth:
                out.append(text[index:index + 2])
            index += 2
            continue
        if quoted:
            out.append(char)
            quoted = char != '"'
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(char)
            quoted = char == '"'
        index += 1
    return "".join(out)


def parse_authentication_results(value: str) -> tuple[str, tuple[MethodResult, ...]] | None:
    """(authserv-id, results) of one Authentication-Results field; None when it is not one."""
    text = _without_comments(value[:_LONGEST_HEADER].replace("\r", " ").replace("\n", " "))
    segments = _segments(text)
    if not segments or not segments[0] or "=" in segments[0][0]:
        return None
    authserv_id = segments[0][0].lower()
    results: list[MethodResult] = []
    for words in segments[1:]:
        pairs = _pairs(words)
        if not pairs:
            continue
        name, result = pairs[0]
        method = name.split("/", 1)[0]
        if method in _METHODS or method.startswith("x-"):
            props = {k: v for k, v in pairs[1:] if "." in k or k == "reason"}
            results.append(MethodResult(method, result.lower(), props))
        elif results:  # SES: "spf=pass (…) client-ip=…; envelope-from=…; helo=…;" belong to the spf result
            previous = results[-1]
            extra = {k: v for k, v in pairs if k not in previous.properties and "." not in k}
            results[-1] = MethodResult(previous.method, previous.result, {**previous.properties, **extra})
    return authserv_id, tuple(results)


def _segments(text: str) -> list[list[str]]:
    """The words of each semicolon-separated part (semicolons inside quoted strings do not separate)."""
    segments: list[list[str]] = [[]]
    for word in _WORD.findall(text):
        if word == ";":
            segments.append([])
        else:
            segments[-1].append(word)
    return segments[:1] + [s for s in segments[1:] if s]


def _pairs(words: list[str]) -> list[tuple[str, str]]:
    """name=value pairs (CFWS allowed around "="), names lower-cased, quoted values unquoted."""
    joined: list[str] = []
    for word in words:
        if joined and (joined[-1].endswith("=") or word.startswith("=")) and joined[-1].count('"') % 2 == 0:
            joined[-1] += word
        else:
            joined.append(word)
    pairs = []
    for word in joined:
        name, equals, found = word.partition("=")
        if equals and name and '"' not in name:
            pairs.append((name.lower(), _unquote(found)))
    return pairs


def _unquote(token: str) -> str:
    """A value with its quoted strings unquoted: `"a=b"@c` -> `a=b@c`; `"x y"` -> `x y`."""
    if '"' not in token:
        return token
    return re.sub(r'"((?:[^"\\]|\\.)*)"?', lambda m: re.sub(r"\\(.)", r"\1", m.group(1)), token)
