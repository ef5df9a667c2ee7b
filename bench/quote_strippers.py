"""Which quote stripper keeps the sender's answer best? Ours vs email-reply-parser vs mail-parser-reply.

Each stripper gets the same decoded body; our intent reader then reads what is left. A stripper is as
good as the answers it preserves (intent accuracy) and the quoted invitation it removes (leaks).

    python -m bench.quote_strippers
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rsvp.reading.intent import read_intent
from rsvp.reading.mime import parse_message
from rsvp.reading.quotes import new_text

from .corpora import replies

# Phrases of the invitations the corpus answers: if they survive, the quote leaked.
_INVITATION = re.compile(r"kindly confirm your participation|les rogamos confirmar|nous vous saurions gr|"
                         r"have the pleasure to invite|tenemos el agrado|The Presidency of the 15th", re.I)


def strippers() -> dict[str, Callable[[str], str]]:
    from email_reply_parser import EmailReplyParser
    from mailparser_reply import EmailReplyParser as MultilingualReplyParser

    multilingual = MultilingualReplyParser(languages=["en", "es", "fr", "de", "it", "zh"])
    return {
        "rsvp-desk (ours)": new_text,
        "email-reply-parser 0.5": EmailReplyParser.parse_reply,
        "mail-parser-reply": multilingual.parse_reply,
    }


def main() -> None:
    samples = [s for s in replies() if s.expect and s.expect["kind"] == "reply"]
    bodies = [(s, parse_message(s.raw).text) for s in samples]
    print(f"{len(samples)} labelled replies; intent read by rsvp-desk's reader from each stripper's output\n")
    print(f"{'stripper':26} {'intent ok':>10} {'empty':>6} {'quote leaks':>12}")
    for name, strip in strippers().items():
        ok = empty = leaks = 0
        for sample, body in bodies:
            try:
                kept = strip(body) or ""
            except Exception:
                kept = ""
            empty += not kept.strip()
            leaks += bool(_INVITATION.search(kept))
            ok += read_intent(kept).intent.value == sample.expect["intent"]  # type: ignore[index]
        print(f"{name:26} {ok / len(bodies):>10.3f} {empty:>6} {leaks:>12}")


if __name__ == "__main__":
    main()
