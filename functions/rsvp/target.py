"""Where the command line works: the local stack (`rsvp local up` leaves a state file) or a deployed stack,
found by name from its CloudFormation outputs with the AWS CLI's region and profile."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .config import Settings

LOCAL_STATE_ENV = "RSVP_LOCAL_STATE"
DEFAULT_LOCAL_STATE = Path(".rsvp-local.json")


class TargetError(Exception):
    """The stack cannot be found or reached; exit code 5 for scripts."""

    exit_code = 5


@dataclass(frozen=True)
class Target:
    name: str  # "local" or the CloudFormation stack name
    settings: Settings
    inbound_queue_url: str
    inbound_dead_letter_queue_url: str
    send_dead_letter_queue_url: str
    endpoint_url: str = ""  # the moto server of a local stack
    profile: str | None = None

    @property
    def local(self) -> bool:
        return bool(self.endpoint_url) or self.name == "local"

    def activate(self) -> None:
        """Point boto3 in this process at the target (a local stack gets fake credentials: it can never reach
        a real account)."""
        if self.endpoint_url:
            os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                               "AWS_SESSION_TOKEN": "testing", "AWS_ENDPOINT_URL": self.endpoint_url})
            os.environ.pop("AWS_PROFILE", None)
        elif self.profile:
            os.environ["AWS_PROFILE"] = self.profile
        if self.settings.region:
            os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = self.settings.region

    def clients(self) -> Any:
        from .adapters.aws import aws_clients

        self.activate()
        return aws_clients(self.settings.region or None)

    def app(self) -> Any:
        from .bootstrap import build_app

        self.activate()
        return build_app(self.settings)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "settings": {**asdict(self.settings), "tag_secret": ""}}


def local_state_path() -> Path:
    return Path(os.environ.get(LOCAL_STATE_ENV) or DEFAULT_LOCAL_STATE)


def save_local(target: Target, path: Path | None = None) -> Path:
    path = path or local_state_path()
    path.write_text(json.dumps(target.to_json(), indent=2), encoding="utf-8")
    return path


def load_local(path: Path | None = None) -> Target:
    path = path or local_state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        settings = data.pop("settings")
        settings["digest_recipients"] = tuple(settings.get("digest_recipients", ()))
        return Target(settings=Settings(**settings), **data)
    except FileNotFoundError:
        raise TargetError(f"no local stack ({path} not found): start one with `rsvp local up`, "
                          "or name a deployed stack with --stack NAME") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise TargetError(f"{path}: not a local stack description ({exc}); start `rsvp local up` again") from None


def from_stack(name: str, region: str | None = None, profile: str | None = None) -> Target:
    """A deployed stack, from its CloudFormation outputs."""
    from botocore.exceptions import BotoCoreError, ClientError

    from .adapters.aws import aws_clients

    try:
        clients = aws_clients(region, profile)
        stacks = clients.cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as exc:
        raise TargetError(f"stack {name}: {exc.response.get('Error', {}).get('Message', exc)}") from None
    except BotoCoreError as exc:
        hint = " (pass --region or set AWS_REGION)" if "region" in str(exc).lower() else ""
        raise TargetError(f"stack {name}: {exc}{hint}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    needed = ("TableName", "MailBucketName", "SenderAddress", "ReplyTagSecretArn", "InboundQueueUrl", "SendQueueUrl")
    missing = [k for k in needed if k not in outputs]
    if missing:
        raise TargetError(f"stack {name} has no output(s) {', '.join(missing)}: is it an RSVP desk stack?")
    settings = Settings(
        table_name=outputs["TableName"], mail_bucket=outputs["MailBucketName"],
        sender_address=outputs["SenderAddress"].lower(), tag_secret_arn=outputs["ReplyTagSecretArn"],
        configuration_set=outputs.get("ConfigurationSetName", ""), region=clients.region or "",
        invitation_queue_url=outputs["SendQueueUrl"],
        digest_recipients=tuple(a.strip().lower() for a in outputs.get("DigestRecipients", "").split(",") if a.strip()))
    return Target(name=name, settings=settings, inbound_queue_url=outputs["InboundQueueUrl"],
                  inbound_dead_letter_queue_url=outputs.get("InboundDeadLetterQueueUrl", ""),
                  send_dead_letter_queue_url=outputs.get("SendDeadLetterQueueUrl", ""), profile=profile)


def resolve(stack: str | None, region: str | None = None, profile: str | None = None) -> Target:
    return from_stack(stack, region, profile) if stack else load_local()
