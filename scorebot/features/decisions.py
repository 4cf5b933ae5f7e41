"""What a meeting decided, and who takes on what: `!decision` and `!action`, kept for the minutes."""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain.commands import TextArg, UserArg, command
from scorebot.domain.rooms import ORGANIZING, Role
from scorebot.feature import Feature
from scorebot.features.needs import MEETING
from scorebot.store.meetings import MeetingRecord, meetings


class Decisions(Feature):
    @command("decision", TextArg("text", max_length=2000), role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="In a meeting: record what was decided, for the minutes: !decision We meet every other Tuesday.")
    def decision(self, ctx: Context, text: str, meeting: MeetingRecord) -> None:
        self._record(ctx, meeting, "decision", text, None)

    @command("action", UserArg(), TextArg("text", max_length=2000), role=Role.FACILITATOR, rooms=ORGANIZING,
             needs=(MEETING,), help="In a meeting: record who takes something on, for the minutes: "
                                    "!action @sam book the hall")
    def action(self, ctx: Context, user: str, text: str, meeting: MeetingRecord) -> None:
        self._record(ctx, meeting, "action", text, user)

    def _record(self, ctx: Context, meeting: MeetingRecord, kind: str, text: str, who: str | None) -> None:
        meetings.record_item(meeting.id, kind, text, who, ctx.sender, ctx.signal.timestamp)
        ctx.confirm()
