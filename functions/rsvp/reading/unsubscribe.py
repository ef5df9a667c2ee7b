"""'Unsubscribe', 'no more emails': the invitee wants no reminders (their RSVP is a separate matter)."""

from __future__ import annotations

import re

from .intent import fold

_ASKS = re.compile(
    r"^\s*(re:\s*)?unsubscribe\b|"
    r"\b(unsubscribe me|please unsubscribe|remove (me|us|my address|our address) from (your|the|this) "
    r"(mailing |distribution )?list|(no|stop sending( me| us)?) (more |further )?(e-?mails|emails|reminders|messages)|"
    r"do not (send|email) (me|us) (again|any more|anymore|further))\b|"
    r"\b(dar(me|nos)? de baja de (la|su) lista|no (deseo|deseamos|quiero|queremos) recibir (mas|más)|"
    r"no me (envien|envíen) (mas|más)|eliminen (mi|nuestra) direcci[oó]n)\b|"
    r"\b(me desabonner|nous desabonner|desinscri(re|vez)|ne (plus|pas) (m|nous)'envoyer|"
    r"ne souhaite plus recevoir|retirez (mon|notre) adresse)\b|"
    r"\b(descadastrar|cancelar (a )?inscri[cç][aã]o na lista|n[aã]o (quero|queremos|desejo) (mais )?receber)\b|"
    r"(отписаться|отпишите|не присылайте больше)|(إلغاء الاشتراك|لا ترسلوا)|(退订|取消订阅|不要再发)")


def asks_to_unsubscribe(subject: str, text: str) -> bool:
    return bool(_ASKS.search(fold(subject)) or _ASKS.search(fold(text[:1500])))
