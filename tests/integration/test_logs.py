"""Addresses reach the logs redacted (`d***@mission-peru.example.org`): only DynamoDB holds them whole."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from rsvp.handlers import runtime
from rsvp.local.stack import Verdicts
from tests.integration.harness import PERU, MotoDesk, at, moto_desk
from tests.support import reply


@pytest.fixture(scope="module")
def world() -> Iterator[MotoDesk]:
    yield from moto_desk("logs")


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    level = runtime.logger.log_level
    runtime.logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield
    runtime.logger.setLevel(level)


class Exploding:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def send(self, email: Any) -> str:
        raise RuntimeError(f"connection reset while sending to {email.to[0].email}")


@pytest.mark.usefixtures("everything_logged")
def test_no_whole_address_is_logged_by_any_function(world: MotoDesk, capsys: pytest.CaptureFixture[str],
                                                     caplog: pytest.LogCaptureFixture) -> None:
    world.new_meeting()
    world.deliver(reply(sender=PERU, to=world.personal_address(PERU), body="Confirmamos nuestra participación.",
                        written=at(20, 9)), at(20, 9, 1))
    world.deliver(reply(sender="stranger@unknown.example.net", to=world.meeting.mailbox,
                        body="We will attend.", written=at(20, 9)), at(20, 9, 2), Verdicts.passing())
    real = world.desk
    world.install(replace(real, mailer=Exploding(real.mailer)))
    try:
        world.deliver(reply(sender="gva.disarmament@mission-norway.example.org",
                            to=world.personal_address("gva.disarmament@mission-norway.example.org"),
                            body="Norway will attend.", written=at(20, 9)), at(20, 9, 3))
    finally:
        world.install(real)
    world.purge_dead_letters()

    logged = capsys.readouterr().out + "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "d***@mission-peru.example.org" in logged, "the invitee is still recognisable by domain"
    assert "connection reset while sending to g***@mission-norway.example.org" in logged
    for address in (PERU, "stranger@unknown.example.net", "gva.disarmament@mission-norway.example.org"):
        assert address not in logged, _debug_where(logged, address)


def _debug_where(logged: str, address: str) -> str:
    at = logged.find(address)
    return logged[max(0, at - 400):at + 100]
