"""The bot's life on a homeserver: log in, prove its identity, catch up, follow the rooms, act, and
keep going. Each part lives in its own module; this one starts them, in order, and stops them.

- `session.py` logs in and asks for syncs; `cross_signing.py` proves the bot's identity;
- `assembly.py` builds the parts that act, loaded while the first sync is prepared:
  - `configured_rooms.py` finds the rooms the config names, and joins those the bot is not in;
  - `sync.py` follows the rooms and hands each event to the dispatcher, exactly once;
  - `executor.py` carries out the outbox;
  - `room_views.py` is how the bot sees its rooms and the roles they give;
  - `report_reader.py` reads the homeserver's reports, where the bot may;
- the timers let features act on time passing, and forget what is no longer needed.

The Matrix client comes from `connect`, and the bot's identity from `prove_identity`: both can be
replaced, so the whole runtime runs in tests against a fake homeserver client.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal as os_signal
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from nio import AsyncClient, SyncResponse

from scorebot.config import Config
from scorebot.health import HealthServer, Metrics, counting
from scorebot.matrix.cross_signing import CrossSigning
from scorebot.matrix.device_trust import DeviceTrust
from scorebot.matrix.session import TokenRejected, connect, log_in_again, request_sync
from scorebot.store import Store

if TYPE_CHECKING:
    from scorebot.dispatch import Dispatcher
    from scorebot.feature import Feature
    from scorebot.matrix.executor import Executor
    from scorebot.matrix.room_views import RoomViews
    from scorebot.matrix.sync import SyncLoop

log = logging.getLogger(__name__)


async def resume(config: Config) -> AsyncClient:
    """The saved session as it is: the identity check, the first request, shows whether it works."""
    return await connect(config, check_token=False)


async def cross_sign(config: Config, client: AsyncClient) -> DeviceTrust:
    """The bot's device cross-signed by its own identity; then who else is (see `cross_signing`)."""
    await CrossSigning(config.homeserver, client.user_id, client.device_id, client.access_token,
                       config.password).ensure(config.data_path, config.cross_signing.reset)
    return DeviceTrust(config.homeserver, client.access_token)


class Runtime:
    def __init__(self, config: Config, features: list[Feature] | None = None,
                 connect: Callable[[Config], Awaitable[AsyncClient]] = resume,
                 prove_identity: Callable[[Config, AsyncClient], Awaitable[DeviceTrust | None]] = cross_sign,
                 read_reports: bool = True):
        self.config = config
        self.features = features
        self.store = Store(config.database_url)
        self._connect = connect
        self._prove_identity = prove_identity
        self._read_reports = read_reports
        self.client: AsyncClient | None = None
        self.dispatcher: Dispatcher | None = None
        self.executor: Executor | None = None
        self.rooms: RoomViews | None = None
        self.sync: SyncLoop | None = None
        self.trust: DeviceTrust | None = None
        self.metrics = counting() if config.metrics.listen else Metrics()
        self.health: HealthServer | None = None
        self.board_page = None  # the projector's live board (`board.listen`)
        self._synced = asyncio.Condition()
        self._stopping = asyncio.Event()
        self.ready = asyncio.Event()

    # -- start and stop ---------------------------------------------------------------------

    async def run(self) -> None:
        """Run until SIGINT or SIGTERM (or `stop()`), then close cleanly."""
        loop = asyncio.get_running_loop()
        for sig in (os_signal.SIGINT, os_signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop)
        applied = await self.store.run(self.store.open)
        for step in applied:
            log.info("Database upgraded to schema %d: %s", step.version, step.description)
        first: asyncio.Task | None = None
        try:
            token, first = await self._log_in_and_ask_first_sync()
            # The parts that handle events load while the homeserver prepares the first sync.
            assembly = await asyncio.to_thread(importlib.import_module, "scorebot.matrix.assembly")
            kinds = await assembly.resolve_rooms(self.client, self.config.rooms)
            parts = assembly.assemble(self.config, self.client, self.store, kinds, self.features, self.trust,
                                      self._synced, self.metrics)
            self.rooms, self.dispatcher, self.executor, self.sync = parts.rooms, parts.dispatcher, parts.executor, \
                parts.sync
            await self.store.run(self.dispatcher.start)
            # The outbox runs from the start: it waits for the first sync's rooms, then sends while
            # the rest of a catch-up is handled.
            outbox = asyncio.create_task(self.executor.run_forever(), name="outbox")
            try:
                await self.sync.first_sync(token, await first)
                await assembly.join_missing(self.client, self.store, kinds)
            except BaseException:
                outbox.cancel()
                raise
            tasks = [asyncio.create_task(self.sync.forever(), name="sync"), outbox,
                     asyncio.create_task(self._timers(), name="timers")]
            if self._read_reports:
                tasks.append(asyncio.create_task(parts.reports.run(), name="reports"))
            self.executor.wake()
            if self.config.metrics.listen:
                self.health = HealthServer(self.metrics, self.config.metrics.listen, self.config.metrics.stale_after,
                                           self._outbox_stuck, self._refresh_gauges)
                await self.health.start()
            if self.config.board.listen:
                from scorebot.board_page import BoardPage  # aiohttp loads only when the board is on
                self.board_page = BoardPage(self.store, self.config.board, self.config.stack)
                await self.board_page.start()
            log.info("scorebot is ready as %s (device %s)", self.client.user_id, self.client.device_id)
            self.ready.set()
            await self._until_stopped(tasks)
        finally:
            if first:
                first.cancel()
            if self.health:
                await self.health.stop()
            if self.board_page:
                await self.board_page.stop()
            if self.trust:
                await self.trust.close()
            if self.client:
                await self.client.close()
            self.store.close()
            log.info("scorebot stopped")

    async def _log_in_and_ask_first_sync(self) -> tuple[str | None, asyncio.Task[SyncResponse]]:
        """Log in, and ask for the first sync since the saved position: the longest wait of a start,
        so the bot proves its identity (and loads its parts) while the homeserver prepares it. A
        saved session that was logged out shows in the identity check; the bot then logs in again."""
        self.client = await self._connect(self.config)
        token = await self.store.run(self.store.sync_token)
        first = self._ask_first_sync(token)
        try:
            try:
                self.trust = await self._prove_identity(self.config, self.client)
            except TokenRejected:
                first.cancel()
                await log_in_again(self.client, self.config)
                first = self._ask_first_sync(token)
                self.trust = await self._prove_identity(self.config, self.client)
            self._lift_blacklist()
        except BaseException:
            first.cancel()
            raise
        return token, first

    def _ask_first_sync(self, token: str | None) -> asyncio.Task[SyncResponse]:
        """Full state, since nio keeps no room state across restarts."""
        return asyncio.create_task(request_sync(self.client, token, 0, self.config.connection.max_retry_wait,
                                                full_state=True), name="first sync")

    async def _until_stopped(self, tasks: list[asyncio.Task]) -> None:
        stopper = asyncio.create_task(self._stopping.wait())
        running = {*tasks, stopper}
        try:
            # A task that ends cleanly (the report reader, for a bot that is no server admin)
            # just ends; a stop request or a task that fails ends the bot.
            while stopper in running:
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task is not stopper and task.exception():
                        raise task.exception()
        finally:
            for task in running:
                task.cancel()

    def stop(self) -> None:
        self._stopping.set()

    def _lift_blacklist(self) -> None:
        """The bot blacklists a device only for the length of one send (see the executor); a crash
        in between must not leave it out of every other room."""
        if not self.client.olm:
            return
        for devices in self.client.device_store.values():
            for device in devices.values():
                if device.blacklisted:
                    self.client.unblacklist_device(device)

    # -- health --------------------------------------------------------------------------------

    async def _outbox_stuck(self) -> str | None:
        now = int(time.time() * 1000)
        since = await self.store.run(self.store.oldest_waiting_since, now)
        waited = (now - since) / 1000 if since is not None else 0
        return f"an action has waited {waited:.0f} s to go out" if waited > self.config.metrics.stale_after else None

    async def _refresh_gauges(self) -> None:
        self.metrics.outbox.set(await self.store.run(self.store.outbox_depth))
        self.metrics.meetings.set(len(await self.store.run(self.store.meetings.all_running)))
        self.metrics.rooms.set(len(self.client.rooms))

    # -- time passing ---------------------------------------------------------------------------

    async def _timers(self) -> None:
        """Let features act on time passing (an automatic wrap-up, reminders); forget, once an hour,
        what the bot no longer needs to remember."""
        keep_ms = int(self.config.connection.keep_handled_days * 24 * 3600 * 1000)
        pruned_at = 0
        roles_said, started = False, time.time()
        while True:
            await asyncio.sleep(self.config.connection.timer_interval)
            now = int(time.time() * 1000)
            views = self.rooms.views()
            if not roles_said and (set(views) >= set(self.rooms.kinds) or time.time() - started > 60):
                roles_said = True  # once every configured room is seen: who holds each role, said at start
                for line in self.rooms.who_holds_each_role():
                    log.info(line)
            actions = await self.store.run(self.dispatcher.tick, now, self.rooms.roles(views), views)
            if actions:
                self.executor.wake()
            if now - pruned_at >= 3_600_000:
                pruned_at = now
                await self.store.run(self.store.prune, now - keep_ms)
