"""Encrypted events whose room key arrives late: kept, the key asked for, handled once it comes.

In real Element use a key often arrives after the message it opens (a to-device message in a
later sync). Skipping such an event would lose a member's command. The bot keeps the ciphertext
(never a plaintext), asks the sender's devices for the key, and tries again after each sync. After
`connection.key_wait` seconds it gives up; in a direct chat the member is told it could not read
their message.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable

from nio import AsyncClient, EncryptionError, Event, LocalProtocolError, MegolmEvent

from scorebot.domain.signals import KeyWithheld
from scorebot.store import Store

log = logging.getLogger(__name__)


class LateKeys:
    def __init__(self, client: AsyncClient, store: Store, wait_seconds: float):
        self.client = client
        self.store = store
        self.wait_ms = int(wait_seconds * 1000)
        self._any_waiting = True  # not known until the first look; afterwards kept here, so a
        # sync with nothing waiting costs no trip to the database


    async def keep(self, room_id: str, event: MegolmEvent) -> None:
        """An event the bot cannot read yet: keep it and ask for its key."""
        log.info("Waiting for the key of event %s in %s", event.event_id, room_id)
        self._any_waiting = True
        await self.store.run(self.store.keep_waiting, event.event_id, room_id, event.sender,
                             json.dumps(event.source), int(time.time() * 1000))
        with contextlib.suppress(LocalProtocolError):  # already asked for this session
            await self.client.request_room_key(event)

    async def retry(self, handle: Callable[[str, Event], Awaitable[None]],
                    give_up: Callable[[KeyWithheld], Awaitable[None]]) -> None:
        """Handle every kept event whose key has come; give up on those that waited too long."""
        if not self._any_waiting:
            return
        now = int(time.time() * 1000)
        waiting = await self.store.run(self.store.waiting_events)
        self._any_waiting = False  # those still waiting after this look are counted again below
        for event_id, room_id, sender, source, received_at in waiting:
            encrypted = MegolmEvent.from_dict(json.loads(source))
            try:
                event = (self.client.olm.decrypt_megolm_event(encrypted, room_id)
                         if isinstance(encrypted, MegolmEvent) else None)
            except EncryptionError:
                event = None
            if isinstance(event, Event) and not isinstance(event, MegolmEvent):
                await self.store.run(self.store.stop_waiting, event_id)
                log.info("The key of event %s came; handling it now", event_id)
                await handle(room_id, event)
            elif now - received_at <= self.wait_ms:
                self._any_waiting = True
            else:
                await self.store.run(self.store.stop_waiting, event_id)
                log.warning("Gave up waiting for the key of event %s in %s", event_id, room_id)
                session = getattr(encrypted, "session_id", event_id)
                await give_up(KeyWithheld(room_id, f"withheld:{room_id}:{session}", sender, now, code="timeout"))
