"""`!board link`: the facilitator's link to the live board of this meeting, for a projector."""

from __future__ import annotations

from scorebot.config import BoardConfig
from scorebot.context import Context
from scorebot.domain import meeting_words as words
from scorebot.domain.commands import command
from scorebot.domain.rooms import ORGANIZING, Role
from scorebot.feature import Feature
from scorebot.features.needs import MEETING
from scorebot.store.meetings import MeetingRecord, meetings


class BoardLink(Feature):
    def __init__(self, config: BoardConfig | None = None):
        self.config = config or BoardConfig()

    @command("board link", role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="A link to this meeting's live board, for a projector: it needs no Matrix account and "
                  "stops working when the meeting ends.")
    def board_link(self, ctx: Context, meeting: MeetingRecord) -> None:
        if self.config.listen is None:
            ctx.reply(words.BOARD_OFF)
            return
        ctx.reply(words.board_link(self.config.link(meetings.board_token(meeting.id))))
