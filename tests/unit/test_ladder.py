"""The enforcement ladder as a pure state machine."""

from scorebot.domain.ladder import (
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

DAY = 24 * 3600 * 1000
WINDOW = 90 * DAY


def case(*steps: Step) -> Case:
    return Case(1, "@eve:x", tuple(steps))


def warned(at: int) -> Step:
    return Step(StepKind.WARNED, at, "@mod:x")


def test_a_stop_sign_asks_first_then_proposes_removal():
    assert on_stop_sign(case(), 0, WINDOW) is StopSign.WARN
    assert on_stop_sign(case(warned(0)), DAY, WINDOW) is StopSign.PROPOSE_REMOVAL


def test_warnings_count_for_the_window_then_stay_in_history():
    old = case(warned(0))
    assert on_stop_sign(old, WINDOW + 1, WINDOW) is StopSign.WARN
    assert old.steps[0].kind is StepKind.WARNED  # still in the history


def test_removal_needs_a_standing_warning_unless_severe():
    assert "not been asked to stop" in removal_refused(case(), "insults", 0, WINDOW)
    assert removal_refused(case(), None, 0, WINDOW)
    for category in SEVERE:
        assert removal_refused(case(), category, 0, WINDOW) is None
    assert removal_refused(case(warned(0)), None, DAY, WINDOW) is None


def test_conduct_after_a_removal_escalates():
    removed = case(warned(0), Step(StepKind.REMOVED, 1, "@bot:x"))
    assert escalates(removed, StepKind.WARNED) and escalates(removed, StepKind.REMOVAL_PROPOSED)
    assert not escalates(case(warned(0)), StepKind.WARNED)
    assert not escalates(removed, StepKind.NOTE)


def test_the_bot_never_removes_itself_moderators_or_its_equals():
    assert protected("@bot:x", "@bot:x", 0, 100, 50) == "I can't remove myself"
    assert "moderator" in protected("@mod:x", "@bot:x", 50, 100, 50)
    assert "moderator" in protected("@creator:x", "@bot:x", float("inf"), 100, 50)
    assert "at or above mine" in protected("@eve:x", "@bot:x", 30, 30, 50)
    assert protected("@eve:x", "@bot:x", 0, 100, 50) is None


def proposal(needed: int = 1) -> Proposal:
    return Proposal(1, 1, "@eve:x", "!r:x", "@mod1:x", needed, expires_at=1000)


def test_approvals_by_other_moderators_carry_a_removal():
    p, result = proposal(2).vote("@mod2:x", True, True, 10)
    assert result is Vote.COUNTED and p.state is ProposalState.OPEN
    p, result = p.vote("@mod3:x", True, True, 20)
    assert result is Vote.CARRIED and p.state is ProposalState.CARRIED


def test_self_duplicate_outsider_late_and_settled_votes_change_nothing():
    p = proposal(2)
    assert p.vote("@mod1:x", True, True, 10) == (p, Vote.IGNORED)  # the proposer
    assert p.vote("@member:x", True, False, 10) == (p, Vote.IGNORED)  # not a moderator
    once, _ = p.vote("@mod2:x", True, True, 10)
    assert once.vote("@mod2:x", True, True, 11) == (once, Vote.IGNORED)  # twice by one person
    assert p.vote("@mod2:x", True, True, 1001) == (p, Vote.IGNORED)  # too late
    carried, _ = proposal(1).vote("@mod2:x", True, True, 10)
    assert carried.vote("@mod3:x", False, True, 11) == (carried, Vote.IGNORED)  # settled


def test_a_rejection_by_a_moderator_settles_it():
    p, result = proposal().vote("@mod2:x", False, True, 10)
    assert result is Vote.REJECTED and p.state is ProposalState.REJECTED and p.decided_by == "@mod2:x"


def test_an_expired_proposal_cannot_be_carried():
    p = proposal()
    assert p.expire(999) is None
    expired = p.expire(1001)
    assert expired.state is ProposalState.EXPIRED
    assert expired.vote("@mod2:x", True, True, 1002) == (expired, Vote.IGNORED)


def test_category_is_the_first_word_only_when_it_names_one():
    assert parse_category("insults called her stupid") == ("insults", "called her stupid")
    assert parse_category("Violence") == ("violence", None)
    assert parse_category("kept interrupting") == (None, "kept interrupting")
    assert parse_category(None) == (None, None)


def test_an_approval_taken_back_before_the_proposal_is_settled_no_longer_counts():
    proposal = Proposal(1, 1, "@eve:x", "!r:x", "@maya:x", needed=2, expires_at=1_000)
    counted, result = proposal.vote("@milo:x", True, True, 10)
    assert result is Vote.COUNTED and counted.approvals == {"@milo:x"}
    withdrawn = counted.withdraw("@milo:x", 20)
    assert withdrawn is not None and withdrawn.approvals == frozenset()
    assert counted.withdraw("@bob:x", 20) is None  # never approved
    assert counted.withdraw("@milo:x", 2_000) is None  # expired: nothing changes any more
    carried, result = withdrawn.vote("@milo:x", True, True, 30)[0].vote("@ivan:x", True, True, 40)
    assert result is Vote.CARRIED and carried.withdraw("@ivan:x", 50) is None  # carried stands


def test_counts_read_as_words():
    from scorebot.domain.text import count_of

    assert count_of(1, "step") == "1 step" and count_of(2, "step") == "2 steps"
    assert count_of(1, "approval") == "1 approval" and count_of(3, "person", "people") == "3 people"
