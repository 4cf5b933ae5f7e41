"""The one place a signal becomes decisions: each is handled once, and routed to the features.

`Dispatcher.handle` runs inside a store transaction (see `Store.run`): what a feature changes, the
actions it asks for and the "handled" mark on the event are committed together, so a crash either
keeps all of them or none. When a feature raises, the signal's handling is rolled back, for every
feature, and the person gets a short apology with a reference that matches the log line (at a
tick, only the feature that raised is rolled back).

Messages go on to `message_route` (commands, private words, plain messages); reactions to the
feature that declared their emoji (`domain.reactions`); other signals to the feature hook named in
`_HOOKS`. What a feature sees is a `Context` (`context.py`); what it may declare is a `Feature`
(`feature.py`).
"""

from __future__ import annotations

import dataclasses
import logging
import secrets

from scorebot.context import Context
from scorebot.domain import command_words
from scorebot.domain.actions import Action, Join, Leave
from scorebot.domain.commands import CommandRegistry
from scorebot.domain.privacy import NOT_A_GROUP_BOT, no_longer_private
from scorebot.domain.reactions import ReactionRegistry
from scorebot.domain.rooms import Roles, RoomKind, RoomView
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
from scorebot.domain.text import plain
from scorebot.feature import Feature
from scorebot.message_route import MessageRoute
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


class Dispatcher:
    def __init__(self, store: Store, features: list[Feature], bot_user_id: str, prefix: str = "!",
                 rooms: dict[str, RoomKind] | None = None, edit_window_ms: int = 120_000):
        self.store = store
        self.rooms = rooms if rooms is not None else {}
        self.features = features
        self.bot_user_id = bot_user_id
        self.registry = CommandRegistry(prefix)
        self.reactions = ReactionRegistry()
        self.messages = MessageRoute(self.registry, features, edit_window_ms)
        for feature in features:
            feature.register(self.registry)
            self.reactions.declare(feature)

    def start(self) -> None:
        for feature in self.features:
            feature.on_start()

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
        ctx = Context(signal, room, roles, self.registry, self.bot_user_id, self.rooms,
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
        self.store.note_handled(signal.event_id, room.room_id)
        return ctx.actions

    def _route(self, ctx: Context) -> None:
        signal = ctx.signal
        if ctx.room.kind is RoomKind.OTHER and not isinstance(signal, BotRemoved):
            if self.store.direct_chat_user(ctx.room.room_id):
                self._leave_shared_chat(ctx)
            return
        if isinstance(signal, Message):
            self.messages.on_message(ctx, signal)
            return
        if isinstance(signal, Reaction):
            self.reactions.route(ctx, signal.emoji, signal.target_event_id, self.store.key_of)
            return
        if isinstance(signal, BotRemoved):
            self.store.room_left(signal.room_id, signal.timestamp)
        hook = _HOOKS.get(type(signal))
        for feature in self.features if hook else ():
            getattr(feature, hook)(ctx)

    def _leave_shared_chat(self, ctx: Context) -> None:
        """A direct chat someone else joined is private no more: say so once, forget it, and leave."""
        self.store.forget_direct_chat(ctx.room.room_id)
        ctx.do(Leave(ctx.room.room_id, no_longer_private()))

    def tick(self, now_ms: int, roles: Roles, views: dict[str, RoomView] | None = None) -> list[Action]:
        """Let features act on their timers; what they decide is queued like any other action."""
        ctx = Context(Tick.at(now_ms), RoomView("", RoomKind.OTHER), roles, self.registry,
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
            actions = [Join(invite.room_id), Leave(invite.room_id, plain(NOT_A_GROUP_BOT))]
        self.store.enqueue(actions)
        return actions
