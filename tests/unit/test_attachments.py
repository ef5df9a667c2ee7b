"""Notes verbales attached as PDF or DOCX: read as the body is, within bounds; what cannot be read says why."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from email.policy import SMTP
from xml.sax.saxutils import escape

import pytest

from rsvp.domain.meeting import Meeting
from rsvp.reading import read_message
from rsvp.reading.attachments import ATTACHMENT_BYTES, Attachment, read_attachments
from rsvp.reading.mime import parse_message

TO = "registration+k3v9q2m7x8w4p6ta@minefree-americas.example.org"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pdf(*lines: str) -> bytes:
    """A one-page PDF whose text is `lines` (Helvetica, Latin-1), as a word processor's export holds it."""
    stream = "BT /F1 11 Tf 72 760 Td 14 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines) + " ET"
    body = stream.encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write(b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets))
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def scanned_pdf() -> bytes:
    """A page with an image and no text, as a scanner makes it."""
    return pdf().replace(b"BT /F1 11 Tf 72 760 Td 14 TL  ET", b"q 595 0 0 842 0 0 cm Q")


def docx(*paragraphs: str, table: list[list[str]] | None = None, prolog: str = "") -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    if table:
        body += "<w:tbl>" + "".join(
            "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{escape(c)}</w:t></w:r></w:p></w:tc>" for c in row) + "</w:tr>"
            for row in table) + "</w:tbl>"
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
           f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def message(body: str, *files: tuple[str, str, bytes]) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = "Mission <mission@gov.example.org>", TO, "RE: Invitation"
    msg.set_content(body)
    for name, ctype, data in files:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def test_a_note_verbale_in_a_pdf_is_read_as_the_body(meeting: Meeting) -> None:
    note = pdf("The Permanent Mission of Norway presents its compliments and has the honour to confirm",
               "that its delegation to the Dialogue will be composed of:",
               "Ms. Ingrid Solheim, Counsellor", "Mr. Lars Berg, Second Secretary")
    reading = read_message(message("Please find attached our note verbale.", ("NV 12-21.pdf", "application/pdf", note)),
                           meeting)
    assert reading.intent is not None and reading.intent.value == "accept"
    assert reading.attendee_count == 2
    assert [a.split(",")[0] for a in reading.attendees] == ["Ms. Ingrid Solheim", "Mr. Lars Berg"]
    assert any("NV 12-21.pdf" in r for r in reading.reasons), "the reading says the answer came from the file"
    assert "Ingrid Solheim" in reading.new_text, "the organiser sees the file's text in the review panel"


@pytest.mark.parametrize(("paragraphs", "intent", "count"), [
    (["La Misión Permanente del Perú tiene el honor de confirmar la participación del Excmo. Sr. Luis Ugarelli."],
     "accept", 1),
    (["La Mission permanente regrette de ne pouvoir participer à la Conférence."], "decline", 0),
    (["Постоянное представительство с сожалением информирует, что не имеет возможности направить представителя."],
     "decline", 0),
    (["تتشرف البعثة الدائمة بتأكيد مشاركة السيد أحمد علي في المؤتمر."], "accept", 1),
    (["我团将派王强参赞出席会议。"], "accept", 1),
    (["A Missão Permanente lamenta que compromissos anteriores impeçam a sua participação."], "decline", 0),
])
def test_a_docx_note_in_any_language_is_read(paragraphs: list[str], intent: str, count: int,
                                             meeting: Meeting) -> None:
    reading = read_message(message("Adjunto / ci-joint / attached.", ("nota.docx", DOCX, docx(*paragraphs))), meeting)
    assert (reading.intent.value if reading.intent else None, reading.attendee_count) == (intent, count)


def test_a_docx_table_of_delegates_names_them(meeting: Meeting) -> None:
    note = docx("Composition of the delegation:", table=[["Name", "Title"], ["Ms. Ana Ruiz", "Ambassador"],
                                                        ["Mr. Pablo Soto", "Counsellor"]])
    reading = read_message(message("Please find attached.", ("delegation.docx", DOCX, note)), meeting)
    assert reading.intent is not None and reading.intent.value == "accept"
    assert reading.attendee_count == 2


def test_a_scanned_pdf_goes_to_review_saying_so(meeting: Meeting) -> None:
    reading = read_message(message("Please find attached our note verbale.", ("scan.pdf", "application/pdf",
                                                                               scanned_pdf())), meeting)
    assert reading.intent is not None and reading.intent.value == "unclear"
    assert any("scanned PDF without text" in r for r in reading.reasons)


def test_the_body_answers_first_and_the_file_is_not_needed(meeting: Meeting) -> None:
    reading = read_message(message("We regret that we cannot attend.", ("programme.pdf", "application/pdf",
                                                                         pdf("Agenda of the Mission"))), meeting)
    assert reading.intent is not None and reading.intent.value == "decline"


@pytest.mark.parametrize(("data", "problem"), [
    (b"%PDF-1.4 garbage without objects", "could not be read"),
    (b"PK\x03\x04 not a zip", "could not be read"),
    (docx("x", prolog='<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]>'), "declaring entities"),
])
def test_a_broken_or_hostile_file_ends_in_a_reason(data: bytes, problem: str) -> None:
    kind = "application/pdf" if data.startswith(b"%PDF") else DOCX
    [read] = read_attachments([Attachment("f", kind, data)])
    assert read.text == "" and problem in read.problem


def test_files_past_the_bounds_are_not_opened() -> None:
    [read] = read_attachments([Attachment("big.pdf", "application/pdf", b"%PDF" + b"0" * ATTACHMENT_BYTES)])
    assert read.text == "" and "not opened" in read.problem


def test_a_pdf_sent_as_octet_stream_is_found_by_its_name() -> None:
    raw = message("See attached.", ("NV.PDF", "application/octet-stream", pdf("We confirm our participation.")))
    [found] = parse_message(raw).attachments
    assert found.content_type == "application/pdf" and found.filename == "NV.PDF"
