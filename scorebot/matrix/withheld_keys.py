"""Telling a device that was left out of a room key why, as the spec asks (`m.room_key.withheld`).

In a confidential room the bot shares each key only with devices their owner cross-signed (see
`encrypted_send`). A device left out without a word waits for the key for
good: Element shows "waiting for this message". Told with the code `m.unverified`, Element says
the message was not sent to this unverified session, so its owner knows to verify it.

The event goes as a plain to-device message: it holds no secret (the room, the key's ID, the
bot's device key), and a device the bot shares no Olm session with must be told too.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from uuid import uuid4

from nio import AsyncClient, ToDeviceError

log = logging.getLogger(__name__)

WITHHELD = "m.room_key.withheld"
UNVERIFIED = "m.unverified"
REASON = "The sender shares keys only with sessions verified by their owner."
_REMEMBERED = 4096  # (key, device) pairs told, newest kept: enough to never tell one twice in a row


class _Batch:
    """One to-device request for many devices; duck-typed as nio's `ToDeviceMessage`."""

    def __init__(self, messages: dict[str, dict[str, dict]]):
        self.type = WITHHELD
        self.messages = messages

    def as_dict(self) -> dict:
        return {"messages": self.messages}


def withheld_content(room_id: str, session_id: str, sender_key: str) -> dict:
    return {"algorithm": "m.megolm.v1.aes-sha2", "room_id": room_id, "session_id": session_id,
            "sender_key": sender_key, "code": UNVERIFIED, "reason": REASON}


class WithheldKeys:
    """Tells each left-out device once per room key (Megolm session)."""

    def __init__(self) -> None:
        self._told: OrderedDict[tuple[str, str, str], None] = OrderedDict()

    def to_tell(self, session_id: str, devices) -> list:
        """The devices not yet told about this key; remembered as told from now on."""
        fresh = []
        for device in devices:
            told = (session_id, device.user_id, device.id)
            if told in self._told:
                continue
            self._told[told] = None
            fresh.append(device)
        while len(self._told) > _REMEMBERED:
            self._told.popitem(last=False)
        return fresh

    async def tell(self, client: AsyncClient, room_id: str, devices) -> None:
        """After a send: tell `devices` that the room's current key was withheld from them.
        Best effort: a failure is logged and costs only Element's clearer wording."""
        session = client.olm.outbound_group_sessions.get(room_id) if client.olm else None
        if session is None or not devices:
            return
        fresh = self.to_tell(session.id, devices)
        if not fresh:
            return
        content = withheld_content(room_id, session.id, client.olm.account.identity_keys["curve25519"])
        messages: dict[str, dict[str, dict]] = {}
        for device in fresh:
            messages.setdefault(device.user_id, {})[device.id] = {**content, "from_device": client.device_id}
        try:
            answer = await client.to_device(_Batch(messages), tx_id=f"scorebot.withheld.{uuid4().hex}")
        except Exception as error:  # never let the explanation stop the message that went out
            log.warning("Could not tell %d left-out device(s) why: %s", len(fresh), error)
            return
        if isinstance(answer, ToDeviceError):
            log.warning("Could not tell %d left-out device(s) why: %s", len(fresh), answer.message)


withheld_keys = WithheldKeys()  # one bot, one device: what it told is remembered for the process
