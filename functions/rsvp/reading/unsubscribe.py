"""'Unsubscribe', 'no more emails': the invitee wants no reminders (their RSVP is a separate matter)."""

from __future__ import annotations

import re

from .intent import fold

# Anchored at the start; then the word-bounded phrases of each language under one leading \b (so a position
# inside a word fails at once); then the scripts without word boundaries.
_START = re.compile(r"\s*(re:\s*)?unsubscribe\b")
_PHRASES = re.compile(
    r"\b(?:"
    r"unsubscribe me|please unsubscribe|remove (me|us|my address|our address) from (your|the|this) "
    r"(mailing |distribution )?list|(no|stop sending( me| us)?) (more |further )?(e-?mails|emails|reminders|messages)|"
    r"do not (send|email) (me|us) (again|any more|anymore|further)|"
    r"dar(me|nos)? de baja de (la|su) lista|no (deseo|deseamos|quiero|queremos) recibir (mas|más)|"
    r"no me (envien|envíen) (mas|más)|eliminen (mi|nuestra) direcci[oó]n|"
    r"me desabonner|nous desabonner|desinscri(re|vez)|ne (plus|pas) (m|nous)'envoyer|"
    r"ne souhaite plus recevoir|retirez (mon|notre) adresse|"
    r"descadastrar|cancelar (a )?inscri[cç][aã]o na lista|n[aã]o (quero|queremos|desejo) (mais )?receber"
    r")\b")
_OTHER = re.compile(r"отписаться|отпишите|не присылайте больше|إلغاء الاشتراك|لا ترسلوا|退订|取消订阅|不要再发")


def _asks(text: str) -> bool:
    return bool(_START.match(text) or _PHRASES.search(text) or _OTHER.search(text))


def asks_to_unsubscribe(subject: str, text: str) -> bool:
    return _asks(fold(subject)) or _asks(fold(text[:1500]))
