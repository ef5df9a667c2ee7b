"""The daily digest: EventBridge Scheduler calls this hourly; each meeting's digest goes out once a
day at or after its configured local time (meeting's time zone)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from .runtime import desk, logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    sent = desk().run_digests()
    metrics.add_metric(name="DigestsSent", unit=MetricUnit.Count, value=len(sent))
    logger.info("digests", extra={"sent": sent})
    return {"sent": sent}
