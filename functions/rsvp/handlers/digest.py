"""The daily tick: EventBridge Scheduler calls this hourly; each meeting's digest goes out once a day at
or after its configured local time (meeting's time zone), and reminders are queued on reminder days."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from .runtime import desk, logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    service = desk()
    sent = service.run_digests()
    reminders = service.run_reminders()
    metrics.add_metric(name="DigestsSent", unit=MetricUnit.Count, value=len(sent))
    logger.info("daily tick", extra={"digests": sent, "reminders": reminders})
    return {"sent": sent, "reminders": reminders}
