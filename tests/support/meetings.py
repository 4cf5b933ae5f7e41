"""Meetings on a real homeserver: an organizing room with the bot running in it, and reading its board."""

from __future__ import annotations

import re

from tests.conftest import World
from tests.support.members import Member

CALL_MEMBER = "org.matrix.msc3401.call.member"


def queue(board: str) -> list[str]:
    return [line.split(". ", 1)[1] for line in board.splitlines() if re.match(r"^\d+\. ", line)]


def speaker(board: str) -> str | None:
    match = re.search(r"^🎤 Speaking: (.+)$", board, re.MULTILINE)
    return match.group(1) if match else None


async def organizing(world: World, *names: str, **bot_config):
    """alice (who creates the room, and so moderates) and members; the bot is running in the room."""
    alice = await world.member("alice")
    members = [await world.member(name) for name in names]
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, *(m.user_id for m in members)),
                                   power={bot_id: 100}, event_power={CALL_MEMBER: 0})
    for member in members:
        await member.join(room)
    config = world.bot_config([room])
    config.update(bot_config)
    bot = world.bot(config)
    await bot.start_ready()
    await alice.member_joined(room, bot_id)
    return alice, members, room, bot


async def start_meeting(alice: Member, room: str, bot_id: str, title: str = "Budget") -> str:
    started = await alice.send(room, f"!meeting start {title}")
    await alice.board_shows(room, bot_id, lambda board: f"Stack · {title}" in board)
    return started


def name(member: Member) -> str:
    return member.user_id[1:].split(":")[0]


async def meeting_room(world: World, *, encrypted: bool = False, **config):
    """alice creates an organizing room with bob in it; the bot is invited and started."""
    alice = await world.member("alice")
    bob = await world.member("bob")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, bob.user_id), encrypted=encrypted,
                                   power={bot_id: 100})
    await bob.join(room)
    bot = world.bot({**world.bot_config([room]), **config})
    await bot.start_ready()
    await alice.member_joined(room, bot_id)
    return alice, bob, room, bot


def replies(member, room: str, bot_id: str, event_id: str) -> int:
    """How many of the bot's notices in `room` answer `event_id`, as `member` has seen them."""
    return sum(1 for s in member.notices(room, bot_id) if s.reply_to == event_id)
