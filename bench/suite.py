"""scorebot against a bare matrix-nio bot (`bench/bare_bot.py`) doing the same Matrix work, on one
local Synapse, side by side: every figure is a ratio, scorebot / bare bot, measured in the same run,
the two taking turns (each round alternates who goes first) and repeated, with the spread.

Run: .venv/bin/python -m bench.suite [--quick]   (about 15 minutes; --quick about 4)
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from nio import RoomMemberEvent

from scorebot import __file__ as scorebot_package
from scorebot.homeserver import LocalHomeserver, RegisteredUser
from scorebot.store import Store
from tests.support.bot import READY, BotProcess
from tests.support.members import Member


@dataclass
class Contender:
    """One of the two bots: how to start and stop it, and how it confirms things."""

    name: str
    user: RegisteredUser
    folder: Path
    scorebot: bool
    rooms: list[str] = field(default_factory=list)
    process: asyncio.subprocess.Process | None = None
    logging: asyncio.Task | None = None
    config: dict = field(default_factory=dict)

    @property
    def user_id(self) -> str:
        return self.user.user_id

    async def start(self, server: LocalHomeserver) -> None:
        """Start the bot, and return once it says it is ready; both are read from a pipe the moment
        they say so (scorebot's log goes on to its file)."""
        if self.scorebot:
            config = BotProcess.write_config(self.folder, self.config).config_path
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "scorebot", "run", "--config", str(config), stderr=asyncio.subprocess.PIPE)
            await asyncio.wait_for(self._until_ready(self.process.stderr, self.folder / "bot.log"), 120)
            return
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, str(Path(__file__).with_name("bare_bot.py")), server.url, self.user_id,
            self.user.access_token, self.user.device_id, str(self.folder / "since"),
            str(self.folder.parent / "help.json"), stdout=asyncio.subprocess.PIPE)
        await asyncio.wait_for(self.process.stdout.readline(), 120)

    async def _until_ready(self, stream: asyncio.StreamReader, log_path: Path) -> None:
        log = log_path.open("ab")
        while line := await stream.readline():
            log.write(line)
            if READY.encode() in line:
                break
        else:
            log.close()
            raise AssertionError(f"scorebot exited before it was ready; see {log_path}")

        async def keep_logging() -> None:
            with log:
                while line := await stream.readline():
                    log.write(line)

        self.logging = asyncio.create_task(keep_logging())

    async def stop(self) -> None:
        self.process.terminate()
        await self.process.wait()
        if self.scorebot:
            await self.logging

    def pid(self) -> int:
        return self.process.pid


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}" if len(values) > 1 else "-"


class Bench:
    def __init__(self, quick: bool):
        self.quick = quick
        self.folder = Path(tempfile.mkdtemp(prefix="scorebot-bench-"))
        self.server = LocalHomeserver(self.folder / "synapse")
        self.rows: list[tuple[str, str, str, str]] = []
        self.setups = 0  # each setup registers people and bots of its own

    def row(self, figure: str, bare: list[float], score: list[float], unit: str, ratios: list[float]) -> None:
        ratio = statistics.median(ratios)
        self.rows.append((figure, f"{statistics.median(bare):.1f} {unit}", f"{statistics.median(score):.1f} {unit}",
                          f"{ratio:.2f} ({spread(ratios)}, n={len(ratios)})"))
        print(f"  {figure}: bare {statistics.median(bare):.1f} {unit}, scorebot {statistics.median(score):.1f} "
              f"{unit}, ratio {ratio:.2f} ({spread(ratios)})", flush=True)

    async def setup(self, rooms: int, igo: list[Member] = ()) -> tuple[Member, Member, list[Contender]]:
        """A member (maya, who makes the rooms) and eve, both bots, each in `rooms` rooms of its own;
        with `igo`, a grievance officers' room for scorebot holding those members."""
        self.setups += 1
        tag = f"{rooms}x{self.setups}"
        maya = await Member(self.server.url, self.server.register(f"maya{tag}"), self.folder / f"maya{tag}").start()
        eve = await Member(self.server.url, self.server.register(f"eve{tag}"), self.folder / f"eve{tag}").start()
        bots = []
        for name, scorebot in (("bare", False), ("scorebot", True)):
            user = self.server.register(f"{name}{tag}")
            bot = Contender(name, user, self.folder / f"{name}{tag}", scorebot)
            bot.folder.mkdir(parents=True, exist_ok=True)
            for n in range(rooms):
                room = await maya.create_room(f"{name} {n}", (user.user_id, eve.user_id), power={user.user_id: 100})
                await eve.join(room)
                bot.rooms.append(room)
            bot.config = {"homeserver": self.server.url, "user_id": user.user_id, "access_token": user.access_token,
                          "rooms": {"organizing": bot.rooms}}
            if scorebot and igo:
                room = await maya.create_room("IGO", (user.user_id, *(member.user_id for member in igo)))
                for member in igo:
                    await member.join(room)
                bot.config["rooms"]["igo"] = room
            await bot.start(self.server)
            for room in bot.rooms:
                await maya.member_joined(room, user.user_id, timeout=120)
            bots.append(bot)
        await self.record_help(maya, bots[1])
        return maya, eve, bots

    async def record_help(self, maya: Member, score: Contender) -> None:
        """The bare bot answers `!help` with the very content scorebot sends here and now (in a
        meeting, it names the facilitator's commands too): the same work for Synapse."""
        asked = await maya.send(score.rooms[0], "!help")
        answer = await maya.reply_to(score.rooms[0], asked, score.user_id, timeout=30)
        content = {key: value for key, value in answer.content.items() if key != "m.relates_to"}
        (self.folder / "help.json").write_text(json.dumps(content))

    async def teardown(self, members: list[Member], bots: list[Contender]) -> None:
        for bot in bots:
            await bot.stop()
        for member in members:
            await member.stop()

    @staticmethod
    async def timed(action: Callable[[], Awaitable[object]]) -> float:
        start = time.perf_counter()
        await action()
        return (time.perf_counter() - start) * 1000

    async def alternating(self, bots: list[Contender], rounds: int,
                          measure: Callable[[Contender], Awaitable[float]]) -> tuple[list[float], list[float]]:
        samples: dict[str, list[float]] = {"bare": [], "scorebot": []}
        for index in range(rounds):
            for bot in bots if index % 2 else reversed(bots):
                samples[bot.name].append(await measure(bot))
        return samples["bare"], samples["scorebot"]

    # -- the figures --------------------------------------------------------------------------

    async def reply_and_hand(self) -> None:
        maya, eve, bots = await self.setup(1)
        score = bots[1]
        for bot in bots:
            await maya.send(bot.rooms[0], "!meeting start Bench")
        await self.record_help(maya, score)

        async def reply(bot: Contender) -> float:
            async def ask() -> None:
                asked = await maya.send(bot.rooms[0], "!help")
                await maya.reply_to(bot.rooms[0], asked, bot.user_id, timeout=30)
            return await self.timed(ask)

        async def unstacked(bot: Contender, event_id: str) -> None:
            await maya.checked(bot.rooms[0], bot.user_id, event_id, timeout=30)

        async def hand(bot: Contender) -> float:
            room = bot.rooms[0]
            start = time.perf_counter()
            raised = await maya.send(room, "✋")
            await maya.checked(room, bot.user_id, raised, timeout=30)
            took = (time.perf_counter() - start) * 1000
            await unstacked(bot, await maya.send(room, "unstack"))
            return took

        async def hand_after_unstack(bot: Contender) -> float:
            """On the stack, `unstack` and at once ✋ again: the ✅ must not wait behind the board's edit."""
            room = bot.rooms[0]
            off = await maya.send(room, "unstack")
            start = time.perf_counter()
            raised = await maya.send(room, "✋")
            await maya.checked(room, bot.user_id, raised, timeout=30)
            took = (time.perf_counter() - start) * 1000
            await unstacked(bot, off)
            return took

        rounds = 10 if self.quick else 40
        for bot in bots:  # warm up both
            await reply(bot)
            await hand(bot)
        for run in range(2):
            bare, scored = await self.alternating(bots, rounds, reply)
            self.row(f"reply (`!help`) round trip, median, run {run + 1}", bare, scored, "ms",
                     [statistics.median(scored) / statistics.median(bare)])
        p95 = [sorted(s)[int(len(s) * 0.95) - 1] for s in (bare, scored)]
        self.row("reply round trip, p95 (run 2)", [p95[0]], [p95[1]], "ms", [p95[1] / p95[0]])
        bare, scored = await self.alternating(bots, rounds, hand)
        self.row("✋ to the bot's ✅, median", bare, scored, "ms",
                 [statistics.median(scored) / statistics.median(bare)])
        for bot in bots:  # on the stack, for the next rounds
            await maya.checked(bot.rooms[0], bot.user_id, await maya.send(bot.rooms[0], "✋"), timeout=30)
        bare, scored = await self.alternating(bots, rounds, hand_after_unstack)
        p95 = [sorted(s)[int(len(s) * 0.95) - 1] for s in (bare, scored)]
        self.row("✋ right after an `unstack`, p95", [p95[0]], [p95[1]], "ms", [p95[1] / p95[0]])
        memory = [rss_mb(bot.pid()) for bot in bots]
        self.row("memory, idle", [memory[0]], [memory[1]], "MB", [memory[1] / memory[0]])
        await self.teardown([maya, eve], bots)

    async def catch_up(self, commands: int, repeats: int) -> None:
        maya, eve, bots = await self.setup(10)
        times: dict[str, list[float]] = {"bare": [], "scorebot": []}
        firsts: dict[str, list[float]] = {"bare": [], "scorebot": []}
        ratios = []
        for repeat in range(repeats):
            for bot in bots if repeat % 2 else reversed(bots):
                await bot.stop()
                asked = {room: [] for room in bot.rooms}
                for n in range(commands):  # the member writes while the bot is away
                    room = bot.rooms[n % len(bot.rooms)]
                    asked[room].append(await maya.send(room, "!help"))
                wanted = {event for events in asked.values() for event in events}

                def answered(bot=bot, wanted=wanted) -> list:
                    return [s for s in maya.seen if s.sender == bot.user_id and s.reply_to in wanted]

                start = time.perf_counter()
                # Answers are watched for while the bot starts: it may answer before it says it is ready.
                starting = asyncio.create_task(bot.start(self.server))
                await maya.wait_until(lambda answered=answered: answered(), 300, "a first answer")
                firsts[bot.name].append(time.perf_counter() - start)
                await starting
                await maya.wait_until(lambda answered=answered, wanted=wanted: len(answered()) >= len(wanted),
                                      600, "every answer")
                times[bot.name].append(time.perf_counter() - start)
                for room, events in asked.items():  # in order in each room, each once
                    order = [s.reply_to for s in answered() if s.room_id == room]
                    assert order == events, f"{bot.name}: answers out of order or repeated in {room}"
            ratios.append(times["scorebot"][-1] / times["bare"][-1])
        self.row(f"catch-up, {commands} commands over 10 rooms, restart to the last answer",
                 times["bare"], times["scorebot"], "s", ratios)
        self.row(f"catch-up, {commands} commands, restart to the first answer", firsts["bare"], firsts["scorebot"],
                 "s", [s / b for s, b in zip(firsts["scorebot"], firsts["bare"], strict=True)])
        await self.teardown([maya, eve], bots)

    async def restart_with_rooms(self, rooms: int, repeats: int) -> None:
        maya, eve, bots = await self.setup(rooms)
        ratios, taken = [], {"bare": [], "scorebot": []}
        # Round 0 warms up, and is not counted: the first restart after the set-up still catches up
        # on the set-up's own events.
        for repeat in range(repeats + 1):
            for bot in bots if repeat % 2 else reversed(bots):
                await bot.stop()
                start = time.perf_counter()
                await bot.start(self.server)
                asked = await maya.send(bot.rooms[-1], "!help")
                await maya.reply_to(bot.rooms[-1], asked, bot.user_id, timeout=60)
                if repeat:
                    taken[bot.name].append(time.perf_counter() - start)
            if repeat:
                ratios.append(taken["scorebot"][-1] / taken["bare"][-1])
        self.row(f"restart to the first answer, {rooms} rooms", taken["bare"], taken["scorebot"], "s", ratios)
        await self.teardown([maya, eve], bots)

    async def memory_after_events(self, events: int) -> None:
        maya, eve, bots = await self.setup(1)
        for bot in bots:
            for start in range(0, events, 50):
                await asyncio.gather(*(eve.send(bot.rooms[0], f"chat {n}") for n in range(start, start + 50)))
            marker = await maya.send(bot.rooms[0], "!help")
            await maya.reply_to(bot.rooms[0], marker, bot.user_id, timeout=300)  # everything before it is read
        memory = [rss_mb(bot.pid()) for bot in bots]
        self.row(f"memory after {events} events", [memory[0]], [memory[1]], "MB", [memory[1] / memory[0]])
        await self.teardown([maya, eve], bots)

    async def removal_over_rooms(self, rooms: int) -> None:
        """scorebot: a removal from every room, approved by a second grievance officer; the bare bot:
        `!kick` in every room. From the last click to eve gone from the last room."""
        ida = await Member(self.server.url, self.server.register("ida"), self.folder / "ida").start()
        ivy = await Member(self.server.url, self.server.register("ivy"), self.folder / "ivy").start()
        maya, eve, bots = await self.setup(rooms, igo=[ida, ivy])
        bare, score = bots
        igo = score.config["rooms"]["igo"]
        await ida.member_joined(igo, score.user_id, timeout=60)
        first = score.rooms[0]
        await maya.checked(first, score.user_id, await maya.send(first, f"!warn {eve.user_id} threats"), 60)
        await maya.checked(first, score.user_id, await maya.send(first, f"!escalate {eve.user_id} threats"), 60)
        root = await ida.wait_for(lambda s: s.room_id == igo and s.sender == score.user_id and "Case" in s.body, 60)
        await ida.send(igo, "!remove-everywhere threats", extra={"m.relates_to": {
            "rel_type": "m.thread", "event_id": root.event_id}})
        proposal = await ivy.wait_for(lambda s: s.room_id == igo and s.sender == score.user_id
                                      and "approves with" in s.body, 60)

        def gone(bot: Contender) -> int:
            return sum(1 for s in maya.seen if s.room_id in bot.rooms and isinstance(s.event, RoomMemberEvent)
                       and s.event.state_key == eve.user_id and s.event.membership == "leave")

        taken = {}
        for bot, trigger in ((bare, lambda: maya.send(bare.rooms[0], f"!kick {eve.user_id}")),
                             (score, lambda: ivy.react(igo, proposal.event_id, "✅"))):
            start = time.perf_counter()
            await trigger()
            await maya.wait_until(lambda bot=bot: gone(bot) >= len(bot.rooms), 300, "eve gone from every room")
            taken[bot.name] = time.perf_counter() - start
        self.row(f"removal from {rooms} rooms, the last click to the last room", [taken["bare"]],
                 [taken["scorebot"]], "s", [taken["scorebot"] / taken["bare"]])
        await self.teardown([maya, eve, ida, ivy], bots)

    async def history(self, handled: int) -> None:
        """scorebot's reply after `handled` events are on record, against its reply on an empty record."""
        maya, eve, bots = await self.setup(1)
        score = bots[1]

        async def reply(bot: Contender) -> float:
            async def ask() -> None:
                asked = await maya.send(bot.rooms[0], "!help")
                await maya.reply_to(bot.rooms[0], asked, bot.user_id, timeout=30)
            return await self.timed(ask)

        rounds = 10 if self.quick else 30
        empty = [await reply(score) for _ in range(rounds)]
        await score.stop()
        store = Store(f"sqlite:///{score.folder / 'data' / 'scorebot.db'}")
        store.open()
        with store.db.atomic():  # what a bot that has handled that many events keeps (pruned after a week)
            for n in range(handled):
                store.note_handled(f"$history{n}", score.rooms[0])
        store.close()
        await score.start(self.server)
        full = [await reply(score) for _ in range(rounds)]
        # Here the first column is scorebot on an empty record, the second the same bot after it.
        self.row(f"scorebot's reply, empty record then {handled} handled events on record", empty, full, "ms",
                 [statistics.median(full) / statistics.median(empty)])
        await self.teardown([maya, eve], bots)

    async def run(self, only: str | None) -> None:
        quick = self.quick
        figures = {
            "reply": self.reply_and_hand,
            "catch-up": lambda: self.catch_up(200, 2 if quick else 5),
            "catch-up-1000": lambda: self.catch_up(1000, 2),
            "restart": lambda: self.restart_with_rooms(50, 5 if quick else 11),
            "removal": lambda: self.removal_over_rooms(20 if quick else 100),
            "memory": lambda: self.memory_after_events(1000 if quick else 5000),
            "history": lambda: self.history(2000 if quick else 20000),
        }
        if quick:
            figures.pop("catch-up-1000")
        # As installed from a package, scorebot starts from compiled bytecode, as nio does from its
        # wheel; a checkout where Python may not write bytecode (PYTHONDONTWRITEBYTECODE) would
        # compile every module again at every start.
        compileall.compile_dir(Path(scorebot_package).parent, quiet=1)
        self.server.start()
        try:
            for name, figure in figures.items():
                if only is None or name in only.split(","):
                    await figure()
        finally:
            self.server.stop()
        print(f"\nOn {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}:")
        print("| figure | bare nio bot | scorebot | scorebot / bare (spread, runs) |")
        print("|---|---|---|---|")
        for row in self.rows:
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller numbers")
    parser.add_argument("--only", help="one figure: reply, catch-up, catch-up-1000, restart, removal, memory, history")
    args = parser.parse_args()
    asyncio.run(Bench(args.quick).run(args.only))
