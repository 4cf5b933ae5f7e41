"""Logging in: a saved session is used as it is, without asking the homeserver who the bot is."""

import json

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestServer

from scorebot.config import load_config
from scorebot.matrix.session import LoginFailed, connect, log_in_again

BOT = "@bot:fake"


@pytest.fixture
async def homeserver():
    """A homeserver that knows one token, `good`, on device DEV1, and counts who asked what."""
    asked: list[str] = []

    async def whoami(request: web.Request) -> web.Response:
        asked.append("whoami")
        if request.headers.get("Authorization") != "Bearer good":
            return web.json_response({"errcode": "M_UNKNOWN_TOKEN", "error": "unknown token"}, status=401)
        return web.json_response({"user_id": BOT, "device_id": "DEV1"})

    async def keys_upload(_request: web.Request) -> web.Response:
        asked.append("keys/upload")
        return web.json_response({"one_time_key_counts": {"signed_curve25519": 50}})

    app = web.Application()
    app.router.add_get("/_matrix/client/v3/account/whoami", whoami)
    app.router.add_post("/_matrix/client/v3/keys/upload", keys_upload)
    server = TestServer(app)
    await server.start_server()
    yield server, asked
    await server.close()


def config_for(tmp_path, server: TestServer, **login):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"homeserver": str(server.make_url("")).rstrip("/"), "user_id": BOT,
                                    "rooms": {"organizing": ["!org:fake"]}, **login}))
    return load_config(path, environ={})


async def test_a_saved_session_starts_without_asking_who_the_bot_is(tmp_path, homeserver):
    server, asked = homeserver
    config = config_for(tmp_path, server, access_token="good")
    first = await connect(config, check_token=False)  # nothing saved yet: the token's device is learnt
    await first.close()
    assert asked == ["whoami", "keys/upload"]
    saved = json.loads((config.data_path / "session.json").read_text())
    assert (saved["access_token"], saved["device_id"]) == ("good", "DEV1")

    asked.clear()
    again = await connect(config, check_token=False)
    await again.close()
    assert asked == []  # the device and its keys are known: not one request
    assert (again.device_id, again.access_token) == ("DEV1", "good")

    checked = await connect(config)  # check-config does ask
    await checked.close()
    assert asked == ["whoami"]


async def test_a_new_token_in_the_config_is_checked_and_a_rejected_one_named(tmp_path, homeserver):
    server, asked = homeserver
    client = await connect(config_for(tmp_path, server, access_token="good"), check_token=False)
    await client.close()
    asked.clear()
    config = config_for(tmp_path, server, access_token="revoked")
    with pytest.raises(LoginFailed, match="access_token: the homeserver did not accept it"):
        await connect(config, check_token=False)
    assert asked == ["whoami"]


async def test_a_session_logged_out_with_no_password_to_log_in_again_names_the_token(tmp_path, homeserver):
    server, _ = homeserver
    config = config_for(tmp_path, server, access_token="good")
    client = await connect(config, check_token=False)
    try:
        with pytest.raises(LoginFailed, match="access_token: the homeserver no longer accepts it"):
            await log_in_again(client, config)
    finally:
        await client.close()
