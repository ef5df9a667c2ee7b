"""`rsvp local up` as a person uses it: start it, invite from another terminal, answer by SMTP from any mail
client, see the confirmation in the outbox and the answer in `rsvp status`; Ctrl-C stops it."""

from __future__ import annotations

import email
import json
import os
import signal
import smtplib
import subprocess
import sys
import time
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar

import pytest

from rsvp.local.demo import free_port

T = TypeVar("T")
MEETING = "mine-free-americas-2021"


def _wait(condition: Callable[[], T], seconds: float, what: str) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _answer(invitation: Path, body: str) -> EmailMessage:
    """A reply to an invitation in the outbox, as a mail client writes it."""
    sent = email.message_from_bytes(invitation.read_bytes(), policy=policy.default)
    answer = EmailMessage()
    answer["From"] = "disarmament@mission-canada.example.org"
    answer["To"] = str(sent["Reply-To"])
    answer["Subject"] = "RE: " + str(sent["Subject"])
    answer["In-Reply-To"] = str(sent["Message-ID"])
    answer.set_content(body)
    return answer


def test_the_local_stack_receives_replies_by_smtp_and_answers_them(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    env = {**os.environ, "RSVP_LOCAL_STATE": str(state), "RSVP_ACTOR": "ana"}
    env.pop("AWS_ENDPOINT_URL", None)
    smtp_port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "rsvp.cli", "local", "up", "--port", str(free_port()), "--smtp-port", str(smtp_port),
         "--dir", str(tmp_path / "out"), "--example", "--tick", "3600"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def rsvp(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "rsvp.cli", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    try:
        _wait(state.exists, 90, "the local stack to come up")
        assert "Queued 12 invitation(s)" in rsvp("invite")
        outbox = tmp_path / "out" / "outbox"
        invitation = _wait(lambda: sorted(outbox.glob("*-invitation-disarmament@mission-canada*.eml")), 30,
                           "the invitation")[0]
        answer = _answer(invitation, "Dear colleagues,\n\nMs Jane Whitfield and Mr Tom Reed will attend.\n\n"
                                     "Best regards")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
            smtp.send_message(answer)
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                smtp.sendmail("x@example.org", ["someone@elsewhere.example.com"], b"Subject: x\r\n\r\nx")
        assert refused.value.recipients["someone@elsewhere.example.com"][0] == 550, "not a mailbox of the desk"

        confirmation = _wait(lambda: sorted(outbox.glob("*-confirmation-disarmament@mission-canada*.eml")), 30,
                             "the confirmation")[0]
        assert b"Jane Whitfield" in confirmation.read_bytes()
        assert list((tmp_path / "out" / "inbound").glob("*.eml")), "a copy of what SMTP received is kept"
        status = json.loads(rsvp("status", MEETING, "--json"))
        assert status["totals"]["accepted"] == 1 and status["attendees"] == 2
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert "local stack is up" in output and "Stopping the local stack" in output
    assert not state.exists(), "the stack description goes with the stack"


def test_local_up_with_a_model_url_reads_what_the_rules_cannot_with_that_model(tmp_path: Path) -> None:
    """A model server on the loopback (as Ollama would be) answers the reply the rules find unclear."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked: list[dict[str, object]] = []

    class Model(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            asked.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            content = {"intent": "accept", "attendees": ["Mr Tom Reed"], "attendee_count": 1, "sessions": None,
                       "attendee_sessions": [], "language": "en", "reason": "'can be counted upon'",
                       "confidence": 0.9}
            body = json.dumps({"choices": [{"message": {"content": json.dumps(content)}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    model = ThreadingHTTPServer(("127.0.0.1", 0), Model)
    threading.Thread(target=model.serve_forever, daemon=True).start()
    state = tmp_path / "state.json"
    env = {**os.environ, "RSVP_LOCAL_STATE": str(state), "RSVP_ACTOR": "ana"}
    env.pop("AWS_ENDPOINT_URL", None)
    smtp_port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "rsvp.cli", "local", "up", "--port", str(free_port()), "--smtp-port", str(smtp_port),
         "--dir", str(tmp_path / "out"), "--example", "--tick", "3600",
         "--model-url", f"http://127.0.0.1:{model.server_address[1]}/v1", "--model-name", "test-model"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait(state.exists, 90, "the local stack to come up")
        done = subprocess.run([sys.executable, "-m", "rsvp.cli", "invite"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        outbox = tmp_path / "out" / "outbox"
        invitation = _wait(lambda: sorted(outbox.glob("*-invitation-disarmament@mission-canada*.eml")), 30,
                           "the invitation")[0]
        answer = _answer(invitation, "Dear colleagues,\n\nAfter all, our diary opened up: Mr Tom Reed can be counted "
                                     "upon.\n")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
            smtp.send_message(answer)
        confirmation = _wait(lambda: sorted(outbox.glob("*-confirmation-disarmament@mission-canada*.eml")), 30,
                             "the confirmation")[0]
        assert b"Tom Reed" in confirmation.read_bytes()
        assert len(asked) == 1 and asked[0]["model"] == "test-model"
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
        model.shutdown()
        model.server_close()
    assert "Second reader: test-model" in output
