"""The outbox's order, without Matrix: what goes first, in which lane, and how edits are spaced."""

import asyncio

from scorebot.domain.actions import CreateRoom, Edit, Invite, Join, Kick, React, Send, SendDirect, SetState, join_rule
from scorebot.domain.text import plain
from scorebot.matrix.gate import EVERYTHING, INVITES, JOINS, NEW_ROOMS, EditSpacing, Gate, limit_of
from scorebot.matrix.outbox import ANSWER, CONFIDENTIAL, JOINING, coalesce, lane_of, urgency_of

IGO = "!igo:x"


def test_joining_comes_first_then_what_matters_then_answers_then_confirmations():
    order = [Join("!org:x"), Send(IGO, plain("report #1")), SendDirect("@rita:x", plain("thank you")),
             Kick("!org:x", "@eve:x"), join_rule("!org:x", "invite"), Send("!org:x", plain("you have the floor")),
             React("!org:x", "$hand", "✅"), Edit("!org:x", "board:1:1", plain("board")),
             SetState("!org:x", "org.matrix.msc3215.room.moderation.moderated_by", {})]
    assert [urgency_of(action, (IGO,)) for action in order] == [0, 1, 1, 1, 1, 2, 3, 3, 3]


def test_a_join_has_a_lane_of_its_own_so_it_never_waits_behind_the_rooms_messages():
    assert lane_of(Join(IGO)) != lane_of(Send(IGO, plain("report #1")))
    assert lane_of(Send(IGO, plain("a"))) == lane_of(Edit(IGO, "case:1", plain("b")))


def test_edits_of_one_message_are_spaced_longer_while_rate_limited():
    now = [1000.0]
    spacing = EditSpacing(lambda: now[0])
    assert spacing.wait("board:1:1", careful=False) is None  # the first goes at once
    assert spacing.wait("board:1:1", careful=False) == 1_002_000
    assert spacing.wait("board:2:1", careful=False) is None  # another message is not held up
    now[0] += 2
    assert spacing.wait("board:1:1", careful=False) is None
    assert spacing.wait("board:1:1", careful=True) == 1_012_000


def test_words_for_a_room_being_made_go_in_its_creations_lane_as_confidential():
    create = CreateRoom("Report #2", ("@ivan:x",), "report-officers:2")
    words = Send("", plain("report #2"), room_key="report-officers:2")
    assert lane_of(words) == lane_of(create) != lane_of(Send("", plain("other"), room_key="case-officers:2"))
    assert urgency_of(words) == urgency_of(create) == 1


def test_a_storm_of_hands_on_one_message_waits_for_one_check_mark_not_one_each():
    """Many members react ✋ to the same message: each is confirmed there, and the homeserver would
    refuse every ✅ after the first, each refusal a request under the rate limit."""
    waiting = [(1, React("!r:x", "$agenda", "✅")), (2, React("!r:x", "$agenda", "✅")),
               (3, React("!r:x", "$other", "✅")), (4, React("!r:x", "$agenda", "✅")),
               (5, React("!r:x", "$agenda", "👀")), (6, React("!r:x", "$agenda", "✅", remember="kept"))]
    assert coalesce(waiting) == ([1, 3, 5, 6], [2, 4])


async def test_a_429_holds_up_what_its_limit_governs_a_join_only_joins_anything_else_everything():
    """Synapse counts every event under one limit (`rc_message`); joins, invites and new rooms under
    their own as well."""
    kinds = (Join(IGO), Invite(IGO, "@sam:x"), CreateRoom("Report #1", ("@ivan:x",), "report-officers:1"),
             Send(IGO, plain("a")), Kick(IGO, "@eve:x"))
    assert [limit_of(action) for action in kinds] == [JOINS, INVITES, NEW_ROOMS, EVERYTHING, EVERYTHING]
    now = [0.0]
    gate = Gate(8, clock=lambda: now[0])

    async def through(urgency: int, limit: str) -> None:
        async with gate.slot(urgency, None, limit) as granted:
            assert granted

    async def nothing() -> None:
        return None

    gate.too_fast(30, JOINS)
    join = asyncio.create_task(through(JOINING, JOINS))
    await asyncio.wait_for(through(ANSWER, EVERYTHING), 1)  # an answer goes while joins wait
    assert not join.done()
    gate.too_fast(30, INVITES)
    invite = asyncio.create_task(through(CONFIDENTIAL, INVITES))
    await asyncio.wait_for(through(CONFIDENTIAL, NEW_ROOMS), 1)  # a new room does not wait for invites
    assert not invite.done()
    now[0] = 31
    await asyncio.wait_for(through(ANSWER, EVERYTHING), 1)
    await asyncio.wait_for(asyncio.gather(join, invite), 1)  # their waits are over

    gate.too_fast(5, EVERYTHING)
    held = [asyncio.create_task(through(JOINING, JOINS)), asyncio.create_task(through(ANSWER, EVERYTHING))]
    await asyncio.create_task(nothing())  # tasks run in the order made: each of those has asked by now
    assert not any(task.done() for task in held)  # a join spends that limit too
    now[0] = 37
    await asyncio.wait_for(through(ANSWER, EVERYTHING), 1)
    await asyncio.wait_for(asyncio.gather(*held), 1)


def test_someone_taken_out_of_a_room_made_for_the_other_officers_goes_before_the_words_waiting_there():
    """The subject of a report, let in by someone: words already waiting for that room would be
    encrypted for them too if they went first."""
    key = "report-officers:1"
    waiting = Send("", plain("more words from the reporter"), room_key=key)
    out = Kick("!officers:x", "@ida:x", "This room is only for the grievance officers.", room_key=key)
    assert lane_of(out) == lane_of(waiting) and urgency_of(out) < urgency_of(waiting)
