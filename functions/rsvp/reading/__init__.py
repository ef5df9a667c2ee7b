"""Reading replies: raw bytes in, what the sender said out.

`read_message` is the one entry point; the processing function and `rsvp parse` both use it.
"""

from .reader import Reading, read_message

__all__ = ["Reading", "read_message"]
