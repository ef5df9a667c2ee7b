"""Loading meetings and invitees, and reading a meeting back as the other use cases need it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..domain.invitees import Invitee
from ..domain.meeting import Meeting
from ..domain.records import InviteeRecord
from ..domain.rsvp import InviteeState
from ..domain.tags import reply_tag
from ..mail.message import Attachment
from ..ports import InviteeStore, MeetingStore, RawMailStore


def meeting_version(meeting: Meeting) -> str:
    """A short fingerprint of everything the meeting file says: two loads of the same file have the same one."""
    document = json.dumps(meeting.to_document(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(document.encode()).hexdigest()[:16]


@dataclass
class MeetingCatalog:
    """Meetings as stored, kept per container so a campaign does not read its meeting for every job. A cached copy
    is used only while it is the version the caller expects (a send job carries the version it was queued with)."""

    meetings: MeetingStore
    invitees: InviteeStore
    assets: RawMailStore
    secret: bytes
    _cache: dict[str, tuple[str, Meeting]] = field(default_factory=dict)
    _files: dict[str, bytes] = field(default_factory=dict)

    def load(self, meeting: Meeting, invitees: Iterable[Invitee], programme: bytes | None = None
             ) -> list[InviteeRecord]:
        """Store a validated meeting and its invitees; re-loading updates details and keeps answers.
        The programme PDF, if any, goes to the mail bucket beside the raw mail (assets/)."""
        if meeting.programme:
            if programme is None:
                raise ValueError(f"{meeting.id}: the meeting names a programme but its PDF was not given")
            self.assets.put(programme_key(meeting), programme)
            self._files.pop(programme_key(meeting), None)
        self.meetings.save_meeting(meeting)
        self._cache[meeting.id] = (meeting_version(meeting), meeting)
        return self.add_invitees(meeting, invitees)

    def add_invitees(self, meeting: Meeting, invitees: Iterable[Invitee]) -> list[InviteeRecord]:
        """Add or update invitees (each with its personal reply tag); answers and delivery are kept."""
        records = [InviteeRecord(meeting_id=meeting.id, invitee=invitee,
                                 tag=reply_tag(self.secret, meeting.id, invitee.email),
                                 state=InviteeState(email=invitee.email)) for invitee in invitees]
        self.invitees.save_invitees(meeting, records)
        return records

    def get(self, meeting_id: str, version: str | None = None) -> Meeting:
        """The meeting: the copy this container holds when it is `version` (or any copy when the caller names
        none and one is held), else read from the store."""
        cached = self._cache.get(meeting_id)
        if cached is not None and version in (None, cached[0]):
            return cached[1]
        return self.fresh(meeting_id)

    def fresh(self, meeting_id: str) -> Meeting:
        """The meeting as stored now."""
        meeting = self.meetings.get_meeting(meeting_id)
        if meeting is None:
            raise LookupError(f"no meeting {meeting_id!r} is loaded")
        self._cache[meeting_id] = (meeting_version(meeting), meeting)
        return meeting

    def version(self, meeting: Meeting) -> str:
        cached = self._cache.get(meeting.id)
        return cached[0] if cached is not None and cached[1] is meeting else meeting_version(meeting)

    def programme(self, meeting: Meeting) -> tuple[Attachment, ...]:
        """The programme attachment, read from the bucket once per container."""
        if not meeting.programme:
            return ()
        key = programme_key(meeting)
        if key not in self._files:
            self._files[key] = self.assets.get(key)
        return (Attachment(meeting.programme.rsplit("/", 1)[-1], "application/pdf", self._files[key]),)


def programme_key(meeting: Meeting) -> str:
    return f"assets/{meeting.id}/{meeting.programme.rsplit('/', 1)[-1]}"
