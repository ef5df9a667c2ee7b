"""SES events from the configuration set, through EventBridge: Send (settles a send whose attempt died
before recording it), Bounce (permanent: no more mail to the address), Complaint (likewise)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from .runtime import app, count, logger


@logger.inject_lambda_context
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    outcome = app().ses_events.handle(dict(event.detail or {}))
    count("SesEvents", "outcome", Counter([outcome.value]))
    logger.info("ses event", extra={"detail_type": event.detail_type, "outcome": outcome.value})
    return {"outcome": outcome.value}
