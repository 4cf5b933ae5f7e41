"""What the enforcement features share: a member's case, its steps and where they are told, the
removal proposal, and escalation to the grievance officers. What the bot says along the way is in
`domain/case_words.py`.

Every step is kept in the member's case and in the audit log, in the same transaction as the
actions it leads to. A carried removal is therefore acted on once: the kick waits in the outbox
across a crash, and the executor checks the membership before kicking.
"""

from __future__ import annotations

from scorebot.config import EnforcementConfig
from scorebot.dispatch import Context
from scorebot.domain import case_words as words
from scorebot.domain import keys
from scorebot.domain.actions import Edit, React, Send, SendDirect
from scorebot.domain.ladder import (
    SEVERE,
    Case,
    Proposal,
    Step,
    StepKind,
    escalates,
    protected,
    removal_refused,
)
from scorebot.domain.limits import in_parts, shorten
from scorebot.domain.organization import Route
from scorebot.domain.rooms import RoomKind, RoomView
from scorebot.domain.text import Text, bold, lines, pill, plain
from scorebot.features.readers import readers, send_elsewhere


class CaseBook:
    def __init__(self, config: EnforcementConfig | None = None, moderator_level: int = 50):
        self.config = config or EnforcementConfig()
        self.window_ms = int(self.config.warning_window_days * 24 * 3600 * 1000)
        self.expiry_ms = int(self.config.proposal_expiry * 1000)
        self.moderator_level = moderator_level

    def ask_to_stop(self, ctx: Context, room: RoomView, subject: str, category: str | None, reason: str | None,
                     evidence) -> None:
        now = ctx.signal.timestamp
        cases = ctx.store.cases
        case = cases.case_of(subject, now)
        step = Step(StepKind.WARNED, now, ctx.sender, room.room_id, reason, category,
                    evidence.event_id if evidence else None, evidence.body if evidence else None)
        self.record(ctx, case, step, escalate=escalates(case, StepKind.WARNED))
        ctx.do(Send(room.room_id, words.stop_request(pill(subject, room.display_name(subject)), reason),
                    reply_to=evidence.event_id if evidence else None))
        ctx.do(SendDirect(subject, words.stop_request_in_private(room.name or room.room_id, reason, category,
                                                                 self.config.code_of_conduct_url),
                          remember=keys.case_note(case.id, subject, now)))

    def propose_removal(self, ctx: Context, room: RoomView, subject: str, category: str | None,
                         reason: str | None, evidence) -> str | None:
        """Post a removal proposal in the moderators' room; or say why not."""
        refusal = self.protected(ctx, room, subject)
        now = ctx.signal.timestamp
        # Judged on the case as it stands, without opening one: a refusal leaves no empty case.
        refusal = refusal or removal_refused(ctx.store.cases.find(subject) or Case(0, subject), category, now,
                                             self.window_ms)
        moderators = ctx.room_of(RoomKind.MODERATORS)
        if refusal is None and moderators is None:
            refusal = "no moderators' room is configured (rooms.moderators)"
        if refusal:
            return refusal
        case = ctx.store.cases.case_of(subject, now)
        redact = evidence.event_id if evidence and category in SEVERE else None
        proposal = ctx.store.cases.propose(case.id, subject, room.room_id, ctx.sender, self.config.removal_approvals,
                                           now + self.expiry_ms, reason, category, redact)
        step = Step(StepKind.REMOVAL_PROPOSED, now, ctx.sender, room.room_id, reason, category,
                    evidence.event_id if evidence else None, evidence.body if evidence else None)
        self.record(ctx, case, step, escalate=escalates(case, StepKind.REMOVAL_PROPOSED))
        key = keys.proposal(proposal.id)
        ctx.do(Send(moderators, self.proposal_text(ctx, proposal, room, reason, category, evidence), remember=key),
               React(moderators, None, words.APPROVE, target_key=key),
               React(moderators, None, words.REJECT, target_key=key))
        return None

    def proposal_text(self, ctx: Context, proposal: Proposal, room: RoomView, reason, category, evidence,
                       outcome: str | None = None) -> Text:
        name = room.display_name(proposal.subject)
        who = f"{name} ({proposal.subject})" if name != proposal.subject else name
        proposer = pill(proposal.proposer, ctx.room.display_name(proposal.proposer))
        return words.removal_proposal(proposal, who, room.name or room.room_id, proposer, category, reason, evidence,
                                      outcome)

    def settle(self, ctx: Context, proposal: Proposal, outcome: str) -> None:
        room_id = ctx.room_of(RoomKind.MODERATORS) if proposal.room_id else ctx.room_of(RoomKind.IGO)
        if room_id is None:
            return
        if proposal.room_id:
            reason, category, _ = ctx.store.cases.proposal_details(proposal.id)
            view = ctx.views.get(proposal.room_id) or RoomView(proposal.room_id, RoomKind.ORGANIZING)
            text = self.proposal_text(ctx, proposal, view, reason, category, None, outcome)
        else:
            text = bold(f"Removal from every room, proposal #{proposal.id}: {outcome}")
        ctx.do(Edit(room_id, keys.proposal(proposal.id), text))

    def escalate(self, ctx: Context, case: Case, why: str) -> bool:
        igo = ctx.room_of(RoomKind.IGO)
        found = readers(ctx, case.subject)
        if igo is None and found.route is Route.IGO_ROOM:
            return False
        now = ctx.signal.timestamp
        ctx.store.cases.add_step(case.id, Step(StepKind.ESCALATED, now, ctx.sender, None, why))
        ctx.store.cases.audit(now, ctx.sender, StepKind.ESCALATED.value, case.subject, reason=why)
        case = ctx.store.cases.get(case.id)
        key = keys.case(case.id)
        # The reason is kept whole in the case; the thread shows the start of long texts.
        whole = words.whole_text_with(case.subject)
        root = words.case_root(case, ctx.who(case.subject), "escalated", shorten(why, whole_at=whole))
        timeline = words.timeline_lines(case, ctx.who(case.subject),
                                        lambda step: shorten(self.step_line(ctx, step), whole_at=whole))
        if found.route is not Route.IGO_ROOM:  # about a grievance officer: never where they read
            send_elsewhere(ctx, found, f"Case #{case.id}", root + plain("\n") + lines(timeline), first=True,
                           room_key=keys.officers_room("case", case.id))
            return True
        ctx.do(Send(igo, root, remember=key))
        ctx.do(*(Send(igo, part, thread_key=key) for part in in_parts(timeline)))
        return True

    def record(self, ctx: Context, case: Case, step: Step, escalate: bool = False) -> None:
        """Keep a step in the case and the audit log; an escalated case hears of it in its thread."""
        cases = ctx.store.cases
        cases.add_step(case.id, step)
        cases.audit(step.at, step.by, step.kind.value, case.subject, step.room_id, reason=step.reason,
                    category=step.category, evidence=step.evidence_event)
        if case.escalated:
            igo = ctx.room_of(RoomKind.IGO)
            found = readers(ctx, case.subject)
            line = plain(shorten(self.step_line(ctx, step), whole_at=words.whole_text_with(case.subject)))
            if found.route is not Route.IGO_ROOM:
                send_elsewhere(ctx, found, f"Case #{case.id}", line, room_key=keys.officers_room("case", case.id))
            elif igo:
                ctx.do(Send(igo, line, thread_key=keys.case(case.id)))
        elif escalate:
            self.escalate(ctx, cases.get(case.id), "it went on after a removal")

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
        return ctx.store.culture.message(event_id) if event_id else None

    def protected(self, ctx: Context, room: RoomView, subject: str) -> str | None:
        return protected(subject, ctx.bot_user_id, room.power_of(subject), room.power_of(ctx.bot_user_id),
                         self.moderator_level)
