"""The reader never crashes on real-world mail, and never takes an automatic message for an answer."""

from __future__ import annotations

import json
from pathlib import Path

from rsvp.domain.meeting import load_meeting
from rsvp.reading import read_message
from tests.conftest import shared_path


def test_every_labelled_reply_is_read_and_no_automatic_message_is_committed() -> None:
    corpus = shared_path("corpus", "replies")
    meetings = {p.stem: load_meeting(p) for p in shared_path("corpus", "meetings").glob("*.yaml")}
    false_commits = []
    for entry in json.loads((corpus / "manifest.json").read_text()):
        reading = read_message((corpus / entry["file"]).read_bytes(), meetings[entry["meeting"]])
        expected = entry["expect"]
        committed = reading.kind.value == "reply" and reading.intent and reading.intent.value in ("accept", "decline")
        if committed and (expected["kind"] != "reply" or expected["intent"] in ("unclear", "tentative")):
            false_commits.append(entry["file"])
    assert false_commits == []


def _peers() -> tuple[Path, dict[str, str]]:
    peers = shared_path("corpus", "peers")
    return peers, json.loads((peers / "labels.json").read_text())


def test_every_peer_email_is_read_without_an_exception() -> None:
    peers, labels = _peers()
    kinds = {name: read_message((peers / name).read_bytes()).kind.value for name in labels}
    assert len(kinds) == len(labels) >= 300


def test_peer_targets_every_bounce_a_bounce_no_automatic_mail_as_a_reply_few_ordinary_commits() -> None:
    peers, labels = _peers()
    misses, ordinary, ordinary_commits = [], 0, 0
    for name, label in labels.items():
        reading = read_message((peers / name).read_bytes())
        commit = reading.kind.value == "reply" and reading.intent is not None and reading.intent.value in (
            "accept", "decline")
        # A delay warning ("Action: delayed") is a notice, not a bounce: nothing failed yet (sisimai calls it one).
        delay_notice = reading.kind.value == "auto_reply" and reading.report == "delay"
        if label == "bounce" and reading.kind.value != "bounce" and not delay_notice:
            misses.append((name, reading.kind.value))
        if label in ("auto_reply", "automatic") and reading.kind.value == "reply":
            misses.append((name, reading.kind.value))
        if label == "ordinary":
            ordinary += 1
            ordinary_commits += commit
    assert misses == []
    assert ordinary_commits <= 0.03 * ordinary
