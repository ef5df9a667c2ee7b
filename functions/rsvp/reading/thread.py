"""A later message in a thread that changes the delegation an earlier one gave ("Ms X will replace Mr Y", "in
addition, please register Col. Z", "Mr W can no longer attend"): the delegation as it stands after it.

The earlier answer is the writer's own message quoted under the new text, or under the desk's message the new text
answers (a clarification quoting it); never the desk's own words. Its people
stay unless the new text takes them out: named in a refusal ("Mr Y cannot attend after all") or after an
instead-of word ("in place of", "reemplazará al", "вместо", "محل", "代替"); those the new text names are added or
kept as the new text writes them. A new text that lists the delegation again in full is read alone.
"""

from __future__ import annotations

import re

from ..domain.rsvp import Intent
from .intent import read_intent
from .lexicon import Compiled, placed
from .matching import Gate, fold
from .people import named_people
from .quotes import earlier_message

_ADDRESS = re.compile(r"[\w.+\-]+@([\w\-]+(?:\.[\w\-]+)+)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•·–]|\d{1,2}[.)])\s+\S", re.M)
_TAKEN_OUT = Compiled(lambda: "|".join(placed("writer", "instead_of") + placed("writer", "removal")), re.I)
_REMOVED = Compiled(lambda: "|".join(placed("writer", "removal")), re.I)
_MAY_TAKE_OUT, _MAY_REMOVE = Gate(_TAKEN_OUT), Gate(_REMOVED)
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Words after "in place of" or "remove" in which the one replaced or taken off is named, up to the phrase's end.
_WORDS_AFTER = 6
_PHRASE_END = re.compile(r"[,;:،，；：。!?\n]")


def as_it_stands(full_text: str, new: str, people: list[str], refused: str, mailbox: str) -> list[str] | None:
    """The delegation after this message, when it changes one the writer gave in the message it quotes; None when
    it quotes no earlier answer of theirs, or lists its delegation in full again."""
    if len(_LIST_ITEM.findall(new)) >= 2 or "\t" in new:
        return None
    # (the earlier answer may stand under the desk's own question about it: "Which sessions will Ms X attend?")
    _, earlier = earlier_message(full_text, unless=lambda who: _ours(who, mailbox), through=lambda who: _ours(
        who, mailbox))
    if not earlier:
        return None
    before = named_people(earlier)
    if not before or read_intent(earlier).intent is not Intent.ACCEPT:
        return None
    replaced = _taken_out(new)
    standing: list[str] = []
    out = fold(refused)
    for person in before:
        if _named_in(person, out) or _named_in(person, replaced):
            continue  # taken out, or replaced
        standing.append(next((p for p in people if _same_person(p, person)), person))  # as the new text names them
    return standing + [p for p in people if p not in standing and not (_named_in(p, out) or _named_in(p, replaced))]


def taken_out(text: str, people: list[str]) -> list[str]:
    """Those of `people` the text takes off the delegation ("please remove Mr. Eoin Fitzgerald from our list", "favor
    eliminar al Consejero X"; one replaced is the reader's own rule, by the words that follow "instead of")."""
    if not people or not _MAY_REMOVE(fold(text)):
        return []
    out = " ".join(" ".join(_PHRASE_END.split(fold(text[m.end():]), maxsplit=1)[0].split()[:_WORDS_AFTER])
                   for m in _REMOVED.finditer(text))
    return [p for p in people if _named_in(p, out)] if out else []


def answers_our_question(full_text: str, mailbox: str) -> bool:
    """Does the message quoted under the new text come from the desk and ask something ("Could you tell us the name of
    the person who will connect?")?"""
    who, earlier = earlier_message(full_text)
    return _ours(who, mailbox) and ("?" in earlier or "？" in earlier or "؟" in earlier)


def _ours(who: str, mailbox: str) -> bool:
    """The quoted message is the desk's own (the invitation, a confirmation): it came from the mailbox's domain (the
    first address of its attribution or header block is its sender's; those after it, its recipients')."""
    domain = mailbox.rsplit("@", 1)[-1].lower()
    sender = _ADDRESS.search(who)
    return sender is not None and (sender.group(1).lower() == domain or sender.group(1).lower().endswith("." + domain))


def _taken_out(text: str) -> str:
    """The words right after each instead-of or removal word, folded, up to the phrase's end: where the one replaced
    or taken off is named ("reemplazará al Sr. Andrés Durán, quien…", "вместо первого секретаря Е.С. Беловой в
    работе…", "please remove Mr. Eoin Fitzgerald from our list")."""
    if not _MAY_TAKE_OUT(fold(text)):
        return ""
    return " ".join(" ".join(_PHRASE_END.split(fold(text[m.end():]), maxsplit=1)[0].split()[:_WORDS_AFTER])
                    for m in _TAKEN_OUT.finditer(text))


def _key(person: str) -> str:
    """What names a person in another sentence: a Chinese name's first two characters (its titles follow it), else
    the surname, folded."""
    bare = re.split(r"[,،(]", person)[0].strip()
    if _HAN.search(bare):
        return "".join(_HAN.findall(bare))[:2]
    words = fold(bare).split()
    return words[-1].strip(".") if words else ""


def _named_in(person: str, folded: str) -> bool:
    key = _key(person)
    if len(key) < 2 or not folded:
        return False
    if _HAN.match(key):
        return key in folded
    if len(key) >= 5 and not key.isascii():  # Russian surnames decline: "Белова", "вместо … Беловой"
        return re.search(rf"(?<!\w)[وبل]?{re.escape(key[:-1])}\w{{0,3}}(?!\w)", folded) is not None
    return re.search(rf"(?<!\w)[وبل]?{re.escape(key)}(?!\w)", folded) is not None


def _same_person(a: str, b: str) -> bool:
    return _key(a) == _key(b) and bool(_key(a))
