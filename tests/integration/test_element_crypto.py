"""Encryption as Element does it in 2026, tried with Element's own crypto engine (matrix-js-sdk with
Rust crypto): members who exclude insecure devices, in an encrypted room and an encrypted direct chat."""

from __future__ import annotations

import pytest
import yaml

from scorebot.homeserver import RegisteredUser
from tests.conftest import World
from tests.support.element_member import ElementMember, available

pytestmark = pytest.mark.skipif(available() is not None, reason=available() or "")


async def element_member(world: World, name: str, **crypto) -> ElementMember:
    user = world.server.register(world.name(name))
    member = await ElementMember(world.server.url, user, **crypto).start()
    world.cleanups.append(member.stop)
    return member


async def test_a_member_who_excludes_insecure_devices_is_answered_without_a_shield(world: World):
    alice = await world.member("alice")
    ella = await element_member(world, "ella")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, ella.user_id), encrypted=True, power={bot_id: 100})
    await ella.do("join", room=room)
    bot = world.bot(world.bot_config([room]))
    await bot.start_ready()
    await alice.member_joined(room, bot_id)

    asked = await ella.send(room, "!help")
    answer = await ella.wait_reply(room, asked, bot_id, timeout=30)
    assert answer["decrypted"] and "What I can do for you here" in answer["body"]
    assert answer["shield"] == 0, answer  # EventShieldColour.NONE: no red "not verified by its owner"

    dm = (await ella.do("open_direct_chat", user=bot_id))["room_id"]
    asked = await ella.send(dm, "!help")
    answer = await ella.wait_reply(dm, asked, bot_id, timeout=30)
    assert answer["decrypted"] and answer["shield"] == 0, answer


async def test_a_session_not_cross_signed_gets_no_confidential_keys_and_its_approval_does_not_count(world: World):
    alice, ida = await world.member("alice"), await world.member("ida")
    ulla = await element_member(world, "ulla", cross_sign=False, only_signed=False)  # a session never verified
    eve = await world.member("eve")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, ulla.user_id, eve.user_id),
                                   power={bot_id: 100, ulla.user_id: 50})
    mods = await alice.create_room("Moderators", (bot_id, ulla.user_id), encrypted=True, power={bot_id: 100})
    igo = await alice.create_room("IGO", (bot_id, ida.user_id, ulla.user_id), encrypted=True, power={bot_id: 100})
    for joined in (room, mods, igo):
        await ulla.do("join", room=joined)
    await ida.join(igo)
    await eve.join(room)
    bot = world.bot(world.bot_config([room], moderators=mods, igo=igo))
    await bot.start_ready()
    for joined in (room, mods, igo):
        await alice.member_joined(joined, bot_id)

    # The IGO room is confidential: ida (cross-signed) reads the bot there, ulla's session cannot.
    asked = await ida.send(igo, "!help")
    answer = await ida.reply_to(igo, asked, bot_id, timeout=30)
    assert "What I can do for you here" in answer.body
    seen_by_ulla = await ulla.do("event", room=igo, event_id=answer.event_id)
    assert not seen_by_ulla["decrypted"] and "What I can do" not in str(seen_by_ulla), seen_by_ulla

    # A moderator's ✅ from that session does not count, and they are told why and what to do.
    await alice.send(room, f"!warn {eve.user_id}")
    await alice.send(room, f"!remove {eve.user_id} kept going")
    proposal = await alice.wait_for(lambda s: s.room_id == mods and s.sender == bot_id
                                    and s.body.startswith("🛑 Removal proposal"), what="the proposal", timeout=30)
    vote = await ulla.do("react", room=mods, event=proposal.event_id, key="✅")
    told = await alice.wait_for(lambda s: s.room_id == mods and s.sender == bot_id and "does not count yet" in s.body,
                                what="the explanation", timeout=30)
    assert "verify" in told.body and told.content["m.mentions"] == {"user_ids": [ulla.user_id]}
    assert vote["event_id"] and eve.user_id in alice.client.rooms[room].users  # not removed


async def test_the_identity_survives_restarts_and_is_never_reset_silently(world: World):
    alice = await world.member("alice")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id,))
    bot = world.bot(world.bot_config([room]))
    await bot.start_ready()
    first = master_key(world, bot_id)
    bot.stop()
    await bot.start_ready()
    assert master_key(world, bot_id) == first and bot.log().count("Published the bot's cross-signing identity") == 1
    bot.stop()

    # The identity file is lost while the account keeps its identity: the bot stops and says what to do.
    (bot.config_path.parent / "data" / "cross_signing.json").unlink()
    bot.start()
    assert bot.process.wait(timeout=60) == 1
    assert "already has a cross-signing identity" in bot.log() and "cross_signing.reset" in bot.log()
    assert master_key(world, bot_id) == first

    # The opt-in reset makes a new identity (the account's password answers the homeserver's question).
    config = yaml.safe_load(bot.config_path.read_text())
    config.update(password=world.bot_user.password, cross_signing={"reset": True})
    bot.config_path.write_text(yaml.safe_dump(config))
    await bot.start_ready()
    assert master_key(world, bot_id) not in (None, first)


def master_key(world: World, user_id: str) -> str | None:
    answer = world.server.client_request(world.bot_user.access_token, "POST", "/_matrix/client/v3/keys/query",
                                         {"device_keys": {user_id: []}})
    keys = (answer.get("master_keys", {}).get(user_id) or {}).get("keys") or {}
    return next(iter(keys.values()), None)


def second_session(world: World, user: RegisteredUser) -> RegisteredUser:
    """The same member logged in again (a new phone, say): a session nobody has verified."""
    answer = world.server.client_request("", "POST", "/_matrix/client/v3/login", {
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": user.user_id},
        "password": user.password})
    return RegisteredUser(user.user_id, user.password, answer["access_token"], answer["device_id"])


async def test_an_unverified_session_is_told_the_key_was_withheld_and_the_verified_one_reads(world: World):
    user = world.server.register(world.name("ella"))
    ella = await ElementMember(world.server.url, user).start()  # cross-signs this session
    world.cleanups.append(ella.stop)
    phone = await ElementMember(world.server.url, second_session(world, user), cross_sign=False).start()
    world.cleanups.append(phone.stop)
    assert not (await ella.do("device_trust", user=user.user_id, device=phone.device_id))["signed_by_owner"]
    alice = await world.member("alice")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, user.user_id), power={bot_id: 100})
    await ella.do("join", room=room)
    bot = world.bot(world.bot_config([room]))
    await bot.start_ready()
    await alice.member_joined(room, bot_id)

    dm = (await ella.do("open_direct_chat", user=bot_id))["room_id"]
    asked = await ella.send(dm, "!help")
    answer = await ella.wait_reply(dm, asked, bot_id, timeout=30)
    assert answer["decrypted"] and "What I can do for you" in answer["body"], answer

    # The unverified session is told why, and Element's engine says so: withheld, not missing.
    seen = await phone.do("wait_undecryptable", timeout=45, room=dm, event_id=answer["event_id"],
                          failure="MEGOLM_KEY_WITHHELD_FOR_UNVERIFIED_DEVICE", wait_ms=30000)
    assert seen["failure"] == "MEGOLM_KEY_WITHHELD_FOR_UNVERIFIED_DEVICE", seen
    assert not seen["decrypted"] and "What I can do" not in str(seen)
    told = (await phone.do("withheld", room=dm))["withheld"]
    assert [(t["sender"], t["code"]) for t in told if t["session_id"] == answer["session_id"]] == [
        (bot_id, "m.unverified")], told
    assert not (await ella.do("withheld", room=dm))["withheld"]  # the verified session got the key


async def test_an_unverified_session_refused_in_the_igo_room_can_read_why_and_nothing_confidential(world: World):
    alice, bob, ida = await world.member("alice"), await world.member("bob"), await world.member("ida")
    ulla = await element_member(world, "ulla", cross_sign=False, only_signed=False)  # an IGO, never verified
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id, bob.user_id, ulla.user_id), encrypted=True,
                                   power={bot_id: 100})
    # ida makes the IGO room: everyone in it reads every report, and the report below is about alice.
    igo = await ida.create_room("IGO", (bot_id, ulla.user_id), encrypted=True, power={bot_id: 100})
    await bob.join(room)
    for joined in (room, igo):
        await ulla.do("join", room=joined)
    bot = world.bot(world.bot_config([room], igo=igo))
    await bot.start_ready()
    for who, joined in ((alice, room), (ida, igo)):
        await who.member_joined(joined, bot_id)

    dm = await bob.open_direct_chat(bot_id)
    thanks = await bob.reply_to(dm, await bob.send(dm, f"!report {alice.user_id} {SECRET[0]}"), bot_id, timeout=30)
    assert "Your report is #1" in thanks.body
    report = await ida.wait_for(lambda s: s.room_id == igo and s.sender == bot_id and s.body.startswith("Report #1 "),
                                what="report #1's thread")
    thread = {"m.relates_to": {"rel_type": "m.thread", "event_id": report.event_id}}
    asked = await ulla.send(igo, f"!reply {SECRET[1]}", extra=thread)

    # The refusal in the IGO room, which ida reads and ulla's session cannot ...
    refusal = await ida.reply_to(igo, asked, bot_id, timeout=30)
    assert "isn't verified" in refusal.body
    # ... and the same word where ulla's session reads it, saying nothing confidential.
    told = await ulla.do("wait_text", room=room, sender=bot_id, text="isn't verified", wait_ms=30000)
    assert told["decrypted"] and "verify this one" in told["body"], told
    assert told["mentions"] == {"user_ids": [ulla.user_id]}, told
    assert not any(word in told["body"] for word in (*SECRET, "Report", "reply")), told

    # Nothing confidential reached that session: no IGO-room message of the bot's, no report words.
    seen_in_igo = [event for event in (await ulla.do("events", room=igo, sender=bot_id))["events"]
                   if event["type"] in ("m.room.message", "m.room.encrypted")]
    assert seen_in_igo and not any(event["decrypted"] for event in seen_in_igo), seen_in_igo
    everything = str([await ulla.do("events", room=where, sender=bot_id) for where in (room, igo)])
    assert not any(word in everything for word in SECRET)
    assert not any(SECRET[1] in s.body for s in bob.seen)  # and the answer was not passed on


SECRET = ["she follows me home after meetings", "we hear you and will call tomorrow"]
