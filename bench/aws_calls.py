"""AWS calls per inbound message: every botocore API call the inbound function makes for one stored message.

On moto (mock_aws) the local stack is provisioned from template.yaml, the example meeting
(examples/mine-free-americas-2021) is loaded and its invitations are sent through the real path (the invite
function queues the jobs, the sender function sends them, SES's Send events settle them), so every invitee has
a personal reply tag and an invitation on record. Then, per case, one message is written as a real mail
(RFC 5322, built by rsvp.local.mailclients as the demo's mail clients write it), sent to the invitee's
personal reply address reply_address(meeting.mailbox, tag), stored in S3 with our receiving server's trace
(LocalStack.deliver/trace, verdicts passing, so the sender is verified), and the S3 notification S3 put on the
inbound queue is handed to rsvp.handlers.inbound.handler as one SQS record, as the event source mapping does.

Only that handler invocation is counted: setup (provisioning, loading, invitations, storing the mail, reading
the queue) is not. Each case runs on a fresh invitee in a fresh inbound container (a Desk built by bootstrap
just before the case; what building it costs is printed once, apart); --warm first primes the container with
one accept from another invitee, to show a container that has already handled a message.

Counting: a handler on botocore's 'before-call' event is registered on every client any botocore session
creates (botocore.session.Session.create_client is wrapped before the first client exists, so boto3's default
session and the sessions the code builds are all covered). BaseClient._make_api_call is wrapped too, as an
independent second count; the two must agree (printed at the end).

DynamoDB write capacity is an ESTIMATE (the code does not set ReturnConsumedCapacity, and moto's figures are
not DynamoDB's): ceil(item size / 1 KB) per item written (Put, Update, Delete, each BatchWriteItem request),
conditional writes that fail included, as DynamoDB charges them. Two sizes: "req" from the request parameters
alone (Put: the item; Update: key + values + expression, rough), "stored" from the item as moto holds it before
and after the write (the larger, which is what DynamoDB bills), plus one GSI1 write per item carrying gsi1pk.

    python -m bench.aws_calls [--warm] [--trace]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus
from zoneinfo import ZoneInfo

os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_DEFAULT_REGION": "eu-west-1", "POWERTOOLS_METRICS_DISABLED": "true",
                   "POWERTOOLS_LOG_LEVEL": "ERROR",
                   "POWERTOOLS_SERVICE_NAME": "rsvp-desk", "POWERTOOLS_METRICS_NAMESPACE": "RsvpDesk"})
os.environ.pop("AWS_ENDPOINT_URL", None)

from . import wiring
from .corpora import ROOT

EXAMPLE = ROOT / "examples" / "mine-free-americas-2021"
REGION = "eu-west-1"
ZURICH = ZoneInfo("Europe/Zurich")
SERVICES = ("S3", "DynamoDB", "SES", "SQS")  # always printed, in this order; others after them when called
_LABELS = {"SESV2": "SES", "SES": "SES v1", "SECRETS MANAGER": "Secrets", "DYNAMODB": "DynamoDB", "S3": "S3",
           "SQS": "SQS"}
_OP_ORDER = ("GetItem", "BatchGetItem", "Query", "UpdateItem", "PutItem", "BatchWriteItem", "TransactWriteItems",
             "DeleteItem")
_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
HUMAN = ("accept", "decline")


class SimClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current


# ---------------------------------------------------------------------------------------------- counting
@dataclass
class Call:
    service: str
    operation: str
    detail: str = ""
    keys: list[dict[str, Any]] = field(default_factory=list)  # DynamoDB: the items' keys, typed (pk, sk)
    wru_request: int = 0
    wru_stored: int | None = None
    error: str = ""  # the error code AWS answered, if any (a failed condition, say)


class CallCounter:
    """Every botocore API call made while a window is open, seen through the event system of every client."""

    def __init__(self) -> None:
        self.calls: list[Call] | None = None  # None: no window open, calls are not recorded
        self.cross_check = 0  # the same calls, counted by BaseClient._make_api_call
        self.windows: list[tuple[int, int]] = []  # per window: (calls the hook saw, calls _make_api_call saw)
        self.clients = 0

    def install(self) -> None:
        """Hook every client created from now on (call before the first client exists)."""
        import botocore.client
        import botocore.session

        counter = self
        create_client = botocore.session.Session.create_client
        make_api_call = botocore.client.BaseClient._make_api_call

        def hooked_create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            client = create_client(session, *args, **kwargs)
            client.meta.events.register("provide-client-params", counter.client_params,
                                        unique_id="bench-aws-calls-params")
            client.meta.events.register("before-call", counter.before_call, unique_id="bench-aws-calls-before")
            client.meta.events.register("after-call", counter.after_call, unique_id="bench-aws-calls-after")
            counter.clients += 1
            return client

        def counted_make_api_call(client: Any, operation_name: str, api_params: Any) -> Any:
            if counter.calls is not None:
                counter.cross_check += 1
            return make_api_call(client, operation_name, api_params)

        setattr(botocore.session.Session, "create_client", hooked_create_client)  # noqa: B010 - patching
        setattr(botocore.client.BaseClient, "_make_api_call", counted_make_api_call)  # noqa: B010 - patching

    @contextmanager
    def window(self) -> Iterator[list[Call]]:
        calls: list[Call] = []
        self.calls, start = calls, self.cross_check
        try:
            yield calls
        finally:
            self.calls = None
            self.windows.append((len(calls), self.cross_check - start))

    # botocore event handlers ------------------------------------------------------------------------
    def client_params(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        """The caller's parameters, kept for the description (the same context reaches before-call)."""
        if self.calls is not None:
            context["bench_params"] = dict(params)

    def before_call(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if self.calls is None:
            return
        service = str(model.service_model.service_id)
        call = Call(_LABELS.get(service.upper(), service), str(model.name))
        if call.service == "DynamoDB":
            body = json.loads(params.get("body") or b"{}")
            _describe_dynamodb(call, body)
            if call.operation in _WRITES:
                context["bench_before"] = [self._stored(body.get("TableName", ""), k) for k in call.keys]
        elif call.service == "S3":
            call.detail = _prefix_path(str(context.get("bench_params", {}).get("Key", "")))
        context["bench_call"] = call
        self.calls.append(call)

    def after_call(self, context: dict[str, Any], parsed: dict[str, Any], **_: Any) -> None:
        call = context.get("bench_call")
        if call is not None and isinstance(parsed, dict) and parsed.get("Error", {}).get("Code"):
            call.error = str(parsed["Error"]["Code"])
        before = context.get("bench_before")
        if call is None or before is None:
            return
        try:
            stored = 0
            for key, old in zip(call.keys, before, strict=True):
                new = self._stored(key["__table"], key)
                sizes = [s for s in (old, new) if s is not None]
                if not sizes:  # nothing there before or after (a delete of nothing, a failed condition)
                    stored += 1
                    continue
                size, gsi = max(s[0] for s in sizes), any(s[1] for s in sizes)
                stored += _units(size) * (2 if gsi else 1) * (2 if call.operation == "TransactWriteItems" else 1)
            call.wru_stored = stored
        except Exception:
            call.wru_stored = None

    def _stored(self, table: str, key: dict[str, Any]) -> tuple[int, bool] | None:
        """(size in bytes, carries the GSI1 key) of the item as moto holds it; None if absent or unreadable."""
        try:
            from moto.core.models import DEFAULT_ACCOUNT_ID
            from moto.dynamodb.models import dynamodb_backends

            backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
            item = backend.get_item(table or key["__table"], {k: v for k, v in key.items() if k != "__table"})
        except Exception:
            return None
        if item is None:
            return None
        return int(item.size()), "gsi1pk" in item.attrs


def _describe_dynamodb(call: Call, body: dict[str, Any]) -> None:
    """Key prefixes (pk/sk up to their first '#'), flags, and the write-unit estimate from the request."""
    table = str(body.get("TableName", ""))
    flags = [flag for flag, on in (("consistent", body.get("ConsistentRead")),
                                   ("conditional", body.get("ConditionExpression")),
                                   (f"index {body.get('IndexName')}", body.get("IndexName")),
                                   (f"returns {body.get('ReturnValues')}", body.get("ReturnValues") not in
                                    (None, "NONE"))) if on]
    if call.operation in ("GetItem", "UpdateItem", "DeleteItem", "PutItem"):
        key = body.get("Key") or {a: body["Item"][a] for a in ("pk", "sk") if a in body.get("Item", {})}
        call.keys = [{**key, "__table": table}]
        call.detail = _key_text(key)
        if call.operation == "PutItem":
            call.wru_request = _units(_item_size(body.get("Item", {})))
        elif call.operation == "UpdateItem":
            values = body.get("ExpressionAttributeValues", {})
            size = _item_size(key) + sum(_value_size(v) for v in values.values()) + len(
                body.get("UpdateExpression", "")) // 2
            call.wru_request = _units(size)
            call.detail += " " + _update_text(body)
        else:
            call.wru_request = 1
    elif call.operation == "Query":
        values = body.get("ExpressionAttributeValues", {})
        shown = [_prefix(str(next(iter(v.values())))) for v in values.values() if "S" in v][:2]
        call.detail = "/".join(shown) or "?"
    elif call.operation == "BatchWriteItem":
        texts = []
        for name, requests in body.get("RequestItems", {}).items():
            for request in requests:
                if "PutRequest" in request:
                    item = request["PutRequest"]["Item"]
                    key = {a: item[a] for a in ("pk", "sk") if a in item}
                    call.wru_request += _units(_item_size(item))
                    texts.append("put " + _key_text(key))
                else:
                    key = request["DeleteRequest"]["Key"]
                    call.wru_request += 1
                    texts.append("delete " + _key_text(key))
                call.keys.append({**key, "__table": name})
        call.detail = ", ".join(texts)
    elif call.operation == "TransactWriteItems":  # DynamoDB charges a transaction's writes twice
        texts = []
        for action in body.get("TransactItems", []):
            kind, params = next(iter(action.items()))
            item = params.get("Item") or {}
            key = params.get("Key") or {a: item[a] for a in ("pk", "sk") if a in item}
            size = _item_size(item) if item else _item_size(key) + sum(
                _value_size(v) for v in params.get("ExpressionAttributeValues", {}).values())
            call.wru_request += 2 * _units(size)
            texts.append(f"{kind.lower()} {_key_text(key)}")
            call.keys.append({**key, "__table": str(params.get("TableName", ""))})
        call.detail = ", ".join(texts)
    if flags:
        call.detail += f" [{', '.join(flags)}]"


def _update_text(body: dict[str, Any]) -> str:
    """What an UpdateExpression writes, compactly: 'SET a,b ADD stages=decided REMOVE c'."""
    names = body.get("ExpressionAttributeNames", {})
    values = body.get("ExpressionAttributeValues", {})
    groups: list[tuple[str, list[str]]] = []
    expect_name = True
    for keyword, token, equals in re.findall(r"\b(SET|ADD|REMOVE|DELETE)\b|([#:]?[A-Za-z_][\w.]*)\s*(=)?",
                                             body.get("UpdateExpression", "")):
        if keyword:
            groups.append((keyword, []))
            expect_name = True
            continue
        if not groups or token in ("if_not_exists", "list_append") or token.startswith(":"):
            expect_name = False
            continue
        action, written = groups[-1]
        if action != "SET" or equals or expect_name:
            name = names.get(token, token)
            stage = next(iter(values.get(":stage", {}).get("SS", [])), "") if name == "stages" else ""
            written.append(f"{name}={stage}" if stage else name)
            expect_name = action == "REMOVE"
    return " ".join(f"{action} {','.join(written)}" for action, written in groups)


def _key_text(key: dict[str, Any]) -> str:
    return "/".join(_prefix(str(next(iter(key[a].values())))) for a in ("pk", "sk") if a in key)


def _prefix(value: str) -> str:
    """MEETING#mine-free…  -> MEETING#;  SEND#reply-3fa…#a@b -> SEND#reply-…;  TAG -> TAG."""
    head, sep, rest = value.partition("#")
    if not sep:
        return head
    if head == "SEND":
        kind = rest.partition("#")[0]
        return f"SEND#{kind.partition('-')[0]}-…" if "-" in kind else "SEND#…"
    return f"{head}#"


def _prefix_path(path: str) -> str:
    head, sep, _rest = path.partition("/")
    return f"{head}/…" if sep else head


def _units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def _value_size(value: dict[str, Any]) -> int:
    """DynamoDB's size of one typed attribute value (names counted by the caller)."""
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        digits = str(inner).lstrip("-").replace(".", "").lstrip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(str(inner)) * 3 // 4
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in inner.items())
    return len(json.dumps(inner))


def _item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


# ---------------------------------------------------------------------------------------------- the world
@dataclass
class Recorder:
    """Wraps the mailer: every message SES accepted, in order."""

    inner: Any
    sent: list[Any] = field(default_factory=list)

    def send(self, email: Any) -> str:
        provider_id = str(self.inner.send(email))
        self.sent.append(email)
        return provider_id


@dataclass
class World:
    stack: Any
    clients: Any
    clock: SimClock
    recorder: Recorder
    meeting: Any
    invitees: list[Any]
    queue_arn: str = ""
    invitations: dict[str, Any] = field(default_factory=dict)  # email -> the invitation SES accepted


def _invite(world: World) -> None:
    """Send every invitation through the real path: the invite function queues one job per invitee, the sender
    function sends them (drain_sends), SES's Send events settle them."""
    from rsvp.handlers import invite
    from rsvp.local.stack import LambdaContext

    invite.handler({"meeting_id": world.meeting.id}, LambdaContext("InviteFunction"))
    world.stack.drain_sends(world.clients)


def _container(world: World) -> Any:
    """A Desk as a new inbound container builds it (bootstrap), with the simulated clock and SES recorder."""
    from rsvp.local.stack import ClockSleeper

    return wiring.build(world.stack.settings(), clock=world.clock, sleeper=ClockSleeper(world.clock),
                  mailer=world.recorder)


def setup() -> World:
    from rsvp.adapters.aws import SesMailer, aws_clients
    from rsvp.domain.invitees import load_invitees
    from rsvp.domain.meeting import load_meeting
    from rsvp.handlers import runtime
    from rsvp.local.stack import LocalSesEvents, provision

    meeting = load_meeting(EXAMPLE / "meeting.yaml")
    invitees = load_invitees(EXAMPLE / "invitees.csv", meeting)
    clients = aws_clients(REGION)
    stack = provision(clients, region=REGION, mailbox=meeting.mailbox, sender=meeting.mailbox, name="awscalls")
    stack.ses_events = LocalSesEvents(SesMailer(clients.ses, stack.configuration_set), stack.region,
                                      stack.configuration_set)
    clock = SimClock(datetime(2021, 1, 18, 9, 0, tzinfo=ZURICH))
    world = World(stack, clients, clock, Recorder(stack.ses_events), meeting, invitees)
    runtime.install(_container(world))
    wiring.load(meeting, invitees)
    _invite(world)
    world.invitations = {e.to[0].email: e for e in world.recorder.sent if e.kind == "invitation"}
    missing = [i.email for i in invitees if i.email not in world.invitations]
    if missing:
        raise SystemExit(f"invitations not sent to {len(missing)} invitee(s): {missing[:3]}")
    world.queue_arn = clients.sqs.get_queue_attributes(QueueUrl=stack.inbound_queue_url, AttributeNames=[
        "QueueArn"])["Attributes"]["QueueArn"]
    _discard(world)  # S3's test event, announced when the notification was configured
    return world


def _discard(world: World) -> None:
    sqs, url = world.clients.sqs, world.stack.inbound_queue_url
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _personal_address(world: World, email: str) -> str:
    from rsvp.domain.tags import reply_address

    invitation = world.invitations[email]
    address = reply_address(world.meeting.mailbox, invitation.tags["invitee"])
    if invitation.reply_to is not None and invitation.reply_to.email != address:
        print(f"  note: {email}'s invitation says Reply-To {invitation.reply_to.email}, not {address}")
    return address


def _facts(world: World, email: str) -> dict[str, str]:
    from rsvp.local.mailclients import invitation_facts

    return invitation_facts(world.invitations[email].to_bytes())


def _reply(world: World, invitee: Any, body: str, at: datetime, style: str = "gmail") -> bytes:
    from rsvp.local.mailclients import compose

    return compose(style, sender=invitee.email, sender_name=invitee.name, to=_personal_address(world, invitee.email),
                   at=at - timedelta(minutes=2), body=body, invitation=_facts(world, invitee.email))


def _bounce(world: World, invitee: Any, at: datetime) -> bytes:
    from rsvp.local.mailclients import bounce

    return bounce(failed=invitee.email, to=world.meeting.mailbox, at=at - timedelta(minutes=2),
                  invitation=_facts(world, invitee.email))


def _stranger(world: World, at: datetime) -> bytes:
    from rsvp.local.mailclients import compose

    someone = next(iter(world.invitations))
    return compose("plain", sender="delegate@mission-atlantis.example.org", sender_name="Ana Silva",
                   to=world.meeting.mailbox, at=at - timedelta(minutes=2),
                   body="We will attend. Ana Silva, First Secretary", invitation=_facts(world, someone))


# ---------------------------------------------------------------------------------------------- one message
@dataclass
class Handled:
    calls: list[Call]
    after: list[Call]  # what the SES-events function did next, for the Send events of what was sent
    outcome: str
    sent_back: str
    failures: int


def _store(world: World, raw: bytes, at: datetime) -> dict[str, Any]:
    """SES receiving stores the message (trace on top, verdicts passing) and S3 tells the queue: the record."""
    from rsvp.local.stack import Verdicts, sqs_record

    world.clock.current = at
    key = world.stack.deliver(raw, at, world.clients, Verdicts.passing())
    messages = world.clients.sqs.receive_message(QueueUrl=world.stack.inbound_queue_url, MaxNumberOfMessages=10,
                                                 WaitTimeSeconds=0, AttributeNames=["All"]).get("Messages", [])
    mine = [m for m in messages if key in _announced(m["Body"])]
    if len(mine) != 1 or len(messages) != 1:
        raise SystemExit(f"expected the one S3 notification for {key}, the queue held {len(messages)}")
    return sqs_record(mine[0], world.queue_arn, world.stack.region)


def _announced(body: str) -> list[str]:
    """The object keys an S3 notification announces (URL-encoded in it, as S3 writes them)."""
    return [unquote_plus(r["s3"]["object"]["key"]) for r in json.loads(body).get("Records", []) if "s3" in r]


def _handle(world: World, counter: CallCounter, record: dict[str, Any]) -> Handled:
    """The inbound handler on one record (counted), then SQS's delete and SES's events (counted apart)."""
    from rsvp.handlers import inbound
    from rsvp.local.stack import LambdaContext

    with counter.window() as calls:
        response = inbound.handler({"Records": [record]}, LambdaContext("InboundFunction"))
    world.clients.sqs.delete_message(QueueUrl=world.stack.inbound_queue_url, ReceiptHandle=record["receiptHandle"])
    with counter.window() as after:
        world.stack.ses_events.deliver()
    outcome, sent_back = "?", "?"
    claim = next((c for c in calls if c.service == "DynamoDB" and c.keys and str(
        next(iter(c.keys[0].get("pk", {}).values()), "")).startswith("INBOUND#")), None)
    if claim is not None and claim.error == "ConditionalCheckFailedException":
        outcome, sent_back = "duplicate (its claim is done)", "none"
    elif claim is not None:
        key = {k: next(iter(v.values())) for k, v in claim.keys[0].items() if k in ("pk", "sk")}
        item = world.clients.dynamodb.Table(world.stack.table_name).get_item(Key=key).get("Item", {})
        outcome, sent_back = str(item.get("outcome", "?")), str(item.get("sent_back", "?"))
    answered = next((c for c in calls if c.operation == "UpdateItem" and "answer" in c.detail and c.keys), None)
    if answered is not None:  # the invitee's status as now recorded
        key = {k: next(iter(v.values())) for k, v in answered.keys[0].items() if k in ("pk", "sk")}
        item = world.clients.dynamodb.Table(world.stack.table_name).get_item(Key=key).get("Item", {})
        outcome += f" ({item.get('status', '?')})"
    return Handled(calls, after, outcome, sent_back, len(response.get("batchItemFailures", [])))


# ---------------------------------------------------------------------------------------------- the cases
ACCEPT = "Dear colleagues,\n\nWe will attend. {name}, {title}\n\nBest regards,\n{name}"
DECLINE = ("Dear colleagues,\n\nThank you for the invitation. Unfortunately we will not be able to attend "
           "this time.\n\nBest regards,\n{name}")
AWAY = ("I am out of the office until 1 February with limited access to e-mail. For urgent matters please "
        "contact the mission's front desk.")


@dataclass
class Case:
    name: str
    person: bool  # needs an invitee of its own
    raw: Callable[[World, Any, datetime], bytes]
    repeat: bool = False  # the same raw message delivered once first (not counted), then again (counted)


CASES = [
    Case("accept", True, lambda w, i, at: _reply(w, i, ACCEPT.format(name=i.name, title="Counsellor"), at)),
    Case("decline", True, lambda w, i, at: _reply(w, i, DECLINE.format(name=i.name), at)),
    Case("out-of-office", True, lambda w, i, at: _reply(w, i, AWAY, at, style="autoreply")),
    Case("duplicate", True, lambda w, i, at: _reply(w, i, ACCEPT.format(name=i.name, title="Minister"), at),
         repeat=True),
    Case("bounce", True, lambda w, i, at: _bounce(w, i, at)),
    Case("unknown sender", False, lambda w, _i, at: _stranger(w, at)),
]


def run_case(world: World, counter: CallCounter, case: Case, people: Iterator[Any], at: datetime,
             warm: bool) -> Handled:
    from rsvp.handlers import runtime

    runtime.install(_container(world))  # a new inbound container
    if warm:  # ... that has already handled a reply
        primer = next(people)
        record = _store(world, _reply(world, primer, ACCEPT.format(name=primer.name, title="Adviser"), at), at)
        _handle(world, counter, record)
        at += timedelta(minutes=1)
    invitee = next(people) if case.person else None
    raw = case.raw(world, invitee, at)
    if case.repeat:
        _handle(world, counter, _store(world, raw, at))
        at += timedelta(minutes=3)
    return _handle(world, counter, _store(world, raw, at))


def _people(world: World, cases: list[Case], warm: bool) -> Iterator[Any]:
    """Fresh invitees, English speakers first (the replies are written in English)."""
    needed = sum(c.person for c in cases) + (len(cases) if warm else 0)
    ordered = sorted(world.invitees, key=lambda i: i.language != "en")
    if needed > len(ordered):
        raise SystemExit(f"{needed} fresh invitees needed, the example has {len(ordered)}")
    return iter(ordered)


def summary(calls: list[Call]) -> str:
    services = Counter(c.service for c in calls)
    parts = [f"total {len(calls):2d}"]
    for service in [*SERVICES, *sorted(set(services) - set(SERVICES))]:
        text = f"{service} {services[service]}"
        if service == "DynamoDB" and services[service]:
            ops = Counter(c.operation for c in calls if c.service == "DynamoDB")
            text += " (" + ", ".join(f"{op} {ops[op]}" for op in sorted(
                ops, key=lambda o: _OP_ORDER.index(o) if o in _OP_ORDER else 99)) + ")"
        parts.append(text)
    return "  ".join(parts)


def _wru(calls: list[Call]) -> str:
    writes = [c for c in calls if c.service == "DynamoDB" and c.operation in _WRITES]
    request = sum(c.wru_request for c in writes)
    stored = None if any(c.wru_stored is None for c in writes) else sum(c.wru_stored or 0 for c in writes)
    return f"WRU≈ {request} req / {stored if stored is not None else 'n/a'} stored"


def _trace(calls: list[Call]) -> None:
    for number, call in enumerate(calls, start=1):
        wru = f" (WRU {call.wru_request}/{call.wru_stored})" if call.operation in _WRITES else ""
        error = f" -> {call.error}" if call.error else ""
        print(f"      {number:2d}. {call.service} {call.operation} {call.detail}{wru}{error}".rstrip(), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--warm", action="store_true",
                        help="prime each case's container with one accept from another invitee first")
    parser.add_argument("--trace", action="store_true", help="list every call of each case, in order")
    args = parser.parse_args()

    counter = CallCounter()
    counter.install()  # before any client exists
    from moto import mock_aws

    with mock_aws():
        run(args, counter)


def run(args: argparse.Namespace, counter: CallCounter) -> None:
    from rsvp.handlers import runtime

    world = setup()
    with counter.window() as probe:  # the counter sees a call made through the code's own clients
        world.clients.s3.head_bucket(Bucket=world.stack.bucket)
    if [(c.service, c.operation) for c in probe] != [("S3", "HeadBucket")]:
        raise SystemExit(f"the counter does not see the code's clients: {probe}")

    with counter.window() as built:
        _container(world)
    print(f"AWS calls per inbound message: rsvp.handlers.inbound.handler on moto, {world.meeting.id} "
          f"({len(world.invitations)} invitees invited); each case a fresh invitee in a fresh inbound container"
          + (" primed with one accept" if args.warm else ""))
    print(f"  container start, once per container (not in the cases): {summary(built)}")
    if args.trace:
        _trace(built)

    people = _people(world, CASES, args.warm)
    at = datetime(2021, 1, 20, 10, 0, tzinfo=ZURICH)
    results: dict[str, Handled] = {}
    try:
        for case in CASES:
            results[case.name] = handled = run_case(world, counter, case, people, at, args.warm)
            at += timedelta(minutes=10)
            after = f"; then SES-events function {len(handled.after)}" if handled.after else ""
            failed = f"  FAILED RECORDS {handled.failures}" if handled.failures else ""
            print(f"{case.name:15s} {summary(handled.calls)}  {_wru(handled.calls)}  "
                  f"-> {handled.outcome}, sent back {handled.sent_back}{after}{failed}")
            if args.trace:
                _trace(handled.calls)
    finally:
        runtime.install(None)
    hook, direct = sum(w[0] for w in counter.windows), sum(w[1] for w in counter.windows)
    agree = all(a == b for a, b in counter.windows)
    print(f"  counter check: {len(counter.windows)} counting windows, before-call hook {hook} calls, "
          f"BaseClient._make_api_call {direct}: {'agree in every window' if agree else 'DISAGREE'}; "
          f"{counter.clients} clients hooked")
    print("  (WRU: an estimate, see the docstring: ceil(KB) per written item; 'stored' adds a GSI1 write for "
          "items with gsi1pk)")
    print(f"max calls per human reply: {max(len(results[name].calls) for name in HUMAN)}")


if __name__ == "__main__":
    main()
