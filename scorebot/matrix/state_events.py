"""The room state and the bot's own memberships, read from Matrix's events: with `events.py`, the
only modules that read the event format (`events.py` turns events into signals; this one reads
what the shell itself needs to know of a room).

nio keeps no create or join-rules content, so the state events a decision needs are kept whole,
per room, and read here when a room's view is built (`room_views.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from nio import Event, RoomMemberEvent

from scorebot.domain.reports import MODERATED_BY

_KEPT = ("m.room.create", "m.room.power_levels", "m.room.join_rules", MODERATED_BY)


def is_state(event: Event) -> bool:
    """Whether the event changes the room's state (a member, a name, power levels...)."""
    return "state_key" in (getattr(event, "source", None) or {})


def kept_state(event: Event) -> tuple[str, dict] | None:
    """The event's type and the event itself, when it is room state a room's view is built from."""
    source = getattr(event, "source", None) or {}
    if source.get("type") in _KEPT and source.get("state_key") == "":
        return source["type"], source
    return None


@dataclass(frozen=True)
class RoomState:
    """What a room's kept state events say, as `RoomView.from_state` takes it."""

    create_event: dict | None
    power_levels: dict | None
    join_rule: str
    moderation_bot: str | None


def room_state(kept: dict[str, dict]) -> RoomState:
    """Read the kept state events of one room (event type -> event)."""
    def content(event_type: str) -> dict:
        return kept.get(event_type, {}).get("content") or {}

    return RoomState(kept.get("m.room.create"), kept.get("m.room.power_levels", {}).get("content"),
                     str(content("m.room.join_rules").get("join_rule", "invite")),
                     content(MODERATED_BY).get("user_id"))


def is_own_membership(event: Event, me: str) -> bool:
    """The bot's own join, leave, kick or ban."""
    return isinstance(event, RoomMemberEvent) and event.state_key == me


def own_join_time(event: Event, me: str) -> int | None:
    """When the bot joined, if this event is its own join (not a change of name while joined)."""
    if is_own_membership(event, me) and event.membership == "join" and event.prev_membership != "join":
        return event.server_timestamp
    return None
