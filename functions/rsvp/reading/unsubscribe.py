"""'Unsubscribe', 'no more emails': the invitee wants no reminders (their RSVP is a separate matter).

The words are language data: `lexicon/<language>/unsubscribe.yaml` (categories `leading` and `phrases`)."""

from __future__ import annotations

from .lexicon import matcher
from .matching import fold

_LEADING = matcher("unsubscribe", "leading")
_PHRASES = matcher("unsubscribe", "phrases")


def _asks(text: str) -> bool:
    return _LEADING(text) or _PHRASES(text)


def asks_to_unsubscribe(subject: str, text: str) -> bool:
    return _asks(fold(subject)) or _asks(fold(text[:1500]))
