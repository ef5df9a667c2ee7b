"""The DynamoDB adapter: every store of `ports.Stores` on one table (schema.py says which items and keys), split by
aggregate; each module writes its own items and nothing else."""

from __future__ import annotations

from .inbound import InboundItems
from .journal import ErasureItems, JournalItems, MarkerItems, ReviewItems
from .meetings import InviteeItems, MeetingItems
from .rate import DynamoRateLimiter
from .sending import SendItems


class DynamoRepository(MeetingItems, InviteeItems, SendItems, InboundItems, JournalItems, ReviewItems, MarkerItems,
                       ErasureItems):
    """All the stores on one table: `DynamoRepository(table, retention_days)`."""


__all__ = ["DynamoRateLimiter", "DynamoRepository"]
