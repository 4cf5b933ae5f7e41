"""Which devices of the members their owners cross-signed: the devices a confidential room's key may reach.

Kept apart from the bot's own identity (`cross_signing`) because it answers the other question:
not "is the bot trusted" but "whom does the bot trust". Since MSC4153, a room key for a direct chat,
the IGO room or a report's room goes only to devices signed by a self-signing key their owner's
master key signed; `DeviceTrust` asks the homeserver once per person and keeps the answer until a
sync says their devices changed.
"""

from __future__ import annotations

import logging

import aiohttp
from vodozemac import Ed25519PublicKey, Ed25519Signature

from scorebot.matrix.cross_signing import _only_key, canonical

log = logging.getLogger(__name__)


def verify(public: str, value: dict, signature: str) -> bool:
    """Whether `signature` (unpadded base64) is `public`'s ed25519 signature of `value`."""
    try:
        Ed25519PublicKey.from_base64(public).verify_signature(canonical(value), Ed25519Signature.from_base64(signature))
        return True
    except (ValueError, TypeError):  # vodozemac's key and signature errors are ValueErrors
        return False


def signed_by(value: dict, user_id: str, public: str) -> bool:
    signature = ((value.get("signatures") or {}).get(user_id) or {}).get(f"ed25519:{public}")
    return isinstance(signature, str) and verify(public, value, signature)


def cross_signed_devices(answer: dict, user_id: str) -> frozenset[str]:
    """From a `/keys/query` answer: the devices of `user_id` that their owner cross-signed, i.e.
    signed by a self-signing key that their master key signed."""
    master = _only_key(answer.get("master_keys", {}).get(user_id))
    self_signing = answer.get("self_signing_keys", {}).get(user_id) or {}
    ssk = _only_key(self_signing)
    if not master or not ssk or not signed_by(self_signing, user_id, master):
        return frozenset()
    devices = answer.get("device_keys", {}).get(user_id) or {}
    return frozenset(device_id for device_id, keys in devices.items() if signed_by(keys, user_id, ssk))


class DeviceTrust:
    """Which devices of the members their owners cross-signed, kept until their device list changes."""

    def __init__(self, homeserver: str, token: str):
        self._url = f"{homeserver.rstrip('/')}/_matrix/client/v3/keys/query"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._known: dict[str, frozenset[str]] = {}
        self._http: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._http:
            await self._http.close()

    def forget(self, user_ids) -> None:
        """Their devices changed (a sync said so): ask again next time."""
        for user_id in user_ids:
            self._known.pop(user_id, None)

    async def signed_devices(self, user_ids) -> dict[str, frozenset[str]]:
        missing = [user for user in user_ids if user not in self._known]
        if missing:
            self._http = self._http or aiohttp.ClientSession(headers=self._headers)
            async with self._http.post(self._url, json={"device_keys": {u: [] for u in missing}}) as answer:
                body = await answer.json(content_type=None) if answer.status == 200 else {}
            if not body:
                log.warning("Could not ask the homeserver which devices are cross-signed (%s)", answer.status)
                return {user: self._known.get(user, frozenset()) for user in user_ids}
            for user in missing:
                self._known[user] = cross_signed_devices(body, user)
        return {user: self._known[user] for user in user_ids}
