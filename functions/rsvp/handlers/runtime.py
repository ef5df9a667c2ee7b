"""One Desk per Lambda container, built on first use; tests and the local runner may install their own."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..bootstrap import build_desk
from ..config import Settings
from ..logs import redact_logs
from ..services import Desk

logger = Logger()
metrics = Metrics()
if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
    # Local runs and tests: Powertools then neither prints nor clears on flush, so metrics would pile up
    # (and print every 100). Clearing is what a disabled flush should do.
    # (The log_metrics decorator flushes through the provider, so that is where the fix goes.)
    metrics.provider.flush_metrics = (  # type: ignore[method-assign]
        lambda raise_on_empty_metrics=False: metrics.provider.clear_metrics())
_desk: Desk | None = None


def desk() -> Desk:
    global _desk
    redact_logs(logger)
    if _desk is None:
        _desk = build_desk(Settings.from_env())
    return _desk


def install(replacement: Desk | None) -> None:
    """Use `replacement` for the following invocations (None: build from the environment again)."""
    global _desk
    _desk = replacement


def sqs_batch(event: dict[str, Any], context: LambdaContext, record_handler: Callable[[SQSRecord], None]
              ) -> dict[str, Any]:
    """Process an SQS batch record by record; failed records are reported for SQS to redeliver alone."""
    response = process_partial_response(event=event, record_handler=record_handler,
                                        processor=BatchProcessor(event_type=EventType.SQS), context=context)
    return dict(response)
