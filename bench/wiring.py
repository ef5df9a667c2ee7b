"""How the benchmarks reach the desk's composition: in this tree the App (`build_app`, `catalog.load`), in a tree
before the use cases were split the Desk (`build_desk`, `load`) — so an older commit can be measured side by side
(PYTHONPATH=<old>/functions) with the same script."""

from __future__ import annotations

import importlib
from typing import Any


def load(meeting: Any, invitees: list[Any]) -> None:
    """Store the meeting and its invitees (each with its personal tag) in the installed container."""
    from rsvp.handlers import runtime

    handlers: Any = runtime  # (typed as Any: only one of the two APIs exists in a given tree)
    if hasattr(handlers, "desk"):
        handlers.desk().load(meeting, invitees)
    else:
        handlers.app().catalog.load(meeting, invitees)


def build(settings: Any, **wiring: Any) -> Any:
    """The composition root, as a new container builds it."""
    bootstrap = importlib.import_module("rsvp.bootstrap")
    return (getattr(bootstrap, "build_desk", None) or bootstrap.build_app)(settings, **wiring)
