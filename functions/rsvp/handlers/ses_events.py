"""SES events from the configuration set, through EventBridge: Send (settles a send whose attempt died
before recording it), Bounce (permanent: no more mail to the address), Complaint (likewise)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from .runtime import desk, logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcome = desk().delivery_event(event.get("detail", {}))
    metrics.add_metric(name=f"SesEvent_{outcome.replace(' ', '_')}", unit=MetricUnit.Count, value=1)
    logger.info("ses event", extra={"detail_type": event.get("detail-type"), "outcome": outcome})
    return {"outcome": outcome}
