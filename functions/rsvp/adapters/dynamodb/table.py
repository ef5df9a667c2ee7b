"""What every store on the table shares: paged queries, the conditional write, the meeting's expiry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from . import schema

_FROM = TypeDeserializer()


class TransactionCancelled(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__(", ".join(reasons))
        self.reasons = reasons  # per action: "None" (fine) or "ConditionalCheckFailed"…


class TableItems:
    """`retention_days`: every item of a meeting expires (DynamoDB TTL, `expires_at`) that many days after the
    meeting's last session; 0 keeps them until deleted."""

    def __init__(self, table: Any, retention_days: int = 0) -> None:
        self.table = table
        self.retention = timedelta(days=retention_days) if retention_days > 0 else None
        self._ends: dict[str, datetime] = {}  # meeting id -> end of its last session (read once per container)

    def _expiry(self, meeting_id: str) -> dict[str, int]:
        """The TTL attribute for an item of the meeting ({} when records are kept)."""
        if self.retention is None:
            return {}
        if meeting_id not in self._ends:
            item = self.table.get_item(Key=schema.meeting_key(meeting_id), ProjectionExpression="ends_at").get("Item")
            if not item or not item.get("ends_at"):
                return {}
            self._ends[meeting_id] = datetime.fromisoformat(str(item["ends_at"]))
        return {"expires_at": int((self._ends[meeting_id] + self.retention).timestamp())}

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = self.table.query(**kwargs)
            yield from page["Items"]
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _get(self, key: schema.Key, consistent: bool = False) -> dict[str, Any] | None:
        item = self.table.get_item(Key=key, ConsistentRead=consistent).get("Item")
        return dict(item) if item else None

    def _put_if(self, item: dict[str, Any], condition: Any) -> bool:
        """put_item under a condition: False when the condition does not hold (the one place that says so)."""
        return _unless_condition_fails(self.table.put_item, Item=item, ConditionExpression=condition) is not None

    def _transact(self, *actions: tuple[str, dict[str, Any]]) -> None:
        """Several writes as one (TransactWriteItems): ("Put" | "Update", parameters with plain values and string
        expressions). TransactionCancelled when a condition failed: then none was written."""
        items = [{kind: {"TableName": self.table.name, **params}} for kind, params in actions]
        try:  # (the table's own client: it turns plain values into DynamoDB's typed ones, as the table does)
            self.table.meta.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            raise TransactionCancelled([_reason(r) for r in exc.response.get("CancellationReasons", [])]
                                       ) from exc

    def _update_if(self, **update: Any) -> bool:
        """update_item under its ConditionExpression: False when the condition does not hold."""
        return self._update_returning(**update) is not None

    def _update_returning(self, **update: Any) -> dict[str, Any] | None:
        """update_item under its ConditionExpression: its response, or None when the condition does not hold."""
        response: dict[str, Any] | None = _unless_condition_fails(self.table.update_item, **update)
        return response


def _reason(reason: dict[str, Any]) -> str:
    """One action's cancellation reason: its code, and the message of an unexpected one."""
    code = str(reason.get("Code"))
    return f"{code}: {reason['Message']}" if reason.get("Message") and code not in ("None", "ConditionalCheckFailed") \
        else code


def old_item(exc: ClientError) -> dict[str, Any]:
    """The item as it was when a condition failed (ReturnValuesOnConditionCheckFailure=ALL_OLD): no second read."""
    return {k: _FROM.deserialize(v) for k, v in (exc.response.get("Item") or {}).items()}


def _unless_condition_fails(call: Any, **kwargs: Any) -> Any:
    """The conditional-write pattern, in one place: the call's response, or None when its condition failed."""
    try:
        return call(**kwargs)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return None
        raise
