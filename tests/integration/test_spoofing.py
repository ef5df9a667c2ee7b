"""Nobody can answer for someone else: every trick a sender can play with headers, addresses and tags, through
the real inbound handler on moto. None changes an answer or draws a reply; each goes to review with its reason.

The receiving server here is the local door (authserv-id `rsvp.local`, host `inbound-smtp.rsvp.local`), which
stamps its trace on top of each message exactly where and as SES receiving does; what the door says of the
sender is given per case (`Verdicts`): what a verifying server would have found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import pytest

from rsvp.domain.tags import reply_address, reply_tag
from rsvp.local.stack import LOCAL_AUTHSERV_ID, LOCAL_RECEIVING_HOST, Verdicts
from tests.integration.harness import CANADA, PERU, MotoDesk, at, moto_desk
from tests.support import reply

PERU_DOMAIN = "mission-peru.example.org"
ACCEPT = "Confirmamos la participación del Excmo. Sr. Luis Ugarelli."


@pytest.fixture(scope="module")
def world() -> Iterator[MotoDesk]:
    yield from moto_desk("spoofing")


@pytest.fixture
def fresh(world: MotoDesk) -> MotoDesk:
    world.new_meeting()
    return world


@dataclass(frozen=True)
class Trick:
    name: str
    build: Callable[[MotoDesk], tuple[bytes, Verdicts | None]]
    outcome: str  # the review item's outcome
    reason: str  # words its reasons must contain


def _plain(sender: str = PERU, *, to: str | None = None, name: str = "", headers: dict[str, str] | None = None,
           body: str = ACCEPT) -> Callable[[MotoDesk], bytes]:
    def build(world: MotoDesk) -> bytes:
        return reply(sender=sender, to=to or world.meeting.mailbox, body=body, written=at(20, 9), name=name,
                     headers=headers)
    return build


def _raw(head: str, body: str = ACCEPT) -> Callable[[MotoDesk], bytes]:
    def build(world: MotoDesk) -> bytes:
        lines = head.format(mailbox=world.meeting.mailbox).strip().splitlines()
        return ("\r\n".join([*lines, "Date: Wed, 20 Jan 2021 09:00:00 +0100", "Subject: RE: Invitation",
                             "Content-Type: text/plain; charset=utf-8", "", body]) + "\r\n").encode()
    return build


def _with(verdicts: Verdicts | None, build: Callable[[MotoDesk], bytes]
          ) -> Callable[[MotoDesk], tuple[bytes, Verdicts | None]]:
    return lambda world: (build(world), verdicts)


# What a verifying server says of mail that really comes from evil.example (the address in angle brackets).
EVIL_PASSES = Verdicts(results="spf=pass smtp.mailfrom=x@evil.example; dkim=pass header.d=evil.example; "
                               "dmarc=pass header.from=evil.example")
FORGED_RESULTS = {"Authentication-Results": f"{LOCAL_AUTHSERV_ID}; spf=pass smtp.mailfrom={PERU}; "
                                            f"dkim=pass header.d={PERU_DOMAIN}; dmarc=pass header.from={PERU_DOMAIN}"}
# Below a foreign Received line, a copy of our server's whole trace, as a sender can write it.
FORGED_TRACE = (f"Received: from mx.evil.example by {LOCAL_RECEIVING_HOST}; Wed, 20 Jan 2021 08:59:00 +0100\r\n"
                f"Authentication-Results: {LOCAL_AUTHSERV_ID}; dmarc=pass header.from={PERU_DOMAIN}")

TRICKS = [
    Trick("forged Authentication-Results with our authserv-id, below our server's own",
          _with(None, _plain(headers=FORGED_RESULTS)), "unverified_sender", "could not verify"),
    Trick("forged results under another authserv-id (amazonses.com where the local door receives)",
          _with(None, _plain(headers={"Authentication-Results":
                                      f"amazonses.com; dmarc=pass header.from={PERU_DOMAIN}"})),
          "unverified_sender", "could not verify"),
    Trick("a whole forged trace (Received by our host, then results) below a foreign Received line",
          _with(None, _raw(f"Received: from mx.evil.example by mx.evil.example; Wed, 20 Jan 2021 08:58:00 +0100\n"
                           f"{FORGED_TRACE}\nFrom: {PERU}\nTo: {{mailbox}}\nMessage-ID: <t1@evil.example>")),
          "unverified_sender", "could not verify"),
    Trick("DMARC passed, but for another domain than the From",
          _with(Verdicts(dmarc="pass", results="dmarc=pass header.from=evil.example"), _plain()),
          "unverified_sender", "could not verify"),
    Trick("DKIM passed for a domain that merely starts with the From domain",
          _with(Verdicts(results=f"dkim=pass header.d={PERU_DOMAIN}.evil.example; dmarc=none"), _plain()),
          "unverified_sender", "could not verify"),
    Trick("DKIM passed for the public suffix above the From domain",
          _with(Verdicts(results="dkim=pass header.d=org; dmarc=none"), _plain()),
          "unverified_sender", "could not verify"),
    Trick("DKIM passed for a sibling domain (example.org's other mission)",
          _with(Verdicts(results="dkim=pass header.i=@mission-chile.example.org"), _plain()),
          "unverified_sender", "could not verify"),
    Trick("SPF passed for another envelope sender",
          _with(Verdicts(results="spf=pass smtp.mailfrom=bounce@evil.example"), _plain()),
          "unverified_sender", "could not verify"),
    Trick("'dmarc=pass' inside a quoted local part of the envelope sender",
          _with(Verdicts(results=f'spf=pass smtp.mailfrom="dmarc=pass header.from={PERU_DOMAIN}"@evil.example'),
                _plain()), "unverified_sender", "could not verify"),
    Trick("'dmarc=pass' inside a comment",
          _with(Verdicts(results=f"spf=fail (dmarc=pass header.from={PERU_DOMAIN}) smtp.mailfrom=x@evil.example"),
                _plain()), "unverified_sender", "could not verify"),
    Trick("failing verdicts throughout",
          _with(Verdicts(spf="fail", dkim="fail", dmarc="fail"), _plain()), "unverified_sender", "could not verify"),
    Trick("the invitee's address as the display name, a verified other address in angle brackets",
          _with(EVIL_PASSES, _raw(f"From: =?utf-8?q?{PERU}?= <x@evil.example>\nTo: {{mailbox}}\n"
                                         "Message-ID: <t2@evil.example>")),
          "unknown_sender", "not an invitee"),
    Trick("the invitee's address quoted as the display name",
          _with(EVIL_PASSES, _raw(f'From: "{PERU}" <x@evil.example>\nTo: {{mailbox}}\n'
                                         "Message-ID: <t3@evil.example>")),
          "unknown_sender", "not an invitee"),
    Trick("two From headers",
          _with(Verdicts.passing(), _raw(f"From: {PERU}\nFrom: x@evil.example\nTo: {{mailbox}}\n"
                                         "Message-ID: <t4@evil.example>")),
          "unverified_sender", "more than one From"),
    Trick("one From with two addresses",
          _with(Verdicts.passing(), _raw(f"From: {PERU}, x@evil.example\nTo: {{mailbox}}\n"
                                         "Message-ID: <t5@evil.example>")),
          "unverified_sender", "more than one From"),
    Trick("a look-alike domain: the invitee's domain as a subdomain of another",
          _with(Verdicts.passing(), _plain(f"desarme@{PERU_DOMAIN}.evil.example")), "unknown_sender", "not an invitee"),
    Trick("a look-alike domain: one letter changed",
          _with(Verdicts.passing(), _plain("desarme@rnission-peru.example.org")), "unknown_sender", "not an invitee"),
    Trick("a look-alike domain: a Cyrillic letter (IDN homograph)",
          _with(Verdicts.passing(), _raw("From: desarme@mission-p\u0435ru.example.org\nTo: {mailbox}\n"
                                         "Message-ID: <t6@evil.example>")), "unknown_sender", "not an invitee"),
    Trick("a personal address whose tag nobody was given",
          _with(None, lambda w: reply(sender=PERU, to=reply_address(w.meeting.mailbox, "a" * 16), body=ACCEPT,
                                      written=at(20, 9))), "invalid_tag", "no invitee has this personal address"),
    Trick("a tag made under another key (rotated, or guessed with a stolen old one)",
          _with(None, lambda w: reply(sender=PERU, written=at(20, 9), body=ACCEPT, to=reply_address(
              w.meeting.mailbox, reply_tag(b"an old key", w.meeting.id, PERU)))),
          "invalid_tag", "no invitee has this personal address"),
    Trick("the personal addresses of two invitees in one message",
          _with(None, lambda w: reply(sender=PERU, to=w.personal_address(PERU), body=ACCEPT, written=at(20, 9),
                                      headers={"Cc": w.personal_address(CANADA)})),
          "invalid_tag", "several invitees"),
    Trick("a virus found by our server's scan, sent to the invitee's own personal address",
          _with(Verdicts(virus="FAIL", spam="PASS"), lambda w: reply(
              sender=PERU, to=w.personal_address(PERU), body=ACCEPT, written=at(20, 9))), "quarantined", "virus"),
    Trick("spam by our server's scan, sent to the invitee's own personal address",
          _with(Verdicts(virus="PASS", spam="FAIL"), lambda w: reply(
              sender=PERU, to=w.personal_address(PERU), body=ACCEPT, written=at(20, 9))), "quarantined", "spam"),
    Trick("a forged virus verdict PASS below our server's FAIL",
          _with(Verdicts(virus="FAIL"), _plain(headers={"X-SES-Virus-Verdict": "PASS"})), "quarantined", "virus"),
]


@pytest.mark.parametrize("trick", TRICKS, ids=[t.name for t in TRICKS])
def test_no_trick_changes_an_answer_or_draws_a_reply(fresh: MotoDesk, trick: Trick) -> None:
    raw, verdicts = trick.build(fresh)

    fresh.deliver(raw, at(20, 9, 1), verdicts)

    assert {r.email: r.state.status.value for r in fresh.desk.stores.list_invitees(fresh.meeting.id)} == {
        r.email: "pending" for r in fresh.desk.stores.list_invitees(fresh.meeting.id)}, "no answer changed"
    assert fresh.answers() == [], "nothing sent to anyone"
    [item] = fresh.reviews()
    assert item.outcome.value == trick.outcome
    assert trick.reason in " ".join(item.reasons), item.reasons
    assert fresh.dead_letters() == 0


def test_a_tag_of_another_meetings_mailbox_is_refused(fresh: MotoDesk) -> None:
    other = fresh.new_meeting(mailbox="rsvp@other-desk.example.org")
    tag = fresh.record(PERU, other).tag
    first = fresh.new_meeting()

    fresh.deliver(reply(sender=PERU, to=reply_address(first.mailbox, tag), body=ACCEPT, written=at(20, 9)),
                  at(20, 9, 1))

    assert fresh.record(PERU, other).state.status.value == "pending"
    assert fresh.record(PERU, first).state.status.value == "pending"
    assert fresh.answers() == []
    [item] = fresh.reviews()
    assert item.outcome.value == "invalid_tag" and "sent to another mailbox" in " ".join(item.reasons)


def test_a_tag_issued_before_the_key_was_rotated_is_refused(fresh: MotoDesk) -> None:
    old_address = fresh.personal_address(PERU)
    fresh.install(replace(fresh.desk, secret=b"the rotated key"))
    fresh.desk.catalog.load(fresh.meeting, fresh.invitees)  # re-issued: new tags under the new key

    fresh.deliver(reply(sender=PERU, to=old_address, body=ACCEPT, written=at(20, 9)), at(20, 9, 1))
    assert fresh.status(PERU) == "pending"
    [item] = fresh.reviews()
    assert item.outcome.value == "invalid_tag" and "current key" in " ".join(item.reasons)

    fresh.deliver(reply(sender=PERU, to=fresh.personal_address(PERU), body=ACCEPT, written=at(20, 10)),
                  at(20, 10, 1))
    assert fresh.status(PERU) == "accepted", "the newly issued address works"


@pytest.mark.parametrize(("sender", "when"), [
    ("DESARME@Mission-Peru.Example.ORG", "mixed case"),
    ("desarme@mission-peru.example.org.", "a trailing dot on the domain"),
])
def test_a_verified_sender_is_recognised_however_the_address_is_cased(fresh: MotoDesk, sender: str,
                                                                      when: str) -> None:
    fresh.deliver(reply(sender=sender, to=fresh.meeting.mailbox, body=ACCEPT, written=at(20, 9)), at(20, 9, 1),
                  Verdicts.passing())

    assert fresh.status(PERU) == "accepted", when
    assert [e.kind for e in fresh.answers(PERU)] == ["confirmation"]


def test_a_verified_sender_in_an_internationalised_domain_matches_its_punycode_invitee(fresh: MotoDesk) -> None:
    from rsvp.domain.invitees import Category, Invitee

    invitee = Invitee(email="registro@xn--misin-cuba-jbb.example.org", name="Misión de Cuba",
                      organisation="Misión Permanente de Cuba", language="es", category=Category.STATE)
    fresh.desk.catalog.add_invitees(fresh.meeting, [invitee])
    raw = ("From: registro@misión-cuba.example.org\r\nTo: " + fresh.meeting.mailbox + "\r\nSubject: RE\r\n"
           "Date: Wed, 20 Jan 2021 09:00:00 +0100\r\nMessage-ID: <idn@cuba>\r\nContent-Type: text/plain; "
           "charset=utf-8\r\n\r\n" + ACCEPT + "\r\n").encode()

    fresh.deliver(raw, at(20, 9, 1), Verdicts.passing())

    assert fresh.status(invitee.email) == "accepted"


def test_a_verified_colleague_writing_from_the_personal_address_is_copied(fresh: MotoDesk) -> None:
    colleague = f"colleague@{PERU_DOMAIN}"
    fresh.deliver(reply(sender=colleague, to=fresh.personal_address(PERU), body=ACCEPT, written=at(20, 9),
                        name="A Colleague"), at(20, 9, 1), Verdicts.passing())
    [confirmation] = fresh.answers(PERU)
    assert [c.email for c in confirmation.cc] == [colleague]

