"""Step-by-step enforcement: ask to stop, removal approved by other moderators, escalation to the grievance officers.

Every step is kept in the member's case and in the audit log, in the same transaction as the
actions it leads to. A carried removal is therefore acted on once: the kick waits in the outbox
across a crash, and the executor checks the membership before kicking.
"""

from __future__ import annotations

import logging

from scorebot.config import EnforcementConfig
from scorebot.dispatch import Context, Feature
from scorebot.domain import keys
from scorebot.domain.actions import Ban, Edit, Kick, React, Redact, Send, SendDirect, Unban
from scorebot.domain.commands import TextArg, UserArg, command
from scorebot.domain.ladder import (
    CATEGORIES,
    SEVERE,
    Case,
    Proposal,
    ProposalState,
    Step,
    StepKind,
    StopSign,
    Vote,
    escalates,
    on_stop_sign,
    parse_category,
    protected,
    removal_refused,
)
from scorebot.domain.privacy import UNVERIFIED_SESSION
from scorebot.domain.rooms import IGO_ROOM, ORGANIZING, STAFF_ROOMS, Role, RoomKind, RoomView
from scorebot.domain.signals import Reaction
from scorebot.domain.text import Text, bold, count_of, join, lines, pill, plain, utc_time
from scorebot.features.thread_needs import CASE_THREAD

log = logging.getLogger(__name__)

STOP_KEYS = ("🛑",)
APPROVE, REJECT = "✅", "❌"



REASON = TextArg("details", optional=True, label="[category] [reason]")


class Enforcement(Feature):
    def __init__(self, config: EnforcementConfig | None = None, moderator_level: int = 50):
        self.config = config or EnforcementConfig()
        self.window_ms = int(self.config.warning_window_days * 24 * 3600 * 1000)
        self.expiry_ms = int(self.config.proposal_expiry * 1000)
        self.moderator_level = moderator_level

    # -- step 1: ask to stop -----------------------------------------------------------------

    @command("warn", UserArg(), REASON, role=Role.MODERATOR, rooms=ORGANIZING,
             help=f"Ask a member to stop (step 1). Reply to their message to keep it as evidence. "
                  f"Categories: {', '.join(CATEGORIES)}.")
    def warn(self, ctx: Context, user: str, details: str | None) -> None:
        if self._not_here(ctx, user):
            return
        category, reason = parse_category(details)
        evidence = self._evidence(ctx, getattr(ctx.signal, "reply_to", None))
        self._ask_to_stop(ctx, ctx.room, user, category, reason, evidence)
        ctx.confirm()

    def _ask_to_stop(self, ctx: Context, room: RoomView, subject: str, category: str | None, reason: str | None,
                     evidence) -> None:
        now = ctx.signal.timestamp
        cases = ctx.store.cases
        case = cases.case_of(subject, now)
        step = Step(StepKind.WARNED, now, ctx.sender, room.room_id, reason, category,
                    evidence.event_id if evidence else None, evidence.body if evidence else None)
        self._record(ctx, case, step, escalate=escalates(case, StepKind.WARNED))
        about = f": {reason}" if reason else ""
        coc = f" Our code of conduct: {self.config.code_of_conduct_url}" if self.config.code_of_conduct_url else ""
        ctx.do(Send(room.room_id, pill(subject, room.display_name(subject))
                    + plain(f", a moderator is asking you to stop{about}. Please take a moment and step back; "
                            "when we're asked to stop, we stop. Thank you."),
                    reply_to=evidence.event_id if evidence else None))
        kind = f" ({CATEGORIES[category]})" if category else ""
        ctx.do(SendDirect(subject, plain(f"Hi. In {room.name or room.room_id}, a moderator asked you to stop"
                                         f"{about}{kind}. Our code of conduct asks everyone to stop a behaviour "
                                         f"when asked.{coc} If you'd like to talk about it, you can reply here.")))

    # -- step 2: removal -------------------------------------------------------------------

    @command("remove", UserArg(), REASON, role=Role.MODERATOR, rooms=ORGANIZING,
             help="Propose removing a member from this room (step 2); other moderators approve in the "
                  "moderators' room. Needs a prior request to stop, unless the conduct is severe.")
    def remove(self, ctx: Context, user: str, details: str | None) -> None:
        if self._not_here(ctx, user):
            return
        category, reason = parse_category(details)
        evidence = self._evidence(ctx, getattr(ctx.signal, "reply_to", None))
        refusal = self._propose_removal(ctx, ctx.room, user, category, reason, evidence)
        if refusal:
            ctx.reply(f"I can't propose that removal: {refusal}.")
        else:
            ctx.confirm()

    def _propose_removal(self, ctx: Context, room: RoomView, subject: str, category: str | None,
                         reason: str | None, evidence) -> str | None:
        """Post a removal proposal in the moderators' room; or say why not."""
        refusal = self._protected(ctx, room, subject)
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
        self._record(ctx, case, step, escalate=escalates(case, StepKind.REMOVAL_PROPOSED))
        key = keys.proposal(proposal.id)
        ctx.do(Send(moderators, self._proposal_text(ctx, proposal, room, reason, category, evidence), remember=key),
               React(moderators, None, APPROVE, target_key=key), React(moderators, None, REJECT, target_key=key))
        return None

    def _proposal_text(self, ctx: Context, proposal: Proposal, room: RoomView, reason, category, evidence,
                       outcome: str | None = None) -> Text:
        name = room.display_name(proposal.subject)
        who = f"{name} ({proposal.subject})" if name != proposal.subject else name
        parts = [bold(f"🛑 Removal proposal #{proposal.id}: {who} from "
                      f"{room.name or room.room_id}"),
                 plain("Proposed by ") + pill(proposal.proposer, ctx.room.display_name(proposal.proposer))]
        if category:
            parts.append(plain(f"Category: {category} ({CATEGORIES[category]})"))
        if reason:
            parts.append(plain(f"Reason: {reason}"))
        if evidence:
            parts.append(plain(f"Evidence: “{evidence.body}” ({utc_time(evidence.at)})"))
        if outcome:
            parts.append(bold(outcome))
        else:
            needed = count_of(proposal.needed, "approval")
            parts.append(plain(f"Needs {needed} from moderators of that room other than the "
                               f"proposer: react {APPROVE} to approve, {REJECT} to reject. "
                               f"Open until {utc_time(proposal.expires_at)}."))
        return lines(parts)

    def on_reaction(self, ctx: Context) -> None:
        reaction: Reaction = ctx.signal
        key = reaction.key.replace("\ufe0f", "")
        if ctx.room.kind is RoomKind.ORGANIZING and key in STOP_KEYS:
            self._stop_sign(ctx, reaction)
        elif ctx.room.kind in (RoomKind.MODERATORS, RoomKind.IGO) and key in (APPROVE, REJECT):
            number = keys.number_in(ctx.store.key_of(reaction.target_event_id), "proposal")
            if number is not None:
                self._vote(ctx, number, key == APPROVE)

    def _stop_sign(self, ctx: Context, reaction: Reaction) -> None:
        if not ctx.roles.is_moderator(ctx.room, ctx.sender):
            return  # a 🛑 from anyone else is an ordinary reaction
        if reaction.unsigned_device:
            ctx.direct(ctx.sender, f"About your 🛑: {UNVERIFIED_SESSION}")
            return
        ctx.do(Redact(ctx.room.room_id, reaction.event_id, "handled by the moderators' process"))
        evidence = ctx.store.culture.message(reaction.target_event_id)
        moderators = ctx.room_of(RoomKind.MODERATORS)
        if evidence is None:
            ctx.direct(ctx.sender, "I couldn't see the message you marked with 🛑 (it's older than what I keep). "
                                   "Use !warn @user in the room instead.")
            return
        case = ctx.store.cases.case_of(evidence.sender, ctx.signal.timestamp)
        if on_stop_sign(case, ctx.signal.timestamp, self.window_ms) is StopSign.WARN:
            self._ask_to_stop(ctx, ctx.room, evidence.sender, None, None, evidence)
            return
        refusal = self._propose_removal(ctx, ctx.room, evidence.sender, None, None, evidence)
        if refusal and moderators:
            ctx.do(Send(moderators, pill(ctx.sender) + plain(f": your 🛑 did not become a removal proposal: "
                                                              f"{refusal}.")))

    def _vote(self, ctx: Context, proposal_id: int, approve: bool) -> None:
        cases = ctx.store.cases
        proposal = cases.proposal(proposal_id)
        if proposal is None:
            return
        if proposal.room_id is None:
            allowed = ctx.roles.is_igo(ctx.sender)
        else:
            view = ctx.views.get(proposal.room_id)
            allowed = view is not None and ctx.roles.is_moderator(view, ctx.sender)
        now = ctx.signal.timestamp
        if approve and ctx.sender == proposal.proposer and proposal.state is ProposalState.OPEN:
            ctx.do(Send(ctx.room.room_id, pill(ctx.sender, ctx.name_of(ctx.sender)) + plain(
                f", your own ✅ on proposal #{proposal.id} does not count: a removal needs moderators other "
                "than the one who proposed it."), reply_to=ctx.signal.target_event_id))
        if allowed and ctx.signal.unsigned_device:
            cases.audit(now, ctx.sender, "vote from an unverified session: not counted", proposal.subject,
                        proposal.room_id, proposal=proposal.id)
            ctx.do(Send(ctx.room.room_id, pill(ctx.sender, ctx.name_of(ctx.sender)) + plain(
                f", your vote on proposal #{proposal.id} does not count yet. {UNVERIFIED_SESSION}"),
                reply_to=ctx.signal.target_event_id))
            return
        updated, result = proposal.vote(ctx.sender, approve, allowed, now)
        action = f"vote {'approve' if approve else 'reject'}: {result.value}"
        cases.audit(now, ctx.sender, action, proposal.subject, proposal.room_id, proposal=proposal.id)
        log.info("Proposal #%d, %s by %s", proposal.id, action, ctx.sender)
        if result is Vote.IGNORED:
            return
        cases.save_proposal(updated, now, vote_event=ctx.signal.event_id)
        if result is Vote.CARRIED:
            self._carry_out(ctx, updated)
        elif result is Vote.REJECTED:
            case = cases.get(updated.case_id)
            self._record(ctx, case, Step(StepKind.REMOVAL_REJECTED, now, ctx.sender, updated.room_id))
            self._settle(ctx, updated, f"❌ Rejected by {ctx.name_of(ctx.sender)}. Nothing was done.")

    def on_redaction(self, ctx: Context) -> None:
        """A ✅ taken back before the proposal is settled no longer counts."""
        if ctx.room.kind not in (RoomKind.MODERATORS, RoomKind.IGO):
            return
        cases = ctx.store.cases
        found = cases.approval_by_event(ctx.signal.redacts)
        if found is None or found[1] != ctx.sender:
            return
        proposal_id, voter = found
        now = ctx.signal.timestamp
        withdrawn = cases.proposal(proposal_id).withdraw(voter, now)
        if withdrawn is not None:
            cases.save_proposal(withdrawn, now)
            cases.audit(now, voter, "vote approve: withdrawn", withdrawn.subject, withdrawn.room_id,
                        proposal=proposal_id)
            log.info("Proposal #%d, vote approve withdrawn by %s", proposal_id, voter)

    def _carry_out(self, ctx: Context, proposal: Proposal) -> None:
        now = ctx.signal.timestamp
        case = ctx.store.cases.get(proposal.case_id)
        approvers = ", ".join(ctx.name_of(voter) for voter in sorted(proposal.approvals))
        if proposal.room_id is None:
            self._remove_everywhere(ctx, proposal, case, approvers)
            return
        view = ctx.views.get(proposal.room_id) or RoomView(proposal.room_id, RoomKind.ORGANIZING)
        refusal = self._protected(ctx, view, proposal.subject)
        if refusal:
            self._settle(ctx, proposal, f"Approved by {approvers}, but not carried out: {refusal}.")
            return
        _, _, redact = ctx.store.cases.proposal_details(proposal.id)
        duration = self.config.removal_duration
        if duration:
            ctx.do(Ban(view.room_id, proposal.subject, "removed with the moderators' approval"))
            ctx.store.cases.ban_until(view.room_id, proposal.subject, now + int(duration * 1000))
        else:
            ctx.do(Kick(view.room_id, proposal.subject, "removed with the moderators' approval"))
        if redact:
            ctx.do(Redact(view.room_id, redact, "removed with the moderators' approval"))
        self._record(ctx, case, Step(StepKind.REMOVED, now, ctx.sender, view.room_id))
        self._settle(ctx, proposal, f"✅ Carried, approved by {approvers}: "
                                    f"{view.display_name(proposal.subject)} was removed from the room.")
        name = view.display_name(proposal.subject)
        ctx.do(Send(view.room_id, plain(f"{name} has been removed from this room for now, with the moderators' "
                                        "agreement.")))
        lasting = f" for {round(duration / 60)} minutes" if duration else ""
        ctx.do(SendDirect(proposal.subject, plain(
            f"You have been removed from {view.name or view.room_id}{lasting}, with the moderators' agreement, "
            "after being asked to stop. If you'd like to talk about it, you can reply here, or reach the "
            "Internal Grievance Officers.")))

    def _settle(self, ctx: Context, proposal: Proposal, outcome: str) -> None:
        room_id = ctx.room_of(RoomKind.MODERATORS) if proposal.room_id else ctx.room_of(RoomKind.IGO)
        if room_id is None:
            return
        if proposal.room_id:
            reason, category, _ = ctx.store.cases.proposal_details(proposal.id)
            view = ctx.views.get(proposal.room_id) or RoomView(proposal.room_id, RoomKind.ORGANIZING)
            text = self._proposal_text(ctx, proposal, view, reason, category, None, outcome)
        else:
            text = bold(f"Removal from every room, proposal #{proposal.id}: {outcome}")
        ctx.do(Edit(room_id, keys.proposal(proposal.id), text))

    def on_tick(self, ctx: Context) -> None:
        now = ctx.signal.timestamp
        cases = ctx.store.cases
        for proposal in cases.open_proposals():
            expired = proposal.expire(now)
            if expired:
                cases.save_proposal(expired, now)
                cases.audit(now, "scorebot", "proposal expired", proposal.subject, proposal.room_id,
                            proposal=proposal.id)
                self._record(ctx, cases.get(proposal.case_id),
                             Step(StepKind.REMOVAL_EXPIRED, now, "scorebot", proposal.room_id))
                self._settle(ctx, expired, "⌛ Expired before enough approvals. Nothing was done.")
        for ban_id, room_id, user_id in cases.bans_due(now):
            ctx.do(Unban(room_id, user_id))
            cases.ban_lifted(ban_id, now)
            cases.audit(now, "scorebot", "ban lifted", user_id, room_id)

    # -- step 3: escalation ---------------------------------------------------------------------

    @command("escalate", UserArg(), TextArg("reason", optional=True), role=Role.MODERATOR,
             rooms=ORGANIZING | frozenset({RoomKind.MODERATORS}),
             help="Send a member's case to the grievance officers (step 3), as a thread in their room.")
    def escalate(self, ctx: Context, user: str, reason: str | None) -> None:
        case = ctx.store.cases.case_of(user, ctx.signal.timestamp)
        if case.escalated:
            ctx.reply("That case is already with the grievance officers; new steps go to its thread.")
            return
        if not self._escalate(ctx, case, reason or "a moderator asked for it"):
            ctx.reply("No grievance officers' room is set up (rooms.igo in the config).")
            return
        ctx.confirm()

    def _escalate(self, ctx: Context, case: Case, why: str) -> bool:
        igo = ctx.room_of(RoomKind.IGO)
        if igo is None:
            return False
        now = ctx.signal.timestamp
        ctx.store.cases.add_step(case.id, Step(StepKind.ESCALATED, now, ctx.sender, None, why))
        ctx.store.cases.audit(now, ctx.sender, StepKind.ESCALATED.value, case.subject, reason=why)
        case = ctx.store.cases.get(case.id)
        key = keys.case(case.id)
        ctx.do(Send(igo, bold(f"📁 Case #{case.id} · {ctx.who(case.subject)} · escalated")
                    + plain(f": {why}"), remember=key))
        ctx.do(Send(igo, self._timeline(ctx, case), thread_key=key))
        return True

    def _record(self, ctx: Context, case: Case, step: Step, escalate: bool = False) -> None:
        """Keep a step in the case and the audit log; an escalated case hears of it in its thread."""
        cases = ctx.store.cases
        cases.add_step(case.id, step)
        cases.audit(step.at, step.by, step.kind.value, case.subject, step.room_id, reason=step.reason,
                    category=step.category, evidence=step.evidence_event)
        if case.escalated:
            igo = ctx.room_of(RoomKind.IGO)
            if igo:
                ctx.do(Send(igo, plain(self._step_line(ctx, step)), thread_key=keys.case(case.id)))
        elif escalate:
            self._escalate(ctx, cases.get(case.id), "it went on after a removal")

    # -- in a case's thread (IGOs) -----------------------------------------------------------------

    thread_kind = "case"

    def thread_note(self, ctx: Context, number: int, text: str) -> None:
        case = ctx.store.cases.get(number)
        self._record(ctx, case, Step(StepKind.NOTE, ctx.signal.timestamp, ctx.sender, reason=text))
        ctx.confirm()

    def thread_resolve(self, ctx: Context, number: int, outcome: str) -> None:
        case = ctx.store.cases.get(number)
        self._record(ctx, case, Step(StepKind.RESOLVED, ctx.signal.timestamp, ctx.sender, reason=outcome))
        ctx.do(Edit(ctx.room.room_id, keys.case(case.id), bold(
            f"📁 Case #{case.id} · {ctx.who(case.subject)} · resolved") +
            plain(f": {outcome}")))
        ctx.confirm()

    @command("remove-everywhere", TextArg("reason", optional=True), role=Role.IGO, rooms=IGO_ROOM,
             needs=(CASE_THREAD,), help="In a case's thread: propose removing the member from every room; "
                                        "another grievance officer approves.")
    def remove_everywhere(self, ctx: Context, reason: str | None, case: Case) -> None:
        now = ctx.signal.timestamp
        proposal = ctx.store.cases.propose(case.id, case.subject, None, ctx.sender, 1, now + self.expiry_ms,
                                           reason, None, None)
        key = keys.proposal(proposal.id)
        ctx.store.cases.audit(now, ctx.sender, "removal from every room proposed", case.subject, reason=reason)
        ctx.do(Send(ctx.room.room_id, bold(f"Removal from every room, proposal #{proposal.id}: ")
                    + plain(f"{ctx.who(case.subject)}. Another grievance officer approves with "
                            f"{APPROVE} or rejects with {REJECT}."), remember=key, thread_key=keys.case(case.id)),
               React(ctx.room.room_id, None, APPROVE, target_key=key),
               React(ctx.room.room_id, None, REJECT, target_key=key))

    def _remove_everywhere(self, ctx: Context, proposal: Proposal, case: Case, approvers: str) -> None:
        now = ctx.signal.timestamp
        removed_from = []
        for room_id, view in ctx.views.items():
            if view.kind not in (RoomKind.ORGANIZING, RoomKind.MODERATORS) or proposal.subject not in view.members:
                continue
            if self._protected(ctx, view, proposal.subject) is None:
                ctx.do(Kick(room_id, proposal.subject,
                            "removed from the organization's rooms by the grievance officers"))
                removed_from.append(view.name or room_id)
        self._record(ctx, case, Step(StepKind.REMOVED_EVERYWHERE, now, ctx.sender,
                                     reason=f"from {', '.join(removed_from) or 'no room'}"))
        self._settle(ctx, proposal, f"carried, approved by {approvers}; removed from "
                                    f"{', '.join(removed_from) or 'no room (they were in none I manage)'}.")

    # -- the member's side -----------------------------------------------------------------------

    def answer_direct(self, ctx: Context) -> bool:
        """A member asked to stop or removed writes back in their direct chat: the moderators hear it,
        in their room and in the case, and the member is told it was passed on."""
        case = ctx.store.cases.find(ctx.sender)
        asked = (StepKind.WARNED, StepKind.REMOVED, StepKind.REMOVED_EVERYWHERE)
        moderators = ctx.room_of(RoomKind.MODERATORS)
        if case is None or case.resolved or moderators is None or not any(s.kind in asked for s in case.steps):
            return False
        words = ctx.signal.body
        self._record(ctx, case, Step(StepKind.MEMBER_REPLIED, ctx.signal.timestamp, ctx.sender, reason=words))
        ctx.do(Send(moderators, pill(ctx.sender, ctx.name_of(ctx.sender))
                    + plain(f" answered in their direct chat with me, about case #{case.id}: “{words}”")))
        ctx.reply("Thank you. I've passed your message on to the moderators.")
        return True

    # -- looking at cases ---------------------------------------------------------------------------

    @command("case", UserArg(), role=Role.STAFF, rooms=STAFF_ROOMS, help="Show a member's case.")
    def case(self, ctx: Context, user: str) -> None:
        case = ctx.store.cases.find(user)
        ouches = ctx.store.culture.pins_received(user)
        if case is None:
            ctx.reply(f"No case for {user}. Ouches received: {ouches}.")
            return
        ctx.reply(self._timeline(ctx, case) + plain(f"\nOuches received: {ouches} (not enforcement steps)."))

    @command("cases", role=Role.STAFF, rooms=STAFF_ROOMS, help="List the open cases.")
    def cases(self, ctx: Context) -> None:
        open_cases = ctx.store.cases.open_cases()
        if not open_cases:
            ctx.reply("No open cases.")
            return
        rows = [f"#{c.id} {ctx.who(c.subject)}: {count_of(len(c.steps), 'step')}"
                + (", with the grievance officers" if c.escalated else "") for c in open_cases]
        ctx.reply("Open cases:\n" + "\n".join(rows))

    def _timeline(self, ctx: Context, case: Case) -> Text:
        state = "resolved" if case.resolved else ("with the grievance officers" if case.escalated else "open")
        header = bold(f"Case #{case.id} · {ctx.who(case.subject)} · {state}")
        return join([header, *(plain(self._step_line(ctx, s)) for s in case.steps)], Text("\n", "<br>"))

    def _step_line(self, ctx: Context, step: Step) -> str:
        where = ""
        if step.room_id:
            view = ctx.views.get(step.room_id)
            where = f" in {view.name if view and view.name else step.room_id}"
        # A removal is carried out by the bot once approved: its step names who approved it.
        by = "approved by" if step.kind in (StepKind.REMOVED, StepKind.REMOVED_EVERYWHERE) else "by"
        text = f"{utc_time(step.at)}: {step.kind.label} {by} {ctx.name_of(step.by)}{where}"
        if step.category:
            text += f" [{step.category}]"
        if step.reason:
            text += f": {step.reason}"
        if step.evidence_text:
            text += f" (evidence: “{step.evidence_text}”)"
        return text

    # -- helpers ------------------------------------------------------------------------------------------

    def _not_here(self, ctx: Context, user: str) -> bool:
        """Refuse, opening no case, when `user` is not in this room."""
        if user in ctx.room.members:
            return False
        ctx.reply(f"{user} is not in this room, so I haven't done anything. Check the name, or mention them.")
        return True

    def _evidence(self, ctx: Context, event_id: str | None):
        return ctx.store.culture.message(event_id) if event_id else None

    def _protected(self, ctx: Context, room: RoomView, subject: str) -> str | None:
        return protected(subject, ctx.bot_user_id, room.power_of(subject), room.power_of(ctx.bot_user_id),
                         self.moderator_level)

