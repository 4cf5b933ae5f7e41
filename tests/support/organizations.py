"""A whole organization on a real homeserver, and the idioms its tests share.

An organizing room, a moderators' room and an IGO room, seven people with their roles, and the bot
running in all three rooms; then asking the bot, confirmed commands and direct notices.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import World
from tests.support.bot import BotProcess
from tests.support.members import Member


@dataclass
class Org:
    alice: Member  # created the rooms: an admin everywhere (room version 12 creator)
    maya: Member  # moderator (power 50 in the organizing room)
    milo: Member  # moderator
    bob: Member  # member, also sits in the moderators' room (no power in the organizing room)
    eve: Member  # the member whose conduct is at issue
    ida: Member  # IGO
    ivan: Member  # IGO
    room: str
    mods: str
    igo: str
    bot: BotProcess
    bot_id: str


async def organization(world: World, reports: dict | None = None, room_version: str | None = None,
                       **enforcement) -> Org:
    people = {n: await world.member(n) for n in ("alice", "maya", "milo", "bob", "eve", "ida", "ivan")}
    alice, maya, milo, bob, eve, ida, ivan = people.values()
    bot_id = world.bot_user.user_id
    creator = {alice.user_id: 100} if room_version == "11" else {}  # from version 12 on, creators are above levels
    room = await alice.create_room("Organizing", (bot_id, maya.user_id, milo.user_id, bob.user_id, eve.user_id),
                                   power={bot_id: 100, maya.user_id: 50, milo.user_id: 50, **creator},
                                   room_version=room_version)
    mods = await alice.create_room("Moderators", (bot_id, maya.user_id, milo.user_id, bob.user_id),
                                   power={bot_id: 100})
    igo = await alice.create_room("IGO", (bot_id, ida.user_id, ivan.user_id), power={bot_id: 100})
    for member, rooms in ((maya, (room, mods)), (milo, (room, mods)), (bob, (room, mods)), (eve, (room,)),
                          (ida, (igo,)), (ivan, (igo,))):
        for joined in rooms:
            await member.join(joined)
    config = world.bot_config([room], moderators=mods, igo=igo)
    config["connection"]["timer_interval"] = 0.5
    config["enforcement"] = enforcement
    config["reports"] = reports or {}
    bot = world.bot(config)
    await bot.start_ready()
    for joined in (room, mods, igo):
        await alice.member_joined(joined, bot_id)
    return Org(alice, maya, milo, bob, eve, ida, ivan, room, mods, igo, bot, bot_id)


async def direct_notice(member: Member, org: Org, text: str):
    return await member.wait_for(lambda s: s.sender == org.bot_id and s.room_id not in (org.room, org.mods, org.igo)
                                 and text in s.body, timeout=30, what=f"a direct message saying {text!r}")


async def ask(member: Member, room: str, org: Org, command: str, reply_to: str | None = None) -> str:
    asked = await member.send(room, command, reply_to=reply_to)
    return (await member.reply_to(room, asked, org.bot_id, timeout=20)).body


async def command(member: Member, room: str, org: Org, text: str) -> str:
    """A command the bot confirms with ✅ (and answers elsewhere, if at all)."""
    sent = await member.send(room, text)
    await member.checked(room, org.bot_id, sent)
    return sent
