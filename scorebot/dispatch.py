"""The one place a signal becomes decisions: commands are parsed and checked, features consulted.

`Dispatcher.handle` runs inside a store transaction (see `Store.run`): what a feature changes, the
actions it asks for and the "handled" mark on the event are committed together, so a crash either
keeps all of them or none. A feature that raises is rolled back alone; the person gets a short
apology with a reference that matches the log line.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from dataclasses import dataclass, field

from scorebot.domain.actions import Action, Join, React, Send, SendDirect
from scorebot.domain.commands import (
    CommandRegistry,
    Invocation,
    UnknownCommand,
    UsageError,
)
from scorebot.domain.rooms import Role, Roles, RoomKind, RoomView
from scorebot.domain.signals import (
    BotRemoved,
    Invite,
    Membership,
    Message,
    NativeReport,
    Reaction,
    Redaction,
    Signal,
    Tick,
)
from scorebot.domain.text import Text, code, plain
from scorebot.store import Store

log = logging.getLogger(__name__)

_ROOM_NAMES = {
    RoomKind.ORGANIZING: "organizing rooms",
    RoomKind.MODERATORS: "the moderators' room",
    RoomKind.IGO: "the IGO room",
    RoomKind.DIRECT: "a direct chat with me",
}

_ROLE_NAMES = {
    Role.FACILITATOR: "the meeting's facilitators and moderators",
    Role.MODERATOR: "moderators",
    Role.IGO: "the Internal Grievance Officers",
    Role.STAFF: "moderators and the Internal Grievance Officers",
}


@dataclass
class Context:
    """What a feature sees while it decides, and where it puts its decisions."""

    signal: Signal
    room: RoomView
    store: Store
    roles: Roles
    registry: CommandRegistry
    bot_user_id: str
    rooms: dict[str, RoomKind] = field(default_factory=dict)  # the configured rooms, resolved
    # How the bot sees each configured room now: members, power levels (for votes, direct chats).
    views: dict[str, RoomView] = field(default_factory=dict)
    features: list[Feature] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    @property
    def directory(self) -> dict[str, dict[str, str]]:
        """Who is in each organizing room: user ID -> display name."""
        return {room_id: view.members for room_id, view in self.views.items() if view.kind is RoomKind.ORGANIZING}

    def name_of(self, user_id: str) -> str:
        """A member's display name, from this room or another the bot serves; else their ID."""
        for view in [self.room, *self.views.values()]:
            if user_id in view.members:
                return view.members[user_id]
        return user_id

    def thread(self, kind: str) -> int | None:
        """The number of the case or report whose IGO-room thread this message was written in."""
        root = getattr(self.signal, "thread_root", None)
        key = self.store.key_of(root) if root else None
        found_kind, _, number = (key or "").partition(":")
        return int(number) if found_kind == kind and number.isdigit() else None

    def room_of(self, kind: RoomKind) -> str | None:
        """The configured room of that kind (the moderators' or the IGO room)."""
        return next((room_id for room_id, k in self.rooms.items() if k is kind), None)

    @property
    def sender(self) -> str:
        return self.signal.sender

    def do(self, *actions: Action) -> None:
        self.actions.extend(actions)

    def reply(self, text: Text | str) -> None:
        """Answer in the same room, as a reply, staying in the thread if the signal was in one."""
        text = plain(text) if isinstance(text, str) else text
        thread = getattr(self.signal, "thread_root", None)
        self.do(Send(self.room.room_id, text, reply_to=self.signal.event_id, thread_root=thread))

    def confirm(self, key: str = "✅") -> None:
        self.do(React(self.room.room_id, self.signal.event_id, key))

    def announce(self, event: str, meeting_id: int) -> None:
        """Tell every feature that something happened in a meeting ("turn ended", "meeting ending")."""
        for feature in self.features:
            feature.on_meeting_event(self, event, meeting_id)

    def direct(self, user_id: str, text: Text | str) -> None:
        self.do(SendDirect(user_id, plain(text) if isinstance(text, str) else text))

    def may(self, role: Role) -> bool:
        facilitators: frozenset[str] = frozenset()
        if role is Role.FACILITATOR:
            facilitators = frozenset(user for f in self.features for user in f.facilitators(self))
        return self.roles.has(role, self.room, self.sender, facilitators)


class Feature:
    """A part of the bot. It declares its commands and may look at every signal."""

    def register(self, registry: CommandRegistry) -> None:
        """Declare commands on the registry."""

    def on_message(self, ctx: Context) -> None:
        """A message that is not a command."""

    def on_reaction(self, ctx: Context) -> None:
        pass

    def on_redaction(self, ctx: Context) -> None:
        pass

    def on_membership(self, ctx: Context) -> None:
        pass

    def on_bot_removed(self, ctx: Context) -> None:
        pass

    def on_tick(self, ctx: Context) -> None:
        """Time passed; look at timers. `ctx.signal.timestamp` is now, in milliseconds."""

    def on_native_report(self, ctx: Context) -> None:
        """Someone used their client's "Report" button on an event in a managed room."""

    thread_kind: str | None = None  # the IGO-room threads this feature owns ("case", "report")

    def thread_note(self, ctx: Context, number: int, text: str) -> None:
        """!note in one of this feature's threads."""

    def thread_resolve(self, ctx: Context, number: int, outcome: str) -> None:
        """!resolve in one of this feature's threads."""

    def facilitators(self, ctx: Context) -> list[str]:
        """Who facilitates in `ctx.room` right now, besides its moderators."""
        return []

    def on_start(self, store: Store) -> None:
        """Once, when the bot starts, in a transaction (for seeding data)."""

    def on_meeting_event(self, ctx: Context, event: str, meeting_id: int) -> None:
        """Another feature announced something about a meeting (see `Context.announce`)."""

    def minutes_sections(self, store: Store, meeting_id: int, clock, name) -> list[tuple[str, list[str]]]:
        """Extra sections for a meeting's minutes: (heading, lines).

        `clock(ms)` gives "HH:MM" in the group's time zone; `name(user_id)` a display name."""
        return []


class Dispatcher:
    def __init__(self, store: Store, features: list[Feature], bot_user_id: str, prefix: str = "!",
                 rooms: dict[str, RoomKind] | None = None):
        self.store = store
        self.rooms = rooms if rooms is not None else {}
        self.features = features
        self.bot_user_id = bot_user_id
        self.registry = CommandRegistry(prefix)
        for feature in features:
            feature.register(self.registry)

    def start(self) -> None:
        for feature in self.features:
            feature.on_start(self.store)

    # -- signals --------------------------------------------------------------------------

    def handle(self, signal: Signal, room: RoomView, roles: Roles,
               views: dict[str, RoomView] | None = None) -> list[Action]:
        """Decide what `signal` leads to, once: a signal already handled leads to nothing."""
        if signal.sender == self.bot_user_id and not isinstance(signal, BotRemoved):
            return []
        if self.store.was_handled(signal.event_id):
            return []
        if self._is_direct_chat(room):
            room = dataclasses.replace(room, kind=RoomKind.DIRECT)
        ctx = Context(signal, room, self.store, roles, self.registry, self.bot_user_id, self.rooms,
                      views or {}, self.features)
        try:
            with self.store.db.atomic():
                self._route(ctx)
        except Exception:
            reference = secrets.token_hex(3)
            log.exception("Handling %s in %s failed (reference %s)", type(signal).__name__,
                          room.room_id, reference)
            ctx.actions = []
            if isinstance(signal, Message):
                ctx.reply(f"Sorry, something went wrong on my side (reference {reference}). "
                          "Nothing you did caused it; please tell the admin.")
        self.store.enqueue(ctx.actions, signal.event_id)
        self.store.mark_handled(signal.event_id, room.room_id)
        return ctx.actions

    def _is_direct_chat(self, room: RoomView) -> bool:
        """A room the bot shares with the one member who opened it, and no one else."""
        if room.kind is not RoomKind.OTHER:
            return False
        member = self.store.direct_chat_user(room.room_id)
        return member is not None and set(room.members) <= {member, self.bot_user_id}

    def _route(self, ctx: Context) -> None:
        signal = ctx.signal
        if ctx.room.kind is RoomKind.OTHER and not isinstance(signal, BotRemoved):
            return
        if isinstance(signal, Message):
            self._on_message(ctx, signal)
        elif isinstance(signal, Reaction):
            for feature in self.features:
                feature.on_reaction(ctx)
        elif isinstance(signal, Redaction):
            for feature in self.features:
                feature.on_redaction(ctx)
        elif isinstance(signal, NativeReport):
            for feature in self.features:
                feature.on_native_report(ctx)
        elif isinstance(signal, BotRemoved):
            self.store.room_left(signal.room_id, signal.timestamp)
            for feature in self.features:
                feature.on_bot_removed(ctx)
        elif isinstance(signal, Membership):
            for feature in self.features:
                feature.on_membership(ctx)

    def _on_message(self, ctx: Context, message: Message) -> None:
        if message.is_notice:
            return  # notices are bots talking; answering them makes loops
        if ctx.room.kind is RoomKind.ORGANIZING:
            # Kept a few days, so a pin or a piece of evidence can quote what was said.
            self.store.culture.keep_message(message.room_id, message.event_id, message.sender, message.body,
                                            message.timestamp)
        parsed = self.registry.parse(message.command_body)
        if parsed is None:
            for feature in self.features:
                feature.on_message(ctx)
            return
        if isinstance(parsed, UnknownCommand):
            hint = f" Did you mean {self.registry.prefix}{parsed.suggestion}?" if parsed.suggestion else ""
            ctx.reply(plain(f"I don't know {self.registry.prefix}{parsed.name}.{hint} ")
                      + plain("Send ") + code(f"{self.registry.prefix}help") + plain(" for the list."))
            return
        if isinstance(parsed, UsageError):
            ctx.reply(plain(f"{parsed.reason}. Usage: ") + code(parsed.command.usage(self.registry.prefix)))
            return
        self._invoke(ctx, parsed)

    def _invoke(self, ctx: Context, invocation: Invocation) -> None:
        command = invocation.command
        if ctx.room.kind not in command.rooms:
            where = " or ".join(_ROOM_NAMES[kind] for kind in sorted(command.rooms, key=lambda k: k.value))
            ctx.reply(plain(f"{self.registry.prefix}{command.name} works in {where}."))
            return
        if not ctx.may(command.role):
            ctx.reply(f"Sorry, only {_ROLE_NAMES[command.role]} can use "
                      f"{self.registry.prefix}{command.name}.")
            return
        if ctx.room.kind is not RoomKind.DIRECT:
            log.info("%s%s by %s in %s", self.registry.prefix, command.name, ctx.sender, ctx.room.room_id)
        command.handler(ctx, **invocation.args)

    def tick(self, now_ms: int, roles: Roles, views: dict[str, RoomView] | None = None) -> list[Action]:
        """Let features act on their timers; what they decide is queued like any other action."""
        ctx = Context(Tick.at(now_ms), RoomView("", RoomKind.OTHER), self.store, roles, self.registry,
                      self.bot_user_id, self.rooms, views or {}, self.features)
        for feature in self.features:
            try:
                with self.store.db.atomic():
                    feature.on_tick(ctx)
            except Exception:
                log.exception("A timer of %s failed", type(feature).__name__)
        self.store.enqueue(ctx.actions)
        return ctx.actions

    # -- invites --------------------------------------------------------------------------

    def on_invite(self, invite: Invite, configured_rooms: set[str], organizing_members: set[str]) -> list[Action]:
        """Join configured rooms, and direct chats opened by members of the organizing rooms."""
        if invite.room_id in configured_rooms:
            actions: list[Action] = [Join(invite.room_id)]
        elif invite.inviter in organizing_members:
            self.store.set_direct_chat(invite.inviter, invite.room_id)
            actions = [Join(invite.room_id)]
        else:
            log.info("Ignoring an invite to %s from %s, who is in no organizing room",
                     invite.room_id, invite.inviter)
            return []
        self.store.enqueue(actions)
        return actions
