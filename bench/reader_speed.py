"""Messages per second for the reader, side by side with the floor and the glue a user would write.

    floor  email.message_from_bytes alone (Python's parser; no decoding, no reading)
    ours   rsvp.reading.read_message (MIME, charsets, quotes, intent, people, sessions, auto/bounce)
    glue   mail-parser (parse_from_bytes) + email-reply-parser (parse_reply) — and still no intent

Rounds alternate the three over the same messages in one process; CPU time of this process
(one core) is measured; medians of the rounds are printed, with ratios.

    python -m bench.reader_speed [--rounds 7]
"""

from __future__ import annotations

import argparse
import email
import gc
import statistics
import time
from collections.abc import Callable

from rsvp.reading import read_message

from .corpora import Sample, peers, replies


def pipelines() -> dict[str, Callable[[Sample], object]]:
    import logging

    import mailparser
    from email_reply_parser import EmailReplyParser

    logging.getLogger("mailparser").setLevel(logging.CRITICAL)

    def glue(sample: Sample) -> object:
        mail = mailparser.parse_from_bytes(sample.raw)
        text = mail.text_plain[0] if mail.text_plain else mail.body
        return EmailReplyParser.parse_reply(text or "")

    return {
        "floor: email.message_from_bytes": lambda s: email.message_from_bytes(s.raw),
        "ours: rsvp read_message": lambda s: read_message(s.raw, s.meeting),
        "glue: mail-parser + email-reply-parser": glue,
    }


def measure(samples: list[Sample], rounds: int) -> dict[str, list[float]]:
    rates: dict[str, list[float]] = {name: [] for name in pipelines()}
    runs = pipelines()
    for fn in runs.values():  # warm-up: imports, regex compilation, caches
        for sample in samples[:20]:
            fn(sample)
    for _ in range(rounds):
        for name, fn in runs.items():
            gc.collect()
            start = time.process_time()
            for sample in samples:
                fn(sample)
            rates[name].append(len(samples) / (time.process_time() - start))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    for label, samples in (("replies corpus", replies()), ("peers corpus", peers()),
                           ("both", replies() + peers())):
        if not samples:
            continue
        size = sum(len(s.raw) for s in samples) / len(samples)
        rates = measure(samples, args.rounds)
        floor = statistics.median(next(iter(rates.values())))
        print(f"\n{label}: {len(samples)} messages, mean {size / 1024:.1f} KiB, {args.rounds} rounds, CPU time")
        print(f"  {'pipeline':42} {'median msg/s':>13} {'min':>8} {'max':>8} {'floor/this':>11}")
        for name, values in rates.items():
            median = statistics.median(values)
            print(f"  {name:42} {median:>13,.0f} {min(values):>8,.0f} {max(values):>8,.0f} {floor / median:>10.2f}x")


if __name__ == "__main__":
    main()
