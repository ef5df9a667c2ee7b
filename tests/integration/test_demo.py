"""`make demo` runs the whole loop on a moto server on 127.0.0.1; this runs the same code."""

from __future__ import annotations

import email
from pathlib import Path

import pytest

from rsvp.local.demo import run


@pytest.mark.usefixtures("no_network")
def test_the_demo_runs_the_whole_loop_on_a_local_moto_server(tmp_path: Path) -> None:
    result = run(tmp_path / "demo", quiet=True)

    assert result.dead_letters == 0
    assert result.statuses == {
        "desarme@mission-peru.example.org": "accepted",
        "onu.ginebra@mission-ecuador.example.org": "accepted",
        "disarmament@mission-canada.example.org": "declined",
        "gva.disarmament@mission-norway.example.org": "declined",
        "mision@mission-chile.example.org": "accepted",
        "desarme@mission-colombia.example.org": "pending",
        "desarmement@mission-france.example.org": "accepted",
        "aicma@oas.example.org": "pending",
        "mine.action@undp.example.org": "accepted",
        "geneve@icrc.example.org": "pending",
        "info@halotrust.example.org": "pending",
        "contact@minesactioncanada.example.org": "undeliverable",
    }
    outcomes = {reply.says: [o["outcome"] for o in reply.outcomes] for reply in result.replies}
    assert outcomes["Ecuador accepts (the same message arrives twice)"] == ["recorded", "duplicate"]
    assert outcomes["Colombia replies after the cutoff"] == ["too_late"]
    assert outcomes["The OAS contact is out of the office (automatic reply)"] == ["auto_reply"]
    assert outcomes["Someone not on the list writes to the plain mailbox"] == ["unknown_sender"]
    sent = sorted(p.name.split("-")[1] for p in result.outbox.glob("*.eml"))
    assert sent.count("invitation") == 12 and sent.count("digest") == 5
    assert sent.count("closed") == 1 and sent.count("clarify") == 1
    assert sent.count("reminder") == 8, "7 and 2 days before the cutoff, to the four who had not answered"
    for path in result.outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        assert message["Auto-Submitted"] in ("auto-generated", "auto-replied"), path.name
    assert len(list((result.out_dir / "inbound").glob("*.eml"))) == 14
