"""One organization every feature agrees on (issue #25, part A), on a real homeserver with rooms made
as Element makes them: a room is one kind only; check-config says who holds each role; a report or
case about a grievance officer never reaches a room they read, and they cannot act on it; a direct
chat's message continues one conversation, never reaching the moderators by accident."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import yaml
from nio import RoomMemberEvent

from tests.conftest import World
from tests.support.bot import BotProcess
from tests.support.cli import GOOD, scorebot
from tests.support.members import Member
from tests.support.organizations import ask, command, direct_notice


@dataclass
class Org:
    alice: Member  # made the organizing and moderators' rooms
    maya: Member  # moderator (power 50)
    bob: Member  # member
    eve: Member  # member
    ida: Member  # grievance officer (igo1), also in the moderators' room
    ivan: Member  # grievance officer (igo2): made the grievance officers' room
    room: str
    mods: str
    igo: str
    bot: BotProcess
    bot_id: str


async def organization(world: World, version: str | None = None, ida_in_igo: bool = True) -> Org:
    people = {n: await world.member(n) for n in ("alice", "maya", "bob", "eve", "ida", "ivan")}
    alice, maya, bob, eve, ida, ivan = people.values()
    bot_id = world.bot_user.user_id

    def power(creator: Member, levels: dict) -> dict:
        """Before room version 12 the creator is listed in the power levels; from 12 on, never."""
        return {**levels, creator.user_id: 100} if version == "11" else levels

    room = await alice.create_room("Organizing", (bot_id, *(p.user_id for p in (maya, bob, eve, ida, ivan))),
                                   power=power(alice, {bot_id: 100, maya.user_id: 50}), room_version=version)
    mods = await alice.create_room("Moderators", (bot_id, maya.user_id, ida.user_id),
                                   power=power(alice, {bot_id: 100}), room_version=version)
    # ivan makes the grievance officers' room: whoever is in it reads every report.
    igo = await ivan.create_room("IGO", (bot_id, *((ida.user_id,) if ida_in_igo else ())),
                                 power=power(ivan, {bot_id: 100}), room_version=version)
    for member, rooms in ((maya, (room, mods)), (bob, (room,)), (eve, (room,)), (ivan, (room,)),
                          (ida, (room, mods, *((igo,) if ida_in_igo else ())))):
        for joined in rooms:
            await member.join(joined)
    config = world.bot_config([room], moderators=mods, igo=igo)
    config["connection"]["timer_interval"] = 0.5
    bot = world.bot(config)
    await bot.start_ready()
    for joined in (room, mods, igo):
        await alice.member_joined(joined, bot_id) if joined != igo else await ivan.member_joined(joined, bot_id)
    return Org(alice, maya, bob, eve, ida, ivan, room, mods, igo, bot, bot_id)


def said_in(member: Member, room: str, text: str) -> list[str]:
    return [s.body for s in member.seen if s.room_id == room and text in s.body]


def in_thread(member: Member, room: str, root: str, text: str) -> bool:
    return any(text in s.body for s in member.seen if s.room_id == room
               and (s.content.get("m.relates_to") or {}).get("event_id") == root)


async def in_a_thread(member: Member, org: Org, root: str, text: str) -> str:
    """A command typed in a thread of the grievance officers' room; the bot's answer."""
    sent = await member.send(org.igo, text, extra={"m.relates_to": {"rel_type": "m.thread", "event_id": root,
                                                                     "is_falling_back": True}})
    return (await member.reply_to(org.igo, sent, org.bot_id, timeout=20)).body


# -- one kind per room, and who holds each role ---------------------------------------------------

@pytest.mark.parametrize("command", ["run", "check-config"])
def test_one_room_in_two_kinds_stops_the_bot_with_one_line(tmp_path, command: str):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({**GOOD, "rooms": {"organizing": ["!org:example.org"],
                                                      "moderators": "!org:example.org", "igo": "!org:example.org"}}))
    result = scorebot(command, "--config", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == ["config error: rooms.organizing[0] and rooms.moderators name the same room (!org:example.org); "
                     "a room is one kind only (organizing, moderators, grievance officers or steering): "
                     "give each its own room"], result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["run", "check-config"])
async def test_one_room_named_by_an_id_and_an_alias_in_two_kinds_stops_the_bot_with_one_line(world: World,
                                                                                             command: str):
    alice = await world.member("alice")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id,), power={bot_id: 100})
    alias = f"#{world.name('org')}:{alice.user_id.split(':', 1)[1]}"
    assert not hasattr(await alice.client.room_put_alias(alias, room), "status_code")
    path = world.folder / "aliases.yaml"
    path.write_text(yaml.safe_dump(world.bot_config([room], moderators=alias)))
    result = scorebot(command, "--config", str(path), cwd=world.folder)
    assert result.returncode == 2, result.stdout + result.stderr
    clash = (f"rooms.organizing[0] and rooms.moderators name the same room ({room}); a room is one kind only "
             "(organizing, moderators, grievance officers or steering): give each its own room")
    assert f"config error: {clash}" in result.stderr.splitlines(), result.stdout + result.stderr
    assert [line for line in result.stderr.splitlines() if "config error" in line or "same room" in line] == \
        [f"config error: {clash}"]


async def test_check_config_says_who_holds_each_role(world: World):
    alice, maya, ida, ivan = [await world.member(n) for n in ("alice", "maya", "ida", "ivan")]
    bot_id, token = world.bot_user.user_id, world.bot_user.access_token
    room = await alice.create_room("Organizing", (bot_id, maya.user_id, ida.user_id), power={bot_id: 100,
                                                                                              maya.user_id: 50})
    mods = await alice.create_room("Moderators", (bot_id, maya.user_id), power={bot_id: 100, alice.user_id: 100},
                                   room_version="11")
    igo = await ida.create_room("IGO", (bot_id, ivan.user_id), power={bot_id: 100})
    for member, joined in ((maya, room), (ida, room), (maya, mods), (ivan, igo)):
        await member.join(joined)
    for joined in (room, mods, igo):
        world.server.client_request(token, "POST", f"/_matrix/client/v3/join/{joined}", {})
    config = world.bot_config([room], moderators=mods, igo=igo)
    config["roles"] = {"steering": [alice.user_id]}
    path = world.folder / "check.yaml"
    path.write_text(yaml.safe_dump(config))
    result = scorebot("check-config", "--config", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    name = {m.user_id: m.user_id.split(":")[0][1:] for m in (alice, maya, ida, ivan)}  # Synapse's display names
    said = result.stdout.strip().splitlines()
    assert said[-4:-1] == [
        f"Moderators (they decide on removals and see cases): {name[alice.user_id]}, {name[maya.user_id]}.",
        f"Grievance officers (they read every report): {name[ida.user_id]}, {name[ivan.user_id]}.",
        f"Steering Committee (they ratify revisions of the code of conduct): {name[alice.user_id]}."]
    assert said[-1].startswith("config OK")


# -- conflicts of interest -------------------------------------------------------------------------

OLD_WORDS = "ida shouted at me before she was an officer"
NEW_WORDS = "ida follows me around after every meeting"


@pytest.mark.parametrize("version", ["11", "12"])
async def test_a_report_about_a_grievance_officer_never_reaches_them(world: World, version: str):
    org = await organization(world, version, ida_in_igo=False)
    bob_dm = await org.bob.open_direct_chat(org.bot_id, room_version=version)

    # Before ida is a grievance officer: a report and a case about her have threads in the IGO room.
    assert "Your report is #1" in await ask(org.bob, bob_dm, org, f"!report {org.ida.user_id} {OLD_WORDS}")
    report_root = await org.ivan.wait_for(lambda s: s.room_id == org.igo and s.body.startswith("Report #1 "),
                                          what="report #1's root")
    await command(org.maya, org.room, org, f"!warn {org.ida.user_id} please stop shouting")
    await command(org.maya, org.room, org, f"!escalate {org.ida.user_id} it keeps happening")
    case_root = await org.ivan.wait_for(lambda s: s.room_id == org.igo and s.body.startswith("📁 Case #1"),
                                        what="case #1's root")

    # ida becomes a grievance officer (igo1); ivan is igo2.
    await org.ivan.client.room_invite(org.igo, org.ida.user_id)
    await org.ida.join(org.igo)
    await ask(org.ida, org.igo, org, "!help")  # the bot has seen her join

    # eve becomes a grievance officer too (igo3).
    await org.ivan.client.room_invite(org.igo, org.eve.user_id)
    await org.eve.join(org.igo)
    await ask(org.eve, org.igo, org, "!help")

    # A new report about her goes to ivan and eve, in one new encrypted room without her; the IGO
    # room and ida see nothing of it.
    assert "Your report is #2" in await ask(org.bob, bob_dm, org, f"!report {org.ida.user_id} {NEW_WORDS}")
    to_ivan = await direct_notice(org.ivan, org, NEW_WORDS)
    assert "Report #2" in to_ivan.body and "kept out of the grievance officers' room" in to_ivan.body
    officers = to_ivan.room_id
    assert officers not in (org.igo, org.mods, org.room)
    assert (await direct_notice(org.eve, org, NEW_WORDS)).room_id == officers
    room = org.ivan.client.rooms[officers]
    assert room.encrypted and set(room.users) == {org.bot_id, org.ivan.user_id, org.eve.user_id}

    # There they work on it together: sign on, note, answer the reporter, without a thread.
    await command(org.ivan, officers, org, "!assign")
    await command(org.eve, officers, org, "!note we spoke with bob")
    await command(org.ivan, officers, org, "!reply We are on it, thank you.")
    answer = await direct_notice(org.bob, org, "We are on it, thank you.")
    assert "From the grievance officers, about your report #2" in answer.body
    assert "ivan" not in answer.body.lower()
    # bob's follow-up reaches the same room, and still not ida.
    await org.bob.send(bob_dm, "and once more on Friday", reply_to=answer.event_id)
    await org.ivan.wait_for(lambda s: s.room_id == officers and "once more on Friday" in s.body,
                            timeout=30, what="bob's follow-up in the officers' room")

    # !cases in the IGO room leaves out the case about ida, who reads it; !case about her is refused.
    listed = await ask(org.ivan, org.igo, org, "!cases")
    assert org.ida.user_id not in listed and "Case #1" not in listed and "#1 " not in listed
    assert "can read this room" in await ask(org.ivan, org.igo, org, f"!case {org.ida.user_id}")

    # A case about ivan, escalated, goes to ida and eve in a room of its own, where !note works.
    await command(org.maya, org.mods, org, f"!escalate {org.ivan.user_id} he shouts at newcomers")
    to_eve = await org.eve.wait_for(lambda s: s.sender == org.bot_id and "Case #2" in s.body
                                    and s.room_id not in (org.igo, org.mods, org.room, officers),
                                    timeout=30, what="case #2 in a room of its own")
    case_room = to_eve.room_id
    assert set(org.eve.client.rooms[case_room].users) == {org.bot_id, org.ida.user_id, org.eve.user_id}
    await command(org.eve, case_room, org, "!note we will talk with him")
    await org.ida.wait_for(lambda s: s.room_id == case_room and "we will talk with him" in s.body,
                           timeout=30, what="eve's note in the case's room")
    assert case_room not in org.ivan.client.rooms
    assert not [s.body for s in org.ivan.seen if "shouts at newcomers" in s.body or "talk with him" in s.body]

    # She cannot take on, note or vote on anything about herself.
    assert "is about you" in await in_a_thread(org.ida, org, report_root.event_id, "!assign")
    assert "is about you" in await in_a_thread(org.ida, org, case_root.event_id, "!note I did nothing wrong")
    assert "is about that person" in await in_a_thread(org.ivan, org, report_root.event_id,
                                                       f"!assign {org.ida.user_id}")
    await command(org.maya, org.room, org, f"!remove {org.ida.user_id} she did it again")
    proposal = await org.ida.wait_for(lambda s: s.room_id == org.mods and s.body.startswith("🛑 Removal proposal"),
                                      what="the removal proposal")
    await org.ida.react(org.mods, proposal.event_id, "✅")
    refused = await org.ida.wait_for(lambda s: s.room_id == org.mods and s.sender == org.bot_id
                                     and "does not count: the proposal is about you" in s.body,
                                     what="her vote refused")
    assert refused.reply_to == proposal.event_id
    await ask(org.maya, org.room, org, "!help")  # everything before it is handled

    # The case's note was not kept, no one was assigned, she was not removed.
    maya_dm = await org.maya.open_direct_chat(org.bot_id, room_version=version)
    whole_case = await ask(org.maya, maya_dm, org, f"!case {org.ida.user_id}")
    assert "please stop shouting" in whole_case and "I did nothing wrong" not in whole_case
    assert not any(isinstance(s.event, RoomMemberEvent) and s.event.state_key == org.ida.user_id
                   and s.event.membership in ("leave", "ban") for s in org.maya.seen if s.room_id == org.room)
    # Nothing of report #2 anywhere ida is: not the IGO room, not the moderators', not a direct chat.
    await ask(org.ida, org.igo, org, "!help")
    assert officers not in org.ida.client.rooms and officers not in org.ida.client.invited_rooms
    assert not [s.body for s in org.ida.seen if NEW_WORDS in s.body or "Report #2" in s.body
                or "we spoke with bob" in s.body or "once more on Friday" in s.body]
    assert not said_in(org.ivan, org.igo, NEW_WORDS) and not said_in(org.ivan, org.igo, "Report #2")


# -- one conversation per direct chat --------------------------------------------------------------

FOLLOW_UP = "and he did it again on Tuesday"
BALLOT_WORDS = "I am not sure how this vote works"


async def test_a_warned_members_words_reach_their_report_or_a_question_never_the_moderators(world: World):
    org = await organization(world)
    eve_dm = await org.eve.open_direct_chat(org.bot_id, room_version="11")
    assert "Your report is #1" in await ask(org.eve, eve_dm, org, f"!report {org.bob.user_id} he keeps messaging me")
    root = await org.ivan.wait_for(lambda s: s.room_id == org.igo and s.body.startswith("Report #1 "),
                                   what="report #1's root")
    await command(org.maya, org.room, org, f"!warn {org.eve.user_id} please stop the name-calling")
    await direct_notice(org.eve, org, "you can reply here")

    # Without Element's reply, a report and a case are open: one short question, nothing passed on.
    question = await ask(org.eve, eve_dm, org, FOLLOW_UP)
    assert "Who is this for?" in question and "1. your report #1" in question and "2. the moderators'" in question
    # The answer sends the words to the report's thread, and only there.
    answer = await org.eve.send(eve_dm, "1")
    await org.eve.checked(eve_dm, org.bot_id, answer)
    await org.ivan.wait_until(lambda: in_thread(org.ivan, org.igo, root.event_id, f"The reporter adds: {FOLLOW_UP}"),
                              what="the words in the report's thread")

    # A ballot opens: eve gets one in her direct chat.
    bob_dm = await org.bob.open_direct_chat(org.bot_id)
    assert "Your proposal is #1" in await ask(org.bob, bob_dm, org, "!revision propose Be kind to each other.")
    await org.alice.send(org.room, "!meeting start Revisions")
    await org.alice.board_shows(org.room, org.bot_id, lambda text: "Revisions" in text)
    for member in (org.alice, org.maya):
        await command(member, org.room, org, "!here")
    await org.alice.send(org.room, "!revision vote 1")
    vote = await org.alice.wait_for(lambda s: s.room_id == org.room and s.sender == org.bot_id
                                    and "Vote in this meeting on revision #1" in s.body, what="the vote message")
    for member in (org.alice, org.maya):
        await member.react(org.room, vote.event_id, "✅")
    await ask(org.alice, org.room, org, "!help")
    assert "It passes" in await ask(org.alice, org.room, org, "!revision count 1")
    ballot = await direct_notice(org.eve, org, "Secret ballot on revision #1")

    # Without a reply: the report, the case and the ballot are open, so she is asked.
    question = await ask(org.eve, ballot.room_id, org, BALLOT_WORDS)
    assert "3. the secret ballot on revision #1" in question
    # With Element's reply to the ballot: it stays with the ballot, passed to no one.
    answered = await ask(org.eve, ballot.room_id, org, "what does yes mean?", reply_to=ballot.event_id)
    assert "!vote 1 yes" in answered and "goes to no one" in answered
    assert "goes to no one" in await ask(org.eve, ballot.room_id, org, "3")

    # Nothing she wrote in her direct chat reached the moderators' room or the IGO room's other threads.
    await ask(org.maya, org.mods, org, "!help")
    for words in (FOLLOW_UP, BALLOT_WORDS, "what does yes mean?"):
        assert not said_in(org.maya, org.mods, words), words
    for words in (BALLOT_WORDS, "what does yes mean?"):
        assert not said_in(org.ivan, org.igo, words), words
    assert "answered in their direct chat" not in await ask(org.maya, org.mods, org, f"!case {org.eve.user_id}")
