"""Brigading and floods: a wave of newcomers, a flood or a mass mention alerts the moderators once.

The bot alerts and, if the config asks, locks invitations; it never removes anyone. Moderators
decide, with the usual ladder. Alerts name people and link to messages, and never quote a report
or a direct chat.
"""

from __future__ import annotations

import re

from scorebot.config import BrigadingConfig
from scorebot.context import Context
from scorebot.domain import brigading_words as words
from scorebot.domain import keys
from scorebot.domain.actions import Edit, Send, SetInviteLevel, join_rule
from scorebot.domain.brigading import (
    Rules,
    Watch,
    Wave,
    WaveStep,
    is_flood,
    is_mass_mention,
    on_join,
    starts_a_burst,
)
from scorebot.domain.commands import Arg, command
from scorebot.domain.minutes import clock
from scorebot.domain.rooms import ORGANIZING, Role, RoomKind, RoomView
from scorebot.domain.signals import Membership, Message
from scorebot.domain.text import Text, message_link, pill
from scorebot.feature import Feature
from scorebot.store.brigading import brigading
from scorebot.store.culture import culture

JOINS_KEPT_MS = 90 * 24 * 3600 * 1000  # how long a join is remembered (for a ballot's membership age)


class Brigading(Feature):
    def __init__(self, config: BrigadingConfig | None = None, moderator_level: int = 50, timezone: str = "UTC"):
        config = config or BrigadingConfig()
        self.rules = Rules(config.join_wave_joins, int(config.join_wave_seconds * 1000), config.flood_messages,
                           int(config.flood_seconds * 1000), config.max_mentions,
                           tuple(re.compile(pattern) for pattern in config.ignore_users))
        self.lock_on_wave = config.lock_on_wave
        self.moderator_level = moderator_level
        self.timezone = timezone

    # -- waves of joins ----------------------------------------------------------------------------

    def on_membership(self, ctx: Context) -> None:
        change: Membership = ctx.signal
        if ctx.room.kind is not RoomKind.ORGANIZING:
            return
        if change.membership == "invite":
            brigading.invited(ctx.room.room_id, change.user_id, change.sender, change.timestamp)
            return
        if change.membership != "join" or change.previous == "join":
            return
        now = change.timestamp
        brigading.forget_before(now - 2 * self.rules.wave_ms, now - JOINS_KEPT_MS)
        joined = brigading.joined(ctx.room.room_id, change.user_id, now)
        wave = brigading.latest_wave(ctx.room.room_id)
        recent = brigading.joins_since(ctx.room.room_id, now - self.rules.wave_ms)
        step, joins = on_join(self.rules, joined, recent, wave)
        moderators = ctx.room_of(RoomKind.MODERATORS)
        if step is WaveStep.NOTHING or moderators is None:
            return
        if step is WaveStep.GROWS:
            wave = brigading.grow_wave(wave.id, joins)
            locked = brigading.lock_of(wave.room_id) is not None
            ctx.do(Edit(moderators, keys.wave(wave.id), self._alert(ctx, wave, locked)))
            return
        wave = brigading.new_wave(ctx.room.room_id, joins)
        locked = self.lock_on_wave and brigading.lock_of(wave.room_id) is None
        if locked:
            self._lock(ctx, wave)
        ctx.do(Send(moderators, self._alert(ctx, wave, locked), remember=keys.wave(wave.id)))

    def _lock(self, ctx: Context, wave: Wave) -> None:
        room = ctx.room
        brigading.locked(wave.id, room.power_levels.invite, room.join_rule)
        ctx.do(SetInviteLevel(room.room_id, max(self.moderator_level, room.power_levels.invite)))
        if room.join_rule in ("public", "knock", "knock_restricted"):
            ctx.do(join_rule(room.room_id, "invite"))

    def _alert(self, ctx: Context, wave: Wave, locked: bool) -> Text:
        room = ctx.views.get(wave.room_id) or ctx.room
        minutes = max(1, round((wave.last_join_at - wave.joins[0].at) / 60_000))
        joins = [words.newcomer(pill(found.user_id, ctx.name_of(found.user_id)),
                                pill(found.inviter, ctx.name_of(found.inviter)) if found.inviter else None,
                                clock(found.at, self.timezone)) for found in wave.joins]
        return words.wave(room.name or room.room_id, minutes, joins, locked)

    @command("unlock", Arg("room", optional=True), role=Role.MODERATOR,
             rooms=ORGANIZING | frozenset({RoomKind.MODERATORS}),
             help="Put invitations back as they were before a wave locked them: here, or in the moderators' room "
                  "as !unlock ROOM (its name or ID).")
    def unlock(self, ctx: Context, room: str | None) -> None:
        target = self._room(ctx, room)
        if target is None:
            return
        lock = brigading.lock_of(target.room_id)
        if lock is None:
            ctx.reply(words.not_locked(target.name or target.room_id))
            return
        _, invite_level, previous_rule = lock
        brigading.unlocked(target.room_id, ctx.signal.timestamp)
        ctx.do(SetInviteLevel(target.room_id, invite_level))
        if previous_rule != target.join_rule:
            ctx.do(join_rule(target.room_id, previous_rule))
        ctx.reply(words.unlocked(target.name or target.room_id))

    def _room(self, ctx: Context, name: str | None) -> RoomView | None:
        if ctx.room.kind is RoomKind.ORGANIZING and not name:
            return ctx.room
        rooms = [v for v in ctx.views.values() if v.kind is RoomKind.ORGANIZING]
        found = [v for v in rooms if name and name.strip().casefold() in (v.room_id.casefold(),
                                                                            (v.name or "").casefold())]
        if len(found) != 1:
            ctx.reply(words.which_room([v.name or v.room_id for v in rooms]))
            return None
        return found[0]

    # -- floods and mass mentions --------------------------------------------------------------------

    def watch(self, ctx: Context) -> Watch | None:
        """Every message, whatever its form: a command, a notice and an edit count as much as text."""
        message: Message = ctx.signal
        moderators = ctx.room_of(RoomKind.MODERATORS)
        if ctx.room.kind is not RoomKind.ORGANIZING or moderators is None or self.rules.ignored(message.sender):
            return None
        now, room_id = message.timestamp, ctx.room.room_id
        where = ctx.room.name or room_id
        who = pill(message.sender, ctx.name_of(message.sender))
        since = now - self.rules.flood_ms
        flooding = is_flood(self.rules, culture.message_times(room_id, message.sender, since), now)
        if flooding:
            if starts_a_burst(self.rules, now, brigading.last_flood(room_id, message.sender)):
                first = culture.first_message_since(room_id, message.sender, since)
                link = message_link(room_id, first.event_id if first else message.event_id, "the first message")
                ctx.do(Send(moderators, words.flood(who, self.rules.flood_messages, self.rules.flood_ms // 1000,
                                                    where, link)))
            brigading.flooding(room_id, message.sender, now)
        if is_mass_mention(self.rules, message.mentions):
            link = message_link(room_id, message.replaces or message.event_id, "the message")
            ctx.do(Send(moderators, words.mass_mention(who, len(set(message.mentions)), where, link)))
        return Watch(flooding, self.rules.flood_ms)
