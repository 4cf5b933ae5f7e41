"""The command line: a bad config stops the bot with one clear line; check-config says what is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import World

GOOD = {"homeserver": "http://127.0.0.1:9", "user_id": "@bot:example.org", "access_token": "t",
        "rooms": {"organizing": ["!abc:example.org"]}}


def scorebot(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scorebot", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


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


async def test_check_config_names_unjoined_rooms_and_missing_power(world: World):
    alice = await world.member("alice")
    bot_id = world.bot_user.user_id
    token = world.bot_user.access_token
    not_joined = await alice.create_room("Not joined")
    powerless = await alice.create_room("No power", (bot_id,))
    world.server.client_request(token, "POST", f"/_matrix/client/v3/join/{powerless}", {})
    # Rooms the bot made itself: room version 12 makes it a creator, unlisted in the power levels.
    created = [world.server.client_request(token, "POST", "/_matrix/client/v3/createRoom",
                                           {"name": name})["room_id"] for name in ("Own", "Mods", "IGO")]
    config = world.bot_config([not_joined, powerless, created[0]], moderators=created[1], igo=created[2])
    path = world.folder / "check.yaml"
    path.write_text(yaml.safe_dump(config))

    result = scorebot("check-config", "--config", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    problems = result.stdout.strip().splitlines()
    assert problems[0] == f"missing: rooms.organizing[0]: the bot has not joined {not_joined}; invite it there"
    assert any(p.startswith("missing: rooms.organizing[1]: the bot cannot remove members (kick)") for p in problems)
    assert not any("organizing[2]" in p or "moderators" in p or "igo" in p for p in problems), problems

    config["rooms"]["organizing"] = [created[0]]
    path.write_text(yaml.safe_dump(config))
    result = scorebot("check-config", "--config", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "config OK" in result.stdout
