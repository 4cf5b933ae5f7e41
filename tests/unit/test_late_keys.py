"""Encrypted events waiting for their key: handled once it comes, given up after the wait."""

from types import SimpleNamespace

import pytest
from nio import EncryptionError, MegolmEvent, RoomMessageText

from scorebot.matrix.late_keys import LateKeys
from scorebot.store import Store

SOURCE = {"type": "m.room.encrypted", "event_id": "$late", "sender": "@bob:x", "origin_server_ts": 5,
          "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgA", "sender_key": "k",
                      "session_id": "s1", "device_id": "BOB"}}


class Olm:
    def __init__(self):
        self.key_came = False

    def decrypt_megolm_event(self, event, room_id):
        if not self.key_came:
            raise EncryptionError("no session found")
        assert room_id == "!dm:x"  # the kept event names no room: it is given
        return RoomMessageText.from_dict({**SOURCE, "type": "m.room.message",
                                          "content": {"msgtype": "m.text", "body": "!help"}})


@pytest.fixture
async def late(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    await store.run(store.open)

    async def request_room_key(event):
        return None

    client = SimpleNamespace(olm=Olm(), request_room_key=request_room_key)
    yield LateKeys(client, store, wait_seconds=60), client, store
    store.close()


async def test_an_event_is_handled_once_when_its_key_comes(late):
    keys, client, store = late
    handled, given_up = [], []

    async def handle(room_id, event):
        handled.append((room_id, event.body))

    async def give_up(signal):
        given_up.append(signal)

    await keys.keep("!dm:x", MegolmEvent.from_dict(SOURCE))
    await keys.retry(handle, give_up)
    assert handled == [] and given_up == []
    client.olm.key_came = True
    await keys.retry(handle, give_up)
    await keys.retry(handle, give_up)
    assert handled == [("!dm:x", "!help")] and given_up == []
    assert await store.run(store.waiting_events) == []


async def test_a_key_that_never_comes_is_given_up_and_the_member_told(late):
    keys, _, store = late
    given_up = []

    async def give_up(signal):
        given_up.append(signal)

    await keys.keep("!dm:x", MegolmEvent.from_dict(SOURCE))
    store.db.execute_sql("UPDATE waitingevent SET received_at = 0")
    await keys.retry(lambda *_: None, give_up)
    [signal] = given_up
    assert (signal.room_id, signal.sender, signal.code, signal.event_id) == ("!dm:x", "@bob:x", "timeout",
                                                                            "withheld:!dm:x:s1")
    assert await store.run(store.waiting_events) == []


async def test_after_a_sync_with_nothing_waiting_the_database_is_not_asked_again(late):
    """After each sync the bot tries the kept events again: with none kept, that costs nothing.
    An event kept by an earlier run of the bot is still found at the first look."""
    keys, client, store = late
    looks = []
    waiting_events = store.waiting_events

    def counted():
        looks.append(1)
        return waiting_events()

    store.waiting_events = counted
    handled = []

    async def handle(room_id, event):
        handled.append(event.body)

    await keys.retry(handle, lambda _signal: None)
    await keys.retry(handle, lambda _signal: None)
    assert len(looks) == 1  # the first look finds none; the next sync does not ask
    await keys.keep("!dm:x", MegolmEvent.from_dict(SOURCE))
    await keys.retry(handle, lambda _signal: None)
    await keys.retry(handle, lambda _signal: None)
    assert len(looks) == 3  # still waiting for its key: looked at after each sync
    restarted = LateKeys(client, store, wait_seconds=60)  # the bot restarts; the event waits in the database
    client.olm.key_came = True
    await restarted.retry(handle, lambda _signal: None)
    assert handled == ["!help"]
