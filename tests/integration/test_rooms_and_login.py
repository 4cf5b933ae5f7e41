"""Login that keeps its device, direct chats, strangers' invites, and the bot's own removal."""

from __future__ import annotations

import json
import os
import stat
import urllib.parse

from nio import ErrorResponse, ToDeviceMessage
from nio.crypto.sessions import OutboundGroupSession

from tests.conftest import World
from tests.support.markers import caught_up
from tests.support.meetings import meeting_room
from tests.support.members import Member


async def test_password_login_keeps_one_device_across_restarts(world: World):
    alice = await world.member("alice")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id,), encrypted=True)
    config = world.bot_config([room])
    del config["access_token"]
    config["password"] = world.bot_user.password
    bot = world.bot(config)
    await bot.start_ready()
    session_file = bot.config_path.parent / "data" / "session.json"
    first, token = (json.loads(session_file.read_text())[key] for key in ("device_id", "access_token"))
    assert stat.S_IMODE(os.stat(session_file).st_mode) == 0o600
    bot.stop()
    await bot.start_ready()
    # The saved session was used: a second login would have brought a new access token.
    assert json.loads(session_file.read_text())["device_id"] == first
    assert json.loads(session_file.read_text())["access_token"] == token
    await alice.member_joined(room, bot_id)
    asked = await alice.send(room, "!help")
    answer = await alice.reply_to(room, asked, bot_id, timeout=30)
    assert answer.event.source["content"].get("msgtype") == "m.notice"
    assert first in alice.client.device_store[bot_id]

    # Signed out from another app: the saved session is gone, and the bot logs in again as its device.
    bot.stop()
    saved = json.loads(session_file.read_text())
    world.server.client_request(saved["access_token"], "POST", "/_matrix/client/v3/logout", {})
    await bot.start_ready()
    assert json.loads(session_file.read_text())["device_id"] == first
    assert json.loads(session_file.read_text())["access_token"] != saved["access_token"]
    # Signing out deleted the device's keys: they are published again, and signed by the bot's identity.
    keys = world.server.client_request(alice.user.access_token, "POST", "/_matrix/client/v3/keys/query",
                                       {"device_keys": {bot_id: []}})
    device = keys["device_keys"][bot_id][first]
    ssk = next(iter(keys["self_signing_keys"][bot_id]["keys"]))
    assert ssk in device["signatures"][bot_id]


async def test_direct_chat_from_a_member_is_joined_and_answered(world: World):
    _, bob, _, _ = await meeting_room(world)
    bot_id = world.bot_user.user_id
    dm = await bob.open_direct_chat(bot_id)
    asked = await bob.send(dm, "!help")
    answer = await bob.reply_to(dm, asked, bot_id, timeout=30)
    assert getattr(answer.event, "decrypted", False)

    # Bob's app keeps a message's key from the bot (m.room_key.withheld): the bot tells him why, once.
    withheld = {"algorithm": "m.megolm.v1.aes-sha2", "room_id": dm, "session_id": "a-session",
                "sender_key": bob.client.olm.account.identity_keys["curve25519"], "code": "m.unverified",
                "reason": "The sender has disabled encrypting to unverified devices."}
    for _ in range(2):
        sent = await bob.client.to_device(ToDeviceMessage("m.room_key.withheld", bot_id, world.bot_user.device_id,
                                                          withheld))
        assert not isinstance(sent, ErrorResponse), sent
    told = await bob.wait_for(lambda s: s.room_id == dm and s.sender == bot_id and "couldn't read" in s.body,
                              what="the bot to say it could not read the message", timeout=30)
    assert "doesn't trust my session" in told.body
    marker = await bob.send(dm, "!help")
    await bob.reply_to(dm, marker, bot_id, timeout=30)
    assert len([s for s in bob.seen if s.sender == bot_id and "couldn't read" in s.body]) == 1


def membership(world: World, member: Member, room: str, user_id: str) -> str:
    """`user_id`'s membership of `room` as the homeserver holds it (not as `member`'s app last synced)."""
    path = f"/_matrix/client/v3/rooms/{urllib.parse.quote(room)}/state/m.room.member/{urllib.parse.quote(user_id)}"
    return world.server.client_request(member.user.access_token, "GET", path)["membership"]


async def test_invites_from_strangers_are_ignored(world: World):
    _, bob, bob_room, _ = await meeting_room(world)
    stranger = await world.member("stranger")
    room = await stranger.create_room("Spam", (world.bot_user.user_id,))
    await caught_up(bob, bob_room, world.bot_user.user_id)
    assert membership(world, stranger, room, world.bot_user.user_id) == "invite"


async def test_moderators_hear_when_the_bot_is_kicked(world: World):
    alice = await world.member("alice")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id,))
    mods = await alice.create_room("Moderators", (bot_id,))
    bot = world.bot(world.bot_config([room], moderators=mods))
    await bot.start_ready()
    await alice.member_joined(room, bot_id)
    await alice.member_joined(mods, bot_id)
    await alice.client.room_kick(room, bot_id, "testing")
    notice = await alice.wait_for(lambda s: s.room_id == mods and s.sender == bot_id and "removed from" in s.body,
                                  what="the bot's word about its removal")
    assert "testing" in notice.body
    assert notice.content["m.mentions"] == {"user_ids": [alice.user_id]}
    assert bot.process.poll() is None


async def test_a_direct_chat_waiting_at_the_very_first_start_is_accepted(world: World):
    """Invited everywhere at once before its first start, the bot joins its rooms, learns who the
    members are, and then accepts a member's direct chat instead of ignoring it for good."""
    alice, bob = await world.member("alice"), await world.member("bob")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, bob.user_id))
    await bob.join(room)
    dm = await bob.open_direct_chat(bot_id, wait_join=False)
    stranger = await world.member("stranger")
    spam = await stranger.open_direct_chat(bot_id, wait_join=False)
    bot = world.bot(world.bot_config([room]))
    await bot.start_ready()
    await bob.member_joined(dm, bot_id)
    asked = await bob.send(dm, "!help")
    await bob.reply_to(dm, asked, bot_id, timeout=30)
    await caught_up(bob, dm, bot_id)
    assert membership(world, stranger, spam, bot_id) == "invite"


async def test_a_message_whose_key_comes_late_is_answered_once(world: World):
    """In Element use a room key often arrives after the message it opens: the bot keeps the
    message, and answers it once the key has come."""
    _, bob, _, bot = await meeting_room(world)
    bot_id = world.bot_user.user_id
    dm = await bob.open_direct_chat(bot_id)
    await ask_help(bob, dm, bot_id)  # the chat works, and bob's app knows the bot's device

    olm = bob.client.olm
    olm.create_outbound_group_session(dm)  # a new session, its key not shared yet
    session = olm.outbound_group_sessions[dm]
    # Encrypt with a copy of it, so the session itself (shared below) still starts at this message.
    olm.outbound_group_sessions[dm] = copy = OutboundGroupSession.from_pickle(session.pickle())
    copy.shared = True
    payload = olm.group_encrypt(dm, {"type": "m.room.message", "content": {"msgtype": "m.text", "body": "!help"}})
    olm.outbound_group_sessions[dm] = session
    sent = world.server.client_request(bob.user.access_token, "PUT", f"/_matrix/client/v3/rooms/"
                                       f"{urllib.parse.quote(dm)}/send/m.room.encrypted/late-1", payload)
    await bot.wait_log(f"Waiting for the key of event {sent['event_id']}")
    await bob.client.share_group_session(dm, ignore_unverified_devices=True)
    olm.outbound_group_sessions.pop(dm)  # the copy used its first index: bob's next message takes a new session
    await bob.reply_to(dm, sent["event_id"], bot_id, timeout=30)
    await ask_help(bob, dm, bot_id)
    answers = [s for s in bob.seen if s.room_id == dm and s.sender == bot_id and s.reply_to == sent["event_id"]]
    assert len(answers) == 1


async def ask_help(member, room: str, bot_id: str) -> None:
    asked = await member.send(room, "!help")
    await member.reply_to(room, asked, bot_id, timeout=30)
