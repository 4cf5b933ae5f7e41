"""The bot's session with its homeserver: log in once and keep the device (its token and ID under
data/, its encryption keys beside them), and ask for syncs.

Keeping the device matters for encryption: members' clients share room keys with a device they
already know, so a bot that made a new device at every start would lose access to its rooms.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, LoginResponse, SyncResponse, WhoamiResponse

from scorebot.config import Config

log = logging.getLogger(__name__)

SYNC_FILTER = {
    "presence": {"types": []},
    "account_data": {"types": []},
    "room": {"timeline": {"limit": 50}, "ephemeral": {"types": []}},
}


class LoginFailed(Exception):
    """The homeserver would not let the bot in; the message names the config key to look at."""


class TokenRejected(Exception):
    """A request answered M_UNKNOWN_TOKEN: the saved session was logged out (see `log_in_again`)."""


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


async def connect(config: Config, *, give_up_after: int | None = None, check_token: bool = True) -> AsyncClient:
    """A logged-in client with its encryption store loaded and its keys published.

    With `check_token=False` a session saved for this login is taken as it is, without asking the
    homeserver first: the bot's first request (its identity check) shows whether it still works,
    and `log_in_again` takes over if not. That saves a round trip at every start.
    """
    data = _private_dir(config.data_path)
    store_path = _private_dir(data / "crypto")
    client = AsyncClient(config.homeserver, config.user_id, store_path=str(store_path),
                         config=client_config(config, give_up_after=give_up_after))
    session_file = data / "session.json"
    try:
        saved = _read_session(session_file, config)
        if saved and config.access_token not in (None, saved["access_token"]):
            saved = None  # a new token in the config: learn its device
        if saved and not check_token:
            client.restore_login(config.user_id, saved["device_id"], saved["access_token"])
        elif config.access_token:
            await _login_with_token(client, config, config.access_token, session_file)
        else:
            await _login_with_password(client, config, session_file, saved)
        if client.should_upload_keys:
            await client.keys_upload()
    except BaseException:
        await client.close()
        raise
    return client


async def log_in_again(client: AsyncClient, config: Config) -> None:
    """The saved session no longer works (logged out, or the token was revoked): log in again with
    the password as the same device, keeping its keys; without a password, say which key to fix."""
    if config.access_token or not config.password:
        raise LoginFailed("access_token: the homeserver no longer accepts it; make a new one")
    log.warning("The saved session was logged out; logging in again with the password")
    await _password_login(client, config, config.data_path / "session.json", client.device_id)
    if client.olm:
        # Signing out deleted the device's keys on the homeserver: publish the same keys again.
        client.olm.account.shared = False
        await client.keys_upload()


async def _whoami(client: AsyncClient, token: str) -> WhoamiResponse | None:
    client.access_token = token
    answer = await client.whoami()
    return answer if isinstance(answer, WhoamiResponse) else None


async def _login_with_token(client: AsyncClient, config: Config, token: str, session_file: Path) -> None:
    who = await _whoami(client, token)
    if who is None:
        raise LoginFailed("access_token: the homeserver did not accept it")
    if who.user_id != config.user_id:
        raise LoginFailed(f"user_id: the access token belongs to {who.user_id}, not {config.user_id}")
    if not who.device_id:
        raise LoginFailed("access_token: it has no device; make one by logging in with a password")
    client.restore_login(config.user_id, who.device_id, token)
    _write_session(session_file, config, token, who.device_id)


async def _login_with_password(client: AsyncClient, config: Config, session_file: Path, saved: dict | None) -> None:
    if saved and await _whoami(client, saved["access_token"]):
        client.restore_login(config.user_id, saved["device_id"], saved["access_token"])
        return
    await _password_login(client, config, session_file, saved["device_id"] if saved else None)


async def _password_login(client: AsyncClient, config: Config, session_file: Path, device_id: str | None) -> None:
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


async def request_sync(client: AsyncClient, since: str | None, timeout_ms: int, max_wait: float,
                       full_state: bool = False) -> SyncResponse:
    """One sync; waits out errors with a growing pause (nio already retries lost connections)."""
    pause = 1.0
    while True:
        answer = await client.sync(timeout=timeout_ms, since=since, full_state=full_state, sync_filter=SYNC_FILTER)
        if isinstance(answer, SyncResponse):
            if pause > 1.0:
                log.info("The homeserver answers again")
            return answer
        log.warning("Sync failed (%s: %s); trying again in %.0f s", answer.status_code, answer.message, pause)
        await asyncio.sleep(pause)
        pause = min(pause * 2, max_wait)
