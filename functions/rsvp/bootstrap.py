"""The composition root: settings in, a Desk wired to AWS out."""

from __future__ import annotations

from pathlib import Path

from .adapters.aws import OutboxMailer, S3RawMailStore, SesMailer, aws_clients, secret_from_secrets_manager
from .adapters.dynamodb import DynamoRepository
from .config import Settings
from .ports import Clock, Mailer
from .services import Desk
from .timeutil import SystemClock


def build_desk(settings: Settings, clock: Clock | None = None) -> Desk:
    clients = aws_clients(settings.region or None)
    secret = (settings.tag_secret.encode() if settings.tag_secret
              else secret_from_secrets_manager(clients.secrets, settings.tag_secret_arn))
    mailer: Mailer = SesMailer(clients.ses, settings.configuration_set)
    if settings.outbox_dir:
        mailer = OutboxMailer(mailer, Path(settings.outbox_dir))
    return Desk(
        repo=DynamoRepository(clients.dynamodb.Table(settings.table_name)),
        store=S3RawMailStore(clients.s3, settings.mail_bucket),
        mailer=mailer,
        clock=clock or SystemClock(),
        secret=secret,
        sender_address=settings.sender_address,
        digest_recipients=settings.digest_recipients,
    )
