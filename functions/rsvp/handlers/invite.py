"""Send a meeting's invitations: invoked by the organisers' CLI (or `aws lambda invoke`).

Event: {"meeting_id": "...", "only": ["email", ...] (optional)}
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from .runtime import desk, logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    only = set(event["only"]) if event.get("only") else None
    report = desk().send_invitations(event["meeting_id"], only)
    metrics.add_metric(name="InvitationsSent", unit=MetricUnit.Count, value=len(report.sent))
    metrics.add_metric(name="InvitationsFailed", unit=MetricUnit.Count, value=len(report.failed))
    logger.info("invitations", extra={"sent": len(report.sent), "skipped": len(report.skipped),
                                      "failed": len(report.failed)})
    return {"sent": report.sent, "skipped": report.skipped, "failed": report.failed}
