"""The intent rules' vocabulary, as compiled patterns read from the language folders on first use
(lexicon/<xx>/intent.yaml; lexicon/schema.yaml describes each category), and the clause a rule reads.
No word of any language is here: only which categories make which pattern."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ..domain.rsvp import Intent
from .lexicon import Compiled, alternation, patterns, placed, words
from .matching import Lexicon

# ---------------------------------------------------------------------- the language data (lexicon/<xx>/intent.yaml)
# Every word and phrase below is read from the language folders on first use (lexicon/schema.yaml, area "intent",
# describes each category); this module holds only how they are weighed.
AREA = "intent"


def _alt(*categories: str) -> str:
    """The categories' entries as one alternation, for a pattern that sets them in a structure of its own."""
    return "(?:" + "|".join(alternation(AREA, category) for category in categories) + ")"


def _any(*categories: str) -> str:
    """The categories' entries, each set as it matches (whole words, from a word's start, anywhere, at the start)."""
    return "|".join(p for category in categories for p in placed(AREA, category))


@functools.cache
def _words(category: str) -> frozenset[str]:
    return frozenset(words(AREA, category))


PREDICATE = Lexicon("predicate")  # nouns need a confirming verb (see NOUN_PREDICATE)
NOUN_PREDICATE = Lexicon("noun_predicate")
CONFIRM = Lexicon("confirm")
NEGATION = Lexicon("negation")
REFUSAL = Lexicon("refusal")  # words that refuse on their own, with no predicate in sight
NOT_KNOWING = Lexicon("not_knowing")  # the negation is about knowing: it hedges, never refuses
HEDGE = Lexicon("hedge", "provisional")
PROVISIONAL = Lexicon("provisional")  # "pencil us in", "tentativamente": a hedge that itself puts someone down
COUNTERFACTUAL = Lexicon("counterfactual")
CANCEL_OWN = Lexicon("cancel_own")  # taking back an earlier answer
CANCELLATION = Lexicon("cancellation")
REPLACEMENT = Lexicon("replacement")
ALREADY_REGISTERED = Lexicon("already_registered")  # registered another way: an acceptance
ACKNOWLEDGEMENT = Lexicon("acknowledgement")  # thanks for the desk's own confirmation: no new answer
DEFERRAL = Lexicon("deferral")  # the answer is put off until something is known: no answer yet
CANCEL_SOMEONE_ELSE = Lexicon("cancel_someone_else")  # "merci d'annuler son inscription": the delegation changes
DELEGATION_UNCHANGED = Lexicon("delegation_unchanged")  # "the rest of the delegation remains unchanged": it stands
ANOTHER_OCCASION = Lexicon("another_occasion")  # "we hope to join you on a future occasion": not this meeting
ABOUT_SOMEONE_ELSE = Lexicon("about_someone_else")  # a condition about the addressee says nothing of the sender
TOPIC = Lexicon("topic")  # "关于我团出席会议人员，…": what the sentence is about, not an answer
NOBODY = Lexicon("nobody")  # "no one can replace me", "некому", "nadie": no one goes instead
REGISTER_REQUEST = Lexicon("register_request")
WISH = Lexicon("wish")  # a wish, not yet a commitment; outweighed by any refusal
CONFLICT_REFUSAL = Lexicon("conflict_refusal")
COMMITTED = Lexicon("committed")  # the predicate itself commits
PERFORMATIVE = Lexicon("performative")  # answers with no attendance verb: "I confirm."
AFFIRMING_NEGATION = Lexicon("affirming_negation")  # two negatives that affirm
CORRECTION = Lexicon("correction")  # "Actually, …", "Corrijo:": what follows takes back what came before
WHATEVER_HAPPENS = Compiled(lambda: _any("whatever_happens"))  # "in any case": the condition decides who, not whether
CONDITION = Lexicon("condition")  # "if the visa arrives": what it governs is not yet committed
INVITATION_BEFORE = Compiled(lambda: _any("invitation_before"))  # "your invitation to attend": the invitation's words
REPLACES = Lexicon("replaces")  # "Mr X will replace Ms Y": someone takes another's place
DISCLAIMER = Lexicon("disclaimer")  # "not that we aren't interested, but…": said only before a no
MISS = Compiled(lambda: _any("miss"))
_OBLIGATION = Compiled(lambda: _any("obligation"))  # "I will have to miss it": the miss refuses
# Inline or form-style answers: "Participant: Mr. X", "Sessions: both", "Attending: yes".
FORM_FIELD = Compiled(lambda: r"^\s*(?P<label>" + _alt("list_fields", "answer_fields") + r")\s*[:：]\s*(?P<value>\S.*)$")
# Fields that take an answer, not a list: their value must say yes, no or maybe.
_ANSWER_LABEL = Compiled(lambda: _alt("answer_fields"))
_YES_VALUE = Compiled(lambda: "^(?:" + "|".join(patterns(AREA, "yes_values"))
                      + r"|\d{1,2}\b(?![-./:]\d))")  # a count, not "RSVP: 993-8586" (a phone)
_NO_VALUE = Compiled(lambda: _any("no_values"))
_MAYBE_VALUE = Compiled(lambda: _any("maybe_values"))
_EMPTY_VALUE = Compiled(lambda: _any("empty_values"))
QUESTION_START = Compiled(lambda: _any("question_openers"))
INDIRECT_QUESTION = Lexicon("indirect_questions")
# "Yes - both sessions.", "Oui, les deux jours": a yes or no word leading a short answer.
_LEADING_YES = Compiled(lambda: "^" + _alt("leading_yes") + r"\b\s*[,.!:;–—-]")
_LEADING_NO = Compiled(lambda: "^" + _alt("leading_no") + r"\b\s*[,.!:;–—-](?!\s*" + _alt("no_trouble") + ")")
# A clash named right after a wish: "I would like to attend but I have a prior commitment" is a polite regret.
_CLASH = Lexicon("clash")
_WELL_WISHING = Lexicon("well_wishing")
_REGRET = Lexicon("regret_adverbs")
# Bare verbs commit no one by themselves ("to participate", "join us"); phrases like "count me in" do.
BARE_VERB = Compiled(lambda: _alt("bare_verbs"))
# "No podré el 11, pero sí a la primera": an elliptical yes after a refusal accepts the other part.
ELLIPTICAL_YES = Compiled(lambda: "^" + _alt("yes_words") + r"\b[,]? " + _alt("elliptical_targets") + r"\b")
# (Blanks are read possessively, and a run of them only from its first: with backtracking, tried at each of a
# thousand tabs, this took seconds — cubic in the run.)
_CONTRAST = Compiled(lambda: (
    r"(?=[\s,;])"  # every alternative begins with a space, "," or ";": fail fast elsewhere
    r"(?:(?:(?:(?<!\s)\s++)?[,;]\s++|(?<!\s)\s++)\b" + _alt("contrast", "contrast_in_clauses") + r"\b[,]?\s*+"
    r"|(?<!\s)\s++[-–—]\s++"  # "…10 February only - on the 11th I will be travelling"
    r"|,\s*+" + _alt("causes") + r"\s++"
    r"|[,;]\s*+" + _alt("consequences") + r"\s++)"))
_CONTRAST_WORD = Compiled(lambda: _any("contrast"))
_CJK_CONTRAST = Compiled(lambda: _any("clause_breaks"))  # scripts written without spaces around such words
_WORD = re.compile(r"[a-z']+")
_REPLY_PREFIXES = Compiled(lambda: r"^(?:" + _alt("reply_prefixes") + r"\s*[:：]\s*)+")


@functools.cache
def _quick_lookup() -> dict[str, Intent]:
    """Subjects of the invitation's quick-reply links, and bare words typed as a subject."""
    return {word: intent for intent, category in ((Intent.ACCEPT, "quick_accept"), (Intent.DECLINE, "quick_decline"),
                                                 (Intent.TENTATIVE, "quick_tentative"))
            for word in words(AREA, category)}


@functools.cache
def _typo_candidates() -> dict[str, tuple[str, ...]]:
    """Key words matched with one typo (insertion, deletion, substitution or swap), by their first letter, in the
    order the data lists them."""
    candidates: dict[str, tuple[str, ...]] = {}
    for target in words(AREA, "typo_targets"):
        candidates[target[0]] = (*candidates.get(target[0], ()), target)
    return candidates


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
    correction: bool = False  # set when weighed (_after_correction): most messages correct nothing
    condition: bool = False  # set when needed (_condition)
    disclaimer: bool = False
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IntentReading:
    intent: Intent
    confidence: float
    reasons: tuple[str, ...]
    replacement: bool = False
    clauses: tuple[Clause, ...] = ()
