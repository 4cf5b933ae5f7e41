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

from scorebot.conversations import continue_conversation
from scorebot.domain import command_words, keys, people_words
from scorebot.domain.actions import Action, Join, Leave, React, Redact, Send, SendDirect
from scorebot.domain.brigading import Watch
from scorebot.domain.commands import (
    CommandRegistry,
    Invocation,
    PersonArg,
    UnknownCommand,
    UsageError,
    UserArg,
)
from scorebot.domain.help import usage_answer
from scorebot.domain.people import resolve
from scorebot.domain.privacy import MOVED_HERE, NOT_A_GROUP_BOT, UNVERIFIED_SESSION, no_longer_private
from scorebot.domain.reactions import ReactionRegistry
from scorebot.domain.rooms import Role, Roles, RoomKind, RoomView
from scorebot.domain.signals import (
    BotRemoved,
    CallMembership,
    Invite,
    KeyWithheld,
    Membership,
    Message,
    NativeReport,
    Reaction,
    Redaction,
    Signal,
    Tick,
)
from scorebot.domain.stack import MeetingEvent, folded
from scorebot.domain.text import Text, code, plain
from scorebot.domain.unverified import tell_where_readable
from scorebot.inbound import Inbound
from scorebot.store import Store

log = logging.getLogger(__name__)

# Which feature hook hears each kind of signal (messages go through command parsing first).
_HOOKS = {
    Redaction: "on_redaction",
    NativeReport: "on_native_report",
    CallMembership: "on_call_membership",
    KeyWithheld: "on_key_withheld",
    BotRemoved: "on_bot_removed",
    Membership: "on_membership",
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

    def who(self, user_id: str) -> str:
        """A member as staff see them: "Name (@id)", or just the ID when there is no other name."""
        name = self.name_of(user_id)
        return f"{name} ({user_id})" if name != user_id else user_id

    def thread(self, kind: str) -> int | None:
        """The number of the case or report whose IGO-room thread this message was written in, or
        whose officers' room (see `readers.py`) it was written in."""
        root = getattr(self.signal, "thread_root", None)
        number = keys.number_in(self.store.key_of(root), kind) if root else None
        return number if number is not None else keys.number_in(self.store.made_for(self.room.room_id),
                                                                 f"{kind}-officers")

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

    def confirm(self, key: str = "✅") -> None:
        if self.moved_to_direct:
            self.direct(self.sender, f"{key} Done.")
        else:
            self.do(React(self.room.room_id, self.signal.event_id, key))

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


class Feature:
    """A part of the bot. It declares its commands and may look at every signal."""

    def register(self, registry: CommandRegistry) -> None:
        """Declare commands on the registry: by default, those declared on methods with `@command`."""
        registry.declare(self)

    def on_message(self, ctx: Context) -> bool | None:
        """A message that is not a command. Return True when this feature took it (see `answer_direct`)."""

    def answer_direct(self, ctx: Context) -> bool:
        """A direct message that no feature took: answer it here and return True, or leave it."""
        return False

    def is_private_text(self, said: str) -> bool:
        """Whether this plain text (as `domain.stack.folded` gives it) belongs in a direct chat only,
        like "priority on"."""
        return False

    def watch(self, ctx: Context) -> Watch | None:
        """Every message a member sends, whatever its form (a notice, a command, an edit), before it
        is routed: count it. A `Watch` back holds the bot's answers to a member who floods."""

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

    def on_call_membership(self, ctx: Context) -> None:
        """Someone's Element Call membership changed (`CallMembership`)."""

    def on_key_withheld(self, ctx: Context) -> None:
        """A member's app would not share a message's key with the bot (`KeyWithheld`)."""

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

    def on_meeting_event(self, ctx: Context, event: MeetingEvent, meeting_id: int) -> None:
        """Another feature announced something about a meeting (see `Context.announce`)."""


class Dispatcher:
    def __init__(self, store: Store, features: list[Feature], bot_user_id: str, prefix: str = "!",
                 rooms: dict[str, RoomKind] | None = None, edit_window_ms: int = 120_000):
        self.store = store
        self.rooms = rooms if rooms is not None else {}
        self.features = features
        self.bot_user_id = bot_user_id
        self.registry = CommandRegistry(prefix)
        self.reactions = ReactionRegistry()
        self.inbound = Inbound(features, edit_window_ms)
        for feature in features:
            feature.register(self.registry)
            self.reactions.declare(feature)

    def start(self) -> None:
        for feature in self.features:
            feature.on_start(self.store)

    # -- signals --------------------------------------------------------------------------

    def handle_all(self, signals: list[tuple[Signal, RoomView]], roles: Roles,
                   views: dict[str, RoomView] | None = None) -> list[Action]:
        """Decide on several signals in turn, in the one transaction `Store.run` opens: each still
        has its own "handled" mark, and a feature that fails is rolled back for its signal alone."""
        return [action for signal, room in signals for action in self.handle(signal, room, roles, views)]

    def handle(self, signal: Signal, room: RoomView, roles: Roles,
               views: dict[str, RoomView] | None = None) -> list[Action]:
        """Decide what `signal` leads to, once: a signal already handled leads to nothing."""
        if signal.sender == self.bot_user_id and not isinstance(signal, BotRemoved | Membership):
            return []  # the bot's own words; but a removal it carried out is news to the meeting
        if self.store.was_handled(signal.event_id):
            return []
        direct_member = self.store.direct_chat_user(room.room_id) if room.kind is RoomKind.OTHER else None
        if direct_member and room.holds_only(direct_member, self.bot_user_id):
            room = dataclasses.replace(room, kind=RoomKind.DIRECT)
        elif room.kind is RoomKind.OTHER and self.store.made_for(room.room_id):
            room = dataclasses.replace(room, kind=RoomKind.IGO)  # officers' room for one report or case
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
                ctx.reply(command_words.went_wrong(reference))
        self.store.enqueue(ctx.actions, signal.event_id)
        self.store.mark_handled(signal.event_id, room.room_id)
        return ctx.actions

    def _route(self, ctx: Context) -> None:
        signal = ctx.signal
        if ctx.room.kind is RoomKind.OTHER and not isinstance(signal, BotRemoved):
            if self.store.direct_chat_user(ctx.room.room_id):
                self._leave_shared_chat(ctx)
            return
        if isinstance(signal, Message):
            self._on_message(ctx, signal)
            return
        if isinstance(signal, Reaction):
            self.reactions.route(ctx, signal.key, signal.target_event_id, self.store.key_of)
            return
        if isinstance(signal, BotRemoved):
            self.store.room_left(signal.room_id, signal.timestamp)
        hook = _HOOKS.get(type(signal))
        for feature in self.features if hook else ():
            getattr(feature, hook)(ctx)

    def _on_message(self, ctx: Context, message: Message) -> None:
        """Every message takes the same way in (see `inbound`), then is routed."""
        parsed = self.registry.parse(message.command_body)
        private = ctx.room.kind is not RoomKind.DIRECT and self._is_private(parsed, message)
        self.inbound.keep(ctx, message, private)
        watch = self.inbound.watch(ctx)
        if message.is_notice:
            return  # notices are bots talking; answering them makes loops
        if message.replaces and not self.inbound.edit(ctx, message, parsed, private):
            return
        if not message.replaces:
            self.inbound.sent(ctx, message, parsed, private)
        if private:
            self._continue_privately(ctx, parsed)
            return
        decided = len(ctx.actions)
        self._answer(ctx, parsed)
        self.inbound.hold(ctx, watch, parsed, decided)

    def _answer(self, ctx: Context, parsed) -> None:
        if parsed is None:
            self._plain_message(ctx)
            return
        prefix = self.registry.prefix
        if isinstance(parsed, UnknownCommand):
            ctx.reply(command_words.one_more_word(prefix, parsed.name, parsed.group) if parsed.group
                      else command_words.unknown(prefix, parsed.name, parsed.suggestion))
            return
        if isinstance(parsed, UsageError):
            ctx.reply(self._usage(parsed))
            return
        self._invoke(ctx, parsed)

    def _usage(self, error: UsageError) -> Text:
        prefix = self.registry.prefix
        return usage_answer(error.command.name, error.command.usage(prefix), error.reason, prefix)

    def _plain_message(self, ctx: Context) -> None:
        taken = [feature.on_message(ctx) for feature in self.features]
        if ctx.room.kind is not RoomKind.DIRECT or any(taken):
            return
        if not continue_conversation(ctx, self.features) and not any(f.answer_direct(ctx) for f in self.features):
            prefix = self.registry.prefix
            ctx.reply(plain("I'm not sure what you mean, sorry. Here you can write ") + code("stack")
                      + plain(" to ask to speak in a meeting you're in, ") + code("priority on")
                      + plain(" or ") + code("priority off") + plain(", or ") + code(f"{prefix}report")
                      + plain(" to tell the Internal Grievance Officers something in confidence. ")
                      + code(f"{prefix}help") + plain(" lists everything."))

    def _is_private(self, parsed, message: Message) -> bool:
        """A command or text that belongs in a direct chat only (a report, a priority declaration)."""
        if isinstance(parsed, Invocation | UsageError):
            return parsed.command.private
        said = folded(message.body)
        return parsed is None and any(feature.is_private_text(said) for feature in self.features)

    def _continue_privately(self, ctx: Context, parsed) -> None:
        """Take a private word out of a shared room and go on with it in the sender's direct chat."""
        ctx.do(Redact(ctx.room.room_id, ctx.signal.event_id, "moved to a private chat"))  # it names no one
        ctx.direct(ctx.sender, MOVED_HERE)
        private = ctx.privately()
        if isinstance(parsed, Invocation):
            self._invoke(private, parsed)
        elif isinstance(parsed, UsageError):
            private.reply(self._usage(parsed))
        else:
            for feature in self.features:
                feature.on_message(private)

    def _leave_shared_chat(self, ctx: Context) -> None:
        """A direct chat someone else joined is private no more: say so once, forget it, and leave."""
        self.store.forget_direct_chat(ctx.room.room_id)
        ctx.do(Send(ctx.room.room_id, no_longer_private()), Leave(ctx.room.room_id))

    def _invoke(self, ctx: Context, invocation: Invocation) -> None:
        command = invocation.command
        if ctx.room.kind not in command.rooms:
            ctx.reply(command_words.works_in(self.registry.prefix, command.name, command.rooms))
            return
        if not ctx.may(command.role):
            ctx.reply(command_words.only_for(self.registry.prefix, command.name, command.role))
            return
        if ctx.signal.unsigned_device and command.role is not Role.MEMBER:
            ctx.reply(UNVERIFIED_SESSION)
            ctx.do(*tell_where_readable(ctx.sender, ctx.name_of(ctx.sender), ctx.room.kind, ctx.views))
            return
        args = self._find_people(ctx, invocation)
        if args is None:
            return
        for need in command.needs:  # a running meeting, the current turn: checked here, said once
            found = need.find(ctx)
            if found is None:
                ctx.reply(need.refusal)
                return
            args[need.key] = found
        if ctx.room.kind is not RoomKind.DIRECT and not command.private:
            log.info("%s%s by %s in %s", self.registry.prefix, command.name, ctx.sender, ctx.room.room_id)
        command.handler(ctx, **args)

    def _find_people(self, ctx: Context, invocation: Invocation) -> dict[str, object] | None:
        """The command's arguments with each person named as people type them turned into their
        Matrix ID (or, for a "Name" with no account, that name); or None, having asked which one."""
        args = dict(invocation.args)
        members = ctx.known_people()
        for arg in invocation.command.args:
            typed = args.get(arg.key)
            if isinstance(arg, UserArg | PersonArg) and isinstance(typed, str):
                found = resolve(typed, members, quoted_may_be_anyone=isinstance(arg, PersonArg))
                refusal = people_words.answer(found, members)
                if refusal is not None:
                    ctx.reply(refusal)
                    return None
                args[arg.key] = found.user_id or found.name
        return args

    def tick(self, now_ms: int, roles: Roles, views: dict[str, RoomView] | None = None) -> list[Action]:
        """Let features act on their timers; what they decide is queued like any other action."""
        ctx = Context(Tick.at(now_ms), RoomView("", RoomKind.OTHER), self.store, roles, self.registry,
                      self.bot_user_id, self.rooms, views or {}, self.features)
        for feature in self.features:
            decided = len(ctx.actions)
            try:
                with self.store.db.atomic():
                    feature.on_tick(ctx)
            except Exception:
                log.exception("A timer of %s failed", type(feature).__name__)
                del ctx.actions[decided:]  # rolled back with its state: nothing of it goes out
        self.store.enqueue(ctx.actions)
        return ctx.actions

    # -- invites --------------------------------------------------------------------------

    def on_invite(self, invite: Invite, configured_rooms: set[str], members: set[str]) -> list[Action]:
        """Join configured rooms, and direct chats opened by `members` (of the organization's rooms).

        An invite to any other room from a member is declined kindly: the bot joins, says why, and
        leaves. Whether a direct chat really holds only that member is checked at every event and
        before every private message, since an invite cannot show who else is in the room."""
        if invite.room_id in configured_rooms:
            actions: list[Action] = [Join(invite.room_id)]
        elif invite.inviter not in members:
            log.info("Ignoring an invite to %s from %s, who is in none of the organization's rooms",
                     invite.room_id, invite.inviter)
            return []
        elif invite.is_direct:
            self.store.set_direct_chat(invite.inviter, invite.room_id)
            actions = [Join(invite.room_id)]
        else:
            actions = [Join(invite.room_id), Send(invite.room_id, plain(NOT_A_GROUP_BOT)), Leave(invite.room_id)]
        self.store.enqueue(actions)
        return actions
