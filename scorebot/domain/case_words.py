"""What the bot says along the enforcement ladder, in one place: the request to stop (in the room
and in a direct chat), the removal proposal, and a case as the grievance officers see it. Pure
functions of what was decided, so the words can be read and reviewed together."""

from __future__ import annotations

from collections.abc import Callable

from scorebot.domain.ladder import CATEGORIES, Case, Proposal, Step, StepKind
from scorebot.domain.limits import NOTE, shorten
from scorebot.domain.privacy import UNVERIFIED_SESSION
from scorebot.domain.text import Text, bold, count_of, lines, plain, utc_time

APPROVE, REJECT = "✅", "❌"


def stop_request(mention: Text, reason: str | None) -> Text:
    """In the room, to the member, as a reply to what they said when a moderator pointed at it."""
    about = f": {reason}" if reason else ""
    return mention + plain(f", a moderator is asking you to stop{about}. Please take a moment and step back; "
                           "when we're asked to stop, we stop. Thank you.")


def stop_request_in_private(room_name: str, reason: str | None, category: str | None, code_of_conduct: str) -> Text:
    about = f": {reason}" if reason else ""
    kind = f" ({CATEGORIES[category]})" if category else ""
    coc = f" Our code of conduct: {code_of_conduct}" if code_of_conduct else ""
    return plain(f"Hi. In {room_name}, a moderator asked you to stop{about}{kind}. Our code of conduct asks "
                 f"everyone to stop a behaviour when asked.{coc} If you'd like to talk about it, you can reply here.")


def removal_proposal(proposal: Proposal, who: str, room_name: str, proposer: Text, category: str | None,
                     reason: str | None, evidence, outcome: str | None = None) -> Text:
    """The proposal in the moderators' room; once settled, the same with its outcome."""
    parts = [bold(f"🛑 Removal proposal #{proposal.id}: {who} from {room_name}"), plain("Proposed by ") + proposer]
    if category:
        parts.append(plain(f"Category: {category} ({CATEGORIES[category]})"))
    if reason:
        parts.append(plain(f"Reason: {reason}"))
    if evidence:
        parts.append(plain(f"Evidence: “{shorten(evidence.body)}” ({utc_time(evidence.at)})"))
    if outcome:
        parts.append(bold(outcome))
    else:
        parts.append(plain(f"Needs {count_of(proposal.needed, 'approval')} from moderators of that room other than "
                           f"the proposer: react {APPROVE} to approve, {REJECT} to reject. "
                           f"Open until {utc_time(proposal.expires_at)}."))
    return lines(parts)


def case_root(case: Case, who: str, state: str, detail: str) -> Text:
    """A case's first line in the grievance officers' room: "escalated: why", later "resolved: outcome"."""
    return bold(f"📁 Case #{case.id} · {who} · {state}") + plain(f": {detail}")


PASSED_ON = "Thank you. I've passed your message on to the moderators."
NOT_PASSED_ON = "I couldn't pass that on: the moderators' room is not set up. Please tell a moderator directly."
ALREADY_ESCALATED = "That case is already with the grievance officers; new steps go to its thread."
NO_IGO_ROOM = "No grievance officers' room is set up (rooms.igo in the config)."
NO_OPEN_CASES = "No open cases."
STOPPED_MESSAGE_UNSEEN = ("I couldn't see the message you marked with 🛑 (it's older than what I keep). "
                          "Use !warn @user in the room instead.")


def cannot_propose(refusal: str) -> str:
    return f"I can't propose that removal: {refusal}."


def stop_sign_refused(moderator: Text, refusal: str) -> Text:
    return moderator + plain(f": your 🛑 did not become a removal proposal: {refusal}.")


def member_answered(member: Text, case_id: int, said: str) -> Text:
    """To the moderators: what a member asked to stop (or removed) wrote back in their direct chat."""
    return member + plain(f" answered in their direct chat with me, about case #{case_id}: "
                          f"“{shorten(said, NOTE, 'the case keeps the whole text')}”")


def no_case(user: str, ouches: int) -> str:
    return f"No case for {user}. Ouches received: {ouches}."


def ouches_line(ouches: int) -> Text:
    return plain(f"Ouches received: {ouches} (not enforcement steps).")


def open_cases(rows: list[tuple[int, str, int, bool]]) -> str:
    """(case, who, steps, escalated) for each open case."""
    return "Open cases:\n" + "\n".join(f"#{case} {who}: {count_of(steps, 'step')}"
                                        + (", with the grievance officers" if escalated else "")
                                        for case, who, steps, escalated in rows)


def step_line(step: Step, name: str, room_name: str | None) -> str:
    where = f" in {room_name}" if room_name else ""
    # A removal is carried out by the bot once approved: its step names who approved it.
    by = "approved by" if step.kind in (StepKind.REMOVED, StepKind.REMOVED_EVERYWHERE) else "by"
    text = f"{utc_time(step.at)}: {step.kind.label} {by} {name}{where}"
    if step.category:
        text += f" [{step.category}]"
    if step.reason:
        text += f": {step.reason}"
    if step.evidence_text:
        text += f" (evidence: “{step.evidence_text}”)"
    return text


def timeline_lines(case: Case, who: str, line: Callable[[Step], str]) -> list[Text]:
    """A case's heading and its steps, one line each, sent in as many messages as they need (in the
    IGO thread with long texts shortened; with `!case`, whole)."""
    state = "resolved" if case.resolved else ("with the grievance officers" if case.escalated else "open")
    return [bold(f"Case #{case.id} · {who} · {state}"), *(plain(line(step)) for step in case.steps)]


def whole_text_with(user: str, prefix: str) -> str:
    """Where the whole of a shortened text is: a case keeps every word."""
    return f"{prefix}case {user} gives the whole text"


def own_vote(proposal_id: int) -> str:
    """After the proposer's pill: their own ✅ is not counted."""
    return (f", your own ✅ on proposal #{proposal_id} does not count: a removal needs moderators other "
            "than the one who proposed it.")


def unverified_vote(proposal_id: int) -> str:
    """After the voter's pill: a vote from a session that is not verified is not counted."""
    return f", your vote on proposal #{proposal_id} does not count yet. {UNVERIFIED_SESSION}"


def removed_in_room(name: str) -> str:
    return f"{name} has been removed from this room for now, with the moderators' agreement."


def removed_in_private(room_name: str, duration: float | None) -> str:
    lasting = f" for {round(duration / 60)} minutes" if duration else ""
    return (f"You have been removed from {room_name}{lasting}, with the moderators' agreement, "
            "after being asked to stop. If you'd like to talk about it, you can reply here, or reach the "
            "Internal Grievance Officers.")
