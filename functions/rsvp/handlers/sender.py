"""The sender: one SQS job per invitee and sending (invitation or reminder), sent exactly once.

A job that cannot be settled now (another attempt in flight, SES throttling for too long) fails alone
(partial batch response) and SQS redelivers it; after maxReceiveCount it goes to the dead-letter queue.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..domain.sending import SendJob
from .runtime import app, count, logger, sqs_batch


def process_record(record: SQSRecord, outcomes: Counter[str]) -> None:
    job = SendJob.from_json(record.body)
    outcome = app().sender.deliver(job)
    outcomes[outcome.value] += 1
    logger.info("job", extra={"kind": job.kind.value, "meeting": job.meeting_id, "sending": job.sending,
                              "outcome": outcome.value})


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes: Counter[str] = Counter()
    try:
        return sqs_batch(event, context, lambda record: process_record(record, outcomes))
    finally:
        count("SendJobs", "outcome", outcomes)
