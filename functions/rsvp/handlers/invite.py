"""Send a meeting's invitations: invoked by the organisers' CLI (or `aws lambda invoke`).

Event: {"meeting_id": "...", "only": ["email", ...] (optional), "resend": false}
Queues one job per invitee; the sender function sends them at the account's SES rate.
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
    report = desk().queue_invitations(event["meeting_id"], only, resend=bool(event.get("resend")))
    metrics.add_metric(name="InvitationsQueued", unit=MetricUnit.Count, value=len(report.queued))
    logger.info("invitations queued", extra={"sending": report.sending, "queued": len(report.queued),
                                             "skipped": len(report.skipped)})
    return {"sending": report.sending, "queued": report.queued, "skipped": report.skipped}
