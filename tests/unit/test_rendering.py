"""Outgoing mail: every template in every language, autoescaped HTML, headers that cannot be injected."""

from __future__ import annotations

import email
from datetime import datetime

import pytest

from rsvp.domain.invitees import Category, Invitee
from rsvp.domain.meeting import MAIL_LANGUAGES, Meeting
from rsvp.domain.records import InviteeRecord
from rsvp.domain.rsvp import Answer, InviteeState, Status
from rsvp.mail.message import OutgoingEmail, Recipient
from rsvp.mail.render import Renderer
from rsvp.mail.words import words
from rsvp.usecases.compose import Composer
from rsvp.usecases.digests import Digest
from tests.conftest import ZURICH

NAMES = ("invitation", "confirmation", "closed", "clarify")


def record(language: str = "en", organisation: str = "Mission", honorific: str = "Ms",
           answer: Answer | None = None) -> InviteeRecord:
    invitee = Invitee("ana@mission.example.org", "Ana Pérez", organisation, language, Category.STATE, honorific)
    return InviteeRecord("mine-free-americas-2021", invitee, "abcdefgh23456789",
                         InviteeState(invitee.email, answer=answer))


def composer() -> Composer:
    return Composer("registration@minefree-americas.example.org")


@pytest.mark.parametrize("language", MAIL_LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_every_message_renders_in_every_language(meeting: Meeting, name: str, language: str) -> None:
    answer = Answer(Status.ACCEPTED, ("day2",), ("Ms Ana Pérez", "Mr B"), 2,
                    datetime(2021, 1, 20, tzinfo=ZURICH), "k")
    context = composer().context(meeting, record(language, answer=answer), language)
    rendered = Renderer().render(name, language, context)
    assert rendered.subject and "\n" not in rendered.subject
    assert meeting.title_in(language) in rendered.subject
    assert rendered.text.strip() and rendered.html.startswith("<!DOCTYPE html>")
    assert "{{" not in rendered.text + rendered.html


@pytest.mark.parametrize("language", MAIL_LANGUAGES)
def test_the_digest_renders_in_every_organiser_language(meeting: Meeting, language: str) -> None:
    digest = Digest.build(meeting, [record(language)], [], [], datetime(2021, 1, 25, 8, tzinfo=ZURICH), None)
    rendered = Renderer().render("digest", language, digest.context(language))
    assert "1" in rendered.subject and rendered.text.strip() and "<table" in rendered.html


def test_html_escapes_what_invitees_and_organisers_wrote_but_text_does_not(meeting: Meeting) -> None:
    hostile = record(organisation='<script>alert("x")</script> & Co')
    context = composer().context(meeting, hostile, "en")
    rendered = Renderer().render("invitation", "en", context)
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html and "&amp; Co" in rendered.html
    assert '<script>alert("x")</script> & Co' in rendered.text


def test_names_and_subjects_cannot_add_headers() -> None:
    message = OutgoingEmail(
        sender=Recipient("registration@example.org", "Desk\r\nBcc: everyone@example.org"),
        to=(Recipient("ana@example.org", "Ana\nX-Injected: yes"),),
        subject="Hello\r\nBcc: leak@example.org", text="t", html="<p>t</p>", kind="test",
        message_id="<m@example.org>")
    parsed = email.message_from_bytes(message.to_bytes())
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    assert "Bcc: leak@example.org" in str(parsed["Subject"])
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert [p.get_content_type() for p in parsed.walk()] == ["multipart/alternative", "text/plain", "text/html"]


@pytest.mark.parametrize(("language", "honorific", "expected"), [
    ("en", "H.E. Ms", "Dear H.E. Ms Ana Pérez"), ("en", "", "Dear colleagues"),
    ("es", "Sra.", "Estimada Sra. Ana Pérez"), ("es", "Excmo. Sr.", "Estimado Excmo. Sr. Ana Pérez"),
    ("es", "", "Estimados colegas"), ("fr", "Mme", "Madame"), ("fr", "M.", "Monsieur"),
    ("fr", "", "Madame, Monsieur"),
])
def test_greetings_follow_each_languages_letter_conventions(language: str, honorific: str, expected: str) -> None:
    invitee = Invitee("a@x.org", "Ana Pérez", "Mission", language, Category.STATE, honorific)
    assert words(language).greeting(invitee.honorific, invitee.addressed_as) == expected
