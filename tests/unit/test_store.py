import os
import stat

import pytest

from scorebot.domain.actions import Edit, React, Send, SendDirect
from scorebot.domain.text import Text, pill, plain
from scorebot.store import SchemaTooNew, Store, open_database
from scorebot.store.migrations import MIGRATIONS, Migration, current_version, upgrade
from scorebot.store.models import MODELS, HandledEvent


@pytest.fixture
def store(database_url):
    """Every test here runs on SQLite and on PostgreSQL (see `database_url`)."""
    store = Store(database_url)
    store.open()
    yield store
    store.close()


@pytest.fixture
def empty_twin(database_url, request, tmp_path) -> str:
    """A second empty database of the same kind as `database_url`."""
    if database_url.startswith("sqlite:///"):
        return f"sqlite:///{tmp_path / 'twin.db'}"
    return request.getfixturevalue("postgres").fresh_database()


def schema_of(db) -> dict:
    """What a database holds, as the database itself reports it: each table's columns (type,
    nullability, primary key) and indexes (name, columns, uniqueness)."""
    tables = {}
    for table in sorted(db.get_tables()):
        if table == "schema_version":
            continue
        columns = {(c.name, c.data_type.lower(), c.null, c.primary_key) for c in db.get_columns(table)}
        indexes = {(i.name, tuple(i.columns), i.unique) for i in db.get_indexes(table)}
        tables[table] = (columns, indexes)
    return tables


def test_the_chain_of_steps_builds_exactly_what_the_models_declare(database_url, empty_twin):
    """A new database runs every step from the frozen initial schema on; a second, empty database
    gets the tables straight from today's models. They must be the same, column for column and index
    for index, or a step is missing or wrong (on SQLite and on PostgreSQL)."""
    chained = Store(database_url)
    chained.open()
    declared = open_database(empty_twin)
    with declared.bind_ctx(MODELS):
        declared.create_tables(MODELS)
    assert current_version(chained.db) == MIGRATIONS[-1].version
    assert schema_of(chained.db) == schema_of(declared)
    chained.close()
    declared.close()


def test_an_older_database_runs_each_later_step_once_and_keeps_its_data(database_url):
    """A database at the initial version meets a scorebot with one more step: the step runs, in its
    own transaction, is recorded, and the data stays."""
    old = open_database(database_url)
    upgrade(old)
    old.execute_sql("INSERT INTO mark (name, value) VALUES ('sync_token', 's42')")

    def add_a_column(db):
        db.execute_sql("ALTER TABLE mark ADD COLUMN note TEXT")

    later = [*MIGRATIONS, Migration(MIGRATIONS[-1].version + 1, "a note on each mark", add_a_column)]
    applied = upgrade(old, later)
    assert [m.description for m in applied] == ["a note on each mark"]
    assert "note" in {c.name for c in old.get_columns("mark")}
    assert upgrade(old, later) == []  # a second start applies nothing
    assert current_version(old) == later[-1].version
    old.close()

    store = Store(database_url)
    with pytest.raises(SchemaTooNew):  # this code stops at the version before: it refuses, and keeps it
        store.open()
    store.close()
    kept = open_database(database_url)
    assert kept.execute_sql("SELECT value FROM mark WHERE name = 'sync_token'").fetchone()[0] == "s42"
    kept.close()


def test_a_new_database_runs_every_step_once(database_url):
    store = Store(database_url)
    assert [m.version for m in store.open()] == [m.version for m in MIGRATIONS]
    assert store.open() == []
    store.set_direct_chat("@u:x", "!dm:x")
    assert store.direct_chat("@u:x") == "!dm:x"
    store.close()


def test_a_database_newer_than_the_code_is_refused(database_url):
    store = Store(database_url)
    store.open()
    store.db.execute_sql("INSERT INTO schema_version (version, description, applied_at) VALUES (999, 'future', 0)")
    store.close()
    with pytest.raises(SchemaTooNew, match="999"):
        Store(database_url).open()


def test_sqlite_file_is_private_and_in_wal_mode(tmp_path):
    path = tmp_path / "data" / "scorebot.db"
    store = Store(f"sqlite:///{path}")
    store.open()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert store.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_outbox_keeps_actions_in_order_until_done(store):
    actions = [Send("!r:x", pill("@a:x", "Ann") + plain(" hi"), reply_to="$e", remember="board"),
               React("!r:x", "$e", "✅"), SendDirect("@a:x", Text("p", "<b>p</b>")),
               Edit("!r:x", "board", plain("new"))]
    ids = store.enqueue(actions, "$e")
    assert store.pending_actions() == list(zip(ids, actions, strict=True))
    store.action_done(ids[0], "$sent")
    store.action_failed(ids[1], "M_FORBIDDEN")
    assert [a for _, a in store.pending_actions()] == actions[2:]


def test_an_action_that_went_out_keeps_no_body(store):
    secret = "she followed me home"
    sent, failed = store.enqueue([SendDirect("@a:x", plain(f"About your report: {secret}")),
                                  Send("!igo:x", plain(f"The reporter adds: {secret}"))])
    store.action_done(sent, "$sent")
    store.action_failed(failed, "M_FORBIDDEN")
    dump = "\n".join(str(row) for row in store.db.execute_sql("SELECT * FROM outbox").fetchall())
    assert "$sent" in dump and "M_FORBIDDEN" in dump and secret not in dump


def test_handled_events_and_remembered_messages(store):
    assert not store.was_handled("$e")
    store.note_handled("$e", "!r:x")
    store.note_handled("$e", "!r:x")
    assert store.was_handled("$e")
    store.remember("board", "!r:x", "$b1")
    store.remember("board", "!r:x", "$b2")
    assert store.recall("board") == "$b2"
    assert store.recall("nothing") is None


async def test_run_commits_or_rolls_back_as_one(store):
    def fails():
        store.set_sync_token("lost")
        raise RuntimeError("no")

    await store.run(store.set_sync_token, "kept")
    with pytest.raises(RuntimeError):
        await store.run(fails)
    assert await store.run(store.sync_token) == "kept"


def test_storage_stays_bounded(store):
    day = 24 * 3600 * 1000
    now = 20_000 * 60_000
    store.note_handled("$e0", "!r:x")
    store.db.execute_sql(f"UPDATE handledevent SET handled_at = {store.db.param}", (now,))
    with store.db.atomic():  # one handled event every minute before it, about two weeks of them
        HandledEvent.insert_many([{"event_id": f"$e{n}", "room_id": "!r:x", "handled_at": now - n * 60_000}
                                  for n in range(1, 20_000)]).execute()
    [sent, waiting] = store.enqueue([React("!r:x", "$e", "✅"), React("!r:x", "$f", "✅")])
    store.action_done(sent, "$r")
    store.db.execute_sql("UPDATE outbox SET created_at = 0")
    marks, actions = store.prune(now - 7 * day)
    kept = store.db.execute_sql("SELECT COUNT(*) FROM handledevent").fetchone()[0]
    assert kept == 7 * 24 * 60 + 1 and marks == 20_000 - kept  # a week's worth, to the minute
    assert actions == 1 and [row.id for row in store.pending_rows()] == [waiting]  # pending is never forgotten
    assert store.was_handled("$e0") and not store.was_handled("$e19999")


def test_the_outbox_decodes_only_what_it_has_not_read_yet(store):
    first, second = store.enqueue([React("!r:x", "$e", "✅"), React("!r:y", "$f", "✅")])
    read = {row.id: row.action for row in store.pending_rows()}
    store.action_done(first, "$sent")
    [third] = store.enqueue([React("!r:x", "$g", "👀")])
    rows = store.pending_rows(read)
    assert [row.id for row in rows] == [second, third]
    assert rows[0].action is read[second]  # as read before, not decoded again
    assert rows[1].action == React("!r:x", "$g", "👀")


def test_a_database_of_version_14_gains_who_left_a_meeting_and_their_name(database_url):
    """Version 16 on a database made before it: the attendance table gets `left_at` and `name`,
    and the attendance already kept stays."""
    old = open_database(database_url)
    upgrade(old, MIGRATIONS[:1])
    old.execute_sql("INSERT INTO meetingattendance (meeting_id, user_id, at) VALUES (1, '@ann:x', 5)")
    applied = [m.version for m in upgrade(old)]
    assert 16 in applied and applied == [m.version for m in MIGRATIONS[1:]]
    assert {"left_at", "name"} <= {c.name for c in old.get_columns("meetingattendance")}
    assert old.execute_sql("SELECT user_id, left_at FROM meetingattendance").fetchall() == [("@ann:x", None)]
    old.close()


def test_a_database_of_version_17_keeps_its_sync_position_and_report_rooms_as_marks(database_url):
    """Version 18 renames the setting table mark: a bot upgraded mid-life resumes from the same sync
    position and still knows the rooms it made for reports."""
    old = open_database(database_url)
    upgrade(old, [m for m in MIGRATIONS if m.version <= 17])
    old.execute_sql("INSERT INTO setting (key, value) VALUES ('sync_token', 's42'), ('report-room:7', '!rep:x')")
    old.close()
    store = Store(database_url)
    assert [m.version for m in store.open()] == [m.version for m in MIGRATIONS if m.version >= 18]
    assert store.sync_token() == "s42"
    assert store.is_confidential_room("!rep:x") and not store.is_confidential_room("!other:x")
    store.close()
