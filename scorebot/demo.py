"""`scorebot demo`: the bot on a throwaway local homeserver, for someone who has none.

It starts Synapse on 127.0.0.1, makes the bot and five people (alice and carol moderate, so a
removal one proposes the other can approve; ida is a grievance officer; bob and sam take part: the
guides' examples name @sam), an
encrypted organizing room, a moderators' room and a grievance officers' room, writes a config for them, and
runs the bot exactly as `scorebot run` would. Each start begins afresh.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from scorebot.config import load_config

_ENCRYPTED = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


@dataclass(frozen=True)
class DemoPeople:
    homeserver_url: str
    bot: str
    logins: dict[str, str]  # user ID -> password
    rooms: dict[str, str]  # role -> room ID


def prepare(folder: Path, port: int):
    """Start the homeserver and make the people and rooms; return it, the config path and who is who."""
    try:
        from scorebot.homeserver import LocalHomeserver, free_port
    except ImportError:  # pragma: no cover - depends on how scorebot was installed
        raise SystemExit("The demo needs Synapse: pip install 'scorebot[demo]'") from None
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, mode=0o700)
    server = LocalHomeserver(folder / "homeserver", port if _port_free(port) else free_port())
    server.start()
    bot = server.register("scorebot", admin=True)
    alice = server.register("alice", secrets.token_urlsafe(9))
    bob = server.register("bob", secrets.token_urlsafe(9))
    carol = server.register("carol", secrets.token_urlsafe(9))
    ida = server.register("ida", secrets.token_urlsafe(9))
    sam = server.register("sam", secrets.token_urlsafe(9))

    def create(name: str, invite: list[str], encrypted: bool, creator=alice) -> str:
        body = {"name": name, "preset": "private_chat", "invite": invite,
                # alice creates the rooms, so she holds the most power (in room version 12, as a creator).
                "power_level_content_override": {"users": {bot.user_id: 100, carol.user_id: 50}},
                "initial_state": [_ENCRYPTED] if encrypted else []}
        return server.client_request(creator.access_token, "POST", "/_matrix/client/v3/createRoom", body)["room_id"]

    everyone = [bot.user_id, bob.user_id, carol.user_id, ida.user_id, sam.user_id]
    rooms = {
        "organizing": create("Organizing (demo)", everyone, encrypted=True),
        "moderators": create("Moderators (demo)", [bot.user_id, carol.user_id], encrypted=False),
        # Everyone in the grievance officers' room reads every report: ida makes it, so only she is in it.
        "igo": create("Internal Grievance Officers (demo)", [bot.user_id], encrypted=False, creator=ida),
    }
    for person, room in ((bob, "organizing"), (carol, "organizing"), (ida, "organizing"), (sam, "organizing"),
                         (carol, "moderators")):
        server.client_request(person.access_token, "POST", f"/_matrix/client/v3/join/{rooms[room]}", {})
    config = {
        "homeserver": server.url,
        "user_id": bot.user_id,
        "access_token": bot.access_token,
        "data_dir": "data",
        "rooms": {"organizing": [rooms["organizing"]], "moderators": rooms["moderators"], "igo": rooms["igo"]},
        "board": {"listen": f"127.0.0.1:{free_port()}"},  # !board link, for a projector
    }
    config_path = folder / "config.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    config_path.chmod(0o600)
    people = DemoPeople(server.url, bot.user_id,
                        {p.user_id: p.password for p in (alice, carol, ida, bob, sam)}, rooms)
    return server, config_path, people


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def banner(people: DemoPeople) -> str:
    logins = "\n".join(f"    {user}  password: {password}" for user, password in people.logins.items())
    return f"""
scorebot demo is running.
  Homeserver: {people.homeserver_url}
  (In Element: Sign in > Edit homeserver > {people.homeserver_url})
  Logins:
{logins}
  Who is who:
    Moderators (they decide on removals and see cases): alice, carol. A removal one of them
    proposes, the other approves.
    Grievance officers (they read every report): ida, alone. Reports go to her only.
    bob and sam are members.
  Rooms: "Organizing (demo)" (encrypted), "Moderators (demo)", "Internal Grievance Officers (demo)".
  Try !help in the organizing room. Stop with Ctrl-C.
"""


def run_demo(folder: Path, port: int) -> int:
    from scorebot.app import create_runtime

    server, config_path, people = prepare(folder.resolve(), port)
    try:
        runtime = create_runtime(load_config(config_path))

        async def main() -> None:
            task = asyncio.create_task(runtime.run())
            ready = asyncio.create_task(runtime.ready.wait())
            await asyncio.wait([task, ready], return_when=asyncio.FIRST_COMPLETED)
            if runtime.ready.is_set():
                print(banner(people), flush=True)
            await task

        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print("Demo stopped; its homeserver is gone with it.", file=sys.stderr)
    return 0
