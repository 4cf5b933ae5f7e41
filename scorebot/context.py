"""What a feature sees while it decides about one signal, and where it puts its decisions.

A context is made by the dispatcher for each signal (and once per tick). It answers questions about
the room and the people in it, and nothing more: what a feature remembers it reads and writes through
its own part of the store (`from scorebot.store.meetings import meetings`), inside the transaction
the dispatcher opened for the signal.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scorebot.domain import command_words
from scorebot.domain.actions import Action, React, Send, SendDirect
from scorebot.domain.commands import CommandRegistry
from scorebot.domain.rooms import Role, Roles, RoomKind, RoomView
from scorebot.domain.signals import Signal
from scorebot.domain.stack import MeetingEvent, Person
from scorebot.domain.text import Text, bold, pill, plain

if TYPE_CHECKING:
    from scorebot.feature import Feature


@dataclass
class Context:
    """What a feature sees while it decides, and where it puts its decisions."""

    signal: Signal
    room: RoomView
    roles: Roles
    registry: CommandRegistry
    bot_user_id: str
    rooms: dict[str, RoomKind] = field(default_factory=dict)  # the configured rooms, resolved
    # How the bot sees each configured room now: members, power levels (for votes, direct chats).
    views: dict[str, RoomView] = field(default_factory=dict)
    features: list[Feature] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    # Set when a private command typed in a shared room goes on in the sender's direct chat.
    moved_to_direct: bool = False
    # Who facilitates here, asked of every feature once per event (`!help` checks every command).
    _facilitators: frozenset[str] | None = field(default=None, repr=False)

    @property
    def directory(self) -> dict[str, dict[str, str]]:
        """Who is in each organizing room: user ID -> display name."""
        return {room_id: view.members for room_id, view in self.views.items() if view.kind is RoomKind.ORGANIZING}

    def known_people(self) -> dict[str, str]:
        """Whom a typed name can mean: the organizing rooms' members and this room's (ID -> name)."""
        return {**{u: n for room in self.directory.values() for u, n in room.items()}, **self.room.members}

    def name_of(self, user_id: str) -> str:
        """A member's display name, from this room or another the bot serves; else their ID."""
        for view in [self.room, *self.views.values()]:
            name = view.members.get(user_id)
            if name and name != user_id:
                return name
        return user_id

    def named(self, user_id: str, mention: bool = False) -> Text:
        """A member's name in bold, or as a pill that mentions them."""
        return pill(user_id, self.name_of(user_id)) if mention else bold(self.name_of(user_id))

    def person(self, who: str) -> Person:
        """Whom a command names: a member (by ID), or someone with no account ("Name")."""
        return Person(who, self.name_of(who)) if who.startswith("@") else Person.named(who)

    def who(self, user_id: str) -> str:
        """A member as staff see them: "Name (@id)", or just the ID when there is no other name."""
        name = self.name_of(user_id)
        return f"{name} ({user_id})" if name != user_id else user_id

    def room_of(self, kind: RoomKind) -> str | None:
        """The configured room of that kind (the moderators' or the IGO room)."""
        return next((room_id for room_id, k in self.rooms.items() if k is kind), None)

    @property
    def sender(self) -> str:
        return self.signal.sender

    def do(self, *actions: Action) -> None:
        self.actions.extend(actions)

    def reply(self, text: Text | str) -> None:
        """Answer in the same room, as a reply, staying in the thread if the signal was in one.

        In a direct chat the answer is a `SendDirect`, so the executor checks, just before sending,
        that the chat still holds only the bot and this person."""
        text = plain(text) if isinstance(text, str) else text
        if self.moved_to_direct:
            self.direct(self.sender, text)
        elif self.room.kind is RoomKind.DIRECT:
            self.do(SendDirect(self.sender, text, reply_to=self.signal.event_id, reply_in=self.room.room_id))
        else:
            thread = getattr(self.signal, "thread_root", None)
            self.do(Send(self.room.room_id, text, reply_to=self.signal.event_id, thread_root=thread))

    def confirm(self, emoji: str = "✅") -> None:
        """Say a command was done: a ✅ on it, or in words when the answer went to a direct chat."""
        if self.moved_to_direct:
            self.direct(self.sender, command_words.done(emoji))
        else:
            self.do(React(self.room.room_id, self.signal.event_id, emoji))

    def announce(self, event: MeetingEvent, meeting_id: int) -> None:
        """Tell every feature that something happened in a meeting (a turn ended, it is ending)."""
        for feature in self.features:
            feature.on_meeting_event(self, event, meeting_id)

    def direct(self, user_id: str, text: Text | str) -> None:
        self.do(SendDirect(user_id, plain(text) if isinstance(text, str) else text))

    def may(self, role: Role) -> bool:
        facilitators: frozenset[str] = frozenset()
        if role is Role.FACILITATOR:
            if self._facilitators is None:
                self._facilitators = frozenset(user for f in self.features for user in f.facilitators(self))
            facilitators = self._facilitators
        return self.roles.has(role, self.room, self.sender, facilitators)

    def privately(self) -> Context:
        """This context, carried on in the sender's direct chat: answers go there, never here."""
        room = RoomView(self.room.room_id, RoomKind.DIRECT, members={self.sender: self.name_of(self.sender)})
        return dataclasses.replace(self, room=room, moved_to_direct=True, actions=self.actions)
