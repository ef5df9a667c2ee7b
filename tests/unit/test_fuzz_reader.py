"""Fuzzed mail: parse_message and read_message are total — every input, real mail mutated or a hostile shape
generated, ends in a well-formed reading, and never by the safety net.

Deterministic: hypothesis derandomized with no example database, and a fixed-seed run of the mutations
``bench.fuzz`` makes (which runs many more of them, timed).
"""

from __future__ import annotations

import base64
import binascii
import json
import random
from functools import cache
from pathlib import Path

import pytest
from bench.fuzz import CHARSETS, ENCODINGS, HUGE_PIECES, MUTATIONS, TOKENS, mutate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsvp.domain.rsvp import Intent, MessageKind
from rsvp.reading import read_message
from rsvp.reading.addresses import address_list
from rsvp.reading.mime import ParsedMessage, parse_message
from rsvp.reading.reader import READ_LIMIT
from tests.conftest import ROOT, SHARED, shared_path

FUZZ = settings(max_examples=150, derandomize=True, database=None, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])


def read_well(raw: bytes) -> None:
    """Both calls return, with fields of the right types; nothing was read by the safety net."""
    parsed = parse_message(raw)
    assert isinstance(parsed, ParsedMessage)
    assert all(isinstance(v, str) for v in (parsed.subject, parsed.from_name, parsed.from_address, parsed.text))
    assert isinstance(parsed.from_addresses, tuple) and all(isinstance(a, str) and a for a in parsed.from_addresses)
    assert parsed.from_address == (parsed.from_addresses[0] if parsed.from_addresses else "")
    assert all(isinstance(a, str) and "@" in a for a in parsed.recipients)
    assert all(isinstance(i, str) for i in (*parsed.in_reply_to, *parsed.references))
    assert all(isinstance(c, bytes) for c in parsed.calendars)
    assert all(isinstance(d, str) for d in parsed.defects)
    assert not [d for d in parsed.defects if d.startswith("unparseable: ")]
    reading = read_message(parsed)
    assert isinstance(reading.kind, MessageKind)
    assert reading.intent is None or isinstance(reading.intent, Intent)
    assert reading.attendee_count is None or (isinstance(reading.attendee_count, int) and reading.attendee_count >= 0)
    assert all(isinstance(a, str) for a in reading.attendees)
    assert reading.sessions is None or all(isinstance(s, str) for s in reading.sessions)
    assert reading.language is None or isinstance(reading.language, str)
    assert 0.0 <= reading.confidence <= 1.0
    assert reading.tag is None or isinstance(reading.tag, str)
    assert reading.reasons and all(isinstance(r, str) for r in reading.reasons)
    assert isinstance(reading.new_text, str) and len(reading.new_text) <= 2 * READ_LIMIT
    assert not [d for d in parsed.defects if d.startswith("unparseable: ")]
    json.dumps(reading.to_json())


@cache
def seeds() -> tuple[bytes, ...]:
    """Every message we have: our fixtures, and the shared corpora's replies and peers when they are here."""
    files = sorted((ROOT / "tests" / "fixtures").rglob("*.eml"))
    corpus = SHARED / "corpus"
    if corpus.exists():
        files += sorted(corpus.rglob("*.eml"))
        files += [p for p in sorted((corpus / "peers").iterdir()) if p.suffix not in (".json", ".md")]
    return tuple(p.read_bytes() for p in files)


def shared_messages(folder: str) -> list[bytes]:
    path: Path = shared_path("corpus", folder)
    return [p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file() and p.suffix not in (".json", ".md", ".py")]


# ---------------------------------------------------------------- real mail, mutated

def test_a_few_thousand_mutations_of_every_message_we_have_are_read() -> None:
    # Given 3,000 mutations (one to three each: spliced bytes, cut or repeated ranges, broken line ends, odd
    # charsets and encodings, broken boundaries, huge headers, deep nesting, long lines, unclosed markup, odd
    # addresses) of real messages, always the same ones
    rng = random.Random(20240611)
    for _ in range(3000):
        raw, _how = mutate(rng.choice(seeds()), rng)
        # When each is read, Then it is read well
        read_well(raw)


@FUZZ
@given(st.data())
def test_mutated_shared_replies_are_read(data: st.DataObject) -> None:
    replies = [m for folder in ("replies", "replies-intent", "replies-people", "replies-threads")
               for m in shared_messages(folder)]
    raw = data.draw(st.sampled_from(replies))
    for name in data.draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3)):
        raw = MUTATIONS[name](raw, data.draw(st.randoms(use_true_random=False)))
    read_well(raw)


@FUZZ
@given(st.data())
def test_mutated_peers_are_read(data: st.DataObject) -> None:
    raw = data.draw(st.sampled_from(shared_messages("peers")))
    for name in data.draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3)):
        raw = MUTATIONS[name](raw, data.draw(st.randoms(use_true_random=False)))
    read_well(raw)


@FUZZ
@given(st.sampled_from(sorted((ROOT / "tests" / "fixtures").rglob("*.eml"))), st.integers(0, 10**9),
       st.binary(max_size=64))
def test_fixtures_with_random_bytes_spliced_in_are_read(path: Path, at: int, spliced: bytes) -> None:
    raw = path.read_bytes()
    at %= len(raw) + 1
    read_well(raw[:at] + spliced + raw[at:])


# ---------------------------------------------------------------- hostile shapes, generated

LINE_ENDS = st.sampled_from([b"\r\n", b"\n", b"\r"])
HEADER_NAMES = st.sampled_from([b"From", b"To", b"Cc", b"Subject", b"Message-ID", b"References", b"In-Reply-To",
                                b"Date", b"Received", b"Content-Type", b"Delivered-To", b"Content-Disposition",
                                b"Return-Path", b"X-Failed-Recipients", b"Auto-Submitted"])


@st.composite
def text_parts(draw: st.DrawFn) -> bytes:
    """A leaf part: an odd charset, an odd transfer encoding, a payload cut anywhere."""
    charset = draw(st.sampled_from(CHARSETS).map(lambda c: c.encode("utf-8")) | st.binary(max_size=12))
    encoding = draw(st.sampled_from(ENCODINGS)).encode()
    body = draw(st.sampled_from([b"I will attend.\n", "Asistiré con gusto.\n".encode(), b"<p>Yes<div", b"\x00\xff"]))
    body *= draw(st.integers(1, 2000))
    kind = draw(st.sampled_from([b"text/plain", b"text/html", b"text/calendar", b"message/delivery-status",
                                 b"text/rfc822-headers"]))
    if b"base64" in encoding.lower():
        body = base64.encodebytes(body)
    elif encoding == b"quoted-printable":
        body = binascii.b2a_qp(body)
    body = body[:draw(st.integers(0, len(body)))]
    return b"Content-Type: " + kind + b"; charset=\"" + charset + b"\"\nContent-Transfer-Encoding: " + encoding + \
        b"\n\n" + body


@st.composite
def hostile_messages(draw: st.DrawFn) -> bytes:
    """Deep nesting, broken boundaries, huge headers, NULs and bare CRs, around a text part."""
    leaf = draw(text_parts())
    depth = draw(st.sampled_from([0, 1, 3, 41, 600, 3000]))
    boundary = draw(st.sampled_from([b"b", b"", b"\xc3\xa9", b"\"", b"b\x00"]) | st.binary(max_size=8))
    parameter = draw(st.sampled_from([b"boundary=\"%s\"", b"boundary*=utf-8''%s", b"boundary*=undefined''%s",
                                      b"boundary*0=%s; boundary*1=x"]))
    layers = draw(st.lists(st.sampled_from(["multipart", "rfc822", "digest", "report"]), min_size=1, max_size=4))
    message = leaf
    for level in range(depth):
        layer = layers[level % len(layers)]
        if layer == "rfc822":
            message = b"Content-Type: message/rfc822\n\n" + message
        else:
            subtype = {"multipart": b"mixed", "digest": b"digest", "report": b"report"}[layer]
            close = b"\n--" + boundary + b"--\n" if draw(st.booleans()) else b""
            message = (b"Content-Type: multipart/" + subtype + b"; " + parameter.replace(b"%s", boundary) + b"\n\n--"
                       + boundary + b"\n" + message + close)
    headers = b"From: Ana <ana@mission.example>\nTo: registration+k3v9q2m7x8w4p6ta@desk.example\n"
    for _ in range(draw(st.integers(0, 3))):
        piece = draw(st.sampled_from(HUGE_PIECES) | st.sampled_from(TOKENS))
        headers += draw(HEADER_NAMES) + b": " + piece * draw(st.sampled_from([1, 10, 1000, 50_000])) + b"\n"
    raw = headers + message
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from(TOKENS) | st.binary(max_size=16)) + raw[at:]
    return raw.replace(b"\n", draw(LINE_ENDS))


@FUZZ
@given(hostile_messages())
def test_generated_hostile_messages_are_read(raw: bytes) -> None:
    read_well(raw)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_are_read(raw: bytes) -> None:
    read_well(raw)


# ---------------------------------------------------------------- the address parser, on what getaddresses reads

# (\xa0 and \x1c are blanks to str.split, not to RFC 5322)
ADDRESS_PIECES = st.sampled_from([*'()<>@,:;."[]\\ \tab', "a@b.c", "Ana", "\r\n ", "é", "=", "?", "\xa0", "\x1c",
                                  '"Lopez, Ana" <a@b.c>', "<a@b.c>"])


@settings(max_examples=2000, derandomize=True, database=None, deadline=None)
@given(st.lists(ADDRESS_PIECES, max_size=16).map("".join))
def test_the_address_parser_reads_every_string_as_getaddresses_does(value: str) -> None:
    from email.utils import getaddresses

    # (encoded words excepted: the one place it reads otherwise, and on purpose)
    assert address_list(value) == getaddresses([value])


def test_the_fuzzing_checks_fail_on_what_the_safety_net_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a fault caught by the safety net, Then the check that every fuzz spec makes fails
    from rsvp.reading import mime

    def broken(*_: object) -> None:
        raise RuntimeError("a fault")

    monkeypatch.setattr(mime, "_walk", broken)
    with pytest.raises(AssertionError):
        read_well(b"Subject: x\n\nbody")
