"""The runtime on a real homeserver: answers, encryption, bad input, crashes and outages."""

from __future__ import annotations

import asyncio

from nio import RoomMessageNotice

from tests.conftest import World


async def meeting_room(world: World, *, encrypted: bool = False):
    """alice creates an organizing room with bob in it; the bot is invited and started."""
    alice = await world.member("alice")
    bob = await world.member("bob")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, bob.user_id), encrypted=encrypted,
                                   power={bot_id: 100})
    await bob.join(room)
    bot = world.bot(world.bot_config([room]))
    await bot.start_ready()
    await alice.member_joined(room, bot_id)
    return alice, bob, room, bot


async def test_help_is_answered_with_a_notice(world: World):
    alice, bob, room, _ = await meeting_room(world)
    asked = await bob.send(room, "!help")
    answer = await bob.reply_to(room, asked, world.bot_user.user_id)
    assert isinstance(answer.event, RoomMessageNotice)
    assert "!help" in answer.body
    assert answer.content["format"] == "org.matrix.custom.html"


async def test_unknown_command_gets_a_short_hint(world: World):
    _, bob, room, _ = await meeting_room(world)
    asked = await bob.send(room, "!foo")
    answer = await bob.reply_to(room, asked, world.bot_user.user_id)
    assert "!foo" in answer.body and "!help" in answer.body
    assert len(answer.body) < 200


async def test_ordinary_chat_gets_no_answer(world: World):
    _, bob, room, _ = await meeting_room(world)
    chat = await bob.send(room, "hello everyone, ! and help are just words here")
    marker = await bob.send(room, "!help")
    await bob.reply_to(room, marker, world.bot_user.user_id)
    assert not [s for s in bob.notices(room, world.bot_user.user_id) if s.reply_to == chat]


async def test_encrypted_room_is_read_and_answered_encrypted(world: World):
    _, bob, room, _ = await meeting_room(world, encrypted=True)
    asked = await bob.send(room, "!help")
    answer = await bob.reply_to(room, asked, world.bot_user.user_id, timeout=30)
    assert answer.source["type"] == "m.room.message"
    assert getattr(answer.event, "decrypted", False), "the reply should have arrived encrypted"
    assert "!help" in answer.body
