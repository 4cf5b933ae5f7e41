"""The room made for the other grievance officers (a report about one of them) follows the officers,
on a real homeserver with real encryption: someone who becomes an officer is invited and reads the
report there, someone who steps down is taken out and reads nothing more, and the person it is
about is never let in."""

from __future__ import annotations

from nio import RoomMemberEvent

from scorebot.domain.conflict_words import NOT_AN_OFFICER_HERE
from tests.conftest import World
from tests.support.organizations import ask, command, direct_notice, organization

WORDS = "ida shouts at me after every meeting"
LATER = "and again on Tuesday, by the door"


async def test_new_officers_are_invited_and_read_it_former_ones_are_taken_out_the_subject_never_gets_in(
        world: World):
    org = await organization(world)  # alice, ida and ivan are in the grievance officers' room
    bob_dm = await org.bob.open_direct_chat(org.bot_id)
    assert "Your report is #1" in await ask(org.bob, bob_dm, org, f"!report {org.ida.user_id} {WORDS}")
    officers = (await direct_notice(org.ivan, org, WORDS)).room_id
    assert officers not in (org.igo, org.mods, org.room)

    # milo becomes a grievance officer: he is invited, welcomed by a pill, and reads the report there.
    await org.alice.client.room_invite(org.igo, org.milo.user_id)
    await org.milo.join(org.igo)
    welcome = await org.milo.wait_for(lambda s: s.room_id == officers and s.sender == org.bot_id
                                      and "is now a grievance officer" in s.body, timeout=30,
                                      what="the welcome in the officers' room")
    assert welcome.content["m.mentions"] == {"user_ids": [org.milo.user_id]}
    assert welcome.content["msgtype"] == "m.notice"
    await org.milo.wait_for(lambda s: s.room_id == officers and WORDS in s.body, timeout=30,
                            what="the report as it stands, readable to milo")

    # ivan steps down: he is taken out with a reason that names no one, and the room hears it.
    await org.ivan.client.room_leave(org.igo)
    kicked = await org.milo.wait_for(lambda s: s.room_id == officers and isinstance(s.event, RoomMemberEvent)
                                     and s.event.state_key == org.ivan.user_id and s.event.membership == "leave",
                                     timeout=30, what="ivan taken out of the officers' room")
    assert kicked.sender == org.bot_id and kicked.content.get("reason") == NOT_AN_OFFICER_HERE
    await org.milo.wait_for(lambda s: s.room_id == officers and "is no longer a grievance officer" in s.body
                            and org.ivan.user_id in s.content["m.mentions"]["user_ids"], timeout=30,
                            what="the room told ivan left as an officer")

    # What bob adds next reaches milo and alice there, and not ivan any more.
    await command(org.bob, bob_dm, org, f"!report 1 {LATER}")
    await org.milo.wait_for(lambda s: s.room_id == officers and LATER in s.body, timeout=30,
                            what="bob's new words in the officers' room")
    await org.alice.wait_for(lambda s: s.room_id == officers and LATER in s.body, timeout=30,
                             what="bob's new words, for alice too")
    assert not [s for s in org.ivan.seen if LATER in s.body]

    # ida, whom it is about, was never let in, through all of it.
    assert set(org.milo.client.rooms[officers].users) == {org.bot_id, org.alice.user_id, org.milo.user_id}
    assert officers not in org.ida.client.rooms and officers not in org.ida.client.invited_rooms
    assert not [s for s in org.ida.seen if s.room_id == officers or WORDS in s.body or LATER in s.body]
