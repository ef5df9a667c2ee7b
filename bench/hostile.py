"""Hostile mail at growing sizes: the reader's cost grows no faster than the input.

Each family of hostile input is read at sizes n, 2n, 4n and 8n (best of three, wall time), and the ratio between
successive sizes printed: about 2 is linear, about 1 is a bound reached (the reader stops reading there), 4 would be
quadratic. Then the memory of reading a 50 MB base64 text part and a 30 MB attachment nested 30 levels deep:
tracemalloc's peak, and the growth of the process's maximum RSS, each in a fresh process.

    python -m bench.hostile
"""

from __future__ import annotations

import base64
import itertools
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable

from rsvp.reading import read_message
from rsvp.reading.addresses import address_list
from rsvp.reading.mime import decode_text_header, html_to_text
from rsvp.reading.people import named_people

BASE64 = b"Content-Transfer-Encoding: base64\r\n"
TO = b"registration+k3v9q2m7x8w4p6ta@minefree-americas.example.org"


def mail(body: bytes, content_type: bytes = b"text/plain; charset=utf-8", headers: bytes = b"",
         sender: bytes = b"Ana Lopez <ana@mission.example>") -> bytes:
    return (b"From: " + sender + b"\r\nTo: " + TO + b"\r\nSubject: Re: Invitation\r\n" + headers
            + b"Content-Type: " + content_type + b"\r\n\r\n" + body)


def nested_multipart(n: int) -> bytes:
    return mail(b"".join(b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1) for i in range(n))
                + b"--b%d\r\nContent-Type: text/plain\r\n\r\nI will attend.\r\n" % n, b"multipart/mixed; boundary=b0")


def calendar(n: int) -> bytes:
    return mail(b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.example\r\n"
                b"END:VEVENT\r\nEND:VCALENDAR\r\n" + b"BEGIN:VTIMEZONE\r\n" * n, b"text/calendar; method=REPLY")


def delegation(n: int) -> str:
    return "I will attend with " + ", ".join(f"Mr Name{i % 26} Surname{i}" for i in range(n))


# name, what is read, the input of size n, n (in the unit the input grows by)
FAMILIES: list[tuple[str, Callable[[object], object], Callable[[int], object], int]] = [
    ("From: one word of n bytes", read_message, lambda n: mail(b"", sender=b"a" * n), 16_000),
    ("From: n bytes of folded encoded words", read_message,
     lambda n: mail(b"", sender=b"\r\n ".join([b"=?utf-8?q?abc?="] * (n // 17)) + b" <a@b.example>"), 16_000),
    ("To: n bytes of addresses", read_message, lambda n: mail(b"I will attend.", headers=b"Cc: " + b"a@b.c, " * (n // 7)
                                                                 + b"\r\n"), 16_000),
    ("address parser alone: comments n deep", address_list, lambda n: "(" * n + ")" * n + " a@b.example", 50_000),
    ("address parser alone: n bytes of mailboxes", address_list, lambda n: "Ana <a@b.c>, " * (n // 13), 200_000),
    ("RFC 2047 alone: n bytes of words never closed", decode_text_header, lambda n: "=?a?q?x " * (n // 8), 1_000_000),
    ("Auto-Submitted: n bytes of words never closed", read_message,
     lambda n: mail(b"I will attend.", headers=b"Auto-Submitted: " + b"=?a?q?x " * (n // 8) + b"\r\n"), 200_000),
    ("one line of n bytes", read_message, lambda n: mail(b"I will attend. " * (n // 15)), 2_000_000),
    ("named people alone: n names", named_people, delegation, 500),
    ("HTML alone: '<div' n times", html_to_text, lambda n: "<div" * n, 250_000),
    ("HTML alone: '<div' and n letters", html_to_text, lambda n: "<div" + "a" * n, 1_000_000),
    ("HTML alone: '<p \"' n times", html_to_text, lambda n: '<p "' * n + ">", 250_000),
    ("HTML part: '<a <a ' n times", read_message, lambda n: mail(b"<a <a " * n, b"text/html"), 100_000),
    ("HTML part: '<p \"' n times, never closed", read_message, lambda n: mail(b'<p "' * n, b"text/html"), 100_000),
    ("base64 text part of n bytes", read_message,
     lambda n: mail(base64.encodebytes(b"I will attend.\n" * (n // 20)), headers=BASE64), 2_000_000),
    ("multipart nested n deep", read_message, nested_multipart, 500),
    ("message/rfc822 nested n deep, bare CRs", read_message,
     lambda n: mail(b"Content-Type: message/rfc822\r\r" * n + b"\r\rI will attend.\r", b"message/rfc822"), 1000),
    ("n parts", read_message, lambda n: mail(b"--b\r\n\r\nx\r\n" * n + b"--b--\r\n", b"multipart/mixed; boundary=b"),
     4000),
    ("n header fields", read_message, lambda n: mail(b"I will attend.", headers=b"X-A: 1\r\n" * n), 50_000),
    ("calendar: n time zones never closed", read_message, calendar, 4000),
    ("bounce: a word of n letters", read_message,
     lambda n: b"From: MAILER-DAEMON@relay.example\r\nSubject: Undelivered Mail\r\n\r\n" + b"x" * n
     + b"\r\nDelivery to bob@mission.example failed.\r\n", 200_000),
]


def seconds(function: Callable[[object], object], value: object) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        function(value)
        best = min(best, time.perf_counter() - start)
    return best


def scaling() -> None:
    print(f"{'family':44} {'n':>10} {'n':>8} {'2n':>8} {'4n':>8} {'8n':>8}   ratios 2n/n 4n/2n 8n/4n")
    for name, function, make, size in FAMILIES:
        times = [seconds(function, make(size * k)) for k in (1, 2, 4, 8)]
        ratios = " ".join(f"{b / a:5.1f}" if a > 1e-5 else "    -" for a, b in itertools.pairwise(times))
        print(f"{name:44} {size:>10,} " + " ".join(f"{t:7.3f}s" for t in times) + f"   {ratios}")


def memory(case: str) -> None:
    """In a fresh process: the input built, then read; tracemalloc's peak while reading, and RSS growth."""
    if case == "base64":
        raw = mail(base64.encodebytes(b"I will attend.\n" * 2_500_000), headers=BASE64)
        label = f"a base64 text part, {len(raw) / 2**20:.0f} MiB"
    else:
        raw = (b"From: a@b.example\r\n" + b"Content-Type: message/rfc822\r\n\r\n" * 30
               + b"Content-Type: application/pdf\r\n\r\n" + b"x" * 30_000_000)
        label = f"a {len(raw) / 2**20:.0f} MiB attachment nested 30 levels deep"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    read_message(raw)
    spent = time.perf_counter() - start
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    tracemalloc.start()
    read_message(raw)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{label}: {spent:.2f} s, peak {peak / 2**20:.0f} MiB traced, max RSS +{grown / 1024:.0f} MiB")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--memory":
        memory(sys.argv[2])
        return
    for case in ("base64", "nested"):
        subprocess.run([sys.executable, "-m", "bench.hostile", "--memory", case], check=True)
    scaling()


if __name__ == "__main__":
    main()
