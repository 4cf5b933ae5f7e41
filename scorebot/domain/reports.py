"""Confidential reports to the IGOs, as plain rules: what a report says, and how it is shown.

A report's words and, when asked, its reporter's name go only to the IGO room, the report's own
room and the reporter's direct chat. Nothing here decides where things go: it only reads what
the reporter wrote and says what the IGOs see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import unquote

from scorebot.domain import people_words
from scorebot.domain.people import resolve
from scorebot.domain.text import Text

# The room state that names the bot a client's "report to moderators" goes to (MSC3215; Element no
# longer offers it, other clients may).
MODERATED_BY = "org.matrix.msc3215.room.moderation.moderated_by"

# matrix.to links and Element permalinks to one event: ...#/!room:server/$event or #alias/$event
_EVENT_LINK = re.compile(r"^https?://[^\s#]+#/(?:room/)?([!#][^/\s?]+)/(\$[^?\s]+)")
_QUOTED = re.compile(r'^["“„«]([^"“”„«»]+)["”“»]\s*(.*)$', re.DOTALL)
_FLAGS = {"anonymous": "anonymous", "anon": "anonymous", "noanswers": "no answers", "no-answers": "no answers",
          "silent": "no answers"}


class ReportState(Enum):
    OPEN = "open"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class ReportRequest:
    """What a member wrote after !report."""

    words: str
    subject: str | None = None  # a member's Matrix ID
    subject_name: str | None = None  # someone who is not a member, as the reporter named them
    room_ref: str | None = None  # from a message link
    event_id: str | None = None
    anonymous: bool = False
    wants_answers: bool = True


def parse_report(text: str, members: dict[str, str] | None = None) -> ReportRequest | str | Text:
    """Read `[anonymous] [no-answers] @user|LINK|"Name" what happened`; a str or Text is what to say back.

    The person is found among `members` (ID -> display name) as every command finds people: a pill,
    `@bob`, `bob`, "Bob Smith". A bare first word is the subject only when it names one member."""
    words = text.split()
    flags = set()
    while words and words[0].lower() in _FLAGS:
        flags.add(_FLAGS[words.pop(0).lower()])
    if not words:
        return "Tell me who it is about and what happened: !report @user what happened"
    first, rest = words[0], " ".join(words[1:])
    common = dict(anonymous="anonymous" in flags, wants_answers="no answers" not in flags)
    link = _EVENT_LINK.match(unquote(first))
    if link:
        return ReportRequest(rest, room_ref=link.group(1), event_id=link.group(2), **common)
    quoted = _QUOTED.match(" ".join(words))
    if quoted:
        first, rest = f'"{quoted.group(1).strip()}"', quoted.group(2)
    found = resolve(first, members or {}, quoted_may_be_anyone=True)
    if found.user_id:
        return ReportRequest(rest, subject=found.user_id, **common)
    if found.name:
        return ReportRequest(rest, subject_name=found.name, **common)
    if first.startswith("@") or found.several:
        return people_words.answer(found, members or {})
    return ReportRequest(" ".join(words), **common)


@dataclass(frozen=True)
class Report:
    id: int
    reporter: str
    subject: str | None
    subject_name: str | None
    anonymous: bool
    wants_answers: bool
    via: str
    room_id: str | None
    evidence_event: str | None
    evidence_text: str | None
    words: str
    state: ReportState
    assigned: tuple[str, ...]
    created_at: int

    def about(self, name_of=lambda user: user) -> str:
        if self.subject:
            name = name_of(self.subject)
            return f"{name} ({self.subject})" if name != self.subject else self.subject
        return self.subject_name or "someone (see the report)"

    def reporter_shown(self, who=lambda user: user) -> str:
        """Who the grievance officers see as the reporter: `who` gives "Name (@id)"."""
        return "a member (anonymous)" if self.anonymous else who(self.reporter)

    def root(self, name_of=lambda user: user) -> str:
        status = self.state.value
        if self.assigned and self.state is ReportState.ASSIGNED:
            status = f"taken on by {', '.join(name_of(u) for u in self.assigned)}"
        return f"Report #{self.id} · about {self.about(name_of)} · {status}"
