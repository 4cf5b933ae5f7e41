"""Sends an event, encrypted where the room is, leaving unverified devices out of a confidential room.

Kept apart from the table of actions (`executor`) because sending is the one delicate step every
message action shares: an encrypted send must first learn the devices of people just invited, leave
out (for that send only) every device its owner has not cross-signed, tell those devices why
(`withheld_keys`), and lift the exclusion again. Such an exclusion marks a device for the whole client
while it lasts, so encrypted sends go one at a time (`_encrypting`, made by the executor).

Also here: the notice every message is made of, and the reading of a homeserver's refusal
(`Refused`, or `TooFast` for a 429).
"""

from __future__ import annotations

from nio import RoomSendResponse

from scorebot.domain.limits import fit
from scorebot.domain.text import Text
from scorebot.matrix.outbox import NotInRoom, Refused, TooFast
from scorebot.matrix.withheld_keys import withheld_keys


def notice_content(text: Text) -> dict:
    """A notice that fits one event (see `domain.limits`): a text too long is shortened, never refused."""
    text = fit(text)
    return {
        "msgtype": "m.notice",
        "body": text.plain,
        "format": "org.matrix.custom.html",
        "formatted_body": text.html,
        "m.mentions": {"user_ids": list(text.mentions)} if text.mentions else {},
    }


class EncryptedSends:
    """The executor's sending part; it needs `client`, `store`, `trust`, `igo_room` and `_encrypting`."""

    async def _send(self, room_id: str, event_type: str, content: dict, txn: str) -> str:
        room = self.client.rooms.get(room_id)
        if room is None:
            raise NotInRoom(f"the bot is not in {room_id} (yet)")
        if not (room.encrypted and self.client.olm):
            return self._sent(await self.client.room_send(room_id, event_type, content, tx_id=txn))
        async with self._encrypting:
            return self._sent(await self._send_encrypted(room_id, room, event_type, content, txn))

    async def _send_encrypted(self, room_id: str, room, event_type: str, content: dict, txn: str):
        # Someone the bot shares no other encrypted room with (just invited to a direct chat)
        # has no known devices yet. Ask now, even if the sync loop's query is under way: a room
        # key shared before their devices are known never reaches them.
        unknown = {user for user in room.users
                   if user != self.client.user_id and not self.client.device_store[user]}
        if unknown:
            self.client.olm.users_for_key_query.update(unknown)
            await self.client.keys_query()
        excluded = await self._exclude_unsigned_devices(room_id, room)
        try:
            sent = await self.client.room_send(room_id, event_type, content, tx_id=txn,
                                               ignore_unverified_devices=True)
            await withheld_keys.tell(self.client, room_id, excluded)  # before lifting: that drops the key
            return sent
        finally:
            for device in excluded:
                self.client.unblacklist_device(device)

    @staticmethod
    def _sent(answer) -> str | None:
        if isinstance(answer, RoomSendResponse):
            return answer.event_id
        if answer.status_code == "M_DUPLICATE_ANNOTATION":
            return None  # the bot had already put this reaction there: the confirmation stands
        _too_fast(answer)
        raise Refused(f"{answer.status_code}: {answer.message}")

    async def _exclude_unsigned_devices(self, room_id: str, room) -> list:
        """In a confidential room, leave out (for this send) every device its owner has not
        cross-signed. nio's blacklist does it: it also drops a room key such a device already
        holds. The blacklist is lifted right after sending, so other rooms are not touched."""
        if self.trust is None:
            return []
        if room_id != self.igo_room and not await self.store.run(self.store.is_confidential_room, room_id):
            return []
        others = [user for user in room.users if user != self.client.user_id]
        signed = await self.trust.signed_devices(others)
        excluded = []
        for user in others:
            for device in self.client.device_store.active_user_devices(user):
                if device.id not in signed.get(user, ()) and not device.blacklisted:
                    self.client.blacklist_device(device)
                    excluded.append(device)
        return excluded


def _too_fast(answer) -> None:
    if getattr(answer, "status_code", None) in ("M_LIMIT_EXCEEDED", 429):
        raise TooFast((getattr(answer, "retry_after_ms", None) or 1000) / 1000)
