"""Cold start: what a new Lambda container pays before (and while) it handles its first message.

Every figure is measured in a fresh Python subprocess (sys.executable: this venv's interpreter, not Lambda's
python3.13 on arm64), timed inside it with time.perf_counter(), median over --rounds (default 7). Rounds are
interleaved — each round runs every case once, in an order rotated from round to round — so a noisy machine
slows all cases alike. Each child first imports json, os, sys, time and uuid (stdlib) before its timer starts.

  boto3                        `import boto3` alone: the floor every function pays (boto3 ships with the runtime)
  rsvp.handlers.<name>         importing each handler module, as Lambda's init phase does (Handler: in template.yaml)
  inbound import + 1st call    in one child: import rsvp.handlers.inbound, then its first invocation on one stored
                               reply (an accept sent to the invitee's personal reply address), split into the import
                               and the first call; the second call (another invitee's accept) is the warm figure.
                               The first call builds the container's Desk (boto3 session and clients, the reply-tag
                               key from Secrets Manager) and does every first-use import the code defers.

The invocation's setup happens OUTSIDE the child, so nothing of rsvp, boto3 or moto is imported in it before the
timer starts: this process runs moto as a server (ThreadedMotoServer on 127.0.0.1), provisions the local stack
from template.yaml, loads a copy of the example meeting (dates moved into the future: the child runs on the system
clock), sends its invitations through the invite and sender functions, stores the replies in S3 with our receiving
server's trace, and hands the child the SQS records of their S3 notifications and the stack's environment
(AWS_ENDPOINT_URL pointing at the server). The child's AWS calls are therefore HTTP requests to a local moto
server: each costs about a millisecond or two here, against typically 5-20 ms to the real services from Lambda, so
the first-call figure is a lower bound on AWS. Logging is at INFO and metrics are on, as template.yaml deploys them
(the child's output is parsed for the outcome, which must be 'recorded').

Byte-code: the children use the .pyc files already on disk (as a pip-built artifact has for its dependencies);
--no-pyc points PYTHONPYCACHEPREFIX at an empty folder and forbids writing, so every module is compiled from
source: the worst case, an artifact without __pycache__ (sam build copies functions/ as it is).

    python -m bench.cold_start [--rounds 7] [--top 12] [--no-pyc]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_SECURITY_TOKEN": "testing", "AWS_SESSION_TOKEN": "testing",
                   "AWS_DEFAULT_REGION": "eu-west-1", "AWS_REGION": "eu-west-1",
                   "POWERTOOLS_SERVICE_NAME": "rsvp-desk", "POWERTOOLS_METRICS_NAMESPACE": "RsvpDesk",
                   "POWERTOOLS_LOG_LEVEL": "INFO"})  # as template.yaml deploys the functions
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("POWERTOOLS_METRICS_DISABLED", None)

from . import wiring
from .corpora import ROOT

EXAMPLE = ROOT / "examples" / "mine-free-americas-2021"
REGION = "eu-west-1"
HANDLERS = ("inbound", "sender", "invite", "digest", "ses_events", "rule_set")
BOTO3 = "boto3"
INVOCATION = "inbound import + 1st call"
PRELUDE = "import json, os, sys, time, uuid\n"

IMPORT_CHILD = PRELUDE + """t = time.perf_counter()
import {module}
print("BENCH " + json.dumps({{"total": time.perf_counter() - t}}))
"""

INVOKE_CHILD = PRELUDE + """
class Context:
    function_name, memory_limit_in_mb, function_version, log_stream_name = "InboundFunction", 512, "$LATEST", "cold"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:000000000000:function:InboundFunction"

    def __init__(self):
        self.deadline, self.aws_request_id = time.monotonic() + 60, uuid.uuid4().hex

    def get_remaining_time_in_millis(self):
        return max(0, int((self.deadline - time.monotonic()) * 1000))

events = json.loads(open(sys.argv[1], encoding="utf-8").read())
t0 = time.perf_counter()
import rsvp.handlers.inbound as inbound
t1 = time.perf_counter()
if os.environ.get("BENCH_PROFILE"):  # (a separate run, never in the medians)
    import cProfile, pstats
    profiler = cProfile.Profile()
    first = profiler.runcall(inbound.handler, events["first"], Context())
    stats = pstats.Stats(profiler).stats
    buckets = json.loads(os.environ["BENCH_PROFILE"])
    found = {label: 0.0 for label in buckets}
    for (path, _line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.items():
        for label, functions in buckets.items():
            if any(path.replace(os.sep, "/").endswith(suffix) and function == name for suffix, name in functions):
                found[label] += cumulative
    found["(the whole call)"] = max(v[3] for v in stats.values())
    print("PROFILE " + json.dumps(found))
else:
    first = inbound.handler(events["first"], Context())
t2 = time.perf_counter()
warm = inbound.handler(events["warm"], Context())
t3 = time.perf_counter()
failed = len(first.get("batchItemFailures", [])) + len(warm.get("batchItemFailures", []))
print("BENCH " + json.dumps({"total": t2 - t0, "import": t1 - t0, "first": t2 - t1, "warm": t3 - t2,
                             "failed": failed}))
"""


# ---------------------------------------------------------------------------------------------- children
def run_child(code: str, args: list[str], env: dict[str, str], no_pyc: bool) -> tuple[dict[str, float], str]:
    """Run one fresh interpreter; its BENCH line (timings, seconds) and everything else it printed."""
    with tempfile.TemporaryDirectory(prefix="bench-pyc-") as empty:
        child_env = dict(env)
        if no_pyc:
            child_env.update(PYTHONPYCACHEPREFIX=empty, PYTHONDONTWRITEBYTECODE="1")
        done = subprocess.run([sys.executable, "-c", code, *args], env=child_env, capture_output=True, text=True,
                              check=False, timeout=600)
    lines = done.stdout.splitlines()
    bench = [line for line in lines if line.startswith("BENCH ")]
    if done.returncode or not bench:
        raise SystemExit(f"child failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return json.loads(bench[-1][6:]), "\n".join(line for line in lines if not line.startswith("BENCH "))


def interpreter_start(env: dict[str, str]) -> float:
    """Wall time of `python -c pass` (this venv's site-packages and .pth files included), for reference."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
    return time.perf_counter() - started


def import_profile(module: str, env: dict[str, str], top: int) -> list[tuple[str, float]]:
    """-X importtime for one import: self time summed per top-level package, the largest first."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", PRELUDE + f"import {module}"], env=env,
                          capture_output=True, text=True, check=True)
    per_package: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|(\s*)(\S+)", line)
        if found:
            per_package[found.group(3).split(".")[0]] += int(found.group(1)) / 1e6
    return sorted(per_package.items(), key=lambda kv: -kv[1])[:top]


# ---------------------------------------------------------------------------------------------- the invocation
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _future(meeting: Any, now: datetime) -> Any:
    """The meeting moved by whole weeks so that its cutoff is three to four weeks ahead of `now`."""
    weeks = max(0, (now - meeting.rsvp_cutoff).days // 7 + 4)
    shift = timedelta(weeks=weeks)
    sessions = tuple(replace(s, start=s.start + shift, end=s.end + shift) for s in meeting.sessions)
    return replace(meeting, sessions=sessions, rsvp_cutoff=meeting.rsvp_cutoff + shift)


def _invite(stack: Any, clients: Any, meeting: Any) -> None:
    """The invite function queues the jobs, the sender function sends them (the real path)."""
    from rsvp.handlers import invite
    from rsvp.local.stack import LambdaContext

    invite.handler({"meeting_id": meeting.id}, LambdaContext("InviteFunction"))
    stack.drain_sends(clients)


class Invocations:
    """moto as a server in this process, the local stack on it, and per round two stored replies."""

    def __init__(self) -> None:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        port = _free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.server.start()
        self.endpoint = f"http://127.0.0.1:{port}"
        os.environ["AWS_ENDPOINT_URL"] = self.endpoint
        os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"  # (this process only: the children keep them on)
        os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
        from rsvp.adapters.aws import SesMailer, aws_clients
        from rsvp.domain.invitees import load_invitees
        from rsvp.domain.meeting import load_meeting
        from rsvp.handlers import runtime
        from rsvp.local.stack import provision

        self.seed = load_meeting(EXAMPLE / "meeting.yaml")
        self.invitees = sorted(load_invitees(EXAMPLE / "invitees.csv", self.seed), key=lambda i: i.language != "en")
        self.clients = aws_clients(REGION)
        self.stack = provision(self.clients, region=REGION, mailbox=self.seed.mailbox, sender=self.seed.mailbox,
                               name="coldstart")
        self.recorder = _Recorder(SesMailer(self.clients.ses, self.stack.configuration_set))
        runtime.install(wiring.build(self.stack.settings(), mailer=self.recorder))
        self.queue_arn = self.clients.sqs.get_queue_attributes(QueueUrl=self.stack.inbound_queue_url,
                                                               AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self._discard()
        self.folder = Path(tempfile.mkdtemp(prefix="bench-cold-"))
        self.rounds = 0

    def close(self) -> None:
        from rsvp.handlers import runtime

        runtime.install(None)
        self.server.stop()
        os.environ.pop("AWS_ENDPOINT_URL", None)
        shutil.rmtree(self.folder, ignore_errors=True)

    def environment(self) -> dict[str, str]:
        env = {**os.environ, **self.stack.environment(), "AWS_ENDPOINT_URL": self.endpoint,
               "POWERTOOLS_LOG_LEVEL": "INFO"}
        env.pop("POWERTOOLS_METRICS_DISABLED", None)
        return env

    def prepare(self) -> Path:
        """A fresh copy of the meeting, invited; two accepts stored: the events file for one child."""
        from rsvp.domain.tags import reply_address
        from rsvp.local.mailclients import compose, invitation_facts
        from rsvp.local.stack import Verdicts, sqs_record

        self.rounds += 1
        local, _, domain = self.seed.mailbox.partition("@")
        now = datetime.now(tz=self.seed.rsvp_cutoff.tzinfo)
        meeting = _future(replace(self.seed, id=f"{self.seed.id}-cold{self.rounds}",
                                  mailbox=f"{local}-cold{self.rounds}@{domain}"), now)
        invitees = self.invitees[:2]
        self.recorder.sent.clear()
        wiring.load(meeting, invitees)
        _invite(self.stack, self.clients, meeting)
        invitations = {e.to[0].email: e for e in self.recorder.sent if e.kind == "invitation"}
        events = {}
        for name, invitee in zip(("first", "warm"), invitees, strict=True):
            invitation = invitations[invitee.email]
            raw = compose("gmail", sender=invitee.email, sender_name=invitee.name,
                          to=reply_address(meeting.mailbox, invitation.tags["invitee"]),
                          at=now - timedelta(minutes=2), invitation=invitation_facts(invitation.to_bytes()),
                          body=f"Dear colleagues,\n\nWe will attend. {invitee.name}, Counsellor\n\nBest regards")
            self.stack.deliver(raw, now, self.clients, Verdicts.passing())
            messages = self.clients.sqs.receive_message(QueueUrl=self.stack.inbound_queue_url,
                                                        MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
            if len(messages) != 1:
                raise SystemExit(f"expected one S3 notification on the inbound queue, found {len(messages)}")
            events[name] = {"Records": [sqs_record(messages[0], self.queue_arn, REGION)]}
            self.clients.sqs.delete_message(QueueUrl=self.stack.inbound_queue_url,
                                            ReceiptHandle=messages[0]["ReceiptHandle"])
        path = self.folder / f"events-{self.rounds}.json"
        path.write_text(json.dumps(events), encoding="utf-8")
        return path

    def _discard(self) -> None:
        sqs, url = self.clients.sqs, self.stack.inbound_queue_url
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            for message in messages:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


class _Recorder:
    """Wraps the desk's mailer: the invitations SES accepted (their reply addresses and Message-IDs)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sent: list[Any] = []

    def send(self, email: Any) -> str:
        provider_id = str(self.inner.send(email))
        self.sent.append(email)
        return provider_id


# What a first call spends its time on, found by cProfile (cumulative time of these functions; they overlap: a
# deferred import may load YAML and compile regular expressions).
PROFILE_BUCKETS = {
    "regex compilation": [("re/__init__.py", "_compile")],
    "YAML parsing (lexicons, templates' words)": [("yaml/__init__.py", "compose"), ("yaml/__init__.py", "load")],
    "AWS calls (BaseClient._make_api_call)": [("botocore/client.py", "_make_api_call")],
    "boto3 clients and resources created": [("botocore/session.py", "create_client")],
    "Jinja2 templates compiled": [("jinja2/environment.py", "_load_template")],
    "Babel locale data loaded": [("babel/localedata.py", "load")],
    "deferred imports": [("<frozen importlib._bootstrap>", "_find_and_load")],
}


def profile_first_call(invocations: Invocations, no_pyc: bool) -> dict[str, float]:
    """One more child (not in the medians): the first call under cProfile, by bucket (seconds)."""
    env = {**invocations.environment(), "BENCH_PROFILE": json.dumps(PROFILE_BUCKETS)}
    _, output = run_child(INVOKE_CHILD, [str(invocations.prepare())], env, no_pyc)
    line = next(line for line in output.splitlines() if line.startswith("PROFILE "))
    return {k: float(v) for k, v in json.loads(line[8:]).items()}


def _outcomes(output: str) -> list[str]:
    """The outcomes the inbound function logged (its 'processed' lines)."""
    found = []
    for line in output.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("message") == "processed":
            found.append(f"{entry.get('outcome')}/{entry.get('response')}")
    return found


# ---------------------------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--top", type=int, default=12, help="packages in the -X importtime profile (0: none)")
    parser.add_argument("--no-pyc", action="store_true", help="compile every module from source (no .pyc)")
    parser.add_argument("--profile", action=argparse.BooleanOptionalAction, default=True,
                        help="one more first call, under cProfile: where its time goes")
    args = parser.parse_args()

    cases = [BOTO3, *(f"rsvp.handlers.{name}" for name in HANDLERS), INVOCATION]
    times: dict[str, list[dict[str, float]]] = {case: [] for case in cases}
    invocations = Invocations()
    outcomes: list[str] = []
    try:
        env = invocations.environment()
        plain = {k: v for k, v in env.items() if k != "AWS_ENDPOINT_URL"}
        starts = []
        for round_number in range(args.rounds):
            shift = round_number % len(cases)
            for case in cases[shift:] + cases[:shift]:
                if case == INVOCATION:
                    events = invocations.prepare()
                    timing, output = run_child(INVOKE_CHILD, [str(events)], env, args.no_pyc)
                    outcomes += _outcomes(output)
                else:
                    timing, _ = run_child(IMPORT_CHILD.format(module=case), [], plain, args.no_pyc)
                times[case].append(timing)
            starts.append(interpreter_start(plain))
        profile = import_profile("rsvp.handlers.inbound", plain, args.top) if args.top else []
        buckets = profile_first_call(invocations, args.no_pyc) if args.profile else {}
    finally:
        invocations.close()

    def median(case: str, part: str = "total") -> float:
        return statistics.median(t[part] for t in times[case]) * 1000

    floor = median(BOTO3)
    compiled = "; no .pyc: every module compiled from source" if args.no_pyc else ""
    print(f"cold start: median of {args.rounds} fresh interpreters per case, interleaved "
          f"({sys.executable}, Python {sys.version.split()[0]}{compiled})")
    print(f"  (interpreter start, `python -c pass` wall time: {statistics.median(starts) * 1000:.0f} ms, "
          "not in the figures below)")
    width = max(len(c) for c in cases)
    for case in cases:
        spread = [t["total"] * 1000 for t in times[case]]
        print(f"{case:{width}s}  {median(case):5.0f} ms  {median(case) / floor:4.1f}x boto3   "
              f"(min {min(spread):.0f}, max {max(spread):.0f})")
    first, warm = median(INVOCATION, "first"), median(INVOCATION, "warm")
    print(f"{'':{width}s}  = import {median(INVOCATION, 'import'):.0f} ms + first call {first:.0f} ms "
          f"(Desk built, reply read, recorded, confirmed); a second, warm call {warm:.0f} ms: "
          f"{first - warm:.0f} ms of the first call is once per container")
    failed = sum(int(t["failed"]) for t in times[INVOCATION])
    wrong = [o for o in outcomes if o != "recorded/confirmation"]
    print(f"  invocations: {len(outcomes)} replies logged as processed, {len(wrong)} not recorded/confirmation"
          f"{': ' + ', '.join(sorted(set(wrong))) if wrong else ''}; failed records {failed}; AWS calls went to "
          "moto server on 127.0.0.1")
    if profile:
        print("  import rsvp.handlers.inbound, -X importtime self time by top-level package (one run): "
              + ", ".join(f"{name} {seconds * 1000:.0f}" for name, seconds in profile) + " ms")
    if buckets:
        whole = buckets.pop("(the whole call)")
        print(f"  first call under cProfile (one run, slowed by the profiler): {whole * 1000:.0f} ms, of which "
              + ", ".join(f"{label} {seconds / whole:.0%}" for label, seconds in buckets.items())
              + " (overlapping)")


if __name__ == "__main__":
    main()
