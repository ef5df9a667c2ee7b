"""The reader's layout may change; its readings may not: every message we have reads as recorded in
tests/fixtures/readings.jsonl (`python -m tests.readings_snapshot` lists what differs)."""
from __future__ import annotations

from tests.readings_snapshot import SHARED, differences, readings, recorded


def test_every_message_we_have_reads_exactly_as_the_snapshot_recorded() -> None:
    now, then = readings(), recorded()
    assert len(now) >= 388, "our own fixtures and holdout are read"
    if SHARED.is_dir():
        assert len(now) == len(then), "and, with the shared corpus beside us, every message the snapshot holds"
    differing = differences(now, then)
    assert not differing, f"{len(differing)} readings changed: " + ", ".join(differing[:20])
