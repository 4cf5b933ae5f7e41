"""The organization as every feature asks it: which config key names each room, who holds each role
(said out loud), and who may not read or act on what, because it is about them.

Built on `rooms.py` (room kinds, roles from the organization's rooms). A room is one kind only: a
room that is both the organizing room and the grievance officers' room would show every report to
the people it is about. The subject of a report or a case never reads it, is never assigned to it,
and never approves, rejects or votes on anything about it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from scorebot.domain.rooms import Roles


def room_kind_clash(rooms: Iterable[tuple[str, str | None]]) -> str | None:
    """One line naming the two config keys that give one room two kinds; None when each room has one.

    `rooms` pairs each key ("rooms.organizing[0]", "rooms.igo", ...) with the room it names. The same
    room listed twice under one kind (two organizing entries) is no clash."""
    first: dict[str, str] = {}
    for key, ref in rooms:
        if not ref:
            continue
        earlier = first.setdefault(ref, key)
        if _kind_of(earlier) != _kind_of(key):
            return (f"{earlier} and {key} name the same room ({ref}); a room is one kind only "
                    "(organizing, moderators, grievance officers or steering): give each its own room")
    return None


def _kind_of(key: str) -> str:
    return key.split("[")[0]


def who_holds_each_role(roles: Roles, steering: Iterable[str], name: Callable[[str], str]) -> list[str]:
    """Per role, who holds it now, in plain words: what check-config prints and the start log says."""
    def listed(users: Iterable[str]) -> str:
        names = sorted({name(user) for user in users}, key=str.casefold)
        return ", ".join(names) if names else "no one yet"
    return [f"Moderators (they decide on removals and see cases): {listed(roles.moderators())}.",
            f"Grievance officers (they read every report): {listed(roles.igos())}.",
            f"Steering Committee (they ratify revisions of the code of conduct): {listed(steering)}."]


def conflicted(user: str, subject: str | None) -> bool:
    """Whether `user` is the one a report, case or proposal is about, and so may not act on it."""
    return subject is not None and user == subject


def readable_here(subject: str | None, readers: Iterable[str]) -> bool:
    """Whether a case or report about `subject` may be shown in a room whose members (joined or
    invited) are `readers`: never where its subject would read it."""
    return subject is None or subject not in set(readers)


class Route(Enum):
    """Where a report or an escalated case about someone is read."""

    IGO_ROOM = "the grievance officers' room"
    OTHER_IGOS = "the other grievance officers, in a private room made for it"
    STEERING = "the Steering Committee's room"
    MODERATORS_WITHOUT_TEXT = "the moderators' room, without its words"
    NOWHERE = "no one yet"


@dataclass(frozen=True)
class Readers:
    route: Route
    people: tuple[str, ...] = ()  # for OTHER_IGOS: who gets it


def readers_of(subject: str | None, igos: Iterable[str], igo_room: Iterable[str] | None = None,
               steering_room: Iterable[str] | None = None, moderators_room: Iterable[str] | None = None) -> Readers:
    """Who reads a report or case about `subject`: the grievance officers' room, unless the subject
    reads it; then the other grievance officers in private; with none left, the Steering Committee's
    room; else the moderators' room without the words. Never a room the subject is in.

    Each room is given as who is in it (joined or invited), or None when it is not configured."""
    if subject is None or (subject not in set(igo_room or ()) and subject not in set(igos)):
        return Readers(Route.IGO_ROOM)
    others = tuple(sorted(set(igos) - {subject}))
    if others:
        return Readers(Route.OTHER_IGOS, others)
    if steering_room is not None and subject not in set(steering_room):
        return Readers(Route.STEERING)
    if moderators_room is not None and subject not in set(moderators_room):
        return Readers(Route.MODERATORS_WITHOUT_TEXT)
    return Readers(Route.NOWHERE)
