"""`scorebot check-config`: can the bot log in, and does it stand where it needs to in each room?

It tells the truth an admin needs: a room the bot is only invited to is fine (it joins when it
starts); a room that does not exist is named as such; a configured password is tried even when a
saved session would do, since the bot falls back on it one day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    JoinedRoomsResponse,
    JoinResponse,
    LoginResponse,
    RoomGetStateResponse,
    SyncResponse,
)

from scorebot.config import Config, ConfigError
from scorebot.domain.organization import room_kind_clash, who_holds_each_role
from scorebot.domain.rooms import Roles, RoomKind, RoomView
from scorebot.matrix.session import LoginFailed, connect
from scorebot.report_path import check_report_path

# What the bot must be able to do in each kind of room it is given.
_NEEDED = {
    RoomKind.ORGANIZING: ("kick", "ban", "redact", "state"),
    RoomKind.MODERATORS: ("kick",),  # removal from every room includes this one
    RoomKind.IGO: (),
}
_WORDS = {"kick": "remove members (kick)", "ban": "ban members", "redact": "delete messages (redact)",
          "state": "change room settings (send state: to name itself as the room's moderation bot, for "
                   "clients that still send reports to one, and to lock invitations in a wave)"}


@dataclass
class Findings:
    """What check-config found: problems to fix, notes that are fine, and what was checked."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)  # who holds each role now, in plain words


async def check_config(config: Config) -> Findings:
    """Each problem and note as one line naming the config key."""
    found = Findings()
    if not config.rooms.organizing:
        found.problems.append("rooms.organizing: empty; list at least one room where the group meets")
    try:
        client = await connect(config, give_up_after=2)
    except LoginFailed as error:
        found.problems.append(str(error))
        return found
    except OSError as error:
        found.problems.append(f"homeserver: cannot reach {config.homeserver} ({error})")
        return found
    try:
        found.checked.append(f"the login as {config.user_id}")
        if config.password and config.access_token is None:
            problem = await _try_password(config)
            if problem:
                found.problems.append(problem)
        await _check_rooms(client, config, found)
        await _check_report_path(client, config, found)
    finally:
        await client.close()
    return found


async def _try_password(config: Config) -> str | None:
    """Log in with the password on a throwaway device, then log that device out again."""
    trial = AsyncClient(config.homeserver, config.user_id, config=AsyncClientConfig(encryption_enabled=False))
    try:
        answer = await trial.login(config.password, device_name="scorebot check-config")
        if not isinstance(answer, LoginResponse):
            return f"password: the homeserver refused it ({answer.message}); the saved session works for now"
        await trial.logout()
        return None
    finally:
        await trial.close()


async def _invited(client: AsyncClient) -> set[str]:
    answer = await client.sync(timeout=0, sync_filter={"room": {"timeline": {"limit": 0}, "state": {"types": []},
                                                                 "ephemeral": {"types": []}},
                                                        "presence": {"types": []}, "account_data": {"types": []}})
    return set(answer.rooms.invite) if isinstance(answer, SyncResponse) else set()


async def _not_joined(client: AsyncClient, key: str, ref: str, room_id: str, invited: set[str]) -> str | None:
    """Why the bot is not in a room, or None when it is invited (it joins when it starts)."""
    if room_id in invited:
        return None
    answer = await client.join(room_id)  # a public room: joining is what the bot would do at start
    if isinstance(answer, JoinResponse):
        return None
    if answer.status_code == "M_FORBIDDEN":
        return f"{key}: the bot is not invited to {ref}; invite it there"
    return f"{key}: there is no room {ref} that this homeserver knows of; check the ID ({answer.message})"


async def _check_rooms(client: AsyncClient, config: Config, found: Findings) -> None:
    problems = found.problems
    joined = await client.joined_rooms()
    joined_ids = set(joined.rooms) if isinstance(joined, JoinedRoomsResponse) else set()
    invited = await _invited(client)
    wanted = [(f"rooms.organizing[{i}]", ref, RoomKind.ORGANIZING)
              for i, ref in enumerate(config.rooms.organizing)]
    wanted += [("rooms.moderators", config.rooms.moderators, RoomKind.MODERATORS),
               ("rooms.igo", config.rooms.igo, RoomKind.IGO)]
    views: list[RoomView] = []
    resolved: list[tuple[str, str]] = []
    for key, ref, kind in wanted:
        if not ref:
            if kind is not RoomKind.ORGANIZING:
                found.notes.append(f"{key}: not set; the features that use it stay off")
            continue
        room_id = ref
        if ref.startswith("#"):
            answer = await client.room_resolve_alias(ref)
            if isinstance(answer, ErrorResponse):
                problems.append(f"{key}: the alias {ref} does not resolve ({answer.message})")
                continue
            room_id = answer.room_id
        resolved.append((key, room_id))
        found.checked.append(key)
        if room_id not in joined_ids:
            problem = await _not_joined(client, key, ref, room_id, invited)
            if problem:
                problems.append(problem)
                continue
            if room_id in invited:
                found.notes.append(f"{key}: the bot is invited to {ref} and will join when it starts")
                continue
        view = await _room_view(client, room_id, kind)
        views.append(view)
        for power in _NEEDED[kind]:
            if not view.can(client.user_id, power):
                problems.append(f"{key}: the bot cannot {_WORDS[power]} in {ref}; "
                                f"give it power level 50 or more there")
    clash = room_kind_clash(resolved)  # two aliases, or an alias and an ID, of one room
    if clash:
        raise ConfigError("", clash)  # a config error, as when both keys hold the same text
    found.roles = _who_holds_each_role(client.user_id, config, views)


def _who_holds_each_role(bot_id: str, config: Config, views: list[RoomView]) -> list[str]:
    roles = Roles.of_organization(views, bot_id, config.roles.moderator_level, config.roles.moderators,
                                  config.roles.igos)
    names = {user: name for view in views for user, name in view.members.items()}
    return who_holds_each_role(roles, config.roles.steering, lambda user: names.get(user) or user)


async def _room_view(client: AsyncClient, room_id: str, kind: RoomKind) -> RoomView:
    answer = await client.room_get_state(room_id)
    events = answer.events if isinstance(answer, RoomGetStateResponse) else []
    by_type = {event.get("type"): event for event in events if event.get("state_key") == ""}
    levels = (by_type.get("m.room.power_levels") or {}).get("content")
    members = {event["state_key"]: (event.get("content") or {}).get("displayname") or event["state_key"]
               for event in events if event.get("type") == "m.room.member"
               and (event.get("content") or {}).get("membership") == "join"}
    return RoomView.from_state(room_id, kind, by_type.get("m.room.create"), levels, members=members)


async def _check_report_path(client: AsyncClient, config: Config, found: Findings) -> None:
    """Whether reports made with Element's Report button (sent to the homeserver's admins) are read."""
    note, problem = await check_report_path(config.homeserver, config.reports.admin_token, client.access_token)
    if note:
        found.notes.append(note)
    if problem:
        found.problems.append(problem)
