"""Intent: accept, decline, tentative or unclear — and when unsure, unclear.

The new text is cut into clauses (sentences, list items, and halves of "X but Y"). Each clause is
read for an attendance predicate ("attend", "participar", "participer", "участвовать", "出席"…), a
negation governing it, a commitment ("will", "confirm", "pleased to"), a hedge ("probably", "subject
to", "intentaré"), a counterfactual ("would have been delighted to attend"), a question, a
cancellation or a replacement ("Ms X will represent the Mission"). The clauses are then weighed:
a refusal plus a named replacement is an acceptance; an acceptance and a refusal of different
sessions is an acceptance of those sessions; otherwise contradictions are unclear.

Latin-script text is matched accent-folded and lower-cased, so missing or wrong accents do not
matter; a few key words are also matched with one typo ("confimro", "attnd").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

from ..domain.rsvp import Intent
from .prefilter import Needles, needles

# ---------------------------------------------------------------------- normalisation


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if base != char:
            table[code] = base
    table.update({ord("ß"): "ss", ord("æ"): "ae", ord("œ"): "oe", ord("ø"): "o", ord("’"): "'", ord("‘"): "'",
                  ord("´"): "'", ord("`"): "'", 0xA0: " "})
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower-case, Latin accents removed; other scripts untouched (Cyrillic й stays й)."""
    return text.lower().translate(_FOLD)


_NON_LATIN = re.compile(r"[^\x00-\u024f\u2000-\u206f]")
_SCRIPT_ONLY = re.compile(r"^[()|?:\s\\.{},0-9*+\u0400-\u04ff\u0600-\u06ff\u4e00-\u9fff\u3000-\u303f\uff00-\uffef-]*$")


_NON_LATIN_MEMO: tuple[str, bool] = ("", False)


def _non_latin(text: str) -> bool:
    """Does `text` have Arabic, Cyrillic or CJK characters? Remembered for the clause being read (one tuple,
    replaced whole, so a reader never sees a text paired with another text's answer)."""
    global _NON_LATIN_MEMO
    memo = _NON_LATIN_MEMO
    if memo[0] is text:
        return memo[1]
    value = bool(_NON_LATIN.search(text))
    _NON_LATIN_MEMO = (text, value)
    return value


class Lexicon:
    """A set of alternative patterns, searched fast.

    Parts that begin with a word boundary are merged under one leading \\b, so positions inside words fail at
    once (CPython tries every top-level alternative at every position otherwise: ~10x slower). Parts written
    only in Arabic, Cyrillic or Chinese script are tried only on text that has such characters. And each merged
    alternation is tried only on text that holds one of its needles (see prefilter.py).
    """

    def __init__(self, *parts: str) -> None:
        self.parts = parts
        bounded = [p[2:] for p in parts if p.startswith("\\b") and "|" not in _top_level(p)]
        script = [p for p in parts if p not in bounded and not p.startswith("\\b") and _SCRIPT_ONLY.match(p)]
        rest = [p for p in parts if not (p.startswith("\\b") and "|" not in _top_level(p)) and p not in script]
        # Most bounded parts can only begin with a letter (or the apostrophe of "we'll"): those are tried only
        # there, not at every word's end; the few that may begin otherwise keep the plain \b.
        words = [p for p in bounded if _begins_with_word_character(p)]
        others = [p for p in bounded if p not in words]
        # Most clauses contain none of the literals every match needs ("attend", "asist", "be present"…): one scan
        # for those (a trie of plain literals, ~1-3 µs) spares the alternation (up to ~20 µs).
        self.latin: list[Callable[[str], re.Match[str] | None]] = []
        if words:
            self.latin.append(_prefiltered(r"\b(?=[\w'’])(?:" + "|".join(f"(?:{p})" for p in words) + ")", words))
        if others:
            self.latin.append(_prefiltered(r"\b(?:" + "|".join(f"(?:{p})" for p in others) + ")", others))
        if rest:
            self.latin.append(_prefiltered("|".join(f"(?:{p})" for p in rest), rest))
        self.script = _prefiltered("|".join(f"(?:{p})" for p in script), script) if script else None
        if len(self.latin) == 1 and self.script is None:
            self.search = self.latin[0]  # type: ignore[method-assign,assignment]  # common case: no wrapper

    @functools.cached_property
    def needles(self) -> frozenset[str] | None:
        """Literals one of which every match of the lexicon contains."""
        return _union_of_needles(self.parts)

    def search(self, text: str) -> re.Match[str] | None:
        """The leftmost match of any part (as one alternation would find it)."""
        best = None
        for search in self.latin:
            found = search(text)
            if found and (best is None or found.start() < best.start()):
                best = found
        if self.script is not None and _non_latin(text):
            found = self.script(text)
            if found and (best is None or found.start() < best.start()):
                best = found
        return best


def _union_of_needles(parts: Sequence[str]) -> frozenset[str] | None:
    """Literals one of which every match of any of `parts` contains (None when a part has none)."""
    each = [needles(p) for p in parts]
    return None if any(n is None for n in each) else frozenset().union(*(n for n in each if n is not None))


class _OnFirstUse:
    """A search built when it is first used: reading the patterns for needles and compiling them takes a few
    hundred milliseconds, which the Lambda functions that import the reader but never read a reply (sender,
    digest, SES events) and most CLI commands should not pay at start."""

    __slots__ = ("_build", "_search")

    def __init__(self, build: Callable[[], Callable[[str], Any]]) -> None:
        self._build: Callable[[], Callable[[str], Any]] | None = build
        self._search: Callable[[str], Any] | None = None

    def __call__(self, text: str) -> Any:
        if self._search is None:
            assert self._build is not None
            self._search, self._build = self._build(), None
        return self._search(text)


def _prefiltered(pattern: str, parts: list[str]) -> Callable[[str], re.Match[str] | None]:
    """`pattern`'s search, tried only on text holding one of the needles of every part (when all parts have)."""

    def build() -> Callable[[str], re.Match[str] | None]:
        search = re.compile(pattern).search
        literals = _union_of_needles(parts)
        if literals is None:
            return search
        found = Needles(literals).found
        return lambda text: search(text) if found(text) else None

    return _OnFirstUse(build)


def _begins_with_word_character(pattern: str) -> bool:
    """Does every match of `pattern` begin with a letter, digit, underscore or apostrophe? (Read from the
    parsed pattern; anything not understood answers no, which is always safe.)"""
    import re._parser as sre_parse  # type: ignore[import-not-found]  # the parser re itself uses

    try:
        starts_word, empty = _first_character(list(sre_parse.parse(pattern)))
    except (re.error, ValueError, TypeError):
        return False
    return starts_word and not empty


def _first_character(items: list[tuple[Any, Any]]) -> tuple[bool, bool]:
    """(every first character is a word character or an apostrophe, the items can match the empty string)."""
    import re._constants as c  # type: ignore[import-not-found]

    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero width: the next item matches first
        if op is c.LITERAL:
            return _STARTS_WORD.match(chr(av)) is not None, False
        if op is c.IN:
            return all(_class_item_starts_word(kind, value, c) for kind, value in av), False
        if op is c.SUBPATTERN:
            ok, empty = _first_character(list(av[3]))
        elif op is c.BRANCH:
            answers = [_first_character(list(alternative)) for alternative in av[1]]
            ok, empty = all(a[0] or a[1] for a in answers), any(a[1] for a in answers)
            ok = ok and all(a[0] for a in answers if not a[1]) and any(not a[1] for a in answers)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, _, inner = av
            ok, empty = _first_character(list(inner))
            empty = empty or low == 0
        else:
            return False, False
        if not ok:
            return False, False
        if not empty:
            return True, False
    return True, True


def _class_item_starts_word(kind: Any, value: Any, c: Any) -> bool:
    if kind is c.LITERAL:
        return _STARTS_WORD.match(chr(value)) is not None
    if kind is c.RANGE:
        return all(_STARTS_WORD.match(chr(code)) for code in range(value[0], value[1] + 1))
    return bool(kind is c.CATEGORY and value in (c.CATEGORY_WORD, c.CATEGORY_DIGIT))


_STARTS_WORD = re.compile(r"[\w'’]")


def _top_level(pattern: str) -> str:
    """The pattern with every parenthesised group removed (to see its top-level alternation)."""
    depth, out, escaped = 0, [], False
    for char in pattern:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _rx(*parts: str) -> Lexicon:
    return Lexicon(*parts)


# ---------------------------------------------------------------------- lexicon (folded forms)

# Verbs and phrases that say someone takes part. Nouns need a confirming verb (see NOUN_PREDICATE).
PREDICATE = _rx(
    # sending someone in one's place: "I'll send my deputy, Ms X" (not "I'll send my colleague the link")
    r"\b((will|'ll|shall) send (my|our|a|his|her) (deputy|colleague|representative|delegate|counsell?or|secretary|"
    r"assistant|adviser|advisor)|enviar(e|emos) a (mi|nuestro|nuestra|un|una) (adjunt[oa]|colega|representante|"
    r"delegad[oa]|consejer[oa])|j'enverrai (mon|ma|un|une) (adjointe?|collegue|representante?|conseillere?))\b"
    r"(?=\s*([,.:;]|$|instead|in (my|his|her|our) (place|stead)|to (attend|represent|the (meeting|dialogue|session))|"
    r"en (mi|su) lugar|para (asistir|representar)|a ma place|pour (assister|representer)))",
    r"\b(me sumo|nos sumamos|sumarme|sumarnos|me uno|nos unimos|"
    r"(podre|podremos|voy a|vamos a|pienso|pensamos) estar( alli| presentes?| con ustedes)?|"
    r"(pourrai|pourrons|vais|allons) (etre (la|presente?s?)|y etre))\b",
    # Naming the delegation: "has the honour to transmit the composition of its delegation"
    r"\b((composition|list|names) of (its|the|our|his|her) delegation|delegation (is|will be) (composed|made up) of|"
    r"composicion de (la|su|nuestra) delegacion|composition de (la|sa|notre) delegation|composicao da delegacao)\b",
    r"(состав делегации|تشكيلة الوفد|سيتألف|يتألف الوفد|سيتكون الوفد|代表团将由|代表团由.{0,12}组成|组成如下)",
    r"\b(we|there) (will|'ll|shall) be (\d|two|three|four|five|six)\b(?! (minutes|hours|days|weeks))",
    # Taking part from afar: following or connecting online.
    r"\b(follow (the meeting|the sessions?|the dialogue|it|the discussions?) (online|remotely|virtually)|"
    r"connect (online|remotely|virtually)|dial in|log in remotely|"
    r"(nos )?conectar(e|emos|nos|me)|me conectare|seguir(e|emos) (la reunion|las sesiones|el dialogo) "
    r"(en linea|virtualmente|a distancia)|"
    r"suivr(ai|ons|a|ont) (la reunion|les seances|la seance|les travaux|les debats|le dialogue)|"
    r"(me|nous) connecter(ai|ons)?|nous nous connecterons|je me connecterai|"
    r"conectar(ei|emos)|acompanhar(ei|emos) (a reuniao|as sessoes|o dialogo))\b",
    r"(подключ(имся|усь|ится|ятся|иться)|通过(线上|视频|网络)|(سن|س)?(نتصل|أتصل))",
    r"\b(accept(ing)? (the|your|this|our) (kind |generous )?invitation|take up (the|your|this) (kind )?invitation|"
    r"aceptar (la|su|esta|vuestra) (amable |gentil )?invitacion|accepter (l'|votre |cette )(aimable )?invitation|"
    r"donner (une suite favorable|suite)|dar curso|aceitar (o|seu|este) (amavel |gentil )?convite)\b",
    r"\b(attend|attnd|atend|participate|particpate|join|take part|"
    r"(am|are|is|'m|'re|be|will be|'ll be) (attending|joining|participating|coming|taking part)|"
    r"be (present|there|represented|with you|in attendance)|come(?! back)|"
    r"make it(?=\s*([.!,;]|$| (to|on|there|for|in|this|that|both|after all)\b))|"
    r"make (both|the \w+ (session|day|meeting)|the \d+\w*)|represent(ed|s|ing)?|"
    r"(consist|be composed|comprise)s? of|send (\w+ )?(delegates?|people|persons|representatives?))\b",
    r"\b(will|'ll|shall) be there\b", r"\bcount (me|us) in\b", r"\bcount on (me|us)\b",
    r"\blook(ing)? forward to (joining|attending|participating|seeing you|meeting you|being (there|with you))\b",
    r"\b(we|there) (will|'ll|shall) be (\d+|two|three|four|five|six) (participants|people|persons|delegates|of us)\b",
    r"\b(cuent(en|e) con(migo| nosotros)|seremos (\d+|dos|tres|cuatro|cinco))\b",
    r"\b(comptez sur (moi|nous)|nous serons (\d+|deux|trois|quatre|cinq))\b", r"\b(contem comigo|seremos (\d+|dois|tres))\b",
    r"\bsee you (there|then|on|in|at)\b(?! (another|the next|a future))",
    r"\b(i|we|i'll|we'll|i'm|we're|will|shall)( \w+){0,2} (be )?available\b",
    # A delegation announced as a list: "Our delegation for the second session:" followed by names.
    r"\b(our|the|my) (delegation|team|participants?|representatives?)\b[^.:]{0,60}:\s*$",
    r"\b(nuestra|la) (delegacion|representacion)\b[^.:]{0,60}:\s*$", r"\b(notre|la) delegation\b[^.:]{0,60}:\s*$",
    r"\b(nossa|a) delegacao\b[^.:]{0,60}:\s*$",
    r"\b(estoy|estare|estaremos|estamos|estara|estaran)( \w+){0,2} disponibles?\b",
    r"\b(je suis|je serai|nous serons|nous sommes|serai|serons)( \w+){0,2} disponibles?\b",
    r"\b(estou|estarei|estaremos|estamos)( \w+){0,2} disponive(l|is)\b",
    # Spanish
    r"\b(asist(ir|ire|ira|iremos|iran|o|imos|e)|aistir|participa(r|re|ra|remos|ran|mos)|particip(o|e)|"
    r"estar(e|a|emos|an)? presentes?|acompanar(les|los)?|acompanare(mos)?|conectar(me|nos|emos)|unir(me|nos|se)|"
    r"sumar(me|nos)|representa(da|do|r|ra|ran)|(integrada|compuesta|conformada) por|inscribir(me|nos)?|"
    r"inscrib(an|a)(me|nos)?|"
    r"ahi estare(mos)?|alli estare(mos)?|estare(mos)? (alli|ahi|con ustedes))\b",
    # French
    r"\b(particip(er|erai|era|erons|eront|e|ons)|assist(er|erai|era|erons|eront)|etre present(e|s|es)?|"
    r"(?<!a )venir|viendr(ai|ons|a|ont)|"  # not "à venir" (upcoming)
    r"ser(ai|a|ons|ont) (present(e|s|es)?|la|des votres|parmi vous)|j'y serai|nous y serons|y assister(ai|ons)?|"
    r"rejoindre|represente(e|s|es)?|represente(ra|ront|r)|m'inscrire|nous inscrire|composee de|etre des votres)\b",
    # Portuguese
    r"\b(participar(ei|a|emos|ao)?|comparecer(ei|a|emos|ao)?|estar(ei|a|emos)? presentes?|presente|"
    r"representad[oa]|representar(a|ao)?|composta por)\b",
    # Russian
    r"(участвовать|участвуем|участвую|присутствовать|присутствуем|присутствую|будет представлен|будут представлены|"
    r"примет участие|примут участие|приму участие|примем участие|будет состоять из|приня(ли|л|ла|ть) участие|"
    r"обязательно (будем|буду|придем|приду|приедем|приеду)|будем присутствовать|буду присутствовать|"
    r"возглавит|будет представлять)",
    # Arabic
    r"(المشاركة|مشاركة|يشارك|سيشارك|سنشارك|سأشارك|ستشارك|نشارك|أشارك|الحضور|حضور|يحضر|سيحضر|سنحضر|سأحضر|"
    r"سيمثل|يمثل|ممثلا|ممثلة)",
    # Chinese
    r"(出席|参加|参会|与会|列席|派.{0,4}人)",
)
NOUN_PREDICATE = _rx(
    r"\b(participation|attendance|presence|registration)\b", r"\b(participacion|asistencia|presencia|inscripcion)\b",
    r"\b(participation|presence|inscription)\b", r"\b(participacao|presenca|inscricao|comparecimento)\b",
    r"(участие|участия|присутствие)", r"(مشارك|حضور)")
CONFIRM = _rx(
    r"\b(confirm(s|ed|ing)?|accept(s|ed|ing)?|pleased|happy|glad|delighted|honou?r(ed)? to (inform|confirm)|"
    r"look(ing)? forward|yes|certainly|of course|sure|gladly|will|shall|'ll|going to|plan(ning)? to|"
    r"intend(s)? to|would( very much| really| certainly)? like to|wish(es)? to)\b",
    r"\b(confirm(o|amos|a|an|ar|e|ons|er)|acept(o|amos|a)|con (mucho )?gusto|encantad[oa]s?|"
    r"complacid[oa]s?|honor de (confirmar|informar)|claro|por supuesto|sera un placer|nos complace|me complace)\b",
    r"\b(avec plaisir|volontiers|oui|bien sur|heureux|heureuse|ravie?s?|honneur de (confirmer|vous informer)|"
    r"accept(e|ons)|confirme|confirmons)\b",
    r"\b(confirm(o|amos|a)|com (muito )?prazer|sim|claro|honra de (confirmar|informar))\b",
    r"(подтвержда(ю|ем|ет)|подтвердить|рады|имеет честь|да)",
    r"(يسر|يسعد|يشرف|نؤكد|أؤكد|تؤكد|تأكيد|نعم|بكل سرور)",
    r"(确认|确定|将|会|很高兴|荣幸|愿意|是的)",
)
NEGATION = _rx(
    r"\b(not|never|no longer|unable|cannot|can not|cant|wont|dont|didnt|isnt|no|nor|neither|without|impossible|"
    r"none|nobody|no one|noone)\b",
    r"n't\b",
    r"\b(no|ni|tampoco|nunca|imposible|ya no|sin|nadie|ninguno|ninguna)\b",
    r"\b(ne|n'|pas|plus|jamais|impossible|aucun|aucune|personne)\b", r"\b(nao|nem|nunca|impossivel|ninguem|nenhum)\b", r"\b(не|нет|никто|невозможно)\b", r"\b(لن|لا|لم|ليس)\b|(يتعذر|تعذر|عدم)",
    r"(不|无法|未能|没有|没法|不能|无)",
)
# Words that refuse on their own, with no predicate in sight.
REFUSAL = _rx(
    r"^(our |my |with )?regrets\b(?! (for|about) the)|\bregrets (from|on behalf of) (us|our|me|the)\b|"
    r"\b(no one|nobody|noone|none of us|no other (member|colleague|official|delegate)s?)"
    r"( (from|of|at|in) [\w' ]{1,30}?)? (is|are|will be|would be|can be) (available|free|able to)\b|"
    r"\b(no one|nobody|noone|none of us)( (from|of|at|in) [\w' ]{1,30}?)? (can|could|will|would) "
    r"(attend|join|participate|make it|come|be there)\b|"
    r"\b(declin(e|es|ed|ing)|regrets? (that|to inform|to say|we|i)(?![^.]{0,25}\b(can|could|will be able to) "
    r"(only )?(attend|join|participate|be present|make)\b)|send(ing)? (our|my) regrets|regrets only|with regret|"
    r"regretfully|have to miss|will (have to )?miss|'ll (have to )?miss|must miss|going to miss|sorry to miss|"
    r"unable to (attend|join|participate|make it|be (present|there))|will not be (able|attending|participating|joining))\b",
    r"\b(declin(ar|amos|o)|lamenta(mos)? (informar|comunicar|no)|no nos sera posible|no me sera posible|"
    r"tendr(e|emos) que (faltar|perder(me|nos)?))\b",
    r"\b(au regret|regrett(e|ons) (de|que)|decline(r|rons)?|dans l'impossibilite|ne pourr(ai|ons|a|ont) pas|"
    r"(suis|sommes|serai|serons|est|sera) empeche(e|s|es)?)\b",
    r"\b(prevented from (attending|joining|participating|coming)|(estoy|estamos|estare|estaremos) impedid[oa]s?|"
    r"(estou|estamos) impossibilitad[oa]s?|(estou|estamos|estarei|estaremos) impedid[oa]s?)\b",
    r"\b(lamenta(mos)? (informar|comunicar|nao)|nao (poder(a|ei|emos)|podera))\b",
    r"(к сожалению,? не|не сможет|не смогу|не сможем|не примет участия|не примут участия)",
    r"\b(nadie|ninguno de nosotros)( (de|del|en) [\w ]{1,30}?)? (podra|puede|podria|estara disponible|asistira|"
    r"participara)\b",
    r"\bpersonne( (de|du|d'|a) ?[\w ]{1,30}?)? ne (pourra|peut|pourrait|sera disponible|participera|sera present)\b",
    r"\b(ninguem|nenhum de nos)( (de|da|do|na|no) [\w ]{1,30}?)? (podera|pode|poderia|estara disponivel|"
    r"participara|comparecera)\b",
    r"(يتعذر|لن (يتمكن|نتمكن|أتمكن|يتسنى|يستطيع)|يعتذر|نعتذر عن)",
    r"(无法出席|不能出席|未能出席|无法参加|不能参加|未能参加|不克出席|谢绝)",
)
# "We don't know yet whether we can attend": the negation is about knowing, so it hedges, never refuses.
NOT_KNOWING = _rx(
    r"\b(not (yet )?(sure|certain|clear)|(don't|do not|dont) (yet )?know|unsure|undecided|still (checking|confirming|"
    r"waiting|considering)|checking (our|my) (availability|schedule|calendar|agenda))\b",
    r"\b((todavia|aun) no (lo )?(se|sabemos|sabe|tenemos claro|hemos decidido)|no (se|sabemos) (todavia|aun|si)|"
    r"estamos (consultando|verificando|revisando))\b",
    r"\b((ne|n') (sai[st]|savons) pas (encore )?si|pas encore (decide|sur|certain)|nous verifions|je verifie|"
    r"(je ne suis |ne suis |)pas (sure?|certaine?)s? (de pouvoir|de venir|de participer|d'etre))\b",
    r"\b(ainda nao (sei|sabemos|decidimos)|nao (sei|sabemos) (ainda|se))\b",
    r"(пока не (знаем|знаю|решили)|не знаем,? (сможем|смогу)|уточняем)", r"(لا (نعلم|أعلم|نعرف) بعد|لم نقرر بعد)",
    r"(还不知道|尚不确定|还不确定|正在确认|(尚|暂时|目前|暂)?(无法|不能)(确认|确定)|尚无法确定|还无法确定)",
    r"((لم|لا) (نتمكن|نستطيع|يمكننا)( بعد)? (من )?تأكيد|لم نؤكد بعد)",
    # Who will come is not settled yet: "we have not yet confirmed who will attend", "aún no sabemos quién".
    r"\b((not|n't) (yet )?(been )?(decided|confirmed|determined|settled|sure|known|know|finali[sz]ed)|"
    r"(don't|do not|does not|doesn't) (yet )?know|no one has been (designated|nominated|appointed) yet)\b.{0,30}"
    r"\b(who|which (delegates?|officials?|colleagues?|members?|representatives?)|whom)\b",
    r"\b((todavia|aun) no|no) (tenemos|hemos|han|ha|esta|estan|se ha|se han|sabemos|se)( aun| todavia)? "
    r"(confirmado|definido|decidido|designado|determinado|claro|sabido)?\b.{0,30}\bquien(es)?\b",
    r"\b(pas encore|ne sait pas|ne savons pas|n'avons pas (encore )?(decide|determine|confirme|designe))\b.{0,30}"
    r"\bqui\b",
    r"\b((ainda )?nao (temos|foi|foram|sabemos|definimos|decidimos|confirmamos)( ainda)?( (confirmado|definido|"
    r"decidido))?)\b.{0,30}\bquem\b",
)
HEDGE = _rx(
    r"\b(tentative(ly)?|provisional(ly)?|probably|possibly|perhaps|maybe|might|may|(most |very |quite )?likely|"
    r"hope to|hoping to|try(ing)? to|"
    r"(am|are|is|remain|very much|would be|be) interested in (attending|participating|joining|taking part)|"
    r"(will|'ll|must|need to|have to|shall) (check|consult|confirm|verify) with (the|my|our|his|her)|"
    r"(not|n't) (yet )?(able|in a position) to confirm|"
    r"(only )?one of the (two |2 )?(sessions|days|meetings)|either (session|day|one)|"
    r"will try|not (yet )?(sure|certain|confirmed)|unsure|tbc|to be confirmed|subject to|depending on|depends on|"
    r"if (my|our|the|i|we)|in case|pending|as soon as (i|we) know|cannot (yet )?confirm|can't (yet )?confirm|"
    r"unable to confirm|(will|shall|'ll) (let you know|revert|get back to you|come back to you|"
    r"confirm (later|closer|by|as soon|once|next|in due course)))\b",
    r"\b(tentativamente|provisional(mente)?|probablemente|posiblemente|quizas?|tal vez|a lo mejor|"
    r"interesad[oa]s? en (participar|asistir)|nos interesa(ria)? participar|"
    r"una de las (dos )?(sesiones|jornadas|reuniones)|uno de los (dos )?dias|cualquiera de las (dos )?sesiones|"
    r"intentar(e|emos|a)|tratar(e|emos) de|espero (poder|participar)|sujeto a|dependiendo de|depende de|"
    r"por confirmar|a confirmar|aun no (lo )?(se|sabemos|puedo confirmar|podemos confirmar)|todavia no|"
    r"no (podemos|puedo|podremos|podre) (aun |todavia |por ahora |de momento )?confirmar|"
    r"no estamos en condiciones de confirmar|"
    r"por (ahora|el momento) no (podemos|puedo|estamos en condiciones de)|"
    r"si (puedo|podemos|es posible|me es posible|logro|logramos|consigo)|"
    r"no (lo )?se (aun|todavia)|(les|le) confirmar(e|emos)|confirmar(e|emos) (mas adelante|luego|pronto|la proxima)|"
    r"(les|le) (avisare(mos)?|informare(mos)?|hare(mos)? saber))\b",
    r"\b(provisoirement|peut-etre|probablement|sous reserve|a confirmer|pas encore (sur|certain|en mesure)|"
    r"interesse(e|s|es)? (a|par) (participer|la participation)|"
    r"ne (pouvons|peux|pourrons|pourrai) pas (encore )?confirmer|"
    r"(l'une|une) des (deux )?(seances|sessions|journees)|l'un des (deux )?jours|"
    r"essaier(ai|ons)|tenter(ai|ons)|j'espere|nous esperons|vous confirmer(ai|ons)|si (mon|notre|le) |"
    r"revien(drai|drons) vers vous|vous tiendr(ai|ons) informee?s?)\b",
    r"\b(talvez|provavelmente|a confirmar|ainda nao (sei|sabemos|posso confirmar)|tentar(ei|emos)|"
    r"interessad[oa]s? em participar|nao (podemos|posso) (ainda )?confirmar|"
    r"uma das (duas )?sessoes|um dos (dois )?dias|"
    r"(informaremos|confirmaremos) (em breve|posteriormente|mais tarde))\b",
    r"(возможно|вероятно|постараемся|постараюсь|пока не (можем|могу) подтвердить|предварительно)",
    r"(ربما|قد (يشارك|نشارك|أشارك)|مبدئيا|سنحاول)", r"(可能|待定|暂定|尚未确定|争取)",
    # Conditions: an answer that hangs on something still open ("provided our funding is approved").
    r"\b(provided (that )?|providing (that )?|on condition that|as long as|assuming (that )?|"
    r"if (it|this|that|funding|travel|the (visa|funding|travel|budget)) (is|are|gets?) (approved|confirmed|granted|"
    r"available|possible)|once (my|our|the) [a-z ]{0,20}(is|are) (approved|confirmed|granted))\b",
    r"\b(siempre (y cuando|que)|a condicion de que|con tal (de )?que|en caso de que|"
    r"una vez (que )?(se )?(apruebe|aprueben|confirme|confirmen))\b",
    r"\b(a condition que|pour autant que|dans la mesure ou|une fois (que )?(le|la|notre|mon) "
    r"[a-z ]{0,20}(approuve|confirme|accorde)e?s?)\b",
    r"\b(desde que|contanto que|caso (seja|sejam) (aprovad|confirmad)[oa]s?)\b",
    r"(при условии|если будет (одобрен|подтвержден)|بشرط|شريطة|前提是|如果.{0,6}(批准|获批))",
)
COUNTERFACTUAL = _rx(
    r"\bwould have (been|liked|loved|wanted|attended|participated|joined|come)\b",
    r"\b(had (planned|hoped|intended|wanted) to)\b",
    r"\b(hubiera(mos)? (querido|gustado)|habria(mos)? (querido|gustado)|nos hubiera gustado|me hubiera gustado)\b",
    r"\b(aurions|aurais|aurait) (aime|voulu|ete)\b", r"\b(teria(mos)? gostado|gostaria(mos)? de ter)\b",
    r"(хотели бы|хотел бы|хотела бы|бы (приняли|принял|приняла|участвовали|пришли|присутствовали)|"
    r"(приняли|принял|приняла) бы)", r"(كنا نود|كنت أود)", r"(本想|本来)",
)
# Taking back an earlier answer: "please withdraw my name", "den de baja mi inscripción", "annuler mon inscription".
CANCEL_OWN = _rx(
    r"\b(cancel|withdraw|remove|delete|take (off|out)|strike)\b.{0,40}\b(name|registration|participation|attendance|"
    r"seat|place|rsvp)\b",
    r"\b(dar(me|nos)? de baja|den de baja|anul(ar|en)|cancel(ar|en)|retir(ar|en))\b.{0,40}\b(nombre|inscripcion|"
    r"participacion|asistencia|registro)\b",
    r"\b(annul(er|ez)|retir(er|ez)|supprim(er|ez))\b.{0,40}\b(nom|inscription|participation|presence)\b",
    r"\b(cancel(ar|em)|retir(ar|em))\b.{0,40}\b(nome|inscricao|participacao|presenca)\b",
    r"(отмен\w+|сним\w+).{0,40}(участие|регистрац|заявк)", r"(إلغاء|الغاء|سحب).{0,30}(مشارك|تسجيل|اسم)",
    r"(取消|撤回).{0,10}(报名|注册|参会|出席)",
)
CANCELLATION = _rx(
    r"\b(cancel(l?ed|ling)?|withdraw(n|ing)?|no longer|unregister|de-?register|remove (me|us|my|our))\b",
    r"\b(cancela(r|mos|n)?|anula(r|mos)?|ya no (podr|asistir|participar))\b",
    r"\b(annul(er|ons|e)|ne (pourr\w*|ser\w*) plus)\b", r"\b(cancela(r|mos)|ja nao)\b",
    r"(отмен(ить|яем|яю)|больше не)", r"(إلغاء|الغاء)", r"(取消)",
)
REPLACEMENT = _rx(
    r"\b((will|'ll|shall) send (my|our|a|his|her) (deputy|colleague|representative|delegate|counsell?or|secretary|"
    r"assistant|adviser|advisor)|enviar(e|emos) a (mi|nuestro|nuestra|un|una)|j'enverrai (mon|ma|un|une))\b"
    r"(?=\s*([,.:;]|$|instead|in (my|his|her|our) (place|stead)|to (attend|represent|the (meeting|dialogue|session))|"
    r"en (mi|su) lugar|para (asistir|representar)|a ma place|pour (assister|representer)))",
    r"\b(represented by|will represent|to represent|in (my|his|her|their) (place|stead)|on (my|his|her|their|our) "
    r"behalf|instead|replace(s|d)?|replacing|substitute|deputi[sz]e)\b",
    r"\b(en (mi|su) (lugar|nombre|representacion)|en representacion|representar(a|an)|reemplaz(ar|ara|o)|"
    r"sustitu(ir|ira|ye)|en reemplazo)\b",
    r"\b(represente(ra|ront)|a (ma|sa) place|en (mon|son) nom|remplace(ra)?|suppleera)\b",
    r"\b(em (meu|seu) lugar|representar(a|ao)|substituir(a)?)\b",
    r"(вместо (него|нее|меня)|заменит|будет представлен|возглавит|будет представлять)",
    r"(بدلا من|ينوب عن|سينوب|سيمثل|وسيمثل)",
    r"(代替|替代|代表.{0,6}(出席|参加)|由.{1,12}代表)",
)
# The answer is put off until something is known: no answer yet (not even a tentative one).
# Registered another way ("through the online portal"): that is an acceptance.
ALREADY_REGISTERED = _rx(
    r"\b(i|we) ('ve |have )?(already |just )?(registered|signed up|enrolled)( (online|through|via|on|in))?\b",
    r"\b(ya )?(me|nos) (he |hemos )?(inscrito|inscribi|inscribimos|registrado|registre|registramos)\b",
    r"\b(je me suis|nous nous sommes) (deja )?(inscrite?s?|enregistree?s?)\b",
    r"\b(ja )?(me|nos) (inscrevi|inscrevemos|registrei|registramos)\b")
# Thanks for the desk's own confirmation, or for receiving the invitation: no new answer.
ACKNOWLEDGEMENT = _rx(
    r"\b(thank(s| you)( very much| so much)? for (confirming|the confirmation|your confirmation|registering me|"
    r"the registration)|(we |i )?(confirm|acknowledge) (the )?receipt)\b",
    r"\b(gracias por (confirmar|la confirmacion|su confirmacion|el registro)|acus(o|amos) recibo)\b",
    r"\b(merci (pour|de) (la|votre) confirmation|merci d'avoir confirme|accus(e|ons) (de )?reception)\b",
    r"\b(obrigad[oa] (pela|por) (confirmacao|confirmar)|acus(o|amos) (o )?recebimento)\b")
DEFERRAL = _rx(r"\bbefore (we |i )?(confirm|confirming|deciding|registering)\b", r"\bantes de (confirmar|decidir)\b",
               r"\bavant de (confirmer|decider)\b", r"\bantes de confirmar\b", r"прежде чем подтвердить",
               r"قبل (تأكيد|التأكيد)", r"(确认.{0,6}之前)")
# Conditions about the addressee or a third party say nothing about the sender's own answer.
ABOUT_SOMEONE_ELSE = _rx(r"\b(if|in case|should|whether) (you|someone|anyone|somebody|they)\b",
                         r"\bsi (usted|ustedes|alguien|ellos)\b", r"\ben caso de que\b",
                         r"\b(si|au cas ou) (vous|quelqu'un|ils)\b", r"\bse (voce|voces|alguem)\b")
MISS = re.compile(r"\b(miss(ing)?|manquer(ai|ons|a)?|perder(me|nos|lo|la)?|perderia(mos)?|faltar(e|emos)?)\b")
# Inline or form-style answers: "Participant: Mr. X", "Sessions: both", "Attending: yes".
FORM_FIELD = re.compile(
    r"^\s*(participants?|attendees?|delegates?|delegation|participante?s?|asistentes?|delegad[oa]s?|delegacion|"
    r"nombres? y cargos?|names? and titles?|nom et (fonction|titre)|nome e cargo|attending|attendance|asistencia|"
    r"participation|participacion|sessions?|sesion(es)?|seances?|sessoes|sessao|rsvp|r\.s\.v\.p\.?|respuesta|reponse|"
    r"resposta)\s*[:：]\s*(\S.*)$")
# Fields that take an answer, not a list: their value must say yes, no or maybe.
_ANSWER_LABEL = re.compile(r"(rsvp|r\.s\.v\.p\.?|attending|attendance|asistencia|participation|participacion|"
                           r"respuesta|reponse|resposta)")
_YES_VALUE = re.compile(r"^(yes|y|si|oui|sim|da|да|是|نعم|confirm(ed|ado|ada|e|ee)s?|accept\w*|will attend|attending|"
                        r"present[e]?s?|\d{1,2}\b(?![-./:]\d))")  # a count, not "RSVP: 993-8586" (a phone)
_NO_VALUE = re.compile(r"^(no|non|nao|нет|否|لا|regrets?|declin\w*|unable|cannot|can't|not attending|will not|none)\b")
_MAYBE_VALUE = re.compile(r"^(maybe|tentative\w*|tbc|tbd|to be confirmed|perhaps|quizas?|talvez|peut-etre|"
                          r"a confirmar|por confirmar|provisional\w*)\b")
_EMPTY_VALUE = re.compile(r"^(no|none|n/?a|-+|nadie|ninguno|aucun|personne|nenhum|нет|لا)\b")
QUESTION_START = re.compile(r"^(will|would|could|can|is|are|do|does|did|should|may|shall|when|where|what|how|"
                            r"which|who|habra|hay|podrian|podria|cuando|donde|como|est-ce|pourriez|pourrait|y a-t-il|"
                            r"quand|ou|comment|havera|quando|onde|como|будет ли|можно ли|هل|是否)\b")
REGISTER_REQUEST = _rx(r"\b(please|kindly|could you|can you|would you)\b.{0,30}\b(register|add|include|put (me|us)|"
                       r"sign (me|us) up)\b",
                       r"\b((would|'d) like|wish|want|wishes|wants) to (register|sign up|enrol|enroll)\b",
                       r"\b(quisiera(mos)?|me gustaria|nos gustaria|deseamos|deseo) (inscribir|registrar)",
                       r"\b(je souhaite|nous souhaitons|j'aimerais|nous aimerions) (inscrire|enregistrer)\b",
                       r"\b(favor de|por favor|le ruego|les ruego|sirvanse|sirvase).{0,20}\b(inscribir|registrar|anotar)",
                       r"\b(veuillez|merci de).{0,20}\b(inscrire|enregistrer)\b")
BARE_YES = {"yes", "yes please", "yes, please", "si", "si.", "sí", "oui", "sim", "da", "да", "是", "是的", "نعم",
            "ok", "okay", "confirmed", "confirmado", "confirme", "accept", "acepto", "j'accepte", "count me in",
            "happy to confirm", "glad to confirm", "pleased to confirm", "i confirm", "we confirm", "confirming",
            "yes!", "si!", "oui!", "confirmo", "confirmamos"}
BARE_NO = {"no", "no.", "no!", "non", "nao", "não", "нет", "否", "لا", "no thanks", "no, thanks", "no gracias",
           "not this time", "not this time, thanks", "not this time, thank you", "maybe next time",
           "esta vez no", "esta vez no, gracias", "pas cette fois", "pas cette fois, merci", "desta vez nao",
           "non merci", "decline", "declino", "no, thank you", "no thank you", "no, gracias", "non, merci",
           "nao, obrigado", "nao, obrigada", "нет, спасибо"}
# "Yes - both sessions.", "Oui, les deux jours": a yes or no word leading a short answer.
_LEADING_YES = re.compile(r"^(yes|yeah|yep|si|oui|sim|да|是的|نعم)\b\s*[,.!:;–—-]")
_LEADING_NO = re.compile(r"^(no|non|nao|нет|لا)\b\s*[,.!:;–—-](?!\s*(problem|worries|hay problema|te preocupes))")

# "I would love to join": a wish, not yet a commitment; outweighed by any refusal.
WISH = _rx(r"\b(would( very much| really| certainly| truly| much)? (love|like|be (happy|glad|delighted)) to|"
           r"(we|i)'d( very much| really| certainly| truly)? (love|like) to)\b",
           r"\b(me gustaria|nos gustaria|quisiera(mos)?|me encantaria|nos encantaria)\b",
           r"\b(j'aimerais|nous aimerions|je souhaiterais|j'adorerais|nous adorerions)\b",
           r"\b(gostaria(mos)?|adoraria(mos)?|encantaria)\b", r"(с удовольствием бы|хотели бы|хотел бы|хотела бы)",
           r"(很想|非常想|希望能|想要)", r"(نود|أود|يسعدنا لو)")
# A clash named right after a wish: "I would like to attend but I have a prior commitment" is a polite regret.
_CLASH = re.compile(
    r"\b((prior|previous|other|another|conflicting|earlier) (engagement|commitment|meeting|appointment|obligation)s?|"
    r"(schedule|scheduling|diary|calendar|agenda) (conflict|clash)|(clash|conflict)s? with|"
    r"otro compromiso|compromiso previo|compromisos previos|otra reunion|conflicto de (agenda|horario)|"
    r"autre engagement|engagement anterieur|engagements anterieurs|empechement|autre reunion|"
    r"outro compromisso|compromisso anterior|outra reuniao)\b|"
    r"\b(estare|estaremos|estara) (de viaje|en mision|fuera del pais)|\b(je serai|nous serons|il sera) "
    r"(en mission|en deplacement|a l'etranger)|\b(i|we)('ll| will) be (travell?ing|on mission|away|out of the country)|"
    r"\b(estarei|estaremos) (em viagem|em missao|fora do pais)|"
    r"другое мероприятие|другие мероприятия|командировк\w*|другие планы|出差|另有安排|另有公务|其他安排|"
    r"التزام آخر|ارتباط آخر|ارتباطات أخرى|التزامات أخرى")
# A regret adverb with a conflict: "unfortunately I have a prior engagement" refuses without saying "attend".
CONFLICT_REFUSAL = _rx(
    r"\b(unfortunately|sadly|regrettably|unluckily|i'?m afraid|we are afraid)\b.{0,80}\b((prior|previous|other|another|"
    r"conflicting) (engagement|commitment|meeting|appointment|obligation)s?|(a |schedule )?(conflict|clash))\b",
    r"\b(lamentablemente|desafortunadamente|infelizmente|por desgracia)\b.{0,80}\b(otro compromiso|compromiso previo|"
    r"compromisos previos|otra reunion|conflicto de agenda|outro compromisso)\b",
    r"\b(malheureusement|helas)\b.{0,80}\b(autre engagement|engagement anterieur|empechement|autre reunion)\b",
)
# The predicate itself commits: future or progressive forms, or a first-person present.
COMMITTED = _rx(
    r"\b(nao vejo a hora de|no veo la hora de|no puedo esperar (a|para))\b", r"(не терпится|жду не дождусь)",
    r"\b(nao deixar\w* de|no dejar\w* de|ne manquer\w* pas de|(won't|will not) fail to|"
    r"nothing would (please|delight|honou?r|make) (me|us))\b",
    r"\b((can't|cannot|can not|can hardly) wait to|"
    r"attending|joining|participating|coming|i attend|we attend|will be|'ll be|will be able|'ll be able|"
    r"(i|we) can (only )?(attend|join|make|participate|come))\b",
    r"\b(podre|podremos|podra|podran|puedo|podemos)\b",
    r"\b(pourrai|pourrons|pourra|pourront|peux|pouvons)\b", r"\b(poderei|poderemos|podera|posso|podemos)\b",
    r"(смогу|сможем|сможет|сможем)",
    r"\b(asistire|asistiremos|asistira|asistiran|participare|participaremos|participara|participaran|estare|estaremos|"
    r"estara|asisto|participo|asistimos|participamos|acompanare(mos)?|conectare(mos)?|integrada|compuesta|conformada)\b",
    r"\b(participerai|participerons|participera|participeront|assisterai|assisterons|assistera|serai|serons|sera|"
    r"je participe|nous participons|j'y serai|composee)\b",
    r"\b(participarei|participaremos|participara|estarei|estaremos|estara|compareceremos|comparecerei|composta)\b",
    r"(примет|примут|приму|примем|будет|будут|будем|буду|участвую|участвуем)",
    r"(سيشارك|سنشارك|سأشارك|ستشارك|سيحضر|سنحضر|سأحضر|سيمثل|تتشرف|يتشرف)", r"(将|会|派|确认|出席)",
)
# Bare verbs commit no one by themselves ("to participate", "join us"); phrases like "count me in" do.
BARE_VERB = re.compile(r"attend|participate|join|come|represent|register|take part|asistir|participar|particip[eo]|"
                       r"assister|participer|rejoindre|comparecer|участвовать|присутствовать|المشاركة|مشاركة|الحضور|حضور")
# Performative answers with no attendance verb: "I confirm.", "Delighted to accept", "j'accepte", "confirmado".
PERFORMATIVE = _rx(
    r"^(i|we) (hereby |happily |gladly )?(confirm|accept)( (it|this|that|with (pleasure|thanks)))?[.!]*$",
    r"\b(happy|pleased|delighted|glad) to accept\b", r"\b(i|we) (gladly |happily )?accept (the|your)( kind)? invitation\b",
    r"\baccept(ed)? with (pleasure|thanks)\b",
    r"^(lo |la )?(confirmo|confirmamos|confirmado|acepto|aceptamos)[.!]*$", r"\bacept(o|amos) (la|su) (amable )?invitacion\b",
    r"^(je |nous )?(confirme|confirmons|confirme|accepte|acceptons)[.!]*$", r"\b(j'accepte|nous acceptons) (votre|l')",
    r"^(confirmo|confirmamos|aceito|aceitamos)[.!]*$", r"^(подтверждаю|подтверждаем)[.!]*$", r"^(أؤكد|نؤكد)$", r"^(确认|接受)[。！]*$",
)
# "No podré el 11, pero sí a la primera": an elliptical yes after a refusal accepts the other part.
ELLIPTICAL_YES = re.compile(r"^(si|yes|oui|sim|да)\b[,]? (a|al|en|para|to|for|on|the|a la|pour|na|no|в|на)\b")
# (Blanks are read possessively, and a run of them only from its first: with backtracking, tried at each of a
# thousand tabs, this took seconds — cubic in the run.)
_CONTRAST = re.compile(r"(?=[\s,;])"  # every alternative begins with a space, "," or ";": fail fast elsewhere
                       r"(?:(?:(?:(?<!\s)\s++)?[,;]\s++|(?<!\s)\s++)\b(?:but|however|although|though|whereas|pero|sin embargo|"
                       r"aunque|mais|cependant|toutefois|mas|porem|entretanto|но|однако|а вот|لكن(?:نا|ني|ه|ها|هم)?|"
                       r"ولكن(?:نا|ني|ه|ها|هم)?|غير أن)\b[,]?\s*+"
                       r"|(?<!\s)\s++[-–—]\s++"  # "…10 February only - on the 11th I will be travelling"
                       r"|,\s*+(?:as|since|because|ya que|porque|puesto que|dado que|car|puisque|parce que|pois|"
                       r"porque|так как|поскольку|لأن|因为)\s++"
                       r"|[,;]\s*+(?:so|therefore|hence|por lo que|por eso|asi que|donc|alors|por isso|entao)\s++)")
_CONTRAST_WORD = re.compile(r"\b(but|however|although|pero|sin embargo|aunque|mais|cependant|mas|porem|но|однако|"
                            r"لكن(نا|ني|ه|ها|هم)?|ولكن(نا|ني|ه|ها|هم)?)\b")
_CJK_CONTRAST = re.compile(r"(?:但是|但|不过|然而|，|،)")  # Chinese and Arabic commas part clauses too
_WORD = re.compile(r"[a-z']+")

QUICK = {
    Intent.ACCEPT: {"accept", "accepted", "aceptar", "acepto", "aceptado", "accepte", "accepter", "yes", "si", "oui",
                    "sim", "attending", "confirm", "confirmed", "confirmo", "confirmado", "confirme", "asistire",
                    "participare", "je participe", "da", "да", "نعم", "是", "接受", "aceito", "aceite"},
    Intent.DECLINE: {"decline", "declined", "declinar", "rechazar", "rechazado", "refuse", "no", "non", "nao",
                     "not attending", "нет", "لا", "否", "谢绝", "拒绝", "recusar", "refuser"},
    Intent.TENTATIVE: {"tentative", "tentativo", "provisoire", "maybe", "quizas", "tal vez", "peut-etre",
                       "talvez", "provisional", "provisoirement"},
}
_QUICK_LOOKUP = {word: intent for intent, words in QUICK.items() for word in words}

# Key words matched with one typo (insertion, deletion, substitution or swap), for long enough tokens.
_TYPO_TARGETS = ("attend", "attending", "participate", "participating", "confirm", "confirmed", "confirmo",
                 "confirmamos", "asistencia", "asistire", "asistiremos", "participare", "participaremos",
                 "participacion", "participation", "participerai", "participerons", "confirme", "confirmons",
                 "sessions", "session", "sesiones", "attendance", "unfortunately", "regret", "lamentablemente",
                 "malheureusement", "presence", "presencia")


# Correct words one edit away from a key word in the middle, not at the ending ("presente" is not a typo of
# "presence"); a difference only at the ending is an inflection and never repaired (see _inflection).
_CORRECT_WORDS = {"presenca", "presente"}
_TYPO_CANDIDATES: dict[str, tuple[str, ...]] = {}
for _target in _TYPO_TARGETS:
    _TYPO_CANDIDATES[_target[0]] = (*_TYPO_CANDIDATES.get(_target[0], ()), _target)


@dataclass
class Clause:
    text: str  # folded
    original: str
    accept: bool = False
    wish: bool = False
    decline: bool = False
    tentative: bool = False
    replacement: bool = False
    cancellation: bool = False
    question: bool = False
    counterfactual: bool = False
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IntentReading:
    intent: Intent
    confidence: float
    reasons: tuple[str, ...]
    replacement: bool = False
    clauses: tuple[Clause, ...] = ()


def quick_answer(subject: str) -> Intent | None:
    """Subjects from the invitation's quick-reply links, or a bare word typed as the subject."""
    cleaned = re.sub(r"^((re|aw|rv|tr|fw|fwd|res|ответ|回复|رد)\s*[:：]\s*)+", "", fold(subject.strip()))
    head = re.split(r"\s*[:\-–|]\s*", cleaned, maxsplit=1)[0].strip().strip("!.")
    return _QUICK_LOOKUP.get(head)


# "My colleague will not attend, but I will": the verb is left out; the refusal was someone else's.
_ELLIPTICAL_SELF = re.compile(r"^(but |pero |mais |mas )?(i|we|yo|nosotros|je|nous|eu|nos|moi|я|мы)"
                              r"( too| also| certainly| definitely)? "
                              r"(will|shall|can|do|'ll|si|oui|sim|da|да|aussi|tambien|tambem|смогу|сможем)[.!]?$")
_THIRD_PARTY = re.compile(
    r"^(my|our|the) (colleague|boss|director|minister|ambassador|head|chief|deputy|assistant|counsell?or|delegate|"
    r"chair|supervisor|manager|permanent representative)s?\b|"
    r"^(mi|nuestro|nuestra|el|la) (colega|jefe|jefa|director|directora|ministro|ministra|embajador|embajadora)\b|"
    r"^(mon|ma|notre|le|la) (collegue|directeur|directrice|ministre|ambassadeur|ambassadrice|chef)\b|"
    r"^(meu|minha|nosso|nossa|o|a) (colega|chefe|diretor|diretora|ministro|ministra|embaixador|embaixadora)\b")


def _ellipses(clauses: list[Clause]) -> list[Clause]:
    """New clauses where a refusal was someone else's; the clauses read are left as they were."""
    out = list(clauses)
    for index in range(1, len(out)):
        before, clause = out[index - 1], out[index]
        if (_ELLIPTICAL_SELF.match(clause.text) and before.decline and not before.cancellation
                and _THIRD_PARTY.match(before.text)):
            out[index - 1] = replace(before, decline=False)
            out[index] = replace(clause, accept=True, evidence=[
                *clause.evidence, f"{clause.text} (after a refusal for someone else)"])
    return out


def read_intent(text: str) -> IntentReading:
    folded = fold(text)
    bare = _bare_answer(folded)
    if bare is not None:
        return IntentReading(bare, 0.85, (f"a bare '{text.strip()[:20]}' as the whole answer",))
    parts = _split(text)
    read = [_read_clause(part) for part in parts]
    clauses = _ellipses([c for c in read if c.text.strip()])
    reading = _weigh(clauses)
    if reading.intent is Intent.UNCLEAR and not any(c.question for c in clauses):
        # Nothing found: read once more with key words' typos repaired ("confimro mi aistencia"); a clause
        # with nothing to repair reads as it did.
        repaired = [c for c in (clause if _correct_typos(clause.text) == clause.text else _read_clause(part, True)
                                for part, clause in zip(parts, read, strict=True)) if c.text.strip()]
        second = _weigh(repaired)
        if second.intent is not Intent.UNCLEAR:
            return IntentReading(second.intent, min(second.confidence, 0.7),
                                 (*second.reasons, "read with spelling repaired"), second.replacement, second.clauses)
    return reading


_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "dra", "sr", "sra", "srta", "excmo", "excma", "exmo", "exma", "prof", "ing",
                  "lic", "amb", "st", "no", "nº", "n°", "mme", "mlle", "m", "h.e", "s.e", "e.s", "etc", "approx", "ca",
                  "vs", "ref", "tel", "p.ej", "e.g", "i.e", "cf", "jr", "sen", "gen", "col", "cnel", "dña", "d"}
_BREAK = re.compile(r"(?<![.!?;。！？；])[.!?;。！？；]++(?=\s)|\n+|[。！？；]")  # a run of stops read from its first


def _sentences(text: str) -> list[str]:
    """Sentences and lines, not broken after titles and initials ("Excmo. Sr. Luis", "D.A. Ataev")."""
    out: list[str] = []
    start = 0
    for match in _BREAK.finditer(text):
        if match.group(0) == ".":
            word = re.search(r"([\w.°º]+)$", text[start:match.start()])
            token = word.group(1).lower() if word else ""
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()) or re.fullmatch(r"(\w\.)+\w", token):
                continue
        out.append(text[start:match.end()])
        start = match.end()
    out.append(text[start:])
    return out


# A short closing line: what follows is a signature (names, titles, addresses), not an answer.
_CLOSING_LINE = re.compile(
    r"^\s*((best|kind|warm|warmest)?\s*(regards|wishes)|sincerely|yours( (faithfully|sincerely|truly))?|cheers|"
    r"(un )?(cordial )?saludos?( cordiales)?|atentamente|cordialmente|cordialement|bien (a|à) vous|"
    r"bien cordialement|salutations( distinguees)?|atenciosamente|cumprimentos|с уважением|مع (التحية|خالص)|此致|顺致)"
    r"[\s,.!]*$", re.I)


def _split(text: str) -> list[str]:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if index and _CLOSING_LINE.match(line):
            text = "\n".join(lines[:index])
            break
    parts: list[str] = []
    for sentence in _sentences(text):
        if not sentence or not sentence.strip():
            continue
        for half in _CONTRAST.split(sentence):
            for part in _CJK_CONTRAST.split(half):
                parts.extend(p for p in _after_yes_no(part) if p and p.strip())
    return parts


# "Wednesday yes, Thursday no": a yes or no closing a phrase ends that clause.
_AFTER_YES_NO = re.compile(r"\b(?:yes|si|sí|oui|sim|no|non|nao|não)\b(\s*[,;]\s+)", re.I)


def _after_yes_no(part: str) -> list[str]:
    pieces, start = [], 0
    for match in _AFTER_YES_NO.finditer(part):
        pieces.append(part[start:match.start(1)])
        start = match.end(1)
    pieces.append(part[start:])
    return pieces


def _read_clause(original: str, repair: bool = False) -> Clause:
    text = fold(original).strip()
    if repair:
        text = _correct_typos(text)
    if _MAY_ANSWER is not None and not _MAY_ANSWER(text):  # most clauses: greetings, addresses, small talk
        return Clause(text=text, original=original.strip(), question=_is_question(text))
    predicate = PREDICATE.search(text)
    noun = NOUN_PREDICATE.search(text)
    refusal = REFUSAL.search(text)
    clause = Clause(text=text, original=original.strip(), question=_is_question(text))
    clause.counterfactual = bool(COUNTERFACTUAL.search(text))
    hedge = HEDGE.search(text)
    cancellation = CANCELLATION.search(text) or CANCEL_OWN.search(text)
    if PERFORMATIVE.search(text) and not clause.question:
        clause.accept = True
        clause.evidence.append(PERFORMATIVE.search(text).group(0))  # type: ignore[union-attr]
        return clause
    if ELLIPTICAL_YES.match(text) and not clause.question:
        clause.accept = True
        clause.evidence.append(text[:20])
        return clause
    form = FORM_FIELD.match(text)
    if form:
        value = form.group(form.lastindex or 0)
        if _ANSWER_LABEL.fullmatch(form.group(1)):
            clause.decline = bool(_NO_VALUE.match(value))
            clause.tentative = not clause.decline and bool(_MAYBE_VALUE.match(value))
            clause.accept = not (clause.decline or clause.tentative) and bool(_YES_VALUE.match(value))
        else:
            empty = bool(_EMPTY_VALUE.match(value))
            clause.decline, clause.accept = empty, not empty
        clause.evidence.append(form.group(0)[:40])
        return clause
    elliptical = _ELLIPTICAL_NO.match(text)
    if elliptical and _SESSION_WORDS.search(elliptical.group(2)) and not clause.question:
        clause.decline = True  # "…, pero el jueves no": that session refused
        clause.evidence.append(text[:30])
        return clause
    elliptical = _ELLIPTICAL_YES_SESSION.match(text)
    if elliptical and _SESSION_WORDS.search(elliptical.group(2)) and not clause.question:
        clause.accept = True  # "Wednesday yes", "the 10th: yes"
        clause.evidence.append(text[:30])
        return clause
    registered = ALREADY_REGISTERED.search(text)
    if registered and not clause.question and not _negated(text, registered.start() + 3):
        clause.accept = True
        clause.evidence.append(registered.group(0))
        return clause
    if DEFERRAL.search(text) or ABOUT_SOMEONE_ELSE.search(text) or ACKNOWLEDGEMENT.search(text):
        return clause
    miss = MISS.search(text)
    if miss and not predicate and not clause.counterfactual:
        if _negated(text, miss.start()):
            clause.accept = True
        else:
            clause.decline = bool(re.search(r"\b(have to|has to|will|'ll|must|going to|tendr(e|emos) que|devr(ai|ons))\b",
                                            text[:miss.start()]))
        clause.evidence.append(miss.group(0))
        return clause
    if cancellation and (predicate or noun or CANCEL_OWN.search(text)):
        clause.cancellation = True
        clause.decline = True
        clause.evidence.append(cancellation.group(0))
        return clause
    not_knowing = NOT_KNOWING.search(text)
    if not_knowing and not clause.question:
        clause.tentative = True
        clause.evidence.append(not_knowing.group(0))
        return clause
    if predicate:
        negated = _negated(text, predicate.start())
        if clause.counterfactual and not negated:
            # "we would have been delighted to attend": a polite regret
            clause.decline = True
            clause.evidence.append(f"regret: {predicate.group(0)}")
            return clause
        if negated or refusal:
            if REPLACEMENT.search(text) and not negated:
                clause.replacement = True
            else:
                clause.decline = True
            clause.evidence.append((refusal or predicate).group(0))
            return clause
        if clause.question and not REGISTER_REQUEST.search(text):
            return clause
        if hedge and _ABOUT_DETAILS.search(text[max(0, hedge.start() - 25):hedge.start()]):
            hedge = None  # "names TBC", "link to follow": the details are pending, not the attendance
        if hedge:
            clause.tentative = True
            clause.evidence.append(hedge.group(0))
            return clause
        if REPLACEMENT.search(text):
            clause.replacement = True
        elif BARE_VERB.fullmatch(predicate.group(0)) and not (
                CONFIRM.search(text) or COMMITTED.search(text) or REGISTER_REQUEST.search(text)):
            clause.wish = bool(WISH.search(text))  # "me encantaría participar": a wish, no commitment yet
            return clause  # "Join us for our webinar", "Click to participate": no one commits to anything
        clause.accept = True
        clause.wish = bool(WISH.search(text))
        clause.evidence.append(predicate.group(0))
        return clause
    refusal = refusal or CONFLICT_REFUSAL.search(text)
    if refusal and not clause.counterfactual:
        clause.decline = True
        clause.evidence.append(refusal.group(0))
        return clause
    if noun and CONFIRM.search(text) and not clause.question:
        if _negated(text, noun.start()):
            clause.tentative = bool(hedge)
            clause.decline = not hedge
        elif hedge:
            clause.tentative = True
        else:
            clause.accept = True
        clause.evidence.append(noun.group(0))
        return clause
    if hedge and _MODAL_ONLY.fullmatch(hedge.group(0).strip()):  # "I may watch later": about something else
        hedge = _answer_hedge(text)
    if hedge and not clause.question and _about_answer(text):
        clause.tentative = True
        clause.evidence.append(hedge.group(0))
    elif REGISTER_REQUEST.search(text):
        clause.accept = True
        clause.evidence.append(REGISTER_REQUEST.search(text).group(0))  # type: ignore[union-attr]
    return clause


def _is_question(text: str) -> bool:
    return text.endswith("?") or text.startswith("¿") or (bool(QUESTION_START.match(text)) and "?" in text)


def _gate(checks: tuple[Lexicon | re.Pattern[str], ...]) -> Callable[[str], object] | None:
    found: set[str] = set()
    for check in checks:
        each = check.needles if isinstance(check, Lexicon) else needles(check.pattern)
        if each is None:
            return None  # a check that needs no fixed text: every clause is read in full
        found |= each
    return Needles(frozenset(found)).found


# "I won't fail to attend", "je ne manquerai pas d'y assister": two negatives that affirm.
AFFIRMING_NEGATION = _rx(r"\b(won't|will not|wouldn't|would not) (fail|miss)\b",
                         r"\b(can't|cannot|can not|can hardly|could not|couldn't) wait\b",
                         r"\bnothing would (please|delight|honou?r|make) (me|us)\b",
                         r"\b(nao vejo a hora|no veo la hora|no puedo esperar|no podemos esperar)\b",
                         r"(не терпится|жду не дождусь|ждем не дождемся)", r"\bne manquer\w* pas\b",
                         r"\bno (dejar|faltar)\w*\b", r"\bnao deixar\w* de\b", r"\bне премин\w*")


def _negated(text: str, position: int) -> bool:
    """A negation in the few words before the predicate (ne … pas, no podré, will not, не сможет, 无法)."""
    window = text[max(0, position - 45):position]
    if AFFIRMING_NEGATION.search(window):
        return False
    if NEGATION.search(window):
        # "not only" and "no problem" are not refusals.
        return not re.search(r"\bnot only\b|\bno (solo|solamente|unicamente)\b|\bnon seulement\b|\bnao (so|apenas)\b|"
                             r"\bno (problem|doubt)\b|\bsin (problema|duda)\b|\bpas de (souci|probleme)\b|"
                             r"\bsem problema\b|\bno hay problema\b|\bsin falta\b", window)
    after = text[position:position + 25]
    return bool(re.search(r"^\S+\s+pas\b", after))  # "je participerai pas" (spoken French)


_ABOUT_DETAILS = re.compile(r"\b(names?|nombres?|noms?|nomes?|link|enlace|lien|details|detalles|details|list)\b")


# Modal words hedge a verb: without an attendance verb in the clause they say nothing about the answer.
_MODAL_ONLY = re.compile(r"(may|might|perhaps|maybe|possibly|probably|(most |very |quite )?likely|hope to|hoping to|"
                         r"try(ing)? to|will try|quizas?|tal vez|a lo mejor|posiblemente|probablemente|peut-etre|"
                         r"probablement|talvez|provavelmente|возможно|вероятно|ربما|可能)")


_ELLIPTICAL_NO = re.compile(r"^(but |pero |mais |mas |and |y |et |e )?([^,;:]{2,30}?)[,:]? (no|not|non|nao|pas)[.!]?$")
_ELLIPTICAL_YES_SESSION = re.compile(r"^(and |y |et |e )?([^,;:]{2,30}?)[,:]? (yes|si|oui|sim|да)[.!]?$")


def _answer_hedge(text: str) -> re.Match[str] | None:
    """The first hedge in `text` that is not a bare modal word."""
    position = 0
    while (found := HEDGE.search(text[position:])) is not None:
        if not _MODAL_ONLY.fullmatch(found.group(0).strip()):
            return found
        position += max(1, found.end())
    return None


def _about_answer(text: str) -> bool:
    """A hedge counts without a predicate when it is about the answer itself ('not sure yet', 'TBC')."""
    return not re.search(r"\b(name|names|nombre|nombres|nom|noms|nome|nomes|link|enlace|lien)\b", text)


def _inflection(word: str, target: str) -> bool:
    """Words that differ only at their ending are forms of one word ("participar"/"participare",
    "confirma"/"confirmo"), not a typo of each other: repairing would change what was said."""
    return target.startswith(word) or word.startswith(target) or word[:-1] == target[:-1]


def _correct_typos(text: str) -> str:
    """Replace words one edit away from a key word ("confimro" -> "confirmo", "attnd" -> "attend")."""
    words = _WORD.findall(text)
    for word in words:
        if len(word) < 5 or word in _TYPO_TARGETS or word in _CORRECT_WORDS:
            continue
        for target in _TYPO_CANDIDATES.get(word[0], ()):
            if abs(len(target) - len(word)) <= 1 and not _inflection(word, target) and _one_edit(word, target):
                text = re.sub(rf"\b{re.escape(word)}\b", target, text)
                break
    return text


def _one_edit(a: str, b: str) -> bool:
    if a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]]
                                   and a[diffs[1]] == b[diffs[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


# "Yes, we received it": a yes about the mail, not about the meeting.
_RECEIPT = re.compile(r"\b(received|receipt|got it|noted|recibid[oa]s?|recibimos|recu|recue|recebid[oa]s?|recebemos|"
                      r"получили|получено)\b")


_REGRET_ADVERB = re.compile(r"^(sadly|unfortunately|regretfully|alas|lamentablemente|desafortunadamente|"
                            r"malheureusement|infelizmente)[,;:]?\s+(?=(no|not|non|nao|pas)\b)")


def _bare_answer(folded: str) -> Intent | None:
    lines = [line.strip(" \t.,!") for line in folded.splitlines() if line.strip()]
    if not lines or len(lines) > 3:
        return None
    first = _REGRET_ADVERB.sub("", lines[0])  # "Sadly not this time": the adverb does not change the answer
    short = len(folded.split()) <= 10
    if short and _LEADING_YES.match(first) and not (NEGATION.search(first[4:]) or _CONTRAST_WORD.search(first)
                                                     or _RECEIPT.search(first)):
        return Intent.ACCEPT
    if short and _LEADING_NO.match(first) and not _CONTRAST_WORD.search(first):
        return Intent.DECLINE
    if first in BARE_YES or first.strip(".!") in BARE_YES:
        return Intent.ACCEPT if len(lines) == 1 or len(" ".join(lines[1:])) < 40 else None
    if first in BARE_NO:
        return Intent.DECLINE if len(lines) == 1 or len(" ".join(lines[1:])) < 40 else None
    return None


def _weigh(clauses: list[Clause]) -> IntentReading:
    accepts = [c for c in clauses if c.accept]
    declines = [c for c in clauses if c.decline]
    tentatives = [c for c in clauses if c.tentative]
    replacements = [c for c in clauses if c.replacement]
    cancellations = [c for c in clauses if c.cancellation]

    def why(kind: str, chosen: list[Clause]) -> tuple[str, ...]:
        return tuple(f"{kind}: '{c.evidence[0] if c.evidence else c.original[:40]}'" for c in chosen[:2])

    if replacements and (declines or accepts or replacements):
        return IntentReading(Intent.ACCEPT, 0.85, why("representative named", replacements)
                             + why("refusal for another", declines), replacement=bool(declines), clauses=tuple(clauses))
    if cancellations and not accepts:
        return IntentReading(Intent.DECLINE, 0.9, why("cancellation", cancellations), clauses=tuple(clauses))
    if declines and accepts and all(c.wish for c in accepts):
        return IntentReading(Intent.DECLINE, 0.8, why("wish outweighed by refusal", declines), clauses=tuple(clauses))
    clash = [b for a, b in pairwise(clauses)
             if a.wish and not (b.accept or b.decline) and _CLASH.search(b.text)]
    if clash and all(c.wish for c in accepts) and not declines and not _split_by_session(accepts, clash):
        return IntentReading(Intent.DECLINE, 0.7, why("wish outweighed by a clash", clash), clauses=tuple(clauses))
    if declines and accepts and _other_mode(accepts, declines):
        return IntentReading(Intent.ACCEPT, 0.75, why("attends", accepts) + why("another way than", declines),
                             clauses=tuple(clauses))
    if declines and accepts:
        return IntentReading(Intent.ACCEPT if _split_by_session(accepts, declines) else Intent.UNCLEAR,
                             0.6 if _split_by_session(accepts, declines) else 0.4,
                             why("accepts", accepts) + why("and refuses", declines), clauses=tuple(clauses))
    if declines:
        return IntentReading(Intent.DECLINE, 0.9 if len(declines) > 1 or not tentatives else 0.7,
                             why("refusal", declines), clauses=tuple(clauses))
    if tentatives and not accepts:
        return IntentReading(Intent.TENTATIVE, 0.75, why("hedged", tentatives), clauses=tuple(clauses))
    if accepts and tentatives:
        hedged_attendance = [c for c in tentatives if PREDICATE.search(c.text)]
        if hedged_attendance:
            return IntentReading(Intent.TENTATIVE, 0.6, why("hedged", hedged_attendance), clauses=tuple(clauses))
        return IntentReading(Intent.ACCEPT, 0.75, why("acceptance", accepts), clauses=tuple(clauses))
    if accepts:
        return IntentReading(Intent.ACCEPT, 0.9, why("acceptance", accepts), clauses=tuple(clauses))
    return IntentReading(Intent.UNCLEAR, 0.3, ("no answer found in the new text",), clauses=tuple(clauses))


_SESSION_WORDS = re.compile(r"\b(session|sesion|seance|sessao|day|dia|jour|first|second|primera|segunda|premiere|"
                            r"deuxieme|\d{1,2}(st|nd|rd|th|er)?|monday|tuesday|wednesday|thursday|friday|lunes|martes|"
                            r"miercoles|jueves|viernes|lundi|mardi|mercredi|jeudi|vendredi|lendemain)\b")


_IN_PERSON = re.compile(r"\b(in person|physically|travel|en persona|presencial(mente)?|viajar|en personne|physiquement|"
                        r"me deplacer|nous deplacer|venir|pessoalmente|presencialmente)\b|лично|очно|приехать|"
                        r"现场|线下|شخصيا|حضوريا")
_REMOTE = re.compile(r"\b(online|on-line|virtual(ly|mente)?|remote(ly)?|by video|via (zoom|teams|webex)|en linea|"
                     r"a distancia|en ligne|a distance|remotamente)\b|онлайн|дистанционно|удаленно|线上|在线|视频|"
                     r"عبر الإنترنت|افتراضيا|عن بعد")


def _other_mode(accepts: list[Clause], declines: list[Clause]) -> bool:
    """'We cannot attend in person but will join online': one way of attending refused, another taken."""
    return (all(_IN_PERSON.search(c.text) for c in declines) and any(_REMOTE.search(c.text) for c in accepts)) or (
        all(_REMOTE.search(c.text) for c in declines) and any(_IN_PERSON.search(c.text) for c in accepts))


def _split_by_session(accepts: list[Clause], declines: list[Clause]) -> bool:
    """'I can join on the 10th but not on the 11th': each side names a session."""
    return any(_SESSION_WORDS.search(c.text) for c in declines) and any(
        _SESSION_WORDS.search(c.text) for c in accepts)


# Every check by which _read_clause can find something in a clause (the others are consulted only after one of
# these has matched). A clause holding none of their needles is read at once as saying nothing (_MAY_ANSWER); a
# check added to _read_clause must be added here (tests/unit/test_fast_paths.py holds the two together).
CLAUSE_CHECKS: tuple[Lexicon | re.Pattern[str], ...] = (
    PREDICATE, NOUN_PREDICATE, REFUSAL, CONFLICT_REFUSAL, COUNTERFACTUAL, HEDGE, CANCELLATION, CANCEL_OWN,
    PERFORMATIVE, ELLIPTICAL_YES, FORM_FIELD, _ELLIPTICAL_NO, _ELLIPTICAL_YES_SESSION, ALREADY_REGISTERED, MISS,
    NOT_KNOWING, REGISTER_REQUEST)
_MAY_ANSWER: Callable[[str], object] | None = _OnFirstUse(lambda: _gate(CLAUSE_CHECKS) or (lambda text: True))
