"""The cases, as staff and the member see them: !case shows a member's whole case, !cases the open
ones; a member asked to stop or removed can write back in their direct chat, and the moderators
hear it (see `conversations.py`). The steps themselves are in `ask_to_stop.py`, `removal.py` and
`escalation.py`, over the shared `casebook.CaseBook`."""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import case_words as words
from scorebot.domain import conflict_words, limits
from scorebot.domain.actions import Send
from scorebot.domain.commands import UserArg, command
from scorebot.domain.conversations import Topic
from scorebot.domain.ladder import Step, StepKind
from scorebot.domain.organization import readable_here
from scorebot.domain.rooms import STAFF_ROOMS, Role, RoomKind
from scorebot.domain.text import pill
from scorebot.feature import Feature
from scorebot.features.casebook import CaseBook
from scorebot.features.readers import readers_here, refused_as_subject
from scorebot.store.cases import cases
from scorebot.store.culture import culture


class Cases(Feature):
    def __init__(self, book: CaseBook):
        self.book = book

    topic = Topic.CASE

    def open_conversations(self, ctx: Context) -> list[int]:
        """A case is a conversation with the member once they were asked to stop or removed."""
        case = cases.find(ctx.sender)
        asked = (StepKind.WARNED, StepKind.REMOVED, StepKind.REMOVED_EVERYWHERE)
        if case is None or case.resolved or ctx.room_of(RoomKind.MODERATORS) is None \
                or not any(s.kind in asked for s in case.steps):
            return []
        return [case.id]

    def carry_on(self, ctx: Context, number: int, said: str) -> None:
        """The moderators hear it, in their room and in the case, and the member is told it was passed on."""
        case = cases.get(number)
        moderators = ctx.room_of(RoomKind.MODERATORS)
        if case is None or case.subject != ctx.sender or moderators is None:
            ctx.reply(words.NOT_PASSED_ON)
            return
        self.book.record(ctx, case, Step(StepKind.MEMBER_REPLIED, ctx.signal.timestamp, ctx.sender, reason=said))
        ctx.do(Send(moderators, words.member_answered(pill(ctx.sender, ctx.name_of(ctx.sender)), case.id, said)))
        ctx.reply(words.PASSED_ON)

    @command("case", UserArg(), role=Role.STAFF, rooms=STAFF_ROOMS, help="Show a member's case.")
    def case(self, ctx: Context, user: str) -> None:
        if refused_as_subject(ctx, user, "that case"):
            return
        if not readable_here(user, readers_here(ctx)):
            ctx.reply(conflict_words.not_shown_here(ctx.name_of(user)))
            return
        case = cases.find(user)
        ouches = culture.ouches_received(user)
        if case is None:
            ctx.reply(words.no_case(user, ouches))
            return
        for part in limits.in_parts([*self.book.timeline(ctx, case), words.ouches_line(ouches)]):
            ctx.reply(part)

    @command("cases", role=Role.STAFF, rooms=STAFF_ROOMS, help="List the open cases.")
    def cases(self, ctx: Context) -> None:
        here = readers_here(ctx)  # a case about someone who reads this room is left out
        open_cases = [case for case in cases.open_cases() if readable_here(case.subject, here)]
        if not open_cases:
            ctx.reply(words.NO_OPEN_CASES)
            return
        ctx.reply(words.open_cases([(c.id, ctx.who(c.subject), len(c.steps), c.escalated) for c in open_cases]))
