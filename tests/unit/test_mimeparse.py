"""The fast MIME path builds exactly the tree Python's parser builds — or steps aside.

Compared field by field: every header (name and raw value, in order), unixfrom, content type and default type,
preamble, epilogue, defects, and each leaf's stored payload; on every message we have and on generated ones.
"""

from __future__ import annotations

import email
from email.message import Message
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsvp.reading.mime import decode_text_header, parse_message
from rsvp.reading.mimeparse import parse_bytes

from ..conftest import ROOT, SHARED


def shape(message: Message, path: str = "0") -> list[tuple[str, str, object]]:
    out: list[tuple[str, str, object]] = [
        (path, "headers", tuple(message.raw_items())), (path, "unixfrom", message.get_unixfrom()),
        (path, "type", message.get_content_type()), (path, "default", message.get_default_type()),
        (path, "preamble", message.preamble), (path, "epilogue", message.epilogue),
        (path, "defects", tuple(sorted(type(d).__name__ for d in message.defects)))]
    payload = message.get_payload()
    if isinstance(payload, list):
        out.append((path, "parts", len(payload)))
        for index, part in enumerate(payload):
            out += shape(part, f"{path}.{index}")
    else:
        out.append((path, "payload", message._payload))  # type: ignore[attr-defined]  # as stored, undecoded
    return out


def same_tree_or_none(raw: bytes) -> Message | None:
    fast = parse_bytes(raw)
    if fast is not None:
        assert shape(fast) == shape(email.message_from_bytes(raw))
    return fast


def every_message() -> list[Path]:
    files = sorted((ROOT / "tests" / "fixtures").rglob("*.eml"))
    corpus = SHARED / "corpus"
    if corpus.exists():
        files += sorted(corpus.rglob("*.eml"))
        files += [p for p in sorted((corpus / "peers").iterdir()) if p.suffix not in (".json", ".md")]
    return files


def test_every_message_we_have_parses_fast_to_the_standard_tree() -> None:
    files = every_message()
    fallbacks = [p.name for p in files if same_tree_or_none(p.read_bytes()) is None]
    assert len(files) > 300
    assert fallbacks == []  # nothing in these corpora needs the slow path


@pytest.mark.parametrize("raw", [
    b"Subject: a\rTo: b\r\n\r\nbare CR line endings",
    b"Subject: a\n: no field name\n\nbody",
    b"Subject: a\nFrom someone else\nTo: b\n\nan envelope line inside the headers",
    b'Content-Type: multipart/mixed; boundary=""\n\n--\nx\n----\n',
    b"Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\nContent-Type: text/plain\n\nx\n--b--\n",
])
def test_irregular_mail_is_left_to_the_standard_parser(raw: bytes) -> None:
    assert parse_bytes(raw) is None
    assert parse_message(raw).message is not None  # and is still read


@pytest.mark.parametrize("raw", [
    b"From sender@example.org Mon Jan  1 00:00:00 2024\nSubject: mbox\n\nbody\n",
    b"   \nSubject: a continuation of nothing first\n\nbody",
    b"Subject: no blank line\nNot a header\nbody",
    b"Content-Type: multipart/mixed\n\nno boundary parameter\n",
    b"Content-Type: multipart/mixed; boundary=b\n\nthe first boundary never comes\n--b--\nafter\n",
    b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nunclosed\n",
    b"Content-Type: multipart/digest; boundary=b\n\n--b\nSubject: inner\n\nx\n--b--\n",
    b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; a\n\n\nFinal-Recipient: rfc822; x@y\n\n",
    b"Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\npreamble\r\n--b \r\n\r\nleaf\r\n--b--\r\nepilogue",
])
def test_defective_but_regular_mail_gets_the_same_tree_and_defects(raw: bytes) -> None:
    assert same_tree_or_none(raw) is not None


# ---------------------------------------------------------------- generated messages

LINE_ENDS = st.sampled_from(["\n", "\r\n"])
WORDS = st.sampled_from(["yes", "--", "--b", "--b--", "--b2", "Subject: x", " folded", "", "From x", "=3D", "ünï",
                         "Content-Type: text/plain", "  ", "\t", "x:y", "Final-Recipient: rfc822; a@b"])
TEXT = st.lists(WORDS, max_size=6)


@st.composite
def parts(draw: st.DrawFn, depth: int = 0) -> list[str]:
    """A part as lines (without line ends): headers, a blank line, a body; some multipart or message/*."""
    kind = draw(st.sampled_from(["leaf", "leaf", "multipart", "rfc822", "status"] if depth < 3 else ["leaf"]))
    headers = [f"X-Depth: {depth}", *draw(st.lists(st.sampled_from(
        ["Subject: hello", "Subject: =?utf-8?q?caf=C3=A9?=", " continued", "Content-Transfer-Encoding: base64",
         "Content-Disposition: attachment"]), max_size=2))]
    if kind == "leaf":
        return [*headers, "Content-Type: text/plain", *([""] if draw(st.booleans()) else []), *draw(TEXT)]
    if kind == "rfc822":
        return [*headers, "Content-Type: message/rfc822", "", *draw(parts(depth + 1))]
    if kind == "status":
        blocks = draw(st.lists(st.lists(st.sampled_from(["Action: failed", "Status: 5.1.1", "Final-Recipient: x",
                                                         "", "not a field"]), max_size=3), max_size=3))
        return [*headers, "Content-Type: message/delivery-status", "", *[line for b in blocks for line in [*b, ""]]]
    boundary = f"b{depth}"
    lines = [*headers, f'Content-Type: multipart/mixed; boundary="{boundary}"', "", *draw(TEXT)]
    for _ in range(draw(st.integers(0, 3))):
        lines += [f"--{boundary}" + draw(st.sampled_from(["", " ", "\t"])), *draw(parts(depth + 1))]
    if draw(st.booleans()):
        lines += [f"--{boundary}--", *draw(TEXT)]
    return lines


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts(), LINE_ENDS, st.lists(st.tuples(st.integers(0, 400), st.sampled_from(["drop", "blank", "dup"])),
                                    max_size=3))
def test_generated_and_mutated_messages_get_the_standard_tree(lines: list[str], end: str,
                                                               edits: list[tuple[int, str]]) -> None:
    for at, edit in edits:
        if not lines:
            break
        at %= len(lines)
        if edit == "drop":
            del lines[at]
        elif edit == "blank":
            lines.insert(at, "")
        else:
            lines.insert(at, lines[at])
    raw = end.join(lines).encode("utf-8") + end.encode() * (len(lines) % 2)
    same_tree_or_none(raw)


# ---------------------------------------------------------------- header text

@pytest.mark.parametrize(("raw", "text"), [
    ("=?utf-8?q?Confirmaci=C3=B3n?= =?utf-8?q?_de_asistencia?=", "Confirmación de asistencia"),
    ("Re: =?ISO-8859-1?Q?Invitaci=F3n?= al taller", "Re: Invitación al taller"),
    ("=?utf-8?b?0J/RgNC40LPQu9Cw?= =?utf-8?b?0YjQtdC90LjQtQ==?=", "Приглашение"),
    ("=?utf-8?b?5Zue?= =?utf-8?b?5aSN?=", "回复"),  # one character per word: decoded together
    ("=?utf-8?q?=E5=9B?= =?utf-8?q?=9E?=", "回"),  # a character split across two words
    ("=?gb2312?B?u9i4tA==?=", "回复"),
    ("=?unknown-8bit?q?caf=E9?=", "café"),
    ("=?utf-8?q?broken", "=?utf-8?q?broken"),
])
def test_encoded_words_are_decoded(raw: str, text: str) -> None:
    assert decode_text_header(raw) == text


@pytest.mark.parametrize(("raw", "subject"), [
    ("Subject: Respuesta automática: Invitación".encode(), "Respuesta automática: Invitación"),
    ("Subject: Réponse automatique".encode("cp1252"), "Réponse automatique"),
    ("Subject: Автоответ".encode(), "Автоответ"),
])
def test_raw_eight_bit_headers_are_read_as_utf8_else_windows_1252(raw: bytes, subject: str) -> None:
    assert parse_message(raw + b"\n\nbody").subject == subject


@pytest.mark.parametrize("value", [
    'multipart/mixed; boundary="<abc>"', "multipart/mixed;boundary=abc ;x=1", 'multipart/mixed; name="a;boundary=x"; '
    "boundary=y", 'multipart/mixed; BOUNDARY="q q "', "multipart/mixed; boundary", "multipart/mixed; boundary=",
    'multipart/mixed; x="unbalanced; boundary=z', 'multipart/mixed; boundary="a"; boundary="b"', "multipart/mixed",
    "multipart/mixed; boundary*=us-ascii''abc", 'multipart/mixed; boundary="a\\"b"'])
def test_the_boundary_is_read_as_get_boundary_reads_it(value: str) -> None:
    from rsvp.reading.mimeparse import _boundary

    message = Message()
    message["Content-Type"] = value
    assert _boundary(message) == message.get_boundary()


def test_the_kinds_the_parser_records_are_what_each_part_says() -> None:
    from rsvp.reading.mimeparse import parse_tree

    for path in every_message():
        tree = parse_tree(path.read_bytes())
        assert tree is not None
        message, kinds = tree
        for part in message.walk():
            disposition = next((v for k, v in part.raw_items() if k.lower() == "content-disposition"), None)
            assert kinds[id(part)] == (part.get_content_type(), disposition), path.name
