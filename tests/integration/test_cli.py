"""The organisers' command line against a stack on moto, as an organiser types it: a local stack description
(`.rsvp-local.json`) points the commands at the resources created from template.yaml."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from typer.testing import CliRunner

from rsvp.adapters.aws import aws_clients
from rsvp.cli import app
from rsvp.handlers import inbound, runtime
from rsvp.local.stack import LocalStack, provision
from rsvp.target import Target, save_local
from tests.conftest import EXAMPLE
from tests.support import reply

MEETING = "mine-free-americas-2021"
CANADA = "disarmament@mission-canada.example.org"
PERU = "desarme@mission-peru.example.org"


@dataclass
class Cli:
    stack: LocalStack
    clients: Any
    folder: Path
    runner: CliRunner

    def __call__(self, *args: str, code: int = 0) -> Any:
        result = self.runner.invoke(app, list(args))
        assert result.exit_code == code, f"rsvp {' '.join(args)} -> {result.exit_code}\n{result.output}"
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)

    def deliver(self, raw: bytes) -> str:
        key = self.stack.deliver(raw, datetime.now(UTC), self.clients)
        self.stack.drain(inbound.handler, self.clients)
        return key


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with mock_aws():
        clients = aws_clients("eu-west-1")
        stack = provision(clients, region="eu-west-1", mailbox="registration@minefree-americas.example.org",
                          sender="registration@minefree-americas.example.org", name="cli",
                          outbox_dir=str(tmp_path / "outbox"))
        for name, value in stack.environment().items():
            monkeypatch.setenv(name, value)
        target = Target(name="local", settings=stack.settings(), inbound_queue_url=stack.inbound_queue_url,
                        inbound_dead_letter_queue_url=stack.dead_letter_queue_url,
                        send_dead_letter_queue_url=stack.send_dead_letter_queue_url)
        monkeypatch.setenv("RSVP_LOCAL_STATE", str(save_local(target, tmp_path / "state.json")))
        monkeypatch.setenv("RSVP_ACTOR", "ana.registrar")
        runtime.install(None)
        # The seed meeting, ten years ahead, so that replies are on time.
        (tmp_path / "meeting.yaml").write_text(
            (EXAMPLE / "meeting.yaml").read_text(encoding="utf-8").replace("2021-", "2031-"), encoding="utf-8")
        yield Cli(stack, clients, tmp_path, CliRunner())
        runtime.install(None)


def _load(cli: Cli) -> None:
    cli("meeting", "load", str(cli.folder / "meeting.yaml"), "--invitees", str(EXAMPLE / "invitees.csv"))


def test_an_invitee_list_is_checked_row_by_row_and_never_half_imported(cli: Cli) -> None:
    cli("meeting", "load", str(cli.folder / "meeting.yaml"))
    header, *rows = (EXAMPLE / "invitees.csv").read_text(encoding="utf-8").splitlines()
    bad = cli.folder / "bad.csv"
    bad.write_text("\n".join([header, *rows, rows[0], "not-an-address" + rows[1][rows[1].index(","):]]) + "\n",
                   encoding="utf-8")

    result = cli("invitees", "import", str(bad), code=2)
    assert f"{bad}:14: email: " in result.output and "already listed on line 2" in result.output
    assert f"{bad}:15: email: 'not-an-address' is not an email address" in result.output
    assert "Nothing imported" in result.output
    assert cli.json("status", MEETING)["invitees"] == 0

    assert "Dry run: nothing imported" in cli("invitees", "import", str(EXAMPLE / "invitees.csv"), "--dry-run").output
    assert cli.json("status", MEETING)["invitees"] == 0

    result = cli("invitees", "import", str(bad), "--skip-bad", code=1)
    assert "12 new" in result.output and "2 bad row(s) skipped" in result.output
    assert cli.json("status", MEETING)["invitees"] == 12

    changed = cli.folder / "changed.csv"
    renamed = rows[0].replace(rows[0].split(",")[1], "A New Name", 1)
    changed.write_text("\n".join([header, renamed, *rows[1:], "new@mission.example.org,Ana Nueva,Sra.,Misión Nueva,"
                                  "es,state"]) + "\n", encoding="utf-8")
    result = cli("invitees", "import", str(changed))
    assert "1 new, 1 updated, 11 unchanged" in result.output
    assert cli.json("status", MEETING)["invitees"] == 13, "re-importing updates; it never duplicates"


def test_an_organiser_runs_a_meeting_from_the_terminal(cli: Cli) -> None:
    _load(cli)
    assert "12 invitation(s) would be sent" in cli("invite", "--dry-run").output
    assert cli.stack.drain_sends(cli.clients)["records"] == 0, "a dry run queues nothing"
    assert "Queued 12 invitation(s)" in cli("invite", "--no-wait").output
    cli.stack.drain_sends(cli.clients)
    assert cli.json("status", MEETING)["invitations"] == {"sent": 12}
    assert "Queued 0 invitation(s)" in cli("invite", "--no-wait").output, "nobody is invited twice"

    # A reply from an address the desk does not know lands in the review queue.
    cli.deliver(reply(sender="assistant@gmail.example.com", to="registration@minefree-americas.example.org",
                      body="Excmo. Sr. Luis Ugarelli asistirá en representación de la Misión del Perú.",
                      written=datetime.now(UTC), subject="Participación"))
    [item] = cli.json("review", MEETING)
    assert item["outcome"] == "unknown_sender" and item["intent"] == "accept"
    assert item["attendees"] == ["Excmo. Sr. Luis Ugarelli"] and "Ugarelli" in item["text"]
    assert "not matched to an invitee" in cli("review", MEETING, "--list").output

    cli("review", MEETING, "--settle", item["id"], "--answer", "accept", code=2)  # whose answer is it?
    settled = cli("review", MEETING, "--settle", item["id"][:6], "--answer", "accept", "--invitee", PERU,
                  "--note", "the Mission's assistant")
    assert f"accept for {PERU}" in settled.output
    cli("review", MEETING, "--settle", item["id"], "--answer", "dismiss", code=4)
    assert cli.json("review", MEETING) == []

    cli("set", MEETING, CANADA, "accept", "--attendee", "H.E. Ambassador Jane Whitfield", "--attendee",
        "Mr Tom Reed", "--session", "day1", "--note", "telephone")
    cli("set", MEETING, CANADA, "accept", "--session", "day7", code=2)
    cli("set", MEETING, "nobody@example.org", "decline", code=3)

    status = cli.json("status", MEETING)
    assert status["totals"] == {"pending": 10, "accepted": 2, "declined": 0, "tentative": 0}
    assert status["sessions"] == {"day1": {"delegations": 2, "attendees": 3},
                                  "day2": {"delegations": 1, "attendees": 1}}
    assert status["open_reviews"] == 0

    history = cli.json("history", MEETING, PERU)
    assert [(h["source"], h["actor"], h["status_after"]) for h in history] == [
        ("organiser", "ana.registrar", "accepted")]
    assert "the Mission's assistant" in history[0]["reasons"]
    assert "telephone" in cli("history", MEETING, CANADA).output

    exported = cli("export", MEETING, "--out", "-").stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["organisation"], r["title"], r["name"], r["sessions"]) for r in rows] == [
        ("Misión Permanente del Perú", "Excmo. Sr.", "Luis Ugarelli", "day1 day2"),
        ("Permanent Mission of Canada", "H.E. Ambassador", "Jane Whitfield", "day1"),
        ("Permanent Mission of Canada", "Mr", "Tom Reed", "day1"),
    ]
    workbook = cli.folder / "participants.xlsx"
    cli("export", MEETING, "--format", "xlsx", "--out", str(workbook))
    from openpyxl import load_workbook

    sheet = load_workbook(workbook).active
    assert sheet.max_row == 4 and sheet.cell(row=3, column=4).value == "Jane Whitfield"

    preview = cli.folder / "digest.eml"
    text = cli("digest", MEETING, "--preview", "--out", str(preview)).stdout
    assert "What changed" in text and "ana.registrar" in text
    assert b"participants-" in preview.read_bytes()
    sent_before = len(list((cli.folder / "outbox").glob("*-digest-*.eml")))
    cli("digest", MEETING, "--now")
    assert len(list((cli.folder / "outbox").glob("*-digest-*.eml"))) == sent_before + 1


def test_a_person_is_forgotten_from_the_terminal_and_only_the_audit_says_so(cli: Cli) -> None:
    _load(cli)
    cli("invite", "--no-wait")
    cli.stack.drain_sends(cli.clients)
    cli("set", MEETING, PERU, "accept", "--attendee", "Excmo. Sr. Luis Ugarelli", "--notify")
    assert list((cli.folder / "outbox").glob(f"*-{PERU}.eml")), "the invitation and the confirmation"

    done = cli("forget", MEETING, PERU, "--yes")

    assert "erased one person's records" in done.output and PERU not in done.output
    assert not list((cli.folder / "outbox").glob(f"*-{PERU}.eml")), "the local copies of their mail too"
    cli("history", MEETING, PERU, code=3)
    assert cli.json("status", MEETING)["invitees"] == 11
    cli("forget", MEETING, PERU, "--yes", code=3)


def test_stored_mail_can_be_processed_again_and_changes_nothing(cli: Cli) -> None:
    _load(cli)
    cli("invite", "--no-wait")
    cli.stack.drain_sends(cli.clients)
    record = runtime.app().stores.get_invitee(MEETING, CANADA)
    from rsvp.domain.tags import reply_address

    key = cli.deliver(reply(sender=CANADA, to=reply_address("registration@minefree-americas.example.org",
                                                            record.tag),
                            body="We will attend.", written=datetime.now(UTC)))
    assert cli.json("status", MEETING)["totals"]["accepted"] == 1
    confirmations = len(list((cli.folder / "outbox").glob("*-confirmation-*.eml")))

    assert "1 stored message(s) queued" in cli("replay", "--key", key).output
    assert cli.stack.drain(inbound.handler, cli.clients)["records"] == 1
    assert len(list((cli.folder / "outbox").glob("*-confirmation-*.eml"))) == confirmations
    assert len(cli.json("history", MEETING, CANADA)) == 1
    assert "0 message(s) moved" in cli("replay").output, "the dead-letter queue is empty"


def test_errors_are_one_line_with_exit_codes_scripts_can_rely_on(cli: Cli, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _load(cli)
    unknown = cli("status", "no-such-meeting", code=3)
    assert unknown.output.strip() == f"error: no meeting 'no-such-meeting' (meetings: {MEETING})"
    assert cli("history", MEETING, "nobody@example.org", code=3).output.count("\n") == 1
    assert "accept, decline or tentative" in cli("set", MEETING, CANADA, "perhaps", code=2).output
    assert "csv or xlsx" in cli("export", MEETING, "--format", "pdf", code=2).output
    cli("digest", MEETING, code=2)  # neither --now nor --preview
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("id: x\n", encoding="utf-8")
    assert f"{bad_yaml}:" in cli("meeting", "load", str(bad_yaml), code=2).output

    monkeypatch.setenv("RSVP_LOCAL_STATE", str(tmp_path / "absent.json"))
    gone = cli("status", MEETING, code=5)
    assert "rsvp local up" in gone.output and "--stack" in gone.output


def test_the_review_queue_can_be_worked_through_item_by_item(cli: Cli) -> None:
    _load(cli)
    cli.deliver(reply(sender="assistant@gmail.example.com", to="registration@minefree-americas.example.org",
                      body="Could you tell us whether interpretation is provided?", written=datetime.now(UTC),
                      subject="Interpretation"))
    cli.deliver(reply(sender="office@unknown.example.net", to="registration@minefree-americas.example.org",
                      body="Mr Erik Lunde will attend for Norway.", written=datetime.now(UTC), subject="Norway"))
    assert len(cli.json("review", MEETING)) == 2
    # first item: dismiss it with a note; second: accept it for the invitee the organiser names
    answers = "x\nasked the interpreters\na\ngva.disarmament@mission-norway.example.org\n\n"
    result = cli.runner.invoke(app, ["review", MEETING, "--interactive"], input=answers)
    assert result.exit_code == 0, result.output
    assert result.output.count("settled:") == 2
    assert cli.json("review", MEETING) == []
    settled = cli.json("review", MEETING, "--all")
    assert sorted(i["resolution"].split(" — ")[0] for i in settled) == [
        "accept for gva.disarmament@mission-norway.example.org", "dismiss"]
    assert cli.json("status", MEETING)["totals"]["accepted"] == 1


def test_a_deployed_stack_is_found_by_its_outputs(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from rsvp.target import TargetError, from_stack

    outputs = {"TableName": cli.stack.table_name, "MailBucketName": cli.stack.bucket,
               "SenderAddress": "Registration@minefree-americas.example.org",
               "ReplyTagSecretArn": cli.stack.secret_arn, "InboundQueueUrl": cli.stack.inbound_queue_url,
               "InboundDeadLetterQueueUrl": cli.stack.dead_letter_queue_url,
               "SendQueueUrl": cli.stack.send_queue_url, "SendDeadLetterQueueUrl": cli.stack.send_dead_letter_queue_url,
               "ConfigurationSetName": cli.stack.configuration_set, "DigestRecipients": "desk@example.org,"}
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
                "Outputs": {k: {"Value": v} for k, v in outputs.items()}}
    cli.clients.cloudformation.create_stack(StackName="rsvp-desk", TemplateBody=json.dumps(template))

    target = from_stack("rsvp-desk", "eu-west-1")
    assert target.settings.table_name == cli.stack.table_name and target.settings.sender_address == (
        "registration@minefree-americas.example.org")
    assert target.settings.digest_recipients == ("desk@example.org",)
    assert target.inbound_queue_url == cli.stack.inbound_queue_url and not target.local

    _load(cli)
    assert cli.json("--stack", "rsvp-desk", "--region", "eu-west-1", "status", MEETING)["invitees"] == 12

    with pytest.raises(TargetError, match=r"does not exist|not found|No stack"):
        from_stack("no-such-stack", "eu-west-1")
    cli.clients.cloudformation.create_stack(StackName="other", TemplateBody=json.dumps(
        {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))
    with pytest.raises(TargetError, match="is it an RSVP desk stack"):
        from_stack("other", "eu-west-1")
