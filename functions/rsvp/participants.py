"""The participants list: one row per attendee (named delegation members with their titles, or an unnamed seat),
and the files organisers hand on — CSV (UTF-8 with BOM, so Excel opens it right) or .xlsx."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .domain.invitees import Category
from .domain.meeting import Meeting
from .domain.records import InviteeRecord
from .domain.rsvp import Answer, Delivery, Status
from .reading.people import split_title
from .timeutil import iso

PARTICIPANT_COLUMNS = ("organisation", "category", "title", "name", "invitee_email", "invitee_name", "status",
                       "sessions", "language", "answered_at", "source", "note")


@dataclass(frozen=True)
class Participant:
    """One row of the participants list: one person (or one unnamed seat) of one delegation."""

    organisation: str
    category: str
    title: str
    name: str
    invitee_email: str
    invitee_name: str
    status: str
    sessions: tuple[str, ...]
    language: str
    answered_at: str
    source: str
    note: str = ""

    def row(self) -> list[str]:
        return [self.organisation, self.category, self.title, self.name, self.invitee_email, self.invitee_name,
                self.status, " ".join(self.sessions), self.language, self.answered_at, self.source, self.note]


def participant_rows(meeting: Meeting, records: Iterable[InviteeRecord],
                     statuses: Iterable[Status] = (Status.ACCEPTED,)) -> list[Participant]:
    """By category (States first), then organisation."""
    wanted = set(statuses)
    order = {c: i for i, c in enumerate(Category)}
    rows: list[Participant] = []
    for record in sorted(records, key=lambda r: (order[r.invitee.category], r.invitee.organisation.casefold(),
                                                 r.email)):
        answer = record.state.answer
        if answer is not None and answer.status in wanted:
            rows.extend(_delegation(meeting, record, answer))
    return rows


def _delegation(meeting: Meeting, record: InviteeRecord, answer: Answer) -> list[Participant]:
    sessions = answer.sessions if answer.sessions is not None else tuple(s.id for s in meeting.sessions)
    common = {"organisation": record.invitee.organisation, "category": record.invitee.category.label,
              "invitee_email": record.email, "invitee_name": record.invitee.addressed_as,
              "status": answer.status.value, "sessions": sessions, "language": record.invitee.language,
              "answered_at": iso(answer.written_at), "source": answer.source}
    rows = []
    for person in answer.attendees:
        title, name = split_title(person)
        own = answer.sessions_of(person)
        each = {**common, "sessions": own if own is not None else common["sessions"]}
        rows.append(Participant(title=title, name=name, **each))  # type: ignore[arg-type]
    unnamed = max(0, answer.attendee_count - len(answer.attendees))
    for _ in range(unnamed):
        rows.append(Participant(title="", name="", note=f"name not given ({len(rows) + 1} of {answer.attendee_count})",
                                **common))  # type: ignore[arg-type]
    if record.state.delivery is not Delivery.OK:
        rows = [replace(r, note=(r.note + "; " if r.note else "") + f"address {record.state.delivery.value}")
                for r in rows]
    return rows


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_participants(rows: Sequence[Participant], fmt: str) -> bytes:
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(PARTICIPANT_COLUMNS)
        writer.writerows([_safe(v) for v in r.row()] for r in rows)
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        return _xlsx(rows)
    raise ValueError(f"unknown format {fmt!r}")


def _safe(value: str) -> str:
    """A name from an email must never become a spreadsheet formula (CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _xlsx(rows: Sequence[Participant]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Participants"
    sheet.append(list(PARTICIPANT_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(v) for v in row.row()])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, never a formula
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(PARTICIPANT_COLUMNS, 1):
        width = max([len(column)] + [len(r.row()[index - 1]) for r in rows[:500]])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
