"""Screen: why a message is not an invitee's answer, as one hierarchy (Discourse's receiver reads the same way).

Each rejection carries its `Outcome` (with the sentence organisers read) and its reasons, and says whether it
goes to the review queue and whether it is kept in the history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ...domain.rsvp import Outcome

if TYPE_CHECKING:
    from ...reading import Reading


class NotAnAnswer(Exception):
    outcome = Outcome.MALFORMED
    reviewed = True  # an organiser should look at it
    kept_in_history = False  # a line in the history (of the invitee, or unmatched)

    def __init__(self, reasons: Iterable[str] = (), outcome: Outcome | None = None, reading: Reading | None = None
                 ) -> None:
        self.reasons = tuple(reasons)
        self.reading = reading  # what the reader made of it, when it got that far
        if outcome is not None:
            self.outcome = outcome
        super().__init__("; ".join((self.outcome.explanation, *self.reasons)))


class Quarantined(NotAnAnswer):
    """Our receiving server's scan condemned it: never read, recorded or answered."""

    outcome = Outcome.QUARANTINED


class Unreadable(NotAnAnswer):
    outcome = Outcome.MALFORMED


class Automatic(NotAnAnswer):
    """An out-of-office or other machine's mail: kept in the invitee's history, never answered or reviewed."""

    outcome = Outcome.AUTO_REPLY
    reviewed = False
    kept_in_history = True


class NotForAnyMeeting(NotAnAnswer):
    """Reached no meeting (no mailbox of ours, no tag): reviewed when its outcome says so, not in any history."""

    outcome = Outcome.UNROUTED

    def __init__(self, reasons: Iterable[str] = (), outcome: Outcome | None = None) -> None:
        super().__init__(reasons, outcome)
        self.reviewed = self.outcome.needs_review


class NotFromAnInvitee(NotAnAnswer):
    """Unknown sender, unverified sender (possible spoofing), a tag we did not issue: reviewed, and kept unmatched."""

    outcome = Outcome.UNKNOWN_SENDER
    kept_in_history = True
