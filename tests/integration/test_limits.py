"""Every text fits, on a real homeserver with its 64 KB event limit: a long reason is kept whole and
read back in parts, a title too long is refused kindly, and nothing is accepted and then lost."""

from __future__ import annotations

from types import SimpleNamespace

from tests.conftest import World
from tests.support.meetings import organizing, queue, start_meeting
from tests.support.organizations import ask, command


async def staff(world: World):
    """alice (admin), maya (moderator) in the organizing and moderators' rooms, eve, and ida, a
    grievance officer, in an encrypted IGO room: encryption makes every message a third larger."""
    alice, maya, eve, ida = [await world.member(name) for name in ("alice", "maya", "eve", "ida")]
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, maya.user_id, eve.user_id),
                                   power={bot_id: 100, maya.user_id: 50})
    mods = await alice.create_room("Moderators", (bot_id, maya.user_id), power={bot_id: 100})
    igo = await alice.create_room("IGO", (bot_id, ida.user_id), encrypted=True, power={bot_id: 100})
    for member, joined in ((maya, room), (maya, mods), (eve, room), (ida, igo)):
        await member.join(joined)
    bot = world.bot(world.bot_config([room], moderators=mods, igo=igo))
    await bot.start_ready()
    for joined in (room, mods, igo):
        await alice.member_joined(joined, bot_id)
    return alice, maya, eve, ida, room, mods, igo, bot_id


def squeezed(text: str) -> str:
    return "".join(text.split())


async def test_a_36_kb_escalation_reaches_the_igo_thread_shortened_and_case_gives_it_whole(world: World):
    _, maya, eve, ida, _, mods, igo, bot_id = await staff(world)
    log = "".join(f"[{n:04}] eve: a pasted line of the chat log, kept as it was said ✊\n" for n in range(540))
    assert 36_000 <= len(log.encode()) < 40_000
    await command(maya, mods, _org(bot_id), f"!escalate {eve.user_id} {log}")

    root = await ida.wait_for(lambda s: s.room_id == igo and s.body.startswith("📁 Case #"), timeout=30,
                              what="the case's thread root")
    assert "escalated: [0000] eve: a pasted line" in root.body
    assert f"more characters; !case {eve.user_id} gives the whole text)" in root.body
    assert len(root.body) < 1000
    in_thread = await ida.wait_for(lambda s: s.room_id == igo and "sent to the grievance officers by maya" in s.body
                                   and (s.content.get("m.relates_to") or {}).get("event_id") == root.event_id,
                                   timeout=30, what="the timeline in the thread")
    assert "gives the whole text)" in in_thread.body

    asked = await ida.send(igo, f"!case {eve.user_id}")
    last = await ida.wait_for(lambda s: s.sender == bot_id and s.reply_to == asked and "Ouches received" in s.body,
                              timeout=30, what="the last part of the case")
    parts = [s for s in ida.seen if s.sender == bot_id and s.reply_to == asked]
    assert len(parts) >= 3 and parts[-1] is last and parts[0].body.startswith("Case #")
    assert squeezed(log) in squeezed("".join(part.body for part in parts))


def _org(bot_id: str) -> SimpleNamespace:
    return SimpleNamespace(bot_id=bot_id)  # what the shared helpers need to know


async def test_a_20000_character_title_is_refused_kindly_and_the_board_keeps_updating(world: World):
    alice, (bob,), room, _ = await organizing(world, "bob")
    bot_id = world.bot_user.user_id
    org = _org(bot_id)
    refused = await ask(bob, room, org, "!meeting start " + "Budget and more " * 1249 + "Budget and more!")
    assert "20000 characters; 200 at most" in refused and "more briefly" in refused
    title = "B" * 199 + "!"  # at the limit: taken whole
    await start_meeting(bob, room, bot_id, title)
    over = await ask(alice, room, org, "!meeting start " + "C" * 201)
    assert "201 characters; 200 at most" in over
    hand = await alice.send(room, "✋")
    await alice.checked(room, bot_id, hand)
    await bob.board_shows(room, bot_id, lambda board: title in board and queue(board) == [alice.user_id[1:]
                                                                                         .split(":")[0]])


async def test_a_long_text_from_a_member_in_a_direct_chat_is_answered(world: World):
    """`!define` with a 33,000-character term used to get no answer at all."""
    _, (bob,), _, _ = await organizing(world, "bob")
    bot_id = world.bot_user.user_id
    direct = await bob.open_direct_chat(bot_id)
    answer = await ask(bob, direct, _org(bot_id), "!define " + "x" * 33_000)
    assert "33000 characters; 100 at most" in answer and len(answer) < 1000


