"""The rooms the config names: found (an alias becomes a room ID) and joined where the bot is not
in them yet. The kind of each (organizing, moderators, IGO, steering) is what the features and the
room views go by."""

from __future__ import annotations

import logging

from nio import AsyncClient

from scorebot.config import ConfigError, RoomsConfig
from scorebot.domain.actions import Join
from scorebot.domain.organization import room_kind_clash
from scorebot.domain.rooms import RoomKind
from scorebot.store import Store

log = logging.getLogger(__name__)


async def resolve_rooms(client: AsyncClient, rooms: RoomsConfig) -> dict[str, RoomKind]:
    """Each configured room's ID and kind; a room that cannot be found is left out, with a log line.
    Two keys naming one room by different aliases (or an alias and its ID) are a `ConfigError`,
    as the same text under both is when the config is read."""
    wanted = [(f"rooms.organizing[{i}]", ref, RoomKind.ORGANIZING) for i, ref in enumerate(rooms.organizing)]
    wanted += [("rooms.moderators", rooms.moderators, RoomKind.MODERATORS), ("rooms.igo", rooms.igo, RoomKind.IGO),
               ("rooms.steering", rooms.steering, RoomKind.STEERING)]
    kinds: dict[str, RoomKind] = {}
    found: list[tuple[str, str]] = []
    for key, ref, kind in wanted:
        if not ref:
            continue
        room_id = ref
        if ref.startswith("#"):
            answer = await client.room_resolve_alias(ref)
            if not hasattr(answer, "room_id"):
                log.error("rooms: cannot find the room %s (%s); skipping it", ref, answer.message)
                continue
            room_id = answer.room_id
        found.append((key, room_id))
        kinds[room_id] = kind
    clash = room_kind_clash(found)
    if clash:
        raise ConfigError("", clash)
    return kinds


async def join_missing(client: AsyncClient, store: Store, kinds: dict[str, RoomKind]) -> None:
    """Join each configured room the bot is not in; an invite to one is already being accepted."""
    for room_id in kinds:
        if room_id not in client.rooms and room_id not in client.invited_rooms:
            await store.run(store.enqueue, [Join(room_id)])
