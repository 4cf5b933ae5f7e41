"""Brigading and floods on a real homeserver: one alert per wave or burst, invitations locked and
unlocked, bridges ignored, and no second alert after a restart."""

from __future__ import annotations

import urllib.parse

from nio import ErrorResponse

from scorebot.homeserver import SERVER_NAME, RegisteredUser
from tests.conftest import World
from tests.support.members import Member

BRIGADING = {"join_wave_joins": 5, "join_wave_seconds": 600, "flood_messages": 6, "flood_seconds": 10,
             "max_mentions": 10, "ignore_users": ["@bridge_.*"]}


async def setting(world: World, lock: bool = False):
    alice, maya = await world.member("alice"), await world.member("maya")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, maya.user_id), power={bot_id: 100, maya.user_id: 50})
    mods = await alice.create_room("Moderators", (bot_id, maya.user_id), power={bot_id: 100})
    for joined in (room, mods):
        await maya.join(joined)
    config = world.bot_config([room], moderators=mods)
    config["brigading"] = {**BRIGADING, "lock_on_wave": lock}
    bot = world.bot(config)
    await bot.start_ready()
    for joined in (room, mods):
        await alice.member_joined(joined, bot_id)
    return alice, maya, room, mods, bot


async def invite(world: World, inviter: Member, room: str, base: str) -> RegisteredUser:
    user = world.server.register(world.name(base))
    answer = await inviter.client.room_invite(room, user.user_id)
    assert not isinstance(answer, ErrorResponse), answer
    return user


def join(world: World, user: RegisteredUser, room: str) -> str:
    """Someone joins with nothing but the API (no app of their own)."""
    world.server.client_request(user.access_token, "POST", f"/_matrix/client/v3/join/{urllib.parse.quote(room)}", {})
    return user.user_id


async def arrive(world: World, inviter: Member, room: str, base: str) -> str:
    return join(world, await invite(world, inviter, room, base), room)


def alerts(maya: Member, mods: str, bot_id: str, kind: str) -> list:
    return [s for s in maya.notices(mods, bot_id) if s.body.startswith(f"⚠️ {kind}")]


async def settled(maya: Member, room: str, bot_id: str) -> None:
    """A round trip through the bot: everything before it has been handled."""
    asked = await maya.send(room, "!help")
    await maya.reply_to(room, asked, bot_id, timeout=20)


def invite_level(world: World, alice: Member, room: str) -> int:
    levels = world.server.client_request(alice.user.access_token, "GET",
                                         f"/_matrix/client/v3/rooms/{urllib.parse.quote(room)}/state/m.room.power_levels")
    return levels.get("invite", 0)


async def test_a_wave_alerts_once_locks_invitations_and_survives_a_restart(world: World):
    alice, maya, room, mods, bot = await setting(world, lock=True)
    bot_id = world.bot_user.user_id
    for n in range(3):  # ordinary arrivals
        await arrive(world, alice, room, f"newcomer{n}")
    await settled(maya, room, bot_id)
    assert alerts(maya, mods, bot_id, "A wave") == []
    assert invite_level(world, alice, room) == 0

    mallory = await world.member("mallory")
    await alice.client.room_invite(room, mallory.user_id)
    await mallory.join(room)
    invited = [await invite(world, mallory, room, f"brigade{n}") for n in range(7)]  # a brigade is invited
    brigade = [join(world, user, room) for user in invited[:4]]
    [alert] = await maya.wait_until(lambda: alerts(maya, mods, bot_id, "A wave"), what="the wave's alert", timeout=30)
    assert mallory.user_id in str(alert.source) and "locked invitations" in alert.body
    assert invite_level(world, alice, room) >= 50

    bot.kill()  # in the middle of the wave
    brigade += [join(world, user, room) for user in invited[4:]]
    await bot.start_ready()

    def latest() -> str:
        edits = [s.content["m.new_content"]["body"] for s in maya.notices(mods, bot_id)
                 if (s.content.get("m.relates_to") or {}).get("event_id") == alert.event_id]
        return edits[-1] if edits else alert.body

    await maya.wait_until(lambda: all(user.split(":")[0].lstrip("@") in latest() for user in brigade),
                          what="every newcomer in the alert", timeout=30)
    await settled(maya, room, bot_id)
    assert len(alerts(maya, mods, bot_id, "A wave")) == 1  # one wave, one alert, across the restart

    unlock = await maya.send(mods, "!unlock Organizing")
    answer = await maya.reply_to(mods, unlock, bot_id, timeout=20)
    assert "back as they were" in answer.body
    await maya.wait_until(lambda: invite_level(world, alice, room) == 0, what="the old invite level")


async def test_floods_and_mass_mentions_alert_once_and_bridges_never(world: World):
    alice, maya, room, mods, _ = await setting(world)
    bot_id = world.bot_user.user_id
    eve, bob = await world.member("eve"), await world.member("bob")
    for member in (eve, bob):
        await alice.client.room_invite(room, member.user_id)
        await member.join(room)
    for n in range(12):
        await eve.send(room, f"spam {n}")
    for n in range(3):
        await bob.send(room, f"an ordinary thought, number {n}")
    await settled(maya, room, bot_id)
    [flood] = await maya.wait_until(lambda: alerts(maya, mods, bot_id, "A flood"), what="the flood alert")
    assert eve.user_id in str(flood.source) and bob.user_id not in str(flood.source)

    everyone = [f"@person{n}:{SERVER_NAME}" for n in range(11)]
    await bob.send(room, "look, all of you", extra={"m.mentions": {"user_ids": everyone}})
    for n in range(20):
        await arrive(world, alice, room, f"bridge_{n}")
    await settled(maya, room, bot_id)
    [mention] = await maya.wait_until(lambda: alerts(maya, mods, bot_id, "A mass mention"), what="the mention alert")
    assert bob.user_id in str(mention.source) and "11 people" in mention.body
    assert len(alerts(maya, mods, bot_id, "A flood")) == 1
    assert alerts(maya, mods, bot_id, "A wave") == []


async def test_commands_and_notices_flood_and_mention_as_text_does_and_a_flood_is_not_fed(world: World):
    alice, maya, room, mods, _ = await setting(world)
    bot_id = world.bot_user.user_id
    eve, bob, cal = await world.member("eve"), await world.member("bob"), await world.member("cal")
    for member in (eve, bob, cal):
        await alice.client.room_invite(room, member.user_id)
        await member.join(room)
    commands = [await eve.send(room, f"!look at this {n}") for n in range(10)]
    notices = [await bob.send(room, f"a bot-like line {n}", msgtype="m.notice") for n in range(10)]
    everyone = [f"@person{n}:{SERVER_NAME}" for n in range(11)]
    loud = {"m.mentions": {"user_ids": everyone}}
    as_notice = await cal.send(room, "hear me, all of you", msgtype="m.notice", extra=loud)
    as_command = await cal.send(room, "!everyone hear me", extra=loud)
    await settled(maya, room, bot_id)

    floods = await maya.wait_until(lambda: len(found := alerts(maya, mods, bot_id, "A flood")) >= 2 and found,
                                   what="a flood alert for the commands and one for the notices")
    mentions = await maya.wait_until(lambda: len(found := alerts(maya, mods, bot_id, "A mass mention")) >= 2
                                     and found, what="a mass mention alert for the notice and one for the line")
    await settled(maya, room, bot_id)
    assert sorted(member.user_id for member in (eve, bob) for alert in alerts(maya, mods, bot_id, "A flood")
                  if member.user_id in str(alert.source)) == sorted([eve.user_id, bob.user_id])
    assert len(alerts(maya, mods, bot_id, "A flood")) == len(floods) == 2
    assert len(alerts(maya, mods, bot_id, "A mass mention")) == len(mentions) == 2
    assert any(as_notice in str(alert.source) for alert in mentions)
    assert any(as_command in str(alert.source) for alert in mentions)
    answers = [s for s in maya.seen if s.room_id == room and s.sender == bot_id and s.reply_to in commands]
    assert len(answers) <= 1, [s.body for s in answers]
    assert not any(s.reply_to in notices for s in maya.seen if s.sender == bot_id)
