"""Every labelled set, scored against the reader's targets (tests/reader_targets.toml), and how far its confidence
can be trusted.

    python -m tests.scores            # every set: the scorer's figures, then calibration (make score)
    python -m tests.scores --set replies-intent

The figures are ../shared/tools/score_replies.py's, through `rsvp parse`, as graders take them. Calibration reads
the same messages in process: for each confidence level, how many readings committed an answer (accept or
decline) and how often that answer was right.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TARGETS = ROOT / "tests" / "reader_targets.toml"
FIXTURES = ROOT / "tests" / "fixtures"
METRICS = ("intent", "kind", "count", "names", "sessions")


@dataclass(frozen=True)
class LabelledSet:
    name: str
    folder: Path
    meetings: Path


def labelled_sets() -> list[LabelledSet]:
    """The shared corpus's sets (when it sits beside the checkout), then our own fixtures."""
    found = []
    corpus = SHARED / "corpus"
    if corpus.is_dir():
        found += [LabelledSet(p.name, p, corpus / "meetings") for p in sorted(corpus.glob("replies*"))
                  if (p / "manifest.json").exists()]
    found += [LabelledSet(f"fixtures/{p.name}", p, FIXTURES / "meetings") for p in sorted(FIXTURES.iterdir())
              if p.is_dir() and (p / "manifest.json").exists()]
    return found


def thresholds(name: str) -> dict[str, float]:
    """The figures a set must reach: the targets, or its floor where it has one (flips and false commits: 0)."""
    data = tomllib.loads(TARGETS.read_text(encoding="utf-8"))
    targets, floors = data["targets"], data.get("floors", {}).get(name, {})
    unknown = set(floors) - set(METRICS)
    if unknown:
        raise ValueError(f"{TARGETS.name}: [floors.{name}] has unknown figures {sorted(unknown)}")
    return {**{m: float(floors.get(m, targets[m])) for m in METRICS},
            "flips": float(targets["flips"]), "false_commits": float(targets["false_commits"])}


def rsvp_command() -> str | None:
    beside_python = Path(sys.executable).with_name("rsvp")
    return str(beside_python) if beside_python.exists() else shutil.which("rsvp")


def score(labelled: LabelledSet, rsvp: str, show_misses: bool = False) -> subprocess.CompletedProcess[str]:
    """The scorer on one set, failing (exit 1) below its thresholds."""
    limits = thresholds(labelled.name)
    options = [f"--min-{m}" for m in METRICS]
    argv = [sys.executable, str(SHARED / "tools" / "score_replies.py"), str(labelled.folder),
            "--meetings", str(labelled.meetings), "--rsvp", rsvp,
            *[arg for option, m in zip(options, METRICS, strict=True) for arg in (option, str(limits[m]))],
            "--max-flips", str(int(limits["flips"])), "--max-false-commits", str(int(limits["false_commits"]))]
    if show_misses:
        argv.append("--show-misses")
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)


LEVELS = (0.95, 0.9, 0.8, 0.7, 0.6, 0.0)


def calibration(labelled: LabelledSet) -> dict[float, tuple[int, int]]:
    """{lowest confidence of a level: (readings that committed an answer, of which right)}."""
    from rsvp.domain.meeting import load_meeting
    from rsvp.reading import read_message

    meetings: dict[str, object] = {}
    out: dict[float, list[int]] = defaultdict(lambda: [0, 0])
    for entry in json.loads((labelled.folder / "manifest.json").read_text(encoding="utf-8")):
        meeting = meetings.get(entry["meeting"]) or meetings.setdefault(
            entry["meeting"], load_meeting(labelled.meetings / f"{entry['meeting']}.yaml"))
        reading = read_message((labelled.folder / entry["file"]).read_bytes(), meeting)  # type: ignore[arg-type]
        if reading.kind.value != "reply" or reading.intent is None or reading.intent.value not in ("accept", "decline"):
            continue
        level = next(level for level in LEVELS if reading.confidence >= level)
        expected = entry["expect"]
        out[level][0] += 1
        out[level][1] += expected["kind"] == "reply" and expected["intent"] == reading.intent.value
    return {level: (n, right) for level, (n, right) in sorted(out.items(), reverse=True)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", help="only these sets (by name)")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    rsvp = rsvp_command()
    if rsvp is None:
        print("the rsvp console script is not installed (pip install -e .)", file=sys.stderr)
        return 2
    failed = []
    chosen = [s for s in labelled_sets() if not args.set or s.name in args.set]
    for labelled in chosen:
        result = score(labelled, rsvp, args.show_misses)
        last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()[-300:]
        mark = "ok  " if result.returncode == 0 else "BELOW"
        print(f"{mark} {labelled.name:<28} {last}")
        if args.show_misses:
            print(result.stdout)
        if result.returncode:
            failed.append(labelled.name)
    print("\ncalibration: committed readings (accept/decline) by confidence, and how often right")
    for labelled in chosen:
        levels = calibration(labelled)
        cells = "  ".join(f">={level:.2f}: {right}/{n} ({right / n:.0%})" for level, (n, right) in levels.items())
        print(f"  {labelled.name:<28} {cells}")
    if failed:
        print(f"\nbelow their thresholds ({TARGETS.relative_to(ROOT)}): {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
