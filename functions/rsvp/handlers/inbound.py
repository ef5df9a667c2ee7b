"""Inbound mail: SES stored the raw message in S3; S3 told SQS; SQS hands us a batch.

A record that fails is reported alone (partial batch response) and retried by SQS; after
maxReceiveCount it moves to the dead-letter queue, from where `rsvp replay` sends it back.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..domain.sending import RetryLater
from .runtime import app, count, logger, sqs_batch


def stored_objects(record: SQSRecord) -> list[tuple[str, str, datetime | None]]:
    """(bucket, key, event time) for each object an S3 notification announces; [] for S3's test event."""
    body = record.json_body
    if not isinstance(body, dict) or body.get("Event") == "s3:TestEvent":
        return []
    objects = []
    for s3 in S3Event(body).records:
        if not s3.event_name.startswith("ObjectCreated"):
            continue
        when = s3.get("eventTime")  # (a replay of stored mail has none)
        objects.append((s3.s3.bucket.name, unquote_plus(s3.s3.get_object.key),  # (S3 sends it URL-encoded)
                        datetime.fromisoformat(when.replace("Z", "+00:00")) if when else None))
    return objects


# Seconds a claim outlives this invocation's deadline (clock differences): the lease ends long before the queue's
# visibility timeout (six times the function's timeout), so a retry always finds it expired.
LEASE_MARGIN_SECONDS = 5


def process_record(record: SQSRecord, context: LambdaContext, outcomes: Counter[str], model: Counter[str]) -> None:
    inbound = app().inbound
    for bucket, key, when in stored_objects(record):
        if bucket != inbound.store.bucket:
            raise ValueError(f"notification for unexpected bucket {bucket!r}")
        lease = context.get_remaining_time_in_millis() / 1000 + LEASE_MARGIN_SECONDS
        try:
            result = inbound.process(key, when, lease_seconds=lease)
        except RetryLater as exc:
            logger.info("retried later", extra={"key": key, "why": str(exc)})
            raise
        except Exception:
            logger.exception("record failed; SQS retries it, then dead-letters it", extra={"key": key})
            raise
        outcomes[result.outcome.value] += 1
        if result.model is not None:  # the second reader: used, agreed, disagreed, guarded… or why it failed
            model[result.model] += 1
        logger.info("processed", extra={"key": key, **result.summary()})


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes: Counter[str] = Counter()
    model: Counter[str] = Counter()
    try:
        return sqs_batch(event, context, lambda record: process_record(record, context, outcomes, model))
    finally:
        count("InboundMessages", "outcome", outcomes)
        count("ReaderModel", "result", model)
