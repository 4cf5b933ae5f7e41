"""The live board for a projector: a small web server, off unless `board.listen` is set.

`/board/<token>` is the page of one running meeting (the token comes with `!board link` and is
unguessable); `/board/<token>/events` streams what the page shows, as server-sent events, when it
changes. Once the meeting ends the token finds nothing: 404, and open pages are told it ended.
What the page shows is `domain.projector.snapshot`: the room's own board, nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

from scorebot.config import BoardConfig, StackConfig
from scorebot.domain.agenda import current
from scorebot.domain.projector import page, snapshot
from scorebot.domain.stack import StackRules, order
from scorebot.store import Store

POLL = 0.25  # seconds between looks at the store: a change shows within a second
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex",
           "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                                      "connect-src 'self'"}


def read(store: Store, token: str, rules: StackRules) -> dict | None:
    """What the page of `token` shows now; None when no running meeting has that token."""
    meetings = store.meetings
    meeting = meetings.by_board_token(token)
    if meeting is None:
        return None
    now = int(time.time() * 1000)
    ordered = order([s.entry for s in meetings.waiting(meeting.id)], meetings.contributions(meeting.id, now),
                    meetings.priority(meeting.id), rules)
    turn = meetings.current_turn(meeting.id)
    return snapshot(meeting.title, current(store.agenda.items(meeting.id)), turn.person.name if turn else None,
                    turn.started_at if turn else None, ordered, meeting.closed, now)


class BoardPage:
    def __init__(self, store: Store, config: BoardConfig, stack: StackConfig | None = None):
        stack = stack or StackConfig()
        self.store = store
        self.host, self.port = config.address
        self.rules = StackRules(stack.significant_turns, stack.significant_seconds)
        self._runner = None
        self._closing = asyncio.Event()

    async def start(self) -> None:
        from aiohttp import web  # only when the board is on

        app = web.Application()
        app.router.add_get("/board/{token}", self._page)
        app.router.add_get("/board/{token}/events", self._events)
        self._runner = web.AppRunner(app, access_log=None)  # the URL holds the token: never logged
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()

    async def stop(self) -> None:
        self._closing.set()
        if self._runner:
            await self._runner.cleanup()

    async def _now(self, token: str) -> dict | None:
        return await self.store.run(read, self.store, token, self.rules)

    async def _page(self, request):
        from aiohttp import web

        data = await self._now(request.match_info["token"])
        if data is None:
            raise web.HTTPNotFound(text="No running meeting has this board.\n")
        return web.Response(text=page(data["title"]), content_type="text/html", headers=HEADERS)

    async def _events(self, request):
        from aiohttp import web

        token = request.match_info["token"]
        data = await self._now(token)
        if data is None:
            raise web.HTTPNotFound(text="No running meeting has this board.\n")
        response = web.StreamResponse(headers={**HEADERS, "Content-Type": "text/event-stream",
                                               "X-Accel-Buffering": "no"})
        await response.prepare(request)
        shown, quiet = None, 0.0
        with contextlib.suppress(ConnectionResetError):
            while not self._closing.is_set():
                if data is None:
                    await response.write(b"event: ended\ndata: {}\n\n")
                    break
                seen = {**data, "now": None, "item_ends_at": None}  # the clocks run in the page
                if seen != shown or quiet >= 15:
                    await response.write(f"data: {json.dumps(data)}\n\n".encode())
                    shown, quiet = seen, 0.0
                await asyncio.sleep(POLL)
                quiet += POLL
                data = await self._now(token)
        return response
