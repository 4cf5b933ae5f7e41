"""A marker: a point a test can await after which nothing earlier is still on its way.

The bot handles a room's events in order (invites at the start of each sync) and its answers in a
room go out in order, so once a `!help` sent now is answered, everything sent to that room before
it has been dealt with, and any answer to it (a duplicate too) has come before this one.
"""

from __future__ import annotations

from tests.support.members import Member


async def caught_up(member: Member, room: str, bot_id: str, timeout: float = 30) -> None:
    """Until the bot has answered a `!help` that `member` sends to `room` now."""
    marker = await member.send(room, "!help")
    await member.reply_to(room, marker, bot_id, timeout=timeout)
