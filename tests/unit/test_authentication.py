"""Our receiving server's verdicts: which headers are its own, what they say, and for which domain."""

from __future__ import annotations

import pytest

from rsvp.reading.authentication import (
    ReceivingServer,
    Verification,
    aligned,
    parse_authentication_results,
    read_trace,
)

SES = ReceivingServer("amazonses.com", ("inbound-smtp.eu-west-1.amazonaws.com",))
# The block SES receiving prepends, as it writes it (spf's client-ip/envelope-from/helo are SES's own form).
SES_BLOCK = [
    ("Return-Path", "<desarme@mission-peru.example.org>"),
    ("Received", "from mail.mission-peru.example.org (mail.mission-peru.example.org [192.0.2.10]) by "
                 "inbound-smtp.eu-west-1.amazonaws.com with SMTP id pp7o1b869j1mbmmegnjm for "
                 "registration+abc@desk.example.org; Wed, 20 Jan 2021 08:00:01 +0000 (UTC)"),
    ("X-SES-Spam-Verdict", "PASS"),
    ("X-SES-Virus-Verdict", "PASS"),
    ("Received-SPF", "pass (spfCheck: domain of mission-peru.example.org designates 192.0.2.10 as permitted "
                     "sender) client-ip=192.0.2.10; envelope-from=desarme@mission-peru.example.org; "
                     "helo=mail.mission-peru.example.org;"),
    ("Authentication-Results", "amazonses.com;\r\n spf=pass (spfCheck: domain of mission-peru.example.org "
                               "designates 192.0.2.10 as permitted sender) client-ip=192.0.2.10; "
                               "envelope-from=desarme@mission-peru.example.org; helo=mail.mission-peru.example.org;"
                               "\r\n dkim=pass header.i=@mission-peru.example.org;\r\n dmarc=pass "
                               "header.from=mission-peru.example.org;"),
    ("X-SES-RECEIPT", "AEFBQUFBQUFBQUFFVGF1Wm0yRTNW"),
    ("X-SES-DKIM-SIGNATURE", "a=rsa-sha256; q=dns/txt; b=abc; c=relaxed/simple; s=224i4yxa5dv7c2xz3wmfb; "
                             "d=amazonses.com"),
]
SENDERS = [
    ("Received", "from [10.0.0.5] by mail.mission-peru.example.org; Wed, 20 Jan 2021 08:00:00 +0000"),
    ("From", "Desarme <desarme@mission-peru.example.org>"),
    ("To", "registration+abc@desk.example.org"),
]


def test_ses_receivings_own_header_is_read_by_its_grammar() -> None:
    authserv, results = parse_authentication_results(dict(SES_BLOCK)["Authentication-Results"]) or ("", ())
    assert authserv == "amazonses.com"
    assert [(r.method, r.result) for r in results] == [("spf", "pass"), ("dkim", "pass"), ("dmarc", "pass")]
    assert results[0].properties["envelope-from"] == "desarme@mission-peru.example.org"
    assert results[1].properties == {"header.i": "@mission-peru.example.org"}
    assert results[2].properties == {"header.from": "mission-peru.example.org"}


def test_a_genuine_ses_trace_verifies_the_from_domain() -> None:
    trace = read_trace(SES_BLOCK + SENDERS, SES)
    assert trace.ours and trace.has_results and (trace.spam, trace.virus) == ("PASS", "PASS")
    assert trace.body_start == len(SES_BLOCK), "the message as it arrived starts below our block"
    assert trace.verify(["desarme@mission-peru.example.org"]) is Verification.VERIFIED


def test_results_the_sender_wrote_below_our_block_are_never_read() -> None:
    forged = ("Authentication-Results", "amazonses.com; dmarc=pass header.from=mission-peru.example.org")
    failing = [(n, v.replace("=pass", "=fail")) if n == "Authentication-Results" else (n, v) for n, v in SES_BLOCK]
    trace = read_trace([*failing, forged, *SENDERS], SES)
    assert trace.verify(["desarme@mission-peru.example.org"]) is Verification.FAILED


def test_a_message_that_does_not_start_with_our_received_line_carries_no_verdict() -> None:
    forged = [("Authentication-Results", "amazonses.com; dmarc=pass header.from=mission-peru.example.org"),
              ("Received", "from x by inbound-smtp.eu-west-1.amazonaws.com; Wed, 20 Jan 2021 08:00:00 +0000")]
    trace = read_trace(forged + SENDERS, SES)
    assert not trace.ours
    assert trace.verify(["desarme@mission-peru.example.org"]) is Verification.NO_VERDICT


def test_another_deployments_authserv_id_is_not_ours() -> None:
    local = ReceivingServer("rsvp.local", ("inbound-smtp.eu-west-1.amazonaws.com",))
    assert read_trace(SES_BLOCK + SENDERS, local).verify(["desarme@mission-peru.example.org"]) is \
        Verification.NO_VERDICT


def test_our_scan_verdicts_are_the_topmost_ones() -> None:
    condemned = [(n, "FAIL") if n == "X-SES-Virus-Verdict" else (n, v) for n, v in SES_BLOCK]
    trace = read_trace([*condemned, ("X-SES-Virus-Verdict", "PASS"), *SENDERS], SES)
    assert trace.virus == "FAIL" and "virus" in (trace.rejected_by_scan or "")


@pytest.mark.parametrize(("results", "verified"), [
    ("dmarc=pass header.from=mission-peru.example.org", True),
    ("dmarc=pass header.from=MISSION-PERU.example.org", True),
    ("dmarc=pass header.from=evil.example", False),
    ("dmarc=pass", False),  # a pass for no named domain
    ("dkim=pass header.d=mission-peru.example.org", True),
    ("dkim=pass header.d=example.org", True),  # the organisational parent signs (relaxed alignment)
    ("dkim=pass header.d=mission-peru.example.org.evil.example", False),
    ("dkim=pass header.d=org", False),  # a public suffix is nobody's organisation
    ("dkim=pass header.i=@mission-chile.example.org", False),  # a sibling is not a parent
    ("dkim=fail header.d=mission-peru.example.org", False),
    ("spf=pass smtp.mailfrom=bounces@mission-peru.example.org", True),
    ("spf=pass smtp.mailfrom=mission-peru.example.org", True),
    ("spf=pass smtp.mailfrom=bounces@evil.example", False),
    ('spf=pass smtp.mailfrom="x@mission-peru.example.org"@evil.example', False),
    ('spf=pass smtp.mailfrom="dmarc=pass header.from=mission-peru.example.org"@evil.example', False),
    ("spf=fail (dmarc=pass header.from=mission-peru.example.org) smtp.mailfrom=x@evil.example", False),
    ("none", False),
])
def test_a_verdict_counts_only_for_the_domain_it_names(results: str, verified: bool) -> None:
    block = [(n, f"amazonses.com; {results}") if n == "Authentication-Results" else (n, v) for n, v in SES_BLOCK]
    assert (read_trace(block + SENDERS, SES).verify(["desarme@mission-peru.example.org"]) is
            Verification.VERIFIED) is verified


def test_two_senders_are_never_verified() -> None:
    trace = read_trace(SES_BLOCK + SENDERS, SES)
    assert trace.verify(["desarme@mission-peru.example.org", "x@evil.example"]) is Verification.AMBIGUOUS


@pytest.mark.parametrize(("signer", "sender", "expected"), [
    ("example.org", "mission.example.org", True),
    ("mission.example.org", "example.org", False),  # a child does not speak for its parent
    ("gov.uk", "fco.gov.uk", False),
    ("fco.gov.uk", "fco.gov.uk", True),
    ("xn--misin-cuba-jbb.example.org", "xn--misin-cuba-jbb.example.org", True),
    ("misión-cuba.example.org", "xn--misin-cuba-jbb.example.org", True),
])
def test_alignment(signer: str, sender: str, expected: bool) -> None:
    assert aligned(signer, sender) is expected


@pytest.mark.parametrize("value", ["", ";", "dmarc=pass", "(comment only)", '"unterminated', "a" * 20000,
                                   "x; ;;; =; a=; =b; (((((", "amazonses.com; dkim=pass header.d=\x00"])
def test_any_header_value_parses_or_is_refused_without_raising(value: str) -> None:
    parsed = parse_authentication_results(value)
    assert parsed is None or isinstance(parsed[1], tuple)
