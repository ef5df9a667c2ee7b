"""A simulated campaign: N invitees at R messages/s through the real invite -> SQS -> sender path on moto.

Time is simulated (an injected clock that only moves when the code sleeps: the shared rate limiter and
the throttling backoff), so the figure is the campaign's duration as SES would pace it, not this machine's
speed. Faults are injected deterministically:
  - SES throttles a fraction of sends (SendThrottled; the sender backs off and retries),
  - the sender "crashes" right after SES accepted a message, before recording it (the job is redelivered;
    SES's Send event, which the configuration set publishes, settles it),
  - SQS delivers a fraction of jobs twice.
Every message that reached SES is counted per invitee: duplicates and missed invitees must both be zero,
and no simulated second may carry more than R messages.

    python -m bench.campaign [--invitees 10000] [--rate 14]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_DEFAULT_REGION": "eu-west-1", "POWERTOOLS_METRICS_DISABLED": "true",
                   "POWERTOOLS_LOG_LEVEL": "ERROR",
                   "POWERTOOLS_SERVICE_NAME": "rsvp-desk", "POWERTOOLS_METRICS_NAMESPACE": "RsvpDesk"})
os.environ.pop("AWS_ENDPOINT_URL", None)

from rsvp.domain.invitees import Category, Invitee
from rsvp.domain.meeting import load_meeting
from rsvp.domain.sending import SendThrottled

from .corpora import ROOT


class SimClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current


class FaultySes:
    """Wraps the SES mailer: injects throttling and crashes, and counts what SES really accepted."""

    def __init__(self, inner: Any, clock: SimClock, throttle: float, crash: float, seed: int) -> None:
        self.inner, self.clock = inner, clock
        self.throttle, self.crash = throttle, crash
        self.random = random.Random(seed)
        self.accepted: Counter[str] = Counter()
        self.per_second: Counter[int] = Counter()
        self.injected: Counter[str] = Counter()

    def send(self, email: Any) -> str:
        if self.random.random() < self.throttle:
            self.injected["throttled"] += 1
            raise SendThrottled("Maximum sending rate exceeded.")
        provider_id = str(self.inner.send(email))
        self.accepted[email.to[0].email] += 1
        self.per_second[int(self.clock.now().timestamp())] += 1
        if self.random.random() < self.crash:
            self.injected["crashed after SES accepted"] += 1
            raise SystemError("sender died before recording the send")
        return provider_id


def linear_moto_sqs() -> None:
    """moto 5's SQS is quadratic in the queue's length: every message received re-reads all queue attributes
    (ApproximateNumberOfMessages walks the whole queue, and each message asks the clock several times through
    datetime arithmetic), and so does every message sent. With 10,000 jobs queued at once that, not our code,
    dominates the run. Same semantics, cheaper arithmetic: the retention check reads its one attribute, the
    clock is read with time.time(), and a standard queue skips the FIFO-only deduplication lookup."""
    from moto.sqs import models

    def unix_time(dt: datetime | None = None) -> float:
        return time.time() if dt is None else original_unix_time(dt)

    def unix_time_millis(dt: datetime | None = None) -> float:
        return unix_time(dt) * 1000.0

    def retention_ok(self: Any, queue_name: str, message: Any) -> bool:
        period = int(self.get_queue(queue_name).message_retention_period)
        return bool(period + message.sent_timestamp / 1000 > time.time())

    original_unix_time = models.__dict__["unix_time"]
    vars(models).update(unix_time=unix_time, unix_time_millis=unix_time_millis)
    models.SQSBackend.is_message_valid_based_on_retention_period = retention_ok  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invitees", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=14.0)
    parser.add_argument("--throttle", type=float, default=0.02)
    parser.add_argument("--crash", type=float, default=0.005)
    parser.add_argument("--duplicates", type=float, default=0.01)
    args = parser.parse_args()

    from moto import mock_aws

    linear_moto_sqs()
    with mock_aws():
        run(args)


def run(args: argparse.Namespace) -> None:
    from rsvp.adapters.aws import SesMailer, aws_clients
    from rsvp.bootstrap import build_app
    from rsvp.domain.sending import SendJob, SendKind
    from rsvp.handlers import runtime
    from rsvp.local.stack import ClockSleeper, LocalSesEvents, provision

    wall = time.perf_counter()
    meeting = load_meeting(ROOT / "examples" / "mine-free-americas-2021" / "meeting.yaml")
    clients = aws_clients("eu-west-1")
    stack = provision(clients, region="eu-west-1", mailbox=meeting.mailbox, sender=meeting.mailbox, name="campaign")
    stack.max_send_rate = args.rate
    clock = SimClock(datetime(2021, 1, 18, 9, 0, tzinfo=ZoneInfo("Europe/Zurich")))
    sleeper = ClockSleeper(clock)
    stack.ses_events = LocalSesEvents(SesMailer(clients.ses, stack.configuration_set), stack.region,
                                      stack.configuration_set)
    faulty = FaultySes(stack.ses_events, clock, args.throttle, args.crash, seed=7)
    desk = build_app(stack.settings(), clock=clock, sleeper=sleeper, mailer=faulty)
    runtime.install(desk)
    languages, categories = ("en", "es", "fr"), list(Category)
    invitees = [Invitee(f"delegate{i:05d}@mission{i % 193:03d}.example.org", f"Delegate {i}", f"Mission {i % 193}",
                        languages[i % 3], categories[i % 3], "Ms") for i in range(args.invitees)]
    desk.catalog.load(meeting, invitees)
    loaded = time.perf_counter() - wall

    started = clock.now()
    report = desk.invitations.queue_all(meeting.id)
    duplicates = random.Random(11).sample(report.queued, int(len(report.queued) * args.duplicates))
    assert desk.jobs is not None
    desk.jobs.enqueue(SendJob(SendKind.INVITATION, meeting.id, email, report.sending) for email in duplicates)
    counts = stack.drain_sends(clients, max_rounds=10**6)
    elapsed = (clock.now() - started).total_seconds()
    runtime.install(None)

    progress = desk.stores.send_progress(meeting.id, report.sending)
    dupes = sum(n - 1 for n in faulty.accepted.values() if n > 1)
    missed = sum(1 for i in invitees if faulty.accepted[i.email] == 0)
    bound = 1.05 * args.invitees / args.rate
    dead = int(clients.sqs.get_queue_attributes(QueueUrl=stack.send_dead_letter_queue_url,
                                                AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
        "ApproximateNumberOfMessages"])
    print(f"campaign: {args.invitees:,} invitees at {args.rate:g}/s on moto (loaded in {loaded:.0f} s)")
    print(f"  injected: {dict(faulty.injected)}, duplicate deliveries {len(duplicates)}")
    print(f"  sender: {counts['records']:,} job deliveries in {counts['batches']:,} batches, "
          f"{counts['failed']:,} redelivered; dead letters {dead}")
    print(f"  simulated duration {elapsed:,.1f} s (bound 1.05 x {args.invitees:,}/{args.rate:g} = {bound:,.1f} s): "
          f"{'OK' if elapsed <= bound else 'OVER'}")
    recorded = {str(state): n for state, n in progress.items()}
    print(f"  messages SES accepted {sum(faulty.accepted.values()):,}; duplicates {dupes}; missed invitees {missed}; "
          f"busiest second {max(faulty.per_second.values())} messages; recorded {recorded}")
    print(f"  wall time {time.perf_counter() - wall:,.0f} s")
    if dupes or missed or elapsed > bound or max(faulty.per_second.values()) > args.rate:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
