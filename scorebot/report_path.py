"""Which way in for Element's own Report button works on this homeserver, as check-config says it.

Element's Report button sends a report to the homeserver's admins (the spec's report endpoints);
the bot reads those from Synapse's admin API, with a server admin's token: `reports.admin_token`,
or the bot's own login when that is an admin. Element no longer offers the "report to moderators"
dialog (MSC3215) that reached the bot without one.
"""

from __future__ import annotations

import aiohttp

READ = "Report button: read, with the admin token"
NOT_READ = "Report button: not read: no admin token"


async def check_report_path(homeserver: str, admin_token: str | None, bot_token: str) -> tuple[str | None, str | None]:
    """(note, problem): what check-config says about the Report button; the problem only when a
    configured admin token does not work."""
    token = admin_token or bot_token
    url = f"{homeserver.rstrip('/')}/_synapse/admin/v1/event_reports"
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http, \
                http.get(url, params={"limit": "1"}, timeout=aiohttp.ClientTimeout(total=20)) as answer:
            status = answer.status
    except (aiohttp.ClientError, TimeoutError) as error:
        return f"Report button: not checked: the homeserver did not answer ({type(error).__name__})", None
    if status == 200:
        return (READ if admin_token else f"{READ} (the bot's own login is a server admin)"), None
    if status == 404:
        return ("Report button: not read: this homeserver has no Synapse admin API (members report "
                "with !report or 🚩)"), None
    if admin_token:
        return None, (f"reports.admin_token: the homeserver does not take it as a server admin's token "
                      f"({status}); reports made with Element's Report button are not read")
    return (f"{NOT_READ} (members report with !report or 🚩; to read the Report button too, set "
            "reports.admin_token: see docs/admin.md)"), None
