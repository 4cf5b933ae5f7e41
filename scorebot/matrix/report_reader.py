"""Reports made with a client's own Report button, read from Synapse's admin API.

Reports on messages (`event_reports`) and, where the server offers them, on people
(`user_reports`). The API lists reports newest first, a page at a time. After downtime on a busy
server many may be new, so the reader pages back until it reaches one it has already taken in,
and hands them over oldest first. It reads with the bot's token, or with `reports.admin_token`
when the bot's own login is no server admin.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp

from scorebot.store import Store

log = logging.getLogger(__name__)

PAGE = 100


class NotAdmin(Exception):
    """The account may not read the admin API (401 or 403)."""


class NotOffered(Exception):
    """This homeserver has no such list (404): an older Synapse without user reports."""


async def reports_since(http: aiohttp.ClientSession, url: str, seen: int, key: str = "event_reports") -> list[dict]:
    """Every report with an ID above `seen`, oldest first (`key`: event_reports or user_reports)."""
    found: list[dict] = []
    offset = 0
    while True:
        async with http.get(url, params={"dir": "b", "limit": str(PAGE), "from": str(offset)}) as answer:
            if answer.status in (401, 403):
                raise NotAdmin(answer.status)
            if answer.status == 404:
                raise NotOffered(url)
            answer.raise_for_status()
            body = await answer.json()
        page = [r for r in body.get(key, []) if isinstance(r.get("id"), int)]
        fresh = [r for r in page if r["id"] > seen]
        found.extend(fresh)
        next_token = body.get("next_token")
        if len(fresh) < len(page) or not page or not isinstance(next_token, int) or next_token <= offset:
            return sorted(found, key=lambda r: r["id"])
        offset = next_token


class ReportReader:
    """Reads the homeserver's reports every `poll_interval` seconds and hands each to `take_in`.

    Each is marked by its report ID once taken in, so a restart takes none in twice."""

    def __init__(self, homeserver: str, token: str, store: Store, poll_interval: float,
                 take_in: Callable[[str, dict], Awaitable[None]]):
        self.base = f"{homeserver.rstrip('/')}/_synapse/admin/v1"
        self.token = token
        self.store = store
        self.poll_interval = poll_interval
        self.take_in = take_in

    async def run(self) -> None:
        kinds = {"event_reports": "report_button_seen", "user_reports": "user_report_seen"}
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {self.token}"}) as http:
            while kinds:
                for key, mark in list(kinds.items()):
                    seen = int(await self.store.run(self.store.mark, mark) or 0)
                    try:
                        new = await reports_since(http, f"{self.base}/{key}", seen, key)
                    except NotAdmin:
                        log.info("The bot's account is not a server admin: reports made with the Report "
                                 "button are not read (reports by !report and 🚩 work as usual; reports.admin_token "
                                 "can give it an admin's token, see docs/admin.md)")
                        return
                    except NotOffered:
                        kinds.pop(key)
                        continue
                    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                        log.warning("Could not read the homeserver's reports: %s", type(error).__name__)
                        continue
                    for report in new:
                        await self.take_in(key, report)
                        await self.store.run(self.store.set_mark, mark, str(report["id"]))
                await asyncio.sleep(self.poll_interval)
