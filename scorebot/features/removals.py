"""Removals: a proposal's votes (✅ and ❌ from moderators other than the proposer, or grievance
officers for a removal from every room), carried out once, settled or expired, and timed bans
lifted. What they share with the other steps is `casebook.CaseBook`."""

from __future__ import annotations

import logging

from scorebot.context import Context
from scorebot.domain import keys, limits
from scorebot.domain.actions import Ban, Kick, React, Redact, Send, SendDirect, Unban
from scorebot.domain.case_words import APPROVE, REJECT
from scorebot.domain.commands import TextArg, command
from scorebot.domain.conflict_words import vote_about_you
from scorebot.domain.ladder import Case, Proposal, ProposalState, Step, StepKind, Vote
from scorebot.domain.organization import conflicted
from scorebot.domain.privacy import UNVERIFIED_SESSION
from scorebot.domain.reactions import reaction
from scorebot.domain.rooms import IGO_ROOM, Role, RoomKind, RoomView
from scorebot.domain.signals import Reaction
from scorebot.domain.text import bold, pill, plain
from scorebot.feature import Feature
from scorebot.features.casebook import CaseBook
from scorebot.features.readers import refused_as_subject
from scorebot.features.thread_needs import CASE_THREAD

log = logging.getLogger(__name__)


class Removals(Feature):
    def __init__(self, book: CaseBook):
        self.book = book

    @reaction(APPROVE, REJECT, rooms=frozenset({RoomKind.MODERATORS, RoomKind.IGO}), on="proposal")
    def vote(self, ctx: Context, proposal_id: int) -> None:
        vote: Reaction = ctx.signal
        self._vote(ctx, proposal_id, vote.key == APPROVE)

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
        if conflicted(ctx.sender, proposal.subject):  # never a say on one's own removal
            allowed = False
            if proposal.state is ProposalState.OPEN:
                ctx.do(Send(ctx.room.room_id, pill(ctx.sender, ctx.name_of(ctx.sender)) + plain(
                    vote_about_you(proposal.id)), reply_to=ctx.signal.target_event_id))
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
            self.book.record(ctx, case, Step(StepKind.REMOVAL_REJECTED, now, ctx.sender, updated.room_id))
            self.book.settle(ctx, updated, f"❌ Rejected by {ctx.name_of(ctx.sender)}. Nothing was done.")

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
        refusal = self.book.protected(ctx, view, proposal.subject)
        if refusal:
            self.book.settle(ctx, proposal, f"Approved by {approvers}, but not carried out: {refusal}.")
            return
        _, _, redact = ctx.store.cases.proposal_details(proposal.id)
        duration = self.book.config.removal_duration
        if duration:
            ctx.do(Ban(view.room_id, proposal.subject, "removed with the moderators' approval"))
            ctx.store.cases.ban_until(view.room_id, proposal.subject, now + int(duration * 1000))
        else:
            ctx.do(Kick(view.room_id, proposal.subject, "removed with the moderators' approval"))
        if redact:
            ctx.do(Redact(view.room_id, redact))  # a redaction's reason is read next to the message: none
        self.book.record(ctx, case, Step(StepKind.REMOVED, now, ctx.sender, view.room_id))
        self.book.settle(ctx, proposal, f"✅ Carried, approved by {approvers}: "
                                    f"{view.display_name(proposal.subject)} was removed from the room.")
        name = view.display_name(proposal.subject)
        ctx.do(Send(view.room_id, plain(f"{name} has been removed from this room for now, with the moderators' "
                                        "agreement.")))
        lasting = f" for {round(duration / 60)} minutes" if duration else ""
        ctx.do(SendDirect(proposal.subject, plain(
            f"You have been removed from {view.name or view.room_id}{lasting}, with the moderators' agreement, "
            "after being asked to stop. If you'd like to talk about it, you can reply here, or reach the "
            "Internal Grievance Officers."), remember=keys.case_note(case.id, proposal.subject, now)))

    def on_tick(self, ctx: Context) -> None:
        now = ctx.signal.timestamp
        cases = ctx.store.cases
        for proposal in cases.open_proposals():
            expired = proposal.expire(now)
            if expired:
                cases.save_proposal(expired, now)
                cases.audit(now, "scorebot", "proposal expired", proposal.subject, proposal.room_id,
                            proposal=proposal.id)
                self.book.record(ctx, cases.get(proposal.case_id),
                             Step(StepKind.REMOVAL_EXPIRED, now, "scorebot", proposal.room_id))
                self.book.settle(ctx, expired, "⌛ Expired before enough approvals. Nothing was done.")
        for ban_id, room_id, user_id in cases.bans_due(now):
            ctx.do(Unban(room_id, user_id))
            cases.ban_lifted(ban_id, now)
            cases.audit(now, "scorebot", "ban lifted", user_id, room_id)

    @command("remove-everywhere", TextArg("reason", optional=True, max_length=limits.REASON), role=Role.IGO,
             rooms=IGO_ROOM,
             needs=(CASE_THREAD,), help="In a case's thread: propose removing the member from every room; "
                                        "another grievance officer approves.")
    def remove_everywhere(self, ctx: Context, reason: str | None, case: Case) -> None:
        if refused_as_subject(ctx, case.subject, f"case #{case.id}"):
            return
        now = ctx.signal.timestamp
        proposal = ctx.store.cases.propose(case.id, case.subject, None, ctx.sender, 1, now + self.book.expiry_ms,
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
            if self.book.protected(ctx, view, proposal.subject) is None:
                ctx.do(Kick(room_id, proposal.subject,
                            "removed from the organization's rooms by the grievance officers"))
                removed_from.append(view.name or room_id)
        self.book.record(ctx, case, Step(StepKind.REMOVED_EVERYWHERE, now, ctx.sender,
                                     reason=f"from {', '.join(removed_from) or 'no room'}"))
        self.book.settle(ctx, proposal, f"carried, approved by {approvers}; removed from "
                                    f"{', '.join(removed_from) or 'no room (they were in none I manage)'}.")
