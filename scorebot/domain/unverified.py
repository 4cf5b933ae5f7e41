"""Where a refusal for an unverified session can be read by that very session.

In a confidential room (the IGO room, a direct chat) the bot shares room keys only with sessions
their owner verified, so a refusal posted there is unreadable by the session it answers. The
person is also told, with nothing confidential, in a room whose keys reach every session: the
moderators room if they are in it, else an organizing room they share with the bot. We chose this
over sharing one message's key with the unverified session: the confidential room's key never
reaches it, not even once.
"""

from __future__ import annotations

from scorebot.domain.actions import Send
from scorebot.domain.privacy import unverified_session_elsewhere
from scorebot.domain.rooms import RoomKind, RoomView

CONFIDENTIAL = frozenset({RoomKind.IGO, RoomKind.DIRECT})
_READABLE = (RoomKind.MODERATORS, RoomKind.ORGANIZING)  # in this order of preference


def readable_room(user_id: str, refused_in: RoomKind, views: dict[str, RoomView]) -> str | None:
    """A room the person shares with the bot whose keys reach all their sessions; None if the room
    the refusal went to (`refused_in`) is readable already, or if they share no such room."""
    if refused_in not in CONFIDENTIAL:
        return None
    for kind in _READABLE:
        for room_id in sorted(views):
            view = views[room_id]
            if view.kind is kind and user_id in view.members:
                return room_id
    return None


def tell_where_readable(user_id: str, name: str | None, refused_in: RoomKind,
                        views: dict[str, RoomView]) -> list[Send]:
    """The extra word for an unverified session refused in a confidential room (maybe none)."""
    room_id = readable_room(user_id, refused_in, views)
    return [Send(room_id, unverified_session_elsewhere(user_id, name))] if room_id else []
