"""Rate limits are the normal case: on a homeserver with Synapse's own default limits for the bot
(no exemption), a storm of hands neither floods the room nor starves the facilitator or a report."""

from __future__ import annotations

import asyncio
import time
import urllib.parse

import pytest

from scorebot.homeserver import LocalHomeserver
from tests.conftest import World
from tests.support.meetings import CALL_MEMBER, name, queue, replies, speaker

SYNAPSE_DEFAULT = {"per_second": 0.2, "burst_count": 10}  # Synapse's rc_message when not configured
HANDS = ["✋", "✋🏻", "✋🏼", "✋🏽", "✋🏾", "✋🏿", "🙋", "🙋🏻", "🙋🏼", "🙋🏽"]
WORDS = "she shouted at me in the hallway"


@pytest.fixture
def strict_server(tmp_path):
    server = LocalHomeserver(tmp_path / "strict", overrides={"rc_message": SYNAPSE_DEFAULT})
    server.start()
    yield server
    server.stop()


async def limited_world(server: LocalHomeserver, tmp_path) -> World:
    world = World(server, tmp_path)
    world.bot_user = server.register(world.name("scorebot"))
    return world


def exempt(server: LocalHomeserver, *user_ids: str) -> None:
    """The members (not the bot) are exempted, as the README tells admins to exempt the bot."""
    admin = server.register(f"admin-{time.monotonic_ns()}", admin=True)
    for user_id in user_ids:
        server.client_request(admin.access_token, "POST",
                              f"/_synapse/admin/v1/users/{urllib.parse.quote(user_id)}/override_ratelimit",
                              {"messages_per_second": 0, "burst_count": 0})


async def seen(member, event_id: str):
    return await member.wait_for(lambda s: s.event_id == event_id, what=f"{event_id} itself")


def sent_at(seen) -> int:
    return seen.event.server_timestamp


async def stop(world: World) -> None:
    for bot in world.bots:
        bot.stop()
    for member in world.members:
        await member.stop()


async def test_rate_limited_replies_wait_and_arrive_once(strict_server, tmp_path):
    world = await limited_world(strict_server, tmp_path)
    try:
        alice = await world.member("alice")
        exempt(strict_server, alice.user_id)
        room = await alice.create_room("Organizing", (world.bot_user.user_id,))
        bot = world.bot(world.bot_config([room]))
        await bot.start_ready()
        await alice.member_joined(room, world.bot_user.user_id)
        asked = [await alice.send(room, "!help") for _ in range(15)]  # more than the bot's burst of 10
        for event_id in asked:
            await alice.reply_to(room, event_id, world.bot_user.user_id, timeout=90)
        assert [replies(alice, room, world.bot_user.user_id, e) for e in asked] == [1] * 15
    finally:
        await stop(world)


async def test_a_storm_of_hands_starves_neither_the_facilitator_nor_a_report(strict_server, tmp_path):
    world = await limited_world(strict_server, tmp_path)
    try:
        bot_id = world.bot_user.user_id
        alice, rita, eve, ida = [await world.member(n) for n in ("alice", "rita", "eve", "ida")]
        exempt(strict_server, alice.user_id, rita.user_id, eve.user_id, ida.user_id)
        room = await alice.create_room("Organizing", (bot_id, rita.user_id, eve.user_id),
                                       power={bot_id: 100}, event_power={CALL_MEMBER: 0})
        mods = await alice.create_room("Moderators", (bot_id,), power={bot_id: 100})
        igo = await alice.create_room("IGO", (bot_id, ida.user_id), power={bot_id: 100})
        for member, joined in ((rita, room), (eve, room), (ida, igo)):
            await member.join(joined)
        bot = world.bot(world.bot_config([room], moderators=mods, igo=igo))
        await bot.start_ready()
        for joined in (room, mods, igo):
            await alice.member_joined(joined, bot_id)
        direct = await rita.open_direct_chat(bot_id)
        # The meeting's members arrive later (the bot joined its rooms long before a real meeting).
        storm = [await world.member(f"m{n}") for n in range(8)]
        exempt(strict_server, *(m.user_id for m in storm))
        for member in storm:
            await alice.client.room_invite(room, member.user_id)
            await member.join(room)
        started = await alice.send(room, "!meeting start Budget")
        await alice.board_shows(room, bot_id, lambda board: "Stack · Budget" in board, timeout=60)

        async def hands(member):
            for hand in HANDS:
                await member.react(room, started, hand)

        storming = asyncio.gather(*(hands(member) for member in storm))  # 80 hand reactions
        await alice.wait_until(lambda: sum(s.room_id == room and s.sender in {m.user_id for m in storm}
                                           for s in alice.seen) >= 20, what="the storm under way")
        report = await rita.send(direct, f"!report {eve.user_id} {WORDS}")
        asked = await alice.send(room, "!next")
        floor = await alice.wait_for(lambda s: s.room_id == room and s.sender == bot_id
                                     and "you have the floor" in s.body, timeout=30, what="the floor given")
        root = await ida.wait_for(lambda s: s.room_id == igo and s.sender == bot_id and s.body.startswith("Report #1 "),
                                  timeout=30, what="the report's thread")
        words = await ida.wait_for(lambda s: s.room_id == igo and WORDS in s.body
                                   and (s.content.get("m.relates_to") or {}).get("event_id") == root.event_id,
                                   timeout=30, what="the report's words in its thread")
        # The homeserver's own clock: when each was sent, and when the bot's answer was.
        assert sent_at(floor) - sent_at(await seen(alice, asked)) < 10_000, "!next waited behind the storm"
        assert sent_at(words) - sent_at(await seen(rita, report)) < 10_000, "the report waited behind the storm"
        await storming

        # The storm settles: everyone on the board, the one called speaking (and back on the stack, if the
        # storm raised their hand again after !next).
        everyone = sorted(name(member) for member in storm)

        def settled(board: str) -> bool:
            current = speaker(board)
            return current is not None and current in floor.body and sorted({current, *queue(board)}) == everyone

        await alice.board_shows(room, bot_id, settled, timeout=90)
        # Each member was confirmed once: the ✅ on what they reacted to, no notice for any repeat.
        await alice.reply_to(room, await alice.send(room, "!help"), bot_id, timeout=60)  # the room's lane is through
        assert alice.checks(room, bot_id, started) == 1
        assert not [s for s in alice.notices(room, bot_id) if "already on the stack" in s.body]
    finally:
        await stop(world)
