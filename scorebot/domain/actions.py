"""What the bot decides to do, said without Matrix's wire format.

Features return these; the Matrix adapter carries them out. An action that sends something can be
`remember`ed under a key, so a later action (an edit, a redaction) can name it before it exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from scorebot.domain.text import Text


@dataclass(frozen=True)
class Action:
    pass


@dataclass(frozen=True)
class Send(Action):
    room_id: str
    text: Text
    reply_to: str | None = None
    thread_root: str | None = None
    remember: str | None = None
    thread_key: str | None = None  # a thread rooted in a message the bot sent, by its remembered key
    # A room the bot creates in an earlier action, by that CreateRoom's key (room_id is then ""):
    # found when sending, in the same lane as its creation, so the words wait for the room.
    room_key: str | None = None


@dataclass(frozen=True)
class SendDirect(Action):
    """A message in the bot's direct chat with `user_id`, opened (and encrypted) when needed.

    Just before sending, the chat is checked to hold only the bot and that person; if it does not,
    a new one is opened. `reply_to` is used only when the message goes to `reply_in`, its room."""

    user_id: str
    text: Text
    remember: str | None = None
    reply_to: str | None = None
    reply_in: str | None = None


@dataclass(frozen=True)
class React(Action):
    room_id: str
    event_id: str | None
    emoji: str
    remember: str | None = None
    target_key: str | None = None  # react to a message the bot sent, by its remembered key


@dataclass(frozen=True)
class Edit(Action):
    """Replace the text of a message the bot sent earlier, found by its remembered key."""

    room_id: str
    key: str
    text: Text


@dataclass(frozen=True)
class Redact(Action):
    room_id: str
    event_id: str
    reason: str | None = None


@dataclass(frozen=True)
class Kick(Action):
    room_id: str
    user_id: str
    reason: str | None = None
    room_key: str | None = None  # a room the bot made (as `Send`): words after it go once they are out


@dataclass(frozen=True)
class Invite(Action):
    """Invite someone to a room the bot made (`room_key`, as `Send`), unless they are in it or invited.
    Words decided after it wait until a sync shows the invite, so their room key reaches them."""

    room_id: str
    user_id: str
    room_key: str | None = None


@dataclass(frozen=True)
class Ban(Action):
    room_id: str
    user_id: str
    reason: str | None = None


@dataclass(frozen=True)
class Unban(Action):
    room_id: str
    user_id: str


@dataclass(frozen=True)
class Join(Action):
    room_id: str


@dataclass(frozen=True)
class Leave(Action):
    """Leave a room, with a last word said just before in the same step (`text`): as one action
    it cannot be overtaken by the leave, which goes in the lane of joins and leaves."""

    room_id: str
    text: Text | None = None


@dataclass(frozen=True)
class CreateRoom(Action):
    """A private room (encrypted unless told otherwise) with only the invited people in it."""

    name: str
    invite: tuple[str, ...]
    remember: str
    encrypted: bool = True


@dataclass(frozen=True)
class SetInviteLevel(Action):
    """Change only the power needed to invite, keeping the rest of the room's power levels."""

    room_id: str
    level: int


@dataclass(frozen=True)
class SetState(Action):
    """Set one state event of a room (a join rule, the room's moderation bot)."""

    room_id: str
    event_type: str
    content: dict
    state_key: str = ""


def join_rule(room_id: str, rule: str) -> SetState:
    """"invite", "knock", "public", ..."""
    return SetState(room_id, "m.room.join_rules", {"join_rule": rule})
