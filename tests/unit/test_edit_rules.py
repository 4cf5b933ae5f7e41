"""Edits of commands as plain rules: the newest words count, a command runs once."""

from scorebot.domain.edits import EditStep, digest, on_edit
from scorebot.store.commands import Sent

WINDOW = 120_000
RAN = Sent("$c", "@ann:x", digest("!stack"), ran=True, at=0)
MISTYPED = Sent("$c", "@ann:x", digest("!stak"), ran=False, at=0)


def step(sent, said="!stack", *, at=1_000, command=True, runs=True, private=False) -> EditStep:
    return on_edit(sent, at, WINDOW, command, runs, digest(said), private)


def test_a_mistyped_command_fixed_soon_runs_once():
    assert step(MISTYPED) is EditStep.RUN
    assert step(MISTYPED, at=WINDOW + 1) is EditStep.NOTHING  # too late to mean it
    assert step(RAN) is EditStep.NOTHING  # edited again: it ran already
    assert step(RAN, "!stack add Pat") is EditStep.ALREADY_RAN  # changed: said once, not run
    assert step(None, command=False) is EditStep.NOTHING  # chat stays chat


def test_private_words_always_leave_the_room_and_run_at_most_once():
    assert step(None, "priority on", command=False, private=True) is EditStep.MOVE
    assert step(MISTYPED, "!report @bob:x", private=True) is EditStep.MOVE
    assert step(RAN, "!report @bob:x", private=True, at=10 * WINDOW) is EditStep.HIDE


def test_the_digest_never_holds_the_words():
    assert "stack" not in digest("!stack") and digest("!stack  ") == digest("!stack")
