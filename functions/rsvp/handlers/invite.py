"""Send a meeting's invitations: invoked by the organisers' CLI (or `aws lambda invoke`).

Event: {"meeting_id": "...", "only": ["email", ...] (optional), "resend": false}
Queues one job per invitee; the sender function sends them at the account's SES rate.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from .runtime import app, count, logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    only = set(event["only"]) if event.get("only") else None
    report = app().invitations.queue_all(event["meeting_id"], only, resend=bool(event.get("resend")))
    count("Invitations", "state", Counter({"queued": len(report.queued), "skipped": len(report.skipped)}))
    logger.info("invitations queued", extra={"sending": report.sending, "queued": len(report.queued),
                                             "skipped": len(report.skipped)})
    return {"sending": report.sending, "queued": report.queued, "skipped": report.skipped}
