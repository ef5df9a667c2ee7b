"""The sender: one SQS job per invitee and sending (invitation or reminder), sent exactly once.

A job that cannot be settled now (another attempt in flight, SES throttling for too long) fails alone
(partial batch response) and SQS redelivers it; after maxReceiveCount it goes to the dead-letter queue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..domain.sending import SendJob
from .runtime import desk, logger, metrics, sqs_batch


def process_record(record: SQSRecord) -> None:
    job = SendJob.from_json(record.body)
    outcome = desk().deliver(job)
    metrics.add_metric(name=f"Send_{outcome.replace(' ', '_')}", unit=MetricUnit.Count, value=1)
    logger.info("job", extra={"kind": job.kind.value, "meeting": job.meeting_id, "sending": job.sending,
                              "outcome": outcome})


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return sqs_batch(event, context, process_record)
