"""The composition root: settings in, the App wired to AWS out (clients built lazily, on first use)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .adapters.aws import (
    Lazy,
    OutboxMailer,
    RealSleeper,
    S3RawMailStore,
    SesMailer,
    SqsJobQueue,
    aws_clients,
    secret_from_secrets_manager,
    ses_max_send_rate,
)
from .adapters.dynamodb import DynamoRateLimiter, DynamoRepository
from .app import App
from .config import Settings
from .ports import Clock, Mailer, Sleeper
from .reading.authentication import ReceivingServer
from .timeutil import SystemClock
from .usecases.sending import NoQueue

if TYPE_CHECKING:
    from .reading.model.second import SecondReader


class LazyRateLimiter:
    """Reads the account's SES rate on first use only (most invocations send nothing)."""

    def __init__(self, table: Any, settings: Settings, clients: Any, clock: Clock, sleeper: Sleeper) -> None:
        self.table, self.settings, self.clients, self.clock, self.sleeper = table, settings, clients, clock, sleeper

    @cached_property
    def limiter(self) -> DynamoRateLimiter:
        rate = self.settings.max_send_rate or ses_max_send_rate(self.clients)
        return DynamoRateLimiter(self.table, rate, self.clock, self.sleeper)

    def acquire(self) -> None:
        self.limiter.acquire()


def build_app(settings: Settings, clock: Clock | None = None, sleeper: Sleeper | None = None,
              mailer: Mailer | None = None) -> App:
    clients = aws_clients(settings.region or None)
    secret = (settings.tag_secret.encode() if settings.tag_secret
              else secret_from_secrets_manager(clients.secrets, settings.tag_secret_arn))
    clock = clock or SystemClock()
    sleeper = sleeper or RealSleeper()
    mailer = mailer or SesMailer(Lazy(lambda: clients.ses), settings.configuration_set)
    if settings.outbox_dir:
        mailer = OutboxMailer(mailer, Path(settings.outbox_dir))
    table = Lazy(lambda: clients.dynamodb.Table(settings.table_name))
    return App(
        stores=DynamoRepository(table, settings.record_retention_days),
        store=S3RawMailStore(Lazy(lambda: clients.s3), settings.mail_bucket),
        mailer=mailer,
        clock=clock,
        secret=secret,
        sender_address=settings.sender_address,
        digest_recipients=settings.digest_recipients,
        jobs=SqsJobQueue(Lazy(lambda: clients.sqs), settings.invitation_queue_url) if settings.invitation_queue_url
        else NoQueue(),
        limiter=LazyRateLimiter(table, settings, clients, clock, sleeper),
        sleeper=sleeper,
        receiving=ReceivingServer(settings.authserv_id, settings.receiving_hosts),
        second_reader=_second_reader(settings),
    )


def _second_reader(settings: Settings) -> SecondReader | None:
    """The model reader the settings ask for; with the mode off, none of its code is imported."""
    if settings.reader_mode == "off":
        return None
    from .reading.model.second import from_settings

    return from_settings(settings.reader_mode, settings.reader_model_id, settings.reader_model_url,
                         settings.reader_model_name, settings.reader_model_key, settings.region,
                         settings.reader_model_timeout, settings.reader_max_delegation)
