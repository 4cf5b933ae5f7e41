"""The trust boundary on a real homeserver: roles come from the organization, and private words go
only to a room holding the bot and that one person. Direct chats are made as Element makes them."""

from __future__ import annotations

from nio import RedactionEvent

from tests.conftest import World
from tests.support.members import Member
from tests.support.organizations import Org, ask, command, direct_notice, organization

STAFF_ONLY = ["!cases", "!case {eve}", "!glossary remove stack", "!remove-everywhere", "!note hello",
              "!resolve done", "!assign", "!room-for 1"]


async def plain_member(world: World, org: Org, name: str) -> Member:
    member = await world.member(name)
    await org.alice.client.room_invite(org.room, member.user_id)
    await member.join(org.room)
    await org.alice.member_joined(org.room, member.user_id)
    return member


def bot_words_outside(org: Org, members: list[Member], rooms: set[str]) -> str:
    """Everything the bot said, as the given members saw it, in rooms other than `rooms`."""
    return "\n".join(str(s.source) for m in members for s in m.seen
                     if s.sender == org.bot_id and s.room_id not in rooms)


async def test_a_member_is_no_one_special_in_their_own_direct_chat(world: World):
    org = await organization(world)
    await command(org.maya, org.room, org, f"!warn {org.eve.user_id} insults")  # case #1 exists
    for version, name in (("12", "rita"), ("11", "tina")):
        member = await plain_member(world, org, name)
        dm = await member.open_direct_chat(org.bot_id, room_version=version)
        levels = member.client.rooms[dm].power_levels
        assert levels.get_user_level(member.user_id) == 100 or version == "12"  # Element's trusted_private_chat
        for text in STAFF_ONLY:
            answer = await ask(member, dm, org, text.format(eve=org.eve.user_id))
            assert answer.startswith(("Sorry, only", "!")), (version, text, answer)
            assert "#1" not in answer and org.eve.user_id not in answer and "Case" not in answer, answer
        help_text = await ask(member, dm, org, "!help")
        assert "!cases" not in help_text and "!glossary remove" not in help_text and "!room-for" not in help_text
    defined = await ask(org.alice, org.room, org, "!define stack")
    assert "list of people waiting to speak" in defined  # the term was not removed

    # Staff keep what the organization gives them, in their own direct chats too.
    maya_dm = await org.maya.open_direct_chat(org.bot_id, room_version="12")
    assert "#1" in await ask(org.maya, maya_dm, org, "!cases")
    ida_dm = await org.ida.open_direct_chat(org.bot_id)
    assert "Case #1" in await ask(org.ida, ida_dm, org, f"!case {org.eve.user_id}")


async def test_private_words_reach_only_the_one_person(world: World):
    org = await organization(world)
    rita, tina = await plain_member(world, org, "rita"), await plain_member(world, org, "tina")
    secret, answer_1, answer_2 = "eve cornered me after the meeting", "we hear you, bob", "one more thing, bob"

    # A report typed in the organizing room is taken out of it and goes on in a direct chat.
    typed = await org.bob.send(org.room, f"!report {org.eve.user_id} {secret}")
    await org.alice.wait_for(lambda s: isinstance(s.event, RedactionEvent) and s.event.redacts == typed,
                             what="the report to be taken out of the room")
    moved = await direct_notice(org.bob, org, "I removed your message from the room")
    await direct_notice(org.bob, org, "Your report is #1")
    first_dm = moved.room_id
    root = await org.ida.wait_for(lambda s: s.room_id == org.igo and s.body.startswith("Report #1 "),
                                  what="the report's thread")
    await org.ida.wait_until(lambda: any(secret in s.body for s in org.ida.seen if s.room_id == org.igo),
                             what="the report's words in the thread")

    # A group room the reporter invites the bot to is declined, kindly, and never used.
    group = await org.bob.create_room("Friends", (org.bot_id, rita.user_id, tina.user_id))
    await rita.join(group)
    await org.bob.wait_for(lambda s: s.room_id == group and s.sender == org.bot_id and "one-to-one chats" in s.body,
                           what="the bot's goodbye", timeout=30)
    await org.bob.wait_until(lambda: org.bot_id not in org.bob.client.rooms[group].users, what="the bot to leave")

    # A "direct" chat that holds friends too (Element's multi-person direct chat) is never written to.
    crowded = await org.bob.open_direct_chat(org.bot_id, wait_join=False)
    await org.bob.client.room_invite(crowded, rita.user_id)
    await org.bob.member_joined(crowded, org.bot_id)
    await rita.join(crowded)
    thread = {"m.relates_to": {"rel_type": "m.thread", "event_id": root.event_id}}
    await org.ida.send(org.igo, f"!reply {answer_1}", extra=thread)
    relayed = await direct_notice(org.bob, org, answer_1)
    assert relayed.room_id not in (crowded, group)
    assert set(org.bob.client.rooms[relayed.room_id].users) == {org.bob.user_id, org.bot_id}

    # A third person joins that one-to-one chat: the next private message goes to a new one.
    second_dm = relayed.room_id
    await org.bob.client.room_invite(second_dm, tina.user_id)
    await tina.join(second_dm)
    await tina.wait_for(lambda s: s.room_id == second_dm and s.sender == org.bot_id
                        and "no longer private" in s.body, what="the bot to say it is leaving", timeout=30)
    await org.ida.send(org.igo, f"!reply {answer_2}", extra=thread)
    relayed_again = await direct_notice(org.bob, org, answer_2)
    assert relayed_again.room_id not in (crowded, group, second_dm)
    assert set(org.bob.client.rooms[relayed_again.room_id].users) == {org.bob.user_id, org.bot_id}

    # Nothing private reached anyone but bob and the IGOs: not the friends, not the rooms, not the log.
    others = bot_words_outside(org, [rita, tina, org.alice, org.maya, org.eve], {org.igo})
    for words in (secret, answer_1, answer_2):
        assert words not in others, words
    assert first_dm != second_dm
    log = org.bot.log()
    for words in (secret, answer_1, answer_2, "!report by"):
        assert words not in log, words


async def test_a_warned_members_answer_reaches_the_moderators(world: World):
    org = await organization(world)
    await command(org.maya, org.room, org, f"!warn {org.eve.user_id} insults please stop")
    warning = await direct_notice(org.eve, org, "you can reply here")
    sorry = await org.eve.send(warning.room_id, "I'm sorry, I was upset", reply_to=warning.event_id)
    told = await org.eve.reply_to(warning.room_id, sorry, org.bot_id, timeout=20)
    assert "passed your message on to the moderators" in told.body
    relayed = await org.milo.wait_for(lambda s: s.room_id == org.mods and s.sender == org.bot_id
                                      and "I'm sorry, I was upset" in s.body, what="the answer in the mods' room")
    assert "case #1" in relayed.body and relayed.content["m.mentions"] == {"user_ids": [org.eve.user_id]}
    case = await ask(org.maya, org.mods, org, f"!case {org.eve.user_id}")
    assert "answered in their direct chat" in case and "I'm sorry, I was upset" in case

    # Anything else in a direct chat gets a kind answer, never silence.
    dm = await org.bob.open_direct_chat(org.bot_id)
    assert "I'm not sure what you mean" in await ask(org.bob, dm, org, "hello, what can you do?")
