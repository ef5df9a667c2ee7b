"""template.yaml says what a careful operator expects: encryption, least privilege, dead letters, alarms."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from rsvp.local.stack import read_template

TEMPLATE = read_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
FUNCTIONS = {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}


def test_every_function_is_python_313_from_one_code_artifact_with_an_importable_handler() -> None:
    globals_ = TEMPLATE["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.13" and globals_["CodeUri"] == "functions/"
    for name, function in FUNCTIONS.items():
        assert "CodeUri" not in function["Properties"], f"{name} must share the one artifact"
        module, _, attribute = function["Properties"]["Handler"].rpartition(".")
        assert callable(getattr(importlib.import_module(module), attribute)), name


def test_powertools_is_configured_for_every_function() -> None:
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["POWERTOOLS_SERVICE_NAME"] and variables["POWERTOOLS_METRICS_NAMESPACE"]


def test_the_table_is_on_demand_encrypted_and_recoverable() -> None:
    props = RESOURCES["RsvpTable"]["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert RESOURCES["RsvpTable"]["DeletionPolicy"] == "Retain"


def test_the_mail_bucket_is_private_encrypted_expiring_and_writable_only_by_our_ses_rule() -> None:
    props = RESOURCES["MailBucket"]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert props["LifecycleConfiguration"]["Rules"][0]["Status"] == "Enabled"
    [allow, deny] = RESOURCES["MailBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "ses.amazonaws.com"} and allow["Action"] == "s3:PutObject"
    assert "aws:SourceAccount" in allow["Condition"]["StringEquals"]
    assert "receipt-rule-set/" in allow["Condition"]["ArnLike"]["aws:SourceArn"]
    assert deny["Effect"] == "Deny" and deny["Condition"]["Bool"]["aws:SecureTransport"] == "false"


def test_inbound_mail_is_retried_then_dead_lettered_and_alarmed() -> None:
    queue = RESOURCES["InboundQueue"]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 3
    assert queue["VisibilityTimeout"] >= 6 * TEMPLATE["Globals"]["Function"]["Timeout"]
    assert RESOURCES["InboundFunction"]["Properties"]["Events"]["StoredMail"]["Properties"][
        "FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    alarms = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert any(a["MetricName"] == "ApproximateNumberOfMessagesVisible" for a in alarms)
    for name in ("InviteFunction", "DigestFunction"):
        assert FUNCTIONS[name]["Properties"]["DeadLetterQueue"]["Type"] == "SQS"
    for name in ("InboundQueue", "InboundDeadLetterQueue", "OperationsDeadLetterQueue"):
        assert RESOURCES[name]["Properties"]["SqsManagedSseEnabled"] is True


def test_the_receipt_rule_stores_mail_for_the_mailbox_with_scanning() -> None:
    rule = RESOURCES["StoreInboundMailRule"]["Properties"]["Rule"]
    assert rule["ScanEnabled"] is True and rule["Enabled"] is True
    assert rule["Actions"][0]["S3Action"]["ObjectKeyPrefix"] == "inbound/"


def test_the_digest_runs_on_an_eventbridge_scheduler_schedule_in_a_time_zone() -> None:
    schedule = FUNCTIONS["DigestFunction"]["Properties"]["Events"]["Hourly"]
    assert schedule["Type"] == "ScheduleV2"
    assert schedule["Properties"]["ScheduleExpressionTimezone"]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_policies_name_their_actions_and_resources(name: str) -> None:
    for policy in FUNCTIONS[name]["Properties"]["Policies"]:
        assert isinstance(policy, dict) and "Statement" in policy, "inline statements only (no broad managed policies)"
        for statement in policy["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all("*" not in action for action in actions), statement
            if any(a.startswith(("dynamodb:", "s3:", "secretsmanager:")) for a in actions):
                assert statement["Resource"] != "*", statement
            if any(a.startswith("ses:Send") for a in actions):
                assert "ses:FromAddress" in statement["Condition"]["StringEquals"], statement
            assert not any(a in ("dynamodb:Scan", "dynamodb:DeleteTable", "s3:DeleteObject") for a in actions)


def test_no_secret_is_written_in_the_template() -> None:
    assert RESOURCES["ReplyTagSecret"]["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert "TAG_SECRET" not in variables and "TAG_SECRET_ARN" in variables
