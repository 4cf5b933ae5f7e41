"""Reply time of scorebot against a bare matrix-nio echo bot, on one local Synapse.

A member sends a command, waits for the bot's reply to arrive through its own sync, and the
round trip is timed; the two bots take turns so that both see the same homeserver load. Each bot
has a room of its own: in a shared room scorebot would answer every `!echo` as an unknown command,
and so slow down the bot it is compared with.
Run: .venv/bin/python -m bench.reply_latency [rounds]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from scorebot.homeserver import LocalHomeserver
from tests.support.bot import BotProcess
from tests.support.members import Member


async def round_trip(member: Member, room: str, bot: str, body: str) -> float:
    start = time.perf_counter()
    asked = await member.send(room, body)
    await member.reply_to(room, asked, bot, timeout=30)
    return (time.perf_counter() - start) * 1000


def summary(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return f"{name:<10} median {statistics.median(samples):6.1f} ms   p95 {p95:6.1f} ms   n={len(samples)}"


async def main(rounds: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="scorebot-bench-"))
    server = LocalHomeserver(folder / "synapse")
    server.start()
    echo_process = None
    scorebot = None
    member = None
    try:
        echo_user = server.register("echo")
        bot_user = server.register("scorebot")
        member = await Member(server.url, server.register("member"), folder / "member").start()
        room = await member.create_room("Bench", (bot_user.user_id,))
        echo_room = await member.create_room("Echo", (echo_user.user_id,))
        echo_process = await asyncio.create_subprocess_exec(
            sys.executable, str(Path(__file__).with_name("echo_bot.py")), server.url, echo_user.user_id,
            echo_user.access_token, echo_user.device_id, stdout=asyncio.subprocess.DEVNULL)
        scorebot = BotProcess.write_config(folder / "bot", {
            "homeserver": server.url, "user_id": bot_user.user_id, "access_token": bot_user.access_token,
            "log_level": "WARNING", "rooms": {"organizing": [room]}})
        scorebot.start()
        await member.member_joined(echo_room, echo_user.user_id)
        await member.member_joined(room, bot_user.user_id)
        for _ in range(3):  # warm up both
            await round_trip(member, echo_room, echo_user.user_id, "!echo warm")
            await round_trip(member, room, bot_user.user_id, "!help")
        echo, score = [], []
        for index in range(rounds):  # alternate who goes first, so neither always follows the other
            turns = [(echo, echo_room, echo_user.user_id, f"!echo {index}"),
                     (score, room, bot_user.user_id, "!help")]
            for samples, where, bot, body in turns if index % 2 else reversed(turns):
                samples.append(await round_trip(member, where, bot, body))
        print(f"Reply round trip on one local Synapse ({rounds} rounds, alternating):")
        print(summary("echo bot", echo))
        print(summary("scorebot", score))
        ratio = statistics.median(score) / statistics.median(echo)
        print(f"scorebot / echo bot (median): {ratio:.2f}")
    finally:
        if member:
            await member.stop()
        if scorebot:
            scorebot.stop()
        if echo_process:
            echo_process.terminate()
            await echo_process.wait()
        server.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 40))
