"""The Report-button reader pages back through the admin API until it reaches what it has seen."""

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from scorebot.matrix.report_reader import NotAdmin, reports_since

REPORTS = [{"id": n, "room_id": "!r:x", "event_id": f"$e{n}", "user_id": "@u:x"} for n in range(1, 251)]


async def event_reports(request: web.Request) -> web.Response:
    """Synapse's answer: newest first with dir=b, `from` an offset, `next_token` while more remain."""
    if request.headers.get("Authorization") != "Bearer admin":
        return web.json_response({"errcode": "M_FORBIDDEN"}, status=403)
    offset, limit = int(request.query.get("from", 0)), int(request.query["limit"])
    newest_first = sorted(REPORTS, key=lambda r: -r["id"])
    page = newest_first[offset:offset + limit]
    body = {"event_reports": page, "total": len(REPORTS)}
    if offset + limit < len(REPORTS):
        body["next_token"] = offset + limit
    return web.json_response(body)


@pytest.fixture
async def admin_api():
    app = web.Application()
    app.router.add_get("/_synapse/admin/v1/event_reports", event_reports)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/_synapse/admin/v1/event_reports"))
    await server.close()


async def test_all_250_reports_are_taken_in_oldest_first(admin_api):
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer admin"}) as http:
        found = await reports_since(http, admin_api, seen=0)
        assert [r["id"] for r in found] == list(range(1, 251))
        later = await reports_since(http, admin_api, seen=120)
        assert [r["id"] for r in later] == list(range(121, 251))
        assert await reports_since(http, admin_api, seen=250) == []


async def test_an_account_that_is_no_admin_is_told_apart(admin_api):
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer member"}) as http:
        with pytest.raises(NotAdmin):
            await reports_since(http, admin_api, seen=0)
