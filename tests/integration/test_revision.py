"""The code of conduct's revision process on a real homeserver: a written proposal, a vote in the
meeting, a secret ballot in direct chats that survives a crash, the result as counts, ratification."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from nio import RoomMessageNotice

from tests.conftest import World
from tests.support.members import Member
from tests.support.organizations import ask, command

TEXT = "Add a section on mutual aid between members."


def notice(member: Member, bot_id: str, text: str, room: str | None = None):
    return next((s for s in member.seen if s.sender == bot_id and isinstance(s.event, RoomMessageNotice)
                 and text in s.body and room in (None, s.room_id)), None)


async def ballot_of(member: Member, bot_id: str, number: int):
    return await member.wait_until(lambda: notice(member, bot_id, f"Secret ballot on revision #{number}"),
                                   what=f"{member.user_id}'s ballot", timeout=30)


def choices_on_disk(data: Path, people: list[Member]) -> list[str]:
    """Which files hold a voter's ID next to "yes" or "no", read as bytes (as a copy of data/ would)."""
    files = [path for path in data.iterdir() if path.is_file()]
    assert any(path.name == "scorebot.db" for path in files), files
    return [f"{path.name}: {member.user_id}" for path in files for member in people
            if re.search(re.escape(member.user_id.encode()) + rb"(yes|no)", path.read_bytes())]


@pytest.mark.slow
async def test_a_whole_revision_from_proposal_to_ratification(world: World):
    people = [await world.member(name) for name in ("alice", "bob", "cat", "dan", "eve")]
    alice, bob, cat, dan, eve = people
    ida = await world.member("ida")
    bot_id = world.bot_user.user_id
    org = SimpleNamespace(bot_id=bot_id)  # what the shared helpers need to know
    room = await alice.create_room("Organizing", (bot_id, *(p.user_id for p in people[1:])), power={bot_id: 100})
    igo = await alice.create_room("IGO", (bot_id, ida.user_id), power={bot_id: 100})
    for member in people[1:]:
        await member.join(room)
    await ida.join(igo)
    config = world.bot_config([room], igo=igo)
    config["connection"]["timer_interval"] = 0.5
    config["voting"] = {"ballot_duration": 30, "remind_before": 1}
    bot = world.bot(config)
    await bot.start_ready()
    for joined in (room, igo):
        await alice.member_joined(joined, bot_id)

    # A proposal in writing, in a direct chat, reaches the IGO room with its number.
    bob_dm = await bob.open_direct_chat(bot_id)
    assert "Your proposal is #1" in await ask(bob, bob_dm, org, f"!revision propose {TEXT}")
    await ida.wait_until(lambda: notice(ida, bot_id, "Revision proposal #1", igo), what="the proposal")

    # The meeting: five present, three yes and one no out of five passes it.
    await alice.send(room, "!meeting start Revisions")
    await alice.board_shows(room, bot_id, lambda text: "Revisions" in text)
    for member in people:
        await command(member, room, org, "!here")
    assert "Sorry, only" in await ask(bob, room, org, "!revision vote 1")
    await alice.send(room, "!revision vote 1")
    vote = await alice.wait_until(lambda: notice(alice, bot_id, "Vote in this meeting on revision #1", room),
                                  what="the vote message")
    for member, key in ((alice, "✅"), (bob, "✅"), (cat, "✅"), (dan, "❌")):
        await member.react(room, vote.event_id, key)
    await ask(alice, room, org, "!help")  # everything before it has been handled
    assert "Sorry, only" in await ask(bob, room, org, "!revision count 1")
    counted = await ask(alice, room, org, "!revision count 1")
    assert "yes 3, no 1, with 5 eligible members present" in counted and "It passes" in counted

    # Every member of the organizing room gets a ballot; the IGO, who is not one, does not.
    ballots = {member.user_id: await ballot_of(member, bot_id, 1) for member in people}
    for member, choice in ((alice, "yes"), (bob, "no"), (bob, "yes"), (cat, "yes"), (dan, "yes"), (eve, "no")):
        answer = await ask(member, ballots[member.user_id].room_id, org, f"!vote 1 {choice}")
        assert "your vote is recorded" in answer
    ida_dm = await ida.open_direct_chat(bot_id)
    assert "not on the list" in await ask(ida, ida_dm, org, "!vote 1 yes")
    assert notice(ida, bot_id, "Secret ballot") is None

    # While the ballot is open, the disk holds who chose what (a vote may change).
    data = bot.config_path.parent / "data"
    assert choices_on_disk(data, people), "the open ballot's choices should be on disk"

    # The bot dies while the ballot is open: it still closes on time, every vote counted once.
    bot.kill()
    await bot.start_ready()
    result = await alice.wait_until(lambda: notice(alice, bot_id, "The ballot on revision #1", room),
                                    what="the result", timeout=60)
    assert "Approved. Yes: 4, no: 1; 5 of 5 eligible members voted." in result.body

    # Closed: no file in data/ (the database, its WAL, its index) pairs a voter with a choice, while
    # the bot runs and after a SIGKILL that leaves the files as they are.
    assert choices_on_disk(data, people) == []
    bot.kill()
    assert choices_on_disk(data, people) == []
    await bot.start_ready()
    await ida.wait_until(lambda: notice(ida, bot_id, "Approved. Yes: 4, no: 1", igo), what="the result for the IGOs")
    assert "has closed" in await ask(eve, ballots[eve.user_id].room_id, org, "!vote 1 yes")

    # Too few yes in a meeting: no ballot.
    assert "#2" in await ask(bob, bob_dm, org, "!revision propose Something else")
    await alice.send(room, "!revision vote 2")
    second = await alice.wait_until(lambda: notice(alice, bot_id, "Vote in this meeting on revision #2", room),
                                    what="the second vote message")
    for member in (alice, bob):
        await member.react(room, second.event_id, "✅")
    await ask(alice, room, org, "!help")
    assert "does not go to a ballot" in await ask(alice, room, org, "!revision count 2")

    # Ratification: not by a plain member; by an IGO, and the membership is told.
    assert "Only the grievance officers" in await ask(bob, bob_dm, org, "!revision ratify 1")
    await command(ida, igo, org, "!revision ratify 1")
    await alice.wait_until(lambda: notice(alice, bot_id, "revision #1 is ratified", room), what="the news")
    assert "#1, ratified" in await ask(cat, room, org, "!revision history")
    assert all(notice(member, bot_id, "Secret ballot on revision #2") is None for member in people)

    # Nothing any member saw pairs a voter with a choice.
    for member in [*people, ida]:
        for seen in member.seen:
            if seen.sender != bot_id or "Secret ballot" in seen.body or "A reminder" in seen.body:
                continue
            named = any(p.user_id in str(seen.source) or p.user_id.split(":")[0][1:] in seen.body for p in people)
            chose = re.search(r"\b(voted|chose)\b", seen.body)
            assert not (named and chose), seen.body
    assert not re.search(r"!vote 1 (yes|no)", bot.log())

