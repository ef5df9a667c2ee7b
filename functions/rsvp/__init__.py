"""RSVP desk: invitations out, replies read and recorded, confirmations and digests."""

__version__ = "0.1.0"
