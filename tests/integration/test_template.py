"""template.yaml says what a careful operator expects: encryption, least privilege, dead letters, alarms."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from rsvp.local.stack import read_template

TEMPLATE = read_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
FUNCTIONS = {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}


def timeout_of(function: str) -> int:
    """A function's Timeout: its own, or the one of Globals."""
    return int(FUNCTIONS[function]["Properties"].get("Timeout", TEMPLATE["Globals"]["Function"]["Timeout"]))


def queue_of(function: str, event: str) -> dict[str, Any]:
    """The properties of the queue an SQS event of the function reads (Queue: !GetAtt NAME.Arn)."""
    queue = FUNCTIONS[function]["Properties"]["Events"][event]["Properties"]["Queue"]
    return dict(RESOURCES[queue.split(".")[0]]["Properties"])


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
        for statement in map(_unconditional, policy["Statement"]):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all("*" not in action for action in actions), statement
            if any(a.startswith(("dynamodb:", "s3:", "secretsmanager:")) for a in actions):
                assert statement["Resource"] != "*", statement
            if any(a.startswith("ses:Send") for a in actions):
                assert "ses:FromAddress" in statement["Condition"]["StringEquals"], statement
            assert not any(a in ("dynamodb:Scan", "dynamodb:DeleteTable", "s3:DeleteObject") for a in actions)


def _unconditional(statement: Any) -> dict[str, Any]:
    """A statement, or the one an `!If [condition, statement, AWS::NoValue]` grants when its condition holds."""
    if isinstance(statement, list):
        condition, granted, otherwise = statement
        assert condition in TEMPLATE["Conditions"] and otherwise == "AWS::NoValue", statement
        return dict(granted)
    return dict(statement)


def test_the_second_reader_may_call_its_one_model_and_only_when_it_is_on() -> None:
    [policy] = FUNCTIONS["InboundFunction"]["Properties"]["Policies"]
    conditional = [s for s in policy["Statement"] if isinstance(s, list)]
    [[condition, statement, _]] = conditional
    assert condition == "HasReaderModel"
    assert statement["Action"] == "bedrock:InvokeModel"
    assert statement["Resource"].endswith("::foundation-model/${ReaderModelId}"), "that one model, not bedrock:*"
    assert TEMPLATE["Parameters"]["ReaderMode"]["Default"] == "off"
    assert TEMPLATE["Parameters"]["ReaderModelId"]["Default"] == ""
    for name, function in FUNCTIONS.items():
        granted = [_unconditional(s) for p in function["Properties"]["Policies"] for s in p["Statement"]]
        if name != "InboundFunction":
            assert not any("bedrock" in str(s["Action"]) for s in granted), name


def test_no_secret_is_written_in_the_template() -> None:
    assert RESOURCES["ReplyTagSecret"]["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert "TAG_SECRET" not in variables and "TAG_SECRET_ARN" in variables


def test_the_access_log_bucket_is_private_encrypted_expiring_and_tls_only() -> None:
    props = RESOURCES["AccessLogBucket"]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    encryption = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"  # what log delivery writes to
    [rule] = props["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and rule["ExpirationInDays"]
    assert props["BucketName"].startswith("rsvp-${EnvironmentName}-")
    assert RESOURCES["AccessLogBucket"]["DeletionPolicy"] == "Retain"


def test_only_the_s3_logging_service_may_write_to_the_access_log_bucket_for_the_mail_bucket() -> None:
    policy = RESOURCES["AccessLogBucketPolicy"]["Properties"]
    assert policy["Bucket"] == "AccessLogBucket"
    [allow, deny] = policy["PolicyDocument"]["Statement"]
    assert allow["Effect"] == "Allow" and allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Action"] == "s3:PutObject"
    assert allow["Condition"]["StringEquals"]["aws:SourceAccount"] == "AWS::AccountId"
    mail_bucket_name = RESOURCES["MailBucket"]["Properties"]["BucketName"]
    assert allow["Condition"]["ArnLike"]["aws:SourceArn"] == f"arn:${{AWS::Partition}}:s3:::{mail_bucket_name}"
    assert deny["Effect"] == "Deny" and deny["Condition"]["Bool"]["aws:SecureTransport"] == "false"


def test_the_mail_bucket_sends_its_access_logs_to_the_log_bucket_under_a_prefix_the_policy_allows() -> None:
    logging = RESOURCES["MailBucket"]["Properties"]["LoggingConfiguration"]
    assert logging["DestinationBucketName"] == "AccessLogBucket"
    [allow, _] = RESOURCES["AccessLogBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert logging["LogFilePrefix"] and allow["Resource"] == f"${{AccessLogBucket.Arn}}/{logging['LogFilePrefix']}*"
    assert "AccessLogBucketPolicy" in RESOURCES["MailBucket"]["DependsOn"], "the policy first, or early logs are lost"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_has_a_small_reserved_concurrency(name: str) -> None:
    reserved = FUNCTIONS[name]["Properties"]["ReservedConcurrentExecutions"]
    assert isinstance(reserved, int) and 1 <= reserved <= 10


def test_the_inbound_and_sender_functions_keep_their_concurrency() -> None:
    assert FUNCTIONS["InboundFunction"]["Properties"]["ReservedConcurrentExecutions"] == 10
    assert FUNCTIONS["SenderFunction"]["Properties"]["ReservedConcurrentExecutions"] == 5


@pytest.mark.parametrize(("function", "event"), [("InboundFunction", "StoredMail"), ("SenderFunction", "Jobs")])
def test_a_queue_hides_a_message_longer_than_its_function_may_run(function: str, event: str) -> None:
    assert timeout_of(function) < queue_of(function, event)["VisibilityTimeout"]
    assert queue_of(function, event)["VisibilityTimeout"] >= 6 * timeout_of(function)  # what AWS recommends


@pytest.mark.parametrize(("function", "event"), [("InboundFunction", "StoredMail"), ("SenderFunction", "Jobs")])
def test_the_queue_poller_starts_no_more_batches_than_the_function_may_run(function: str, event: str) -> None:
    """A throttled batch goes back to the queue and counts towards maxReceiveCount: mail dead-lettered by a burst."""
    props = FUNCTIONS[function]["Properties"]
    assert props["Events"][event]["Properties"]["ScalingConfig"]["MaximumConcurrency"] <= props[
        "ReservedConcurrentExecutions"]


def test_the_functions_are_told_which_receiving_server_to_trust_and_how_long_records_are_kept() -> None:
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["AUTHSERV_ID"] == "amazonses.com"
    assert variables["RECEIVING_HOSTS"] == "inbound-smtp.${AWS::Region}.amazonaws.com"
    assert variables["RECORD_RETENTION_DAYS"] == "RecordRetentionDays"
    retention = TEMPLATE["Parameters"]["RecordRetentionDays"]
    assert retention["Type"] == "Number" and retention["Default"] == 365 and retention["MinValue"] == 1
    assert "DynamoDB TTL" in retention["Description"]


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_every_checkov_skip_says_why(name: str) -> None:
    for skip in RESOURCES[name].get("Metadata", {}).get("checkov", {}).get("skip", []):
        assert skip["id"].startswith("CKV_") and len(skip.get("comment", "")) > 40, skip
