"""Membership reaches the meeting, names are found as people type them, and the minutes agree with
the meeting: on a real homeserver, in organizing rooms of versions 11 and 12."""

from __future__ import annotations

import re

import pytest

from tests.conftest import World
from tests.support.meetings import name, queue, speaker, start_meeting
from tests.support.members import Member
from tests.support.organizations import Org, ask, command, organization


def section(minutes: str, heading: str) -> list[str]:
    """The lines under a heading of the minutes."""
    return minutes.split(f"## {heading}\n")[1].split("\n\n")[0].splitlines() if f"## {heading}\n" in minutes else []


async def minutes_of(member: Member, org: Org) -> str:
    await member.send(org.room, "!meeting end")
    found = await member.wait_for(lambda s: s.sender == org.bot_id and s.room_id == org.room
                                  and s.body.startswith("# Minutes"), what="the minutes")
    return found.body


async def floor_to(member: Member, org: Org, who: str) -> None:
    await member.wait_for(lambda s: s.sender == org.bot_id and s.room_id == org.room
                          and s.body == f"🎤 {who}, you have the floor.", what=f"the floor given to {who}")


@pytest.mark.parametrize("version", ["11", "12"])
async def test_a_removal_and_a_facilitator_leaving_during_a_meeting(world: World, version: str):
    org = await organization(world, removal_approvals=1, room_version=version)
    bob, eve, milo, maya = org.bob, org.eve, org.milo, org.maya
    await start_meeting(bob, org.room, org.bot_id)  # bob facilitates
    for member in (eve, milo):
        await command(member, org.room, org, "✋")
    await org.alice.board_shows(org.room, org.bot_id, lambda board: queue(board) == [name(eve), name(milo)])

    await command(org.alice, org.room, org, f"!warn @{name(eve)} insults")
    await command(org.alice, org.room, org, f"!remove {name(eve)} kept going after being asked")
    proposal = await maya.wait_for(lambda s: s.room_id == org.mods and s.body.startswith("🛑 Removal proposal"),
                                   what="the proposal")
    await maya.react(org.mods, proposal.event_id, "✅")  # carried: eve is kicked mid-meeting
    await org.alice.board_shows(org.room, org.bot_id, lambda board: queue(board) == [name(milo)])

    await bob.client.room_leave(org.room)  # the facilitator leaves: the room's moderators take over
    handed = await maya.wait_for(lambda s: s.sender == org.bot_id and s.room_id == org.room
                                 and "facilitate the meeting now" in s.body, what="the handover")
    assert handed.body == f"{name(bob)} has left the room, so the room's moderators facilitate the meeting now."
    await maya.send(org.room, "!next")  # maya moderates the room
    await floor_to(maya, org, name(milo))  # the next person: not eve
    await command(milo, org.room, org, "!done")

    minutes = await minutes_of(maya, org)
    speakers = [re.sub(r"^\d+\. \d\d:\d\d ", "", line).split(",")[0] for line in section(minutes, "Speakers, in order")]
    assert speakers == [name(milo)]
    assert not [line for line in section(minutes, "Take space, make space") if name(eve) in line]
    present = section(minutes, "Present")
    assert present == sorted({f"- {name(m)}" for m in (bob, eve, milo)}), present  # counted present at the time
    assert "@" not in minutes


async def test_names_as_people_type_them_and_minutes_that_agree(world: World):
    org = await organization(world, room_version="12")
    alice, bob, eve = org.alice, org.bob, org.eve
    carol = await world.member("carol")
    await alice.client.room_invite(org.room, carol.user_id)
    await carol.join(org.room)
    await carol.client.set_displayname("Carol Smith")
    await alice.wait_until(lambda: org.room in alice.client.rooms
                           and alice.client.rooms[org.room].user_name(carol.user_id) == "Carol Smith",
                           what="Carol's new name")

    await start_meeting(alice, org.room, org.bot_id, "Names")
    await command(bob, org.room, org, "✋")
    await command(carol, org.room, org, "✋")
    await alice.board_shows(org.room, org.bot_id, lambda board: queue(board) == [name(bob), "Carol Smith"])
    await command(alice, org.room, org, '!stack move "Carol Smith" 1')
    await alice.board_shows(org.room, org.bot_id, lambda board: queue(board) == ["Carol Smith", name(bob)])
    again = await ask(alice, org.room, org, '!stack add "Carol Smith"')
    assert again == "Carol Smith is already on the stack, at position 1."  # the member, not a phantom
    assert queue(alice.board(org.room, org.bot_id)[1]) == ["Carol Smith", name(bob)]

    await command(eve, org.room, org, "!here")
    await command(carol, org.room, org, "!clarify quorum")
    for who in ("Carol Smith", "Carol Smith", name(bob)):  # the clarification first, then the stack
        await alice.send(org.room, "!next")
        await alice.board_shows(org.room, org.bot_id, lambda board, w=who: speaker(board) == w)
        await command(alice, org.room, org, "!done")
    minutes = await minutes_of(alice, org)
    speakers = [re.sub(r"^\d+\. \d\d:\d\d ", "", line).split(",")[0] for line in section(minutes, "Speakers, in order")]
    assert speakers == ["Carol Smith", name(bob)]  # a clarification is not a turn
    assert [line.split(", ")[0][8:] for line in section(minutes, "Points of clarification")] == ["Carol Smith"]
    assert section(minutes, "Present") == sorted([f"- {name(alice)}", f"- {name(bob)}", "- Carol Smith",
                                                  f"- {name(eve)}"], key=str.casefold)
    assert "@" not in minutes

    direct = await bob.open_direct_chat(org.bot_id, room_version="12")
    sent = await bob.send(direct, f"!report @{name(carol)} keeps messaging me")
    assert "Your report is #1" in (await bob.reply_to(direct, sent, org.bot_id, timeout=30)).body
    root = await org.ida.wait_for(lambda s: s.room_id == org.igo and s.body.startswith("Report #1 "),
                                  what="the report's thread")
    assert f"about Carol Smith ({carol.user_id})" in root.body
    words = await org.ida.wait_for(lambda s: s.room_id == org.igo and "keeps messaging me" in s.body,
                                   what="the report's words")
    assert "@" + name(carol) not in words.body
