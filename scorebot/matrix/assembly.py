"""The parts that act on what the homeserver sends, built on a logged-in client: the configured
rooms, the room views, the dispatcher with its features, the outbox, the sync loop and the report
reader.

Building their classes (dataclasses, mostly) is most of a start's own work, so the runtime imports
this module in a worker thread while the homeserver prepares the first sync, not before logging in.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from nio import AsyncClient

from scorebot.config import Config
from scorebot.dispatch import Dispatcher
from scorebot.domain.rooms import RoomKind
from scorebot.feature import Feature
from scorebot.features import all_features
from scorebot.health import Metrics
from scorebot.matrix.configured_rooms import join_missing, resolve_rooms
from scorebot.matrix.device_trust import DeviceTrust
from scorebot.matrix.executor import Executor
from scorebot.matrix.late_keys import LateKeys
from scorebot.matrix.report_reader import ReportReader
from scorebot.matrix.room_views import RoomViews
from scorebot.matrix.sync import SyncLoop
from scorebot.store import Store

__all__ = ["Parts", "assemble", "join_missing", "resolve_rooms"]


@dataclass
class Parts:
    rooms: RoomViews
    dispatcher: Dispatcher
    executor: Executor
    sync: SyncLoop
    reports: ReportReader


def assemble(config: Config, client: AsyncClient, store: Store, kinds: dict[str, RoomKind],
             features: list[Feature] | None, trust: DeviceTrust | None, synced: asyncio.Condition,
             metrics: Metrics) -> Parts:
    """Every part, wired to the others; `features` None means all of them, set up from `config`."""
    rooms = RoomViews(client, kinds, config.roles)
    dispatcher = Dispatcher(store, all_features(config) if features is None else features, client.user_id,
                            config.command_prefix, kinds, int(config.commands.edit_window * 1000))
    by_kind = {kind: room for room, kind in kinds.items()}
    executor = Executor(client, store, synced, trust, by_kind.get(RoomKind.IGO), by_kind.get(RoomKind.MODERATORS),
                        metrics, config.connection.undeliverable_after)
    late_keys = LateKeys(client, store, config.connection.key_wait) if client.olm else None
    sync = SyncLoop(client, store, dispatcher, executor, rooms, config.connection, synced, trust, late_keys, metrics)
    token = config.reports.admin_token or client.access_token
    reports = ReportReader(config.homeserver, token, store, config.reports.poll_interval, sync.take_in_report)
    return Parts(rooms, dispatcher, executor, sync, reports)
