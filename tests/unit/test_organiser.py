"""What organisers do by hand, as specifications on the in-memory fakes: manual answers, the review queue,
the participants list, the status figures, invitee files, and the digest they read."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from rsvp.domain.errors import InvalidFile
from rsvp.domain.invitees import load_invitees, read_invitee_file
from rsvp.domain.meeting import Meeting
from rsvp.domain.rsvp import Delivery, Outcome, Status
from rsvp.participants import PARTICIPANT_COLUMNS, participant_rows, write_participants
from rsvp.usecases.organiser import Conflict, NotFound, Organiser, OrganiserError
from tests.support import reply
from tests.unit.test_desk import CANADA, World, at, world  # noqa: F401 - the shared fixture

PERU = "desarme@mission-peru.example.org"
ICRC = "geneve@icrc.example.org"


@pytest.fixture
def organiser(world: World) -> Organiser:  # noqa: F811 - pytest fixture injection
    return world.desk.organiser("ana.registrar")


# ---------------------------------------------------------------------- manual answers


def test_a_manual_answer_is_recorded_with_who_set_it_and_why(world: World, organiser: Organiser) -> None:  # noqa: F811
    entry = organiser.set_answer(world.meeting.id, CANADA, "accept", sessions=["day2"],
                                 attendees=["H.E. Ambassador Jane Whitfield", "Mr Tom Reed"], note="phone call",
                                 now=at(20, 10))

    record = world.repo.get_invitee(world.meeting.id, CANADA)
    assert record is not None and record.state.answer is not None
    assert record.state.answer.status is Status.ACCEPTED and record.state.answer.source == "organiser"
    assert record.state.answer.sessions == ("day2",) and record.state.answer.attendee_count == 2
    assert (entry.actor, entry.source, entry.status_before, entry.status_after) == (
        "ana.registrar", "organiser", Status.PENDING, Status.ACCEPTED)
    assert "phone call" in entry.reasons
    assert organiser.history(world.meeting.id, CANADA) == [entry]


def test_a_reply_written_after_a_manual_answer_replaces_it_but_not_one_written_before(
        world: World, organiser: Organiser) -> None:  # noqa: F811
    organiser.set_answer(world.meeting.id, CANADA, "decline", now=at(20, 10))
    older = reply(sender=CANADA, to=world.to(CANADA), body="We will attend.", written=at(20, 9))
    assert world.arrive(older, at(20, 11)) is Outcome.SUPERSEDED
    assert world.status(CANADA) == "declined"

    newer = reply(sender=CANADA, to=world.to(CANADA), body="We will attend after all.", written=at(21, 9))
    assert world.arrive(newer, at(21, 9)) is Outcome.RECORDED
    assert world.status(CANADA) == "accepted"
    assert [h.source for h in organiser.history(world.meeting.id, CANADA)] == ["organiser", "reply", "reply"]


def test_manual_answers_refuse_what_cannot_be_right(world: World, organiser: Organiser) -> None:  # noqa: F811
    with pytest.raises(NotFound, match="not an invitee"):
        organiser.set_answer(world.meeting.id, "someone@else.org", "accept", now=at(20, 10))
    with pytest.raises(OrganiserError, match="unknown session"):
        organiser.set_answer(world.meeting.id, CANADA, "accept", sessions=["day9"], now=at(20, 10))
    with pytest.raises(OrganiserError, match="not an answer"):
        organiser.set_answer(world.meeting.id, CANADA, "maybe-later", now=at(20, 10))
    with pytest.raises(NotFound, match="no meeting"):
        organiser.set_answer("no-such-meeting", CANADA, "accept", now=at(20, 10))
    assert world.status(CANADA) == "pending" and not world.repo.history


def test_a_manual_answer_can_be_confirmed_to_the_invitee(world: World, organiser: Organiser) -> None:  # noqa: F811
    organiser.set_answer(world.meeting.id, CANADA, "accept", attendees=["Ms Jane Whitfield"], notify=True,
                         now=at(20, 10))
    assert world.mailer.kinds(CANADA) == ["confirmation"]
    assert "Jane Whitfield" in world.mailer.sent[-1].text


# ---------------------------------------------------------------------- review queue


def test_a_review_item_from_an_unknown_sender_is_settled_for_the_invitee_named(
        world: World, organiser: Organiser) -> None:  # noqa: F811
    stranger = reply(sender="assistant@gmail.example.com", to=world.meeting.mailbox,
                     body="Excmo. Sr. Luis Ugarelli will attend on behalf of the Mission of Peru.", written=at(20, 9))
    assert world.arrive(stranger, at(20, 9)) is Outcome.UNKNOWN_SENDER
    [item] = organiser.review_queue(world.meeting.id)
    assert item.email is None and item.intent == "accept" and item.attendees == ("Excmo. Sr. Luis Ugarelli",)

    with pytest.raises(OrganiserError, match="--invitee"):
        organiser.settle_review(world.meeting.id, item.id, "accept", now=at(20, 12))
    settled = organiser.settle_review(world.meeting.id, item.id[:6], "accept", email=PERU, now=at(20, 12))

    assert settled.resolved and settled.resolved_by == "ana.registrar" and PERU in settled.resolution
    assert organiser.review_queue(world.meeting.id) == []
    record = world.repo.get_invitee(world.meeting.id, PERU)
    assert record is not None and record.state.answer is not None
    assert record.state.answer.attendees == ("Excmo. Sr. Luis Ugarelli",), "the reader's names are kept"
    [entry] = organiser.history(world.meeting.id, PERU)
    assert entry.message_key == item.message_key, "the history points at the message that was reviewed"
    with pytest.raises(Conflict, match="already settled"):
        organiser.settle_review(world.meeting.id, item.id, "dismiss", now=at(20, 13))


def test_dismissing_a_review_item_changes_no_answer(world: World, organiser: Organiser) -> None:  # noqa: F811
    unclear = reply(sender=CANADA, to=world.to(CANADA), written=at(20, 9),
                    body="Thank you for the invitation. Is interpretation into French provided?")
    assert world.arrive(unclear, at(20, 9)) is Outcome.UNCLEAR
    [item] = organiser.review_queue(world.meeting.id)
    organiser.settle_review(world.meeting.id, item.id, "dismiss", note="they will write again", now=at(20, 12))
    assert world.status(CANADA) == "pending"
    assert organiser.review_queue(world.meeting.id) == []
    [settled] = organiser.review_queue(world.meeting.id, include_settled=True)
    assert settled.resolution == "dismiss — they will write again"
    with pytest.raises(NotFound):
        organiser.settle_review(world.meeting.id, "ffffffff", "dismiss", now=at(20, 12))


# ---------------------------------------------------------------------- participants and status


def test_the_participants_list_has_a_row_per_attendee_with_titles_apart(
        world: World, organiser: Organiser) -> None:  # noqa: F811
    organiser.set_answer(world.meeting.id, CANADA, "accept", attendees=["H.E. Ambassador Jane Whitfield",
                                                                        "Counsellor Tom Reed"], now=at(20, 10))
    organiser.set_answer(world.meeting.id, ICRC, "accept", count=2, sessions=["day1"], now=at(20, 10))
    organiser.set_answer(world.meeting.id, PERU, "decline", now=at(20, 10))

    rows = organiser.participants(world.meeting.id)
    assert [(r.organisation, r.title, r.name) for r in rows] == [
        ("Permanent Mission of Canada", "H.E. Ambassador", "Jane Whitfield"),
        ("Permanent Mission of Canada", "Counsellor", "Tom Reed"),
        ("Comité international de la Croix-Rouge", "", ""),
        ("Comité international de la Croix-Rouge", "", ""),
    ], "States first, then international organisations; declined delegations are not participants"
    assert rows[0].sessions == ("day1", "day2") and rows[2].sessions == ("day1",)
    assert rows[3].note == "name not given (2 of 2)"
    with_tentative = organiser.participants(world.meeting.id, [Status.ACCEPTED, Status.DECLINED])
    assert len(with_tentative) == len(rows) + 0, "a declined answer has no attendees to list"


def test_exports_are_spreadsheet_safe(world: World, meeting: Meeting) -> None:  # noqa: F811
    record = world.repo.get_invitee(meeting.id, CANADA)
    assert record is not None
    world.desk.organiser("x").set_answer(meeting.id, CANADA, "accept", attendees=["=HYPERLINK(\"http://x\")"],
                                          now=at(20, 10))
    rows = participant_rows(meeting, world.repo.list_invitees(meeting.id))
    text = write_participants(rows, "csv").decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert tuple(parsed[0]) == PARTICIPANT_COLUMNS
    assert parsed[1][3].startswith("'="), "a formula from a reply must stay text"

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(write_participants(rows, "xlsx"))).active
    assert [c.value for c in sheet[1]] == list(PARTICIPANT_COLUMNS)
    assert sheet.cell(row=2, column=4).value.startswith("'=")


def test_status_counts_per_category_and_session(world: World, organiser: Organiser) -> None:  # noqa: F811
    organiser.set_answer(world.meeting.id, CANADA, "accept", attendees=["Ms A", "Mr B"], sessions=["day1"],
                         now=at(20, 10))
    organiser.set_answer(world.meeting.id, ICRC, "accept", now=at(20, 10))
    organiser.set_answer(world.meeting.id, PERU, "tentative", now=at(20, 10))
    world.repo.set_delivery(world.meeting.id, "info@halotrust.example.org", Delivery.UNDELIVERABLE, "bounce",
                            at(20, 10))

    report = organiser.status(world.meeting.id, at(20, 12))
    assert report.by_category["state"]["accepted"] == 1 and report.by_category["state"]["tentative"] == 1
    assert report.by_category["international_organisation"]["accepted"] == 1
    assert report.totals["pending"] == 9 and report.attendees == 3
    assert report.sessions == {"day1": {"delegations": 2, "attendees": 3}, "day2": {"delegations": 1, "attendees": 1}}
    assert report.delivery["undeliverable"] == 1
    assert report.to_json()["totals"] == {"pending": 9, "accepted": 2, "declined": 0, "tentative": 1}


# ---------------------------------------------------------------------- invitee files


HEADER = "email,name,organisation,language,category,honorific\n"


def test_every_bad_row_is_reported_with_its_line_and_field(tmp_path: Path, meeting: Meeting) -> None:
    path = tmp_path / "list.csv"
    path.write_text(HEADER + "a@mission.org,Ana,Mission A,es,state,Sra.\n"
                    "not-an-address,Bo,Mission B,en,state,\n"
                    "c@mission.org,,Mission C,xx,club,\n"
                    "A@Mission.org,Ana again,Mission A,es,state,\n", encoding="utf-8")
    checked = read_invitee_file(path, meeting)
    assert [i.email for i in checked.invitees] == ["a@mission.org"]
    assert [(p.line, p.field) for p in checked.problems] == [
        (3, "email"), (4, "name"), (4, "language"), (4, "category"), (5, "email")]
    assert "already listed on line 2" in str(checked.problems[-1])
    with pytest.raises(InvalidFile):
        load_invitees(path, meeting)


def test_an_excel_list_is_read_with_the_row_numbers_excel_shows(tmp_path: Path, meeting: Meeting) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["E-mail", "Name", "Organization", "Language", "Type", "Title"])
    sheet.append(["ana@mission.org", "Ana Pérez", "Mission A", "ES", "Permanent Mission", "Excma. Sra."])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["bo@mission", "Bo", "Mission B", "en", "ngo", None])
    sheet.append(["cy@igo.org", "Cy", "IGO", "fr", "IO", None])
    path = tmp_path / "list.xlsx"
    book.save(path)

    checked = read_invitee_file(path, meeting)
    assert [(i.email, i.language, i.category.value, i.honorific) for i in checked.invitees] == [
        ("ana@mission.org", "es", "state", "Excma. Sra."), ("cy@igo.org", "fr", "international_organisation", "")]
    assert [(p.line, p.field) for p in checked.problems] == [(4, "email")], "row 4 in Excel, after a blank row"


def test_a_damaged_workbook_is_one_clear_problem(tmp_path: Path, meeting: Meeting) -> None:
    path = tmp_path / "list.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InvalidFile) as raised:
        read_invitee_file(path, meeting)
    assert "not a readable .xlsx workbook" in str(raised.value.problems[0])


# ---------------------------------------------------------------------- the digest organisers read


def test_a_quiet_day_is_one_line_and_a_busy_day_has_everything(world: World, organiser: Organiser) -> None:  # noqa: F811
    world.clock.current = at(19, 9)
    world.desk.digests.run()
    world.clock.current = at(20, 9)
    world.desk.digests.run()
    first, quiet = [e for e in world.mailer.sent if e.kind == "digest"]
    assert len(quiet.text.strip().splitlines()) == 1 and quiet.text.startswith("No change since the last digest")
    assert "Answers per day" in first.text and first.attachments[0].filename.endswith(".csv")

    organiser.set_answer(world.meeting.id, CANADA, "accept", attendees=["Ms Jane Whitfield"], now=at(3, 10, month=2))
    late = reply(sender=PERU, to=world.to(PERU), body="Asistiremos.", written=at(9, 9, month=2))
    world.arrive(late, at(9, 9, month=2))
    world.clock.current = at(9, 10, month=2)
    world.desk.digests.run()
    busy = [e for e in world.mailer.sent if e.kind == "digest"][-1]
    assert "Late replies" in busy.text and PERU in busy.text.split("Late replies")[1]
    assert "ana.registrar" in busy.text, "a manual change says who made it"
    chart = busy.text.split("Answers per day (last 14 days)")[1].split("Participants list attached")[0]
    chart = chart.strip().splitlines()
    assert len(chart) == 14 and chart[0].split()[:3] == ["Wed", "27", "Jan"] and chart[-1].split()[:3] == [
        "Tue", "9", "Feb"], "the last 14 days, up to today"
    assert [line.split()[3] for line in chart].count("1") == 1 and "Wed 3 Feb" in next(
        line for line in chart if "█" in line)
    assert 'width="240" height="12" bgcolor="#2f6fb3"' in busy.html, "a table-cell bar: no image, no script"
    assert "<img" not in busy.html and "<script" not in busy.html
    rows = busy.attachments[0].data.decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and "Jane Whitfield" in rows[1]


def test_the_pending_list_is_capped_and_the_rest_is_counted(world: World) -> None:  # noqa: F811
    from rsvp.usecases.digests import Digest

    records = world.repo.list_invitees(world.meeting.id)
    many = [replace(records[0], invitee=replace(records[0].invitee, email=f"p{i:04d}@m.org")) for i in range(250)]
    digest = Digest.build(world.meeting, many, [], [], at(20, 9), None)
    context = digest.context("en")
    assert len(context["pending"]) == Digest.PENDING_SHOWN and context["pending_more"] == 150
    assert context["pending_total"] == 250
