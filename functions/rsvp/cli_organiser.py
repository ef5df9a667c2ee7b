"""The organisers' commands: meetings, invitee lists, invitations, status, review, manual answers, exports,
history, replay, digest, and the local stack. They work against the local stack (`rsvp local up`) or a deployed
one (`--stack NAME`).

Exit codes (for scripts): 0 done; 1 done, but something needs attention (bad rows skipped, failures);
2 invalid input; 3 not found; 4 conflict (changed meanwhile); 5 the stack cannot be reached.
"""

from __future__ import annotations

import getpass
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from .domain.errors import InvalidFile
from .domain.rsvp import Status

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

meeting_app = typer.Typer(help="Load and show meetings.", no_args_is_help=True)
invitees_app = typer.Typer(help="Import invitee lists (CSV or Excel).", no_args_is_help=True)
local_app = typer.Typer(help="The whole stack on this machine (moto, SMTP, the functions, the schedule).",
                        no_args_is_help=True)


@dataclass
class Session:
    """What the global options chose: which stack, as whom."""

    stack: str | None
    region: str | None
    profile: str | None
    actor: str
    _target: Any = None
    _app: Any = None

    @property
    def target(self) -> Any:
        if self._target is None:
            from .target import resolve

            self._target = resolve(self.stack, self.region, self.profile)
        return self._target

    @property
    def app(self) -> Any:
        """The use cases, wired to the chosen stack."""
        if self._app is None:
            self._app = self.target.app()
        return self._app

    def organiser(self) -> Any:
        return self.app.organiser(self.actor)

    def meeting_id(self, given: str | None) -> str:
        if given:
            return given
        meetings = self.organiser().list_meetings()
        if len(meetings) == 1:
            return str(meetings[0].id)
        from .usecases.organiser import OrganiserError

        listed = ", ".join(m.id for m in meetings) or "none is loaded: rsvp meeting load M.yaml"
        raise OrganiserError(f"say which meeting with --meeting ID ({listed})")


def register(app: typer.Typer) -> None:
    app.callback()(_global_options)
    app.add_typer(meeting_app, name="meeting")
    app.add_typer(invitees_app, name="invitees")
    app.add_typer(local_app, name="local")
    from .cli_review import review, set_answer

    for command in (invite, status, review, set_answer, export, history, forget, replay, digest):
        app.command(name=command.__name__.replace("set_answer", "set"))(command)


def _global_options(
    ctx: typer.Context,
    stack: Annotated[str | None, typer.Option("--stack", envvar="RSVP_STACK",
                                              help="A deployed stack's name (default: the local stack).")] = None,
    region: Annotated[str | None, typer.Option("--region", envvar="AWS_REGION", show_envvar=False,
                                               help="AWS region, as the AWS CLI takes it.")] = None,
    profile: Annotated[str | None, typer.Option("--profile", envvar="AWS_PROFILE", show_envvar=False,
                                                help="AWS profile, as the AWS CLI takes it.")] = None,
    actor: Annotated[str | None, typer.Option("--as", envvar="RSVP_ACTOR",
                                              help="Who you are, for the history (default: your login).")] = None,
) -> None:
    """RSVP desk: invitations, replies read and recorded, confirmations and digests."""
    ctx.obj = Session(stack, region, profile, actor or _login())


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "organiser"


def _session(ctx: typer.Context) -> Session:
    if not isinstance(ctx.obj, Session):
        ctx.obj = Session(None, None, None, _login())
    return ctx.obj


@contextmanager
def _errors() -> Iterator[None]:
    """One clear line on stderr and a dependable exit code, whatever went wrong."""
    from botocore.exceptions import BotoCoreError, ClientError

    from .target import TargetError
    from .usecases.organiser import OrganiserError

    try:
        yield
    except InvalidFile as exc:
        for problem in exc.problems:
            err.print(str(problem), markup=False)
        raise typer.Exit(2) from None
    except (OrganiserError, TargetError) as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(exc.exit_code) from None
    except OSError as exc:
        err.print(f"error: {exc.filename or ''}{': ' if exc.filename else ''}{exc.strerror or exc}", markup=False)
        raise typer.Exit(2) from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        err.print(f"error: AWS {error.get('Code', '')}: {error.get('Message', exc)}", markup=False)
        raise typer.Exit(5) from None
    except BotoCoreError as exc:
        err.print(f"error: cannot reach the stack: {exc}", markup=False)
        raise typer.Exit(5) from None


def _now() -> datetime:
    return datetime.now(UTC)


MeetingOption = Annotated[str | None, typer.Option("--meeting", "-m", help="Meeting id (default: the only one).")]


# ---------------------------------------------------------------------- meetings
@meeting_app.command("load")
def meeting_load(
    ctx: typer.Context,
    meeting_file: Annotated[Path, typer.Argument(help="Meeting YAML.")],
    invitees: Annotated[Path | None, typer.Option(help="Invitee list to import with it (.csv or .xlsx).")] = None,
) -> None:
    """Load (or update) a meeting from its YAML file; the programme PDF it names is stored with it."""
    from .domain.invitees import load_invitees
    from .domain.meeting import load_meeting, read_programme

    session = _session(ctx)
    with _errors():
        meeting = load_meeting(meeting_file)
        people = load_invitees(invitees, meeting) if invitees else []
        programme = read_programme(meeting_file, meeting) if meeting.programme else None
        existing = session.organiser().find_meeting(meeting.id)
        session.app.catalog.load(meeting, people, programme)  # invitees not in the list are kept as they are
    out.print(f"{'Updated' if existing else 'Loaded'} meeting [bold]{meeting.id}[/] — {_title(meeting)}: "
              f"{len(meeting.sessions)} session(s), replies until {meeting.rsvp_cutoff:%Y-%m-%d %H:%M} "
              f"{meeting.timezone}" + (f"; {len(people)} invitee(s)" if invitees else ""))


@meeting_app.command("show")
def meeting_show(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the meeting document as JSON.")] = False,
) -> None:
    """Show a loaded meeting: sessions, cutoff, mailbox, languages, reminders, digest time."""
    session = _session(ctx)
    with _errors():
        meeting = session.organiser().meeting(meeting_id)
    if as_json:
        out.print_json(json.dumps(meeting.to_document(), ensure_ascii=False, default=str))
        return
    table = Table(title=f"{meeting.id} — {_title(meeting)}", show_header=True, header_style="bold")
    for column in ("session", "title", "starts", "ends"):
        table.add_column(column)
    for s in meeting.sessions:
        table.add_row(s.id, s.title_in(meeting.organiser_language), f"{s.start:%a %d %b %Y %H:%M}",
                      f"{s.end:%H:%M} {meeting.timezone}")
    out.print(table)
    out.print(f"Mailbox: {meeting.mailbox} · replies until {meeting.rsvp_cutoff:%Y-%m-%d %H:%M} {meeting.timezone}"
              f" · languages {', '.join(meeting.languages)} · reminders {list(meeting.reminders) or 'none'}"
              f" days before · digest at {meeting.digest.time:%H:%M} to "
              f"{', '.join(o.email for o in meeting.organisers)}")


@meeting_app.command("list")
def meeting_list(ctx: typer.Context) -> None:
    """The loaded meetings."""
    session = _session(ctx)
    with _errors():
        meetings = session.organiser().list_meetings()
    for m in meetings:
        out.print(f"{m.id}\t{m.rsvp_cutoff:%Y-%m-%d}\t{_title(m)}", markup=False)


# ---------------------------------------------------------------------- invitees
@invitees_app.command("import")
def invitees_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Invitee list: .csv (UTF-8) or .xlsx (first sheet).")],
    meeting_id: MeetingOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and report; change nothing.")] = False,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Import the good rows even if some are bad.")] = False,
) -> None:
    """Check an invitee list row by row and import it. A bad row stops the whole import unless --skip-bad;
    importing again updates names, languages and categories without duplicating anyone or losing answers."""
    from .domain.invitees import read_invitee_file

    session = _session(ctx)
    with _errors():
        organiser = session.organiser()
        meeting = organiser.meeting(session.meeting_id(meeting_id))
        checked = read_invitee_file(file, meeting)
        current = {r.email: r.invitee for r in organiser.invitees_of(meeting.id)}
    new = [i for i in checked.invitees if i.email not in current]
    changed = [i for i in checked.invitees if i.email in current and current[i.email] != i]
    same = len(checked.invitees) - len(new) - len(changed)
    for problem in checked.problems:
        err.print(str(problem), markup=False)
    summary = (f"{file}: {checked.rows} row(s): {len(checked.invitees)} good "
               f"({len(new)} new, {len(changed)} updated, {same} unchanged), {len(_bad_lines(checked))} bad")
    if checked.problems and not skip_bad:
        err.print(f"{summary}. Nothing imported: fix the rows above, or import the good rows with --skip-bad.",
                  markup=False)
        raise typer.Exit(2)
    if dry_run:
        out.print(f"{summary}. Dry run: nothing imported.", markup=False)
        raise typer.Exit(1 if checked.problems else 0)
    with _errors():
        session.app.catalog.add_invitees(meeting, new + changed)
    out.print(f"{summary}. Imported {len(new) + len(changed)} into {meeting.id}"
              + (f"; {len(_bad_lines(checked))} bad row(s) skipped." if checked.problems else "."), markup=False)
    raise typer.Exit(1 if checked.problems else 0)


def _bad_lines(checked: Any) -> set[int]:
    return {p.line for p in checked.problems}


# ---------------------------------------------------------------------- invitations
def invite(
    ctx: typer.Context,
    meeting_id: MeetingOption = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="Only this invitee (repeatable).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List who would be invited; send nothing.")] = False,
    resend: Annotated[bool, typer.Option("--resend", help="A new sending, also to those already invited.")] = False,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Follow the sending until it is done.")] = True,
    timeout: Annotated[float, typer.Option(help="Stop following after this many seconds.")] = 3600.0,
) -> None:
    """Queue the personal invitations (one job per invitee; the sender function sends them at the SES rate)
    and follow them with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


    session = _session(ctx)
    with _errors():
        organiser = session.organiser()
        meeting = organiser.meeting(session.meeting_id(meeting_id))
        wanted = {e.strip().lower() for e in only} if only else None
        if wanted:
            organiser.check_invitees(meeting.id, wanted)
        if dry_run:
            table = Table(title=f"Dry run: invitations for {meeting.id}", header_style="bold")
            for column in ("email", "organisation", "language", "would"):
                table.add_column(column)
            plan = organiser.invitation_plan(meeting.id, wanted, resend)
            for planned in plan:
                r = planned.record
                table.add_row(r.email, r.invitee.organisation, ",".join(planned.languages),
                              f"skip ({planned.skip})" if planned.skip else "send")
            out.print(table)
            out.print(f"{sum(not p.skip for p in plan)} invitation(s) would be sent; nothing was queued.")
            return
        report = session.app.invitations.queue_all(meeting.id, wanted, resend=resend)
    out.print(f"Queued {len(report.queued)} invitation(s) for {meeting.id} ({report.sending}); "
              f"{len(report.skipped)} skipped (already invited, undeliverable or queued before).")
    if not report.queued or not wait:
        return
    total = len(report.queued)
    deadline = time.monotonic() + timeout
    with _errors(), Progress(TextColumn("[bold]Sending"), BarColumn(), MofNCompleteColumn(),
                             TextColumn("{task.fields[detail]}"), TimeRemainingColumn(), console=err) as bar:
        task = bar.add_task("send", total=total, detail="")
        while True:
            counts = session.app.invitations.progress(meeting.id, report.sending)
            done = counts.get("sent", 0) + counts.get("rejected", 0)
            bar.update(task, completed=min(done, total),
                       detail=", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s != "sent"))
            if counts.get("queued", 0) + counts.get("sending", 0) + counts.get("failed", 0) == 0 \
                    or time.monotonic() > deadline:
                break
            time.sleep(1.0)
    counts = session.app.invitations.progress(meeting.id, report.sending)
    failures = session.app.invitations.failures(meeting.id, report.sending)
    out.print("Invitations: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    for email, state, reason in failures:
        out.print(f"  {email}: {state} — {reason}", markup=False)
    if failures or counts.get("queued", 0) or counts.get("sending", 0):
        raise typer.Exit(1)


# ---------------------------------------------------------------------- status
def status(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Answers per status and category (States / international organisations / NGOs), sessions, attendees."""
    from .domain.invitees import Category

    session = _session(ctx)
    with _errors():
        report = session.organiser().status(meeting_id, _now())
    if as_json:
        out.print_json(json.dumps(report.to_json(), ensure_ascii=False))
        return
    meeting = report.meeting
    statuses = list(Status)
    table = Table(title=f"{meeting.id} — {_title(meeting)}", header_style="bold", show_footer=True)
    table.add_column("", footer="Total")
    totals = report.totals
    for s in statuses:
        table.add_column(s.value, justify="right", footer=str(totals[s.value]))
    table.add_column("invitees", justify="right", footer=str(sum(totals.values())))
    for category, counts in report.by_category.items():
        table.add_row(Category(category).label, *(str(counts[s.value]) for s in statuses),
                      str(sum(counts.values())))
    out.print(table)
    sessions = Table(title="Sessions (accepted)", header_style="bold")
    for column in ("session", "title", "delegations", "attendees"):
        sessions.add_column(column, justify="right" if column in ("delegations", "attendees") else "left")
    for s in meeting.sessions:
        seen = report.sessions[s.id]
        sessions.add_row(s.id, s.title_in(meeting.organiser_language), str(seen["delegations"]), str(seen["attendees"]))
    out.print(sessions)
    closed = report.closed
    out.print(f"Attendees: [bold]{report.attendees}[/] ({report.named_attendees} named) · "
              + (f"registration closed {meeting.rsvp_cutoff:%d %b %Y %H:%M}" if closed
                 else f"{report.days_left} day(s) to the cutoff") + " · "
              + f"to review: [bold]{report.open_reviews}[/] · undeliverable {report.delivery.get('undeliverable', 0)}"
              f" · complained {report.delivery.get('complained', 0)} · no more reminders {report.no_reminders}")
    if report.invitations:
        out.print("Invitations: " + ", ".join(f"{n} {s}" for s, n in sorted(report.invitations.items())))


# ---------------------------------------------------------------------- export
def export(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting id.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv | xlsx")] = "csv",
    output: Annotated[Path | None, typer.Option("--out", "-o", help="File (default: ID-participants.FORMAT; "
                                                                     "'-' for standard output, CSV only).")] = None,
    statuses: Annotated[list[str] | None, typer.Option("--status", help="Statuses to include (repeatable; "
                                                                         "default accepted).")] = None,
) -> None:
    """The participants list: one row per attendee (delegation members with titles, organisation, category,
    sessions), ready for badges or the online platform."""
    from .participants import write_participants

    session = _session(ctx)
    with _errors():
        if fmt not in ("csv", "xlsx"):
            from .usecases.organiser import OrganiserError

            raise OrganiserError(f"--format {fmt!r}: choose csv or xlsx")
        wanted = [_status(s) for s in statuses or ["accepted"]]
        rows = session.organiser().participants(meeting_id, wanted)
        target = output or Path(f"{meeting_id}-participants.{fmt}")
        if str(target) == "-":
            if fmt != "csv":
                from .usecases.organiser import OrganiserError

                raise OrganiserError("only CSV can go to standard output")
            sys.stdout.write(write_participants(rows, "csv").decode("utf-8-sig"))
            return
        target.write_bytes(write_participants(rows, fmt))
    delegations = len({r.invitee_email for r in rows})
    err.print(f"{target}: {len(rows)} participant(s) from {delegations} delegation(s)", markup=False)


def _status(value: str) -> Status:
    from .usecases.organiser import OrganiserError

    try:
        return Status(value.strip().lower())
    except ValueError:
        raise OrganiserError(f"--status {value!r}: one of {', '.join(s.value for s in Status)}") from None


# ---------------------------------------------------------------------- history
def history(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting id.")],
    email: Annotated[str, typer.Argument(help="The invitee's email address.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every change to one invitee's RSVP — by reply, by organiser, by bounce — and every message read."""
    session = _session(ctx)
    with _errors():
        organiser = session.organiser()
        meeting = organiser.meeting(meeting_id)
        record = organiser.invitee(meeting_id, email)
        entries = organiser.history(meeting_id, email)
    if as_json:
        out.print_json(json.dumps([_history_json(h) for h in entries], ensure_ascii=False))
        return
    out.print(f"[bold]{record.invitee.addressed_as}[/] <{record.email}> — {record.invitee.organisation}: "
              f"now [bold]{record.state.status.value}[/]"
              + (f" (address {record.state.delivery.value})" if record.state.delivery.value != "ok" else ""))
    table = Table(header_style="bold", caption=f"times in {meeting.timezone}")
    for column in ("when", "source", "what", "change", "detail"):
        table.add_column(column, overflow="fold")
    for h in entries:
        change = (f"{h.status_before.value if h.status_before else '-'} → "
                  f"{h.status_after.value if h.status_after else '-'}") if h.status_before != h.status_after else ""
        who = h.actor or h.from_address or ""
        detail = "; ".join(x for x in (
            f"by {who}" if who else "", f"“{_short(h.subject, 60)}”" if h.subject else "",
            f"attendees {', '.join(h.attendees)}" if h.attendees else "",
            f"sessions {', '.join(h.sessions)}" if h.sessions else "", "; ".join(h.reasons[:3])) if x)
        table.add_row(f"{meeting.local(h.at):%Y-%m-%d %H:%M}", h.source, h.outcome.value, change, detail)
    out.print(table if entries else "No history yet.")


def _history_json(h: Any) -> dict[str, Any]:
    return {"at": h.at.isoformat(), "source": h.source, "outcome": h.outcome.value, "actor": h.actor or None,
            "from": h.from_address or None, "subject": h.subject or None, "message_key": h.message_key or None,
            "raw_key": h.raw_key or None, "intent": h.intent, "kind": h.kind,
            "status_before": h.status_before.value if h.status_before else None,
            "status_after": h.status_after.value if h.status_after else None,
            "sessions": list(h.sessions) if h.sessions is not None else None, "attendees": list(h.attendees),
            "attendee_count": h.attendee_count, "reasons": list(h.reasons)}


# ---------------------------------------------------------------------- personal data
def forget(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting id.")],
    email: Annotated[str, typer.Argument(help="The person's email address.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase one person's records in a meeting: RSVP, history, review items, sends, their stored mail (every
    version) and local copies. The meeting's audit log records that it was done, never whom."""
    from pathlib import Path

    from .adapters.aws import forget_local_copies

    session = _session(ctx)
    with _errors():
        organiser = session.organiser()
        organiser.meeting(meeting_id)
        if not yes and sys.stdin.isatty() and not typer.confirm(
                f"Erase everything recorded about {email} in {meeting_id}? This cannot be undone"):
            raise typer.Exit(1)
        outbox = session.target.settings.outbox_dir
        line = organiser.forget(meeting_id, email, _now(), local_copies=(
            (lambda address, keys: forget_local_copies(Path(outbox), address, keys)) if outbox else None))
    out.print(f"Done: {line}.", markup=False, highlight=False)


# ---------------------------------------------------------------------- replay
def replay(
    ctx: typer.Context,
    keys: Annotated[list[str] | None, typer.Option("--key", help="S3 key of a stored raw message (repeatable).")]
    = None,
    sends: Annotated[bool, typer.Option("--sends", help="Replay the send dead-letter queue instead.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many messages.")] = 1000,
) -> None:
    """Process mail again: the dead-lettered messages (default), or stored raw messages by S3 key. Processing
    is idempotent, so replaying something already done changes nothing."""
    from .adapters.aws import replay_dead_letters, requeue_stored_mail

    session = _session(ctx)
    with _errors():
        target = session.target
        clients = target.clients()
        if keys:
            moved = requeue_stored_mail(clients.sqs, target.inbound_queue_url, target.settings.mail_bucket, keys)
            out.print(f"{moved} stored message(s) queued for processing again.")
            return
        if sends:
            moved = replay_dead_letters(clients.sqs, target.send_dead_letter_queue_url,
                                        target.settings.invitation_queue_url, limit)
        else:
            moved = replay_dead_letters(clients.sqs, target.inbound_dead_letter_queue_url, target.inbound_queue_url,
                                        limit)
    out.print(f"{moved} message(s) moved from the dead-letter queue back to be processed.")


# ---------------------------------------------------------------------- digest
def digest(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting id.")],
    now: Annotated[bool, typer.Option("--now", help="Send the digest now.")] = False,
    preview: Annotated[bool, typer.Option("--preview", help="Write it as .eml and print it; send nothing.")]
    = False,
    output: Annotated[Path | None, typer.Option("--out", "-o", help="Where --preview writes the .eml.")] = None,
) -> None:
    """The organisers' digest, on demand: send it now, or preview it."""
    session = _session(ctx)
    if now == preview:
        err.print("error: say --now (send it) or --preview (look at it)")
        raise typer.Exit(2)
    with _errors():
        session.organiser().meeting(meeting_id)
        email = session.app.digests.preview(meeting_id, _now())
        if preview:
            target = output or Path(f"{meeting_id}-digest.eml")
            target.write_bytes(email.to_bytes())
            out.print(email.text, markup=False)
            err.print(f"{target}: {email.subject}", markup=False)
            return
        session.app.digests.send_now(meeting_id, _now())
    out.print(f"Digest for {meeting_id} sent to {', '.join(r.email for r in email.to)}.", markup=False)


# ---------------------------------------------------------------------- the local stack
@local_app.command("up")
def local_up(
    port: Annotated[int, typer.Option(help="moto server port (127.0.0.1).")] = 5000,
    smtp_port: Annotated[int, typer.Option(help="SMTP port (127.0.0.1) that receives replies.")] = 2525,
    mailbox: Annotated[str | None, typer.Option(help="The registration mailbox; mail to its domain is received "
                                                     "(default: the seed meeting's with --example, else "
                                                     "registration@desk.example.org).")] = None,
    folder: Annotated[Path, typer.Option("--dir", help="Where sent mail (.eml) and received mail are kept.")]
    = Path("local-out"),
    relay: Annotated[str | None, typer.Option(help="Also relay sent mail to this SMTP server (host:port), "
                                                   "e.g. a local catcher.")] = None,
    tick: Annotated[float, typer.Option(help="Seconds between runs of the daily schedule (hourly in AWS).")]
    = 3600.0,
    example: Annotated[bool, typer.Option("--example", help="Load the seed meeting and its invitees.")] = False,
    model_url: Annotated[str, typer.Option(help="A second reader: an OpenAI-compatible server's URL "
                                                "(e.g. Ollama's http://127.0.0.1:11434/v1).")] = "",
    model_name: Annotated[str, typer.Option(help="The model that server is to run (e.g. qwen2.5:7b).")] = "",
    reader_mode: Annotated[str, typer.Option(help="assist: the model reads what the rules are not certain of; "
                                                  "always: every reply.")] = "assist",
) -> None:
    """Start the whole stack here and keep it until Ctrl-C: moto with the template's resources, the functions
    wired as AWS wires them, the schedule on a timer, and an SMTP server that receives mail as SES does."""
    from .local.server import serve

    if reader_mode not in ("assist", "always"):
        raise typer.BadParameter("--reader-mode is assist or always")
    with _errors():
        serve(port=port, smtp_port=smtp_port, mailbox=mailbox, folder=folder, relay=relay, tick=tick,
              example=example, console=out, model_url=model_url, model_name=model_name, reader_mode=reader_mode)


@local_app.command("status")
def local_status() -> None:
    """Is a local stack described here, and where is it?"""
    from .target import load_local, local_state_path

    with _errors():
        target = load_local()
    out.print(f"{local_state_path()}: moto at {target.endpoint_url}, table {target.settings.table_name}, "
              f"bucket {target.settings.mail_bucket}", markup=False)



def _title(meeting: Any) -> str:
    return str(meeting.title_in(meeting.organiser_language))


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
