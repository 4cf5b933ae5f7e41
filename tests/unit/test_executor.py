"""The outbox against a fake client: one action that cannot go never holds up the others."""

import asyncio
import threading
import time

import pytest
from nio import RoomSendError

from scorebot.domain.actions import CreateRoom, Edit, Join, Kick, Leave, React, Send, SendDirect
from scorebot.domain.reports import ReportRequest
from scorebot.domain.text import plain
from scorebot.matrix.executor import IN_FLIGHT, MAX_ATTEMPTS, Executor, Refused
from scorebot.store import Store
from tests.support.fake_client import FakeClient


@pytest.fixture
async def outbox(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    await store.run(store.open)
    client = FakeClient()
    executor = Executor(client, store, asyncio.Condition())
    executor._instance = "test"
    yield store, client, executor
    store.close()


async def queue(store, *actions):
    return await store.run(store.enqueue, list(actions))


async def test_an_action_for_a_room_the_bot_is_not_in_is_parked_and_the_rest_go_on(outbox):
    store, client, executor = outbox
    client.room("!org:x", "@bob:x")
    await queue(store, Send("!mods:x", plain("a proposal")), Send("!mods:x", plain("its follow-up")),
                Send("!org:x", plain("an answer")))
    next_due = await executor.drain()
    assert client.texts() == ["an answer"]
    assert next_due is not None
    parked = await store.run(store.pending_rows)
    assert [(row.action.text.plain, row.attempts) for row in parked] == [("a proposal", 1), ("its follow-up", 0)]
    await queue(store, Send("!org:x", plain("a later answer")))
    await executor.drain()  # the parked lane still waits; the other goes on
    assert client.texts() == ["an answer", "a later answer"]
    client.room("!mods:x", "@maya:x")  # the bot is back in the moderators' room
    for row in await store.run(store.pending_rows):
        await store.run(store.action_parked, row.id, row.attempts, 0, "due now")
    await executor.drain()
    assert client.texts("!mods:x") == ["a proposal", "its follow-up"]  # in their order


async def test_an_exception_in_one_action_is_recorded_and_the_bot_goes_on(outbox):
    store, client, executor = outbox
    client.room("!a:x", "@bob:x")
    client.room("!b:x", "@bob:x")
    client.failing["!a:x"] = RuntimeError("the connection broke")
    [broken, _] = await queue(store, Send("!a:x", plain("first")), Send("!b:x", plain("second")))
    await executor.drain()
    assert client.texts() == ["second"]
    [row] = await store.run(store.pending_rows)
    assert row.id == broken and row.attempts == 1
    await store.run(store.action_parked, row.id, row.attempts, 0, "due now")
    await executor.drain()
    assert client.texts() == ["second", "first"]
    assert await store.run(store.pending_rows) == []


async def test_an_action_that_never_goes_is_given_up_once(outbox, caplog):
    store, client, executor = outbox
    client.room("!broken:x")
    [action_id] = await queue(store, Send("!broken:x", plain("to nowhere")))
    for _ in range(MAX_ATTEMPTS):
        client.failing["!broken:x"] = RuntimeError("the connection broke")
        for row in await store.run(store.pending_rows):
            await store.run(store.action_parked, row.id, row.attempts, 0, "due now")
        await executor.drain()
    assert await store.run(store.pending_rows) == []
    assert sum("Giving up on Send" in r.getMessage() for r in caplog.records) == 1
    state = store.db.execute_sql("SELECT state, payload FROM outbox WHERE id = ?", (action_id,)).fetchone()
    assert state == ("failed", "")


async def test_a_private_message_never_goes_to_a_chat_someone_else_is_in(outbox):
    store, client, executor = outbox
    client.room("!dm:x", "@bob:x").users["@rita:x"] = None  # bob's "direct chat" holds a friend too
    await store.run(store.set_direct_chat, "@bob:x", "!dm:x")
    await queue(store, SendDirect("@bob:x", plain("from the grievance officers: we hear you")))
    await executor.drain()
    assert not [t for t in client.texts("!dm:x") if "we hear you" in t]
    assert "no longer private" in client.texts("!dm:x")[0] and client.left == ["!dm:x"]
    [created] = client.created
    assert created["is_direct"] and created["invite"] == ["@bob:x"]
    assert client.texts("!new1:x") == ["from the grievance officers: we hear you"]
    assert await store.run(store.direct_chat, "@bob:x") == "!new1:x"


async def test_a_room_made_just_before_a_crash_is_found_again_not_made_twice(outbox):
    store, client, executor = outbox
    client.room("!org:x", "@bob:x")
    client.crash_after_create = "is_direct"
    await queue(store, SendDirect("@bob:x", plain("a word for bob")),
                CreateRoom("Report #1", ("@ida:x",), "report-room:1"))
    await executor.drain()
    # The direct chat was made, then the crash; the report's room (its own lane) went on.
    assert len(client.created) == 2 and client.texts() == []
    for row in await store.run(store.pending_rows):
        await store.run(store.action_parked, row.id, row.attempts, 0, "due now")
    await executor.drain()
    assert len(client.created) == 2  # the direct chat made before the crash is used, not a second one
    [direct] = [room for room, options in zip(("!new1:x", "!new2:x"), client.created, strict=True)
                if options.get("is_direct")]
    assert client.texts(direct) == ["a word for bob"]
    assert await store.run(store.direct_chat, "@bob:x") == direct
    assert await store.run(store.mark, "report-room:1") == ({"!new1:x", "!new2:x"} - {direct}).pop()


async def test_who_waited_for_an_action_given_up_is_told(outbox):
    store, client, executor = outbox
    executor.moderators_room = "!mods:x"
    client.room("!mods:x", "@maya:x")
    await queue(store, Kick("!gone:x", "@eve:x", "removed"))  # the bot is no longer in that room
    for _ in range(MAX_ATTEMPTS):
        for row in await store.run(store.pending_rows):
            await store.run(store.action_parked, row.id, row.attempts, 0, "due now")
        await executor.drain()
    await executor.drain()  # the notice queued when it was given up
    [told] = client.texts("!mods:x")
    assert "I could not remove @eve:x from !gone:x" in told
    assert await store.run(store.pending_rows) == []


async def test_a_removal_from_many_rooms_goes_out_side_by_side_and_kicks_once_even_after_a_crash(outbox):
    store, client, executor = outbox
    rooms = [f"!r{n}:x" for n in range(30)]
    for room in rooms:
        client.room(room, "@eve:x")
    client.dies_after_kick = set(rooms[::7])  # done by the homeserver, but never recorded as done
    await queue(store, *(Kick(room, "@eve:x", "removed") for room in rooms))
    await executor.drain()
    assert 1 < client.most_in_flight <= IN_FLIGHT  # several at once, and never more than allowed
    # A restart: a new outbox over the same store; the unrecorded kicks are tried again.
    again = Executor(client, store, asyncio.Condition())
    again._instance = "test"
    for row in await store.run(store.pending_rows):
        await store.run(store.action_parked, row.id, row.attempts, 0, "due now")
    await again.drain()
    assert sorted(client.kicked) == sorted((room, "@eve:x") for room in rooms)  # each room once
    assert await store.run(store.pending_rows) == []


async def test_a_room_whose_send_is_slow_holds_up_no_new_work_for_other_rooms(outbox):
    store, client, executor = outbox
    client.room("!slow:x")
    client.room("!quick:x")
    release = client.held["!slow:x"] = asyncio.Event()
    executor.rooms_known.set()
    running = asyncio.create_task(executor.run_forever())
    await queue(store, Send("!slow:x", plain("takes long")))
    executor.wake()
    await client.until(lambda: "!slow:x" in client.waiting)
    await queue(store, Send("!quick:x", plain("goes at once")))  # decided while the other is under way
    executor.wake()
    await client.until(lambda: client.texts("!quick:x") == ["goes at once"])
    assert client.texts("!slow:x") == []
    release.set()
    await client.until(lambda: client.texts("!slow:x") == ["takes long"])
    running.cancel()


async def test_an_action_sent_is_not_sent_again_by_a_look_at_the_outbox_asked_before_it_was_marked(outbox):
    """The outbox goes on without waiting for an action's "done" mark. A look asked for before the
    mark (here, held up behind other database work) still lists the action as waiting: it must not
    be carried out again, even under the same transaction ID."""
    store, client, executor = outbox
    client.room("!x:x")
    release = client.held["!x:x"] = asyncio.Event()
    asked: list[str] = []
    room_send = client.room_send

    async def counted(room_id, *args, **kwargs):
        asked.append(room_id)
        return await room_send(room_id, *args, **kwargs)

    client.room_send = counted
    marking = asyncio.Event()
    later = store.later

    def noted(work, *args):
        future = later(work, *args)
        if work == executor._done:
            marking.set()
        return future

    store.later = noted
    await queue(store, Send("!x:x", plain("once")))
    executor.rooms_known.set()
    running = asyncio.create_task(executor.run_forever())
    await client.until(lambda: "!x:x" in client.waiting)
    gate = threading.Event()
    store.later(gate.wait)  # the store's thread is busy for a while
    executor.wake()  # a look at the outbox, asked now, waits behind it
    release.set()
    await marking.wait()  # sent; its "done" mark waits behind the look
    gate.set()
    await store.run(lambda: None)  # the look and the mark are through
    await executor.drain()
    assert asked == ["!x:x"]
    assert await store.run(store.pending_rows) == []
    running.cancel()


async def due_now(store):
    for row in await store.run(store.pending_rows):
        await store.run(store.action_parked, row.id, row.attempts, 0, "due now")


async def test_a_message_for_a_room_the_bot_lost_waits_for_it_and_goes_once_it_is_back(outbox):
    store, client, executor = outbox
    await queue(store, Send("!igo:x", plain("report #1"), remember="report:1"),
                Send("!igo:x", plain("its thread"), thread_key="report:1"))
    for _ in range(MAX_ATTEMPTS + 3):  # far longer than anything else is tried
        await due_now(store)
        await executor.drain()
    assert [row.action.text.plain for row in await store.run(store.pending_rows)] == ["report #1", "its thread"]
    client.room("!igo:x", "@ida:x")  # invited back, and joined
    await executor.rooms_back(["!igo:x"])  # not waiting for the next try, minutes away by now
    await executor.drain()
    await executor.drain()
    assert client.texts("!igo:x") == ["report #1", "its thread"]  # in order, once
    assert await store.run(store.pending_rows) == []


async def test_after_a_restart_words_parked_for_a_lost_room_go_as_soon_as_the_bot_is_in_it(outbox):
    """Which rooms the bot lost is known only while it runs: after a restart, what was parked for a
    room goes as soon as the bot is in it, not at its next try (minutes away after many tries)."""
    store, client, executor = outbox
    await queue(store, Send("!igo:x", plain("report #1"), remember="report:1"),
                Send("!igo:x", plain("its thread"), thread_key="report:1"), Send("!mods:x", plain("a proposal")))
    await executor.drain()  # the bot is in neither room
    later = int(time.time() * 1000) + 300_000
    for row in await store.run(store.pending_rows):  # as after many tries
        await store.run(store.action_parked, row.id, 9, later, "NotInRoom: the bot is not in the room")
    client.room("!mods:x", "@maya:x")  # joined again just before the restart
    again = Executor(client, store, asyncio.Condition())
    again.rooms_known.set()
    running = asyncio.create_task(again.run_forever())
    await client.until(lambda: client.texts("!mods:x") == ["a proposal"])
    assert client.texts("!igo:x") == []  # never to a room the bot is not in
    client.room("!igo:x", "@ida:x")  # invited back, and joined
    await again.rooms_back(["!igo:x"])
    await client.until(lambda: client.texts("!igo:x") == ["report #1", "its thread"])  # in order, once
    running.cancel()


async def test_a_report_waiting_too_long_for_its_room_is_made_known_once_without_its_words(outbox):
    store, client, executor = outbox
    executor.igo_room, executor.moderators_room, executor.undeliverable_after_ms = "!igo:x", "!mods:x", 0
    client.room("!mods:x", "@maya:x")
    report = await store.run(store.reports.create, "@rita:x", ReportRequest("he shouted at me"), "direct", 0)
    await queue(store, Send("!igo:x", plain("he shouted at me"), remember=f"report:{report.id}"),
                Send("!igo:x", plain("he shouted at me, in the thread"), thread_key=f"report:{report.id}"))
    for _ in range(3):
        await due_now(store)
        await executor.drain()
    [told] = client.texts("!mods:x")
    assert f"Report #{report.id} has not reached the grievance officers' room yet" in told
    assert "shouted" not in told
    direct = await store.run(store.direct_chat, "@rita:x")
    [word] = client.texts(direct)
    assert word.startswith(f"Your report #{report.id} has not reached the grievance officers yet; it is kept")
    assert len(await store.run(store.pending_rows)) == 2  # kept


async def test_under_rate_limits_what_matters_goes_first_and_board_edits_coalesce(outbox):
    store, client, executor = outbox
    executor.igo_room = "!igo:x"
    for room in ("!org:x", "!igo:x", "!other:x"):
        client.room(room, "@bob:x")
    await store.run(store.remember, "board:1:1", "!org:x", "$board")
    order: list[str] = []
    room_send = client.room_send
    limited = iter([True])

    async def too_fast_once(room_id, message_type, content, **kwargs):
        if next(limited, False):  # the homeserver's first answer: too fast, try in 50 ms
            return RoomSendError("Too Many Requests", "M_LIMIT_EXCEEDED", retry_after_ms=50)
        order.append(content.get("body") or content["m.relates_to"]["key"])
        return await room_send(room_id, message_type, content, **kwargs)

    client.room_send = too_fast_once
    await queue(store, *(React("!org:x", f"$hand{n}", "✅") for n in range(6)),
                *(Edit("!org:x", "board:1:1", plain(f"board {n}")) for n in range(6)),
                Send("!other:x", plain("an answer")), Send("!org:x", plain("Bob has the floor")),
                Send("!igo:x", plain("report #1")))
    await executor.drain()
    # The most urgent first, after the wait; the answer in !org:x overtakes the ✅s decided before it.
    assert order[0] == "report #1" and set(order[1:3]) == {"an answer", "Bob has the floor"}
    assert order.count("* board 5") == 1 and not [text for text in order if text.startswith("* board ")
                                                  and text != "* board 5"]  # only the newest board
    assert order.count("✅") == 6
    assert await store.run(store.pending_rows) == []


async def test_a_confirmation_waiting_for_its_turn_gives_way_to_an_answer_for_the_same_room(outbox):
    store, client, executor = outbox
    client.room("!org:x", "@bob:x")
    executor.gate.too_fast(0.3)  # the homeserver just said "too fast": nothing goes for a moment
    at_gate, slot = asyncio.Event(), executor.gate.slot

    def watched(urgency, give_way=None, limit=None):
        at_gate.set()
        return slot(urgency, give_way, limit)

    executor.gate.slot = watched
    executor.rooms_known.set()
    running = asyncio.create_task(executor.run_forever())
    await queue(store, React("!org:x", "$hand", "✅"))
    executor.wake()
    await at_gate.wait()  # the ✅ waits for its turn
    floor = Send("!org:x", plain("Bob, you have the floor"))
    await queue(store, floor)
    executor.wake([floor])
    await client.until(lambda: len(client.sent) == 2)
    assert [sent.content.get("body") or sent.content["m.relates_to"]["key"] for sent in client.sent] == [
        "Bob, you have the floor", "✅"]
    running.cancel()


async def test_a_join_told_too_fast_holds_up_only_joins_not_the_answers(outbox):
    """Synapse limits joins on their own (`rc_joins`), apart from messages (`rc_message`): a "too
    fast" on a join says nothing about the messages, and must not keep an answer waiting."""
    store, client, executor = outbox
    client.room("!org:x", "@bob:x")
    client.joins_too_fast = [60.0]
    executor.rooms_known.set()
    running = asyncio.create_task(executor.run_forever())
    await queue(store, Join("!new:x"))
    executor.wake()
    await client.until(lambda: client.joins_asked == ["!new:x"])  # answered: too fast, for a minute
    await queue(store, Send("!org:x", plain("Bob, you have the floor")), Join("!other:x"))
    executor.wake()
    await client.until(lambda: client.texts("!org:x") == ["Bob, you have the floor"])
    assert client.joins_asked == ["!new:x"]  # the other join waits out the joins' limit
    running.cancel()


async def test_words_for_a_room_made_in_the_same_step_wait_for_it_and_go_there(outbox):
    store, client, executor = outbox
    await store.run(store.set_mark, "report-officers:2", "")  # asked for, not made yet
    assert await store.run(store.made_for, "") is None
    await queue(store, CreateRoom("Report #2", ("@ivan:x", "@eve:x"), "report-officers:2"),
                Send("", plain("Report #2 is about a grievance officer"), room_key="report-officers:2"),
                Send("", plain("its opening"), room_key="report-officers:2"))
    await executor.drain()
    made = await store.run(store.mark, "report-officers:2")
    assert made and client.texts(made) == ["Report #2 is about a grievance officer", "its opening"]
    assert await store.run(store.made_for, made) == "report-officers:2"
    assert await store.run(store.is_confidential_room, made)


async def test_a_board_edit_waiting_to_be_spaced_holds_up_no_confirmation_after_it(outbox):
    """Two board edits close together: the second waits a moment (to coalesce under rate limits),
    but the ✅ decided after it goes at once: a member is never kept waiting for their ✅."""
    store, client, executor = outbox
    client.room("!org:x", "@bob:x")
    await store.run(store.remember, "board:1:1", "!org:x", "$board")
    await queue(store, Edit("!org:x", "board:1:1", plain("board 1")))
    await executor.drain()
    await queue(store, Edit("!org:x", "board:1:1", plain("board 2")), React("!org:x", "$hand", "✅"))
    await executor.drain()
    sent = [s.content.get("body") or s.content["m.relates_to"]["key"] for s in client.sent]
    assert sent == ["* board 1", "✅"]  # the second edit waits for its spacing, the ✅ does not
    assert [row.action for row in await store.run(store.pending_rows)] == [
        Edit("!org:x", "board:1:1", plain("board 2"))]
    # A ✅ decided later, while that edit still waits, goes at once too.
    await queue(store, React("!org:x", "$again", "✅"))
    await executor.drain()
    assert [s.content["m.relates_to"].get("event_id") for s in client.sent[2:]] == ["$again"]


async def test_a_last_word_goes_before_the_bot_leaves_and_once_when_the_leave_is_tried_again(outbox):
    """Leaving has a lane of its own (a join must not wait behind a lost room's messages), so the
    words said on leaving go with the leave, never in a lane it could overtake."""
    store, client, executor = outbox
    client.room("!dm:x", "@bob:x", "@eve:x")
    tries = []
    leave = client.room_leave

    async def leave_after_a_dropped_connection(room_id):
        tries.append(room_id)
        if len(tries) == 1:
            raise ConnectionError("the connection dropped")
        return await leave(room_id)

    client.room_leave = leave_after_a_dropped_connection
    await queue(store, Leave("!dm:x", plain("I'm leaving this chat.")))
    await executor.drain()
    assert client.texts("!dm:x") == ["I'm leaving this chat."] and client.left == []
    [row] = await store.run(store.pending_rows)
    await store.run(store.action_parked, row.id, row.attempts, 0, "due now")
    await executor.drain()
    assert client.texts("!dm:x") == ["I'm leaving this chat."]  # not said twice
    assert client.left == ["!dm:x"] and tries == ["!dm:x", "!dm:x"]


async def test_a_room_that_will_not_take_the_last_word_is_left_all_the_same(outbox):
    store, client, executor = outbox
    client.room("!group:x", "@bob:x", "@rita:x")
    client.failing["!group:x"] = Refused("M_FORBIDDEN: only admins may post here")
    await queue(store, Leave("!group:x", plain("I only take part in one-to-one chats.")))
    await executor.drain()
    assert client.left == ["!group:x"] and client.texts("!group:x") == []
    assert await store.run(store.pending_rows) == []


async def test_a_room_just_joined_and_not_yet_seen_is_waited_for_before_the_last_word_and_the_leave(outbox):
    """A group room the bot declines: it joins, says why and leaves. Its sync may not show the room
    yet when the goodbye is due: the leave waits for the sync, and goes with its last word."""
    store, client, executor = outbox
    waiting = asyncio.Event()
    wait_for_room = executor._wait_for_room

    async def watched(*args, **kwargs):
        waiting.set()
        return await wait_for_room(*args, **kwargs)

    executor._wait_for_room = watched
    client.invited_rooms["!group:x"] = None  # the bot's join is done; to nio it is an invite until a sync
    await queue(store, Leave("!group:x", plain("I only take part in one-to-one chats.")))
    draining = asyncio.create_task(executor.drain())
    await asyncio.wait_for(waiting.wait(), 5)
    client.room("!group:x", "@bob:x", "@rita:x")  # the sync shows the room the bot joined
    async with executor._synced:
        executor._synced.notify_all()
    await draining
    assert client.texts("!group:x") == ["I only take part in one-to-one chats."] and client.left == ["!group:x"]


async def test_a_room_the_bot_is_not_in_is_left_without_a_word_rather_than_never(outbox):
    """Its join was refused, or it was taken out first: the invite is still declined, and a later
    join to that room is not held up behind a leave waiting for ever."""
    store, client, executor = outbox
    executor.goodbye_wait = 0.05  # a join refused after all: no sync will show the room
    client.invited_rooms["!declined:x"] = None
    await queue(store, Leave("!gone:x", plain("I only take part in one-to-one chats.")),
                Leave("!declined:x", plain("I only take part in one-to-one chats.")))
    await executor.drain()
    assert sorted(client.left) == ["!declined:x", "!gone:x"] and client.texts() == []
    assert await store.run(store.pending_rows) == []

