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


@dataclass(frozen=True)
class Reaction(Signal):
    key: str
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
    """A member used their client's own "Report" button (read through the homeserver's admin API).

    `event_id` is "native-report:<id>", so each report is taken in once; `sender` is the reporter.
    """

    native_id: int
    reported_event_id: str
    reported_sender: str | None
    reason: str


@dataclass(frozen=True)
class KeyWithheld(Signal):
    """A member's app told the bot it would not share the key to their message (m.room_key.withheld).

    `event_id` is "withheld:<room>:<session>", so one message session is answered once."""

    code: str
    reason: str = ""
