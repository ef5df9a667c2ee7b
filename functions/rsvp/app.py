"""The composition: every use case wired to its ports, built once per container (bootstrap.build_app) or by a
test over fakes. It holds no logic: handlers, the CLI and the local stack reach the use cases through it.

Each use case is made, and its modules imported, the first time it is asked for: the sender function never
imports the reply reader, the inbound function never imports the digest."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .mail.render import Renderer
from .ports import Clock, JobQueue, Mailer, RateLimiter, RawMailStore, Sleeper, Stores
from .reading.authentication import ReceivingServer
from .usecases.sending import NoLimit, NoQueue, NoSleep, Outbox

if TYPE_CHECKING:
    from .reading.model.second import SecondReader
    from .usecases.compose import Composer
    from .usecases.digests import Digests
    from .usecases.inbound import Inbound
    from .usecases.invitations import Invitations, JobSender, Reminders
    from .usecases.meetings import MeetingCatalog
    from .usecases.organiser import Organiser
    from .usecases.ses_events import SesEvents


@dataclass
class App:
    stores: Stores  # every store (DynamoDB, or the fakes); each use case below takes only those it needs
    store: RawMailStore
    mailer: Mailer
    clock: Clock
    secret: bytes
    sender_address: str
    jobs: JobQueue = field(default_factory=NoQueue)
    limiter: RateLimiter = field(default_factory=NoLimit)
    sleeper: Sleeper = field(default_factory=NoSleep)
    receiving: ReceivingServer = field(default_factory=lambda: ReceivingServer("", ()))  # trusts nobody's verdicts
    digest_recipients: tuple[str, ...] = ()
    second_reader: SecondReader | None = None
    renderer: Renderer = field(default_factory=Renderer)
    throttle_retries: int = 6
    stale_after_seconds: int = 600

    @cached_property
    def catalog(self) -> MeetingCatalog:
        from .usecases.meetings import MeetingCatalog

        return MeetingCatalog(self.stores, self.stores, self.store, self.secret)

    @cached_property
    def composer(self) -> Composer:
        from .usecases.compose import Composer

        return Composer(self.sender_address, self.renderer, attachments=self.catalog.programme)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self.mailer, self.stores, self.clock, self.limiter, self.sleeper, self.throttle_retries,
                      self.stale_after_seconds)

    @cached_property
    def sender(self) -> JobSender:
        from .usecases.invitations import JobSender

        return JobSender(self.catalog, self.stores, self.stores, self.outbox, self.composer, self.clock)

    @cached_property
    def invitations(self) -> Invitations:
        from .usecases.invitations import Invitations

        return Invitations(self.catalog, self.stores, self.stores, self.jobs, self.sender, self.clock)

    @cached_property
    def reminders(self) -> Reminders:
        from .usecases.invitations import Reminders

        s = self.stores
        return Reminders(s, s, s, s, self.jobs, self.clock)

    @cached_property
    def ses_events(self) -> SesEvents:
        from .usecases.ses_events import SesEvents

        return SesEvents(self.stores, self.stores, self.stores, self.clock)

    @cached_property
    def digests(self) -> Digests:
        from .usecases.digests import Digests

        s = self.stores
        return Digests(s, self.catalog, s, s, s, s, s, self.outbox, self.composer, self.clock, self.renderer,
                       self.digest_recipients)

    @cached_property
    def inbound(self) -> Inbound:
        from .usecases.inbound import Inbound
        from .usecases.inbound.answer import Answerer
        from .usecases.inbound.identify import WhoReplied
        from .usecases.inbound.record import Recorder

        s = self.stores
        recorder = Recorder(s, s, s)
        return Inbound(self.store, s, s, WhoReplied(s, s, s, self.secret, self.sender_address), recorder,
                       Answerer(s, s, self.outbox, self.composer, recorder, self.clock), self.clock, self.receiving,
                       self.second_reader)

    def organiser(self, actor: str) -> Organiser:
        from .usecases.organiser import Organiser

        s = self.stores
        return Organiser(s, s, s, s, s, self.store, self.invitations, self.outbox, self.composer, self.clock,
                         self.secret, actor)
