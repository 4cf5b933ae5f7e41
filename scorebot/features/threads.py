"""!note and !resolve in the IGO room: the thread says what they are about (a case, a report)."""

from __future__ import annotations

from collections.abc import Callable

from scorebot.context import Context
from scorebot.domain import limits
from scorebot.domain.commands import TextArg, command
from scorebot.domain.rooms import IGO_ROOM, Role
from scorebot.feature import Feature
from scorebot.features.needs import thread_number


class IgoThreads(Feature):
    @command("note", TextArg("text", max_length=limits.NOTE), role=Role.IGO, rooms=IGO_ROOM,
             help="In a case's or a report's thread: add a note.")
    def note(self, ctx: Context, text: str) -> None:
        self._in_thread(ctx, lambda owner, number: owner.thread_note(ctx, number, text))

    @command("resolve", TextArg("outcome", max_length=limits.OUTCOME), role=Role.IGO, rooms=IGO_ROOM,
             help="In a case's or a report's thread: record the outcome and close it.")
    def resolve(self, ctx: Context, outcome: str) -> None:
        self._in_thread(ctx, lambda owner, number: owner.thread_resolve(ctx, number, outcome))

    def _in_thread(self, ctx: Context, act: Callable[[Feature, int], None]) -> None:
        """Hand the command to the feature owning the thread it was written in, with its case or
        report number."""
        for owner in ctx.features:
            number = thread_number(ctx, owner.thread_kind) if owner.thread_kind else None
            if number is not None:
                act(owner, number)
                return
        ctx.reply("Write this in the thread of a case or a report.")
