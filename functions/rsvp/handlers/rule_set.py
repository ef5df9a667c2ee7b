"""Custom resource: make the stack's SES receipt rule set the active one (SES allows one per region).

On delete, the rule set is deactivated only if it is still the active one.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..adapters.aws import receipt_rule_sets, send_custom_resource_response

logger = Logger()


def apply(event: dict[str, Any], rule_sets: Any) -> dict[str, str]:
    name = event["ResourceProperties"]["RuleSetName"]
    request = event["RequestType"]
    if request in ("Create", "Update"):
        previous = rule_sets.active()
        rule_sets.activate(name)
        logger.info("receipt rule set activated", extra={"rule_set": name, "previously_active": previous})
    elif request == "Delete":
        rule_sets.deactivate(name)
    return {"RuleSetName": name}


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    status, reason, data = "SUCCESS", "", {}
    try:
        data = apply(event, receipt_rule_sets())
    except Exception as exc:  # CloudFormation must always get an answer, or the stack hangs for an hour
        logger.exception("rule set activation failed")
        status, reason = "FAILED", f"{type(exc).__name__}: {exc}"
    body = json.dumps({
        "Status": status, "Reason": reason or f"See log stream {context.log_stream_name}",
        "PhysicalResourceId": f"active-rule-set-{event['ResourceProperties']['RuleSetName']}",
        "StackId": event["StackId"], "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
        "Data": data,
    }).encode()
    send_custom_resource_response(event["ResponseURL"], body)
