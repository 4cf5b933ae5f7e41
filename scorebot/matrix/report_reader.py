"""Reports made with a client's own Report button, read from Synapse's admin API.

Reports on messages (`event_reports`) and, where the server offers them, on people
(`user_reports`). The API lists reports newest first, a page at a time. After downtime on a busy
server many may be new, so the reader pages back until it reaches one it has already taken in,
and hands them over oldest first. It reads with the bot's token, or with `reports.admin_token`
when the bot's own login is no server admin.
"""

from __future__ import annotations

import aiohttp

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
