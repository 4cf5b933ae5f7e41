"""Step 1 of the enforcement ladder: a moderator asks a member to stop, with !warn or a 🛑 on their
message. A second 🛑 within the warning window proposes a removal instead (step 2, `removal.py`).
The member hears it in the room and privately; the case keeps the step (`casebook.CaseBook`)."""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import case_words as words
from scorebot.domain import keys
from scorebot.domain.actions import Redact, Send, SendDirect
from scorebot.domain.commands import UserArg, command
from scorebot.domain.ladder import CATEGORIES, Step, StepKind, StopSign, escalates, on_stop_sign, parse_category
from scorebot.domain.privacy import UNVERIFIED_SESSION
from scorebot.domain.reactions import reaction
from scorebot.domain.rooms import ORGANIZING, Role, RoomKind, RoomView
from scorebot.domain.signals import Reaction
from scorebot.domain.text import pill
from scorebot.domain.unverified import tell_where_readable
from scorebot.feature import Feature
from scorebot.features.casebook import REASON, CaseBook
from scorebot.features.removal import propose_removal
from scorebot.store.cases import cases
from scorebot.store.culture import culture

STOP_EMOJI = ("🛑",)


class AskToStop(Feature):
    def __init__(self, book: CaseBook):
        self.book = book

    @command("warn", UserArg(), REASON, role=Role.MODERATOR, rooms=ORGANIZING,
             help=f"Ask a member to stop (step 1). Reply to their message to keep it as evidence. "
                  f"Categories: {', '.join(CATEGORIES)}.")
    def warn(self, ctx: Context, user: str, details: str | None) -> None:
        if self.book.not_here(ctx, user):
            return
        category, reason = parse_category(details)
        evidence = self.book.evidence(ctx, getattr(ctx.signal, "reply_to", None))
        ask_to_stop(self.book, ctx, ctx.room, user, category, reason, evidence)
        ctx.confirm()

    @reaction(*STOP_EMOJI, rooms=ORGANIZING)
    def stop_sign(self, ctx: Context) -> None:
        stop: Reaction = ctx.signal
        if not ctx.roles.is_moderator(ctx.room, ctx.sender):
            return  # a 🛑 from anyone else is an ordinary reaction
        if stop.unsigned_device:
            ctx.direct(ctx.sender, f"About your 🛑: {UNVERIFIED_SESSION}")
            ctx.do(*tell_where_readable(ctx.sender, ctx.name_of(ctx.sender), RoomKind.DIRECT, ctx.views))
            return
        ctx.do(Redact(ctx.room.room_id, stop.event_id))  # no reason: a redaction's reason is read by everyone
        evidence = culture.message(stop.target_event_id)
        moderators = ctx.room_of(RoomKind.MODERATORS)
        if evidence is None:
            ctx.direct(ctx.sender, words.STOPPED_MESSAGE_UNSEEN)
            return
        case = cases.case_of(evidence.sender, ctx.signal.timestamp)
        if on_stop_sign(case, ctx.signal.timestamp, self.book.window_ms) is StopSign.WARN:
            ask_to_stop(self.book, ctx, ctx.room, evidence.sender, None, None, evidence)
            return
        refusal = propose_removal(self.book, ctx, ctx.room, evidence.sender, None, None, evidence)
        if refusal and moderators:
            ctx.do(Send(moderators, words.stop_sign_refused(pill(ctx.sender), refusal)))


def ask_to_stop(book: CaseBook, ctx: Context, room: RoomView, subject: str, category: str | None,
                reason: str | None, evidence) -> None:
    """Keep the step in the case, ask in the room (replying to the evidence) and tell the member privately."""
    now = ctx.signal.timestamp
    case = cases.case_of(subject, now)
    step = Step(StepKind.WARNED, now, ctx.sender, room.room_id, reason, category,
                evidence.event_id if evidence else None, evidence.body if evidence else None)
    book.record(ctx, case, step, escalate=escalates(case, StepKind.WARNED))
    ctx.do(Send(room.room_id, words.stop_request(pill(subject, room.display_name(subject)), reason),
                reply_to=evidence.event_id if evidence else None))
    ctx.do(SendDirect(subject, words.stop_request_in_private(room.name or room.room_id, reason, category,
                                                             book.config.code_of_conduct_url),
                      remember=keys.case_note(case.id, subject, now)))
