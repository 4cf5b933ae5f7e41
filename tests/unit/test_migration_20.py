"""Step 20: a reaction waiting in the outbox keeps its emoji as `emoji`, no longer `key`: a bot
upgraded with ✅s still to put puts them."""

import json

from scorebot.domain.actions import React
from scorebot.store import Store, open_database
from scorebot.store.migrations import MIGRATIONS, upgrade

WAITING = [  # as version 19 wrote them: a ✅ on a hand, and the ✅ under a proposal found by its key
    {"room_id": "!r:x", "event_id": "$hand", "key": "✅", "remember": None, "target_key": None},
    {"room_id": "!mods:x", "event_id": None, "key": "✅", "remember": None, "target_key": "proposal:3"},
]


def test_reactions_waiting_in_a_database_of_version_19_go_out_after_the_upgrade(database_url):
    old = open_database(database_url)
    upgrade(old, [m for m in MIGRATIONS if m.version <= 19])
    p = old.param
    for payload in WAITING:
        old.execute_sql("INSERT INTO outbox (kind, payload, created_at, state, attempts, next_try_at) "
                        f"VALUES ({p}, {p}, 9, 'pending', 0, 0)", ("React", json.dumps(payload, ensure_ascii=False)))
    old.close()
    store = Store(database_url)
    assert [m.version for m in store.open()] == [m.version for m in MIGRATIONS if m.version >= 20]
    assert [a for _, a in store.pending_actions()] == [React("!r:x", "$hand", "✅"),
                                                       React("!mods:x", None, "✅", target_key="proposal:3")]
    store.close()
