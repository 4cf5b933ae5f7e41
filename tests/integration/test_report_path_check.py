"""check-config says whether reports made with Element's Report button are read on this server."""

from __future__ import annotations

import yaml

from tests.conftest import World
from tests.support.cli import scorebot


async def check(world: World, **reports) -> list[str]:
    alice = await world.member("alice")
    room = await alice.create_room("Organizing", (world.bot_user.user_id,))
    config = world.bot_config([room])
    config["reports"] = reports
    path = world.folder / "report-path.yaml"
    path.write_text(yaml.safe_dump(config))
    result = scorebot("check-config", "--config", str(path))
    return [result.returncode, *result.stdout.strip().splitlines()]


async def test_without_an_admin_token_the_report_button_is_said_not_read(world: World):
    code, *said = await check(world)
    assert code == 0, said
    [line] = [line for line in said if "Report button" in line]
    assert line.startswith("note: Report button: not read: no admin token ("), line
    assert "reports.admin_token" in line and "docs/admin.md" in line


async def test_with_an_admin_token_the_report_button_is_said_read(world: World):
    admin = world.server.register(world.name("admin"), admin=True)  # a server admin, apart from the bot
    code, *said = await check(world, admin_token=admin.access_token)
    assert code == 0, said
    assert [line for line in said if "Report button" in line] == ["note: Report button: read, with the admin token"]


async def test_an_admin_token_the_server_refuses_is_a_problem(world: World):
    member = world.server.register(world.name("notadmin"))  # a token, but no server admin's
    code, *said = await check(world, admin_token=member.access_token)
    assert code == 1
    assert any(line.startswith("missing: reports.admin_token: the homeserver does not take it as a server admin's")
               for line in said), said
