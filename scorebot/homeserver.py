"""A throwaway local Synapse on 127.0.0.1, for `scorebot demo` and the integration tests.

It needs the package's `demo` extra (matrix-synapse). Everything it writes lives in one folder:
its config, signing key, SQLite database and log. Users are registered through Synapse's
shared-secret admin API, so no open registration is ever switched on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

SERVER_NAME = "localhost"

# Rates high enough that tests and demos never wait on Synapse's anti-spam limits.
_GENEROUS = {"per_second": 1000, "burst_count": 1000}
_RATE_LIMITS = {
    "rc_message": _GENEROUS,
    "rc_registration": _GENEROUS,
    "rc_login": {"address": _GENEROUS, "account": _GENEROUS, "failed_attempts": _GENEROUS},
    "rc_joins": {"local": _GENEROUS, "remote": _GENEROUS},
    "rc_joins_per_room": _GENEROUS,
    "rc_invites": {"per_room": _GENEROUS, "per_user": _GENEROUS, "per_issuer": _GENEROUS},
    "rc_room_creation": _GENEROUS,
    "rc_reports": _GENEROUS,
    "rc_admin_redaction": _GENEROUS,
    "rc_key_requests": _GENEROUS,
    "rc_3pid_validation": _GENEROUS,
    "rc_third_party_invite": _GENEROUS,
    "rc_presence": {"per_user": _GENEROUS},
    "rc_delayed_event_mgmt": _GENEROUS,
    "rc_user_directory": _GENEROUS,
    "rc_profile": _GENEROUS,
    "rc_media_create": _GENEROUS,
}


@dataclass(frozen=True)
class RegisteredUser:
    user_id: str
    password: str
    access_token: str
    device_id: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalHomeserver:
    """One Synapse process in `folder`; start, stop and start again keep its data."""

    def __init__(self, folder: Path, port: int | None = None, overrides: dict | None = None):
        self.folder = Path(folder)
        self.overrides = overrides or {}
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.shared_secret = ""
        self._process: subprocess.Popen | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def write_config(self) -> Path:
        """Write homeserver.yaml once; later starts reuse it, and so keep the same secrets."""
        self.folder.mkdir(parents=True, exist_ok=True)
        config_path = self.folder / "homeserver.yaml"
        if config_path.exists():
            existing = yaml.safe_load(config_path.read_text())
            self.shared_secret = existing["registration_shared_secret"]
            self.port = existing["listeners"][0]["port"]
            self.url = f"http://127.0.0.1:{self.port}"
            return config_path
        self._write_signing_key(self.folder / "signing.key")
        (self.folder / "log.yaml").write_text(
            yaml.safe_dump(
                {
                    "version": 1,
                    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
                    "handlers": {
                        "file": {
                            "class": "logging.FileHandler",
                            "formatter": "plain",
                            "filename": str(self.folder / "homeserver.log"),
                        }
                    },
                    "root": {"level": os.environ.get("SCOREBOT_SYNAPSE_LOG", "WARNING"), "handlers": ["file"]},
                    "disable_existing_loggers": False,
                }
            )
        )
        self.shared_secret = secrets.token_hex(16)
        config = {
            "server_name": SERVER_NAME,
            "pid_file": str(self.folder / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(self.folder / "homeserver.db")}},
            "log_config": str(self.folder / "log.yaml"),
            "media_store_path": str(self.folder / "media"),
            "signing_key_path": str(self.folder / "signing.key"),
            "registration_shared_secret": self.shared_secret,
            "macaroon_secret_key": secrets.token_hex(16),
            "form_secret": secrets.token_hex(16),
            "report_stats": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "bcrypt_rounds": 4,
            "presence": {"enabled": False},
            "enable_registration": False,
            "url_preview_enabled": False,
            **_RATE_LIMITS,
            **self.overrides,
        }
        config_path.write_text(yaml.safe_dump(config))
        return config_path

    @staticmethod
    def _write_signing_key(path: Path) -> None:
        from signedjson.key import generate_signing_key, write_signing_keys

        with path.open("w") as handle:
            write_signing_keys(handle, [generate_signing_key("a_" + secrets.token_hex(2))])

    def start(self, timeout: float = 60.0) -> None:
        config_path = self.write_config()
        log = (self.folder / "stdout.log").open("ab")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", str(config_path)],
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"Synapse exited with code {self._process.returncode}; "
                    f"see {self.folder / 'stdout.log'} and {self.folder / 'homeserver.log'}"
                )
            try:
                self._request("GET", "/_matrix/client/versions")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Synapse did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # -- users and rooms -------------------------------------------------------------------

    def register(self, localpart: str, password: str | None = None, admin: bool = False) -> RegisteredUser:
        """Register through the shared-secret admin API; the answer carries a token already."""
        password = password or secrets.token_urlsafe(12)
        nonce = self._request("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([
            nonce.encode(), localpart.encode(), password.encode(),
            b"admin" if admin else b"notadmin",
        ]))
        answer = self._request(
            "POST",
            "/_synapse/admin/v1/register",
            {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            },
        )
        return RegisteredUser(answer["user_id"], password, answer["access_token"], answer["device_id"])

    def _request(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def client_request(self, token: str, method: str, path: str, body: dict | None = None):
        """A plain client-server API call as the user owning `token` (for set-up, not the bot)."""
        return self._request(method, path, body, token)

    def __enter__(self) -> LocalHomeserver:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


__all__ = ["SERVER_NAME", "LocalHomeserver", "RegisteredUser", "free_port"]
