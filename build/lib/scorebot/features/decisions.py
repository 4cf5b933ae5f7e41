"""What a meeting decided, and who takes on what: `!decision` and `!action`, kept for the minutes."""

from __future__ import annotations

from scorebot.dispatch import Context, Feature
from scorebot.domain.commands import CommandRegistry, TextArg, UserArg
from scorebot.domain.rooms import Role, RoomKind
from scorebot.domain.text import code, plain
from scorebot.store import Store

ORGANIZING = frozenset({RoomKind.ORGANIZING})


class Decisions(Feature):
    def register(self, registry: CommandRegistry) -> None:
        registry.command("decision", TextArg("text", max_length=2000), role=Role.FACILITATOR, rooms=ORGANIZING,
                         help="In a meeting: record what was decided, for the minutes: "
                              "!decision We meet every other Tuesday.")(self.decision)
        registry.command("action", UserArg(), TextArg("text", max_length=2000), role=Role.FACILITATOR,
                         rooms=ORGANIZING,
                         help="In a meeting: record who takes something on, for the minutes: "
                              "!action @sam book the hall")(self.action)

    def decision(self, ctx: Context, text: str) -> None:
        self._record(ctx, "decision", text, None)

    def action(self, ctx: Context, user: str, text: str) -> None:
        self._record(ctx, "action", text, user)

    def _record(self, ctx: Context, kind: str, text: str, who: str | None) -> None:
        meeting = ctx.store.meetings.running(ctx.room.room_id)
        if meeting is None:
            ctx.reply(plain("No meeting is running here, so there are no minutes to add it to. Start one with ")
                      + code("!meeting start") + plain("."))
            return
        ctx.store.meetings.record_item(meeting.id, kind, text, who, ctx.sender, ctx.signal.timestamp)
        ctx.confirm()

    def minutes_sections(self, store: Store, meeting_id: int, clock, name) -> list[tuple[str, list[str]]]:
        decisions = [f"{clock(at)} {text}" for at, text, _ in store.meetings.items(meeting_id, "decision")]
        actions = [f"{name(who)}: {text}" for _, text, who in store.meetings.items(meeting_id, "action")]
        return [("Decisions", decisions), ("Action items", actions)]
