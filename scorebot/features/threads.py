"""!note and !resolve in the IGO room: the thread says what they are about (a case, a report)."""

from __future__ import annotations

from scorebot.dispatch import Context, Feature
from scorebot.domain.commands import TextArg, command
from scorebot.domain.rooms import IGO_ROOM, Role


class IgoThreads(Feature):
    @command("note", TextArg("text"), role=Role.IGO, rooms=IGO_ROOM,
             help="In a case's or a report's thread: add a note.")
    def note(self, ctx: Context, text: str) -> None:
        found = self._thread(ctx)
        if found:
            owner, number = found
            owner.thread_note(ctx, number, text)

    @command("resolve", TextArg("outcome"), role=Role.IGO, rooms=IGO_ROOM,
             help="In a case's or a report's thread: record the outcome and close it.")
    def resolve(self, ctx: Context, outcome: str) -> None:
        found = self._thread(ctx)
        if found:
            owner, number = found
            owner.thread_resolve(ctx, number, outcome)

    def _thread(self, ctx: Context) -> tuple[Feature, int] | None:
        """The feature owning the thread this command was written in, and its case or report number."""
        for owner in ctx.features:
            number = ctx.thread(owner.thread_kind) if owner.thread_kind else None
            if number is not None:
                return owner, number
        ctx.reply("Write this in the thread of a case or a report.")
        return None
