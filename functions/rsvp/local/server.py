"""`rsvp local up`: the whole stack on this machine until Ctrl-C.

  moto server (127.0.0.1)  the resources of template.yaml (table, bucket, queues, SES, secret)
  SMTP server (aiosmtpd)   receives mail for the mailbox's domain as SES receiving does: a Received stamp, the raw
                           message into the bucket under inbound/, S3 notifies the inbound queue
  the functions            the same handlers, fed as the event source mappings feed them (inbound and send queues,
                           SES Send events after each send batch), and the daily schedule on a timer
  outgoing mail            every message as .eml under DIR/outbox (and relayed to an SMTP catcher when asked)

Other terminals use it through `.rsvp-local.json` (the `rsvp` commands find the stack there).
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import threading
import time
import warnings
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..domain.meeting import Meeting, load_meeting
from .stack import LambdaContext, LocalStack, provision, use_moto_credentials

REGION = "eu-west-1"
MAX_MESSAGE_BYTES = 40 * 1024 * 1024  # SES receiving's limit
log = logging.getLogger(__name__)


class SmtpRelay:
    """Wraps a mailer: each message sent also goes to a local SMTP catcher (MailHog, Mailpit, smtp4dev...)."""

    def __init__(self, inner: Any, host: str, port: int) -> None:
        self.inner, self.host, self.port = inner, host, port

    def send(self, email: Any) -> str:
        provider_id = str(self.inner.send(email))
        try:
            with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
                smtp.sendmail(email.sender.email, email.destinations, email.to_bytes())
        except (OSError, smtplib.SMTPException) as exc:  # the catcher is a convenience: never lose the send
            log.warning("relay to %s:%s failed: %s", self.host, self.port, exc)
        return provider_id


class SesReceiving:
    """aiosmtpd handler: accepts mail for the desk's domains and stores it as SES receiving would."""

    def __init__(self, stack: LocalStack, clients: Any, copies: Path, domains: Any) -> None:
        self.stack, self.clients, self.copies, self.domains = stack, clients, copies, domains
        self.received = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.rpartition("@")[2].lower() not in self.domains():
            return "550 5.1.1 Mailbox unavailable: this desk receives mail for " + ", ".join(sorted(self.domains()))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        if len(raw) > MAX_MESSAGE_BYTES:
            return "552 5.3.4 Message too big (SES receiving takes up to 40 MB)"
        key = self.stack.deliver(raw, datetime.now(UTC), self.clients)
        self.copies.mkdir(parents=True, exist_ok=True)
        partial = self.copies / f".{key.rpartition('/')[2]}.partial"
        partial.write_bytes(raw)
        partial.replace(self.copies / f"{key.rpartition('/')[2]}.eml")
        self.received += 1
        return f"250 OK: stored as {key}"


def serve(*, port: int, smtp_port: int, mailbox: str | None, folder: Path, relay: str | None, tick: float,
          example: bool, console: Any, stop: threading.Event | None = None, model_url: str = "",
          model_name: str = "", reader_mode: str = "assist") -> None:
    from ..usecases.organiser import OrganiserError

    if model_url and not model_name:
        raise OrganiserError("--model-url needs --model-name (the model the server runs, e.g. qwen2.5:7b)")

    for option, number in (("--port", port), ("--smtp-port", smtp_port)):
        if not _port_free(number):
            raise OrganiserError(f"127.0.0.1:{number} is in use (another `rsvp local up`?): choose another with "
                                 f"{option}")
    stop = stop or threading.Event()
    use_moto_credentials(REGION)
    os.environ.update({"POWERTOOLS_SERVICE_NAME": "rsvp-desk", "POWERTOOLS_METRICS_NAMESPACE": "RsvpDesk",
                       "POWERTOOLS_METRICS_DISABLED": "true"})
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="No application metrics to publish")

    from aiosmtpd.controller import Controller
    from moto.server import ThreadedMotoServer

    from ..adapters.aws import SesMailer, aws_clients
    from ..bootstrap import build_app
    from ..handlers import digest, inbound, runtime
    from ..target import Target, local_state_path, save_local
    from .demo import EXAMPLE
    from .stack import LocalSesEvents, schedule_event

    seed = upcoming(load_meeting(EXAMPLE / "meeting.yaml"), datetime.now(UTC)) if example else None
    mailbox = (mailbox or (seed.mailbox if seed else "registration@desk.example.org")).lower()

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    state = local_state_path()
    smtp = None
    try:
        clients = aws_clients(REGION)
        stack = provision(clients, region=REGION, mailbox=mailbox, sender=mailbox, name="local",
                          outbox_dir=str(folder.resolve() / "outbox"))
        os.environ.update(stack.environment())
        mailer: Any = LocalSesEvents(SesMailer(clients.ses, stack.configuration_set), stack.region,
                                     stack.configuration_set)
        stack.ses_events = mailer
        if relay:
            host, _, relay_port = relay.rpartition(":")
            mailer = SmtpRelay(mailer, host or "127.0.0.1", int(relay_port))
        settings = stack.settings()
        if model_url:  # a second reader: a model the organiser runs (Ollama, vLLM, llama.cpp, LM Studio)
            settings = replace(settings, reader_mode=reader_mode, reader_model_url=model_url,
                               reader_model_name=model_name)
            console.print(f"Second reader: {model_name} at {model_url} ({reader_mode})")
        desk = build_app(settings, mailer=mailer)
        runtime.install(desk)
        target = Target(name="local", settings=stack.settings(), inbound_queue_url=stack.inbound_queue_url,
                        inbound_dead_letter_queue_url=stack.dead_letter_queue_url,
                        send_dead_letter_queue_url=stack.send_dead_letter_queue_url, endpoint_url=endpoint)
        if seed is not None:
            from ..domain.invitees import load_invitees
            from ..domain.meeting import read_programme

            desk.catalog.load(seed, load_invitees(EXAMPLE / "invitees.csv", seed),
                      read_programme(EXAMPLE / "meeting.yaml", seed) if seed.programme else None)

        def domains() -> set[str]:
            meetings = desk.organiser("local").list_meetings()
            return {mailbox.rpartition("@")[2]} | {m.mailbox.rpartition("@")[2] for m in meetings}

        receiving = SesReceiving(stack, clients, folder.resolve() / "inbound", domains)
        smtp = Controller(receiving, hostname="127.0.0.1", port=smtp_port, data_size_limit=MAX_MESSAGE_BYTES)
        smtp.start()
        save_local(target, state)
        _welcome(console, endpoint, smtp_port, mailbox, folder, state, relay, tick, seed)

        next_tick = time.monotonic()
        while not stop.is_set():
            try:
                stack.drain(inbound.handler, clients, max_rounds=20)
                stack.drain_sends(clients, max_rounds=20)
                if time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + tick
                    result = digest.handler(schedule_event(datetime.now(UTC), REGION), LambdaContext("DigestFunction"))
                    if result["sent"] or result["reminders"]:
                        console.print(f"schedule: digests {result['sent']}, reminders {result['reminders']}")
            except Exception as exc:  # a failing invocation is logged and retried, as Lambda would; the stack stays up
                log.exception("local invocation failed")
                console.print(f"[red]invocation failed:[/] {type(exc).__name__}: {exc} (retried on the next round)")
            stop.wait(0.5)
    except KeyboardInterrupt:
        console.print("\nStopping the local stack.")
    finally:
        if smtp is not None:
            smtp.stop()
        moto.stop()
        os.environ.pop("AWS_ENDPOINT_URL", None)
        state.unlink(missing_ok=True)
        runtime.install(None)


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def upcoming(meeting: Meeting, now: datetime, lead_days: int = 21) -> Meeting:
    """The seed meeting moved by whole weeks (weekdays and local times kept) so that its cutoff is about
    three weeks ahead: replies sent to the local stack are on time."""
    weeks = max(0, -(-((now + timedelta(days=lead_days)) - meeting.rsvp_cutoff).days // 7))
    shift = timedelta(weeks=weeks)

    def moved(moment: datetime) -> datetime:
        naive = moment.replace(tzinfo=None) + shift  # wall-clock time kept across daylight-saving changes
        return naive.replace(tzinfo=moment.tzinfo)

    return replace(meeting, rsvp_cutoff=moved(meeting.rsvp_cutoff),
                   sessions=tuple(replace(s, start=moved(s.start), end=moved(s.end)) for s in meeting.sessions))


def _welcome(console: Any, endpoint: str, smtp_port: int, mailbox: str, folder: Path, state: Path,
             relay: str | None, tick: float, seed: Any) -> None:
    from rich.rule import Rule

    meeting_id = seed.id if seed else "ID"
    local, _, domain = mailbox.partition("@")
    lines = [
        f"moto (AWS)     {endpoint}   — the resources of template.yaml",
        f"SMTP           127.0.0.1:{smtp_port}   — mail to *@{domain} is received as SES would",
        f"sent mail      {folder / 'outbox'}/*.eml" + (f"  (and relayed to {relay})" if relay else ""),
        f"received mail  {folder / 'inbound'}/*.eml",
        f"schedule       every {tick:g} s (digests at each meeting's local time, reminders on reminder days)",
        f"described in   {state}  (the rsvp commands find the stack there)",
        "",
        "Try, in another terminal:" if seed else "Load a meeting, in another terminal:",
    ]
    if not seed:
        lines.append("  rsvp meeting load examples/mine-free-americas-2021/meeting.yaml "
                     "--invitees examples/mine-free-americas-2021/invitees.csv")
    lines += [
        "  rsvp invite                       # personal invitations, at the SES rate",
        f"  swaks --server 127.0.0.1:{smtp_port} --to {local}+TAG@{domain} --from you@example.org "
        "--body 'We will attend.'",
        f"  rsvp status {meeting_id} · rsvp review {meeting_id} · rsvp history {meeting_id} EMAIL · "
        f"rsvp export {meeting_id} --format xlsx",
        "",
        "Ctrl-C stops it (the state is in memory and goes with it).",
    ]
    if seed:
        lines.insert(0, f"meeting        {seed.id}: sessions from {seed.sessions[0].start:%a %d %b %Y %H:%M} "
                        f"{seed.timezone}, replies until {seed.rsvp_cutoff:%a %d %b %Y %H:%M} (seed, moved ahead)")
    console.print(Rule("RSVP desk — local stack is up"))
    console.print("\n".join(lines), markup=False, highlight=False)
