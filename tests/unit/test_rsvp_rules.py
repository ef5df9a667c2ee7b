"""The rules that decide what a reply changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from rsvp.domain.rsvp import Answer, Intent, InviteeState, Outcome, Response, Status, decide_reply
from tests.conftest import ZURICH

CUTOFF = datetime(2021, 2, 8, 18, 0, tzinfo=ZURICH)
T = datetime(2021, 1, 20, 9, 0, tzinfo=ZURICH)


def decide(state: InviteeState, intent: Intent, written: datetime = T, received: datetime | None = None,
           key: str = "k2", sessions: tuple[str, ...] | None = None) -> object:
    return decide_reply(state=state, intent=intent, sessions=sessions, attendees=("Ms A",), attendee_count=None,
                        written_at=written, received_at=received or written,
                        in_time=(received or written) <= CUTOFF, message_key=key)


def accepted(written: datetime, key: str = "k1") -> InviteeState:
    return InviteeState("a@x.org", Answer(Status.ACCEPTED, None, ("Ms A",), 1, written, key))


def test_a_first_answer_is_recorded_and_confirmed() -> None:
    decision = decide(InviteeState("a@x.org"), Intent.ACCEPT, sessions=("day1",))
    assert (decision.outcome, decision.response) == (Outcome.RECORDED, Response.CONFIRMATION)
    assert decision.answer.sessions == ("day1",) and decision.answer.attendee_count == 1


def test_a_decline_carries_no_attendees_or_sessions() -> None:
    decision = decide(accepted(T - timedelta(days=1)), Intent.DECLINE, sessions=("day1",))
    assert decision.outcome is Outcome.RECORDED
    assert (decision.answer.status, decision.answer.sessions, decision.answer.attendees,
            decision.answer.attendee_count) == (Status.DECLINED, None, (), 0)


def test_an_older_message_does_not_overwrite_a_newer_answer() -> None:
    decision = decide(accepted(T), Intent.DECLINE, written=T - timedelta(hours=1))
    assert (decision.outcome, decision.response, decision.answer) == (Outcome.SUPERSEDED, Response.NONE, None)


def test_lateness_is_judged_on_arrival_not_on_processing() -> None:
    on_time = decide(InviteeState("a@x.org"), Intent.ACCEPT, written=CUTOFF - timedelta(minutes=1),
                     received=CUTOFF)
    late = decide(InviteeState("a@x.org"), Intent.ACCEPT, written=CUTOFF - timedelta(minutes=1),
                  received=CUTOFF + timedelta(seconds=1))
    assert on_time.outcome is Outcome.RECORDED
    assert (late.outcome, late.response, late.answer) == (Outcome.TOO_LATE, Response.CLOSED, None)


def test_an_unclear_reply_asks_for_clarification_at_most_once_a_day() -> None:
    fresh = decide(InviteeState("a@x.org"), Intent.UNCLEAR)
    asked = InviteeState("a@x.org", clarify_sent_at=T - timedelta(hours=3))
    again = decide(asked, Intent.UNCLEAR)
    day_later = decide(asked, Intent.UNCLEAR, written=T + timedelta(hours=22))
    assert (fresh.outcome, fresh.response) == (Outcome.UNCLEAR, Response.CLARIFY)
    assert (again.outcome, again.response) == (Outcome.UNCLEAR, Response.NONE)
    assert day_later.response is Response.CLARIFY


def test_a_retried_message_decides_as_the_first_attempt_did() -> None:
    state = accepted(T, key="k2")
    decision = decide(state, Intent.ACCEPT, key="k2")
    assert (decision.outcome, decision.response) == (Outcome.RECORDED, Response.CONFIRMATION)
    assert decision.answer == state.answer


def test_the_same_answer_again_is_unchanged_but_still_confirmed() -> None:
    decision = decide(accepted(T - timedelta(days=1)), Intent.ACCEPT)
    assert (decision.outcome, decision.response) == (Outcome.UNCHANGED, Response.CONFIRMATION)
