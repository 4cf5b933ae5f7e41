"""Confidential reports on a real homeserver: three ways in, the IGO thread, and what stays private."""

from __future__ import annotations

import urllib.parse

from nio import RedactionEvent

from tests.conftest import World
from tests.support.members import Member
from tests.support.organizations import Org, command, direct_notice, organization
from tests.support.report_threads import in_thread, root

SECRET_WORDS = ["she threatened me after the meeting", "she posted my home address", "yes, after 5pm",
                "we would like to talk it through", "button report reason", "more from the button reporter"]


async def open_direct_chat(member: Member, org: Org, room_version: str | None = None) -> str:
    return await member.open_direct_chat(org.bot_id, room_version)


async def test_reports_from_every_way_in_stay_with_the_igos(world: World):
    world.bot_user = world.server.register(world.name("scorebot"), admin=True)  # to read the Report button
    org = await organization(world, reports={"poll_interval": 0.5})
    rita, tina = await world.member("rita"), await world.member("tina")  # they never speak in the room
    for member in (rita, tina):
        await org.alice.client.room_invite(org.room, member.user_id)
        await member.join(org.room)
    threat = await org.eve.send(org.room, "I know where you live")

    # 1. In a direct chat, by name.
    bob_dm = await open_direct_chat(org.bob, org)
    thanks = await org.bob.reply_to(bob_dm, await org.bob.send(
        bob_dm, f"!report {org.eve.user_id} {SECRET_WORDS[0]}"), org.bot_id, timeout=30)
    assert "Your report is #1" in thanks.body
    first = await root(org.ida, org, 1)
    assert "about eve-" in first.body and org.eve.user_id in first.body and first.body.endswith("· open")
    bob_name = org.bob.user_id.split(":")[0][1:]  # Synapse's default display name
    await in_thread(org.ida, org, first.event_id, f"Reported by {bob_name} ({org.bob.user_id})")
    await in_thread(org.ida, org, first.event_id, SECRET_WORDS[0])

    # 2. A 🚩 on the message: gone at once, then the reporter is asked in a direct chat.
    flag = await rita.react(org.room, threat, "🚩")
    redaction = await org.eve.wait_for(lambda s: isinstance(s.event, RedactionEvent) and s.event.redacts == flag,
                                       what="the 🚩 to be taken away")
    flagged = next(s for s in org.eve.seen if s.event_id == flag)
    assert redaction.event.server_timestamp - flagged.event.server_timestamp < 1000
    asked = await direct_notice(rita, org, "Your report is #2")
    # Nothing the reported member can read in the room ties rita to a report, the redaction included.
    assert redaction.event.reason is None and "reason" not in redaction.content
    assert not [s.body for s in org.eve.seen if s.room_id == org.room and s.sender == org.bot_id
                and (rita.user_id in str(s.source) or "report" in s.body.lower())]
    answer = await rita.send(asked.room_id, SECRET_WORDS[1], reply_to=asked.event_id)
    await rita.checked(asked.room_id, org.bot_id, answer)
    second = await root(org.ida, org, 2)
    await in_thread(org.ida, org, second.event_id, "Reported by a member (anonymous)")
    await in_thread(org.ida, org, second.event_id, "Evidence: “I know where you live”")
    await in_thread(org.ida, org, second.event_id, f"The reporter adds: {SECRET_WORDS[1]}")

    # 3. The client's own Report button, read through the admin API.
    room, event = urllib.parse.quote(org.room), urllib.parse.quote(threat)
    world.server.client_request(tina.user.access_token, "POST", f"/_matrix/client/v3/rooms/{room}/report/{event}",
                                {"reason": SECRET_WORDS[4]})
    third = await root(org.ida, org, 3)
    assert org.eve.user_id in third.body
    await in_thread(org.ida, org, third.event_id, "through the Report button")
    await in_thread(org.ida, org, third.event_id, SECRET_WORDS[4])

    # The IGOs at work: assign, answer as the IGO team, hear back, a room of their own, resolve.
    thread = {"m.relates_to": {"rel_type": "m.thread", "event_id": first.event_id}}
    await org.ida.send(org.igo, "!assign", extra=thread)
    await org.ida.wait_until(lambda: any(s.content.get("m.new_content", {}).get("body", "").endswith(
        "· taken on by ida-" + org.ida.user_id.split("-")[1].split(":")[0]) for s in org.ida.seen),
        what="the root to show the assignment")
    await org.ida.send(org.igo, f"!reply {SECRET_WORDS[3]}", extra=thread)
    relayed = await direct_notice(org.bob, org, SECRET_WORDS[3])
    assert "From the grievance officers" in relayed.body and "ida" not in relayed.body
    back = await org.bob.send(relayed.room_id, SECRET_WORDS[2], reply_to=relayed.event_id)
    await org.bob.checked(relayed.room_id, org.bot_id, back)
    await in_thread(org.ida, org, first.event_id, f"The reporter adds: {SECRET_WORDS[2]}")

    await command(org.ida, org.igo, org, "!room-for 1")
    private = await org.ida.wait_until(lambda: next((r for r, info in org.ida.client.rooms.items()
                                                     if info.name == "Report #1"), None), what="the report's room")
    info = org.ida.client.rooms[private]
    assert set(info.users) == {org.bot_id, org.ida.user_id} and info.encrypted
    await org.ida.send(org.igo, "!resolve talked it through together", extra=thread)
    await direct_notice(org.bob, org, "has been resolved by the grievance officers: talked it through together")

    # No one else can use or read reports, not even by guessing numbers.
    eve_dm = await open_direct_chat(org.eve, org)
    guess = await org.eve.send(eve_dm, "!report 1 hello?")
    assert (await org.eve.reply_to(eve_dm, guess, org.bot_id, timeout=30)).body == "You have no report #1."
    refused = await org.eve.send(eve_dm, "!assign")
    assert "grievance officers' room" in (await org.eve.reply_to(eve_dm, refused, org.bot_id)).body
    moderator = await org.maya.send(org.mods, "!reply hello", extra={})
    assert "grievance officers' room" in (await org.maya.reply_to(org.mods, moderator, org.bot_id)).body

    # A restart takes in no Report-button report twice and loses no open report.
    org.bot.kill()
    await org.bot.start_ready()
    tina_dm = (await direct_notice(tina, org, "Your report is #3")).room_id
    await command(tina, tina_dm, org, f"!report 3 {SECRET_WORDS[5]}")
    await in_thread(org.ida, org, third.event_id, f"The reporter adds: {SECRET_WORDS[5]}")
    roots = [s for s in org.ida.notices(org.igo, org.bot_id) if s.body.startswith("Report #")]
    assert len(roots) == 3

    # What stays private: no report text outside the IGO side; no anonymous reporter named by the bot.
    public = [s for s in org.alice.seen if s.room_id in (org.room, org.mods)]
    public += [s for s in org.maya.seen if s.room_id == org.mods]
    for words in SECRET_WORDS:
        assert not [s for s in public if words in str(s.source)], words
    bot_said = [str(s.source) for s in public if s.sender == org.bot_id]
    assert not [text for text in bot_said if rita.user_id in text or tina.user_id in text]
    log = org.bot.log()
    for secret in [*SECRET_WORDS, rita.user_id, tina.user_id]:
        assert secret not in log, secret
