"""What the bot knows of a room when it decides something: its kind, its members, its powers.

Roles are worked out here, by Matrix ID only, and only from the organization's own rooms: the
organizing rooms' power levels, the moderators' room, the grievance officers' room and the config lists. A direct
chat or any other room grants nothing, although its creator holds power 100 there. From room
version 12 on, a room's creators stand above every power level and are not listed in the power
levels event: in an organizing room they count as the highest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

# Room versions whose creators hold a power above every level (MSC4289).
_PRIVILEGED_CREATOR_VERSIONS = {"org.matrix.hydra.11"}


def creators_are_privileged(room_version: str) -> bool:
    if room_version in _PRIVILEGED_CREATOR_VERSIONS:
        return True
    return room_version.isdigit() and int(room_version) >= 12


class RoomKind(Enum):
    ORGANIZING = "organizing"
    MODERATORS = "moderators"
    IGO = "igo"
    STEERING = "steering"
    DIRECT = "direct"
    OTHER = "other"


# Where a command may be used: each set of rooms defined once.
ORGANIZING = frozenset({RoomKind.ORGANIZING})
DIRECT = frozenset({RoomKind.DIRECT})
IGO_ROOM = frozenset({RoomKind.IGO})
STAFF_ROOMS = frozenset({RoomKind.MODERATORS, RoomKind.IGO, RoomKind.DIRECT})
ANYWHERE = frozenset({RoomKind.ORGANIZING, RoomKind.DIRECT, RoomKind.MODERATORS, RoomKind.IGO})


class Role(Enum):
    """Who may use a command. Each role is checked on its own; none implies another by name."""

    MEMBER = "member"
    FACILITATOR = "facilitator"
    MODERATOR = "moderator"
    IGO = "igo"
    STAFF = "moderator or grievance officer"


@dataclass(frozen=True)
class PowerLevels:
    users: dict[str, int] = field(default_factory=dict)
    users_default: int = 0
    kick: int = 50
    ban: int = 50
    redact: int = 50
    invite: int = 0
    state_default: int = 50
    events: dict[str, int] = field(default_factory=dict)
    events_default: int = 0

    @classmethod
    def from_content(cls, content: dict | None) -> PowerLevels:
        """Read an m.room.power_levels content, ignoring malformed values as the spec does."""
        content = content or {}

        def level(value, default: int) -> int:
            try:
                return int(value)
            except (TypeError, ValueError):
                return default

        users = content.get("users") if isinstance(content.get("users"), dict) else {}
        events = content.get("events") if isinstance(content.get("events"), dict) else {}
        return cls(
            users={str(k): level(v, 0) for k, v in users.items()},
            users_default=level(content.get("users_default"), 0),
            kick=level(content.get("kick"), 50),
            ban=level(content.get("ban"), 50),
            redact=level(content.get("redact"), 50),
            invite=level(content.get("invite"), 0),
            state_default=level(content.get("state_default"), 50),
            events={str(k): level(v, 50) for k, v in events.items()},
            events_default=level(content.get("events_default"), 0),
        )


@dataclass(frozen=True)
class RoomView:
    room_id: str
    kind: RoomKind
    members: dict[str, str] = field(default_factory=dict)  # joined user ID -> display name
    invited: frozenset[str] = frozenset()  # invited, not joined yet
    power_levels: PowerLevels = field(default_factory=PowerLevels)
    room_version: str = "1"
    creators: frozenset[str] = frozenset()
    encrypted: bool = False
    name: str | None = None
    join_rule: str = "invite"
    moderation_bot: str | None = None  # who a client's report to moderators goes to (MSC3215), if anyone

    @classmethod
    def from_state(cls, room_id: str, kind: RoomKind, create_event: dict | None,
                   power_levels: dict | None, **rest) -> RoomView:
        """Build a view from the raw create event (its sender is a creator) and levels content."""
        create_event = create_event or {}
        content = create_event.get("content") or {}
        creators = {create_event["sender"]} if create_event.get("sender") else set()
        extra = content.get("additional_creators")
        if isinstance(extra, list):
            creators.update(str(user) for user in extra)
        return cls(room_id, kind, power_levels=PowerLevels.from_content(power_levels),
                   room_version=str(content.get("room_version", "1")),
                   creators=frozenset(creators), **rest)

    def power_of(self, user_id: str) -> float:
        if user_id in self.creators and creators_are_privileged(self.room_version):
            return math.inf
        return self.power_levels.users.get(user_id, self.power_levels.users_default)

    def holds_only(self, *user_ids: str) -> bool:
        """Whether everyone joined or invited here is among `user_ids` (a private chat's test)."""
        return set(self.members) | self.invited <= set(user_ids)

    def display_name(self, user_id: str) -> str:
        return self.members.get(user_id) or user_id

    def can(self, user_id: str, action: str) -> bool:
        """Whether `user_id` may kick, ban, redact others' events, or send state here."""
        needed = {
            "kick": self.power_levels.kick,
            "ban": self.power_levels.ban,
            "redact": self.power_levels.redact,
            "state": self.power_levels.state_default,
        }[action]
        return self.power_of(user_id) >= needed


@dataclass(frozen=True)
class Roles:
    """Who holds which role in the organization, worked out once from its rooms and the config.

    - A moderator of one organizing room: listed in the config, or power >= `moderator_level` there
      (a version 12 creator counts). That is the check for acting on that room (a warning, a vote).
    - A moderator of the organization: a moderator of any organizing room, or a member of the
      moderators' room. That is the check in every other room, direct chats included.
    - An IGO: listed in the config, or a member of the grievance officers' room.
    """

    moderator_level: int = 50
    listed_moderators: frozenset[str] = frozenset()
    listed_igos: frozenset[str] = frozenset()
    igo_room_members: frozenset[str] = frozenset()
    moderators_room_members: frozenset[str] = frozenset()
    organizing_moderators: frozenset[str] = frozenset()  # by power in at least one organizing room

    @classmethod
    def of_organization(cls, views: Iterable[RoomView], bot_user_id: str, moderator_level: int = 50,
                        listed_moderators: Iterable[str] = (), listed_igos: Iterable[str] = ()) -> Roles:
        """The roles as the organization's configured rooms give them; other rooms are ignored."""
        by_kind: dict[RoomKind, set[str]] = {RoomKind.IGO: set(), RoomKind.MODERATORS: set()}
        powerful: set[str] = set()
        for view in views:
            if view.kind in by_kind:
                by_kind[view.kind].update(view.members)
            elif view.kind is RoomKind.ORGANIZING:
                candidates = set(view.members) | set(view.power_levels.users) | set(view.creators)
                powerful.update(u for u in candidates if view.power_of(u) >= moderator_level)
        return cls(moderator_level, frozenset(listed_moderators), frozenset(listed_igos),
                   frozenset(by_kind[RoomKind.IGO] - {bot_user_id}),
                   frozenset(by_kind[RoomKind.MODERATORS] - {bot_user_id}), frozenset(powerful - {bot_user_id}))

    def moderates(self, room: RoomView, user_id: str) -> bool:
        """A moderator of that organizing room; no other kind of room makes anyone a moderator."""
        if user_id in self.listed_moderators:
            return True
        return room.kind is RoomKind.ORGANIZING and room.power_of(user_id) >= self.moderator_level

    def is_organization_moderator(self, user_id: str) -> bool:
        return (user_id in self.listed_moderators or user_id in self.organizing_moderators
                or user_id in self.moderators_room_members)

    def is_moderator(self, room: RoomView, user_id: str) -> bool:
        """In an organizing room, a moderator of it; anywhere else, a moderator of the organization."""
        if room.kind is RoomKind.ORGANIZING:
            return self.moderates(room, user_id)
        return self.is_organization_moderator(user_id)

    def is_staff(self, room: RoomView, user_id: str) -> bool:
        """Moderators and IGOs: who may look at cases."""
        return self.is_igo(user_id) or self.is_organization_moderator(user_id)

    def is_igo(self, user_id: str) -> bool:
        return user_id in self.listed_igos or user_id in self.igo_room_members

    def igos(self) -> frozenset[str]:
        return self.listed_igos | self.igo_room_members

    def moderators(self) -> frozenset[str]:
        """The organization's moderators (see `is_organization_moderator`)."""
        return self.listed_moderators | self.organizing_moderators | self.moderators_room_members

    def has(self, role: Role, room: RoomView, user_id: str, facilitators: frozenset[str] = frozenset()) -> bool:
        if role is Role.MEMBER:
            return True
        if role is Role.MODERATOR:
            return self.is_moderator(room, user_id)
        if role is Role.IGO:
            return self.is_igo(user_id)
        if role is Role.STAFF:
            return self.is_staff(room, user_id)
        return user_id in facilitators or self.is_moderator(room, user_id)
