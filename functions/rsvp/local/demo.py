"""`rsvp demo`: the whole loop on one machine, on moto, through the real Lambda handlers.

Invitations go out, invitees answer in their own languages and mail clients, SES receiving
stores each reply in S3, S3 notifies SQS, SQS feeds the inbound function; confirmations,
clarification requests and "registration has closed" answers go back; the digest goes to the
organisers. Every message sent is left as an .eml file.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from ..domain.invitees import load_invitees
from ..domain.meeting import Meeting, load_meeting
from ..domain.rsvp import Outcome
from ..timeutil import from_iso
from .mailclients import compose, invitation_facts
from .stack import REPO_ROOT, LambdaContext, LocalStack, provision, schedule_event, use_moto_credentials

EXAMPLE = REPO_ROOT / "examples" / "mine-free-americas-2021"
REGION = "eu-west-1"


class DemoClock:
    """The demo's time: the story happens in January-February 2021."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment


@dataclass
class ReplyResult:
    says: str
    sender: str
    style: str
    received_at: datetime
    outcomes: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class DemoResult:
    meeting: Meeting
    stack: LocalStack
    out_dir: Path
    invitations: dict[str, Any]
    replies: list[ReplyResult]
    digests: list[Path]
    statuses: dict[str, str]
    dead_letters: int

    @property
    def outbox(self) -> Path:
        return self.out_dir / "outbox"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(out_dir: Path, *, example: Path = EXAMPLE, server: bool = True, quiet: bool = False) -> DemoResult:
    """Run the demo. With server=True a moto server is started on 127.0.0.1 (the local stack);
    with server=False the caller has already started moto's in-process mock (tests)."""
    from rich.console import Console

    console = Console(quiet=quiet, highlight=False)
    use_moto_credentials(REGION)
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "rsvp-desk")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "RsvpDesk")
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    moto_server = None
    if server:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log lines in the narrative
        port = free_port()
        moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        moto_server.start()
        os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    try:
        return _run(out_dir, example, console, server)
    finally:
        if moto_server is not None:
            moto_server.stop()
            os.environ.pop("AWS_ENDPOINT_URL", None)


def _run(out_dir: Path, example: Path, console: Any, server: bool) -> DemoResult:
    from rich.table import Table

    from ..adapters.aws import aws_clients
    from ..handlers import digest, inbound, invite, runtime

    if out_dir.exists():
        shutil.rmtree(out_dir)
    (out_dir / "inbound").mkdir(parents=True)
    meeting = load_meeting(example / "meeting.yaml")
    invitees = load_invitees(example / "invitees.csv", meeting)
    zone = ZoneInfo(meeting.timezone)
    clients = aws_clients(REGION)
    stack = provision(clients, region=REGION, mailbox=meeting.mailbox, sender=meeting.mailbox, name="demo",
                      outbox_dir=str(out_dir / "outbox"))
    where = os.environ.get("AWS_ENDPOINT_URL", "moto (in-process)") if server else "moto (in-process)"
    console.rule("[bold]RSVP desk — local demo")
    console.print(f"Local stack on {where}: table [cyan]{stack.table_name}[/], bucket [cyan]{stack.bucket}[/],"
                  f" inbound queue with dead-letter queue after {stack.max_receive_count} failures.")

    clock = DemoClock(datetime(2021, 1, 18, 9, 0, tzinfo=zone))
    os.environ.update(stack.environment())
    runtime.install(local_app(stack, clients, clock))
    try:
        runtime.app().catalog.load(meeting, invitees)
        categories = Counter(i.category.label for i in invitees)
        console.print(f"\n[bold]1. Meeting loaded[/]: “{meeting.title_in('en')}” — {len(invitees)} invitees ("
                      + ", ".join(f"{n} {label}" for label, n in categories.items()) + ")")
        console.print("   Sessions: " + "; ".join(f"{s.id} {s.start:%d %b %H:%M}–{s.end:%H:%M} {meeting.timezone}"
                                                 for s in meeting.sessions)
                      + f"; replies accepted until {meeting.rsvp_cutoff:%d %b %Y %H:%M}.")

        report = invite.handler({"meeting_id": meeting.id}, LambdaContext("InviteFunction"))
        started = clock.now()
        stack.drain_sends(clients)
        progress = runtime.app().invitations.progress(meeting.id, report["sending"])
        languages = Counter(i.language for i in invitees if i.email in report["queued"])
        console.print(f"\n[bold]2. Invitations[/] queued on {started:%d %b %Y %H:%M} ({len(report['queued'])} jobs), "
                      f"sent by the sender function (at most {stack.max_send_rate:g}/s): "
                      f"{', '.join(f'{n} {state}' for state, n in sorted(progress.items()))} "
                      f"({', '.join(f'{n} in {lang}' for lang, n in sorted(languages.items()))}; bilingual EN/ES, "
                      f"calendar invite, quick-reply links), each with a personal reply address registration+TAG@…")

        ticks: list[tuple[datetime, list[str], int]] = []

        def daily_tick(day: datetime) -> None:
            """What EventBridge Scheduler does each hour; the demo shows the 08:05 tick of a few days."""
            clock.set(day)
            before = len(list((out_dir / "outbox").glob("*-reminder-*.eml")))
            sent = digest.handler(schedule_event(day, REGION), LambdaContext("DigestFunction"))
            stack.drain_sends(clients)  # reminders queued by the tick
            ticks.append((day, sent["sent"], len(list((out_dir / "outbox").glob("*-reminder-*.eml"))) - before))

        tick_days = [datetime(2021, 1, 25, 8, 5, tzinfo=zone), datetime(2021, 2, 1, 8, 5, tzinfo=zone),
                     datetime(2021, 2, 6, 8, 5, tzinfo=zone), datetime(2021, 2, 9, 8, 5, tzinfo=zone),
                     datetime(2021, 2, 10, 8, 5, tzinfo=zone)]
        replies = _deliver_replies(example, meeting, stack, clients, clock, zone, out_dir, inbound, tick_days,
                                   daily_tick)
        console.print("\n[bold]3. Replies arrive[/] (SES receiving → S3 → SQS → inbound function), and the daily "
                      "tick sends the digest and, 7 and 2 days before the cutoff, reminders:")
        timeline: list[tuple[datetime, Any]] = [(r.received_at, r) for r in replies] + [(t[0], t) for t in ticks]
        for _, item in sorted(timeline, key=lambda pair: pair[0]):
            if isinstance(item, ReplyResult):
                console.print(f"\n  [bold]{item.received_at:%d %b %H:%M}[/]  {item.sender} ({item.style})\n"
                              f"     {item.says}")
                for seen in item.outcomes:
                    outcome = seen.get("outcome") or "duplicate"
                    read = f"{seen.get('kind') or ''} {seen.get('intent') or ''}".strip()
                    back = seen.get("response") if seen.get("response") not in (None, "none") else "nothing"
                    console.print(f"     → {('read as ' + read + '; ') if read else ''}[green]{outcome}[/]: "
                                  f"{Outcome(outcome).explanation}; sent back: {back}")
            else:
                day, digest_for, reminders = item
                console.print(f"\n  [bold]{day:%d %b %H:%M}[/]  [cyan]daily tick[/]: digest to the organisers "
                              f"({'sent' if digest_for else 'none due'})"
                              + (f"; {reminders} reminder(s) to invitees who have not answered" if reminders else ""))
        digests = sorted((out_dir / "outbox").glob("*-digest-*.eml"))
        if digests:
            console.print(f"\n[bold]4. The last daily digest[/] ({len(digests)} sent):")
            console.print(_digest_text(digests[-1]))

        records = runtime.app().organiser("demo").invitees_of(meeting.id)
        statuses = {r.email: (r.state.status.value if r.state.delivery.value == "ok" else r.state.delivery.value)
                    for r in records}
        final = Table(title="5. Registrations on record", header_style="bold")
        for column in ("organisation", "status", "sessions", "participants"):
            final.add_column(column)
        for r in sorted(records, key=lambda r: r.invitee.organisation):
            answer = r.state.answer if r.state.answer and r.state.answer.status.value == "accepted" else None
            sessions = ", ".join(answer.sessions or ("all",)) if answer else ""
            final.add_row(r.invitee.organisation, statuses[r.email], sessions,
                          "; ".join(answer.attendees) if answer else "")
        console.print(final)
        dead = sum(int(clients.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"]["ApproximateNumberOfMessages"]) for url in (stack.dead_letter_queue_url,
                                                                      stack.send_dead_letter_queue_url))
        sent_files = sorted((out_dir / "outbox").glob("*.eml"))
        kinds = Counter(p.name.split("-")[1] for p in sent_files)
        console.print(f"\n[bold]Every message the desk sent[/] is in [cyan]{out_dir / 'outbox'}[/] ({len(sent_files)} "
                      f".eml files: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + ").")
        console.print(f"The replies as delivered to the mailbox are in [cyan]{out_dir / 'inbound'}[/]. "
                      f"Dead-lettered messages: {dead}.")
        console.print("Try it by hand: [bold].venv/bin/rsvp local up --example[/] keeps a stack running with an "
                      "SMTP server for replies (see the README).")
        return DemoResult(meeting, stack, out_dir, report, replies, digests, statuses, dead)
    finally:
        runtime.install(None)


def _deliver_replies(example: Path, meeting: Meeting, stack: LocalStack, clients: Any, clock: DemoClock,
                     zone: ZoneInfo, out_dir: Path, inbound: Any, ticks: list[datetime],
                     on_tick: Any) -> list[ReplyResult]:
    from ..handlers import runtime

    script = yaml.safe_load((example / "replies.yaml").read_text(encoding="utf-8"))
    outbox = out_dir / "outbox"
    results = []
    pending_ticks = sorted(ticks)
    for number, entry in enumerate(sorted(script, key=lambda e: str(e["at"])), start=1):
        received = _moment(entry["at"], zone)
        while pending_ticks and pending_ticks[0] <= received:
            on_tick(pending_ticks.pop(0))
        sender = entry["from"]
        invitation_file = next(iter(sorted(outbox.glob(f"*-invitation-{sender}.eml"))), None)
        reference = invitation_file or next(iter(sorted(outbox.glob("*-invitation-*.eml"))))
        facts = invitation_facts(reference.read_bytes())
        to = meeting.mailbox if entry.get("to") == "mailbox" or invitation_file is None else facts["reply_to_header"]
        if entry["style"] == "bounce":
            to = meeting.mailbox  # bounces return to the envelope sender
        record = runtime.app().organiser("demo").find_invitee(meeting.id, sender)
        name = record.invitee.addressed_as if record else sender.split("@")[0].title()
        raw = compose(entry["style"], sender=sender, sender_name=name, to=to,
                      at=received - timedelta(minutes=2), body=entry.get("body", ""), invitation=facts,
                      partstat=entry.get("partstat", "ACCEPTED"))
        (out_dir / "inbound" / f"{number:02d}-{entry['style']}-{sender}.eml").write_bytes(raw)
        result = ReplyResult(entry["says"], sender, entry["style"], received)
        for _copy in range(2 if entry.get("duplicate") else 1):
            clock.set(received)
            key = stack.deliver(raw, received, clients)
            stack.drain(inbound.handler, clients)
            result.outcomes.append(_outcome_for(clients, stack, raw, key))
        results.append(result)
    for day in pending_ticks:
        on_tick(day)
    return results


def _outcome_for(clients: Any, stack: LocalStack, raw: bytes, key: str) -> dict[str, Any]:
    """What the inbound function did with one delivery: its inbound record, looked up by message key."""
    from ..adapters.dynamodb.schema import inbound_key
    from ..reading import read_message
    from ..reading.authentication import ReceivingServer, read_trace
    from ..reading.mime import parse_message
    from ..usecases.inbound.arrival import message_key

    stored = clients.s3.get_object(Bucket=stack.bucket, Key=key)["Body"].read()
    parsed = parse_message(stored)
    trace = read_trace(parsed.message.raw_items(), ReceivingServer(stack.authserv_id, (stack.receiving_host,)))
    item = clients.dynamodb.Table(stack.table_name).get_item(
        Key=inbound_key(message_key(parsed, stored, trace))).get("Item") or {}
    if item.get("raw_key") != key:
        return {"outcome": "duplicate", "response": "none"}
    reading = read_message(parsed)
    return {"outcome": item.get("outcome"), "kind": reading.kind.value,
            "intent": reading.intent.value if reading.intent else None, "response": item.get("sent_back", "none")}


def _moment(value: Any, zone: ZoneInfo) -> datetime:
    moment = value if isinstance(value, datetime) else from_iso(str(value)) if "+" in str(value) or str(
        value).endswith("Z") else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def local_app(stack: LocalStack, clients: Any, clock: Any) -> Any:
    """The App as the functions build it, with SES's Send events delivered and time simulated."""
    from ..adapters.aws import SesMailer
    from ..bootstrap import build_app
    from .stack import ClockSleeper, LocalSesEvents

    mailer = LocalSesEvents(SesMailer(clients.ses, stack.configuration_set), stack.region, stack.configuration_set)
    stack.ses_events = mailer
    return build_app(stack.settings(), clock=clock, sleeper=ClockSleeper(clock), mailer=mailer)


def _digest_text(path: Path) -> str:
    import email

    msg = email.message_from_bytes(path.read_bytes())
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode("utf-8")
    return ""
