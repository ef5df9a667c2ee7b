"""The `rsvp` command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from .domain.errors import InvalidFile

T = TypeVar("T")
app = typer.Typer(help="RSVP desk: invitations, replies read and recorded, confirmations and digests.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="Raw messages (.eml) to read.")],
    meeting: Annotated[Path | None, typer.Option("--meeting", "-m", help="Meeting YAML (for session names).")] = None,
    model_url: Annotated[str, typer.Option(help="Also read with a model: an OpenAI-compatible server's URL.")] = "",
    model_name: Annotated[str, typer.Option(help="The model that server runs.")] = "",
    bedrock: Annotated[str, typer.Option(help="Also read with this Bedrock model id (needs AWS credentials).")] = "",
    reader_mode: Annotated[str, typer.Option(help="With a model: assist or always.")] = "assist",
) -> None:
    """Read reply emails and print one JSON object per line: what each sender said (with --model-url or
    --bedrock, as the rules and that model read it together, for a meeting's replies)."""
    from .domain.meeting import load_meeting
    from .reading import read_message
    from .reading.mime import parse_message

    loaded = _or_exit(lambda: load_meeting(meeting)) if meeting else None
    second = None
    if model_url or bedrock:
        from .reading.model.second import from_settings

        try:
            second = from_settings(reader_mode, bedrock, model_url, model_name)
        except ValueError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
    failures = 0
    for path in files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            typer.echo(f"{path}: {exc.strerror or exc}", err=True)
            failures += 1
            continue
        msg = parse_message(raw)
        reading = read_message(msg, loaded)
        if second is not None and loaded is not None:
            reading, _ = second.read(msg, reading, loaded)
        typer.echo(json.dumps({"file": str(path), **reading.to_json()}, ensure_ascii=False))
    raise typer.Exit(1 if failures else 0)


@app.command()
def check(
    meeting: Annotated[Path, typer.Argument(help="Meeting YAML.")],
    invitees: Annotated[Path | None, typer.Argument(help="Invitees CSV.")] = None,
) -> None:
    """Validate a meeting file (and its invitee list) without loading anything."""
    from .domain.invitees import load_invitees
    from .domain.meeting import load_meeting

    loaded = _or_exit(lambda: load_meeting(meeting))
    cutoff = f"{loaded.rsvp_cutoff:%Y-%m-%d %H:%M} {loaded.timezone}"
    typer.echo(f"{meeting}: ok — {loaded.id}, {len(loaded.sessions)} session(s), replies until {cutoff}")
    if invitees:
        people = _or_exit(lambda: load_invitees(invitees, loaded))
        typer.echo(f"{invitees}: ok — {len(people)} invitee(s)")


@app.command()
def preview(
    meeting: Annotated[Path, typer.Option("--meeting", "-m", help="Meeting YAML.")],
    invitee: Annotated[str, typer.Option("--invitee", "-i", help="The invitee's email address.")],
    invitees: Annotated[Path | None, typer.Option(help="Invitees CSV (default: invitees.csv beside the meeting).")]
    = None,
    out: Annotated[Path | None, typer.Option(help="Where to write the .eml (default: preview-EMAIL.eml).")] = None,
) -> None:
    """Write the exact invitation that would be sent to one invitee, as an .eml file.

    The personal reply tag is computed with TAG_SECRET when set (the deployed key gives the real address);
    otherwise with a placeholder key, so the address shows its shape but is not the real one.
    """
    import os
    from datetime import UTC, datetime

    from .domain.invitees import load_invitees
    from .domain.meeting import load_meeting
    from .domain.records import InviteeRecord
    from .domain.rsvp import InviteeState
    from .domain.tags import reply_tag
    from .usecases.compose import Composer

    loaded = _or_exit(lambda: load_meeting(meeting))
    people = _or_exit(lambda: load_invitees(invitees or meeting.with_name("invitees.csv"), loaded))
    person = next((p for p in people if p.email == invitee.strip().lower()), None)
    if person is None:
        typer.echo(f"{invitee}: not in the invitee list", err=True)
        raise typer.Exit(2)
    secret = os.environ.get("TAG_SECRET", "preview-only-placeholder-key").encode()
    record = InviteeRecord(loaded.id, person, reply_tag(secret, loaded.id, person.email), InviteeState(person.email))
    assets = _FileAssets(meeting, loaded)
    composer = Composer(os.environ.get("SENDER_ADDRESS", loaded.mailbox), attachments=assets.programme)
    email = composer.invitation(loaded, record, datetime.now(UTC))
    target = out or Path(f"preview-{person.email}.eml")
    target.write_bytes(email.to_bytes())
    typer.echo(f"{target}: {email.subject}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the sent .eml files and delivered replies.")] = Path("demo-out"),
) -> None:
    """Run the whole loop locally on moto for the seed meeting, and leave every email as an .eml file."""
    from .local.demo import run

    result = run(out)
    if result.dead_letters:
        raise typer.Exit(1)


class _FileAssets:
    """The programme PDF beside the meeting file, attached as the sender would attach it from the mail bucket."""

    def __init__(self, meeting_file: Path, meeting: Any) -> None:
        self.meeting_file, self.meeting = meeting_file, meeting

    def programme(self, meeting: Any) -> tuple[Any, ...]:
        from .domain.meeting import read_programme
        from .mail.message import Attachment

        if not meeting.programme:
            return ()
        return (Attachment(meeting.programme.rsplit("/", 1)[-1], "application/pdf",
                           read_programme(self.meeting_file, meeting)),)


def _or_exit(load: Callable[[], T]) -> T:
    try:
        return load()
    except InvalidFile as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        typer.echo(f"{exc.filename}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None


from .cli_organiser import register  # noqa: E402 - the organiser commands join the same app

register(app)


def main() -> None:
    app(prog_name="rsvp")


if __name__ == "__main__":
    main()
