"""Invitee lists as organisers keep them (CSV exported from a spreadsheet), validated row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .addresses import has_control_characters, is_valid_address, normalise_address
from .errors import InvalidFile, Problem
from .meeting import Meeting


class Category(StrEnum):
    STATE = "state"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    NGO = "ngo"

    @property
    def label(self) -> str:
        return {"state": "States", "international_organisation": "International organisations",
                "ngo": "NGOs"}[self.value]


_CATEGORY_ALIASES = {
    "state": Category.STATE, "states": Category.STATE, "member state": Category.STATE,
    "state party": Category.STATE, "mission": Category.STATE, "permanent mission": Category.STATE,
    "country": Category.STATE, "government": Category.STATE,
    "international organisation": Category.INTERNATIONAL_ORGANISATION,
    "international organization": Category.INTERNATIONAL_ORGANISATION,
    "international_organisation": Category.INTERNATIONAL_ORGANISATION,
    "io": Category.INTERNATIONAL_ORGANISATION, "igo": Category.INTERNATIONAL_ORGANISATION,
    "organisation": Category.INTERNATIONAL_ORGANISATION, "organization": Category.INTERNATIONAL_ORGANISATION,
    "ngo": Category.NGO, "ngos": Category.NGO, "civil society": Category.NGO,
    "non-governmental organisation": Category.NGO, "non-governmental organization": Category.NGO,
}

_COLUMN_ALIASES = {
    "email": "email", "e-mail": "email", "email address": "email", "correo": "email", "courriel": "email",
    "name": "name", "full name": "name", "nombre": "name", "nom": "name",
    "honorific": "honorific", "title": "honorific", "salutation": "honorific", "tratamiento": "honorific",
    "organisation": "organisation", "organization": "organisation", "mission": "organisation",
    "entity": "organisation", "organismo": "organisation",
    "language": "language", "lang": "language", "idioma": "language", "langue": "language",
    "category": "category", "type": "category", "categoría": "category", "categorie": "category",
    "catégorie": "category",
}
REQUIRED_COLUMNS = ("email", "name", "organisation", "language", "category")


@dataclass(frozen=True)
class Invitee:
    email: str
    name: str
    organisation: str
    language: str
    category: Category
    honorific: str = ""

    @property
    def addressed_as(self) -> str:
        """How a letter greets them: 'H.E. Ms Ana Pérez' or just the name."""
        return f"{self.honorific} {self.name}".strip()


@dataclass(frozen=True)
class InviteeFile:
    """An invitee list read and checked: the good rows, and every problem with the bad ones."""

    invitees: list[Invitee]
    problems: list[Problem]
    rows: int  # data rows read (blank rows not counted)

    def required(self) -> list[Invitee]:
        """All rows or none: the invitees, or InvalidFile listing every problem."""
        if self.problems:
            raise InvalidFile(self.problems)
        return self.invitees


def load_invitees(path: str | Path, meeting: Meeting) -> list[Invitee]:
    """Every invitee of a CSV or Excel (.xlsx) list; any bad row rejects the whole file."""
    return read_invitee_file(path, meeting).required()


def read_invitee_file(path: str | Path, meeting: Meeting) -> InviteeFile:
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return check_rows(_xlsx_rows(path), meeting, str(path))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidFile([Problem(str(path), line, "(encoding)",
                                   "not UTF-8: save the sheet as 'CSV UTF-8 (comma delimited)' or as .xlsx")]) from exc
    return check_rows(_csv_rows(text), meeting, str(path))


def parse_invitees(text: str, meeting: Meeting, filename: str = "invitees.csv") -> list[Invitee]:
    """All rows or none: any bad row rejects the whole file, listing every problem found."""
    return check_rows(_csv_rows(text), meeting, filename).required()


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for row in reader:
        yield reader.line_num, row


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows with their row numbers, as the organiser sees them in Excel."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException for a damaged file
        raise InvalidFile([Problem(str(path), 1, "(file)", f"not a readable .xlsx workbook ({exc})")]) from exc
    try:
        sheet = book.worksheets[0]
        number = 0
        for cells in sheet.iter_rows():
            # a workbook may leave blank rows out entirely: take each row's own number, as Excel shows it
            number = next((c.row for c in cells if getattr(c, "row", None)), number + 1)
            yield number, [_cell(c.value) for c in cells]
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_rows(rows: Iterable[tuple[int, list[str]]], meeting: Meeting, filename: str) -> InviteeFile:
    """Check every row: bad or duplicate emails, unknown language or category, missing names."""
    problems: list[Problem] = []
    iterator = iter(rows)
    first = next(iterator, None)
    header = first[1] if first else None
    if not header or not any(h.strip() for h in header):
        raise InvalidFile([Problem(filename, 1, "(header)", "the file is empty; expected a header row: "
                                   + ", ".join(REQUIRED_COLUMNS))])
    columns = [_COLUMN_ALIASES.get(h.strip().lower(), "") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        found = ", ".join(h for h in header if h)
        raise InvalidFile([Problem(filename, first[0] if first else 1, "(header)",
                                   f"missing column(s) {', '.join(missing)}; found {found}")])
    invitees: list[Invitee] = []
    first_row: dict[str, int] = {}
    count = 0
    for line, row in iterator:
        if not any(cell.strip() for cell in row):
            continue
        count += 1
        values = {col: cell.strip() for col, cell in zip(columns, row, strict=False) if col}
        row_problems = list(_check_row(values, meeting, filename, line))
        email = normalise_address(values.get("email", ""))
        if email and email in first_row:
            row_problems.append(Problem(filename, line, "email",
                                        f"{email} is already listed on line {first_row[email]}"))
        problems.extend(row_problems)
        if row_problems:
            continue
        first_row[email] = line
        invitees.append(Invitee(
            email=email, name=values["name"], organisation=values["organisation"],
            language=values["language"].lower(), category=_CATEGORY_ALIASES[values["category"].lower()],
            honorific=values.get("honorific", ""),
        ))
    if not count:
        raise InvalidFile([Problem(filename, 2, "(rows)", "no invitees in the file")])
    return InviteeFile(invitees, problems, count)


def _check_row(values: dict[str, str], meeting: Meeting, filename: str, line: int) -> Iterable[Problem]:
    for column, value in values.items():
        if has_control_characters(value):
            yield Problem(filename, line, column, "contains a line break or control character")
    email = values.get("email", "")
    if not email:
        yield Problem(filename, line, "email", "is empty")
    elif not is_valid_address(email):
        yield Problem(filename, line, "email", f"{email!r} is not an email address")
    for column in ("name", "organisation"):
        if not values.get(column):
            yield Problem(filename, line, column, "is empty")
    language = values.get("language", "").lower()
    if language not in meeting.languages:
        yield Problem(filename, line, "language",
                      f"{values.get('language')!r} is not one of this meeting's languages "
                      f"({', '.join(meeting.languages)})")
    category = values.get("category", "").lower()
    if category not in _CATEGORY_ALIASES:
        yield Problem(filename, line, "category",
                      f"{values.get('category')!r} is not a category (state, international organisation, ngo)")
