"""Log in once and keep the device: its token and ID under data/, its encryption keys beside them.

Keeping the device matters for encryption: members' clients share room keys with a device they
already know, so a bot that made a new device at every start would lose access to its rooms.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiResponse

from scorebot.config import Config

log = logging.getLogger(__name__)


class LoginFailed(Exception):
    """The homeserver would not let the bot in; the message names the config key to look at."""


def client_config(config: Config, *, give_up_after: int | None = None) -> AsyncClientConfig:
    return AsyncClientConfig(
        encryption_enabled=True,
        store_sync_tokens=False,  # the bot keeps its own, in step with what it has handled
        max_timeout_retry_wait_time=config.connection.max_retry_wait,
        max_timeouts=give_up_after,
        request_timeout=config.connection.sync_timeout + 30,
    )


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _read_session(path: Path, config: Config) -> dict | None:
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if saved.get("homeserver") != config.homeserver or saved.get("user_id") != config.user_id:
        return None
    return saved


def _write_session(path: Path, config: Config, token: str, device_id: str) -> None:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"homeserver": config.homeserver, "user_id": config.user_id,
                   "access_token": token, "device_id": device_id}, handle)


async def connect(config: Config, *, give_up_after: int | None = None) -> AsyncClient:
    """A logged-in client with its encryption store loaded and its keys published."""
    data = _private_dir(config.data_path)
    store_path = _private_dir(data / "crypto")
    client = AsyncClient(config.homeserver, config.user_id, store_path=str(store_path),
                         config=client_config(config, give_up_after=give_up_after))
    try:
        if config.access_token:
            await _login_with_token(client, config, config.access_token)
        else:
            await _login_with_password(client, config, data / "session.json")
        if client.should_upload_keys:
            await client.keys_upload()
    except BaseException:
        await client.close()
        raise
    return client


async def _whoami(client: AsyncClient, token: str) -> WhoamiResponse | None:
    client.access_token = token
    answer = await client.whoami()
    return answer if isinstance(answer, WhoamiResponse) else None


async def _login_with_token(client: AsyncClient, config: Config, token: str) -> None:
    who = await _whoami(client, token)
    if who is None:
        raise LoginFailed("access_token: the homeserver did not accept it")
    if who.user_id != config.user_id:
        raise LoginFailed(f"user_id: the access token belongs to {who.user_id}, not {config.user_id}")
    if not who.device_id:
        raise LoginFailed("access_token: it has no device; make one by logging in with a password")
    client.restore_login(config.user_id, who.device_id, token)


async def _login_with_password(client: AsyncClient, config: Config, session_file: Path) -> None:
    saved = _read_session(session_file, config)
    if saved and await _whoami(client, saved["access_token"]):
        client.restore_login(config.user_id, saved["device_id"], saved["access_token"])
        return
    device_id = saved["device_id"] if saved else None
    if device_id:
        client.device_id = device_id  # log in again as the same device, keeping its keys
    answer = await client.login(config.password, device_name=config.device_name)
    if not isinstance(answer, LoginResponse):
        raise LoginFailed(f"password: the homeserver refused the login ({answer.message})")
    _write_session(session_file, config, answer.access_token, answer.device_id)
    log.info("Logged in as %s, device %s", answer.user_id, answer.device_id)


async def keep_keys(client: AsyncClient) -> None:
    """After a sync: publish, fetch and claim encryption keys as needed, and send key shares."""
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    await client.send_to_device_messages()
