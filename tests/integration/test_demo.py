"""`scorebot demo`, as a newcomer would run it: it prints where and how to log in, and answers."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

from nio import AsyncClient, LoginResponse

from scorebot.homeserver import RegisteredUser, free_port
from tests.support.members import Member


async def read_until(stream: asyncio.StreamReader, marker: str, timeout: float = 120) -> str:
    seen = []
    async with asyncio.timeout(timeout):
        while True:
            line = (await stream.readline()).decode(errors="replace")
            if not line:
                raise AssertionError("the demo ended early:\n" + "".join(seen))
            seen.append(line)
            if marker in line:
                return "".join(seen)


async def test_demo_prints_logins_and_answers_help(tmp_path):
    demo = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "scorebot", "demo", "--folder", str(tmp_path / "demo"), "--port", str(free_port()),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    alice = None
    try:
        output = await read_until(demo.stdout, "Stop with Ctrl-C")
        url = re.search(r"Homeserver: (http://127\.0\.0\.1:\d+)", output).group(1)
        password = re.search(r"@alice:localhost\s+password: (\S+)", output).group(1)
        for person in ("bob", "carol", "ida"):
            assert re.search(rf"@{person}:localhost\s+password: \S+", output)

        login = AsyncClient(url, "@alice:localhost")
        answer = await login.login(password)
        await login.close()
        assert isinstance(answer, LoginResponse), answer
        alice = await Member(url, RegisteredUser("@alice:localhost", password, answer.access_token,
                                                 answer.device_id), tmp_path / "alice").start()
        room = next(r for r, info in alice.client.rooms.items() if info.name == "Organizing (demo)")
        bot = "@scorebot:localhost"
        await alice.member_joined(room, bot)
        asked = await alice.send(room, "!help")
        reply = await alice.reply_to(room, asked, bot, timeout=30)
        assert "!help" in reply.body
        # A second moderator, so a removal can be approved in the demo, and a grievance officer.
        levels = await alice.client.room_get_state_event(room, "m.room.power_levels")
        assert levels.content["users"]["@carol:localhost"] == 50
        members = {name: set(alice.client.rooms[r].users) for r, name in
                   ((r, info.name) for r, info in alice.client.rooms.items())}
        assert "@carol:localhost" in members["Moderators (demo)"]
        # ida made the grievance officers' room: alice is not in it, so she reads no report.
        assert "Internal Grievance Officers (demo)" not in members
        assert "Grievance officers (they read every report): ida, alone." in output  # the banner
        # The start log says who holds each role, once the bot is in every room.
        said = await read_until(demo.stdout, "Steering Committee (they")
        assert "Grievance officers (they read every report): ida." in said
        assert "Moderators (they decide on removals and see cases): alice, carol." in said
    finally:
        if alice:
            await alice.stop()
        if demo.returncode is None:
            demo.send_signal(signal.SIGINT)
        rest = (await asyncio.wait_for(demo.stdout.read(), 30)).decode(errors="replace")
    assert await demo.wait() == 0
    assert "Demo stopped" in rest
