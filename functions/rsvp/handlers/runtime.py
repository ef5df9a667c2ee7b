"""One App per Lambda container, built on first use; tests and the local runner may install their own."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..app import App
from ..bootstrap import build_app
from ..config import Settings
from ..logs import redact_logs

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

logger = Logger()
metrics = Metrics()
if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
    # Local runs and tests: Powertools then neither prints nor clears on flush, so metrics would pile up
    # (and print every 100). Clearing is what a disabled flush should do.
    metrics.provider.flush_metrics = (  # type: ignore[method-assign]
        lambda raise_on_empty_metrics=False: metrics.provider.clear_metrics())
_app: App | None = None


def app() -> App:
    global _app
    redact_logs(logger)
    if _app is None:
        _app = build_app(Settings.from_env())
    return _app


def install(replacement: App | None) -> None:
    """Use `replacement` for the following invocations (None: build from the environment again)."""
    global _app
    _app = replacement


def count(name: str, by: str, outcomes: Counter[str]) -> None:
    """One metric per use, with what became of each item as a dimension (a bounded set of metric names: a
    custom metric per outcome would cost a metric each). One EMF document per outcome, as a dimension holds
    one value per document."""
    for outcome, n in sorted(outcomes.items()):
        metrics.add_dimension(name=by, value=outcome)
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=n)
        metrics.flush_metrics()


def sqs_batch(event: dict[str, Any], context: LambdaContext, record_handler: Callable[[SQSRecord], None]
              ) -> dict[str, Any]:
    """Process an SQS batch record by record; failed records are reported for SQS to redeliver alone.
    (Imported here: the functions that take no SQS batch never load it.)"""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    response = process_partial_response(event=event, record_handler=record_handler,
                                        processor=BatchProcessor(event_type=EventType.SQS), context=context)
    return dict(response)
