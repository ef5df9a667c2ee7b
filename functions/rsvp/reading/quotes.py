"""Keep only what the sender wrote now.

Quoted lines ("> ") are dropped wherever they are, so top-posted, bottom-posted and inline answers
all survive. An attribution line ("On … wrote:", "El … escribió:", "Le … a écrit :", "Em … escreveu:",
"…于…写道：") is dropped with its quote. An Outlook/Lotus header block (From:/Sent:/To:/Subject: in
any of our languages), "Original Message" and "Forwarded message" separators end the new text:
what follows them is the earlier message, unquoted. Signatures and legal disclaimers are dropped.
"""

from __future__ import annotations

import re

_C = r"\s*[:：]"  # ASCII or full-width colon (Chinese and Japanese clients)
_ATTRIBUTION = re.compile(
    r"^(?:"
    r"on\b.{0,250}\bwrote" + _C + r"|"
    r"el\b.{0,250}\bescribi[oó]" + _C + r"|"
    r"le\b.{0,250}\ba [ée]crit" + _C + r"|"
    r"em\b.{0,250}\bescreveu" + _C + r"|"
    r"am\b.{0,250}\bschrieb.{0,80}" + _C + r"|"
    r".{0,250}\b(?:wrote|escribi[oó]|a [ée]crit|escreveu|schrieb|написал|написала|писал|كتب)" + _C + r"|"
    r".{0,250}(?:写道|寫道)" + _C +
    r")\s*$")
_ATTRIBUTION_START = re.compile(r"^(on|el|le|em|am)\b.{0,200}$")
_ATTRIBUTION_END = re.compile(r"(wrote|escribi[oó]|a [ée]crit|escreveu|schrieb|写道|寫道)\s*[:：]\s*$")
_SEPARATOR = re.compile(
    r"^[-=_*\s]*(original message|mensaje original|message d'origine|mensagem original|ursprüngliche nachricht|"
    r"исходное сообщение|原始邮件|邮件原件|الرسالة الأصلية|forwarded message|mensaje reenviado|message transf[ée]r[ée]|"
    r"mensagem encaminhada|weitergeleitete nachricht|пересылаемое сообщение|转发的邮件|رسالة معاد توجيهها|"
    r"begin forwarded message|d[ée]but du message r[ée]exp[ée]di[ée]|inicio del mensaje reenviado)[-=_*\s:]*$")
_HEADER_FIELD = re.compile(
    r"^\*?(from|de|von|da|van|от|发件人|寄件者|من|sent|enviado|envoy[ée]|gesendet|inviato|отправлено|发送时间|"
    r"傳送時間|أرسل|to|para|à|a|an|kepada|кому|收件人|إلى|cc|subject|asunto|objet|assunto|betreff|oggetto|тема|"
    r"主题|主旨|الموضوع|date|fecha|data|datum|дата|日期|التاريخ)\*?" + _C)
_FROM_FIELD = re.compile(r"^\*?(from|de|von|da|van|от|发件人|寄件者|من)\*?" + _C + r"\s*\S")
_SIGNATURE = re.compile(
    r"^(--|-- |__+|sent from my .*|sent from mail for windows.*|sent with .*|get outlook for .*|"
    r"enviado desde mi .*|enviado do meu .*|obtener outlook para .*|envoy[ée] de mon .*|envoy[ée] depuis .*|"
    r"von meinem .* gesendet|отправлено с .*|发自我的.*|从我的.*发送|أرسلت من .*)$")
_DISCLAIMER = re.compile(
    r"^(confidential(ity)?( notice)?\b|disclaimer\b|this (e-?mail|message|communication) (and any attachments? )?"
    r"(is|are|may|contains?)\b|the information (contained )?in this|aviso legal|aviso de confidencialidad|"
    r"este (correo|mensaje) (electr[oó]nico )?(y sus (anexos|adjuntos) )?(es|puede|contiene|se dirige)|"
    r"la informaci[oó]n contenida|ce (message|courriel|e-?mail) (et (ses|toutes les) pi[eè]ces jointes )?"
    r"(est|peut|contient)|avertissement|esta mensagem|please consider the environment|"
    r"before printing|antes de imprimir|avant d'imprimer)")
_QUOTED = re.compile(r"^\s*(>|\|(?!\s*\w+\s*\|))")


# Lines looked at: the answer is at the top, or under the quoted lines it answers. Our longest text has 320 lines;
# a reply under 10,000 lines of quoted thread is not one anybody wrote (and each line costs ~2 µs).
MOST_LINES = 10_000


def new_text(text: str, limit: int | None = None) -> str:
    """The sender's own words in a reply (about the first `limit` characters of them, cut at a line's end; a
    line longer than `limit` is read that far), among its first MOST_LINES lines. Lines are split only as far as
    they are read."""
    lines = _Lines(text, limit if limit is not None else len(text) + 1)
    kept: list[str] = []
    in_signature = False
    index = 0
    room = limit if limit is not None else len(text) + 1
    split = lines.lines  # (read directly while split: a call per line costs more than reading it)
    while index < MOST_LINES and room > 0:
        line = split[index] if index < len(split) else lines.get(index)
        if line is None:
            break
        line, step = _wrapped_attribution(lines, index, line)
        stripped = line.strip()
        if _QUOTED.match(line):
            in_signature = False  # a signature ends where the quote resumes (inline answers)
            index += step
            continue
        low = stripped.lower()  # every pattern here is lower-case (re.I costs several times more)
        if low.endswith((":", "：")) and _ATTRIBUTION.match(low):
            if not _quote_follows(lines, index + step):
                break  # the earlier message follows unquoted
            index += step
            continue
        if low and (_SEPARATOR.match(low) or _header_block_starts(lines, index, low)):
            break
        if low and (_SIGNATURE.match(low) or _DISCLAIMER.match(low)):
            in_signature = True
        if not in_signature:
            kept.append(line.rstrip())
            room -= len(line) + 1
        index += step
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


_LINE_END = re.compile(r"\r\n?|\n")
_CHUNK = 8192  # characters split at once: most texts whole


class _Lines:
    """The lines of a text (ended by LF, CRLF or CR), each at most `width` characters, split as they are asked
    for, a few kilobytes at a time: a reply is read from its top, and only so far (a line of megabytes is split
    off alone, and only its first `width` characters are kept)."""

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = width
        self.lines: list[str] = []
        self.at = 0  # where the next line starts; past the end when every line is split

    def get(self, index: int) -> str | None:
        while len(self.lines) <= index and self.at <= len(self.text):
            self._split_more()
        return self.lines[index] if index < len(self.lines) else None

    def _split_more(self) -> None:
        text, at, width = self.text, self.at, self.width
        end = text.find("\n", at + _CHUNK)  # a chunk ends with a line feed, so no CRLF is cut in two
        last = end < 0
        if (len(text) if last else end) - at > 4 * _CHUNK:  # a very long line in it
            found = _LINE_END.search(text, at)
            stop = found.start() if found else len(text)
            self.lines.append(text[at:min(stop, at + width)])
            self.at = found.end() if found else len(text) + 1
            return
        lines = (text[at:] if last else text[at:end + 1]).replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if not last:
            lines.pop()  # the empty string after the chunk's last line feed: the next chunk starts there
        self.lines += lines if max(map(len, lines)) <= width else [line[:width] for line in lines]
        self.at = len(text) + 1 if last else end + 1

    def following(self, start: int, count: int) -> list[str]:
        """Up to `count` lines from `start`."""
        out = []
        for index in range(start, start + count):
            line = self.get(index)
            if line is None:
                break
            out.append(line)
        return out


def _quote_follows(lines: _Lines, start: int) -> bool:
    for line in lines.following(start, 4):
        if line.strip():
            return bool(_QUOTED.match(line))
    return True  # nothing follows: the attribution was the last line


def _header_block_starts(lines: _Lines, index: int, low: str) -> bool:
    """An Outlook or Lotus header block: From: followed by two more header fields (Sent/To/Subject…)."""
    if not _FROM_FIELD.match(low):
        return False
    following = [line.strip().lower() for line in lines.following(index + 1, 6) if line.strip()]
    return sum(bool(_HEADER_FIELD.match(line)) for line in following[:5]) >= 2


def _wrapped_attribution(lines: _Lines, index: int, line: str) -> tuple[str, int]:
    """Gmail and Thunderbird wrap a long 'On … wrote:' over two or three lines: the line at `index` with
    those it continues into, and how many lines that is."""
    low = line.strip().lower()
    if low[:2] not in _ATTRIBUTION_OPENINGS or not _ATTRIBUTION_START.match(low) or _ATTRIBUTION_END.search(
            line.lower()):
        return line, 1
    for extra in (1, 2):
        parts = lines.following(index, extra + 1)
        candidate = " ".join(part.strip() for part in parts)
        if len(parts) == extra + 1 and _ATTRIBUTION_END.search(parts[extra].lower()) and len(candidate) < 400:
            return candidate, extra + 1
    return line, 1


_ATTRIBUTION_OPENINGS = frozenset({"on", "el", "le", "em", "am"})
