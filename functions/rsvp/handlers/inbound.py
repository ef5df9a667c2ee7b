"""Inbound mail: SES stored the raw message in S3; S3 told SQS; SQS hands us a batch.

A record that fails is reported alone (partial batch response) and retried by SQS; after
maxReceiveCount it moves to the dead-letter queue, from where `rsvp replay` sends it back.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..domain.sending import RetryLater
from .runtime import desk, logger, metrics, sqs_batch


def stored_objects(body: str) -> list[tuple[str, str, datetime | None]]:
    """(bucket, key, event time) for each object an S3 notification announces; [] for a test event."""
    payload = json.loads(body)
    if payload.get("Event") == "s3:TestEvent":
        return []
    objects = []
    for record in payload.get("Records", []):
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record["s3"]
        when = record.get("eventTime")
        objects.append((s3["bucket"]["name"], unquote_plus(s3["object"]["key"]),
                        datetime.fromisoformat(when.replace("Z", "+00:00")) if when else None))
    return objects


# Seconds a claim outlives this invocation's deadline (clock differences): the lease ends long before the queue's
# visibility timeout (six times the function's timeout), so a retry always finds it expired.
LEASE_MARGIN_SECONDS = 5


def process_record(record: SQSRecord, context: LambdaContext) -> None:
    service = desk()
    for bucket, key, when in stored_objects(record.body):
        if bucket != service.store.bucket:
            raise ValueError(f"notification for unexpected bucket {bucket!r}")
        lease = context.get_remaining_time_in_millis() / 1000 + LEASE_MARGIN_SECONDS
        try:
            result = service.process_inbound(key, when, lease_seconds=lease)
        except RetryLater as exc:
            logger.info("retried later", extra={"key": key, "why": str(exc)})
            raise
        except Exception:
            logger.exception("record failed; SQS retries it, then dead-letters it", extra={"key": key})
            raise
        metrics.add_metric(name=f"Inbound_{result.outcome.value}", unit=MetricUnit.Count, value=1)
        if result.model is not None:  # the second reader: used, agreed, disagreed, guarded… or why it failed
            metrics.add_metric(name=f"ReaderModel_{result.model.replace(' ', '_')}", unit=MetricUnit.Count, value=1)
        logger.info("processed", extra={"key": key, **result.summary()})


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return sqs_batch(event, context, lambda record: process_record(record, context))
