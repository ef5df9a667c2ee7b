"""Keep only what the sender wrote now: quoted replies, forwarded invitations and signatures go."""

from __future__ import annotations

import re

# A line that starts the quoted earlier message, in the clients and languages we meet.
_QUOTE_HEADERS = [
    r"^On\b.{0,200}\bwrote:\s*$",
    r"^El\b.{0,200}\bescribi[oó]:\s*$",
    r"^Le\b.{0,200}\ba [ée]crit\s?:\s*$",
    r"^Em\b.{0,200}\bescreveu:\s*$",
    r"^Am\b.{0,200}\bschrieb.{0,60}:\s*$",
    r"^.{0,120}\b(wrote|escribi[oó]|a [ée]crit|escreveu|написал\(?а?\)?|كتب):\s*$",
    r"^-{2,}\s*(Original Message|Mensaje original|Message d'origine|Mensagem original|Ursprüngliche Nachricht|"
    r"Исходное сообщение|原始邮件|الرسالة الأصلية)\s*-{2,}\s*$",
    r"^-{2,}\s*(Forwarded message|Mensaje reenviado|Message transféré|Mensagem encaminhada)\s*-{2,}\s*$",
    r"^_{10,}\s*$",
    r"^(From|De|Von|Från|От|发件人|من)\s*:\s*.+$",  # Outlook header block (checked with the next lines)
    r"^>\s*\[quoted\]\s*$",
    r"^\*?(From|De|Von)\s*:\*?\s",
    r"^Begin forwarded message:\s*$|^Début du message réexpédié\s*:\s*$|^Inicio del mensaje reenviado:\s*$",
]
_QUOTE_HEADER = re.compile("|".join(f"(?:{p})" for p in _QUOTE_HEADERS), re.I)
_OUTLOOK_FIELD = re.compile(
    r"^\*?(Sent|Enviado|Envoy[ée]|Gesendet|Date|Fecha|Data|Отправлено|发送时间|أرسل|To|Para|À|A|An|Subject|Asunto|"
    r"Objet|Assunto|Betreff|Тема|主题|الموضوع|Cc)\s*:", re.I)
_SIGNATURE_START = re.compile(
    r"^(--\s*|Sent from my .*|Enviado desde mi .*|Envoy[ée] de mon .*|Enviado do meu .*|Get Outlook for .*|"
    r"Obtener Outlook para .*|Von meinem .* gesendet|Sent from Mail for Windows.*|Sent with .*|"
    r"Отправлено с .*|发自我的.*)$", re.I)
_DISCLAIMER = re.compile(
    r"^(CONFIDENTIAL|DISCLAIMER|This (e-?mail|message) (and any attachments? )?(is|are|may be) "
    r"(confidential|intended)|The information contained in this|AVISO LEGAL|AVISO DE CONFIDENCIALIDAD|"
    r"Este (correo|mensaje) (electr[oó]nico )?(y sus anexos )?(es|puede|contiene)|Ce (message|courriel) "
    r"(et ses pi[eè]ces jointes )?(est|peut|contient)|AVERTISSEMENT|Esta mensagem)", re.I)


def new_text(text: str) -> str:
    """The part of a reply above the quoted history, without signatures' boilerplate."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if _starts_quote(lines, index):
            break
        if stripped.startswith(">"):
            index += 1
            continue
        if _SIGNATURE_START.match(stripped) or _DISCLAIMER.match(stripped):
            break
        kept.append(line.rstrip())
        index += 1
    result = "\n".join(kept).strip()
    return result


def _starts_quote(lines: list[str], index: int) -> bool:
    stripped = lines[index].strip()
    if not stripped or not _QUOTE_HEADER.match(stripped):
        return False
    if re.match(r"^\*?(From|De|Von|Från|От|发件人|من)\s*:", stripped, re.I):
        # An Outlook header block has Sent/To/Subject lines right after; a sentence starting
        # with "De:" does not.
        following = [line.strip() for line in lines[index + 1:index + 5] if line.strip()]
        return sum(bool(_OUTLOOK_FIELD.match(line)) for line in following) >= 2
    # "On Monday we will…" is a sentence; "On Mon, 18 Jan …, X wrote:" is a quote header.
    return not (re.match(r"^On\b|^El\b|^Le\b|^Em\b|^Am\b", stripped) and not re.search(
        r"(wrote|escribi[oó]|[ée]crit|escreveu|schrieb)", stripped, re.I))


def join_wrapped_quote_header(text: str) -> str:
    """Gmail wraps long 'On … wrote:' lines; join them so the header is found."""
    return re.sub(r"^(On|El|Le|Em)\b([^\n]{0,200})\n([^\n]{0,200}(wrote|escribi[oó]|a [ée]crit|escreveu):)\s*$",
                  r"\1\2 \3", text, flags=re.M | re.I)
