"""A homeserver in the test's own process, for the whole runtime in milliseconds.

`FakeHomeserver` answers the few client-server API calls the bot makes: a test queues sync
responses (the events members "send"), and reads what the bot sent, joined, redacted or created.
`FakeClient` is a real matrix-nio client whose HTTP goes to it, so everything above the wire (nio's
parsing and room state, the sync loop, gap filling, the outbox) is the real code. No encryption:
that is for the Synapse suite, with Element's own crypto engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlparse

from nio import AsyncClient, AsyncClientConfig

BOT = "@bot:fake"


@dataclass
class Request:
    method: str
    path: str
    query: dict
    body: dict
    status: int = 0


@dataclass
class FakeResponse:
    status: int
    body: dict
    content_type: str = "application/json"
    content_disposition: None = None
    headers: dict = field(default_factory=dict)

    async def json(self, **_) -> dict:
        return self.body

    async def text(self) -> str:
        return json.dumps(self.body)

    async def read(self) -> bytes:
        return json.dumps(self.body).encode()

    def release(self) -> None:
        pass


class FakeHomeserver:
    def __init__(self):
        self.requests: list[Request] = []
        self.syncs: asyncio.Queue[dict] = asyncio.Queue()
        self.gaps: dict[str, list[dict]] = {}  # room -> the events a limited sync left out, newest first
        self.changed = asyncio.Condition()
        self.down = False  # the homeserver is away: syncs fail
        self._batch = itertools.count(1)
        self._events = itertools.count(1)
        self._sent: dict[tuple[str, str], str] = {}
        self.on_send = lambda: None  # called as each message arrives, to observe the bot at that moment

    # -- what a test says happened --------------------------------------------------------------

    def event(self, event_type: str, sender: str, content: dict, ts: int, **more) -> dict:
        return {"type": event_type, "sender": sender, "content": content, "origin_server_ts": ts,
                "event_id": f"$m{next(self._events)}", **more}

    def message(self, sender: str, body: str, ts: int) -> dict:
        return self.event("m.room.message", sender, {"msgtype": "m.text", "body": body}, ts)

    def member(self, user_id: str, membership: str, ts: int, sender: str | None = None, **content) -> dict:
        return self.event("m.room.member", sender or user_id, {"membership": membership, **content}, ts,
                          state_key=user_id)

    def deliver(self, join: dict | None = None, invite: dict | None = None, limited: dict | None = None) -> None:
        """Queue one sync response: `join` room -> timeline events, `invite` room -> invite events."""
        rooms: dict = {"join": {}, "invite": {}, "leave": {}}
        for room_id, events in (join or {}).items():
            gap = (limited or {}).get(room_id)
            rooms["join"][room_id] = {"timeline": {"events": events, "limited": bool(gap),
                                                   "prev_batch": f"before-{next(self._batch)}"},
                                      "state": {"events": []}}
            if gap:
                self.gaps[room_id] = list(reversed(gap))
        for room_id, events in (invite or {}).items():
            rooms["invite"][room_id] = {"invite_state": {"events": events}}
        self.syncs.put_nowait({"rooms": rooms})

    async def wait_for(self, check, timeout: float = 5):
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(check), timeout)

    def sent(self, room_id: str | None = None) -> list[Request]:
        return [r for r in self.requests if r.method == "PUT" and "/send/m.room.message/" in r.path
                and room_id in (None, _room_of(r.path))]

    # -- the API --------------------------------------------------------------------------------

    async def handle(self, method: str, path: str, data) -> FakeResponse:
        url = urlparse(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = json.loads(data) if isinstance(data, str) and data else {}
        request = Request(method, unquote(url.path), query, body)
        status, answer = await self._answer(request)
        request.status = status
        self.requests.append(request)
        async with self.changed:
            self.changed.notify_all()
        return FakeResponse(status, answer)

    async def _answer(self, request: Request) -> tuple[int, dict]:
        path = request.path
        if path.endswith("/sync") and self.down:
            return 502, {"errcode": "M_UNKNOWN", "error": "the homeserver is away"}
        if path.endswith("/sync"):
            timeout = int(request.query.get("timeout", "0")) / 1000
            response: dict = {}
            with contextlib.suppress(TimeoutError):
                response = await asyncio.wait_for(self.syncs.get(), min(timeout, 0.2) or 0.001)
            return 200, {"next_batch": f"s{next(self._batch)}", "rooms": {}, **response}
        if match := re.search(r"/rooms/([^/]+)/send/([^/]+)/([^/]+)$", path):
            self.on_send()
            key = (match.group(1), match.group(3))
            self._sent.setdefault(key, f"$bot{next(self._events)}")
            return 200, {"event_id": self._sent[key]}
        if match := re.search(r"/rooms/([^/]+)/messages$", path):
            chunk, self.gaps[match.group(1)] = self.gaps.get(match.group(1), []), []
            return 200, {"chunk": chunk, "start": request.query.get("from", ""), "end": ""}
        if match := re.search(r"/join/([^/]+)$", path):
            return 200, {"room_id": match.group(1)}
        if path.endswith("/createRoom"):
            return 200, {"room_id": f"!made{next(self._events)}:fake"}
        if re.search(r"/rooms/[^/]+/state/", path):
            return 404, {"errcode": "M_NOT_FOUND", "error": "no such state"}
        return 200, {}


def _room_of(path: str) -> str:
    return path.split("/rooms/")[1].split("/")[0]


class FakeClient(AsyncClient):
    """matrix-nio's own client, talking to a `FakeHomeserver` instead of the network."""

    def __init__(self, server: FakeHomeserver):
        super().__init__("http://fake.invalid", BOT, config=AsyncClientConfig(encryption_enabled=False,
                                                                              store_sync_tokens=False))
        self.server = server
        self.restore_login(BOT, "BOTDEVICE", "token")

    async def send(self, method, path, data=None, headers=None, trace_context=None, timeout=None):
        return await self.server.handle(method, path, data)
