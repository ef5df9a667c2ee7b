"""HTML to text as a reader sees it: blocks become lines, quoted history (Gmail, Outlook, Apple Mail, Yahoo
containers) is marked as quoted, scripts and styles are dropped; linear in the input, whatever its shape."""

from __future__ import annotations

import bisect
import re
from array import array
from html import unescape

_BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "hr",
          "ul", "ol"}
_SKIP = {"style", "script", "head", "title"}
_QUOTE_CONTAINERS = ("gmail_quote", "divrplyfwdmsg", "appendonsend", "moz-cite-prefix", "yahoo_quoted",
                     "x_divrplyfwdmsg", "mail-quote")


class _TextExtractor:
    """What is read of HTML: text outside style/script/head/title and outside quoted earlier messages; block
    elements start lines, and the cells of a table row are one line, separated by tabs (as mail clients write a
    table's plain-text part). Fed by html_to_text's tokenizer (the same events html.parser gives, many times
    faster: html.parser steps through the markup in Python, this finds each tag with one regex search)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.skip_depth = 0
        self.quote_depth = 0
        self.stack: list[tuple[str, bool]] = []
        self.cells = 0  # cells opened in the current table row
        self.in_cell = 0  # inside a cell, paragraphs and breaks are spaces: the row stays one line

    def handle_starttag(self, tag: str, marker: str) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
        is_quote = bool(marker) and ((tag == "blockquote" and "cite" in marker) or any(
            c in marker for c in _QUOTE_CONTAINERS))
        if tag not in ("br", "hr", "img", "meta", "link", "input"):
            self.stack.append((tag, is_quote))
        if is_quote:
            self.quote_depth += 1
            self.out.append("\n> [quoted]\n")
        if tag in _BLOCK:
            self.out.append(" " if self.in_cell and tag not in ("tr", "table") else "\n")
        if tag == "tr":
            self.cells = 0
        elif tag in ("td", "th"):
            self.out.append("\t" if self.cells else "\n")
            self.cells += 1
            self.in_cell += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self.skip_depth:
            self.skip_depth -= 1
        while self.stack:
            open_tag, was_quote = self.stack.pop()
            if was_quote:
                self.quote_depth -= 1
            if open_tag in ("td", "th") and self.in_cell:
                self.in_cell -= 1
            if open_tag == tag:
                break
        if tag in ("tr", "table"):
            self.in_cell = 0
        if tag in _BLOCK:
            self.out.append(" " if self.in_cell else "\n")

    def handle_data(self, data: str) -> None:
        if self.skip_depth or self.quote_depth or not data:
            return
        self.out.append((unescape(data) if "&" in data else data).replace("\xa0", " "))


# Markup as html.parser reads it: comments, declarations and processing instructions (ignored), end tags, and
# start tags whose attribute values may hold ">" inside quotes. Each is matched where a "<" is, and a name or an
# attribute list, once read, is not read again shorter (possessive): a failed match costs a scan to the end of the
# text, never more.
_COMMENT_END = re.compile(r"--!?>")
_END_TAG = re.compile(r"</\s*([a-zA-Z][^\t\n\r\f />\x00]*+)[^>]*+>")
_START_TAG = re.compile(r"<([a-zA-Z][^\t\n\r\f />\x00]*+)((?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)>")
_TAG_NAME = re.compile(r"[a-zA-Z][^\t\n\r\f />\x00]*+")
_TAG_SPECIALS = re.compile(r"[>\"']")
_ATTRIBUTE = re.compile(r"((?<=['\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|\"[^\"]*\"|(?!['\"])[^>\s]*))?")
_MARKED_BY = ("class", "id", "type")


def html_to_text(html: str) -> str:
    """The text of an HTML part, as _TextExtractor reads it; in time linear in the length of the markup."""
    reader = _TextExtractor()
    tags = _Tags(html)
    at = 0  # where the text not yet handed to the reader starts
    pos = 0  # where to look for the next "<"
    while (lt := html.find("<", pos)) >= 0:
        pos = lt + 1
        token = tags.token(lt)
        if token is None:
            continue
        end, end_tag, start_tag, attributes = token
        reader.handle_data(html[at:lt])
        at = pos = end
        if end_tag:
            reader.handle_endtag(end_tag.lower())
        elif start_tag:
            tag = start_tag.lower()
            marker = " ".join(_attribute_value(m.group(3)) for m in _ATTRIBUTE.finditer(attributes)
                              if m.group(1).lower() in _MARKED_BY).lower() if "=" in attributes else ""
            reader.handle_starttag(tag, marker)
            if attributes.endswith("/"):  # <br/>: a start and an end
                reader.handle_endtag(tag)
            elif tag in ("script", "style"):  # raw text up to the closing tag
                close = re.compile(rf"</{tag}\s*>", re.I).search(html, at)
                at = pos = close.start() if close else len(html)
    reader.handle_data(html[at:])
    text = "".join(reader.out)
    lines = ["\t".join(" ".join(cell.split()) for cell in line.split("\t")).strip("\t ") for line in
             text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _Tags:
    """The markup token at each "<" of a text, in time linear in the text over all the "<" asked about.

    A start tag ends at the first ">" outside quotes; when there is none, matching it scans to the end of the
    text, and so would every "<" after it ("<a <a <a …" unclosed, 9.6 s for 20 MB). After the first such failure
    start tags are found by a walk over the positions of ">" and quotes, the end of each walk remembered for
    every position it went through (two arrays of 4-byte positions: memory a few times the text's length)."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.last_close = html.rfind(">")  # no tag ends after it: a "<" past it starts none
        self.specials: array[int] | None = None  # positions of > " and ', ascending (once a start tag failed)
        self.ends = array("i")  # for each of them, where a walk through it ends: -1 never, -2 not known yet
        self.name_end = (-1, -1)  # the last name-end query: (from, found)

    def token(self, lt: int) -> tuple[int, str | None, str | None, str] | None:
        """(where it ends, end tag name, start tag name, attributes) of the markup at html[lt] ("<"), or None
        when the "<" is text."""
        html = self.html
        after = html[lt + 1:lt + 2]
        if after == "!":
            if html.startswith("!--", lt + 1):
                close = _COMMENT_END.search(html, lt + 4)
                return (close.end() if close else len(html)), None, None, ""
            return self._to_close(lt + 2), None, None, ""
        if after == "?":
            return self._to_close(lt + 2), None, None, ""
        if lt > self.last_close:
            return None
        if after == "/":
            found = _END_TAG.match(html, lt)
            return (found.end(), found.group(1), None, "") if found else None
        if not after.isascii() or not after.isalpha():
            return None
        if self.specials is None:
            found = _START_TAG.match(html, lt)
            if found is not None:
                return found.end(), None, found.group(1), found.group(2)
            self.specials = array("i", map(re.Match.start, _TAG_SPECIALS.finditer(html)))
            self.ends = array("i", [-2]) * len(self.specials)
        name_end = self._name_end(lt + 1)
        end = self._walk(self.specials, name_end)
        if end < 0:
            return None
        return end, None, html[lt + 1:name_end], html[name_end:end - 1]

    def _to_close(self, start: int) -> int:
        close = self.html.find(">", start)
        return close + 1 if close >= 0 else len(self.html)

    def _name_end(self, start: int) -> int:
        """Where the tag name from `start` ends (asked for ascending starts: the last answer is reused)."""
        asked, found = self.name_end
        if not asked <= start <= found:
            found = _TAG_NAME.match(self.html, start).end()  # type: ignore[union-attr]  # a letter is there
            self.name_end = (start, found)
        return found

    def _walk(self, specials: array[int], start: int) -> int:
        """Where a start tag whose attributes begin at `start` ends (after its ">"), or -1 if it never does: from
        each special character outside quotes, a ">" ends it, a quote jumps past its closing quote."""
        ends, html = self.ends, self.html
        path = array("i")
        index = bisect.bisect_left(specials, start)
        while True:
            if index == len(specials):
                end = -1
                break
            if ends[index] != -2:
                end = ends[index]
                break
            path.append(index)
            special = specials[index]
            char = html[special]
            if char == ">":
                end = special + 1
                break
            closing = html.find(char, special + 1)
            if closing < 0:
                end = -1
                break
            index = bisect.bisect_left(specials, closing + 1)
        for known in path:
            ends[known] = end
        return end


def _attribute_value(value: str | None) -> str:
    if not value:
        return ""
    if value[:1] == value[-1:] and value[:1] in ("'", '"') and len(value) > 1:
        value = value[1:-1]
    return unescape(value)
