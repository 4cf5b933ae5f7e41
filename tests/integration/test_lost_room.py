"""A lost room never loses a word: the bot kicked from the IGO room keeps a report until it is back."""

from __future__ import annotations

import time
from types import SimpleNamespace

from nio import RoomMemberEvent

from tests.conftest import World
from tests.support.members import Member
from tests.support.store_reads import database_of, opened

WORDS = "he followed me to the car park"


def membership(member: Member, room: str, user_id: str, state: str):
    return member.wait_for(lambda s: s.room_id == room and isinstance(s.event, RoomMemberEvent)
                           and s.event.state_key == user_id and s.event.membership == state,
                           timeout=30, what=f"{user_id} {state} in {room}")


async def test_a_report_for_the_igo_room_the_bot_lost_waits_is_made_known_and_arrives_once(world: World):
    lost = await a_report_while_the_igo_room_is_lost(world, undeliverable_after=3)
    alice, bob, ida, igo, mods, direct = lost.alice, lost.bob, lost.ida, lost.igo, lost.mods, lost.direct
    bot_id = world.bot_user.user_id

    # Longer than `undeliverable_after`: the reporter and the moderators are told, without the words.
    kept = await bob.wait_for(lambda s: s.room_id == direct and s.sender == bot_id and "has not reached" in s.body,
                              timeout=30, what="word that the report waits")
    assert kept.body.startswith("Your report #1 has not reached the grievance officers yet; it is kept")
    told = await alice.wait_for(lambda s: s.room_id == mods and s.sender == bot_id and "Report #1" in s.body,
                                timeout=30, what="the moderators told")
    assert "has not reached the grievance officers' room yet" in told.body and WORDS not in told.body

    invited = time.monotonic()
    await alice.client.room_invite(igo, bot_id)
    await ida.member_joined(igo, bot_id)  # in the room's state now (the bot left it after its first join)
    assert time.monotonic() - invited < 5  # the join waits behind nothing
    root = await ida.wait_for(lambda s: s.room_id == igo and s.sender == bot_id and s.body.startswith("Report #1 "),
                              timeout=30, what="the report's thread")
    await ida.wait_until(lambda: any(WORDS in s.body for s in ida.seen if s.room_id == igo
                                     and (s.content.get("m.relates_to") or {}).get("event_id") == root.event_id),
                         what="the report's words in its thread")
    # Anything still queued for the IGO room goes before an answer asked for now (one lane, in order).
    await ida.reply_to(igo, await ida.send(igo, "!help"), bot_id, timeout=30)
    roots = [s for s in ida.seen if s.room_id == igo and s.sender == bot_id and s.body.startswith("Report #1 ")]
    assert len(roots) == 1
    assert sum(WORDS in s.body for s in ida.seen if s.room_id == igo) == 1  # once
    assert sum("has not reached" in s.body for s in bob.seen if s.room_id == direct) == 1  # told once


def park_for_an_hour(url: str, room_id: str) -> int:
    """What waits for `room_id`, as after many tries while the bot was not in it: the next try an
    hour away (set up, not timed). Returns how many."""
    later = int(time.time() * 1000) + 3_600_000
    with opened(url) as store:
        rows = [row for row in store.pending_rows() if getattr(row.action, "room_id", None) == room_id]
        for row in rows:
            store.action_parked(row.id, 9, later, "NotInRoom: the bot is not in the room (yet)")
    return len(rows)


async def test_a_report_for_the_igo_room_lost_before_a_restart_goes_once_the_bot_is_back(world: World):
    """Which rooms the bot lost is known only while it runs: after a restart, what waits for a room
    goes as soon as the bot is in it again, not at its next try."""
    lost = await a_report_while_the_igo_room_is_lost(world)
    alice, ida, igo, bot = lost.alice, lost.ida, lost.igo, lost.bot
    bot_id = world.bot_user.user_id
    bot.stop()
    assert park_for_an_hour(database_of(bot), igo) >= 2  # the report and its words
    await alice.client.room_invite(igo, bot_id)  # while the bot is down

    bot.start()
    await bot.wait_ready()
    await ida.member_joined(igo, bot_id)
    root = await ida.wait_for(lambda s: s.room_id == igo and s.sender == bot_id and s.body.startswith("Report #1 "),
                              timeout=30, what="the report's thread")
    await ida.wait_until(lambda: any(WORDS in s.body for s in ida.seen if s.room_id == igo
                                     and (s.content.get("m.relates_to") or {}).get("event_id") == root.event_id),
                         what="the report's words in its thread")
    await ida.reply_to(igo, await ida.send(igo, "!help"), bot_id, timeout=30)  # after anything still queued there
    roots = [s for s in ida.seen if s.room_id == igo and s.sender == bot_id and s.body.startswith("Report #1 ")]
    assert len(roots) == 1
    assert sum(WORDS in s.body for s in ida.seen if s.room_id == igo) == 1  # once


async def a_report_while_the_igo_room_is_lost(world: World, **connection):
    """An organization whose IGO room the bot was kicked from by mistake, and bob's report about eve
    made just after: its members, rooms (`igo`, `mods`), bob's direct chat and the bot."""
    alice, bob, eve, ida = [await world.member(name) for name in ("alice", "bob", "eve", "ida")]
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, bob.user_id, eve.user_id), power={bot_id: 100})
    mods = await alice.create_room("Moderators", (bot_id,), power={bot_id: 100})
    igo = await alice.create_room("IGO", (bot_id, ida.user_id), power={bot_id: 100})
    for member, joined in ((bob, room), (eve, room), (ida, igo)):
        await member.join(joined)
    config = world.bot_config([room], moderators=mods, igo=igo)
    config["connection"].update(connection)
    bot = world.bot(config)
    await bot.start_ready()
    for joined in (room, mods, igo):
        await alice.member_joined(joined, bot_id)

    await alice.client.room_kick(igo, bot_id, "tidying up")  # by mistake
    await membership(ida, igo, bot_id, "leave")
    direct = await bob.open_direct_chat(bot_id)
    thanks = await bob.reply_to(direct, await bob.send(direct, f"!report {eve.user_id} {WORDS}"), bot_id, timeout=30)
    assert "Your report is #1" in thanks.body
    return SimpleNamespace(alice=alice, bob=bob, ida=ida, igo=igo, mods=mods, direct=direct, bot=bot)
