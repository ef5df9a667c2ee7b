"""Personal reply tags: stable, distinct, and carried in the plus-address."""

from __future__ import annotations

from rsvp.domain.tags import reply_address, reply_tag, tag_from_address, verify_tag


def test_a_tag_is_stable_for_a_meeting_and_invitee_and_differs_otherwise() -> None:
    tag = reply_tag(b"key", "m1", "ana@example.org")
    assert tag == reply_tag(b"key", "m1", "ANA@example.org")
    assert len(tag) == 16 and tag.isalnum()
    assert tag != reply_tag(b"key", "m2", "ana@example.org")
    assert tag != reply_tag(b"key", "m1", "bob@example.org")
    assert tag != reply_tag(b"other-key", "m1", "ana@example.org")
    assert verify_tag(b"key", tag, "m1", "ana@example.org")


def test_the_tag_rides_in_the_mailbox_plus_address() -> None:
    address = reply_address("registration@rsvp.example.org", "abcdefgh23456789")
    assert address == "registration+abcdefgh23456789@rsvp.example.org"
    assert tag_from_address(address) == "abcdefgh23456789"
    assert tag_from_address(address.upper()) == "abcdefgh23456789"
    assert tag_from_address(address, {"registration"}) == "abcdefgh23456789"
    assert tag_from_address(address, {"other"}) is None
    assert tag_from_address("registration@rsvp.example.org") is None
    assert tag_from_address("registration+a b@rsvp.example.org") is None
