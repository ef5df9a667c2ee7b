"""Meeting files: loaded with aware times in the meeting's zone; every problem named by file, line and field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from rsvp.domain.errors import InvalidFile
from rsvp.domain.meeting import load_meeting, parse_meeting
from tests.conftest import EXAMPLE, shared_path

GOOD = (EXAMPLE / "meeting.yaml").read_text(encoding="utf-8")


def problems(text: str) -> list[str]:
    with pytest.raises(InvalidFile) as caught:
        parse_meeting(text, "m.yaml")
    return [str(p) for p in caught.value.problems]


def test_the_seed_meeting_loads_with_times_in_the_meeting_zone() -> None:
    meeting = parse_meeting(GOOD)

    assert meeting.id == "mine-free-americas-2021"
    assert [s.id for s in meeting.sessions] == ["day1", "day2"]
    assert meeting.sessions[0].start.isoformat() == "2021-02-10T15:00:00+01:00"
    assert meeting.rsvp_cutoff.isoformat() == "2021-02-08T18:00:00+01:00"
    assert meeting.display_timezones == ("Europe/Zurich", "America/Lima", "America/Guayaquil", "America/New_York")
    assert meeting.digest.time.strftime("%H:%M") == "08:00"


@pytest.mark.parametrize("name", ["mine-free-americas-2021.yaml", "last-stretch-pledging-2016.yaml"])
def test_the_corpus_meetings_load(name: str) -> None:
    meeting = load_meeting(shared_path("corpus", "meetings", name))
    assert meeting.sessions and meeting.rsvp_cutoff < meeting.sessions[0].start


def test_a_wrong_time_zone_is_reported_with_its_line() -> None:
    assert problems(GOOD.replace("timezone: Europe/Zurich", "timezone: Europe/Geneva")) == [
        "m.yaml:14: timezone: unknown time zone 'Europe/Geneva' (use an IANA name such as Europe/Zurich)"]


def test_every_problem_is_reported_at_once() -> None:
    text = (GOOD.replace("end: 2021-02-10T18:00", "end: 2021-02-10T14:00")
            .replace("rsvp_cutoff: 2021-02-08T18:00", "rsvp_cutoff: 2021-02-12T18:00")
            .replace("mailbox: registration@", "mailbox: registration+x@"))
    found = problems(text)
    assert any(p.startswith("m.yaml:26: sessions[0].end: must be after start") for p in found), found
    assert any(p.startswith("m.yaml:31: rsvp_cutoff: is after the first session starts") for p in found), found
    assert any(p.startswith("m.yaml:18: mailbox: must not contain '+'") for p in found), found


def test_missing_fields_and_translations_are_named() -> None:
    text = GOOD.replace('  fr: "Les Amériques', '  de: "Les Amériques').replace("rsvp_cutoff: 2021-02-08T18:00\n", "")
    found = problems(text)
    assert "m.yaml:3: title: missing translation for fr (the meeting's languages)" in found
    assert any("rsvp_cutoff: is required" in p for p in found)


def test_a_language_without_mail_templates_is_refused() -> None:
    found = problems(GOOD.replace("languages: [en, es, fr]", "languages: [en, es, fr, de]"))
    assert found == ["m.yaml:16: languages[3]: 'de' is not a language the product writes mail in (en, es, fr)"]


def test_yaml_syntax_errors_give_the_line() -> None:
    found = problems(GOOD.replace("kind: Regional", "kind: [Regional"))
    assert found[0].startswith("m.yaml:") and "(syntax)" in found[0]


def test_a_header_breaking_title_is_refused() -> None:
    found = problems(GOOD.replace('en: "The Americas as', 'en: "Bcc: x@evil.example\\nThe Americas as'))
    assert any("title.en" in p and "one line" in p for p in found), found


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(GOOD.replace("é", "e").encode("utf-8").replace(b"Las Am", b"Las \xe9m"))
    with pytest.raises(InvalidFile, match="not UTF-8"):
        load_meeting(path)


def test_a_reply_received_at_the_cutoff_instant_is_taken_and_one_a_second_later_is_not() -> None:
    meeting = parse_meeting(GOOD)
    assert meeting.rsvp_cutoff.second == 0
    assert meeting.accepts_reply_at(meeting.rsvp_cutoff - timedelta(minutes=1))
    assert meeting.accepts_reply_at(meeting.rsvp_cutoff)
    assert not meeting.accepts_reply_at(meeting.rsvp_cutoff + timedelta(seconds=1))
