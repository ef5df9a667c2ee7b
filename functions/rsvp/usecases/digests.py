"""The organisers' daily digest: what changed since the last one, what waits for a human, who has not answered.

`Digest` is the report (plain data, built from the stores' records); `Digests` sends it once a local day."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ..domain.invitees import Category
from ..domain.meeting import Meeting
from ..domain.records import HistoryEntry, InviteeRecord, ReviewItem
from ..domain.rsvp import Delivery, Outcome, Source, Status
from ..mail.formatting import city, cutoff_text, locale_for, long_date, timestamp
from ..mail.message import Attachment, OutgoingEmail
from ..mail.render import Renderer
from ..ports import Clock, DigestLedger, InviteeStore, Journal, MeetingStore, ReviewQueue, SendLedger
from .compose import Composer
from .invitations import FIRST_SENDING
from .meetings import MeetingCatalog
from .sending import Outbox


@dataclass(frozen=True)
class Digest:
    meeting: Meeting
    now: datetime
    since: datetime | None
    totals: dict[str, Counter[str]]
    changes: list[HistoryEntry]
    reviews: list[ReviewItem]
    undeliverable: list[InviteeRecord]
    pending: list[InviteeRecord]
    attendees: int
    days_left: int
    sending: dict[str, int] = field(default_factory=dict)  # invitation jobs by state: queued, sent, rejected…
    send_failures: list[tuple[str, str, str]] = field(default_factory=list)  # (email, state, reason)
    records: list[InviteeRecord] = field(default_factory=list)
    late: list[HistoryEntry] = field(default_factory=list)
    per_day: list[tuple[str, int]] = field(default_factory=list)  # (local date, answers recorded that day)

    PENDING_SHOWN = 100  # the rest are in the attached list and in `rsvp status`

    @property
    def quiet(self) -> bool:
        """Nothing happened since the last digest and nothing waits for a human (the first digest is never quiet)."""
        return self.since is not None and not self.changes and not self.reviews and not self.send_failures

    @classmethod
    def build(cls, meeting: Meeting, records: list[InviteeRecord], history: list[HistoryEntry],
              reviews: list[ReviewItem], now: datetime, since: datetime | None) -> Digest:
        totals: dict[str, Counter[str]] = {c.value: Counter() for c in Category}
        for record in records:
            totals[record.invitee.category.value][record.state.status.value] += 1
        changes = [h for h in history if h.outcome in (Outcome.RECORDED, Outcome.BOUNCE, Outcome.TOO_LATE,
                                                       Outcome.UNSUBSCRIBED, Outcome.COMPLAINT) and h.email]
        undeliverable = [r for r in records if r.state.delivery is not Delivery.OK]
        pending = [r for r in records if r.state.status is Status.PENDING and r.state.delivery is Delivery.OK]
        attendees = sum(r.state.answer.attendee_count for r in records
                        if r.state.answer and r.state.status is Status.ACCEPTED)
        late = [h for h in history if h.outcome is Outcome.TOO_LATE]
        return cls(meeting, now, since, totals, changes, reviews, undeliverable, pending, attendees,
                   meeting.days_left(now), records=records, late=late, per_day=_answers_per_day(meeting, records, now))

    def context(self, language: str) -> dict[str, Any]:
        zone = self.meeting.timezone
        statuses = [s.value for s in Status]
        by_category = [{"label": Category(c).label, "counts": [self.totals[c][s] for s in statuses],
                        "total": sum(self.totals[c].values())} for c in self.totals]
        overall = [sum(self.totals[c][s] for c in self.totals) for s in statuses]
        return {
            "language": language,
            "meeting_title": self.meeting.title_in(language),
            "header_line": self.meeting.title_in(language),
            "footer_line": f"{self.meeting.mailbox} · {timestamp(self.now, zone, language)} ({city(zone, language)})",
            "today": long_date(self.meeting.local(self.now), language),
            "since": timestamp(self.since, zone, language) if self.since else None,
            "days_left": self.days_left,
            "closed": not self.meeting.accepts_reply_at(self.now),
            "cutoff": cutoff_text(self.meeting, language),
            "statuses": statuses,
            "by_category": by_category,
            "overall": overall,
            "invited": sum(overall),
            "attendees": self.attendees,
            "changes": [{"who": h.email, "outcome": h.outcome.value,
                         "status": (h.status_after.value if h.status_after and h.outcome is Outcome.RECORDED else ""),
                         "before": (h.status_before.value if h.status_before else ""),
                         "when": timestamp(h.at, zone, language), "subject": h.subject,
                         "attendees": ", ".join(h.attendees), "by": h.actor, "model": h.source is Source.MODEL}
                        for h in self.changes],
            "reviews": [{"who": r.email or r.from_address or "(unknown)", "why": r.reasons[0] if r.reasons else "",
                         "when": timestamp(r.received_at, zone, language), "subject": r.subject,
                         "excerpt": " ".join(r.excerpt.split())[:200]} for r in self.reviews],
            "undeliverable": [{"who": r.email, "organisation": r.invitee.organisation,
                               "delivery": r.state.delivery.value} for r in self.undeliverable],
            "pending": [{"who": r.email, "name": r.invitee.addressed_as, "organisation": r.invitee.organisation,
                         "category": r.invitee.category.label}
                        for r in sorted(self.pending, key=lambda r: (r.invitee.organisation.casefold(), r.email))[
                            :self.PENDING_SHOWN]],
            "pending_total": len(self.pending),
            "pending_more": max(0, len(self.pending) - self.PENDING_SHOWN),
            "late": [{"who": h.email, "when": timestamp(h.received_at or h.at, zone, language), "subject": h.subject,
                      "intent": h.intent or ""} for h in self.late],
            "per_day": _chart(self.per_day, language),
            "unchanged": not self.changes,
            "quiet": self.quiet,
            "sending": dict(sorted(self.sending.items())),
            "send_failures": [{"who": e, "state": s, "reason": r} for e, s, r in self.send_failures],
        }


@dataclass
class Digests:
    meetings: MeetingStore
    catalog: MeetingCatalog
    invitees: InviteeStore
    journal: Journal
    reviews: ReviewQueue
    markers: DigestLedger
    ledger: SendLedger
    outbox: Outbox
    composer: Composer
    clock: Clock
    renderer: Renderer = field(default_factory=Renderer)
    extra_recipients: tuple[str, ...] = ()  # besides the meeting's organisers (DIGEST_RECIPIENTS)

    def run(self) -> list[str]:
        """Send each active meeting's digest once per local day, at or after its configured local time."""
        sent = []
        now = self.clock.now()
        for meeting in self.meetings.list_meetings():
            local = meeting.local(now)
            if not meeting.is_active(now) or local.time() < meeting.digest.time:
                continue
            day = local.date().isoformat()
            if not self.markers.claim_digest(meeting.id, day, now):
                continue
            try:
                if self.send(meeting.id, now):
                    sent.append(meeting.id)
            except Exception:
                self.markers.release_digest(meeting.id, day)  # let the scheduler's retry send it
                raise
        return sent

    def build(self, meeting_id: str, now: datetime, since: datetime | None = None) -> Digest:
        meeting = self.catalog.fresh(meeting_id)
        since = since if since is not None else self.markers.last_digest_at(meeting_id, before=now)
        digest = Digest.build(meeting, self.invitees.list_invitees(meeting_id),
                              self.journal.history_since(meeting_id, since), self.reviews.open_reviews(meeting_id),
                              now, since)
        return replace(digest, sending={s.value: n for s, n in self.ledger.send_progress(meeting_id,
                                                                                           FIRST_SENDING).items()},
                       send_failures=[(e, s.value, r) for e, s, r in self.ledger.send_failures(meeting_id,
                                                                                               FIRST_SENDING)])

    def send(self, meeting_id: str, now: datetime) -> bool:
        """The scheduled digest; skipped on a quiet day when the meeting says so."""
        digest = self.build(meeting_id, now)
        if digest.meeting.digest.skip_when_unchanged and digest.quiet:
            return False
        self.outbox.send(self.email(digest), key=f"digest/{meeting_id}")
        return True

    def preview(self, meeting_id: str, now: datetime) -> OutgoingEmail:
        """The digest as it would be sent now (organisers' `rsvp digest --preview`)."""
        return self.email(self.build(meeting_id, now))

    def send_now(self, meeting_id: str, now: datetime) -> OutgoingEmail:
        """Send the digest on demand; the next one reports changes from this one on."""
        email = self.preview(meeting_id, now)
        self.outbox.send(email, key=f"digest/{meeting_id}/now")
        self.markers.claim_digest(meeting_id, f"{now:%Y-%m-%d}~on-demand-{now:%H%M%S%f}", now)
        return email

    def email(self, digest: Digest) -> OutgoingEmail:
        from ..participants import participant_rows, write_participants

        meeting, now = digest.meeting, digest.now
        language = meeting.organiser_language
        rendered = self.renderer.render("digest", language, digest.context(language))
        recipients = tuple(dict.fromkeys([o.email for o in meeting.organisers] + list(self.extra_recipients)))
        participants = write_participants(participant_rows(meeting, digest.records), "csv")
        return self.composer.organisers_email(
            meeting, recipients, "digest", language, rendered.subject, rendered.text, rendered.html, now,
            attachments=(Attachment(f"{meeting.id}-participants-{meeting.local(now):%Y-%m-%d}.csv", "text/csv",
                                    participants),))


def _answers_per_day(meeting: Meeting, records: list[InviteeRecord], now: datetime, days: int = 14
                     ) -> list[tuple[str, int]]:
    """Answers on record by the local day they were written: the last `days` days up to today."""
    today = meeting.local(now).date()
    counts: Counter[str] = Counter()
    for record in records:
        answer = record.state.answer
        if answer is not None:
            counts[meeting.local(answer.written_at).date().isoformat()] += 1
    return [((today - timedelta(days=back)).isoformat(), counts[(today - timedelta(days=back)).isoformat()])
            for back in range(days - 1, -1, -1)]


def _chart(per_day: list[tuple[str, int]], language: str) -> list[dict[str, Any]]:
    """Bars as table cells (Outlook and Gmail render them; no images, no scripts)."""
    from babel.dates import format_date

    peak = max((n for _, n in per_day), default=0) or 1
    return [{"day": format_date(datetime.fromisoformat(day).date(), "EEE d MMM", locale=locale_for(language)),
             "count": n, "width": max(2, round(240 * n / peak)) if n else 0, "blocks": "█" * round(20 * n / peak)}
            for day, n in per_day]
