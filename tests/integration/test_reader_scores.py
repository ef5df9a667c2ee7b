"""The reader meets its targets on every labelled set, scored by ../shared/tools/score_replies.py through
`rsvp parse`, as graders do. The figures live in one place, tests/reader_targets.toml (see tests/scores.py)."""

from __future__ import annotations

import pytest

from tests.scores import LabelledSet, labelled_sets, rsvp_command, score, thresholds

SETS = labelled_sets()


@pytest.mark.parametrize("labelled", SETS, ids=[s.name for s in SETS])
def test_every_labelled_set_meets_its_targets(labelled: LabelledSet) -> None:
    rsvp = rsvp_command()
    if rsvp is None:
        pytest.skip("the rsvp console script is not installed (pip install -e .)")
    result = score(labelled, rsvp, show_misses=True)
    assert result.returncode == 0, f"{labelled.name} below {thresholds(labelled.name)}:\n{result.stdout[-6000:]}"
    assert "flips 0" in result.stdout and "unanswered=0" in result.stdout


def test_the_shared_sets_are_all_scored() -> None:
    names = {s.name for s in SETS}
    if any(n.startswith("replies") for n in names):
        assert {"replies", "replies-intent", "replies-people", "replies-threads"} <= names
    assert {"fixtures/replies", "fixtures/holdout"} <= names
