"""Each device left out of a room key is told so once per key, in one request, as the spec words it."""

from __future__ import annotations

from types import SimpleNamespace

from scorebot.matrix.withheld_keys import WithheldKeys


class Client:
    device_id = "BOTDEVICE"

    def __init__(self):
        self.olm = SimpleNamespace(outbound_group_sessions={}, account=SimpleNamespace(
            identity_keys={"curve25519": "bot-curve-key"}))
        self.sent = []

    def new_key(self, room_id: str, session_id: str) -> None:
        self.olm.outbound_group_sessions[room_id] = SimpleNamespace(id=session_id)

    async def to_device(self, message, tx_id=None):
        self.sent.append((message.type, message.as_dict()))
        return SimpleNamespace()


def device(user_id: str, device_id: str):
    return SimpleNamespace(user_id=user_id, id=device_id)


async def test_each_left_out_device_is_told_once_per_key():
    client, withheld = Client(), WithheldKeys()
    phone, tablet = device("@ulla:x", "PHONE"), device("@ulla:x", "TABLET")
    client.new_key("!dm:x", "key-1")
    await withheld.tell(client, "!dm:x", [phone, tablet])
    await withheld.tell(client, "!dm:x", [phone])  # the same key again: nothing more to say
    assert len(client.sent) == 1
    kind, body = client.sent[0]
    assert kind == "m.room_key.withheld" and set(body["messages"]["@ulla:x"]) == {"PHONE", "TABLET"}
    told = body["messages"]["@ulla:x"]["PHONE"]
    assert {k: told[k] for k in ("algorithm", "room_id", "session_id", "sender_key", "code", "from_device")} == {
        "algorithm": "m.megolm.v1.aes-sha2", "room_id": "!dm:x", "session_id": "key-1",
        "sender_key": "bot-curve-key", "code": "m.unverified", "from_device": "BOTDEVICE"}

    client.new_key("!dm:x", "key-2")  # a new key is a new word
    await withheld.tell(client, "!dm:x", [phone])
    assert [list(body["messages"]["@ulla:x"]) for _, body in client.sent] == [["PHONE", "TABLET"], ["PHONE"]]
    assert client.sent[1][1]["messages"]["@ulla:x"]["PHONE"]["session_id"] == "key-2"


async def test_nothing_is_sent_when_no_device_was_left_out_or_no_key_exists():
    client, withheld = Client(), WithheldKeys()
    await withheld.tell(client, "!dm:x", [device("@ulla:x", "PHONE")])  # no key made for this room
    client.new_key("!dm:x", "key-1")
    await withheld.tell(client, "!dm:x", [])
    assert client.sent == []
