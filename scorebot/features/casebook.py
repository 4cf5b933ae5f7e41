"""What the steps of the enforcement ladder share: a member's case, how each step is kept in it and
in the audit log (and heard in the case's thread once it is with the grievance officers), and the
checks every step makes. The steps are `ask_to_stop.py` (1), `removal.py` (2) and `escalation.py`
(3); `cases.py` shows the cases. What the bot says along the way is in `domain/case_words.py`.
"""

from __future__ import annotations

from scorebot.config import EnforcementConfig
from scorebot.context import Context
from scorebot.domain import case_words as words
from scorebot.domain import keys, limits
from scorebot.domain.actions import Send
from scorebot.domain.commands import TextArg
from scorebot.domain.ladder import Case, Step, protected
from scorebot.domain.limits import shorten
from scorebot.domain.organization import Route
from scorebot.domain.rooms import RoomKind, RoomView
from scorebot.domain.text import Text, plain
from scorebot.features.escalation import send_to_igos
from scorebot.features.readers import readers, send_elsewhere
from scorebot.store.cases import cases
from scorebot.store.culture import culture

REASON = TextArg("details", optional=True, label="[category] [reason]", max_length=limits.REASON)


class CaseBook:
    def __init__(self, config: EnforcementConfig | None = None, moderator_level: int = 50):
        self.config = config or EnforcementConfig()
        self.window_ms = int(self.config.warning_window_days * 24 * 3600 * 1000)
        self.expiry_ms = int(self.config.proposal_expiry * 1000)
        self.moderator_level = moderator_level

    def record(self, ctx: Context, case: Case, step: Step, escalate: bool = False) -> None:
        """Keep a step in the case and the audit log; an escalated case hears of it in its thread."""
        cases.add_step(case.id, step)
        cases.audit(step.at, step.by, step.kind.value, case.subject, step.room_id, reason=step.reason,
                    category=step.category, evidence=step.evidence_event)
        if case.escalated:
            igo = ctx.room_of(RoomKind.IGO)
            found = readers(ctx, case.subject, keys.officers_room("case", case.id))
            whole = words.whole_text_with(case.subject, ctx.registry.prefix)
            line = plain(shorten(self.step_line(ctx, step), whole_at=whole))
            if found.route is not Route.IGO_ROOM:
                send_elsewhere(ctx, found, f"Case #{case.id}", line, room_key=keys.officers_room("case", case.id))
            elif igo:
                ctx.do(Send(igo, line, thread_key=keys.case(case.id)))
        elif escalate:
            send_to_igos(self, ctx, cases.get(case.id), "it went on after a removal")

    def timeline(self, ctx: Context, case: Case) -> list[Text]:
        """The whole case, every word of it, in as many messages as it takes."""
        return words.timeline_lines(case, ctx.who(case.subject), lambda step: self.step_line(ctx, step))

    def step_line(self, ctx: Context, step: Step) -> str:
        view = ctx.views.get(step.room_id) if step.room_id else None
        room_name = (view.name if view and view.name else step.room_id) if step.room_id else None
        return words.step_line(step, ctx.name_of(step.by), room_name)

    def not_here(self, ctx: Context, user: str) -> bool:
        """Refuse, opening no case, when `user` is not in this room."""
        if user in ctx.room.members:
            return False
        ctx.reply(f"{user} is not in this room, so I haven't done anything. Check the name, or mention them.")
        return True

    def evidence(self, ctx: Context, event_id: str | None):
        return culture.message(event_id) if event_id else None

    def protected(self, ctx: Context, room: RoomView, subject: str) -> str | None:
        return protected(subject, ctx.bot_user_id, room.power_of(subject), room.power_of(ctx.bot_user_id),
                         self.moderator_level)
