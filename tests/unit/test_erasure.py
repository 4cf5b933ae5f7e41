"""Deleted means deleted on disk: once a confidential text has gone out, no file in data/ holds it
(the WAL included), while other sends leave SQLite to checkpoint when it likes."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorebot.domain import keys
from scorebot.domain.actions import Send, SendDirect
from scorebot.domain.text import plain
from scorebot.store import Store
from scorebot.store.marks import marks


def on_disk(folder: Path, words: str) -> list[str]:
    files = [path for path in folder.iterdir() if path.is_file()]
    assert any(path.name == "scorebot.db" for path in files), files
    return [path.name for path in files if words.encode() in path.read_bytes()]


@pytest.fixture
async def on_disk_store(tmp_path):
    """The store in the bot's own layout: data/scorebot.db, with its WAL beside it."""
    store = Store(f"sqlite:///{tmp_path / 'data' / 'scorebot.db'}")
    await store.run(store.open)
    yield store, tmp_path / "data"
    store.close()


async def test_a_confidential_text_that_went_out_leaves_no_copy_in_data(on_disk_store):
    store, data = on_disk_store
    answer = "From the grievance officers: we spoke with her on 12 May"
    evidence = "Evidence: she posted my home address, 12 Elm Street"
    shared = "The meeting starts at seven, all welcome"
    ids = await store.run(store.enqueue, [SendDirect("@rita:example.org", plain(answer)),
                                          Send("!igo:example.org", plain(evidence), thread_key="report:3"),
                                          Send("!room:example.org", plain(shared))])
    assert on_disk(data, answer) and on_disk(data, evidence)  # waiting to go out: kept
    for action_id in ids:
        await store.run(store.action_done, action_id, "$sent")
    assert on_disk(data, answer) == on_disk(data, evidence) == []


async def test_words_held_for_which_one_leave_no_copy_once_passed_on(on_disk_store):
    """A direct chat's message waiting for "which conversation?" is kept in a mark until answered."""
    store, data = on_disk_store
    words = "He followed me home after the meeting on Tuesday"
    waiting = keys.held_words("!dm:example.org")
    await store.run(marks.set, waiting, words)
    assert on_disk(data, words)
    await store.run(marks.forget, waiting)
    assert on_disk(data, words) == []
    assert await store.run(marks.get, waiting) is None
