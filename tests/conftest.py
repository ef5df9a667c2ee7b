"""Shared fixtures. Nothing here can reach AWS: credentials are fake and moto intercepts every call."""

from __future__ import annotations

import os

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "eu-west-1", "AWS_REGION": "eu-west-1",
    "POWERTOOLS_SERVICE_NAME": "rsvp-desk", "POWERTOOLS_METRICS_NAMESPACE": "RsvpDesk",
    "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING",
})
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from rsvp.domain.invitees import Invitee, load_invitees
from rsvp.domain.meeting import Meeting, load_meeting

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mine-free-americas-2021"
SHARED = ROOT.parent / "shared"
ZURICH = ZoneInfo("Europe/Zurich")


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def set(self, *args: int) -> datetime:
        self.current = datetime(*args, tzinfo=ZURICH)  # type: ignore[misc]
        return self.current


@pytest.fixture
def meeting() -> Meeting:
    return load_meeting(EXAMPLE / "meeting.yaml")


@pytest.fixture
def invitees(meeting: Meeting) -> list[Invitee]:
    return load_invitees(EXAMPLE / "invitees.csv", meeting)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2021, 1, 18, 9, 0, tzinfo=ZURICH))


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared is optional outside CI)")
    return path


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if anything tries to open a socket to a non-loopback address."""
    import socket

    real = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"test tried to reach {address}")
        return real(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
