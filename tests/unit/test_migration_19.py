"""Step 19 renames the ouch table, the fixed-position column and the key of an ouch's note: a bot
upgraded mid-meeting still has its ouches, its facilitator's moves and its waiting edits."""

from scorebot.domain import keys
from scorebot.domain.actions import Edit, Send
from scorebot.domain.culture import Ouch
from scorebot.domain.text import plain
from scorebot.store import Store, open_database
from scorebot.store.codec import dump
from scorebot.store.migrations import MIGRATIONS, upgrade

NOTE = plain("📌 A moment was pinned with “ouch”: he wrote \"key\": \"pin:x\" ")  # words, not a key
DONE = plain("📌 A moment was pinned, and acknowledged.")


def a_database_of_version_18(url: str) -> None:
    """An ouch (its note remembered under the old key), a stack entry a facilitator moved to second
    place, and the bot's note and its edit still waiting in the outbox."""
    old = open_database(url)
    upgrade(old, [m for m in MIGRATIONS if m.version <= 18])
    p = old.param
    old.execute_sql("INSERT INTO pin (room_id, meeting_id, event_id, author, quote, at, notice_key) "
                    f"VALUES ({p}, 1, {p}, {p}, {p}, 5, {p})", ("!r:x", "$hurt", "@bob:x", "it hurt", "pin:!r:x:$hurt"))
    old.execute_sql("INSERT INTO rememberedmessage (key, room_id, event_id) "
                    f"VALUES ({p}, {p}, {p}), ({p}, {p}, {p})",
                    ("pin:!r:x:$hurt", "!r:x", "$note", "proposal:3", "!mods:x", "$proposal"))
    old.execute_sql("INSERT INTO stackentry (meeting_id, person_key, name, via, clarification, pinned, asked_at) "
                    f"VALUES (1, {p}, {p}, {p}, {p}, 2, 7)", ("@ann:x", "Ann", "command", False))
    for action in (Send("!r:x", NOTE, reply_to="$hurt", remember="pin:!r:x:$hurt"),
                   Edit("!r:x", "pin:!r:x:$hurt", DONE)):
        old.execute_sql("INSERT INTO outbox (kind, payload, created_at, state, attempts, next_try_at) "
                        f"VALUES ({p}, {p}, 9, 'pending', 0, 0)", dump(action))
    old.close()


def test_a_database_of_version_18_keeps_its_ouches_fixed_positions_and_waiting_edits(database_url):
    a_database_of_version_18(database_url)
    store = Store(database_url)
    assert [m.version for m in store.open()] == [m.version for m in MIGRATIONS if m.version >= 19]
    ouch_key = keys.ouch("!r:x", "$hurt")
    assert store.recall(ouch_key) == "$note" and store.recall("proposal:3") == "$proposal"
    assert store.culture.open_ouches("!r:x") == [Ouch(1, "!r:x", "$hurt", "@bob:x", "it hurt", 5, "$note")]
    assert [s.entry.fixed_position for s in store.meetings.waiting(1)] == [2]
    assert [a for _, a in store.pending_actions()] == [
        Send("!r:x", NOTE, reply_to="$hurt", remember=ouch_key), Edit("!r:x", ouch_key, DONE)]
    # The renamed table still numbers new ouches after the old ones, and moves still land.
    assert store.culture.keep_ouch("!r:x", 1, "$again", "@bob:x", "again", 11, keys.ouch("!r:x", "$again")).id == 2
    store.meetings.set_fixed_positions({store.meetings.waiting(1)[0].id: 1})
    assert [s.entry.fixed_position for s in store.meetings.waiting(1)] == [1]
    store.close()
