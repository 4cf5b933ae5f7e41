"""The command line: a bad config stops the bot with one clear line; check-config says what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import World
from tests.support.cli import GOOD, scorebot


def without(key: str) -> dict:
    return {k: v for k, v in GOOD.items() if k != key}


@pytest.mark.parametrize(("config", "key", "reason"), [
    (without("homeserver"), "homeserver", "missing"),
    ({**GOOD, "user_id": "@bot"}, "user_id", "not a Matrix user ID"),
    ({**GOOD, "colour": "red"}, "colour", "unknown key"),
    ({**GOOD, "rooms": {"organizing": "!abc:example.org"}}, "rooms.organizing", "must be a list"),
])
def test_bad_config_stops_run_with_one_line(tmp_path: Path, config: dict, key: str, reason: str):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    result = scorebot("run", "--config", str(path))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"config error: {key}: ")
    assert reason in lines[0]


async def test_check_config_tells_the_truth_about_each_room(world: World):
    alice = await world.member("alice")
    bot_id = world.bot_user.user_id
    token = world.bot_user.access_token
    not_invited = await alice.create_room("Not invited")
    invited = await alice.create_room("Invited", (bot_id,))
    powerless = await alice.create_room("No power", (bot_id,))
    world.server.client_request(token, "POST", f"/_matrix/client/v3/join/{powerless}", {})
    missing = "!nosuchroom:localhost"
    # Rooms the bot made itself: room version 12 makes it a creator, unlisted in the power levels.
    created = [world.server.client_request(token, "POST", "/_matrix/client/v3/createRoom",
                                           {"name": name})["room_id"] for name in ("Own", "Mods", "IGO")]
    config = world.bot_config([not_invited, invited, powerless, missing, created[0]],
                              moderators=created[1], igo=created[2])
    path = world.folder / "check.yaml"
    path.write_text(yaml.safe_dump(config))

    result = scorebot("check-config", "--config", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    said = result.stdout.strip().splitlines()
    assert said[0] == f"note: rooms.organizing[1]: the bot is invited to {invited} and will join when it starts"
    assert f"missing: rooms.organizing[0]: the bot is not invited to {not_invited}; invite it there" in said
    assert any(line.startswith("missing: rooms.organizing[2]: the bot cannot remove members (kick)") for line in said)
    assert f"missing: rooms.organizing[3]: there is no room {missing} that this homeserver knows of; check the ID" \
        in result.stdout
    assert not any("organizing[4]" in p or "moderators" in p or "igo" in p for p in said), said
    assert result.stderr == ""  # nothing from the Matrix library's own logging

    config["rooms"]["organizing"] = [created[0], invited]
    path.write_text(yaml.safe_dump(config))
    result = scorebot("check-config", "--config", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        f"config OK: {path}: checked the login as {bot_id}, rooms.organizing[0], rooms.organizing[1], "
        "rooms.moderators, rooms.igo")

    config["rooms"] = {"organizing": []}
    path.write_text(yaml.safe_dump(config))
    result = scorebot("check-config", "--config", str(path))
    assert "missing: rooms.organizing: empty; list at least one room where the group meets" in result.stdout


async def test_check_config_tries_the_password_even_with_a_saved_session(world: World):
    alice = await world.member("alice")
    bot_id = world.bot_user.user_id
    room = await alice.create_room("Organizing", (bot_id,))
    config = {**world.bot_config([room]), "password": world.bot_user.password}
    del config["access_token"]
    path = world.folder / "password.yaml"
    path.write_text(yaml.safe_dump(config))
    assert scorebot("check-config", "--config", str(path)).returncode == 0  # logs in, saves the session
    devices = world.server.client_request(world.bot_user.access_token, "GET", "/_matrix/client/v3/devices")
    assert not any(d.get("display_name") == "scorebot check-config" for d in devices["devices"])  # logged out

    path.write_text(yaml.safe_dump({**config, "password": "not the password"}))
    result = scorebot("check-config", "--config", str(path))
    assert result.returncode == 1
    assert "missing: password: the homeserver refused it" in result.stdout
    assert "the saved session works for now" in result.stdout
    after = world.server.client_request(world.bot_user.access_token, "GET", "/_matrix/client/v3/devices")
    assert len(after["devices"]) == len(devices["devices"])  # the trial login left no device behind


def test_check_config_lists_every_problem_at_once(tmp_path: Path):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({**without("homeserver"), "homesever": "http://127.0.0.1:9", "user_id": "bot",
                                    "rooms": {"organizing": ["general"], "igo": "!i:example.org", "mods": "x"}}))
    result = scorebot("check-config", "--config", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines() == [
        "config error: homesever: unknown key (did you mean homeserver?)",
        "config error: homeserver: missing (required)",
        "config error: user_id: 'bot' is not a Matrix user ID like @name:example.org",
        "config error: rooms.mods: unknown key (known here: igo, moderators, organizing, steering)",
        "config error: rooms.organizing[0]: 'general' is not a room ID (!abc:example.org) or alias "
        "(#name:example.org)",
    ]
    path.write_text("homeserver: http://127.0.0.1:9\nrooms:\n\torganizing: []\n")
    result = scorebot("check-config", "--config", str(path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"config error: {path} is not valid YAML at line 3, column 1: line 3 has a tab character; YAML indents "
        "with spaces only (replace the tab)"]
