"""The reader meets the targets, scored by ../shared/tools/score_replies.py through `rsvp parse`, as graders do."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHARED, shared_path

TARGETS = ["--min-intent", "0.97", "--min-kind", "0.99", "--min-count", "0.95", "--max-flips", "0",
           "--max-false-commits", "0"]


def rsvp_command() -> str:
    beside_python = Path(sys.executable).with_name("rsvp")
    found = str(beside_python) if beside_python.exists() else shutil.which("rsvp")
    if not found:
        pytest.skip("the rsvp console script is not installed (pip install -e .)")
    return found


def score(corpus: Path, meetings: Path) -> str:
    scorer = shared_path("tools", "score_replies.py")
    result = subprocess.run(
        [sys.executable, str(scorer), str(corpus), "--meetings", str(meetings), "--rsvp", rsvp_command(),
         "--show-misses", *TARGETS], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_labelled_corpus_meets_every_target() -> None:
    out = score(shared_path("corpus", "replies"), SHARED / "corpus" / "meetings")
    assert "flips 0" in out and "unanswered=0" in out


@pytest.mark.parametrize("name", ["replies", "holdout"])
def test_our_own_fixtures_meet_every_target(name: str) -> None:
    score(ROOT / "tests" / "fixtures" / name, ROOT / "tests" / "fixtures" / "meetings")
