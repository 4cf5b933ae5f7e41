"""On a homeserver with strict rate limits the bot waits as told and still answers everything once."""

from __future__ import annotations

import pytest

from scorebot.homeserver import LocalHomeserver
from tests.conftest import World
from tests.integration.test_runtime import replies


@pytest.fixture
def strict_server(tmp_path):
    server = LocalHomeserver(tmp_path / "strict", overrides={"rc_message": {"per_second": 1, "burst_count": 2}})
    server.start()
    yield server
    server.stop()


async def test_rate_limited_replies_wait_and_arrive_once(strict_server, tmp_path):
    world = World(strict_server, tmp_path)
    world.bot_user = strict_server.register("scorebot")
    try:
        alice = await world.member("alice")
        room = await alice.create_room("Organizing", (world.bot_user.user_id,))
        bot = world.bot(world.bot_config([room]))
        await bot.start_ready()
        await alice.member_joined(room, world.bot_user.user_id)
        asked = [await alice.send(room, "!help") for _ in range(5)]
        for event_id in asked:
            await alice.reply_to(room, event_id, world.bot_user.user_id, timeout=60)
        assert [replies(alice, room, world.bot_user.user_id, e) for e in asked] == [1] * 5
        assert "429" in bot.log() or "ratelimited" in bot.log()
    finally:
        for bot in world.bots:
            bot.stop()
        for member in world.members:
            await member.stop()
