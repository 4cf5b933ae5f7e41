"""An optional HTTP endpoint for whoever runs the bot: `/healthz` and `/metrics` (Prometheus).

Off unless `metrics.listen` is set (say `127.0.0.1:9104`). `/healthz` answers 200 while the bot
has synced recently and its outbox is moving, 503 with the reason otherwise. `/metrics` counts
what the bot does; no label ever carries a person, a room or a message.
"""

from __future__ import annotations

import time


class Metrics:
    """What the bot counts when nobody reads the counts (`metrics.listen` unset): only the time of
    the last sync, so prometheus-client is not even loaded. `counting()` gives the real counters."""

    def __init__(self) -> None:
        self.last_sync = time.monotonic()
        self.events = self.actions = self.handling = self.outbox = self.rooms = self.meetings = _Nothing()

    def synced(self) -> None:
        self.last_sync = time.monotonic()


class _Nothing:
    def labels(self, **_labels) -> _Nothing:
        return self

    def inc(self, *_amount) -> None:
        pass

    def observe(self, _value) -> None:
        pass

    def set(self, _value) -> None:
        pass


def counting() -> Metrics:
    """The bot's counters in the Prometheus format, in a registry of their own (so tests and
    several bots don't collide)."""
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

    metrics = Metrics()
    registry = metrics.registry = CollectorRegistry()
    metrics.events = Counter("scorebot_events_handled", "Events and signals handled, by kind", ["kind"],
                             registry=registry)
    metrics.actions = Counter("scorebot_actions", "Outbox actions by outcome: sent, parked or failed",
                              ["outcome"], registry=registry)
    metrics.handling = Histogram("scorebot_handling_seconds", "Time to decide what one event leads to",
                                 registry=registry)
    sync_age = Gauge("scorebot_seconds_since_sync", "Seconds since the last successful sync",
                     registry=registry)
    sync_age.set_function(lambda: time.monotonic() - metrics.last_sync)
    metrics.outbox = Gauge("scorebot_outbox_depth", "Actions waiting to go out", registry=registry)
    metrics.rooms = Gauge("scorebot_rooms", "Rooms the bot is in", registry=registry)
    metrics.meetings = Gauge("scorebot_meetings_running", "Meetings running now", registry=registry)
    return metrics


class HealthServer:
    def __init__(self, metrics: Metrics, listen: str, stale_after: float, outbox_stuck, refresh):
        host, _, port = listen.rpartition(":")
        self.host, self.port = host or "127.0.0.1", int(port)
        self.metrics = metrics
        self.stale_after = stale_after
        self.outbox_stuck = outbox_stuck  # async () -> reason or None
        self.refresh = refresh  # async (): update the gauges read from the store
        self._runner = None

    async def start(self) -> None:
        from aiohttp import web  # only when the endpoint is on: it costs memory every bot would carry

        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _healthz(self, _request):
        from aiohttp import web

        age = time.monotonic() - self.metrics.last_sync
        reason = (f"no successful sync for {age:.0f} s" if age > self.stale_after
                  else await self.outbox_stuck())
        if reason:
            return web.Response(status=503, text=f"unhealthy: {reason}\n")
        return web.Response(text="ok\n")

    async def _metrics(self, _request):
        from aiohttp import web
        from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

        await self.refresh()
        return web.Response(body=generate_latest(self.metrics.registry),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})
