"""The daily tick: EventBridge Scheduler calls this hourly; each meeting's digest goes out once a day at
or after its configured local time (meeting's time zone), and reminders are queued on reminder days."""

from __future__ import annotations

from collections import Counter
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from .runtime import app, count, logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    desk = app()
    sent = desk.digests.run()
    reminders = desk.reminders.run()
    count("DailyTick", "sent", Counter({"digest": len(sent), "reminder_sending": len(reminders)}))
    logger.info("daily tick", extra={"digests": sent, "reminders": reminders})
    return {"sent": sent, "reminders": reminders}
