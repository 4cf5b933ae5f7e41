"""Each room's new events in a sync, made whole and cut to what the bot may act on.

Two of the sync loop's promises are kept here:
- nothing missed: a sync that skipped events (a gap after downtime) is filled from /messages;
- never from before joining: in a room it has just joined, the bot ignores everything before its
  own join.
"""

from __future__ import annotations

import asyncio
import logging
import time

from nio import AsyncClient, Event, MessageDirection, RoomMemberEvent, RoomMessagesResponse, SyncResponse

from scorebot.matrix.executor import IN_FLIGHT
from scorebot.matrix.state_events import own_join_time
from scorebot.store import Store

log = logging.getLogger(__name__)

_GAP_PAGE = 100


class Timelines:
    def __init__(self, client: AsyncClient, store: Store):
        self.client = client
        self.store = store

    async def to_act_on(self, answer: SyncResponse, since: str | None) -> list[list[tuple[str, Event]]]:
        """For each room with something new, its events to act on, oldest first.

        The rooms' gaps are fetched side by side, as many at once as the outbox sends."""
        # A room whose new events are all the bot's own answers (most syncs while it is busy
        # answering) has nothing to act on, and needs no look at when the bot joined it.
        news = {room_id: info for room_id, info in answer.rooms.join.items() if has_news(info, self.client.user_id)}
        joined_times = await self.store.run(self.store.joined_times, list(news)) if news else {}
        fetching = asyncio.Semaphore(IN_FLIGHT)

        async def timeline(room_id: str, info) -> list[tuple[str, Event]]:
            events = list(info.timeline.events)
            # The gap reaches back to our last position, so it also holds the bot's own join when
            # the bot stopped before it saw that join: what came after the join is acted on, what
            # came before is not.
            if info.timeline.limited and since and info.timeline.prev_batch:
                async with fetching:
                    events = await self.fill_gap(room_id, info.timeline.prev_batch, since) + events
            return [(room_id, event) for event in await self.after_own_join(room_id, events,
                                                                              joined_times.get(room_id))]

        return await asyncio.gather(*(timeline(room_id, info) for room_id, info in news.items()))

    async def fill_gap(self, room_id: str, prev_batch: str, since: str) -> list[Event]:
        """The events a limited sync left out, oldest first, fetched back to our last position."""
        missed: list[Event] = []
        start = prev_batch
        while start:
            answer = await self.client.room_messages(room_id, start=start, end=since,
                                                     direction=MessageDirection.back, limit=_GAP_PAGE)
            if not isinstance(answer, RoomMessagesResponse):
                log.warning("Could not fetch missed events in %s: %s", room_id, answer.message)
                break
            missed.extend(answer.chunk)
            if not answer.chunk or not answer.end or answer.end == start:
                break
            start = answer.end
        if missed:
            log.info("Caught up %d missed events in %s", len(missed), room_id)
        return list(reversed(missed))

    async def after_own_join(self, room_id: str, events: list[Event], known: int | None) -> list[Event]:
        """Drop what came before the bot's own join: history it was never asked to act on."""
        me = self.client.user_id
        joined_at = None
        for index in range(len(events) - 1, -1, -1):
            joined_at = own_join_time(events[index], me)
            if joined_at is not None:
                events = events[index + 1:]
                break
        if joined_at is not None:
            await self.store.run(self.store.room_joined, room_id, joined_at)
            return events
        if known is None:
            await self.store.run(self.store.room_joined, room_id, last_timestamp(events))
            return []
        return [event for event in events if event.server_timestamp >= known]


def by_the_bot(event: Event, me: str) -> bool:
    """The bot's own message, reaction or redaction: never acted on (its own membership is)."""
    return getattr(event, "sender", None) == me and not isinstance(event, RoomMemberEvent)


def has_news(info, me: str) -> bool:
    """Whether a room's part of a sync holds anything but the bot's own messages and reactions."""
    return info.timeline.limited or not all(by_the_bot(event, me) for event in info.timeline.events)


def last_timestamp(events: list[Event]) -> int:
    stamps = [getattr(e, "server_timestamp", 0) or 0 for e in events]
    return max(stamps, default=int(time.time() * 1000))
