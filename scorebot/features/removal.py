"""Step 2 of the enforcement ladder: removal. A moderator proposes it (!remove, or a second 🛑, see
`ask_to_stop.py`) in the moderators' room; moderators other than the proposer vote with ✅ and ❌ (a
✅ taken back no longer counts); a carried proposal is acted on once, and one not carried in time
expires; a timed ban is lifted when due. Grievance officers propose and approve a removal from every
room the same way, in a case's thread. The case keeps each step (`casebook.CaseBook`).

Every step is kept in the member's case and in the audit log, in the same transaction as the
actions it leads to. A carried removal is therefore acted on once: the kick waits in the outbox
across a crash, and the executor checks the membership before kicking.
"""

from __future__ import annotations

import logging

from scorebot.context import Context
from scorebot.domain import case_words as words
from scorebot.domain import keys, limits
from scorebot.domain.actions import Ban, Edit, Kick, React, Redact, Send, SendDirect, Unban
from scorebot.domain.case_words import APPROVE, REJECT
from scorebot.domain.commands import TextArg, UserArg, command
from scorebot.domain.conflict_words import vote_about_you
from scorebot.domain.ladder import (
    SEVERE,
    Case,
    Proposal,
    ProposalState,
    Step,
    StepKind,
    Vote,
    escalates,
    parse_category,
    removal_refused,
)
from scorebot.domain.organization import conflicted
from scorebot.domain.reactions import reaction
from scorebot.domain.rooms import IGO_ROOM, ORGANIZING, Role, RoomKind, RoomView
from scorebot.domain.signals import Reaction
from scorebot.domain.text import Text, bold, pill, plain
from scorebot.feature import Feature
from scorebot.features.casebook import REASON, CaseBook
from scorebot.features.needs import CASE_THREAD
from scorebot.features.readers import refused_as_subject
from scorebot.store.cases import cases

log = logging.getLogger(__name__)


class Removal(Feature):
    def __init__(self, book: CaseBook):
        self.book = book

    @command("remove", UserArg(), REASON, role=Role.MODERATOR, rooms=ORGANIZING,
             help="Propose removing a member from this room (step 2); other moderators approve in the "
                  "moderators' room. Needs a prior request to stop, unless the conduct is severe.")
    def remove(self, ctx: Context, user: str, details: str | None) -> None:
        if self.book.not_here(ctx, user):
            return
        category, reason = parse_category(details)
        evidence = self.book.evidence(ctx, getattr(ctx.signal, "reply_to", None))
        refusal = propose_removal(self.book, ctx, ctx.room, user, category, reason, evidence)
        if refusal:
            ctx.reply(words.cannot_propose(refusal))
        else:
            ctx.confirm()

    @reaction(APPROVE, REJECT, rooms=frozenset({RoomKind.MODERATORS, RoomKind.IGO}), on="proposal")
    def vote(self, ctx: Context, proposal_id: int) -> None:
        vote: Reaction = ctx.signal
        self._vote(ctx, proposal_id, vote.emoji == APPROVE)

    def _vote(self, ctx: Context, proposal_id: int, approve: bool) -> None:
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
                words.own_vote(proposal.id)), reply_to=ctx.signal.target_event_id))
        if allowed and ctx.signal.unsigned_device:
            cases.audit(now, ctx.sender, "vote from an unverified session: not counted", proposal.subject,
                        proposal.room_id, proposal=proposal.id)
            ctx.do(Send(ctx.room.room_id, pill(ctx.sender, ctx.name_of(ctx.sender)) + plain(
                words.unverified_vote(proposal.id)), reply_to=ctx.signal.target_event_id))
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
            settle(ctx, updated, f"❌ Rejected by {ctx.name_of(ctx.sender)}. Nothing was done.")

    def on_redaction(self, ctx: Context) -> None:
        """A ✅ taken back before the proposal is settled no longer counts."""
        if ctx.room.kind not in (RoomKind.MODERATORS, RoomKind.IGO):
            return
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
        case = cases.get(proposal.case_id)
        approvers = ", ".join(ctx.name_of(voter) for voter in sorted(proposal.approvals))
        if proposal.room_id is None:
            self._remove_everywhere(ctx, proposal, case, approvers)
            return
        view = ctx.views.get(proposal.room_id) or RoomView(proposal.room_id, RoomKind.ORGANIZING)
        refusal = self.book.protected(ctx, view, proposal.subject)
        if refusal:
            settle(ctx, proposal, f"Approved by {approvers}, but not carried out: {refusal}.")
            return
        _, _, redact = cases.proposal_details(proposal.id)
        duration = self.book.config.removal_duration
        if duration:
            ctx.do(Ban(view.room_id, proposal.subject, "removed with the moderators' approval"))
            cases.ban_until(view.room_id, proposal.subject, now + int(duration * 1000))
        else:
            ctx.do(Kick(view.room_id, proposal.subject, "removed with the moderators' approval"))
        if redact:
            ctx.do(Redact(view.room_id, redact))  # a redaction's reason is read next to the message: none
        self.book.record(ctx, case, Step(StepKind.REMOVED, now, ctx.sender, view.room_id))
        settle(ctx, proposal, f"✅ Carried, approved by {approvers}: "
                                    f"{view.display_name(proposal.subject)} was removed from the room.")
        ctx.do(Send(view.room_id, plain(words.removed_in_room(view.display_name(proposal.subject)))))
        ctx.do(SendDirect(proposal.subject, plain(words.removed_in_private(view.name or view.room_id, duration)),
                          remember=keys.case_note(case.id, proposal.subject, now)))

    def on_tick(self, ctx: Context) -> None:
        now = ctx.signal.timestamp
        for proposal in cases.open_proposals():
            expired = proposal.expire(now)
            if expired:
                cases.save_proposal(expired, now)
                cases.audit(now, "scorebot", "proposal expired", proposal.subject, proposal.room_id,
                            proposal=proposal.id)
                self.book.record(ctx, cases.get(proposal.case_id),
                             Step(StepKind.REMOVAL_EXPIRED, now, "scorebot", proposal.room_id))
                settle(ctx, expired, "⌛ Expired before enough approvals. Nothing was done.")
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
        proposal = cases.propose(case.id, case.subject, None, ctx.sender, 1, now + self.book.expiry_ms,
                                           reason, None, None)
        key = keys.proposal(proposal.id)
        cases.audit(now, ctx.sender, "removal from every room proposed", case.subject, reason=reason)
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
        settle(ctx, proposal, f"carried, approved by {approvers}; removed from "
                                    f"{', '.join(removed_from) or 'no room (they were in none I manage)'}.")


def propose_removal(book: CaseBook, ctx: Context, room: RoomView, subject: str, category: str | None,
                    reason: str | None, evidence) -> str | None:
    """Post a removal proposal in the moderators' room; or say why not."""
    refusal = book.protected(ctx, room, subject)
    now = ctx.signal.timestamp
    # Judged on the case as it stands, without opening one: a refusal leaves no empty case.
    refusal = refusal or removal_refused(cases.find(subject) or Case(0, subject), category, now,
                                         book.window_ms)
    moderators = ctx.room_of(RoomKind.MODERATORS)
    if refusal is None and moderators is None:
        refusal = "no moderators' room is configured (rooms.moderators)"
    if refusal:
        return refusal
    case = cases.case_of(subject, now)
    redact = evidence.event_id if evidence and category in SEVERE else None
    proposal = cases.propose(case.id, subject, room.room_id, ctx.sender, book.config.removal_approvals,
                                       now + book.expiry_ms, reason, category, redact)
    step = Step(StepKind.REMOVAL_PROPOSED, now, ctx.sender, room.room_id, reason, category,
                evidence.event_id if evidence else None, evidence.body if evidence else None)
    book.record(ctx, case, step, escalate=escalates(case, StepKind.REMOVAL_PROPOSED))
    key = keys.proposal(proposal.id)
    ctx.do(Send(moderators, proposal_text(ctx, proposal, room, reason, category, evidence), remember=key),
           React(moderators, None, words.APPROVE, target_key=key),
           React(moderators, None, words.REJECT, target_key=key))
    return None

def proposal_text(ctx: Context, proposal: Proposal, room: RoomView, reason, category, evidence,
                  outcome: str | None = None) -> Text:
    name = room.display_name(proposal.subject)
    who = f"{name} ({proposal.subject})" if name != proposal.subject else name
    proposer = pill(proposal.proposer, ctx.room.display_name(proposal.proposer))
    return words.removal_proposal(proposal, who, room.name or room.room_id, proposer, category, reason, evidence,
                                  outcome)

def settle(ctx: Context, proposal: Proposal, outcome: str) -> None:
    """Edit the proposal where it was put to the vote: carried, rejected, expired or not carried out."""
    room_id = ctx.room_of(RoomKind.MODERATORS) if proposal.room_id else ctx.room_of(RoomKind.IGO)
    if room_id is None:
        return
    if proposal.room_id:
        reason, category, _ = cases.proposal_details(proposal.id)
        view = ctx.views.get(proposal.room_id) or RoomView(proposal.room_id, RoomKind.ORGANIZING)
        text = proposal_text(ctx, proposal, view, reason, category, None, outcome)
    else:
        text = bold(f"Removal from every room, proposal #{proposal.id}: {outcome}")
    ctx.do(Edit(room_id, keys.proposal(proposal.id), text))
