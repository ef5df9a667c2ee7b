"""The composition: every use case wired to its ports, built once per container (bootstrap.build_app) or by a
test over fakes. It holds no logic: handlers, the CLI and the local stack reach the use cases through it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .mail.render import Renderer
from .ports import Clock, JobQueue, Mailer, RateLimiter, RawMailStore, Sleeper, Stores
from .reading.authentication import ReceivingServer
from .usecases.compose import Composer
from .usecases.digests import Digests
from .usecases.inbound import Inbound
from .usecases.inbound.answer import Answerer
from .usecases.inbound.identify import WhoReplied
from .usecases.inbound.record import Recorder
from .usecases.invitations import Invitations, JobSender, NoQueue, Reminders
from .usecases.meetings import MeetingCatalog
from .usecases.organiser import Organiser
from .usecases.sending import NoLimit, NoSleep, Outbox
from .usecases.ses_events import SesEvents

if TYPE_CHECKING:
    from .reading.model.second import SecondReader


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

    def __post_init__(self) -> None:
        s = self.stores
        self.catalog = MeetingCatalog(s, s, self.store, self.secret)
        self.composer = Composer(self.sender_address, self.renderer, attachments=self.catalog.programme)
        self.outbox = Outbox(self.mailer, s, self.clock, self.limiter, self.sleeper, self.throttle_retries,
                             self.stale_after_seconds)
        self.sender = JobSender(self.catalog, s, s, self.outbox, self.composer, self.clock)
        self.invitations = Invitations(self.catalog, s, s, self.jobs, self.sender, self.clock)
        self.reminders = Reminders(s, s, s, s, self.catalog, self.jobs, self.clock)
        self.ses_events = SesEvents(s, s, s, self.clock)
        self.digests = Digests(s, self.catalog, s, s, s, s, s, self.outbox, self.composer, self.clock,
                               self.renderer, self.digest_recipients)
        recorder = Recorder(s, s, s)
        self.inbound = Inbound(
            self.store, s, s, WhoReplied(s, s, s, self.secret, self.sender_address), recorder,
            Answerer(s, s, self.outbox, self.composer, recorder, self.clock), self.clock, self.receiving,
            self.second_reader)

    def organiser(self, actor: str) -> Organiser:
        s = self.stores
        return Organiser(s, s, s, s, s, self.store, self.invitations, self.outbox, self.composer, self.clock,
                         self.secret, actor)
