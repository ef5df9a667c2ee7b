"""Every message we have, read: the snapshot a change to the reader's layout must leave byte-identical.

    python -m tests.readings_snapshot            # compare with the snapshot, list what differs
    python -m tests.readings_snapshot --write    # record it again (only for a change of reading on purpose)

Messages: the shared corpus (`../shared/corpus/replies*`, each with its manifest's meeting, and `peers`) and our
own fixtures and holdout. Each line of the snapshot is one message's `rsvp parse` reading, keyed by where it
lives ("shared:replies-intent/en-1.eml", "fixtures:holdout/…"). Messages of the shared corpus are compared only
when it sits beside the checkout.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from rsvp.domain.meeting import Meeting, load_meeting
from rsvp.reading import read_message

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared" / "corpus"
SNAPSHOT = FIXTURES / "readings.jsonl"
SEED = FIXTURES / "meetings" / "mine-free-americas-2021.yaml"


def messages() -> Iterator[tuple[str, Path, Path]]:
    """(key, message, meeting file) for every message we have, in a stable order."""
    for origin, base, meetings in (("fixtures", FIXTURES, FIXTURES / "meetings"),
                                   ("shared", SHARED, SHARED / "meetings")):
        if not base.is_dir():
            continue
        for folder in sorted(p for p in base.iterdir() if p.is_dir() and p.name not in ("meetings",)):
            manifest = folder / "manifest.json"
            meeting_of = {e["file"]: e["meeting"] for e in json.loads(manifest.read_text(encoding="utf-8"))
                          } if manifest.exists() else {}
            for path in sorted(folder.rglob("*.eml")):
                name = path.relative_to(folder).as_posix()
                meeting = meetings / f"{meeting_of[name]}.yaml" if name in meeting_of else SEED
                yield f"{origin}:{folder.name}/{name}", path, meeting


def readings() -> dict[str, str]:
    loaded: dict[Path, Meeting] = {}
    out = {}
    for key, path, meeting_file in messages():
        meeting = loaded.get(meeting_file) or loaded.setdefault(meeting_file, load_meeting(meeting_file))
        out[key] = json.dumps({"file": key, **read_message(path.read_bytes(), meeting).to_json()},
                              ensure_ascii=False, sort_keys=True)
    return out


def recorded() -> dict[str, str]:
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["file"]: line for line in lines}


def differences(now: dict[str, str], then: dict[str, str]) -> list[str]:
    """Keys read differently, missing from the snapshot, or gone (shared messages only count when present)."""
    shared_here = SHARED.is_dir()
    gone = [k for k in then if k not in now and (shared_here or not k.startswith("shared:"))]
    return sorted([k for k in now if then.get(k) != now[k]] + gone)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="record the snapshot again")
    args = parser.parse_args()
    now = readings()
    if args.write:
        if not SHARED.is_dir():
            print(f"{SHARED} is not there: the snapshot must hold the shared corpus too", file=sys.stderr)
            return 2
        SNAPSHOT.write_text("".join(line + "\n" for line in now.values()), encoding="utf-8")
        print(f"{len(now)} readings written to {SNAPSHOT.relative_to(ROOT)}")
        return 0
    differing = differences(now, recorded())
    for key in differing:
        print(key)
    print(f"{len(now)} messages read, {len(differing)} differ from the snapshot")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
