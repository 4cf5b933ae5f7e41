"""Edits on a real homeserver, as Element sends them: Element users fix typos by editing. The newest
words are what a message says; a command runs once, whatever its edits; private words edited in
are taken out of the room, edits and all."""

from __future__ import annotations

import json
import urllib.parse

from nio import RedactionEvent

from tests.conftest import World
from tests.support.meetings import queue
from tests.support.members import Member
from tests.support.store_reads import database_of, reactions_decided

SECRET = "he shoved me in the corridor after the meeting"


def readable(world: World, member: Member, room: str) -> list[dict]:
    """Every event of the room as the homeserver serves it to `member` now (redactions applied)."""
    path = f"/_matrix/client/v3/rooms/{urllib.parse.quote(room)}/messages?dir=b&limit=500"
    return world.server.client_request(member.user.access_token, "GET", path)["chunk"]


async def redacted(member: Member, room: str, event_id: str) -> RedactionEvent:
    found = await member.wait_for(lambda s: s.room_id == room and isinstance(s.event, RedactionEvent)
                                  and s.event.redacts == event_id, timeout=20, what=f"{event_id} to be redacted")
    return found.event


async def test_a_report_edited_in_leaves_the_room_and_is_taken_in_privately(world: World):
    alice, rita, bob, ida = [await world.member(n) for n in ("alice", "rita", "bob", "ida")]
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, rita.user_id, bob.user_id), power={bot_id: 100})
    igo = await alice.create_room("IGO", (bot_id, ida.user_id), power={bot_id: 100})
    for member, joined in ((rita, room), (bob, room), (ida, igo)):
        await member.join(joined)
    bot = world.bot(world.bot_config([room], igo=igo))
    await bot.start_ready()
    await alice.member_joined(room, bot_id)

    typo = await rita.send(room, f"!reprot {bob.user_id} {SECRET}")
    hint = await rita.reply_to(room, typo, bot_id, timeout=20)
    assert "Did you mean !report?" in hint.body
    edit = await rita.edit(room, typo, f"!report {bob.user_id} {SECRET}")

    for event_id in (typo, edit):
        redaction = await redacted(bob, room, event_id)
        assert redaction.reason in (None, "moved to a private chat")
    thanks = await rita.wait_for(lambda s: s.sender == bot_id and s.room_id not in (room, igo)
                                 and "Your report is #1" in s.body, timeout=30, what="the report taken in privately")
    assert thanks.room_id not in (room, igo)
    await ida.wait_for(lambda s: s.room_id == igo and s.sender == bot_id and s.body.startswith("Report #1 ")
                       and bob.user_id in s.body, timeout=20, what="the report's thread")
    served = readable(world, bob, room)
    assert SECRET not in json.dumps(served)  # not in the message, its edit, or anything the bot said
    assert {e["event_id"] for e in served} >= {typo, edit}


async def test_a_mistyped_command_fixed_by_an_edit_runs_once(world: World):
    alice, bob = await world.member("alice"), await world.member("bob")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, bob.user_id), power={bot_id: 100})
    await bob.join(room)
    bot = world.bot(world.bot_config([room]))
    await bot.start_ready()
    await alice.member_joined(room, bot_id)
    await alice.send(room, "!meeting start Budget")
    await alice.board_shows(room, bot_id, lambda board: "Stack · Budget" in board)

    typo = await bob.send(room, "!stak")
    assert "Did you mean !stack?" in (await bob.reply_to(room, typo, bot_id, timeout=20)).body
    fixed = await bob.edit(room, typo, "!stack")
    await bob.checked(room, bot_id, typo)  # the ✅ goes on the message as Element shows it
    bob_name = bob.user_id[1:].split(":")[0]
    await alice.board_shows(room, bot_id, lambda board: queue(board) == [bob_name])

    again = await bob.edit(room, typo, "!stack")  # edited again: nothing runs twice
    asked = await alice.send(room, "!help")  # a round trip: everything before it has been handled
    await alice.reply_to(room, asked, bot_id, timeout=20)
    replies = [s for s in bob.notices(room, bot_id) if s.reply_to == typo]
    assert len(replies) == 1, [s.body for s in replies]  # the "did you mean", and no "already on the stack"
    # A second run would be one more ✅ (within a minute a repeat gets no notice), which the homeserver
    # refuses on the same message: what the bot decided is counted in its outbox.
    assert reactions_decided(database_of(bot), [fixed, again]) == [1, 0]
    assert queue(alice.board(room, bot_id)[1]) == [bob_name]
