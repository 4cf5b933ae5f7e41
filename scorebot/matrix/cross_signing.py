"""The bot's cross-signing identity: its device, signed by its own owner, as Element requires.

Since 2026 the spec (MSC4153) and Element leave out devices that their owner has not cross-signed:
members' clients withhold room keys from them and hide what they send. matrix-nio has no
cross-signing, so the bot makes its own identity on first start (master, self-signing and
user-signing ed25519 keys), kept under `data_dir` in a file only its owner can read, publishes it
and signs its device with it. Every later start re-signs a new device and skips what is there.

An account that already has another identity is never reset silently: members would see "identity
reset" warnings. The bot stops with one line saying so, unless `cross_signing.reset` is set.
Which members' devices are cross-signed (whom the bot trusts) is `device_trust`'s question.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import aiohttp
from nio import Api

from scorebot.matrix.session import TokenRejected

log = logging.getLogger(__name__)

IDENTITY_FILE = "cross_signing.json"
KEYS = ("master", "self_signing", "user_signing")


class CrossSigningError(Exception):
    """The bot cannot show a cross-signed device; the message says why and what to do."""


def unpadded(data: bytes) -> str:
    """Matrix's base64: without padding (the Rust crypto does not recognise padded key IDs)."""
    return base64.b64encode(data).decode().rstrip("=")


def canonical(value: dict) -> bytes:
    """What is signed: canonical JSON, without `signatures` and `unsigned`."""
    return Api.to_canonical_json({k: v for k, v in value.items() if k not in ("signatures", "unsigned")}).encode()


def _private_key(seed: bytes):
    # Loaded only to make a key or sign with one: a usual start does neither (see `saved_public`).
    from Crypto.PublicKey import ECC

    return ECC.construct(curve="Ed25519", seed=seed)


@dataclass(frozen=True)
class SigningKey:
    seed: bytes  # 32 bytes, RFC 8032
    saved_public: str | None = field(default=None, compare=False)  # kept beside the seed in the file

    @classmethod
    def new(cls) -> SigningKey:
        return cls(secrets.token_bytes(32))

    @cached_property
    def public(self) -> str:
        if self.saved_public:
            return self.saved_public
        return unpadded(_private_key(self.seed).public_key().export_key(format="raw"))

    def sign(self, value: dict) -> str:
        from Crypto.Signature import eddsa

        return unpadded(eddsa.new(_private_key(self.seed), "rfc8032").sign(canonical(value)))

    def signed(self, value: dict, user_id: str) -> dict:
        """`value` with this key's signature added to what it already carries."""
        signatures = {user: dict(keys) for user, keys in (value.get("signatures") or {}).items()}
        signatures.setdefault(user_id, {})[f"ed25519:{self.public}"] = self.sign(value)
        return {**value, "signatures": signatures}


@dataclass(frozen=True)
class Identity:
    master: SigningKey
    self_signing: SigningKey
    user_signing: SigningKey

    @classmethod
    def new(cls) -> Identity:
        return cls(SigningKey.new(), SigningKey.new(), SigningKey.new())

    @classmethod
    def load(cls, path: Path) -> Identity | None:
        try:
            saved = json.loads(path.read_text())
            public = saved.get("public") or {}  # files from before it was kept: worked out when needed
            return cls(*(SigningKey(base64.b64decode(saved[name] + "=="), public.get(name)) for name in KEYS))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError) as error:
            raise CrossSigningError(f"{path} cannot be read ({type(error).__name__}); restore it from a backup") \
                from None

    def save(self, path: Path) -> None:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            keys = dict(zip(KEYS, (self.master, self.self_signing, self.user_signing), strict=True))
            json.dump({**{name: unpadded(key.seed) for name, key in keys.items()},
                       "public": {name: key.public for name, key in keys.items()}}, handle)

    def public_keys(self, user_id: str) -> dict:
        """The body of `/keys/device_signing/upload`: the master key, and the other two signed by it."""

        def key(usage: str, signing: SigningKey) -> dict:
            return {"user_id": user_id, "usage": [usage], "keys": {f"ed25519:{signing.public}": signing.public}}

        return {"master_key": key("master", self.master),
                "self_signing_key": self.master.signed(key("self_signing", self.self_signing), user_id),
                "user_signing_key": self.master.signed(key("user_signing", self.user_signing), user_id)}


def _only_key(keys: dict | None) -> str | None:
    values = list(((keys or {}).get("keys") or {}).values())
    return values[0] if len(values) == 1 else None


class CrossSigning:
    """Talks to the homeserver for the bot's own identity, with the bot's token."""

    def __init__(self, homeserver: str, user_id: str, device_id: str, token: str, password: str | None):
        self.base = f"{homeserver.rstrip('/')}/_matrix/client/v3"
        self.user_id, self.device_id, self.password = user_id, device_id, password
        self._headers = {"Authorization": f"Bearer {token}"}

    async def ensure(self, data: Path, reset: bool = False) -> Identity:
        """The bot's device, cross-signed by its identity (made and published on first start)."""
        path = data / IDENTITY_FILE
        identity = Identity.load(path)
        async with aiohttp.ClientSession(headers=self._headers) as http:
            mine = await self._query(http)
            published = _only_key(mine.get("master_keys", {}).get(self.user_id))
            if identity is None and published is None:
                identity = Identity.new()
                identity.save(path)  # before publishing: an identity on the server is never without its keys
            if identity is None or (published is not None and published != identity.master.public):
                if not reset:
                    raise CrossSigningError(
                        f"the account {self.user_id} already has a cross-signing identity that this bot's data "
                        f"does not hold ({path} is missing or different). Restore the data folder from a backup, "
                        "or set cross_signing.reset: true to make a new one (members then see that the bot's "
                        "identity was reset)")
                identity = identity or Identity.new()
                identity.save(path)
                published = None
                log.warning("Replacing the account's cross-signing identity, as cross_signing.reset asks")
            if published is None:
                await self._upload_identity(http, identity, replacing=reset)
            device = mine.get("device_keys", {}).get(self.user_id, {}).get(self.device_id)
            if device is None:
                raise CrossSigningError(f"the homeserver does not know the keys of device {self.device_id}")
            ssk_id = f"ed25519:{identity.self_signing.public}"
            if ssk_id not in (device.get("signatures") or {}).get(self.user_id, {}):
                signed = identity.self_signing.signed(
                    {k: v for k, v in device.items() if k not in ("unsigned", "signatures")}, self.user_id)
                await self._post(http, "/keys/signatures/upload", {self.user_id: {self.device_id: signed}})
                check = (await self._query(http)).get("device_keys", {}).get(self.user_id, {}).get(self.device_id)
                if ssk_id not in ((check or {}).get("signatures") or {}).get(self.user_id, {}):
                    raise CrossSigningError("the homeserver did not keep the signature on the bot's device")
                log.info("Device %s is cross-signed by the bot's identity", self.device_id)
        return identity

    async def _query(self, http: aiohttp.ClientSession) -> dict:
        return await self._post(http, "/keys/query", {"device_keys": {self.user_id: []}})

    async def _upload_identity(self, http: aiohttp.ClientSession, identity: Identity, replacing: bool) -> None:
        body = identity.public_keys(self.user_id)
        async with http.post(f"{self.base}/keys/device_signing/upload", json=body) as answer:
            if answer.status == 200:
                log.info("Published the bot's cross-signing identity")
                return
            challenge = await answer.json(content_type=None)
            if answer.status != 401 or "flows" not in challenge:
                raise CrossSigningError(f"the homeserver refused the bot's identity: {challenge.get('error')}")
        if not self.password:
            raise CrossSigningError("the homeserver asks for the bot's password to publish its identity; set "
                                    "password (or SCOREBOT_PASSWORD) once, or approve it in your account's settings")
        auth = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": self.user_id},
                "password": self.password, "session": challenge.get("session")}
        await self._post(http, "/keys/device_signing/upload", {**body, "auth": auth})
        log.info("Published the bot's cross-signing identity%s", " (replacing the old one)" if replacing else "")

    async def _post(self, http: aiohttp.ClientSession, path: str, body: dict) -> dict:
        async with http.post(f"{self.base}{path}", json=body) as answer:
            content = await answer.json(content_type=None)
            if answer.status == 401 and content.get("errcode") == "M_UNKNOWN_TOKEN":
                raise TokenRejected(content.get("error"))
            if answer.status != 200:
                raise CrossSigningError(f"{path} failed: {content.get('errcode')} {content.get('error')}")
            return content
