"""Cases, their steps, removal proposals, timed bans and the audit log."""

from __future__ import annotations

import json

from scorebot.domain import keys
from scorebot.domain.ladder import Case, Proposal, ProposalState, Step, StepKind
from scorebot.store import models as m


def _case(row: m.Case) -> Case:
    steps = m.CaseStep.select().where(m.CaseStep.case_id == row.id).order_by(m.CaseStep.id)
    return Case(row.id, row.subject, tuple(
        Step(StepKind(s.kind), s.at, s.by, s.room_id, s.reason, s.category, s.evidence_event, s.evidence_text)
        for s in steps), row.escalated_at is not None, row.resolved_at is not None)


def _proposal(row: m.Proposal) -> Proposal:
    approvals = frozenset(a.voter for a in m.ProposalApproval.select().where(m.ProposalApproval.proposal_id == row.id))
    return Proposal(row.id, row.case_id, row.subject, row.room_id, row.proposer, row.needed, row.expires_at,
                    approvals, ProposalState(row.state), row.decided_by)


class Cases:
    # -- cases --------------------------------------------------------------------------------

    def case_of(self, subject: str, at: int) -> Case:
        """The member's case, opened now if they have none."""
        row = m.Case.get_or_none(m.Case.subject == subject)
        if row is None:
            row = m.Case.create(subject=subject, opened_at=at)
        return _case(row)

    def find(self, subject: str) -> Case | None:
        row = m.Case.get_or_none(m.Case.subject == subject)
        return _case(row) if row else None

    def get(self, case_id: int) -> Case | None:
        row = m.Case.get_or_none(m.Case.id == case_id)
        return _case(row) if row else None

    def open_cases(self) -> list[Case]:
        return [_case(r) for r in m.Case.select().where(m.Case.resolved_at.is_null()).order_by(m.Case.id)]

    def add_step(self, case_id: int, step: Step) -> None:
        m.CaseStep.create(case_id=case_id, kind=step.kind.value, at=step.at, by=step.by, room_id=step.room_id,
                          reason=step.reason, category=step.category, evidence_event=step.evidence_event,
                          evidence_text=step.evidence_text)
        if step.kind is StepKind.ESCALATED:
            m.Case.update(escalated_at=step.at).where(m.Case.id == case_id).execute()
        elif step.kind is StepKind.RESOLVED:
            m.Case.update(resolved_at=step.at, outcome=step.reason).where(m.Case.id == case_id).execute()
        elif m.Case.get_by_id(case_id).resolved_at is not None:
            m.Case.update(resolved_at=None).where(m.Case.id == case_id).execute()  # it goes on: open again

    # -- proposals ----------------------------------------------------------------------------

    def propose(self, case_id: int, subject: str, room_id: str | None, proposer: str, needed: int,
                expires_at: int, reason: str | None, category: str | None, redact_event: str | None) -> Proposal:
        row = m.Proposal.create(case_id=case_id, subject=subject, room_id=room_id, proposer=proposer, needed=needed,
                                expires_at=expires_at, reason=reason, category=category, redact_event=redact_event)
        m.Proposal.update(message_key=keys.proposal(row.id)).where(m.Proposal.id == row.id).execute()
        return _proposal(m.Proposal.get_by_id(row.id))

    def proposal(self, proposal_id: int) -> Proposal | None:
        row = m.Proposal.get_or_none(m.Proposal.id == proposal_id)
        return _proposal(row) if row else None

    def proposal_details(self, proposal_id: int) -> tuple[str | None, str | None, str | None]:
        row = m.Proposal.get_by_id(proposal_id)
        return row.reason, row.category, row.redact_event

    def open_proposals(self) -> list[Proposal]:
        rows = m.Proposal.select().where(m.Proposal.state == ProposalState.OPEN.value).order_by(m.Proposal.id)
        return [_proposal(r) for r in rows]

    def save_proposal(self, proposal: Proposal, at: int, vote_event: str | None = None) -> None:
        """Keep the proposal's state and approvals; a new approval remembers its reaction's event."""
        m.Proposal.update(state=proposal.state.value, decided_by=proposal.decided_by).where(
            m.Proposal.id == proposal.id).execute()
        approvals = m.ProposalApproval.proposal_id == proposal.id
        known = {a.voter for a in m.ProposalApproval.select().where(approvals)}
        for voter in proposal.approvals - known:
            m.ProposalApproval.create(proposal_id=proposal.id, voter=voter, at=at, event_id=vote_event)
        m.ProposalApproval.delete().where(approvals & m.ProposalApproval.voter.not_in(
            list(proposal.approvals) or [""])).execute()

    def approval_by_event(self, event_id: str) -> tuple[int, str] | None:
        """The proposal and voter of the ✅ reaction `event_id`, if it counted as an approval."""
        row = m.ProposalApproval.get_or_none(m.ProposalApproval.event_id == event_id)
        return (row.proposal_id, row.voter) if row else None

    # -- timed bans -----------------------------------------------------------------------------

    def ban_until(self, room_id: str, user_id: str, until: int) -> None:
        m.TimedBan.create(room_id=room_id, user_id=user_id, until=until)

    def bans_due(self, now: int) -> list[tuple[int, str, str]]:
        rows = m.TimedBan.select().where((m.TimedBan.until <= now) & m.TimedBan.lifted_at.is_null())
        return [(r.id, r.room_id, r.user_id) for r in rows]

    def ban_lifted(self, ban_id: int, at: int) -> None:
        m.TimedBan.update(lifted_at=at).where(m.TimedBan.id == ban_id).execute()

    # -- the audit log --------------------------------------------------------------------------

    def audit(self, at: int, actor: str, action: str, subject: str | None = None, room_id: str | None = None,
              **detail) -> None:
        m.AuditEntry.create(at=at, actor=actor, action=action, subject=subject, room_id=room_id,
                            detail=json.dumps(detail, ensure_ascii=False) if detail else None)

    def audit_log(self) -> list[dict]:
        return [{"at": r.at, "actor": r.actor, "action": r.action, "subject": r.subject, "room": r.room_id,
                 **(json.loads(r.detail) if r.detail else {})}
                for r in m.AuditEntry.select().order_by(m.AuditEntry.id)]


cases = Cases()
