"""Invitee lists: all rows or none; every bad row named by line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from rsvp.domain.errors import InvalidFile
from rsvp.domain.invitees import Category, load_invitees, parse_invitees
from rsvp.domain.meeting import Meeting

HEADER = "email,name,honorific,organisation,language,category\n"


def test_the_seed_list_loads_with_normalised_categories(invitees: list) -> None:
    assert len(invitees) == 12
    assert {i.category for i in invitees} == set(Category)
    assert invitees[0].addressed_as == "Excmo. Sr. Luis Ugarelli"


def test_bad_rows_reject_the_whole_file_naming_line_and_field(meeting: Meeting) -> None:
    text = HEADER + (
        "ok@mission.example.org,Ana,Sra.,Misión,es,state\n"
        "not-an-address,Bob,Mr,Mission,en,state\n"
        "carl@ngo.example.org,,Mr,NGO,en,ngo\n"
        "dora@io.example.org,Dora,Dr,IO,de,international organisation\n"
        "eve@x.example.org,Eve,Ms,X,en,company\n"
        "OK@mission.example.org,Ana again,Sra.,Misión,es,state\n"
    )
    with pytest.raises(InvalidFile) as caught:
        parse_invitees(text, meeting, "list.csv")

    assert [str(p) for p in caught.value.problems] == [
        "list.csv:3: email: 'not-an-address' is not an email address",
        "list.csv:4: name: is empty",
        "list.csv:5: language: 'de' is not one of this meeting's languages (en, es, fr)",
        "list.csv:6: category: 'company' is not a category (state, international organisation, ngo)",
        "list.csv:7: email: ok@mission.example.org is already listed on line 2",
    ]


def test_a_missing_column_is_reported_on_the_header(meeting: Meeting) -> None:
    with pytest.raises(InvalidFile, match=r"list.csv:1: \(header\): missing column\(s\) category"):
        parse_invitees("email,name,organisation,language\na@b.example.org,A,B,en\n", meeting, "list.csv")


def test_excel_exports_load_bom_semicolons_and_aliases(meeting: Meeting, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffE-mail;Name;Title;Organization;Language;Type\r\n"
                     "x@mission.example.org;Xavier;M.;Mission;FR;Member State\r\n".encode())
    [invitee] = load_invitees(path, meeting)
    assert (invitee.email, invitee.honorific, invitee.language, invitee.category) == (
        "x@mission.example.org", "M.", "fr", Category.STATE)


def test_a_header_injection_attempt_in_a_name_is_refused(meeting: Meeting) -> None:
    with pytest.raises(InvalidFile, match="name: contains a line break"):
        parse_invitees(HEADER + '"a@b.example.org","Eve\rBcc: all@x.example.org",Ms,X,en,ngo\n', meeting, "l.csv")


def test_a_non_utf8_file_names_the_line(meeting: Meeting, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "a@b.example.org,Ana,Sra.,Misi\xf3n,es,state\n").encode("latin-1"))
    with pytest.raises(InvalidFile, match=r"latin1.csv:2: \(encoding\): not UTF-8"):
        load_invitees(path, meeting)
