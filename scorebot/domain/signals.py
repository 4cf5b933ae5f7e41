"""What happened in a room, said without Matrix's wire format.

The Matrix adapter turns each event it understands into one of these; everything past it works on
signals only. A signal is a fact, never a request: what it means is for the features to decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Signal:
    room_id: str
    event_id: str
    sender: str
    timestamp: int  # the homeserver's time, in milliseconds
    # Sent, encrypted, from a device its owner has not cross-signed: no staff action counts from it.
    unsigned_device: bool = field(default=False, kw_only=True)


@dataclass(frozen=True)
class Message(Signal):
    body: str
    # The body with each mention pill written as its Matrix ID, for commands that take a user.
    command_body: str
    is_notice: bool = False
    reply_to: str | None = None
    thread_root: str | None = None
    mentions: tuple[str, ...] = ()  # the people it mentions (m.mentions, and pills)
    # An edit: the message it replaces. What the edit says (its newest content) is the body.
    replaces: str | None = None


@dataclass(frozen=True)
class Reaction(Signal):
    emoji: str  # the bare emoji (`domain.reactions.bare`): no variation selector, skin tone or gender sign
    target_event_id: str


@dataclass(frozen=True)
class Redaction(Signal):
    redacts: str


@dataclass(frozen=True)
class Membership(Signal):
    user_id: str
    membership: str  # join, leave, ban, invite, knock
    previous: str | None = None


@dataclass(frozen=True)
class BotRemoved(Signal):
    """The bot itself was kicked or banned from a room, or left it."""

    membership: str
    reason: str | None = None


@dataclass(frozen=True)
class Invite:
    """The bot was invited to a room; handled before joining, so it has no event of its own."""

    room_id: str
    inviter: str
    is_direct: bool


@dataclass(frozen=True)
class Tick(Signal):
    """Time passing: features look at their timers. It comes from the bot's clock, not a room."""

    @classmethod
    def at(cls, now_ms: int) -> Tick:
        return cls("", f"tick:{now_ms}", "", now_ms)


@dataclass(frozen=True)
class NativeReport(Signal):
    """A member used their client's own "Report" on a message, in one of two ways:

    - through the homeserver (read from Synapse's admin API): `room_id` is the reported message's
      room, `event_id` is "native-report:<id>", so each report is taken in once;
    - to the room's moderation bot ("report to moderators", MSC3215; gone from Element): an
      `org.matrix.msc3215.abuse.report` event in a direct chat with the bot, `room_id` that chat.

    `sender` is the reporter."""

    native_id: int | None
    reported_event_id: str
    reported_sender: str | None
    reason: str
    reported_room_id: str = ""  # where the reported message is, when it is not `room_id`
    via: str = "the Report button"

    @property
    def reported_room(self) -> str:
        return self.reported_room_id or self.room_id


@dataclass(frozen=True)
class KeyWithheld(Signal):
    """A member's app told the bot it would not share the key to their message (m.room_key.withheld).

    `event_id` is "withheld:<room>:<session>", so one message session is answered once."""

    code: str
    reason: str = ""


@dataclass(frozen=True)
class CallMembership(Signal):
    """A member's Element Call membership changed: they joined, left (`ended`), or it was sent anew.

    A hand raised in the call is a reaction on the membership event; when that event is replaced
    (`replaces`, the old event), the hand is down."""

    replaces: str | None
    ended: bool
