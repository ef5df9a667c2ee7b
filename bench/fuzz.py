"""Mutated mail through the reader: nothing may raise, and no message may cost much.

Real messages (the labelled replies, the peers and our fixtures) are mutated one to three times each — random
bytes spliced in, ranges cut or repeated, line endings broken, charsets and transfer encodings swapped for odd
ones, boundaries broken, headers made huge, the message nested thousands deep, lines made megabytes long — and
read with ``parse_message`` and ``read_message``. Printed: inputs tried, exceptions (must be 0: an exception
escaping, a message only the safety net read, or one input taking more than --limit seconds), the worst time per
message and the mutations that cost it, the median, and peak memory (tracemalloc's peak reading the slowest and
largest inputs again, one at a time, and the process's maximum RSS).

    python -m bench.fuzz [--inputs 50000] [--seconds 300] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import signal
import statistics
import time
import traceback
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from rsvp.reading import read_message
from rsvp.reading.mime import parse_message

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"


def seed_messages() -> list[bytes]:
    """Every message we have: the shared corpora's replies and peers, and our fixtures."""
    files = sorted((ROOT / "tests" / "fixtures").rglob("*.eml"))
    if SHARED.exists():
        files += sorted(SHARED.rglob("*.eml"))
        files += [p for p in sorted((SHARED / "peers").iterdir()) if p.suffix not in (".json", ".md")]
    return [p.read_bytes() for p in files]


Mutation = Callable[[bytes, random.Random], bytes]

# Bytes with a meaning somewhere in a message: line ends, header and boundary syntax, RFC 2047 and 2231 syntax,
# address syntax, HTML, quoted-printable and uuencode openings, byte-order marks, NULs.
TOKENS = (b"\x00", b"\r", b"\n", b"\r\n", b"\r\n\r\n", b"\n\n", b"--", b"\r\n--", b"=?", b"?=", b"=?utf-8?b?",
          b"=?utf-8?q?", b"=?undefined?q?x?=", b"=?x\x00?b?QUJD?=", b"\"", b"(", b")", b"<", b">", b"\\", b",",
          b";", b":", b"@", b"=\r\n", b"=", b"=XY", b"begin 644 f\n", b"<div", b"<!--", b"<![CDATA[", b"<script>",
          b"<style", b"&#", b"&#x110000;", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", b"\xe9", b"\x1b$B", b"*0*=",
          b"boundary=", b"charset=", b"Content-Type: multipart/mixed; boundary=x\r\n",
          b"Content-Type: message/rfc822\r\n", b"Content-Transfer-Encoding: base64\r\n", b"From ",
          b"\t", b" ", b"> ", b"On Mon, 1 Feb 2021 Ana wrote:\n", b"-----Original Message-----\n")
CHARSETS = ("undefined", "utf\x00-8", "utf-8\x00", "x-unknown", "", "\"", "rot13", "rot_13", "hex", "base64",
            "zlib", "bz2", "uu", "quopri", "idna", "punycode", "utf-7", "utf-16", "utf-32", "utf-16-be", "cp65001",
            "unicode-escape", "raw-unicode-escape", "string-escape", "mbcs", "oem", "iso-2022-jp", "hz", "gb18030",
            "big5", "shift_jis", "euc-kr", "koi8-r", "cp1252", "latin-1", "ascii", "utf-8", "\u00e9", "utf-8*en",
            "utf-8'en'", "a" * 300)
ENCODINGS = ("base64", "quoted-printable", "x-uuencode", "uuencode", "uue", "x-uue", "7bit", "8bit", "binary",
             "garbage", "", "BASE64", "base64\x00")


def _at(data: bytes, rng: random.Random) -> int:
    return rng.randrange(len(data) + 1)


def splice_random(data: bytes, rng: random.Random) -> bytes:
    at = _at(data, rng)
    return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]


def splice_token(data: bytes, rng: random.Random) -> bytes:
    at = _at(data, rng)
    return data[:at] + rng.choice(TOKENS) * rng.choice((1, 1, 2, 10, 1000)) + data[at:]


def delete_range(data: bytes, rng: random.Random) -> bytes:
    at = _at(data, rng)
    return data[:at] + data[at + rng.randint(1, 200):]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:_at(data, rng)]


def repeat_range(data: bytes, rng: random.Random) -> bytes:
    at = _at(data, rng)
    piece = data[at:at + rng.randint(1, 80)] or b"x"
    return data[:at] + piece * rng.randint(2, max(2, 400_000 // len(piece))) + data[at:]


def bare_line_ends(data: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(3)
    if choice == 0:
        return data.replace(b"\r\n", b"\r").replace(b"\n", b"\r")
    if choice == 1:
        return data.replace(b"\n", b"\r\n")
    at = data.find(b"\n", _at(data, rng))
    return data if at < 0 else data[:at] + b"\r" + data[at + 1:]


def _set_header(data: bytes, name: bytes, value: bytes, rng: random.Random) -> bytes:
    """Replace the first `name` header at the top or in some part, else add one at the top."""
    starts = [i for i in range(len(data)) if data.startswith(name + b":", i) and (i == 0 or data[i - 1] == 10)][:50] \
        if len(data) < 2_000_000 else []
    if starts and rng.random() < 0.8:
        at = rng.choice(starts)
        end = data.find(b"\n", at)
        while end >= 0 and data[end + 1:end + 2] in (b" ", b"\t"):
            end = data.find(b"\n", end + 1)
        end = len(data) if end < 0 else end
        cr = b"\r" if data[end - 1:end] == b"\r" else b""
        return data[:at] + name + b": " + value + cr + data[end:]
    return name + b": " + value + b"\r\n" + data


def odd_charset(data: bytes, rng: random.Random) -> bytes:
    charset = rng.choice(CHARSETS).encode("utf-8")
    form = rng.randrange(4)
    param = (b"charset=\"" + charset + b"\"", b"charset=" + charset, b"charset*=" + charset + b"''x%FF",
             b"charset*0=" + charset + b"; charset*1=x")[form]
    kind = rng.choice((b"text/plain", b"text/html", b"text/calendar"))
    return _set_header(data, b"Content-Type", kind + b"; " + param, rng)


def odd_encoding(data: bytes, rng: random.Random) -> bytes:
    data = _set_header(data, b"Content-Transfer-Encoding", rng.choice(ENCODINGS).encode(), rng)
    return truncate(data, rng) if rng.random() < 0.5 else data


def broken_boundary(data: bytes, rng: random.Random) -> bytes:
    boundary = rng.choice((b"boundary*=utf-8''%C3%A9b", b"boundary*=utf-8''%FF%FE", b"boundary=\"\xc3\xa9\"",
                           b"boundary=", b"boundary=\"\"", b"boundary=\"a\\\"b\"", b"boundary=" + b"x" * 5000,
                           b"boundary*0=a; boundary*1=b", b"boundary*=x'y'%00", b"boundary=\"a\r\n b\"",
                           b"boundary=\x00"))
    value = rng.choice((b"multipart/mixed", b"multipart/alternative", b"multipart/report", b"multipart/digest"))
    return _set_header(data, b"Content-Type", value + b"; " + boundary, rng)


def nest(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice((50, 500, 1000, 5000))
    if rng.random() < 0.5:
        return b"Content-Type: message/rfc822\r\n\r\n" * depth + data
    opening = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(depth))
    closing = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth))) if rng.random() < 0.5 else b""
    return opening + data + closing


HEADERS = (b"From", b"To", b"Cc", b"Subject", b"Message-ID", b"In-Reply-To", b"References", b"Date", b"Received",
           b"Content-Type", b"Delivered-To", b"Reply-To", b"Content-Disposition", b"Content-Language",
           b"Auto-Submitted", b"X-Failed-Recipients", b"Return-Path")
HUGE_PIECES = (b"a", b"a,", b"a@", b"@", b"<", b"<a@b>", b"\"", b"(", b"\\", b"=?utf-8?q?abc?=\r\n ", b"=?utf-8?b?",
               b"x@y.z, ", b"Ana <a@b.c>, ", b"<id@x>", b" ", b"\r\n ", b";", b"g:", b"=?x?q?a@b.c?= <",
               b"\xc3\xa9", b"Mon, 1 Jan 2021 ", b"by x; ")


def huge_header(data: bytes, rng: random.Random) -> bytes:
    piece = rng.choice(HUGE_PIECES)
    value = piece * rng.randint(1, max(1, 200_000 // len(piece)))
    return _set_header(data, rng.choice(HEADERS), value, rng)


def long_line(data: bytes, rng: random.Random) -> bytes:
    at = data.find(b"\n\n")
    at = data.find(b"\r\n\r\n") if at < 0 else at
    at = len(data) if at < 0 else at + 4
    word = rng.choice((b"I will attend ", b"x", b"Mr Ana Lopez ", b"> ", b"On ", b"a" * 10 + b" "))
    return data[:at] + word * rng.randint(1, 2_000_000 // len(word)) + b"\r\n" + data[at:]


def unterminated_markup(data: bytes, rng: random.Random) -> bytes:
    opening = rng.choice((b"<div", b"<div class=\"", b"<!--", b"<!", b"<?", b"<a href='", b"<p ", b"</", b"<script>",
                          b"<style>", b"<div x=\"a\" y='b' "))
    body = opening + rng.choice((b"a", b" a=b", b"'", b"\"", b"-", b" ")) * rng.randint(1, 1_000_000)
    data = _set_header(data, b"Content-Type", b"text/html; charset=utf-8", rng)
    return data + b"\r\n" + body


def encoded_words(data: bytes, rng: random.Random) -> bytes:
    charset = rng.choice(CHARSETS).encode("utf-8", "surrogateescape")
    word = b"=?" + charset + b"?" + rng.choice((b"q", b"b", b"Q", b"B", b"x")) + b"?" + rng.choice(
        (b"abc", b"QUJD", b"=FF=FE", b"a@b.c", b"====", b"", b"\x00", b"\xc3\xa9")) + b"?="
    return _set_header(data, rng.choice(HEADERS), (word + rng.choice((b"", b" ", b"\r\n "))) * rng.randint(1, 300),
                       rng)


ODD_ADDRESSES = (b"Ana <ana@example.org", b"<<a@b>>", b"\"unterminated <a@b>", b"(comment (nested (deep) <a@b>",
                 b"group: a@b, c@d;", b"group:;", b"a@b, , ,", b"\\\"a@b", b"=?utf-8?q?x@evil.example?= <a@b.c>",
                 b"\"x@evil.example\" <a@b.c>", b"a@b.c (x@evil.example)", b"<>", b"@", b"a@", b"@b", b"\x00@\x00",
                 b"\"a\\\"b\" <a@b>", b"(" * 500 + b"a@b", b"<" * 500, b"\"" * 501, b"Ana <a@b> Bob <c@d>",
                 b"a@b.c <d@e.f>", b"Undisclosed recipients:;", b"=?utf-8?b?", b"\xc3\xa9 <\xc3\xa9@\xc3\xa9>")


def odd_address(data: bytes, rng: random.Random) -> bytes:
    return _set_header(data, rng.choice((b"From", b"To", b"Cc", b"Reply-To")), rng.choice(ODD_ADDRESSES), rng)


MUTATIONS: dict[str, Mutation] = {m.__name__: m for m in (
    splice_random, splice_token, delete_range, truncate, repeat_range, bare_line_ends, odd_charset, odd_encoding,
    broken_boundary, nest, huge_header, long_line, unterminated_markup, encoded_words, odd_address)}
# The costly ones (megabytes of output) come less often, so a run tries many inputs.
WEIGHTS = {"repeat_range": 0.3, "nest": 0.2, "huge_header": 0.5, "long_line": 0.2, "unterminated_markup": 0.2}


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """One to three mutations of `data`, and their names."""
    names = list(MUTATIONS)
    chosen = rng.choices(names, weights=[WEIGHTS.get(n, 1.0) for n in names], k=rng.choice((1, 1, 2, 3)))
    for name in chosen:
        data = MUTATIONS[name](data, rng)
    return data, "+".join(chosen)


def read_safely(raw: bytes) -> str | None:
    """None, or what went wrong: the traceback of what escaped, or the reason the safety net gave (a message read
    by the net and not by the reader is a failure too)."""
    try:
        parsed = parse_message(raw)
        reading = read_message(parsed)
    except Exception:  # what the bench counts
        return traceback.format_exc()
    caught = [d for d in parsed.defects if d.startswith("unparseable: ")]
    if caught:
        return f"caught by the safety net: {caught[0]}"
    json.dumps(reading.to_json())
    return None


class TooSlow(Exception):
    pass


def _alarm(*_: object) -> None:
    raise TooSlow


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inputs", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=20, help="seconds after which one input counts as a failure")
    args = parser.parse_args()
    seeds = seed_messages()
    rng = random.Random(args.seed)
    times: list[float] = []
    worst: list[tuple[float, str, int]] = []  # the slowest inputs: seconds, mutation, input number
    largest: list[tuple[int, str, int]] = []  # the largest inputs: bytes, mutation, input number
    failures: dict[str, tuple[str, str]] = {}  # the last line of what went wrong -> (mutation, all of it)
    exceptions = 0
    signal.signal(signal.SIGALRM, _alarm)
    for seed in seeds:  # warm: imports, and the patterns compiled on first use
        read_safely(seed)
    started = time.perf_counter()
    tried = 0
    while tried < args.inputs and time.perf_counter() - started < args.seconds:
        raw, how = mutate(rng.choice(seeds), rng)
        tried += 1
        clock = time.perf_counter()
        signal.alarm(args.limit)
        try:
            failure = read_safely(raw)
        except TooSlow:
            failure = f"over {args.limit} s"
        finally:
            signal.alarm(0)
        spent = time.perf_counter() - clock
        times.append(spent)
        worst = sorted([*worst, (spent, how, tried)], reverse=True)[:3]
        largest = sorted([*largest, (len(raw), how, tried)], reverse=True)[:3]
        if failure is not None:
            exceptions += 1
            failures.setdefault(failure.strip().splitlines()[-1][:200], (how, failure))
    elapsed = time.perf_counter() - started
    print(f"inputs tried        {tried:,} in {elapsed:.0f} s (seed {args.seed}, mutations of {len(seeds)} messages, "
          f"{sum(1 for t in times if t > 0.1)} over 0.1 s)")
    print(f"exceptions          {exceptions} ({len(failures)} distinct)")
    for line, (how, failure) in failures.items():
        print(f"  {how}: {line}\n{failure}")
    print(f"median per message  {statistics.median(times) * 1000:.2f} ms")
    print("worst per message   " + "; ".join(f"{s:.3f} s ({how}, #{n})" for s, how, n in worst))
    # Peak memory: the slowest and the largest inputs again, one at a time, traced.
    again = {n for _, _, n in worst} | {n for _, _, n in largest}
    replay = random.Random(args.seed)
    peak, peak_input = 0, ""
    for number in range(1, max(again) + 1):
        raw, how = mutate(replay.choice(seeds), replay)
        if number in again:
            tracemalloc.start()
            read_safely(raw)
            traced = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            if traced > peak:
                peak, peak_input = traced, f"{how}, #{number}, {len(raw) / 2**20:.1f} MiB"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory         {peak / 2**20:.0f} MiB traced reading one message ({peak_input}); "
          f"{rss:.0f} MiB max RSS of the whole run")


if __name__ == "__main__":
    main()
