"""A local stack on moto: the resources of template.yaml, wired as AWS wires them.

Resource shapes (table keys and indexes, queue redrive, bucket notification prefix) are read from
template.yaml, so the local stack and the deployed one cannot drift apart.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import yaml
from aws_lambda_powertools.utilities.typing import LambdaContext as PowertoolsContext

from ..config import Settings

REPO_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = REPO_ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation short-form tags (!Ref, !Sub...) as plain values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _any_tag)


def read_template(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a CloudFormation template")
    return data


def table_definition(template: dict[str, Any]) -> dict[str, Any]:
    props = template["Resources"]["RsvpTable"]["Properties"]
    return {
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "GlobalSecondaryIndexes": props.get("GlobalSecondaryIndexes", []),
        "BillingMode": props["BillingMode"],
    }


@dataclass(frozen=True)
class Verdicts:
    """What the local receiving door says of a message, written in SES receiving's form (Received-SPF,
    Authentication-Results, X-SES-Spam-Verdict, X-SES-Virus-Verdict). The door itself verifies nothing (no DNS
    here): "none" throughout, and no scan. Tests state what a verifying server would have found."""

    spf: str = "none"
    dkim: str = "none"
    dmarc: str = "none"
    spam: str = ""  # PASS, FAIL, GRAY, PROCESSING_FAILED; "" writes no verdict header
    virus: str = ""
    dkim_domain: str = ""  # the signing domain (header.i=@…); "" for the From domain
    mail_from: str = ""  # the envelope sender; "" for the From address
    results: str = ""  # the results part of Authentication-Results as written here, instead of the above

    @classmethod
    def passing(cls) -> Verdicts:
        """A message our server verified: SPF, DKIM and DMARC pass for its From domain, scans clean."""
        return cls(spf="pass", dkim="pass", dmarc="pass", spam="PASS", virus="PASS")


LOCAL_AUTHSERV_ID = "rsvp.local"  # the authserv-id of the local door's Authentication-Results (never trusted in AWS)
LOCAL_RECEIVING_HOST = "inbound-smtp.rsvp.local"


@dataclass
class LocalStack:
    """Names of the local resources and how to reach them."""

    region: str
    table_name: str
    bucket: str
    inbound_queue_url: str
    dead_letter_queue_url: str
    secret_arn: str
    mailbox: str
    sender: str
    inbound_prefix: str = "inbound/"
    outbox_dir: str = ""
    max_receive_count: int = 5
    send_queue_url: str = ""
    send_dead_letter_queue_url: str = ""
    configuration_set: str = ""
    max_send_rate: float = 14.0  # local runs: the rate a production SES account typically starts with
    delivered: list[str] = field(default_factory=list)
    ses_events: Any = None  # LocalSesEvents, when the desk sends through it
    authserv_id: str = LOCAL_AUTHSERV_ID
    receiving_host: str = LOCAL_RECEIVING_HOST
    record_retention_days: int = 365

    def settings(self) -> Settings:
        return Settings(table_name=self.table_name, mail_bucket=self.bucket, sender_address=self.sender,
                        inbound_prefix=self.inbound_prefix, tag_secret_arn=self.secret_arn,
                        outbox_dir=self.outbox_dir, region=self.region, invitation_queue_url=self.send_queue_url,
                        configuration_set=self.configuration_set, max_send_rate=self.max_send_rate,
                        authserv_id=self.authserv_id, receiving_hosts=(self.receiving_host,),
                        record_retention_days=self.record_retention_days)

    def environment(self) -> dict[str, str]:
        return {"TABLE_NAME": self.table_name, "MAIL_BUCKET": self.bucket, "SENDER_ADDRESS": self.sender,
                "INBOUND_PREFIX": self.inbound_prefix, "TAG_SECRET_ARN": self.secret_arn,
                "OUTBOX_DIR": self.outbox_dir, "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region,
                "INVITATION_QUEUE_URL": self.send_queue_url, "SES_CONFIGURATION_SET": self.configuration_set,
                "MAX_SEND_RATE": str(self.max_send_rate), "AUTHSERV_ID": self.authserv_id,
                "RECEIVING_HOSTS": self.receiving_host, "RECORD_RETENTION_DAYS": str(self.record_retention_days)}

    # ------------------------------------------------------------------ SES receiving, as SES does it
    def deliver(self, raw: bytes, received_at: datetime, clients: Any, verdicts: Verdicts | None = None) -> str:
        """Store a message the way SES receiving does: its trace block on top (Return-Path, Received, verdicts,
        Authentication-Results), raw into S3."""
        key = f"{self.inbound_prefix}{uuid.uuid4().hex}"
        clients.s3.put_object(Bucket=self.bucket, Key=key, Body=self.trace(raw, received_at, verdicts) + raw)
        self.delivered.append(key)
        return key

    def trace(self, raw: bytes, received_at: datetime, verdicts: Verdicts | None = None) -> bytes:
        """The header block our receiving server prepends, in SES receiving's order and form."""
        from ..reading.mime import parse_message

        verdicts = verdicts or Verdicts()
        sender = parse_message(raw).from_address or "unknown@invalid"
        domain = sender.rpartition("@")[2]
        mail_from = verdicts.mail_from or sender
        smtp_id = uuid.uuid4().hex[:20]
        lines = [f"Return-Path: <{mail_from}>",
                 f"Received: from local-sender (localhost [127.0.0.1]) by {self.receiving_host} with SMTP id "
                 f"{smtp_id} for {self.mailbox}; {format_datetime(received_at)}"]
        lines += [f"X-SES-Spam-Verdict: {verdicts.spam}"] if verdicts.spam else []
        lines += [f"X-SES-Virus-Verdict: {verdicts.virus}"] if verdicts.virus else []
        results = verdicts.results or (
            f"spf={verdicts.spf} (spfCheck: local door) client-ip=127.0.0.1; envelope-from={mail_from}; "
            f"helo=localhost; dkim={verdicts.dkim} header.i=@{verdicts.dkim_domain or domain}; "
            f"dmarc={verdicts.dmarc} header.from={domain};")
        lines += [f"Received-SPF: {verdicts.spf} (spfCheck: local door) client-ip=127.0.0.1; "
                  f"envelope-from={mail_from}; helo=localhost;",
                  f"Authentication-Results: {self.authserv_id}; {results}",
                  f"X-SES-RECEIPT: {smtp_id}"]
        return ("\r\n".join(lines) + "\r\n").encode()

    def drain_sends(self, clients: Any, max_rounds: int = 10_000) -> dict[str, int]:
        """Run the sender function over the send queue; SES's Send events follow each batch."""
        from ..handlers import sender

        after = self.ses_events.deliver if self.ses_events is not None else None
        return self.drain(sender.handler, clients, max_rounds=max_rounds, queue_url=self.send_queue_url,
                          after_batch=after)

    # ------------------------------------------------------------------ SQS -> Lambda, as the event source mapping
    def drain(self, handler: Callable[[dict[str, Any], Any], dict[str, Any]], clients: Any,
              max_rounds: int = 50, queue_url: str = "", after_batch: Callable[[], object] | None = None
              ) -> dict[str, int]:
        """Feed queued S3 notifications to the inbound handler in SQS batches until the queue is empty.

        Failed records are made visible again at once, so the redrive policy (maxReceiveCount)
        moves a message that keeps failing to the dead-letter queue, as in AWS.
        """
        url = queue_url or self.inbound_queue_url
        if after_batch is None and self.ses_events is not None:
            after_batch = self.ses_events.deliver  # the answers the batch sent are confirmed by SES's events
        counts = {"batches": 0, "records": 0, "failed": 0}
        arn = clients.sqs.get_queue_attributes(QueueUrl=url,
                                               AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        for _ in range(max_rounds):
            messages = clients.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                   WaitTimeSeconds=0, AttributeNames=["All"]).get("Messages", [])
            if not messages:
                break
            event = {"Records": [sqs_record(m, arn, self.region) for m in messages]}
            try:
                response = handler(event, LambdaContext("InboundFunction"))
                failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
            except Exception:
                failed = {m["MessageId"] for m in messages}
            counts["batches"] += 1
            counts["records"] += len(messages)
            counts["failed"] += len(failed)
            if after_batch is not None:
                after_batch()  # e.g. SES events published while the batch was sent
            for message in messages:
                if message["MessageId"] in failed:
                    clients.sqs.change_message_visibility(QueueUrl=url,
                                                          ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
                else:
                    clients.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return counts


class ClockSleeper:
    """Sleeping in simulated time: advances the injected clock instead of waiting."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.slept = 0.0

    def sleep(self, seconds: float) -> None:
        from datetime import timedelta

        self.slept += seconds
        self.clock.current = self.clock.current + timedelta(seconds=seconds)


class LocalSesEvents:
    """What SES's configuration set does after accepting a message: a Send event, which EventBridge hands
    to the SES-events function a moment later (moto sends nothing of the kind). Events wait in `pending`
    until `deliver()`, as they would arrive asynchronously in AWS."""

    def __init__(self, inner: Any, region: str, configuration_set: str) -> None:
        self.inner = inner
        self.region = region
        self.configuration_set = configuration_set
        self.pending: list[dict[str, Any]] = []

    def send(self, email: Any) -> str:
        provider_id = str(self.inner.send(email))
        tags = {"ses:configuration-set": [self.configuration_set], **{k: [v] for k, v in email.tags.items()}}
        self.pending.append({
            "version": "0", "id": uuid.uuid4().hex, "detail-type": "Email Sent", "source": "aws.ses",
            "account": "000000000000", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": self.region, "resources": [],
            "detail": {"eventType": "Send", "mail": {"messageId": provider_id, "destination": email.destinations,
                                                     "tags": tags}, "send": {}},
        })
        return provider_id

    def deliver(self) -> int:
        """Hand the waiting events to the SES-events function, one invocation each."""
        from ..handlers import ses_events

        events, self.pending = self.pending, []
        for event in events:
            ses_events.handler(event, LambdaContext("SesEventsFunction"))
        return len(events)


def schedule_event(at: datetime, region: str) -> dict[str, Any]:
    """The event EventBridge Scheduler hands the digest function (SAM ScheduleV2 with no Input)."""
    return {"version": "0", "id": uuid.uuid4().hex, "detail-type": "Scheduled Event", "source": "aws.scheduler",
            "account": "000000000000", "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": region,
            "resources": [f"arn:aws:scheduler:{region}:000000000000:schedule/default/hourly"], "detail": {}}


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of the event the SQS event source mapping hands to Lambda."""
    attributes = message.get("Attributes", {})
    return {
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
        "attributes": {
            "ApproximateReceiveCount": attributes.get("ApproximateReceiveCount", "1"),
            "SentTimestamp": attributes.get("SentTimestamp", str(int(time.time() * 1000))),
            "SenderId": attributes.get("SenderId", "AIDAIENQZJOLO23YVJ4VO"),
            "ApproximateFirstReceiveTimestamp": attributes.get("ApproximateFirstReceiveTimestamp",
                                                               str(int(time.time() * 1000))),
        },
        "messageAttributes": {}, "md5OfBody": message.get("MD5OfBody", ""), "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn, "awsRegion": region,
    }


class LambdaContext(PowertoolsContext):
    """The parts of the Lambda context object Powertools and the handlers read."""

    def __init__(self, function_name: str, timeout_seconds: float = 60.0) -> None:  # 60: template.yaml's Globals
        self._function_name = function_name
        self._function_version = "$LATEST"
        self._memory_limit_in_mb = 512
        self._log_group_name = f"/aws/lambda/{function_name}"
        self._log_stream_name = "local"
        self._invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"
        self.timeout_seconds = timeout_seconds
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:  # type: ignore[override]
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    @property
    def aws_request_id(self) -> str:
        return uuid.uuid4().hex


def provision(clients: Any, *, region: str, mailbox: str, sender: str, name: str = "local",
              template: Path = TEMPLATE, outbox_dir: str = "") -> LocalStack:
    """Create the stack's resources on moto (in-process mock or server) from template.yaml."""
    resources = read_template(template)["Resources"]
    table_name = f"rsvp-{name}-table"
    clients.dynamodb.meta.client.create_table(TableName=table_name, **table_definition({"Resources": resources}))

    queue_props = resources["InboundQueue"]["Properties"]
    dlq_url = clients.sqs.create_queue(QueueName=f"rsvp-{name}-inbound-dlq")["QueueUrl"]
    dlq_arn = clients.sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    max_receive = int(queue_props["RedrivePolicy"]["maxReceiveCount"])
    queue_url = clients.sqs.create_queue(QueueName=f"rsvp-{name}-inbound", Attributes={
        "VisibilityTimeout": str(queue_props["VisibilityTimeout"]),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive})})["QueueUrl"]
    queue_arn = clients.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    send_props = resources["SendQueue"]["Properties"]
    send_dlq_url = clients.sqs.create_queue(QueueName=f"rsvp-{name}-send-dlq")["QueueUrl"]
    send_dlq_arn = clients.sqs.get_queue_attributes(QueueUrl=send_dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    send_url = clients.sqs.create_queue(QueueName=f"rsvp-{name}-send", Attributes={
        "VisibilityTimeout": str(send_props["VisibilityTimeout"]),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": send_dlq_arn,
                                     "maxReceiveCount": int(send_props["RedrivePolicy"]["maxReceiveCount"])})})[
        "QueueUrl"]

    bucket_props = resources["MailBucket"]["Properties"]
    bucket = f"rsvp-{name}-mail-000000000000-{region}"
    if region == "us-east-1":
        clients.s3.create_bucket(Bucket=bucket)
    else:
        clients.s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    clients.s3.put_public_access_block(Bucket=bucket,
                                       PublicAccessBlockConfiguration=bucket_props["PublicAccessBlockConfiguration"])
    clients.s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    queue_config = bucket_props["NotificationConfiguration"]["QueueConfigurations"][0]
    prefix = queue_config["Filter"]["S3Key"]["Rules"][0]["Value"]
    clients.s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": queue_arn, "Events": [queue_config["Event"]],
                                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}}}]})
    # S3 announces a new notification target with a test event; the handler must (and does) ignore it.

    domain = sender.rpartition("@")[2]
    clients.ses.create_email_identity(EmailIdentity=domain)
    configuration_set = f"rsvp-{name}-sending"
    clients.ses.create_configuration_set(ConfigurationSetName=configuration_set)
    secret_arn = clients.secrets.create_secret(Name=f"rsvp-{name}-reply-tag-key",
                                               SecretString=secrets.token_urlsafe(36))["ARN"]
    return LocalStack(region=region, table_name=table_name, bucket=bucket, inbound_queue_url=queue_url,
                      dead_letter_queue_url=dlq_url, secret_arn=secret_arn, mailbox=mailbox, sender=sender,
                      inbound_prefix=prefix, outbox_dir=outbox_dir, max_receive_count=max_receive,
                      send_queue_url=send_url, send_dead_letter_queue_url=send_dlq_url,
                      configuration_set=configuration_set)


def use_moto_credentials(region: str) -> None:
    """Fake credentials so nothing can ever reach a real AWS account from a local run."""
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SECURITY_TOKEN": "testing", "AWS_SESSION_TOKEN": "testing",
                       "AWS_DEFAULT_REGION": region, "AWS_REGION": region})
