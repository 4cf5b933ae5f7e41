"""What members already do in their apps reaches the bot without a command: a report to the room's
moderation bot (MSC3215, from clients that still send one: Element removed it in 2026), Element's
Report button read from the homeserver with an admin's token, and hands raised in Element Call
that go down with the call."""

from __future__ import annotations

import urllib.parse

from tests.conftest import World
from tests.support.meetings import CALL_MEMBER, organizing, queue, start_meeting
from tests.support.organizations import organization
from tests.support.report_threads import in_thread, root

MODERATED_BY = "org.matrix.msc3215.room.moderation.moderated_by"
WORDS = ["he keeps sending me messages at night", "about a person: he follows me around"]


async def test_a_report_to_the_moderation_bot_from_another_client_reaches_the_igos_no_admin_needed(world: World):
    admin = world.server.register(world.name("admin"), admin=True)  # a server admin, apart from the bot
    org = await organization(world, reports={"poll_interval": 0.5, "admin_token": admin.access_token})
    said = await org.eve.send(org.room, "you'll regret this")

    # The bot names itself as the room's moderation bot, where such clients look for it.
    quoted = urllib.parse.quote(org.room)
    state = await org.alice.wait_until(lambda: _moderated_by(world, org, quoted), what="the moderated_by state")
    assert state["user_id"] == org.bot_id

    # Such a client's report: an abuse report sent to the bot in a direct chat.
    dm = await org.bob.open_direct_chat(org.bot_id)
    await org.bob.send_event(dm, "org.matrix.msc3215.abuse.report", {
        "event_id": said, "room_id": org.room, "moderated_by_id": state["room_id"],
        "nature": "org.matrix.msc3215.abuse.nature.toxic", "reporter": org.bob.user_id, "comment": WORDS[0]})
    first = await root(org.ida, org, 1)
    assert org.eve.user_id in first.body
    await in_thread(org.ida, org, first.event_id, "through their app's report to moderators")
    await in_thread(org.ida, org, first.event_id, "Evidence: “you'll regret this”")
    await in_thread(org.ida, org, first.event_id, WORDS[0])
    await org.bob.wait_for(lambda s: s.room_id == dm and s.sender == org.bot_id and "Your report is #1" in s.body,
                           what="the reporter's thanks")

    # The homeserver's reports, read with the admin's token although the bot is no admin: on a
    # message, and on a person.
    event = urllib.parse.quote(said)
    world.server.client_request(org.milo.user.access_token, "POST",
                                f"/_matrix/client/v3/rooms/{quoted}/report/{event}", {"reason": "threatening"})
    second = await root(org.ida, org, 2)
    await in_thread(org.ida, org, second.event_id, "through the Report button")
    world.server.client_request(org.maya.user.access_token, "POST",
                                f"/_matrix/client/v3/users/{urllib.parse.quote(org.eve.user_id)}/report",
                                {"reason": WORDS[1]})
    third = await root(org.ida, org, 3)
    assert org.eve.user_id in third.body
    await in_thread(org.ida, org, third.event_id, WORDS[1])

    # Nothing of it anywhere else.
    others = [str(s.source) for m in (org.alice, org.maya, org.eve) for s in m.seen
              if s.sender == org.bot_id and s.room_id != org.igo]
    assert not [text for text in others for words in WORDS if words in text]
    for words in WORDS:
        assert words not in org.bot.log()


def _moderated_by(world: World, org, quoted: str):
    try:
        return world.server.client_request(org.alice.user.access_token, "GET",
                                           f"/_matrix/client/v3/rooms/{quoted}/state/{MODERATED_BY}")
    except OSError:
        return None


async def test_a_call_hand_goes_down_with_the_call(world: World):
    alice, (gina, hugo), room, _ = await organizing(world, "gina", "hugo")
    bot_id = world.bot_user.user_id
    await start_meeting(alice, room, bot_id)
    for member in (gina, hugo):
        call = await member.client.room_put_state(room, CALL_MEMBER, {
            "application": "m.call", "call_id": "", "scope": "m.room", "device_id": member.user.device_id,
            "focus_active": {"type": "livekit"}}, state_key=f"_{member.user_id}_{member.user.device_id}")
        await member.react(room, call.event_id, "🖐️")
        await alice.checked(room, bot_id, call.event_id)
    names = [alice.client.rooms[room].user_name(m.user_id) for m in (gina, hugo)]
    await alice.board_shows(room, bot_id, lambda board: queue(board) == names)

    # Gina leaves the call: her membership is emptied. Hugo's is sent anew (a new device session).
    await gina.client.room_put_state(room, CALL_MEMBER, {}, state_key=f"_{gina.user_id}_{gina.user.device_id}")
    await alice.board_shows(room, bot_id, lambda board: queue(board) == names[1:])
    await hugo.client.room_put_state(room, CALL_MEMBER, {
        "application": "m.call", "call_id": "", "scope": "m.room", "device_id": hugo.user.device_id,
        "focus_active": {"type": "livekit"}, "expires": 7200000}, state_key=f"_{hugo.user_id}_{hugo.user.device_id}")
    await alice.board_shows(room, bot_id, lambda board: queue(board) == [])
