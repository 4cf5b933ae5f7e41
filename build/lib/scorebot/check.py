"""`scorebot check-config`: can the bot log in, and does it stand where it needs to in each room?"""

from __future__ import annotations

from nio import AsyncClient, ErrorResponse, JoinedRoomsResponse, RoomGetStateResponse

from scorebot.config import Config
from scorebot.domain.rooms import RoomKind, RoomView
from scorebot.matrix.session import LoginFailed, connect

# What the bot must be able to do in each kind of room it is given.
_NEEDED = {
    RoomKind.ORGANIZING: ("kick", "ban", "redact", "state"),
    RoomKind.MODERATORS: ("kick",),  # removal from every room includes this one
    RoomKind.IGO: (),
}
_WORDS = {"kick": "remove members (kick)", "ban": "ban members", "redact": "delete messages (redact)",
          "state": "change room settings (send state: to name itself as the room's moderation bot for "
                   "Element's Report dialog, and to lock invitations in a wave)"}


async def check_config(config: Config) -> list[str]:
    """Each problem as one line naming the config key; an empty list means all is well."""
    try:
        client = await connect(config, give_up_after=2)
    except LoginFailed as error:
        return [str(error)]
    except OSError as error:
        return [f"homeserver: cannot reach {config.homeserver} ({error})"]
    try:
        return await _check_rooms(client, config)
    finally:
        await client.close()


async def _check_rooms(client: AsyncClient, config: Config) -> list[str]:
    problems: list[str] = []
    joined = await client.joined_rooms()
    joined_ids = set(joined.rooms) if isinstance(joined, JoinedRoomsResponse) else set()
    wanted = [(f"rooms.organizing[{i}]", ref, RoomKind.ORGANIZING)
              for i, ref in enumerate(config.rooms.organizing)]
    wanted += [("rooms.moderators", config.rooms.moderators, RoomKind.MODERATORS),
               ("rooms.igo", config.rooms.igo, RoomKind.IGO)]
    for key, ref, kind in wanted:
        if not ref:
            if kind is not RoomKind.ORGANIZING:
                problems.append(f"{key}: not set; the features that use it stay off")
            continue
        room_id = ref
        if ref.startswith("#"):
            answer = await client.room_resolve_alias(ref)
            if isinstance(answer, ErrorResponse):
                problems.append(f"{key}: the alias {ref} does not resolve ({answer.message})")
                continue
            room_id = answer.room_id
        if room_id not in joined_ids:
            problems.append(f"{key}: the bot has not joined {ref}; invite it there")
            continue
        view = await _room_view(client, room_id, kind)
        for power in _NEEDED[kind]:
            if not view.can(client.user_id, power):
                problems.append(f"{key}: the bot cannot {_WORDS[power]} in {ref}; "
                                f"give it power level 50 or more there")
    return problems


async def _room_view(client: AsyncClient, room_id: str, kind: RoomKind) -> RoomView:
    answer = await client.room_get_state(room_id)
    events = answer.events if isinstance(answer, RoomGetStateResponse) else []
    by_type = {event.get("type"): event for event in events if event.get("state_key") == ""}
    levels = (by_type.get("m.room.power_levels") or {}).get("content")
    return RoomView.from_state(room_id, kind, by_type.get("m.room.create"), levels)
