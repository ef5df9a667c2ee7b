"""The message sets the benchmarks read: the labelled replies and the peers in ../shared, else our fixtures."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rsvp.domain.meeting import Meeting, load_meeting

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"


@dataclass(frozen=True)
class Sample:
    name: str
    raw: bytes
    meeting: Meeting | None
    expect: dict[str, object] | None
    meeting_file: Path | None = None  # (read again by another version of the code: bench.reader_speed --against)


def labelled(folder: Path, meetings: Path) -> list[Sample]:
    files = {p.stem: p for p in meetings.glob("*.yaml")}
    loaded = {name: load_meeting(path) for name, path in files.items()}
    return [Sample(e["file"], (folder / e["file"]).read_bytes(), loaded.get(e["meeting"]), e["expect"],
                   files.get(e["meeting"]))
            for e in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))]


def replies() -> list[Sample]:
    if (SHARED / "replies" / "manifest.json").exists():
        return labelled(SHARED / "replies", SHARED / "meetings")
    return labelled(ROOT / "tests" / "fixtures" / "replies", ROOT / "tests" / "fixtures" / "meetings")


def peers() -> list[Sample]:
    folder = SHARED / "peers"
    if not folder.exists():
        return []
    return [Sample(p.name, p.read_bytes(), None, None) for p in sorted(folder.iterdir())
            if p.is_file() and p.name not in ("labels.json", "SOURCES.md")]
