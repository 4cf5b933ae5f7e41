"""Brigading and floods (code of conduct, behaviour 8), as pure rules: when to alert, never what to do.

A wave of joins, a flood of messages or a mass mention gives one alert to the moderators; people
decide. Users of bridges (by their user ID namespace) never count: a bridge restarting is not a
brigade. Nothing here talks to Matrix or a database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class Join:
    user_id: str
    at: int
    inviter: str | None = None


@dataclass(frozen=True)
class Rules:
    wave_joins: int = 10
    wave_ms: int = 600_000
    flood_messages: int = 10
    flood_ms: int = 10_000
    max_mentions: int = 10
    ignore: tuple[re.Pattern, ...] = field(default=())

    def ignored(self, user_id: str) -> bool:
        return any(pattern.fullmatch(user_id) for pattern in self.ignore)


@dataclass(frozen=True)
class Wave:
    """One wave of joins in a room, alerted once; later joins in it are added to that alert."""

    id: int
    room_id: str
    joins: tuple[Join, ...]

    @property
    def last_join_at(self) -> int:
        return max(join.at for join in self.joins)


class WaveStep(Enum):
    NOTHING = "nothing"
    NEW = "a new wave: alert"
    GROWS = "the open wave grows: edit its alert"


def on_join(rules: Rules, join: Join, recent: list[Join], open_wave: Wave | None) -> tuple[WaveStep, tuple[Join, ...]]:
    """What a join means, given the room's recent joins (this one included) and its open wave.

    Returns the step and the joins the wave's alert should list."""
    if rules.ignored(join.user_id):
        return WaveStep.NOTHING, ()
    if open_wave is not None and join.at - open_wave.last_join_at <= rules.wave_ms:
        if any(j.user_id == join.user_id for j in open_wave.joins):
            return WaveStep.NOTHING, open_wave.joins
        return WaveStep.GROWS, (*open_wave.joins, join)
    counted = tuple(j for j in recent if join.at - rules.wave_ms <= j.at <= join.at and not rules.ignored(j.user_id))
    distinct = tuple({j.user_id: j for j in counted}.values())
    if len(distinct) >= rules.wave_joins:
        return WaveStep.NEW, distinct
    return WaveStep.NOTHING, ()


def is_flood(rules: Rules, message_times: list[int], now: int) -> bool:
    """More than `flood_messages` messages from one member within `flood_ms`, this one included."""
    return sum(1 for at in message_times if now - rules.flood_ms < at <= now) > rules.flood_messages


def starts_a_burst(rules: Rules, now: int, last_flood_at: int | None) -> bool:
    """A flood is one burst while it keeps going: a new alert only after a quiet `flood_ms`."""
    return last_flood_at is None or now - last_flood_at > rules.flood_ms


def is_mass_mention(rules: Rules, mentioned: tuple[str, ...]) -> bool:
    return len(set(mentioned)) > rules.max_mentions


@dataclass(frozen=True)
class Watch:
    """What the flood check found about a member's message: whether they are flooding, and the
    window within which the bot answers them at most once while they do."""

    flooding: bool
    window_ms: int


def hold_answer(watch: Watch, now: int, last: tuple[int, str] | None, said: str, unknown: bool) -> bool:
    """Whether to leave an answer unsent, given the bot's last answer to the member (when, what):
    while they flood, every answer after the first in a window; otherwise, to a command the bot
    does not know, an answer that repeats the last one within the window (ten `!look` get one "I
    don't know", before the tenth makes a flood)."""
    if last is None or now - last[0] > watch.window_ms:
        return False
    return watch.flooding or (unknown and last[1] == said)
