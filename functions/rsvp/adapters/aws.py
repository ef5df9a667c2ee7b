"""S3, SES v2 and Secrets Manager adapters, plus the local outbox that keeps every sent .eml."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from ..mail.message import OutgoingEmail


class S3RawMailStore:
    """Raw inbound mail, as SES receiving stored it. Only the configured bucket is read."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def get(self, key: str) -> bytes:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        return bytes(body.read())

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def delete(self, key: str) -> int:
        """Every version of the object (the bucket is versioned: a plain delete would only hide it)."""
        deleted = 0
        pages = self.client.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=key)
        for page in pages:
            versions = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                        for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])] if v["Key"] == key]
            if versions:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": versions, "Quiet": True})
                deleted += len(versions)
        return deleted


_THROTTLING = {"Throttling", "ThrottlingException", "TooManyRequestsException", "LimitExceededException"}
_REJECTED = {"MessageRejected", "MailFromDomainNotVerifiedException", "BadRequestException",
             "AccountSuspendedException", "SendingPausedException", "NotFoundException"}


class SesMailer:
    """SES v2 SendEmail with raw content, so our headers (Auto-Submitted, In-Reply-To) go out as built."""

    def __init__(self, client: Any, configuration_set: str = "") -> None:
        self.client = client
        self.configuration_set = configuration_set

    def send(self, email: OutgoingEmail) -> str:
        from botocore.exceptions import ClientError

        from ..domain.sending import SendRejected, SendThrottled

        try:
            return self._send(email)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = str(error.get("Code", "")), str(error.get("Message", ""))
            if code in _THROTTLING or "Maximum sending rate exceeded" in message:
                raise SendThrottled(f"{code}: {message}") from exc
            if code in _REJECTED:
                raise SendRejected(f"{code}: {message}") from exc
            raise

    def _send(self, email: OutgoingEmail) -> str:
        kwargs: dict[str, Any] = {
            "FromEmailAddress": email.sender.email,
            "Destination": {"ToAddresses": [r.email for r in email.to], "CcAddresses": [r.email for r in email.cc]},
            "Content": {"Raw": {"Data": email.to_bytes()}},
            "EmailTags": [{"Name": "kind", "Value": email.kind},
                          *({"Name": k, "Value": v} for k, v in email.tags.items())],
        }
        if self.configuration_set:
            kwargs["ConfigurationSetName"] = self.configuration_set
        return str(self.client.send_email(**kwargs)["MessageId"])


class OutboxMailer:
    """Wraps a mailer and keeps a copy of every message sent as an .eml file (local runs)."""

    def __init__(self, inner: Any, folder: Path) -> None:
        self.inner = inner
        self.folder = folder
        self.count = 0

    def send(self, email: OutgoingEmail) -> str:
        provider_id = str(self.inner.send(email))
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        who = _file_part(email.to[0].email) if email.to else "nobody"
        target = self.folder / f"{self.count:04d}-{email.kind}-{who}.eml"
        partial = target.with_name(f".{target.name}.partial")
        partial.write_bytes(email.to_bytes())
        partial.replace(target)  # whoever watches the folder never sees half a message
        return provider_id


def _file_part(address: str) -> str:
    return re.sub(r"[^a-z0-9.@-]+", "_", address.lower())


def forget_local_copies(outbox: Path, email: str, raw_keys: Iterable[str]) -> int:
    """Delete a local run's copies of one person's mail: what the desk sent them (outbox/NNNN-KIND-EMAIL.eml) and
    what they sent, as the local door (inbound/KEY.eml) and the demo (inbound/NN-STYLE-EMAIL.eml) keep it."""
    who = _file_part(email)
    inbound = outbox.parent / "inbound"
    files = [*outbox.glob(f"*-{who}.eml"), *inbound.glob(f"*-{who}.eml"),
             *(inbound / f"{key.rpartition('/')[2]}.eml" for key in raw_keys)]
    removed = 0
    for path in dict.fromkeys(files):
        if path.is_file():
            path.unlink()
            removed += 1
    return removed


def secret_from_secrets_manager(client: Any, secret_id: str) -> bytes:
    value = client.get_secret_value(SecretId=secret_id)
    return str(value["SecretString"]).encode()


class AwsClients:
    """The boto3 clients the desk uses, each made on first use and kept for the process (a function builds only
    those it calls: cold starts pay for nothing else). AWS_ENDPOINT_URL (local runs) is honoured."""

    def __init__(self, region: str | None, profile: str | None = None) -> None:
        import boto3

        self.session = boto3.session.Session(region_name=region, profile_name=profile)
        self.region = region or self.session.region_name

    @cached_property
    def cloudformation(self) -> Any:
        return self.session.client("cloudformation")

    @cached_property
    def dynamodb(self) -> Any:
        return self.session.resource("dynamodb")

    @cached_property
    def s3(self) -> Any:
        return self.session.client("s3")

    @cached_property
    def ses(self) -> Any:
        return self.session.client("sesv2")

    @cached_property
    def sqs(self) -> Any:
        return self.session.client("sqs")

    @cached_property
    def secrets(self) -> Any:
        return self.session.client("secretsmanager")


class Lazy:
    """A client (or table) made on its first use: `Lazy(lambda: clients.s3)` stands for the S3 client."""

    def __init__(self, make: Any) -> None:
        self._make = make
        self._target: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._target is None:
            self._target = self._make()
        return getattr(self._target, name)


def aws_clients(region: str | None, profile: str | None = None) -> AwsClients:
    return AwsClients(region, profile)


class ReceiptRuleSets:
    """SES (v1) receiving: which receipt rule set is active in this region."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def active(self) -> str | None:
        metadata = self.client.describe_active_receipt_rule_set().get("Metadata") or {}
        name = metadata.get("Name")
        return str(name) if name else None

    def activate(self, name: str) -> None:
        self.client.set_active_receipt_rule_set(RuleSetName=name)

    def deactivate(self, name: str) -> None:
        """Deactivate `name` only if it is the active one (never someone else's rule set)."""
        if self.active() == name:
            self.client.set_active_receipt_rule_set()


def receipt_rule_sets(region: str | None = None) -> ReceiptRuleSets:
    import boto3

    return ReceiptRuleSets(boto3.session.Session(region_name=region).client("ses"))


def send_custom_resource_response(url: str, body: bytes) -> None:
    """PUT the result to CloudFormation's pre-signed S3 URL (the cfn-response protocol)."""
    import urllib.request

    if not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
        raise ValueError("refusing a custom-resource response URL that is not https")
    request = urllib.request.Request(url, data=body, method="PUT",  # noqa: S310 - scheme checked above
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - scheme checked above
        response.read()


def requeue_stored_mail(sqs: Any, queue_url: str, bucket: str, keys: list[str]) -> int:
    """Process stored raw messages again: the S3 notification SES receiving would have caused, sent anew."""
    for key in keys:
        body = {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                             "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(key, safe="/")}}}]}
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))
    return len(keys)


def replay_dead_letters(sqs: Any, dead_letter_queue_url: str, queue_url: str, limit: int = 1000) -> int:
    """Move messages from the dead-letter queue back to the queue; each is deleted only once re-sent."""
    moved = 0
    while moved < limit:
        batch = sqs.receive_message(QueueUrl=dead_letter_queue_url, MaxNumberOfMessages=min(10, limit - moved),
                                    WaitTimeSeconds=0, VisibilityTimeout=60).get("Messages", [])
        if not batch:
            break
        for message in batch:
            sqs.send_message(QueueUrl=queue_url, MessageBody=message["Body"])
            sqs.delete_message(QueueUrl=dead_letter_queue_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    return moved


class SqsJobQueue:
    """Send jobs for the sender function, ten to a batch."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url

    def enqueue(self, jobs: Any) -> int:
        from ..domain.sending import SendJob

        batch: list[SendJob] = []
        count = 0
        for job in jobs:
            batch.append(job)
            if len(batch) == 10:
                count += self._send(batch)
                batch = []
        if batch:
            count += self._send(batch)
        return count

    def _send(self, batch: list[Any]) -> int:
        response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=[
            {"Id": str(i), "MessageBody": job.to_json()} for i, job in enumerate(batch)])
        failed = response.get("Failed", [])
        if failed:
            raise RuntimeError(f"{len(failed)} job(s) not queued: {failed[0].get('Message', '')}")
        return len(batch)


def ses_max_send_rate(clients: AwsClients) -> float:
    """The account's SES sending rate (messages per second)."""
    from botocore.exceptions import ClientError

    try:
        return float(clients.ses.get_account()["SendQuota"]["MaxSendRate"])
    except (ClientError, KeyError, NotImplementedError):
        import boto3

        v1 = boto3.session.Session(region_name=clients.region).client("ses")
        return float(v1.get_send_quota()["MaxSendRate"])


class RealSleeper:
    def sleep(self, seconds: float) -> None:
        import time

        time.sleep(seconds)
