"""The organisers' commands for the replies that need a human: the review queue (listed, or gone through item by
item) and answers set by hand. Registered with the others by `cli_organiser.register`."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.panel import Panel

from .cli_organiser import _errors, _now, _session, out


# ---------------------------------------------------------------------- review
def review(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting id.")],
    settle: Annotated[str | None, typer.Option("--settle", help="Review item id to settle (see the list).")] = None,
    answer: Annotated[str | None, typer.Option("--answer", help="accept | decline | tentative | dismiss")] = None,
    invitee: Annotated[str | None, typer.Option("--invitee", help="Whose answer it is (unknown senders).")] = None,
    sessions: Annotated[list[str] | None, typer.Option("--session", help="Session id (repeatable).")] = None,
    attendees: Annotated[list[str] | None, typer.Option("--attendee", help="Attendee name (repeatable).")] = None,
    note: Annotated[str, typer.Option(help="A note kept with the decision.")] = "",
    notify: Annotated[bool, typer.Option("--notify", help="Email the invitee a confirmation.")] = False,
    show_all: Annotated[bool, typer.Option("--all", help="Include settled items.")] = False,
    interactive: Annotated[bool | None, typer.Option("--interactive/--list",
                                                     help="Go through the queue item by item (default on a "
                                                          "terminal).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """The replies that need a human (unclear, late, unknown sender, possible spoofing, unreadable): the new
    text, what the reader saw and why — and settle them by setting the answer or dismissing."""
    session = _session(ctx)
    with _errors():
        organiser = session.organiser()
        if settle:
            if not answer:
                from .usecases.organiser import OrganiserError

                raise OrganiserError("--settle needs --answer accept|decline|tentative|dismiss")
            item = organiser.settle_review(meeting_id, settle, answer, email=invitee, sessions=sessions or (),
                                           attendees=attendees or (), note=note, notify=notify, now=_now())
            out.print(f"Review {item.id} settled: {item.resolution}", markup=False)
            return
        items = organiser.review_queue(meeting_id, include_settled=show_all)
    if as_json:
        out.print_json(json.dumps([_review_json(i) for i in items], ensure_ascii=False))
        return
    if not items:
        out.print(f"Nothing to review for {meeting_id}.")
        return
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
    for number, item in enumerate(items, 1):
        out.print(_review_panel(item, number, len(items)))
        if interactive and not item.resolved and not _ask(organiser, meeting_id, item, notify):
            break
    if not interactive:
        out.print(f"{sum(not i.resolved for i in items)} open. Settle one with: rsvp review {meeting_id} "
                  "--settle ID --answer accept|decline|tentative|dismiss [--invitee EMAIL]", markup=False)


def _review_json(item: Any) -> dict[str, Any]:
    return {"id": item.id, "received_at": item.received_at.isoformat(), "outcome": item.outcome.value,
            "invitee": item.email, "from": item.from_address, "subject": item.subject, "text": item.excerpt,
            "reasons": list(item.reasons), "intent": item.intent, "attendees": list(item.attendees),
            "sessions": list(item.sessions) if item.sessions is not None else None, "language": item.language,
            "confidence": item.confidence, "resolved": item.resolved, "resolution": item.resolution,
            "resolved_by": item.resolved_by, "raw_key": item.raw_key}


def _review_panel(item: Any, number: int, total: int) -> Panel:
    from rich.text import Text

    body = Text()
    body.append(f"{item.outcome.explanation}\n", style="bold red" if not item.resolved else "dim")
    body.append(f"From {item.from_address or '(no sender)'}" + (f" — invitee {item.email}" if item.email else
                                                               " — not matched to an invitee") + "\n")
    body.append(f"Subject: {item.subject}\nReceived {item.received_at:%Y-%m-%d %H:%M %Z}\n\n")
    body.append((item.excerpt.strip() or "(no new text)") + "\n\n", style="italic")
    seen = f"Reader: {item.intent or 'no answer'}"
    if item.confidence is not None:
        seen += f" (confidence {item.confidence:.2f})"
    if item.attendees:
        seen += f"; attendees {', '.join(item.attendees)}"
    if item.sessions:
        seen += f"; sessions {', '.join(item.sessions)}"
    if item.language:
        seen += f"; language {item.language}"
    body.append(seen + "\n", style="cyan")
    body.append("Why: " + "; ".join(item.reasons[1:] or item.reasons), style="dim")
    if item.resolved:
        body.append(f"\nSettled by {item.resolved_by}: {item.resolution}", style="green")
    return Panel(body, title=f"[{number}/{total}] review {item.id}", title_align="left")


def _ask(organiser: Any, meeting_id: str, item: Any, notify: bool) -> bool:
    """Prompt for one item; False when the organiser quits."""
    choices = {"a": "accept", "d": "decline", "t": "tentative", "x": "dismiss", "s": "skip", "q": "quit"}
    while True:
        choice = typer.prompt("[a]ccept [d]ecline [t]entative dismiss[x] [s]kip [q]uit", default="s").strip().lower()
        decision = choices.get(choice[:1])
        if decision is None:
            continue
        if decision == "quit":
            return False
        if decision == "skip":
            return True
        email = item.email
        if decision != "dismiss" and not email:
            email = typer.prompt("Which invitee is it (email)?").strip()
        note = typer.prompt("Note (optional)", default="", show_default=False)
        with _errors():
            settled = organiser.settle_review(meeting_id, item.id, decision, email=email, note=note, notify=notify,
                                              now=_now())
        out.print(f"  settled: {settled.resolution}", markup=False)
        return True


# ---------------------------------------------------------------------- manual answers
def set_answer(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting id.")],
    email: Annotated[str, typer.Argument(help="The invitee's email address.")],
    answer: Annotated[str, typer.Argument(help="accept | decline | tentative")],
    sessions: Annotated[list[str] | None, typer.Option("--session", help="Session id (repeatable).")] = None,
    attendees: Annotated[list[str] | None, typer.Option("--attendee", help="Attendee, with title (repeatable).")]
    = None,
    count: Annotated[int | None, typer.Option(help="Number of attendees (default: names given, or 1).")] = None,
    note: Annotated[str, typer.Option(help="Why (kept in the history).")] = "",
    notify: Annotated[bool, typer.Option("--notify", help="Email the invitee a confirmation.")] = False,
) -> None:
    """Record an answer by hand (a phone call, a letter). Kept in the history with your name."""
    session = _session(ctx)
    with _errors():
        entry = session.organiser().set_answer(meeting_id, email, answer, sessions=sessions or (),
                                               attendees=attendees or (), count=count, note=note, notify=notify,
                                               now=_now())
    before = entry.status_before.value if entry.status_before else "pending"
    after = entry.status_after.value if entry.status_after else ""
    out.print(f"{entry.email}: {before} → [bold]{after}[/]"
              + (f", {entry.attendee_count} attendee(s)" if entry.attendee_count else "")
              + (f", sessions {', '.join(entry.sessions)}" if entry.sessions else "")
              + (" — confirmation sent" if notify else ""))
