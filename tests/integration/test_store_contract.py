"""The stores as a contract: the in-memory fakes and DynamoDB on moto answer every question alike, so a spec
written on the fakes holds on AWS (rsvp.ports says what each method promises).

The send claim first: a send is claimed, handed to SES, then finished; an attempt that dies in between leaves a
claim that the next attempt reads. These are the rules the desk's exactly-once sending rests on."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from moto import mock_aws

from rsvp.adapters.aws import aws_clients
from rsvp.adapters.dynamodb import DynamoRepository
from rsvp.domain.invitees import Category, Invitee
from rsvp.domain.meeting import Meeting, load_meeting
from rsvp.domain.records import ClaimHeld, HistoryEntry, InviteeRecord, ReviewItem, Stage
from rsvp.domain.rsvp import Answer, Decision, Delivery, InviteeState, Outcome, Response, Source, Status
from rsvp.domain.sending import ClaimState, SendKind, SendState
from rsvp.local.stack import provision
from rsvp.ports import Stores
from tests.conftest import ROOT
from tests.fakes import InMemoryRepository

T0 = datetime(2021, 1, 20, 9, 0, tzinfo=UTC)
STALE = 600
M, E, S = "meeting-1", "desarme@mission-peru.example.org", "reply-abc"


@pytest.fixture(params=["fake", "dynamodb"])
def repo(request: pytest.FixtureRequest) -> Iterator[Stores]:
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


def test_a_send_is_claimed_once_and_finished_once(repo: Stores) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED
    assert repo.claim_send(M, E, S, later(1), STALE) is ClaimState.IN_FLIGHT
    assert repo.hand_over(M, E, S, T0, later(1))
    repo.finish_send(M, E, S, later(2), ["<a@rsvp.example.org>", "ses-1"], Response.CONFIRMATION)
    assert repo.claim_send(M, E, S, later(3), STALE) is ClaimState.SENT
    assert repo.claim_send(M, E, S, later(3 + STALE * 2), STALE, resend_stale=False) is ClaimState.SENT


def test_a_claim_given_back_before_sending_is_claimed_again_at_once(repo: Stores) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED
    assert repo.release_send(M, E, S, T0, "throttled before sending")
    assert repo.claim_send(M, E, S, later(1), STALE, resend_stale=False) is ClaimState.CLAIMED


def test_only_the_attempt_that_holds_the_claim_can_give_it_back_or_hand_it_over(repo: Stores) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED
    assert repo.claim_send(M, E, S, later(STALE + 1), STALE) is ClaimState.CLAIMED  # a stale claim taken over
    assert not repo.release_send(M, E, S, T0, "the first attempt, back from the dead")
    assert not repo.hand_over(M, E, S, T0, later(STALE + 2))
    assert repo.claim_send(M, E, S, later(STALE + 3), STALE) is ClaimState.IN_FLIGHT  # still the second's


def test_a_stale_claim_never_handed_to_ses_is_taken_over_even_for_at_most_once(repo: Stores) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED  # then died before handing it over
    assert repo.claim_send(M, E, S, later(STALE - 1), STALE, resend_stale=False) is ClaimState.IN_FLIGHT
    assert repo.claim_send(M, E, S, later(STALE + 1), STALE, resend_stale=False) is ClaimState.CLAIMED


def test_a_stale_claim_handed_to_ses_and_never_confirmed_is_unconfirmed_unless_resending_is_allowed(
        repo: Stores) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED
    assert repo.hand_over(M, E, S, T0, later(1))  # then died while SES held it
    assert repo.claim_send(M, E, S, later(STALE - 1), STALE, resend_stale=False) is ClaimState.IN_FLIGHT
    assert repo.claim_send(M, E, S, later(STALE + 1), STALE, resend_stale=False) is ClaimState.UNCONFIRMED
    assert repo.claim_send(M, E, S, later(STALE + 2), STALE) is ClaimState.CLAIMED  # an invitation may go again
    assert repo.claim_send(M, E, S, later(STALE * 3), STALE, resend_stale=False) is ClaimState.CLAIMED


def test_ses_confirming_a_handed_over_send_settles_it_as_sent(repo: Stores) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED
    assert repo.hand_over(M, E, S, T0, later(1))
    repo.confirm_send(M, E, S, "ses-1", later(2))  # SES's Send event, while the attempt is dead
    assert not repo.release_send(M, E, S, T0, "too late: SES has it")
    assert repo.claim_send(M, E, S, later(STALE + 1), STALE, resend_stale=False) is ClaimState.SENT


def test_a_refused_send_stays_refused(repo: Stores) -> None:
    assert repo.claim_send(M, E, S, T0, STALE) is ClaimState.CLAIMED
    repo.fail_send(M, E, S, "MessageRejected", retryable=False)
    assert repo.claim_send(M, E, S, later(1), STALE) is ClaimState.REJECTED
    assert not repo.release_send(M, E, S, T0, "nothing to give back")


# ---------------------------------------------------------------------- meetings and invitees


def _meeting(mailbox: str = "Registration@RSVP.example.org") -> Meeting:
    from dataclasses import replace

    meeting = load_meeting(ROOT / "tests" / "fixtures" / "meetings" / "mine-free-americas-2021.yaml")
    return replace(meeting, id=M, mailbox=mailbox.lower())


def _record(email: str = E, tag: str = "abcdefgh23456789", name: str = "Desarme") -> InviteeRecord:
    return InviteeRecord(M, Invitee(email, name, "Peru", "es", Category.STATE), tag, InviteeState(email))


def _answer(status: Status = Status.ACCEPTED, written: datetime = T0, key: str = "k1") -> Answer:
    return Answer(status, None, ("Lic. Carmen Soto",), 1, written, key)


@pytest.fixture
def loaded(repo: Stores) -> Stores:
    meeting = _meeting()
    repo.save_meeting(meeting)
    repo.save_invitees(meeting, [_record(), _record("aicma@oas.example.org", "zzzzzzzz23456789", "AICMA")])
    return repo


def test_a_meeting_is_found_by_id_by_listing_and_by_its_mailbox_in_any_case(loaded: Stores) -> None:
    assert loaded.get_meeting(M) == _meeting()
    assert loaded.get_meeting("other") is None
    assert [m.id for m in loaded.list_meetings()] == [M]
    assert loaded.meetings_for_mailbox("REGISTRATION@rsvp.example.org") == [M]
    assert loaded.meetings_for_mailbox("else@rsvp.example.org") == []


def test_invitees_are_found_by_address_and_by_tag_in_any_case_and_listed_by_address(loaded: Stores) -> None:
    assert [r.email for r in loaded.list_invitees(M)] == ["aicma@oas.example.org", E]
    found = loaded.get_invitee(M, E.upper())
    assert found is not None and found.invitee.name == "Desarme" and found.tag == "abcdefgh23456789"
    assert loaded.find_by_tag("ABCDEFGH23456789") == (M, E)
    assert loaded.find_by_tag("nope") is None


def test_loading_invitees_again_updates_their_details_and_keeps_their_answer_and_delivery(loaded: Stores) -> None:
    assert loaded.write_answer(M, E, _answer())
    loaded.set_delivery(M, E, Delivery.COMPLAINED, "spam", T0)
    loaded.save_invitees(_meeting(), [_record(name="Misión del Perú")])
    record = loaded.get_invitee(M, E)
    assert record is not None and record.invitee.name == "Misión del Perú"
    assert record.state.answer == _answer() and record.state.delivery is Delivery.COMPLAINED


def test_the_later_written_answer_wins_whatever_the_order_of_writes(loaded: Stores) -> None:
    assert loaded.write_answer(M, E, _answer(Status.DECLINED, later(60), "k2"))
    assert not loaded.write_answer(M, E, _answer(Status.ACCEPTED, later(0), "k1"))
    record = loaded.get_invitee(M, E)
    assert record is not None and record.state.status is Status.DECLINED


def test_an_invitee_that_is_not_there_is_not_brought_back_by_bookkeeping(loaded: Stores) -> None:
    ghost = "ghost@nowhere.example.org"
    assert not loaded.write_answer(M, ghost, _answer())
    loaded.set_delivery(M, ghost, Delivery.UNDELIVERABLE, "bounce", T0)
    loaded.set_no_reminders(M, ghost, T0)
    loaded.note_clarify_sent(M, ghost, T0)
    assert loaded.get_invitee(M, ghost) is None


def test_bookkeeping_on_an_invitee_is_kept(loaded: Stores) -> None:
    loaded.set_no_reminders(M, E, T0)
    loaded.note_clarify_sent(M, E, later(5))
    record = loaded.get_invitee(M, E)
    assert record is not None and record.state.no_reminders and record.state.clarify_sent_at == later(5)


def test_an_answer_with_sessions_per_person_is_kept_whole(loaded: Stores) -> None:
    answer = Answer(Status.ACCEPTED, None, ("Lic. Carmen Soto", "Ing. Raúl Méndez"), 2, T0, "inbound/1",
                    attendee_sessions=(("Lic. Carmen Soto", ("day1",)), ("Ing. Raúl Méndez", ("day2",))))
    assert loaded.write_answer(M, E, answer)
    record = loaded.get_invitee(M, E)
    assert record is not None and record.state.answer == answer
    assert record.state.answer.sessions_of("Ing. Raúl Méndez") == ("day2",)


# ---------------------------------------------------------------------- sendings


def test_a_job_is_queued_once_per_sending_and_its_progress_counted_by_state(loaded: Stores) -> None:
    assert loaded.mark_queued(M, E, "invitation-1", SendKind.INVITATION, T0)
    assert loaded.mark_queued(M, E, "invitation-1", SendKind.INVITATION, later(1))  # still queued: again
    assert loaded.mark_queued(M, "aicma@oas.example.org", "invitation-1", SendKind.INVITATION, T0)
    assert loaded.claim_send(M, E, "invitation-1", later(2), STALE) is ClaimState.CLAIMED
    assert not loaded.mark_queued(M, E, "invitation-1", SendKind.INVITATION, later(3))  # taken: not again
    loaded.fail_send(M, "aicma@oas.example.org", "invitation-1", "MessageRejected", retryable=False)
    assert loaded.send_progress(M, "invitation-1") == {SendState.SENDING: 1, SendState.REJECTED: 1}
    assert loaded.send_failures(M, "invitation-1") == [("aicma@oas.example.org", SendState.REJECTED,
                                                        "MessageRejected")]
    assert loaded.send_progress(M, "reminder-7") == {}


def test_a_finished_invitation_marks_the_invitee_invited_and_leads_its_thread_back(loaded: Stores) -> None:
    loaded.mark_queued(M, E, "invitation-1", SendKind.INVITATION, T0)
    loaded.claim_send(M, E, "invitation-1", T0, STALE)
    loaded.finish_send(M, E, "invitation-1", later(1), ["<inv-1@rsvp.example.org>", "ses-1"], SendKind.INVITATION)
    record = loaded.get_invitee(M, E)
    assert record is not None and record.state.invited_at == later(1)
    assert loaded.find_by_sent_message("<inv-1@rsvp.example.org>") == (M, E)
    assert loaded.find_by_sent_message("inv-1@rsvp.example.org") == (M, E)
    assert loaded.send_progress(M, "invitation-1") == {SendState.SENT: 1}


def test_a_message_sent_outside_a_sending_also_leads_its_thread_back_without_inviting(loaded: Stores) -> None:
    loaded.record_sent(M, E, T0, ["<c-1@rsvp.example.org>"], Response.CONFIRMATION)
    assert loaded.find_by_sent_message("c-1@rsvp.example.org") == (M, E)
    record = loaded.get_invitee(M, E)
    assert record is not None and record.state.invited_at is None


# ---------------------------------------------------------------------- inbound claims


def test_an_inbound_claim_is_held_until_its_lease_ends_or_it_is_released_and_done_for_good(repo: Stores) -> None:
    first = repo.claim_inbound("key-1", "inbound/1", T0, 60)
    assert not isinstance(first, ClaimHeld) and first.attempts == 1 and first.started_at == T0
    assert repo.claim_inbound("key-1", "inbound/1", later(30), 60) is ClaimHeld.HELD
    repo.note_stage("key-1", Stage.DECIDED, decision=Decision(Outcome.RECORDED, Response.CONFIRMATION,
                                                              answer=_answer()))
    repo.release_inbound("key-1", later(31))
    again = repo.claim_inbound("key-1", "inbound/1", later(32), 60)
    assert not isinstance(again, ClaimHeld)
    assert again.attempts == 2 and again.started_at == T0 and again.done(Stage.DECIDED)
    assert again.decision is not None and again.decision.answer == _answer()
    repo.note_stage("key-1", Stage.RESPONSE, response_id="ses-9")
    repo.finish_inbound("key-1", Outcome.RECORDED, later(33), Response.CONFIRMATION)
    assert repo.claim_inbound("key-1", "inbound/2", later(9999), 60) is ClaimHeld.DONE


# ---------------------------------------------------------------------- journal, reviews, markers


def _entry(at: datetime, key: str, email: str | None = E, outcome: Outcome = Outcome.RECORDED) -> HistoryEntry:
    return HistoryEntry(meeting_id=M, email=email, at=at, source=Source.REPLY, outcome=outcome, message_key=key)


def test_an_invitees_history_is_theirs_oldest_first_and_writing_an_entry_again_replaces_it(repo: Stores) -> None:
    repo.add_history(_entry(later(20), "b" * 32))
    repo.add_history(_entry(later(10), "a" * 32))
    repo.add_history(_entry(later(15), "c" * 32, email=None, outcome=Outcome.UNKNOWN_SENDER))
    repo.add_history(_entry(later(10), "a" * 32, outcome=Outcome.UNCHANGED))  # a retry writes it again
    assert [(h.at, h.outcome) for h in repo.history_of(M, E.upper())] == [
        (later(10), Outcome.UNCHANGED), (later(20), Outcome.RECORDED)]
    assert [h.at for h in repo.history_since(M, None)] == [later(10), later(15), later(20)]
    assert [h.at for h in repo.history_since(M, later(10))] == [later(15), later(20)]


def test_the_audit_log_keeps_each_line(repo: Stores) -> None:
    repo.add_audit(M, later(2), "ana", "second")
    repo.add_audit(M, later(1), "ana", "first")
    assert repo.audit_log(M) == [(later(1), "ana", "first"), (later(2), "ana", "second")]


def test_a_review_item_is_filed_once_settled_once_and_listed_oldest_first(repo: Stores) -> None:
    newer = ReviewItem(M, later(20), "b" * 32, Outcome.UNCLEAR, reasons=("?",))
    older = ReviewItem(M, later(10), "a" * 32, Outcome.UNKNOWN_SENDER)
    assert repo.add_review(newer) and repo.add_review(older)
    assert not repo.add_review(newer)  # a retry does not reopen it
    assert [r.message_key for r in repo.open_reviews(M)] == ["a" * 32, "b" * 32]
    assert repo.resolve_review(older, "dismiss", "ana", later(30))
    assert not repo.resolve_review(older, "accept", "bob", later(31))
    assert [r.message_key for r in repo.open_reviews(M)] == ["b" * 32]
    settled = [r for r in repo.all_reviews(M) if r.resolved]
    assert [(r.resolution, r.resolved_by, r.resolved_at) for r in settled] == [("dismiss", "ana", later(30))]


def test_a_digest_day_and_a_one_off_marker_are_claimed_once(repo: Stores) -> None:
    assert repo.claim_digest(M, "2021-01-19", later(1))
    assert not repo.claim_digest(M, "2021-01-19", later(2))
    assert repo.last_digest_at(M, later(5)) == later(1)
    assert repo.last_digest_at(M, later(1)) is None
    repo.release_digest(M, "2021-01-19")
    assert repo.claim_digest(M, "2021-01-19", later(3))
    assert repo.claim_once(M, "reminder-7", T0) and not repo.claim_once(M, "reminder-7", later(1))


# ---------------------------------------------------------------------- personal data


def test_forgetting_a_person_removes_their_records_and_names_their_stored_mail(loaded: Stores) -> None:
    loaded.write_answer(M, E, _answer())
    loaded.add_history(HistoryEntry(meeting_id=M, email=E, at=later(1), source=Source.REPLY,
                                    outcome=Outcome.RECORDED, message_key="k" * 32, raw_key="inbound/peru"))
    loaded.record_sent(M, E, T0, ["<c-1@rsvp.example.org>"], Response.CONFIRMATION)
    erasure = loaded.forget_invitee(M, E)
    assert erasure.found and erasure.raw_keys == ("inbound/peru",)
    assert loaded.get_invitee(M, E) is None and loaded.history_of(M, E) == []
    assert loaded.find_by_tag("abcdefgh23456789") is None
    assert loaded.find_by_sent_message("c-1@rsvp.example.org") is None
    assert [r.email for r in loaded.list_invitees(M)] == ["aicma@oas.example.org"]
    assert not loaded.forget_invitee(M, E).found


# ---------------------------------------------------------------------- what a reply changes, in one write


def _claimed(repo: Stores, key: str = "key-1") -> None:
    claim = repo.claim_inbound(key, "inbound/1", T0, 60)
    assert not isinstance(claim, ClaimHeld)


def test_a_decision_is_recorded_whole_answer_history_opt_out_and_claim(loaded: Stores) -> None:
    _claimed(loaded)
    decision = Decision(Outcome.RECORDED, Response.CONFIRMATION, answer=_answer(), before=Status.PENDING)

    assert loaded.commit_decision("key-1", decision, _entry(later(1), "key-1"), no_reminders=True)
    record = loaded.get_invitee(M, E)
    assert record is not None and record.state.answer == _answer() and record.state.no_reminders
    assert [h.message_key for h in loaded.history_of(M, E)] == ["key-1"]
    claim = loaded.claim_inbound("key-1", "inbound/1", later(120), 60)
    assert not isinstance(claim, ClaimHeld) and claim.done(Stage.HISTORY) and claim.decision == decision


def test_a_decision_whose_answer_lost_to_a_later_one_writes_nothing(loaded: Stores) -> None:
    _claimed(loaded)
    assert loaded.write_answer(M, E, _answer(Status.DECLINED, later(60), "k9"))
    decision = Decision(Outcome.RECORDED, Response.CONFIRMATION, answer=_answer(written=later(0)))

    assert not loaded.commit_decision("key-1", decision, _entry(later(1), "key-1"), no_reminders=True)
    record = loaded.get_invitee(M, E)
    assert record is not None and record.state.status is Status.DECLINED and not record.state.no_reminders
    assert loaded.history_of(M, E) == []
    claim = loaded.claim_inbound("key-1", "inbound/1", later(120), 60)
    assert not isinstance(claim, ClaimHeld) and claim.decision is None


def test_a_decision_without_an_answer_records_its_history_and_the_claim(loaded: Stores) -> None:
    _claimed(loaded)
    decision = Decision(Outcome.UNCLEAR, Response.CLARIFY)

    assert loaded.commit_decision("key-1", decision, _entry(later(1), "key-1", outcome=Outcome.UNCLEAR))
    record = loaded.get_invitee(M, E)
    assert record is not None and record.state.answer is None
    assert [h.outcome for h in loaded.history_of(M, E)] == [Outcome.UNCLEAR]


def test_an_invitee_is_read_with_its_meeting_and_never_without_it(loaded: Stores) -> None:
    meeting, record = loaded.get_with_meeting(M, E.upper())
    assert meeting == _meeting() and record is not None and record.email == E
    assert loaded.get_with_meeting(M, "nobody@example.org") == (_meeting(), None)
    assert loaded.get_with_meeting("other", E) == (None, None)
