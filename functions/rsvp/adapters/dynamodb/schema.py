"""The table's key schema: one table, keys designed for the desk's queries (never a Scan).

  pk                      sk                                   what
  MEETINGS                MEETING#<id>                         meeting document (list = one Query)
  MAILBOX#<mailbox>       MEETING#<id>                         mailbox -> meetings (the mailbox lower-cased)
  MEETING#<id>            INVITEE#<email>                      invitee, current answer, delivery, invited_at
  MEETING#<id>            SEND#<sending>#<email>               one job of a sending (invitation, reminder, reply)
  MEETING#<id>            HISTORY#<email>#<at>#<key16>         history (GSI1: TIMELINE#<id>, <at>#<email>#<key16>)
  MEETING#<id>            REVIEW#<received>#<key16>            review queue
  MEETING#<id>            DIGEST#<local date>                  digest sent (once a day)
  MEETING#<id>            ONCE#<marker>                        one-off markers (a reminder day)
  MEETING#<id>            AUDIT#<at>                           audit log (erasures)
  TAG#<tag>               TAG                                  personal reply tag -> invitee (tag lower-cased)
  SENT#<message id>       SENT                                 our sent message -> invitee
  INBOUND#<message key>   INBOUND                              inbound message claim (idempotency, stages)
  RATE#ses                <epoch second>                       the shared send-rate counter

Unmatched mail is kept under HISTORY#~unmatched#…; mail that reached no meeting under the meeting id "-".
GSI1 projects the whole history entry (template.yaml): the digest reads the changes since the last one in one Query.
"""

from __future__ import annotations

from datetime import datetime

from ...timeutil import iso

MEETINGS = "MEETINGS"
UNMATCHED = "~unmatched"

Key = dict[str, str]


def meeting_key(meeting_id: str) -> Key:
    return {"pk": MEETINGS, "sk": f"MEETING#{meeting_id}"}


def mailbox_key(mailbox: str, meeting_id: str) -> Key:
    return {"pk": mailbox_pk(mailbox), "sk": f"MEETING#{meeting_id}"}


def mailbox_pk(mailbox: str) -> str:
    return f"MAILBOX#{mailbox.lower()}"


def partition(meeting_id: str) -> str:
    return f"MEETING#{meeting_id}"


def invitee_key(meeting_id: str, email: str) -> Key:
    return {"pk": partition(meeting_id), "sk": f"INVITEE#{email.lower()}"}


def send_key(meeting_id: str, sending: str, email: str) -> Key:
    return {"pk": partition(meeting_id), "sk": f"{send_prefix(sending)}{email.lower()}"}


def send_prefix(sending: str) -> str:
    return f"SEND#{sending}#"


def history_key(meeting_id: str, email: str | None, at: datetime, message_key: str) -> Key:
    return {"pk": partition(meeting_id), "sk": f"{history_prefix(email)}{iso(at)}#{message_key[:16] or 'manual'}"}


def history_prefix(email: str | None) -> str:
    return f"HISTORY#{(email or UNMATCHED).lower()}#"


def timeline_key(meeting_id: str, email: str | None, at: datetime, message_key: str) -> Key:
    return {"gsi1pk": f"TIMELINE#{meeting_id}",
            "gsi1sk": f"{iso(at)}#{email or UNMATCHED}#{message_key[:16] or 'manual'}"}


def review_key(meeting_id: str, received_at: datetime, message_key: str) -> Key:
    return {"pk": partition(meeting_id), "sk": f"REVIEW#{iso(received_at)}#{message_key[:16]}"}


def marker_key(meeting_id: str, marker: str) -> Key:
    return {"pk": partition(meeting_id), "sk": marker}


def digest_marker(local_date: str) -> str:
    return f"DIGEST#{local_date}"


def once_marker(marker: str) -> str:
    return f"ONCE#{marker}"


def audit_key(meeting_id: str, at: datetime) -> Key:
    return {"pk": partition(meeting_id), "sk": f"AUDIT#{iso(at)}"}


def tag_key(tag: str) -> Key:
    return {"pk": f"TAG#{tag.lower()}", "sk": "TAG"}


def sent_key(message_id: str) -> Key:
    return {"pk": f"SENT#{message_id.strip('<>')}", "sk": "SENT"}


def inbound_key(message_key: str) -> Key:
    return {"pk": f"INBOUND#{message_key}", "sk": "INBOUND"}


def rate_key(name: str, second: int) -> Key:
    return {"pk": f"RATE#{name}", "sk": str(second)}
