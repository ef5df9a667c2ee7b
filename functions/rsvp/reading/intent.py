"""Intent: accept, decline, tentative or unclear — and when unsure, unclear.

Phrases are matched on the new text only. Refusals are found first and masked, so that
"will not be able to attend" never reads as "attend". A refusal followed by a named
representative ("the Minister cannot attend but Ms X will represent the Mission") is an
acceptance for that representative.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..domain.rsvp import Intent


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


DECLINE = _rx(
    # English
    r"\b(will|shall|would|could|can)\s*(not|n't)\s+(be\s+able\s+to\s+)?(attend|participate|join|make\s+it|be\s+(present|there|attending|participating|joining))",
    r"\b(won't|wont|cannot|can't|cant|unable\s+to|not\s+be\s+able\s+to|not\s+able\s+to|impossible\s+for\s+\w+\s+to)\s+(attend|participate|join|make\s+it|be\s+(present|there|represented))",
    r"\bregrets?\s+(that|to\s+(inform|advise|say|decline|have\s+to))", r"\bwith\s+regret\b", r"\bregretfully\b",
    r"\b(must|have\s+to|has\s+to|will\s+have\s+to)\s+decline\b", r"\b(we|i)\s+(decline|are\s+declining|am\s+declining)\b",
    r"\bsend\s+(our|my)\s+regrets\b", r"\bnot\s+(be\s+)?(attending|participating)\b",
    r"\bno\s+longer\s+(be\s+able\s+to\s+)?(attend|participate|join|come)", r"\bcancel\s+(my|our|the)\s+(registration|participation|attendance)",
    r"\bwithdraw\s+(my|our)\s+(registration|participation)", r"\bplease\s+(cancel|remove)\b",
    r"\bwill\s+not\s+be\s+represented\b",
    # Spanish
    r"\bno\s+(me\s+|nos\s+|le\s+|les\s+)?(ser[áa]|ha\s+sido|es)\s+posible\s+(asistir|participar|estar)",
    r"\bno\s+(podr[ée]|podremos|podr[áa]|podr[áa]n|puedo|podemos|puede|asistir[ée]|asistiremos|asistir[áa]|participar[ée]|participaremos|participar[áa])\b",
    r"\blamenta(mos|)?\s+(informar|no\s+poder|comunicar)", r"\blamentablemente\b.{0,80}\bno\b",
    r"\bdeclin(ar|amos|o)\b", r"\bcancela(r|mos)?\s+(mi|nuestra|la)\s+(inscripci[oó]n|participaci[oó]n|asistencia)",
    r"\bno\s+estar[ée]?(mos)?\s+presentes?",
    # French
    r"\bne\s+(pourra|pourrai|pourrons|pourront|peut|peux|pouvons|sera|serai|serons|participera|participerai|participerons|assistera|assisterai|assisterons)\s+pas\b",
    r"\b(au\s+regret|regrette|regrettons)\b", r"\bdans\s+l'impossibilit[ée]\b", r"\bd[ée]cline(r|rons)?\b",
    r"\bannule(r|rons)?\s+(ma|notre|la)\s+(participation|inscription)", r"\bmalheureusement\b.{0,80}\bpas\b",
    # Portuguese
    r"\bn[aã]o\s+(poder[áa]|poderei|poderemos|podemos|posso|pode|participar[áa]|participarei|participaremos|estar[áa]|estarei|estaremos|comparecer[áa])\b",
    r"\blamenta(mos)?\s+(informar|n[aã]o)", r"\binfelizmente\b.{0,80}\bn[aã]o\b",
    # Russian, Arabic, Chinese
    r"не\s+(сможет|смогу|сможем|будет\s+участвовать|примет\s+участие|может)", r"к\s+сожалению",
    r"لن\s+(يتمكن|نتمكن|أتمكن|يتسنى|يستطيع)", r"يتعذر", r"يأسف|نأسف|مع\s+الأسف|للأسف",
    r"无法(出席|参加)", r"不能(出席|参加)", r"遗憾", r"未能(出席|参加)",
)

ACCEPT = _rx(
    r"\b(will|shall|would\s+like\s+to|wish\s+to|plan\s+to|intend\s+to|am\s+going\s+to|are\s+going\s+to)\s+(be\s+)?(attend|participate|join|be\s+(present|there|attending|participating|joining))",
    r"\b(pleased|happy|glad|delighted|honou?red)\s+to\s+(confirm|accept|attend|participate|join|inform|register)",
    r"\bconfirm(s|ed|ing)?\s+(my|our|his|her|their|the)?\s*(participation|attendance|presence|registration)",
    r"\b(i|we)\s+(confirm|accept)\b", r"\baccept(s|ed)?\s+(the|your|with)\b.{0,40}(invitation|pleasure)",
    r"\b(count\s+(me|us)\s+in|see\s+you\s+there|i'?ll\s+be\s+there|we'?ll\s+be\s+there|wouldn'?t\s+miss\s+it)\b",
    r"\bwill\s+be\s+represented\s+by\b", r"\bwill\s+represent\b", r"\bon\s+(his|her|their|our)\s+behalf\b",
    r"\bplease\s+(register|add|include)\b", r"\b(attending|participating)\s*:\s*(yes|y)\b",
    r"\blooking\s+forward\s+to\s+(attending|participating|joining)",
    # Spanish
    r"\bconfirm(o|amos|a|an|ar)\b.{0,60}\b(participaci[oó]n|asistencia|presencia|inscripci[oó]n)",
    r"\b(les\s+|le\s+)?confirm(o|amos)\b", r"\b(asistir[ée]|asistiremos|asistir[áa]n?|participar[ée]|participaremos|participar[áa]n?)\b",
    r"\b(con\s+(mucho\s+)?gusto|encantad[oa]s?)\b", r"\bacept(o|amos)\b", r"\bestar[ée]?(mos)?\s+presentes?",
    r"\bser[áa]\s+representad[oa]\b", r"\ben\s+representaci[oó]n\b", r"\bfavor\s+de\s+(inscribir|registrar)",
    r"\b(s[ií]rvanse|s[ií]rvase|les\s+ruego|le\s+ruego)\s+(inscribir|registrar)",
    # French
    r"\bconfirm(e|ons)\b.{0,60}\b(participation|pr[ée]sence|inscription)", r"\b(je|nous)\s+confirm(e|ons)\b",
    r"\b(participera|participerai|participerons|participeront|assistera|assisterai|assisterons)\b",
    r"\bser(a|ai|ons)\s+(pr[ée]sente?s?|l[àa]|repr[ée]sent[ée]e?)", r"\bavec\s+plaisir\b", r"\baccept(e|ons)\b",
    r"\brepr[ée]sentera\b", r"\bne\s+manquer(ai|ons)\s+pas\b",
    # Portuguese
    r"\bconfirm(o|amos|a)\b", r"\b(participarei|participaremos|participar[áa]|estarei\s+presente|estaremos\s+presentes|estar[áa]\s+presente)\b",
    r"\bser[áa]\s+representad[oa]\b",
    # Russian, Arabic, Chinese
    r"(примет|примут|приму|примем)\s+участие", r"подтвержда(ю|ем|ет)", r"будет\s+представлен",
    r"(يسر|يسعد|يشرف)", r"(سيشارك|سنشارك|سأشارك|ستشارك|سيحضر|سنحضر|سأحضر)", r"تؤكد|نؤكد|أؤكد",
    r"(将|会)(出席|参加)", r"确认(出席|参加)", r"(出席|参加)(会议|本次)",
)

TENTATIVE = _rx(
    r"\b(tentative(ly)?|provisional(ly)?|probably|might|may\s+(be\s+able\s+to\s+)?(attend|join|participate)|not\s+(yet\s+)?(sure|certain)|"
    r"to\s+be\s+confirmed|tbc|will\s+(try|confirm\s+(later|closer|as\s+soon|once|by))|hope\s+to\s+(attend|join|participate|be\s+able)|"
    r"subject\s+to|depending\s+on|if\s+(my|our|the)\s+(schedule|agenda|travel)|cannot\s+(yet\s+)?confirm|can'?t\s+(yet\s+)?confirm|"
    r"unable\s+to\s+confirm|will\s+let\s+you\s+know|pending\s+(approval|confirmation|clearance))\b",
    r"\b(tentativamente|provisionalmente|probablemente|quiz[áa]s?|tal\s+vez|a[uú]n\s+no\s+(lo\s+)?(s[ée]|sabemos|puedo\s+confirmar|podemos\s+confirmar)|"
    r"por\s+confirmar|intentar[ée]|intentaremos|sujeto\s+a|dependiendo\s+de|les\s+confirmar[ée]|confirmar[ée]\s+(m[aá]s\s+adelante|luego|pronto))\b",
    r"\b(provisoirement|peut-[êe]tre|sous\s+r[ée]serve|[àa]\s+confirmer|pas\s+encore\s+(s[uû]r|certain|en\s+mesure)|"
    r"essaierai|essaierons|vous\s+confirmer(ai|ons)|probablement)\b",
    r"\b(talvez|provavelmente|a\s+confirmar|ainda\s+n[aã]o\s+(sei|sabemos|posso\s+confirmar))\b",
    r"возможно|пока\s+не\s+(можем|могу)\s+подтвердить", r"ربما|قد\s+(يشارك|نشارك)", r"可能|待定|暂定",
)

# A named representative after a refusal turns it into an acceptance for that person.
REPLACEMENT = _rx(
    r"\b(but|however|instead|in\s+(his|her|their)\s+(place|stead)|on\s+(his|her|their)\s+behalf)\b.{0,120}\b(will\s+(attend|represent|participate|join)|represent)",
    r"\bwill\s+(be\s+)?represent(ed)?\b.{0,60}\bby\b", r"\b(will\s+attend|attending)\s+(instead|in\s+(his|her)\s+place)",
    r"\b(en\s+su\s+(lugar|nombre|representaci[oó]n)|en\s+representaci[oó]n|asistir[áa]\s+en\s+su\s+lugar|la\s+representar[áa]|lo\s+representar[áa])\b",
    r"\b(sera\s+repr[ée]sent[ée]e?|repr[ée]sentera|[àa]\s+sa\s+place|en\s+son\s+nom)\b",
    r"\b(ser[áa]\s+representad[oa]|em\s+seu\s+lugar|representar[áa])\b",
    r"будет\s+представлен|вместо\s+него|вместо\s+нее", r"سيمثل|ينوب\s+عن", r"代表.{0,10}(出席|参加)|由.{0,20}(出席|参加)",
)

QUESTION_ONLY = _rx(r"\?\s*$")

QUICK = {
    Intent.ACCEPT: {"accept", "accepted", "accepter", "aceptar", "acepto", "yes", "si", "sí", "oui", "sim",
                    "attending", "confirm", "confirmed", "confirmo", "confirme", "asistire", "asistiré",
                    "participare", "participaré", "je participe", "da", "да", "نعم", "是", "接受"},
    Intent.DECLINE: {"decline", "declined", "declinar", "rechazar", "no", "non", "não", "nao", "not attending",
                     "нет", "لا", "否", "谢绝", "拒绝"},
    Intent.TENTATIVE: {"tentative", "maybe", "quizás", "quizas", "tal vez", "peut-être", "peut-etre", "talvez",
                       "provisional"},
}
_QUICK_LOOKUP = {word: intent for intent, words in QUICK.items() for word in words}


@dataclass(frozen=True)
class IntentReading:
    intent: Intent
    confidence: float
    reasons: tuple[str, ...]
    replacement: bool = False


def quick_answer(subject: str) -> Intent | None:
    """Subjects from the invitation's quick-reply links, or a bare word typed as the subject."""
    cleaned = re.sub(r"^((re|aw|rv|tr|fw|fwd|res|ответ|回复|رد)\s*:\s*)+", "", subject.strip(), flags=re.I)
    head = re.split(r"\s*[:\-–|]\s*", cleaned, maxsplit=1)[0].strip().strip("!.").lower()
    return _QUICK_LOOKUP.get(_fold(head)) or _QUICK_LOOKUP.get(head)


def read_intent(text: str) -> IntentReading:
    # One pass per class over the whole new text; sentences matter less than masking.
    working = text
    declines = [m.group(0) for m in DECLINE.finditer(working)]
    replacement = bool(REPLACEMENT.search(working))
    masked = DECLINE.sub(" ", working)
    tentatives = [m.group(0) for m in TENTATIVE.finditer(masked)]
    accepts = [m.group(0) for m in ACCEPT.finditer(TENTATIVE.sub(" ", masked))]
    reasons: list[str] = []
    if declines and replacement:
        return IntentReading(Intent.ACCEPT, 0.8, (f"refusal '{declines[0].strip()}' with a representative named",),
                             replacement=True)
    if declines and not accepts and not tentatives:
        return IntentReading(Intent.DECLINE, 0.9, (f"refusal: '{declines[0].strip()}'",))
    if tentatives and not declines:
        return IntentReading(Intent.TENTATIVE, 0.75, (f"hedged: '{tentatives[0].strip()}'",))
    if accepts and not declines:
        return IntentReading(Intent.ACCEPT, 0.9, (f"acceptance: '{accepts[0].strip()}'",))
    if accepts and declines:
        reasons.append(f"both '{accepts[0].strip()}' and '{declines[0].strip()}'")
        return IntentReading(Intent.UNCLEAR, 0.4, tuple(reasons))
    if declines and tentatives:
        return IntentReading(Intent.TENTATIVE, 0.5, (f"refusal '{declines[0].strip()}' but hedged",))
    return IntentReading(Intent.UNCLEAR, 0.3, ("no answer found in the new text",))


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
