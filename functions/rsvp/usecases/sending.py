"""Sending one message exactly once: the claim on the send ledger, the account's send rate, backing off when SES
throttles, and recording what went out. Invitations, reminders and answers to replies all go through here."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import datetime

from ..domain.rsvp import Response
from ..domain.sending import ClaimState, RetryLater, SendKind, SendRejected, SendThrottled
from ..mail.message import OutgoingEmail
from ..ports import Clock, Mailer, RateLimiter, SendLedger, Sleeper


class NoLimit:
    def acquire(self) -> None:
        return None


class NoQueue:
    def enqueue(self, jobs: object) -> int:
        raise RuntimeError("no send queue configured (INVITATION_QUEUE_URL)")


class NoSleep:
    def sleep(self, seconds: float) -> None:
        return None


@dataclass
class SendClaim:
    """One attempt's claim on a send (SEND#sending#email), taken at `at`."""

    ledger: SendLedger
    meeting_id: str
    email: str
    sending: str
    at: datetime
    state: ClaimState = ClaimState.IN_FLIGHT

    def hand_over(self, now: datetime) -> bool:
        return self.ledger.hand_over(self.meeting_id, self.email, self.sending, self.at, now)

    def give_back(self) -> None:
        """Nothing reached SES: free the claim for the next attempt (best effort; else the stale rule frees it)."""
        with contextlib.suppress(Exception):
            self.ledger.release_send(self.meeting_id, self.email, self.sending, self.at, "failed before sending")


@dataclass
class Outbox:
    """The one way out: `send` paces and retries one message; `claim`/`send_claimed` make a send happen once."""

    mailer: Mailer
    ledger: SendLedger
    clock: Clock
    limiter: RateLimiter
    sleeper: Sleeper
    throttle_retries: int = 6
    stale_after_seconds: int = 600  # a send claim older than this, never confirmed by SES, may be retried

    def claim(self, meeting_id: str, email: str, sending: str, resend_stale: bool = True) -> SendClaim:
        """Claim the right to send. A failure of the claim itself (its reply lost, the write throttled) gives it
        back at once, so the retry sends without waiting."""
        claim = SendClaim(self.ledger, meeting_id, email, sending, self.clock.now())
        try:
            claim.state = self.ledger.claim_send(meeting_id, email, sending, claim.at, self.stale_after_seconds,
                                                 resend_stale=resend_stale)
        except Exception:
            claim.give_back()
            raise
        return claim

    def send_claimed(self, claim: SendClaim, email: OutgoingEmail, kind: SendKind | Response, *,
                     paced: bool = True) -> str:
        """Send under a claim and record it sent. SendRejected: recorded as rejected, then raised; still throttled
        after every retry: recorded as failed (retryable) and RetryLater raised."""
        try:
            provider_id = self.send(email, key=f"{claim.sending}/{claim.email}", claim=claim, paced=paced)
        except SendRejected as exc:
            self.ledger.fail_send(claim.meeting_id, claim.email, claim.sending, str(exc), False)
            raise
        except SendThrottled as exc:
            self.ledger.fail_send(claim.meeting_id, claim.email, claim.sending, str(exc), True)
            raise RetryLater(f"SES still throttling after {self.throttle_retries} tries") from exc
        self.ledger.finish_send(claim.meeting_id, claim.email, claim.sending, self.clock.now(),
                                (email.message_id, provider_id), kind)
        return provider_id

    def send(self, email: OutgoingEmail, key: str = "", claim: SendClaim | None = None, *, paced: bool = True) -> str:
        """Send within the account's rate (`paced`; a one-to-one answer is not a campaign and need not wait), with
        exponential backoff (full jitter) when SES throttles. With a claim: it is marked as handed to SES just
        before the first try, and given back when pacing or marking fails (SES has not accepted this message then:
        every earlier try was throttled)."""
        jitter = random.Random(key)  # noqa: S311 - spreading retries, not security
        for attempt in range(self.throttle_retries):
            try:
                if paced or attempt:
                    self.limiter.acquire()
                if claim is not None and attempt == 0 and not claim.hand_over(self.clock.now()):
                    raise RetryLater(f"{claim.sending}: another attempt took the claim over")
            except RetryLater:
                raise
            except Exception:
                if claim is not None:
                    claim.give_back()
                raise
            try:
                return self.mailer.send(email)
            except SendThrottled:
                if attempt == self.throttle_retries - 1:
                    raise
                self.sleeper.sleep(jitter.uniform(0, min(8.0, 0.25 * 2 ** attempt)))
        raise SendThrottled("unreachable")
