"""Invitations rendered per second: templates in two languages, Babel dates in four zones, the calendar
invite (with VTIMEZONE), quick-reply links, and the MIME message serialised to bytes, as SES receives it.

    python -m bench.invitations [--rounds 7]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from rsvp.domain.invitees import load_invitees
from rsvp.domain.meeting import load_meeting
from rsvp.domain.records import InviteeRecord
from rsvp.domain.rsvp import InviteeState
from rsvp.domain.tags import reply_tag
from rsvp.usecases.compose import Composer

from .corpora import ROOT

EXAMPLE = ROOT / "examples" / "mine-free-americas-2021"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=600)
    args = parser.parse_args()
    meeting = load_meeting(EXAMPLE / "meeting.yaml")
    people = load_invitees(EXAMPLE / "invitees.csv", meeting)
    records = [InviteeRecord(meeting.id, p, reply_tag(b"bench", meeting.id, p.email), InviteeState(p.email))
               for p in people]
    composer = Composer(meeting.mailbox)
    now = datetime(2021, 1, 18, 9, tzinfo=ZoneInfo("Europe/Zurich"))
    for record in records:  # warm-up: template compilation, Babel locale data, VTIMEZONE cache
        composer.invitation(meeting, record, now).to_bytes()
    rates, sizes = [], []
    for _ in range(args.rounds):
        gc.collect()
        start = time.process_time()
        for i in range(args.per_round):
            raw = composer.invitation(meeting, records[i % len(records)], now).to_bytes()
        rates.append(args.per_round / (time.process_time() - start))
        sizes.append(len(raw))
    print(f"invitations (bilingual EN/ES or FR/EN, calendar invite, 4 time zones), {args.rounds} rounds of "
          f"{args.per_round}, CPU time: median {statistics.median(rates):,.0f}/s (min {min(rates):,.0f}, "
          f"max {max(rates):,.0f}); message size {sizes[-1] / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
