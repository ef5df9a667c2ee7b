"""The text of attached notes verbales: PDF (pypdf) and DOCX (the document's XML, read with the standard library).

Missions often answer "Please find attached our note verbale", the answer and the delegation only in the file. Its
text is read as the body would be, within bounds: a few files, a few megabytes each, the first pages, a bounded
number of characters. What could not be read says why (a scanned PDF has no text: a person must read it), so the
reading goes to review with that reason, never to a guess.

DOCX is read without python-docx: a DOCX is a zip holding word/document.xml, and its paragraphs are the <w:p>
elements' <w:t> runs. The standard library reads that in a few lines, and the Lambda package stays free of lxml
(python-docx's compiled dependency, ~10 MB). A document declaring a DTD or entities is refused, so no entity
expansion can blow up.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree import ElementTree

ATTACHMENTS = 3  # files read per message
ATTACHMENT_BYTES = 5 * 2**20  # a file larger than this is not opened
PAGES = 3  # of a PDF: a note verbale is a page or two; pypdf takes ~25-150 ms a page
CHARACTERS = 20_000  # of text kept from all files together
_DOCX_XML_BYTES = 4 * 2**20  # word/document.xml, uncompressed

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_BY_EXTENSION = {".pdf": PDF, ".docx": DOCX}
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DECLARATIONS = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes = b""
    too_large: bool = False  # larger than ATTACHMENT_BYTES: not decoded at all
    # Or the data decoded when asked for: parsing keeps the part, and only mail whose attachment is read decodes it
    # (a megabyte of base64 costs milliseconds; most attachments are never read).
    load: Callable[[], bytes | None] | None = field(default=None, compare=False, repr=False)

    def content(self) -> bytes:
        if self.load is None:
            return self.data
        return self.load() or b""


@dataclass(frozen=True)
class AttachmentText:
    filename: str
    text: str  # "" when nothing could be read
    problem: str = ""  # why not, for the organiser: "a scanned PDF without text", "encrypted", …


def document_type(content_type: str, filename: str) -> str | None:
    """PDF or DOCX, by the part's type or, for application/octet-stream and the like, by the file's extension."""
    if content_type in (PDF, DOCX):
        return content_type
    lowered = filename.lower().strip()
    return next((kind for ext, kind in _BY_EXTENSION.items() if lowered.endswith(ext)), None)


def read_attachments(attachments: list[Attachment]) -> list[AttachmentText]:
    """Each attachment's text, in order, all together bounded to CHARACTERS."""
    out: list[AttachmentText] = []
    room = CHARACTERS
    for attachment in attachments[:ATTACHMENTS]:
        read = _read_one(attachment)
        text = read.text[:room]
        room -= len(text)
        out.append(AttachmentText(read.filename, text, read.problem))
    return out


def _read_one(attachment: Attachment) -> AttachmentText:
    name = attachment.filename or "attachment"
    data = b"" if attachment.too_large else attachment.content()
    if attachment.too_large or len(data) > ATTACHMENT_BYTES:
        return AttachmentText(name, "", f"larger than {ATTACHMENT_BYTES // 2**20} MiB: not opened")
    try:
        if document_type(attachment.content_type, name) == PDF:
            return _pdf(name, data)
        return _docx(name, data)
    except Exception as exc:  # a hostile or broken file ends in a reason, never in a failed message
        logger.info("attachment not read", extra={"attachment": name, "error": type(exc).__name__})
        return AttachmentText(name, "", f"could not be read ({type(exc).__name__})")


def _pdf(name: str, data: bytes) -> AttachmentText:
    from pypdf import PdfReader  # imported on use: most mail has no attachment

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a broken file's warnings are our reason, not log noise

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        return AttachmentText(name, "", "an encrypted PDF")
    pages = []
    for page in reader.pages[:PAGES]:
        pages.append(page.extract_text() or "")
        if sum(map(len, pages)) >= CHARACTERS:
            break
    text = _tidy("\n".join(pages))
    if not re.search(r"\w{2}", text):
        return AttachmentText(name, "", "a scanned PDF without text: a person must read it")
    return AttachmentText(name, text)


def _docx(name: str, data: bytes) -> AttachmentText:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("word/document.xml")
        if info.file_size > _DOCX_XML_BYTES:
            return AttachmentText(name, "", "a document too large to read")
        xml = archive.read(info)
    if _DECLARATIONS.search(xml[:4096]):
        return AttachmentText(name, "", "a document declaring entities: not read")
    root = ElementTree.fromstring(xml)  # noqa: S314  # no DTD or entity declarations (checked above)
    body = root.find(f"{_W}body")
    paragraphs: list[str] = []
    for block in (body if body is not None else root):
        if block.tag == f"{_W}tbl":  # a table: one line per row, its cells apart by tabs (as the HTML reader does)
            for row in block.iter(f"{_W}tr"):
                cells = [" ".join(_runs(p) for p in cell.iter(f"{_W}p")) for cell in row.iter(f"{_W}tc")]
                paragraphs.append("\t".join(" ".join(c.split()) for c in cells))
        elif block.tag == f"{_W}p":
            paragraphs.append(_runs(block))
    text = _tidy("\n".join(paragraphs))
    if not text:
        return AttachmentText(name, "", "a document without text")
    return AttachmentText(name, text)


def _runs(paragraph: ElementTree.Element) -> str:
    out = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t" and node.text:
            out.append(node.text)
        elif node.tag == f"{_W}tab":
            out.append(" ")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
    return "".join(out)


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) if "\t" not in line else line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
