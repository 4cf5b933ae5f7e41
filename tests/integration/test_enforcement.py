"""Step-by-step enforcement on a real homeserver: warnings, approved removals, escalation."""

from __future__ import annotations

import json
import subprocess
import sys

from nio import RedactionEvent, RoomMemberEvent

from tests.conftest import World
from tests.support.bot import BotProcess
from tests.support.markers import caught_up
from tests.support.members import Member
from tests.support.organizations import Org, ask, command, direct_notice, organization


def proposals(member: Member, org: Org) -> list:
    return [s for s in member.notices(org.mods, org.bot_id) if s.body.startswith("🛑 Removal proposal")]


def proposal_now(member: Member, org: Org, proposal_id: str) -> str:
    """A proposal's text with its latest edit applied."""
    edits = [s.content["m.new_content"]["body"] for s in member.notices(org.mods, org.bot_id)
             if (s.content.get("m.relates_to") or {}).get("event_id") == proposal_id
             and s.content["m.relates_to"].get("rel_type") == "m.replace"]
    return edits[-1] if edits else next(s.body for s in member.seen if s.event_id == proposal_id)


def removals(member: Member, org: Org, user: str, membership: str = "leave") -> int:
    return sum(1 for s in member.seen if s.room_id == org.room and isinstance(s.event, RoomMemberEvent)
               and s.event.state_key == user and s.event.membership == membership and s.sender == org.bot_id)


async def test_asked_to_stop_by_command_and_by_stop_sign(world: World):
    org = await organization(world)
    said = await org.eve.send(org.room, "you are all idiots")
    warn = await org.alice.send(org.room, f"!warn {org.eve.user_id} insults please stop the name-calling",
                                reply_to=said)
    await org.alice.checked(org.room, org.bot_id, warn)
    notice = await org.eve.wait_for(lambda s: s.room_id == org.room and s.sender == org.bot_id
                                    and "asking you to stop" in s.body, what="the room notice")
    assert notice.reply_to == said and notice.content["m.mentions"] == {"user_ids": [org.eve.user_id]}
    assert "please stop the name-calling" in (await direct_notice(org.eve, org, "asked you to stop")).body

    await org.bob.send(org.room, "ouch", reply_to=said)  # an ouch is no enforcement step, but the case counts it
    await org.bob.wait_for(lambda s: s.sender == org.bot_id and s.body.startswith("📌"), what="the pin")
    again = await org.eve.send(org.room, "still idiots")
    stop = await org.maya.react(org.room, again, "🛑")
    await org.maya.wait_for(lambda s: isinstance(s.event, RedactionEvent) and s.event.redacts == stop,
                            what="the 🛑 to be removed")
    case = await ask(org.maya, org.mods, org, f"!case {org.eve.user_id}")
    assert "asked to stop by alice" in case and "[insults]" in case and "evidence: “you are all idiots”" in case
    assert "removal proposed by maya" in case and "evidence: “still idiots”" in case  # the 2nd 🛑 proposes
    assert "Ouches received: 1" in case
    listed = await ask(org.maya, org.mods, org, "!cases")
    assert listed.startswith("Open cases:") and org.eve.user_id in listed
    assert len(proposals(org.maya, org)) == 1

    other = await world.member("finn")
    await org.alice.client.room_invite(org.room, other.user_id)
    await other.join(org.room)
    first = await other.send(org.room, "whatever, this is pointless")
    await org.milo.react(org.room, first, "🛑")  # a first 🛑 only asks to stop
    await direct_notice(other, org, "asked you to stop")
    assert "evidence: “whatever, this is pointless”" in await ask(org.milo, org.mods, org, f"!case {other.user_id}")
    refused = await ask(org.bob, org.room, org, f"!warn {org.eve.user_id}")
    assert refused == "Sorry, only moderators can use !warn."


async def test_removal_needs_other_moderators_and_happens_once(world: World):
    org = await organization(world, removal_approvals=2)
    await command(org.alice, org.room, org, f"!warn {org.eve.user_id}")
    await command(org.alice, org.room, org, f"!remove {org.eve.user_id} kept going after being asked")
    proposal = await org.maya.wait_for(lambda s: s.room_id == org.mods and s.body.startswith("🛑 Removal proposal"),
                                       what="the proposal")
    await org.maya.checked(org.mods, org.bot_id, proposal.event_id)
    assert "Needs 2 approvals" in proposal.body and "kept going after being asked" in proposal.body

    await org.alice.react(org.mods, proposal.event_id, "✅")  # the proposer
    await org.bob.react(org.mods, proposal.event_id, "✅")  # not a moderator of the organizing room
    first = await org.maya.react(org.mods, proposal.event_id, "✅")
    await caught_up(org.maya, org.mods, org.bot_id)
    assert votes(org.bot) == ["vote approve: ignored", "vote approve: ignored", "vote approve: counted"]
    await org.maya.redact(org.mods, first)  # taken back: it no longer counts
    await caught_up(org.maya, org.mods, org.bot_id)
    assert votes(org.bot)[3:] == ["vote approve: withdrawn"]
    await org.maya.react(org.mods, proposal.event_id, "✅")  # given again: it counts again, once
    await caught_up(org.maya, org.mods, org.bot_id)
    assert votes(org.bot)[4:] == ["vote approve: counted"]
    assert removals(org.alice, org, org.eve.user_id) == 0

    org.bot.kill()  # the deciding approval comes while the bot is down
    await org.milo.react(org.mods, proposal.event_id, "✅")
    await org.bot.start_ready()
    await org.alice.wait_until(lambda: removals(org.alice, org, org.eve.user_id) == 1, what="the kick")
    await org.alice.wait_until(lambda: "✅ Carried" in proposal_now(org.alice, org, proposal.event_id),
                               what="the proposal to be edited")
    assert "You have been removed" in (await direct_notice(org.eve, org, "removed from")).body
    org.bot.kill()
    await org.bot.start_ready()
    marker = await org.alice.send(org.room, "!help")
    await org.alice.reply_to(org.room, marker, org.bot_id)
    assert removals(org.alice, org, org.eve.user_id) == 1
    assert [e["action"] for e in audit(org.bot)].count("removed from the room") == 1


def audit(bot: BotProcess) -> list[dict]:
    result = subprocess.run([sys.executable, "-m", "scorebot", "audit", "export", "--config", str(bot.config_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def votes(bot: BotProcess) -> list[str]:
    """The votes on removals as the audit log holds them, oldest first."""
    return [entry["action"] for entry in audit(bot) if entry["action"].startswith("vote")]


async def test_rejection_expiry_admins_and_a_ban_that_lifts(world: World):
    org = await organization(world, proposal_expiry=3, removal_duration=3)
    admin = await ask(org.maya, org.room, org, f"!remove {org.alice.user_id} violence")
    assert admin == "I can't propose that removal: they are a moderator or admin of the room."
    moderator = await ask(org.alice, org.room, org, f"!remove {org.maya.user_id} violence")
    assert "moderator or admin" in moderator
    unwarned = await ask(org.alice, org.room, org, f"!remove {org.bob.user_id}")
    assert "not been asked to stop" in unwarned

    await org.alice.send(org.room, f"!remove {org.bob.user_id} violence threatened someone")
    rejected = await org.maya.wait_for(lambda s: s.room_id == org.mods and s.body.startswith("🛑 Removal"),
                                       what="the first proposal")
    await org.maya.react(org.mods, rejected.event_id, "❌")
    await org.maya.wait_until(lambda: "❌ Rejected by maya" in proposal_now(org.maya, org, rejected.event_id),
                              what="the rejection")
    await org.milo.react(org.mods, rejected.event_id, "✅")  # a settled proposal stays settled

    await org.alice.send(org.room, f"!remove {org.eve.user_id} doxing posted an address")
    expiring = await org.maya.wait_for(lambda s: s.room_id == org.mods and s.body.startswith("🛑 Removal")
                                       and s.event_id != rejected.event_id, what="the second proposal")
    await org.maya.wait_until(lambda: "⌛ Expired" in proposal_now(org.maya, org, expiring.event_id), timeout=15,
                              what="the proposal to expire")
    await org.maya.react(org.mods, expiring.event_id, "✅")
    await caught_up(org.maya, org.mods, org.bot_id)
    assert votes(org.bot)[-1] == "vote approve: ignored"
    assert removals(org.alice, org, org.bob.user_id) == 0
    assert removals(org.alice, org, org.eve.user_id, "ban") == 0

    await org.alice.send(org.room, f"!remove {org.eve.user_id} doxing again")
    carried = await org.maya.wait_for(lambda s: s.room_id == org.mods and s.body.startswith("🛑 Removal")
                                      and s.event_id not in (rejected.event_id, expiring.event_id),
                                      what="the third proposal")
    await org.maya.react(org.mods, carried.event_id, "✅")
    await org.alice.wait_until(lambda: removals(org.alice, org, org.eve.user_id, "ban") == 1, what="the ban")
    await org.alice.wait_until(lambda: any(isinstance(s.event, RoomMemberEvent) and s.event.state_key == org.eve.user_id
                                           and s.event.prev_membership == "ban" and s.event.membership == "leave"
                                           for s in org.alice.seen), timeout=20, what="the ban to lift")


async def test_escalation_thread_and_removal_from_every_room(world: World):
    org = await organization(world)
    await command(org.alice, org.room, org, f"!warn {org.eve.user_id} insults")
    await command(org.maya, org.mods, org, f"!escalate {org.eve.user_id} this keeps happening")
    root = await org.ida.wait_for(lambda s: s.room_id == org.igo and s.body.startswith("📁 Case #"),
                                  what="the case's thread root")
    assert "escalated: this keeps happening" in root.body
    timeline = await org.ida.wait_for(lambda s: s.room_id == org.igo and (s.content.get("m.relates_to") or {})
                                      .get("event_id") == root.event_id and "asked to stop by alice" in s.body,
                                      what="the timeline in the thread")
    assert timeline.content["m.relates_to"]["rel_type"] == "m.thread"

    await command(org.maya, org.room, org, f"!warn {org.eve.user_id} lifestyle again")
    later = await org.ida.wait_for(lambda s: s.room_id == org.igo and "[lifestyle]" in s.body, what="a later step")
    assert later.content["m.relates_to"] == {"rel_type": "m.thread", "event_id": root.event_id,
                                             "is_falling_back": True, "m.in_reply_to": {"event_id": root.event_id}}

    thread = {"m.relates_to": {"rel_type": "m.thread", "event_id": root.event_id}}
    asked = await org.ida.send(org.igo, "!remove-everywhere repeated harm", extra=thread)
    proposal = await org.ida.wait_for(lambda s: s.room_id == org.igo and s.body.startswith("Removal from every room"),
                                      what="the proposal in the thread")
    assert asked and proposal.content["m.relates_to"]["event_id"] == root.event_id
    await org.ida.react(org.igo, proposal.event_id, "✅")  # the proposer's own approval counts for nothing
    await caught_up(org.ida, org.igo, org.bot_id)
    assert votes(org.bot) == ["vote approve: ignored"]
    assert removals(org.alice, org, org.eve.user_id) == 0
    await org.ivan.react(org.igo, proposal.event_id, "✅")
    await org.alice.wait_until(lambda: removals(org.alice, org, org.eve.user_id) == 1, what="removal everywhere")
    await org.ida.send(org.igo, "!note spoke with them by phone", extra=thread)
    await org.ida.send(org.igo, "!resolve removed from the organization", extra=thread)
    case = await ask(org.ivan, org.igo, org, f"!case {org.eve.user_id}")
    assert "resolved" in case and "note by ida" in case and "removed from every room" in case


async def test_a_room_the_bot_was_removed_from_holds_up_no_other_room_and_gets_its_words_later(world: World):
    org = await organization(world, removal_approvals=1)
    await org.alice.client.room_kick(org.mods, org.bot_id, "testing")
    await org.alice.wait_until(lambda: org.bot_id not in org.alice.client.rooms[org.mods].users,
                               what="the bot to be out of the moderators' room")
    await command(org.alice, org.room, org, f"!warn {org.eve.user_id}")
    # The proposal is for the moderators' room, where the bot can no longer write: it waits there.
    await command(org.alice, org.room, org, f"!remove {org.eve.user_id} kept going")
    asked = await org.bob.send(org.room, "!help")
    await org.bob.reply_to(org.room, asked, org.bot_id, timeout=10)
    assert proposals(org.alice, org) == []
    # Invited back, the bot joins at once (a join never waits behind what is parked for the room),
    # and the proposal that waited arrives there, once.
    await org.alice.client.room_invite(org.mods, org.bot_id)
    await org.alice.wait_until(lambda: proposals(org.alice, org), timeout=30, what="the proposal that waited")
    marker = await org.alice.send(org.mods, "!help")
    await org.alice.reply_to(org.mods, marker, org.bot_id)  # a duplicate would come before this answer
    assert len(proposals(org.alice, org)) == 1
