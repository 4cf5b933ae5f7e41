"""The outbox's records: actions decided and still to go out, parked for later, done or failed.

Kept apart from the rest of the store because the outbox is its own small machine, read by the
executor's lanes (`matrix.lanes`) and written by every handler: an action is enqueued in the same
transaction as the change that decided it, parked with its attempts and next try while it cannot
go, and its body (maybe a report's words) is dropped once it went out or failed for good. `Store`
takes these methods as its own, so features keep seeing one facade.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scorebot.store import erasure
from scorebot.store.models import Outbox, insert_row

if TYPE_CHECKING:
    from scorebot.domain.actions import Action


@dataclass(frozen=True)
class PendingAction:
    id: int
    action: Action
    attempts: int = 0
    next_try_at: int = 0  # milliseconds; 0: at once
    created_at: int = 0  # milliseconds: when it was decided


def _now_ms() -> int:
    return int(time.time() * 1000)


class OutboxRecords:
    """The part of `Store` about the outbox."""

    def enqueue(self, actions: Iterable[Action], source_event_id: str | None = None) -> list[int]:
        from scorebot.store import codec

        ids = []
        for action in actions:
            kind, payload = codec.dump(action)
            ids.append(insert_row(Outbox, kind=kind, payload=payload, source_event_id=source_event_id,
                                  created_at=_now_ms()))
        return ids

    def pending_actions(self) -> list[tuple[int, Action]]:
        return [(row.id, row.action) for row in self.pending_rows()]

    def pending_rows(self, known: Mapping[int, Action] | None = None) -> list[PendingAction]:
        """Every action still to go out, oldest first, with its attempts and next-try time.

        The outbox looks at this each time something new is decided; `known` are the actions it
        read before, by ID, so only new ones are decoded (during a long catch-up, decoding every
        waiting action at every look was most of the bot's work)."""
        from scorebot.store import codec

        known = known or {}
        rows = list(Outbox.select(Outbox.id, Outbox.attempts, Outbox.next_try_at, Outbox.created_at)
                    .where(Outbox.state == "pending").order_by(Outbox.id))
        new = [row.id for row in rows if row.id not in known]
        actions = dict(known)
        for chunk in range(0, len(new), 500):
            query = Outbox.select(Outbox.id, Outbox.kind, Outbox.payload).where(Outbox.id.in_(new[chunk:chunk + 500]))
            actions.update((row.id, codec.load(row.kind, row.payload)) for row in query)
        return [PendingAction(row.id, actions[row.id], row.attempts, row.next_try_at, row.created_at) for row in rows]

    def outbox_depth(self) -> int:
        return Outbox.select().where(Outbox.state == "pending").count()

    def oldest_waiting_since(self, now: int) -> int | None:
        """When the oldest action that is due (not parked for later) was decided, if any."""
        row = (Outbox.select(Outbox.created_at).where((Outbox.state == "pending") & (Outbox.next_try_at <= now))
               .order_by(Outbox.id).first())
        return row.created_at if row else None

    def action_parked(self, action_id: int, attempts: int, next_try_at: int, reason: str) -> None:
        """It could not go now; try again at `next_try_at`."""
        Outbox.update(attempts=attempts, next_try_at=next_try_at, error=reason[:2000]).where(
            Outbox.id == action_id).execute()

    def actions_due_now(self, action_ids: list[int]) -> None:
        """What was parked waiting for a room goes at once: the bot is back in it."""
        Outbox.update(next_try_at=0).where(Outbox.id.in_(action_ids) & (Outbox.state == "pending")).execute()

    # Once an action has gone out (or failed for good) its body is dropped: it may be a report's
    # words, an answer to a reporter or a quote, and the outbox is no place to keep those.

    def action_done(self, action_id: int, result_event_id: str | None = None) -> None:
        erasure.forget_sent(action_id)
        Outbox.update(state="done", result_event_id=result_event_id, payload="").where(
            Outbox.id == action_id).execute()

    def action_failed(self, action_id: int, error: str) -> None:
        erasure.forget_sent(action_id)
        Outbox.update(state="failed", error=error[:2000], payload="").where(Outbox.id == action_id).execute()
