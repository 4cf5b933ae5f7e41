"""The enforcement ladder of the code of conduct, as a pure state machine.

Ask to stop; if it goes on, removal from the room once other moderators approve; if it goes on,
escalation to the Internal Grievance Officers. A case is one member's history; a proposal is one
removal waiting for approvals. Nothing here talks to Matrix or a database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

# The nine kinds under UNACCEPTABLE BEHAVIOR, by the short names moderators type.
CATEGORIES = {
    "discrimination": "discriminatory jokes, language or offensive comments",
    "insults": "personal insults or attacks",
    "lifestyle": "unsolicited comments on someone's lifestyle",
    "sexual": "sexual offences",
    "contact": "a pattern of inappropriate social contact",
    "doxing": "posting personal information, or outing someone",
    "violence": "incitement or threats of violence",
    "undermining": "working to undermine the organization",
    "fascism": "supporting fascist or neo-confederate organizations",
}
SEVERE = frozenset({"violence", "sexual", "doxing"})


class StepKind(Enum):
    WARNED = "asked to stop"
    REMOVAL_PROPOSED = "removal proposed"
    REMOVED = "removed from the room"
    REMOVAL_REJECTED = "removal rejected"
    REMOVAL_EXPIRED = "removal proposal expired"
    ESCALATED = "escalated to the IGOs"
    NOTE = "note"
    RESOLVED = "resolved"
    REMOVED_EVERYWHERE = "removed from every room"
    MEMBER_REPLIED = "answered in their direct chat"

    @property
    def label(self) -> str:
        """The words shown in a case; the value is what the database keeps, so it never changes."""
        return "sent to the grievance officers" if self is StepKind.ESCALATED else self.value


@dataclass(frozen=True)
class Step:
    kind: StepKind
    at: int
    by: str
    room_id: str | None = None
    reason: str | None = None
    category: str | None = None
    evidence_event: str | None = None
    evidence_text: str | None = None


@dataclass(frozen=True)
class Case:
    id: int
    subject: str
    steps: tuple[Step, ...] = ()
    escalated: bool = False
    resolved: bool = False

    def active_warning(self, now: int, window_ms: int) -> Step | None:
        """The newest request to stop that still counts for the ladder."""
        warnings = [s for s in self.steps if s.kind is StepKind.WARNED and now - s.at <= window_ms]
        return warnings[-1] if warnings else None

    @property
    def was_removed(self) -> bool:
        return any(s.kind in (StepKind.REMOVED, StepKind.REMOVED_EVERYWHERE) for s in self.steps)


class StopSign(Enum):
    WARN = "warn"
    PROPOSE_REMOVAL = "propose removal"


def on_stop_sign(case: Case, now: int, window_ms: int) -> StopSign:
    """A moderator's 🛑: the first asks to stop; one after a standing request proposes removal."""
    return StopSign.PROPOSE_REMOVAL if case.active_warning(now, window_ms) else StopSign.WARN


def removal_refused(case: Case, category: str | None, now: int, window_ms: int) -> str | None:
    """Why a removal may not be proposed yet, or None. Severe conduct needs no prior warning."""
    if category in SEVERE or case.active_warning(now, window_ms):
        return None
    return "they have not been asked to stop yet (use !warn first), unless the conduct is severe " \
           f"({', '.join(sorted(SEVERE))})"


def escalates(case: Case, new_step: StepKind) -> bool:
    """Conduct that goes on after a removal goes to the grievance officers."""
    return new_step in (StepKind.WARNED, StepKind.REMOVAL_PROPOSED) and case.was_removed


def protected(target: str, bot: str, target_power: float, bot_power: float, moderator_level: int) -> str | None:
    """Why the bot will not remove `target`, or None."""
    if target == bot:
        return "I can't remove myself"
    if target_power >= moderator_level:
        return "they are a moderator or admin of the room"
    if target_power >= bot_power:
        return "their power level is at or above mine"
    return None


class ProposalState(Enum):
    OPEN = "open"
    CARRIED = "carried"
    REJECTED = "rejected"
    EXPIRED = "expired"


class Vote(Enum):
    COUNTED = "counted"
    CARRIED = "carried"
    REJECTED = "rejected"
    IGNORED = "ignored"


@dataclass(frozen=True)
class Proposal:
    id: int
    case_id: int
    subject: str
    room_id: str | None  # None: removal from every managed room
    proposer: str
    needed: int
    expires_at: int
    approvals: frozenset[str] = frozenset()
    state: ProposalState = ProposalState.OPEN
    decided_by: str | None = None

    def vote(self, voter: str, approve: bool, allowed: bool, now: int) -> tuple[Proposal, Vote]:
        """One reaction on the proposal. Only the allowed, other than the proposer, once each, in time."""
        if self.state is not ProposalState.OPEN or now > self.expires_at:
            return self, Vote.IGNORED
        if not allowed or voter == self.proposer or voter in self.approvals:
            return self, Vote.IGNORED
        if not approve:
            return replace(self, state=ProposalState.REJECTED, decided_by=voter), Vote.REJECTED
        approvals = self.approvals | {voter}
        if len(approvals) >= self.needed:
            return replace(self, approvals=approvals, state=ProposalState.CARRIED), Vote.CARRIED
        return replace(self, approvals=approvals), Vote.COUNTED

    def withdraw(self, voter: str, now: int) -> Proposal | None:
        """The proposal without `voter`'s approval, if they had given one that can still be taken back:
        once a proposal is settled (or expired), what was counted stands."""
        if self.state is not ProposalState.OPEN or now > self.expires_at or voter not in self.approvals:
            return None
        return replace(self, approvals=self.approvals - {voter})

    def expire(self, now: int) -> Proposal | None:
        """The expired proposal, if it has just expired."""
        if self.state is ProposalState.OPEN and now > self.expires_at:
            return replace(self, state=ProposalState.EXPIRED)
        return None


def parse_category(text: str | None) -> tuple[str | None, str | None]:
    """Split "[category] [reason]": the first word is a category only when it names one."""
    if not text:
        return None, None
    first, _, rest = text.strip().partition(" ")
    if first.lower() in CATEGORIES:
        return first.lower(), rest.strip() or None
    return None, text.strip()
