"""Steps 1 and 3 of the enforcement ladder, and the cases: ask to stop (!warn or 🛑), propose a
removal (!remove; its votes and carrying out are in `removals.py`), escalate to the grievance
officers, and look at a member's case. What they share is `casebook.CaseBook`."""

from __future__ import annotations

from scorebot.dispatch import Context, Feature
from scorebot.domain import case_words as words
from scorebot.domain import conflict_words, keys, limits
from scorebot.domain.actions import Edit, Redact, Send
from scorebot.domain.commands import TextArg, UserArg, command
from scorebot.domain.conversations import Topic
from scorebot.domain.ladder import CATEGORIES, Step, StepKind, StopSign, on_stop_sign, parse_category
from scorebot.domain.organization import readable_here
from scorebot.domain.privacy import UNVERIFIED_SESSION
from scorebot.domain.reactions import reaction
from scorebot.domain.rooms import ORGANIZING, STAFF_ROOMS, Role, RoomKind
from scorebot.domain.signals import Reaction
from scorebot.domain.text import pill
from scorebot.domain.unverified import tell_where_readable
from scorebot.features.casebook import CaseBook
from scorebot.features.readers import readers_here, refused_as_subject

STOP_KEYS = ("🛑",)
REASON = TextArg("details", optional=True, label="[category] [reason]", max_length=limits.REASON)


class Steps(Feature):
    thread_kind = "case"  # !note and !resolve in a case's thread come here

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
        self.book.ask_to_stop(ctx, ctx.room, user, category, reason, evidence)
        ctx.confirm()

    @command("remove", UserArg(), REASON, role=Role.MODERATOR, rooms=ORGANIZING,
             help="Propose removing a member from this room (step 2); other moderators approve in the "
                  "moderators' room. Needs a prior request to stop, unless the conduct is severe.")
    def remove(self, ctx: Context, user: str, details: str | None) -> None:
        if self.book.not_here(ctx, user):
            return
        category, reason = parse_category(details)
        evidence = self.book.evidence(ctx, getattr(ctx.signal, "reply_to", None))
        refusal = self.book.propose_removal(ctx, ctx.room, user, category, reason, evidence)
        if refusal:
            ctx.reply(words.cannot_propose(refusal))
        else:
            ctx.confirm()

    @reaction(*STOP_KEYS, rooms=ORGANIZING)
    def stop_sign(self, ctx: Context) -> None:
        stop: Reaction = ctx.signal
        if not ctx.roles.is_moderator(ctx.room, ctx.sender):
            return  # a 🛑 from anyone else is an ordinary reaction
        if stop.unsigned_device:
            ctx.direct(ctx.sender, f"About your 🛑: {UNVERIFIED_SESSION}")
            ctx.do(*tell_where_readable(ctx.sender, ctx.name_of(ctx.sender), RoomKind.DIRECT, ctx.views))
            return
        ctx.do(Redact(ctx.room.room_id, stop.event_id))  # no reason: a redaction's reason is read by everyone
        evidence = ctx.store.culture.message(stop.target_event_id)
        moderators = ctx.room_of(RoomKind.MODERATORS)
        if evidence is None:
            ctx.direct(ctx.sender, words.STOPPED_MESSAGE_UNSEEN)
            return
        case = ctx.store.cases.case_of(evidence.sender, ctx.signal.timestamp)
        if on_stop_sign(case, ctx.signal.timestamp, self.book.window_ms) is StopSign.WARN:
            self.book.ask_to_stop(ctx, ctx.room, evidence.sender, None, None, evidence)
            return
        refusal = self.book.propose_removal(ctx, ctx.room, evidence.sender, None, None, evidence)
        if refusal and moderators:
            ctx.do(Send(moderators, words.stop_sign_refused(pill(ctx.sender), refusal)))

    @command("escalate", UserArg(), TextArg("reason", optional=True), role=Role.MODERATOR,
             rooms=ORGANIZING | frozenset({RoomKind.MODERATORS}),
             help="Send a member's case to the grievance officers (step 3), as a thread in their room.")
    def escalate(self, ctx: Context, user: str, reason: str | None) -> None:
        case = ctx.store.cases.case_of(user, ctx.signal.timestamp)
        if case.escalated:
            ctx.reply(words.ALREADY_ESCALATED)
            return
        if not self.book.escalate(ctx, case, reason or "a moderator asked for it"):
            ctx.reply(words.NO_IGO_ROOM)
            return
        ctx.confirm()

    def thread_note(self, ctx: Context, number: int, text: str) -> None:
        case = ctx.store.cases.get(number)
        if refused_as_subject(ctx, case.subject, f"case #{number}"):
            return
        self.book.record(ctx, case, Step(StepKind.NOTE, ctx.signal.timestamp, ctx.sender, reason=text))
        ctx.confirm()

    def thread_resolve(self, ctx: Context, number: int, outcome: str) -> None:
        case = ctx.store.cases.get(number)
        if refused_as_subject(ctx, case.subject, f"case #{number}"):
            return
        self.book.record(ctx, case, Step(StepKind.RESOLVED, ctx.signal.timestamp, ctx.sender, reason=outcome))
        ctx.do(Edit(ctx.room.room_id, keys.case(case.id), words.case_root(case, ctx.who(case.subject), "resolved",
                                                                          outcome)))
        ctx.confirm()

    # -- a member asked to stop writes back (see scorebot.conversations) --------------------------

    topic = Topic.CASE

    def open_conversations(self, ctx: Context) -> list[int]:
        """A case is a conversation with the member once they were asked to stop or removed."""
        case = ctx.store.cases.find(ctx.sender)
        asked = (StepKind.WARNED, StepKind.REMOVED, StepKind.REMOVED_EVERYWHERE)
        if case is None or case.resolved or ctx.room_of(RoomKind.MODERATORS) is None \
                or not any(s.kind in asked for s in case.steps):
            return []
        return [case.id]

    def carry_on(self, ctx: Context, number: int, said: str) -> None:
        """The moderators hear it, in their room and in the case, and the member is told it was passed on."""
        case = ctx.store.cases.get(number)
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
        case = ctx.store.cases.find(user)
        ouches = ctx.store.culture.pins_received(user)
        if case is None:
            ctx.reply(words.no_case(user, ouches))
            return
        for part in limits.in_parts([*self.book.timeline(ctx, case), words.ouches_line(ouches)]):
            ctx.reply(part)

    @command("cases", role=Role.STAFF, rooms=STAFF_ROOMS, help="List the open cases.")
    def cases(self, ctx: Context) -> None:
        here = readers_here(ctx)  # a case about someone who reads this room is left out
        open_cases = [case for case in ctx.store.cases.open_cases() if readable_here(case.subject, here)]
        if not open_cases:
            ctx.reply(words.NO_OPEN_CASES)
            return
        ctx.reply(words.open_cases([(c.id, ctx.who(c.subject), len(c.steps), c.escalated) for c in open_cases]))
