"""Step 3 of the enforcement ladder: a member's case goes to the grievance officers, as a thread in
their room (or, when it is about one of them, where the others read). A moderator sends it with
!escalate; the case book sends it by itself when conduct goes on after a removal. In the case's
thread, grievance officers add notes and resolve it (!note, !resolve, via `threads.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scorebot.context import Context
from scorebot.domain import case_words as words
from scorebot.domain import keys
from scorebot.domain.actions import Edit, Send
from scorebot.domain.commands import TextArg, UserArg, command
from scorebot.domain.ladder import Case, Step, StepKind
from scorebot.domain.limits import in_parts, shorten
from scorebot.domain.organization import Route
from scorebot.domain.rooms import ORGANIZING, Role, RoomKind
from scorebot.domain.text import lines, plain
from scorebot.feature import Feature
from scorebot.features.readers import readers, refused_as_subject, send_elsewhere
from scorebot.store.cases import cases

if TYPE_CHECKING:
    from scorebot.features.casebook import CaseBook  # which sends a case here by itself (see `record`)


class Escalation(Feature):
    thread_kind = "case"  # !note and !resolve in a case's thread come here

    def __init__(self, book: CaseBook):
        self.book = book

    @command("escalate", UserArg(), TextArg("reason", optional=True), role=Role.MODERATOR,
             rooms=ORGANIZING | frozenset({RoomKind.MODERATORS}),
             help="Send a member's case to the grievance officers (step 3), as a thread in their room.")
    def escalate(self, ctx: Context, user: str, reason: str | None) -> None:
        case = cases.case_of(user, ctx.signal.timestamp)
        if case.escalated:
            ctx.reply(words.ALREADY_ESCALATED)
            return
        if not send_to_igos(self.book, ctx, case, reason or "a moderator asked for it"):
            ctx.reply(words.NO_IGO_ROOM)
            return
        ctx.confirm()

    def thread_note(self, ctx: Context, number: int, text: str) -> None:
        case = cases.get(number)
        if refused_as_subject(ctx, case.subject, f"case #{number}"):
            return
        self.book.record(ctx, case, Step(StepKind.NOTE, ctx.signal.timestamp, ctx.sender, reason=text))
        ctx.confirm()

    def thread_resolve(self, ctx: Context, number: int, outcome: str) -> None:
        case = cases.get(number)
        if refused_as_subject(ctx, case.subject, f"case #{number}"):
            return
        self.book.record(ctx, case, Step(StepKind.RESOLVED, ctx.signal.timestamp, ctx.sender, reason=outcome))
        ctx.do(Edit(ctx.room.room_id, keys.case(case.id), words.case_root(case, ctx.who(case.subject), "resolved",
                                                                          outcome)))
        ctx.confirm()


def send_to_igos(book: CaseBook, ctx: Context, case: Case, why: str) -> bool:
    """The case, its whole timeline so far, as a new thread where its grievance officers read; False
    when there is no such room."""
    igo = ctx.room_of(RoomKind.IGO)
    found = readers(ctx, case.subject, keys.officers_room("case", case.id))
    if igo is None and found.route is Route.IGO_ROOM:
        return False
    now = ctx.signal.timestamp
    cases.add_step(case.id, Step(StepKind.ESCALATED, now, ctx.sender, None, why))
    cases.audit(now, ctx.sender, StepKind.ESCALATED.value, case.subject, reason=why)
    case = cases.get(case.id)
    key = keys.case(case.id)
    # The reason is kept whole in the case; the thread shows the start of long texts.
    whole = words.whole_text_with(case.subject, ctx.registry.prefix)
    root = words.case_root(case, ctx.who(case.subject), "escalated", shorten(why, whole_at=whole))
    timeline = words.timeline_lines(case, ctx.who(case.subject),
                                    lambda step: shorten(book.step_line(ctx, step), whole_at=whole))
    if found.route is not Route.IGO_ROOM:  # about a grievance officer: never where they read
        send_elsewhere(ctx, found, f"Case #{case.id}", root + plain("\n") + lines(timeline), first=True,
                       room_key=keys.officers_room("case", case.id))
        return True
    ctx.do(Send(igo, root, remember=key))
    ctx.do(*(Send(igo, part, thread_key=key) for part in in_parts(timeline)))
    return True
