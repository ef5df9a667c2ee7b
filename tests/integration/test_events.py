"""Each handler accepts the sample event in events/ (what `sam local invoke -e` would send)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from moto import mock_aws

from rsvp.adapters.aws import aws_clients
from rsvp.domain.invitees import Invitee
from rsvp.domain.meeting import Meeting
from rsvp.domain.tags import reply_address
from rsvp.handlers import digest, inbound, invite, rule_set, runtime, sender, ses_events
from rsvp.local.demo import local_app
from rsvp.local.stack import LambdaContext, LocalStack, provision
from tests.conftest import ROOT, FakeClock
from tests.support import reply

EVENTS = ROOT / "events"


def event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


@pytest.fixture
def stack(meeting: Meeting, invitees: list[Invitee], clock: FakeClock, tmp_path: Path) -> Iterator[LocalStack]:
    with mock_aws():
        clients = aws_clients("eu-west-1")
        local = provision(clients, region="eu-west-1", mailbox=meeting.mailbox, sender=meeting.mailbox,
                          outbox_dir=str(tmp_path / "outbox"))
        runtime.install(local_app(local, clients, clock))
        runtime.app().catalog.load(meeting, invitees)
        try:
            yield local
        finally:
            runtime.install(None)


def test_the_invite_event_queues_and_the_sender_event_sends(stack: LocalStack) -> None:
    queued = invite.handler(event("invite.json"), LambdaContext("InviteFunction"))
    counts = stack.drain_sends(aws_clients("eu-west-1"))
    again = invite.handler(event("invite-one.json"), LambdaContext("InviteFunction"))
    assert len(queued["queued"]) == 12 and counts == {"batches": 2, "records": 12, "failed": 0}
    assert again == {"sending": "invitation-1", "queued": [], "skipped": ["disarmament@mission-canada.example.org"]}


def test_the_sender_event_in_its_sample_shape(stack: LocalStack) -> None:
    invite.handler(event("invite.json"), LambdaContext("InviteFunction"))
    response = sender.handler(event("sender-sqs-job.json"), LambdaContext("SenderFunction"))
    assert response == {"batchItemFailures": []}


def test_the_ses_event_in_its_sample_shape(stack: LocalStack) -> None:
    assert ses_events.handler(event("ses-bounce-event.json"), LambdaContext("SesEventsFunction")) == {
        "outcome": "not_ours"}


def test_the_inbound_event_processes_the_stored_message(stack: LocalStack, meeting: Meeting,
                                                        clock: FakeClock) -> None:
    invite.handler(event("invite.json"), LambdaContext("InviteFunction"))
    stack.drain_sends(aws_clients("eu-west-1"))
    record = runtime.app().stores.get_invitee(meeting.id, "disarmament@mission-canada.example.org")
    assert record is not None
    raw = reply(sender=record.email, to=reply_address(meeting.mailbox, record.tag), body="We will attend.",
                written=clock.now())
    sample = event("inbound-sqs-s3-notification.json")
    body = json.loads(sample["Records"][0]["body"])
    key = body["Records"][0]["s3"]["object"]["key"]
    aws_clients("eu-west-1").s3.put_object(Bucket=stack.bucket, Key=key, Body=raw)
    body["Records"][0]["s3"]["bucket"]["name"] = stack.bucket
    sample["Records"][0]["body"] = json.dumps(body)

    response = inbound.handler(sample, LambdaContext("InboundFunction"))

    assert response == {"batchItemFailures": []}
    assert runtime.app().stores.get_invitee(meeting.id, record.email).state.status.value == "accepted"


def test_a_notification_for_another_bucket_is_refused(stack: LocalStack) -> None:
    # The sample names the production bucket, not this stack's: the record fails, and as it is the
    # whole batch, the function raises (Lambda retries; the Errors alarm sees it).
    with pytest.raises(BatchProcessingError, match="All records failed"):
        inbound.handler(event("inbound-sqs-s3-notification.json"), LambdaContext("InboundFunction"))


def test_the_s3_test_event_is_accepted_and_ignored(stack: LocalStack) -> None:
    assert inbound.handler(event("inbound-sqs-s3-test-event.json"), LambdaContext("InboundFunction")) == {
        "batchItemFailures": []}


def test_the_schedule_event_runs_the_digests(stack: LocalStack, clock: FakeClock) -> None:
    clock.set(2021, 1, 25, 8, 0)
    assert digest.handler(event("digest-schedule.json"), LambdaContext("DigestFunction")) == {
        "sent": ["mine-free-americas-2021"], "reminders": []}


class _Capture(BaseHTTPRequestHandler):
    bodies: list[bytes] = []  # noqa: RUF012 - test capture

    def do_PUT(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_the_custom_resource_activates_the_rule_set_and_answers_cloudformation() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with mock_aws():
            client = boto3.client("ses", region_name="eu-west-1")
            client.create_receipt_rule_set(RuleSetName="rsvp-prod-inbound")
            create = event("rule-set-create.json")
            create["ResponseURL"] = f"http://127.0.0.1:{server.server_port}/response"
            rule_set.handler(create, LambdaContext("RuleSetActivatorFunction"))
            assert client.describe_active_receipt_rule_set()["Metadata"]["Name"] == "rsvp-prod-inbound"
    finally:
        server.shutdown()
        server.server_close()
    answer = json.loads(_Capture.bodies[-1])
    assert (answer["Status"], answer["LogicalResourceId"], answer["Data"]) == (
        "SUCCESS", "ReceiptRuleSetActivation", {"RuleSetName": "rsvp-prod-inbound"})
