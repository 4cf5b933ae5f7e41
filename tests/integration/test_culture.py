"""Oops/Ouch and the glossary on a real homeserver."""

from __future__ import annotations

from tests.conftest import World
from tests.support.meetings import name, organizing, queue, start_meeting


def pins(member, room, bot_id):
    return [s for s in member.notices(room, bot_id) if s.body.startswith("📌")]


async def test_ouch_by_reply_and_by_reaction_then_oops_and_the_minutes(world: World):
    alice, (bob, carol, dave), room, _ = await organizing(world, "bob", "carol", "dave")
    bot_id = world.bot_user.user_id
    await start_meeting(alice, room, bot_id)

    hurtful = await bob.send(room, "Anyone who disagrees with this is naive")
    await carol.send(room, "ouch", reply_to=hurtful)
    first = await alice.wait_for(lambda s: s.sender == bot_id and s.body.startswith("📌"), what="the pin")
    assert "Anyone who disagrees with this is naive" in first.body
    assert first.reply_to == hurtful and first.content["m.mentions"] == {"user_ids": [bob.user_id]}
    assert "reply “oops”" in first.body
    again = await dave.send(room, "Ouch, yes", reply_to=hurtful)
    await alice.reply_to(room, again, bot_id)  # "already pinned"
    assert len(pins(alice, room, bot_id)) == 1

    not_the_author = await dave.send(room, "oops", reply_to=first.event_id)
    oops = await bob.send(room, "oops, I'm sorry", reply_to=first.event_id)
    await alice.checked(room, bot_id, oops)
    await alice.wait_until(lambda: any("acknowledged it with “oops”" in (s.content.get("m.new_content") or {})
                                       .get("body", "") for s in alice.notices(room, bot_id)),
                           what="the pin to show the acknowledgement")
    assert alice.checks(room, bot_id, not_the_author) == 0

    second = await bob.send(room, "Let's just skip the vote then")
    await carol.react(room, second, "🤕")
    await alice.wait_until(lambda: len(pins(alice, room, bot_id)) == 2, what="the second pin")
    await dave.react(room, second, "🤕")
    marker = await alice.send(room, "!followups")
    listed = await alice.reply_to(room, marker, bot_id)
    assert listed.body.count("Discuss the harm") == 2
    assert len(pins(alice, room, bot_id)) == 2  # the same message pinned twice is one ouch

    await carol.send(room, "stack")
    await alice.send(room, "!next")
    await alice.board_shows(room, bot_id, lambda board: f"Speaking: {name(carol)}" in board)
    await carol.send(room, "!done")
    reminder = await alice.wait_for(lambda s: s.sender == bot_id and s.body.startswith("Reminder for"),
                                    what="the follow-up reminder")
    assert alice.user_id in reminder.content["m.mentions"]["user_ids"]
    assert "after the current discussion: 2 open follow-ups to come back to" in reminder.body
    assert "skip the vote" not in reminder.body  # the hurtful words are not quoted again

    await alice.send(room, "!meeting end")
    minutes = await alice.wait_for(lambda s: s.sender == bot_id and s.body.startswith("# Minutes"),
                                   what="the minutes")
    section = minutes.body.split("## Oops / Ouch\n")[1].split("\n\n")[0]
    assert f"Ouch on {name(bob)}'s message: “Anyone who disagrees with this is naive” (acknowledged" in section
    assert f"Ouch on {name(bob)}'s message: “Let's just skip the vote then” (not acknowledged yet)" in section
    assert "## Follow-ups" in minutes.body


async def test_glossary_define_and_clarify(world: World):
    alice, (bob,), room, _ = await organizing(world, "bob")
    bot_id = world.bot_user.user_id

    async def ask(text: str) -> str:
        asked = await bob.send(room, text)
        return (await bob.reply_to(room, asked, bot_id)).body

    assert (await ask("!define IGO")).startswith("IGO: Internal Grievance Officer")
    assert (await ask("!define igo")).startswith("IGO: Internal Grievance Officer")
    unknown = await ask("!define frobnication")
    assert "not in the glossary yet" in unknown and "!glossary add frobnication: explanation" in unknown
    added = await bob.send(room, "!glossary add Frobnication: Tweaking something until it works")
    await bob.checked(room, bot_id, added)
    assert (await ask("!define FROBNICATION")) == "Frobnication: Tweaking something until it works"

    await start_meeting(alice, room, bot_id)
    await alice.send(room, "✋")
    clarify = await bob.send(room, "!clarify progressive stack")
    explained = await bob.reply_to(room, clarify, bot_id)
    assert explained.body.startswith("progressive stack: ")
    await bob.board_shows(room, bot_id, lambda board: queue(board)[:1] ==
                          [f"❓ {name(bob)} (point of clarification: progressive stack)"])
    await alice.send(room, "!meeting end")
    minutes = await alice.wait_for(lambda s: s.sender == bot_id and s.body.startswith("# Minutes"),
                                   what="the minutes")
    assert "## Terms explained\n- progressive stack" in minutes.body
