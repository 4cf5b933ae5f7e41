"""How the bot sees its rooms and the organization's roles, from what the homeserver told it.

A room's view is built when an event needs it and kept until a state event (a member joining, a
new name, new power levels) arrives in that room; the roles, until any configured room changes. A
sync with nothing new in a hundred rooms builds nothing."""

from __future__ import annotations

from nio import AsyncClient, Event

from scorebot.config import RolesConfig
from scorebot.domain.organization import who_holds_each_role
from scorebot.domain.rooms import Roles, RoomKind, RoomView
from scorebot.matrix.state_events import is_state, kept_state, room_state


class RoomViews:
    def __init__(self, client: AsyncClient, kinds: dict[str, RoomKind], roles: RolesConfig):
        self.client = client
        self.kinds = kinds  # the configured rooms, resolved
        self.roles_config = roles
        self._state: dict[str, dict[str, dict]] = {}  # room -> event type -> event
        self._views: dict[str, RoomView] = {}
        self._configured: dict[str, RoomView] | None = None
        self._roles: Roles | None = None

    def update(self, room_id: str, events: list[Event]) -> None:
        """Keep the state events a decision needs (nio keeps no create or join-rules content)."""
        changed = False
        for event in events:
            changed = changed or is_state(event)
            kept = kept_state(event)
            if kept is not None:
                self._state.setdefault(room_id, {})[kept[0]] = kept[1]
        if changed:
            self._changed(room_id)

    def forget(self, room_id: str) -> None:
        self._state.pop(room_id, None)
        self._changed(room_id)

    def _changed(self, room_id: str) -> None:
        self._views.pop(room_id, None)
        if room_id in self.kinds:
            self._configured = self._roles = None

    def view(self, room_id: str) -> RoomView:
        kept = self._views.get(room_id)
        if kept is None:
            kept = self._build(room_id)
            if room_id in self.client.rooms:
                self._views[room_id] = kept
        return kept

    def _build(self, room_id: str) -> RoomView:
        room = self.client.rooms.get(room_id)
        state = room_state(self._state.get(room_id, {}))
        members, invited = {}, frozenset()
        if room is not None:
            members = {user_id: user.display_name or user_id for user_id, user in room.users.items()
                       if user_id not in room.invited_users}
            invited = frozenset(room.invited_users)
        return RoomView.from_state(
            room_id, self.kinds.get(room_id, RoomKind.OTHER), state.create_event, state.power_levels,
            members=members, invited=invited, encrypted=bool(room and room.encrypted),
            join_rule=state.join_rule, moderation_bot=state.moderation_bot,
            name=room.display_name if room else None,
        )

    def views(self) -> dict[str, RoomView]:
        """How the bot sees each configured room it is in (kept: do not change the mapping)."""
        if self._configured is None:
            self._configured = {room_id: self.view(room_id) for room_id in self.kinds if room_id in self.client.rooms}
        return self._configured

    def roles(self, views: dict[str, RoomView] | None = None) -> Roles:
        """Roles as the organization's configured rooms give them (see `Roles`)."""
        if views is None or views is self._configured:
            if self._roles is None:
                self._roles = self._roles_from(self.views())
            return self._roles
        return self._roles_from(views)

    def _roles_from(self, views: dict[str, RoomView]) -> Roles:
        config = self.roles_config
        return Roles.of_organization(views.values(), self.client.user_id, config.moderator_level,
                                     config.moderators, config.igos)

    def who_holds_each_role(self) -> list[str]:
        """Per role, who holds it now, by the names the rooms show (for the start log)."""
        views = self.views()
        names = {user: name for view in views.values() for user, name in view.members.items()}
        return who_holds_each_role(self.roles(views), self.roles_config.steering, lambda user: names.get(user, user))

    def joined(self, kind: RoomKind) -> set[str]:
        members: set[str] = set()
        for room_id, room_kind in self.kinds.items():
            room = self.client.rooms.get(room_id)
            if room_kind is kind and room is not None:
                members.update(u for u in room.users if u not in room.invited_users)
        members.discard(self.client.user_id)
        return members

    def organization_members(self) -> set[str]:
        """Who may open a direct chat with the bot: anyone in one of the configured rooms."""
        return self.joined(RoomKind.ORGANIZING) | self.joined(RoomKind.MODERATORS) | self.joined(RoomKind.IGO)

    def where_is(self, user_id: str) -> str | None:
        """An organizing room `user_id` is in, if any."""
        return next((room_id for room_id, kind in self.kinds.items() if kind is RoomKind.ORGANIZING
                     and room_id in self.client.rooms and user_id in self.client.rooms[room_id].users), None)
