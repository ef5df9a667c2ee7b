"""The send claim (SEND#sending#email) as a contract: the in-memory fake and DynamoDB on moto answer alike.

A send is claimed, handed to SES, then finished; an attempt that dies in between leaves a claim that the next
attempt reads. These are the rules the desk's exactly-once sending rests on, so both adapters are held to them.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from moto import mock_aws

from rsvp.adapters.aws import aws_clients
from rsvp.adapters.dynamodb import DynamoRepository
from rsvp.domain.sending import ClaimState
from rsvp.local.stack import provision
from rsvp.ports import Repository
from tests.fakes import InMemoryRepository

T0 = datetime(2021, 1, 20, 9, 0, tzinfo=UTC)
STALE = 600
M, E, S = "meeting-1", "desarme@mission-peru.example.org", "reply-abc"


@pytest.fixture(params=["fake", "dynamodb"])
def repo(request: pytest.FixtureRequest) -> Iterator[Repository]:
    if request.param == "fake":
        yield InMemoryRepository()
        return
    with mock_aws():
        clients = aws_clients("eu-west-1")
        stack = provision(clients, region="eu-west-1", mailbox="registration@rsvp.example.org",
                          sender="registration@rsvp.example.org", name="contract")
        yield DynamoRepository(clients.dynamodb.Table(stack.table_name), 0)


def later(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_send_is_claimed_once_and_finished_once(repo: Repository) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED
    assert repo.claim_send(M, E, S, later(1), STALE) is ClaimState.IN_FLIGHT
    assert repo.hand_over(M, E, S, T0, later(1))
    repo.finish_send(M, E, S, later(2), ["<a@rsvp.example.org>", "ses-1"], "confirmation")
    assert repo.claim_send(M, E, S, later(3), STALE) is ClaimState.SENT
    assert repo.claim_send(M, E, S, later(3 + STALE * 2), STALE, resend_stale=False) is ClaimState.SENT


def test_a_claim_given_back_before_sending_is_claimed_again_at_once(repo: Repository) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED
    assert repo.release_send(M, E, S, T0, "throttled before sending")
    assert repo.claim_send(M, E, S, later(1), STALE, resend_stale=False) is ClaimState.CLAIMED


def test_only_the_attempt_that_holds_the_claim_can_give_it_back_or_hand_it_over(repo: Repository) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED
    assert repo.claim_send(M, E, S, later(STALE + 1), STALE) is ClaimState.CLAIMED  # a stale claim taken over
    assert not repo.release_send(M, E, S, T0, "the first attempt, back from the dead")
    assert not repo.hand_over(M, E, S, T0, later(STALE + 2))
    assert repo.claim_send(M, E, S, later(STALE + 3), STALE) is ClaimState.IN_FLIGHT  # still the second's


def test_a_stale_claim_never_handed_to_ses_is_taken_over_even_for_at_most_once(repo: Repository) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED  # then died before handing it over
    assert repo.claim_send(M, E, S, later(STALE - 1), STALE, resend_stale=False) is ClaimState.IN_FLIGHT
    assert repo.claim_send(M, E, S, later(STALE + 1), STALE, resend_stale=False) is ClaimState.CLAIMED


def test_a_stale_claim_handed_to_ses_and_never_confirmed_is_unconfirmed_unless_resending_is_allowed(
        repo: Repository) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED
    assert repo.hand_over(M, E, S, T0, later(1))  # then died while SES held it
    assert repo.claim_send(M, E, S, later(STALE - 1), STALE, resend_stale=False) is ClaimState.IN_FLIGHT
    assert repo.claim_send(M, E, S, later(STALE + 1), STALE, resend_stale=False) is ClaimState.UNCONFIRMED
    assert repo.claim_send(M, E, S, later(STALE + 2), STALE) is ClaimState.CLAIMED  # an invitation may go again
    assert repo.claim_send(M, E, S, later(STALE * 3), STALE, resend_stale=False) is ClaimState.CLAIMED


def test_ses_confirming_a_handed_over_send_settles_it_as_sent(repo: Repository) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED
    assert repo.hand_over(M, E, S, T0, later(1))
    repo.confirm_send(M, E, S, "ses-1", later(2))  # SES's Send event, while the attempt is dead
    assert not repo.release_send(M, E, S, T0, "too late: SES has it")
    assert repo.claim_send(M, E, S, later(STALE + 1), STALE, resend_stale=False) is ClaimState.SENT


def test_a_refused_send_stays_refused(repo: Repository) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED
    repo.fail_send(M, E, S, "MessageRejected", retryable=False)
    assert repo.claim_send(M, E, S, later(1), STALE) is ClaimState.REJECTED
    assert not repo.release_send(M, E, S, T0, "nothing to give back")


def test_an_answer_with_sessions_per_person_is_kept_whole(repo: Repository) -> None:
    from rsvp.domain.invitees import Category, Invitee
    from rsvp.domain.meeting import load_meeting
    from rsvp.domain.records import InviteeRecord, InviteeState
    from rsvp.domain.rsvp import Answer, Status
    from tests.conftest import ROOT

    meeting = load_meeting(ROOT / "tests" / "fixtures" / "meetings" / "mine-free-americas-2021.yaml")
    invitee = Invitee(E, "Desarme", "Peru", "es", Category.STATE)
    repo.save_meeting(meeting, [InviteeRecord(meeting.id, invitee, "abcdefgh23456789", InviteeState(E))])
    answer = Answer(Status.ACCEPTED, None, ("Lic. Carmen Soto", "Ing. Raúl Méndez"), 2, T0, "inbound/1",
                    attendee_sessions=(("Lic. Carmen Soto", ("day1",)), ("Ing. Raúl Méndez", ("day2",))))
    assert repo.write_answer(meeting.id, E, answer)
    record = repo.get_invitee(meeting.id, E)
    assert record is not None and record.state.answer == answer
    assert record.state.answer.sessions_of("Ing. Raúl Méndez") == ("day2",)
