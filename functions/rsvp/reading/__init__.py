"""Reading replies: raw bytes in, what the sender said out.

`read_message` is the one entry point; the processing function and `rsvp parse` both use it. (Imported on first
use: a function that only sends, or only reads our receiving server's verdicts, never loads the reader.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .reader import Reading, read_message


def __getattr__(name: str) -> Any:
    if name in ("Reading", "read_message"):
        from . import reader

        return getattr(reader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Reading", "read_message"]
