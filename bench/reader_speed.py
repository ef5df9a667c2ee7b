"""Messages per second for the reader, side by side with the floor and the glue a user would write.

    floor  email.message_from_bytes alone (Python's parser; no decoding, no reading)
    ours   rsvp.reading.read_message (MIME, charsets, quotes, intent, people, sessions, auto/bounce)
    glue   mail-parser (parse_from_bytes) + email-reply-parser (parse_reply) — and still no intent
    base   with --against REF: the reader as it was at a git commit (its functions/rsvp, imported as another
           package), to see a change's cost side by side ("the reader stays as fast as it was")

The three take turns every 16 messages (rotating order) over the same messages in one process; CPU time of
this process (one core) is measured; medians of the rounds are printed, and each pipeline's time over the floor's
in the same round (median of the rounds).

    python -m bench.reader_speed [--rounds 7] [--against REF]
"""

from __future__ import annotations

import argparse
import email
import gc
import io
import statistics
import time
from collections.abc import Callable

from rsvp.reading import read_message

from .corpora import Sample, peers, replies


def base_reader(ref: str) -> Callable[[Sample], object]:
    """read_message as it was at `ref`: its functions/rsvp extracted (git archive) and imported as `rsvp_base`."""
    import importlib
    import subprocess
    import sys
    import tarfile
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    folder = Path(tempfile.mkdtemp(prefix="rsvp-base-"))
    archive = subprocess.run(["git", "-C", str(root), "archive", ref, "functions/rsvp"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "functions" / "rsvp").rename(folder / "rsvp_base")  # (the package imports itself relatively)
    sys.path.insert(0, str(folder))
    read = importlib.import_module("rsvp_base.reading").read_message
    load = importlib.import_module("rsvp_base.domain.meeting").load_meeting
    meetings: dict[Path, object] = {}

    def base(sample: Sample) -> object:
        path = sample.meeting_file
        if path is not None and path not in meetings:
            meetings[path] = load(path)
        return read(sample.raw, meetings[path] if path is not None else None)

    return base


def pipelines(against: str | None = None) -> dict[str, Callable[[Sample], object]]:
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
        **({f"base: read_message at {against}": base_reader(against)} if against else {}),
    }


CHUNK = 16  # messages per turn: short enough that the machine's speed hardly changes, long enough to stay warm


def measure(samples: list[Sample], rounds: int, against: str | None = None) -> dict[str, list[float]]:
    """CPU seconds per round for each pipeline. Within a round the pipelines take turns every CHUNK messages (in
    rotating order), so a change in the machine's speed — these machines are shared — falls on all of them
    alike; the ratios are then taken round by round."""
    runs = list(pipelines(against).items())
    seconds: dict[str, list[float]] = {name: [] for name, _ in runs}
    for _, fn in runs:  # warm-up: imports, regex compilation, caches
        for sample in samples:
            fn(sample)
    clock = time.process_time
    for _ in range(rounds):
        gc.collect()
        spent = dict.fromkeys(seconds, 0.0)
        for turn, at in enumerate(range(0, len(samples), CHUNK)):
            chunk = samples[at:at + CHUNK]
            for offset in range(len(runs)):
                name, fn = runs[(turn + offset) % len(runs)]
                start = clock()
                for sample in chunk:
                    fn(sample)
                spent[name] += clock() - start
        for name, value in spent.items():
            seconds[name].append(value)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--against", metavar="REF", help="also the reader at this git commit, side by side")
    args = parser.parse_args()
    for label, samples in (("replies corpus", replies()), ("peers corpus", peers()),
                           ("both", replies() + peers())):
        if not samples:
            continue
        size = sum(len(s.raw) for s in samples) / len(samples)
        seconds = measure(samples, args.rounds, args.against)
        floor = next(iter(seconds.values()))
        print(f"\n{label}: {len(samples)} messages, mean {size / 1024:.1f} KiB, {args.rounds} rounds, CPU time")
        print(f"  {'pipeline':42} {'median msg/s':>13} {'min':>8} {'max':>8} {'this/floor':>11}")
        for name, values in seconds.items():
            rates = [len(samples) / v for v in values]
            ratio = statistics.median(v / f for v, f in zip(values, floor, strict=True))
            print(f"  {name:42} {statistics.median(rates):>13,.0f} {min(rates):>8,.0f} {max(rates):>8,.0f} "
                  f"{ratio:>10.2f}x")
        if args.against:
            ours, base = seconds["ours: rsvp read_message"], seconds[f"base: read_message at {args.against}"]
            ratio = statistics.median(o / b for o, b in zip(ours, base, strict=True))
            print(f"  ours / base, round by round (median): {ratio:.2f}x")


if __name__ == "__main__":
    main()
