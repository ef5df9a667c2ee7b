"""The account's SES send rate, shared by every concurrent sender: a conditional counter per second."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Attr

from . import schema
from .table import TableItems


class DynamoRateLimiter(TableItems):
    def __init__(self, table: Any, rate: float, clock: Any, sleeper: Any, name: str = "ses") -> None:
        super().__init__(table)
        self.per_second = max(1, int(rate))
        self.clock = clock
        self.sleeper = sleeper
        self.name = name

    def acquire(self) -> None:
        while True:
            now = self.clock.now()
            second = int(now.timestamp())
            if self._update_if(Key=schema.rate_key(self.name, second),
                               UpdateExpression="ADD n :one SET expires_at = :ttl",
                               ConditionExpression=Attr("n").not_exists() | Attr("n").lt(self.per_second),
                               ExpressionAttributeValues={":one": 1, ":ttl": second + 300}):
                return
            self.sleeper.sleep(max(0.001, second + 1 - now.timestamp()))  # this second is full: wait for the next
