"""The whole runtime in-process, against a fake homeserver: first start, replays, gaps, invites."""

import asyncio
import subprocess
import sys

import pytest
import yaml

from scorebot.config import load_config
from scorebot.features import all_features
from scorebot.matrix.executor import IN_FLIGHT
from scorebot.matrix.runtime import Runtime
from scorebot.matrix.sync import SyncLoop
from scorebot.matrix.timelines import Timelines
from tests.support.fake_homeserver import BOT, FakeClient, FakeHomeserver

ORG, DM = "!org:fake", "!dm:fake"
BOB = "@bob:fake"


def fake_bot(tmp_path, server: FakeHomeserver | None = None, **config) -> tuple[FakeHomeserver, Runtime]:
    """The real runtime, its client talking to an in-process fake homeserver (a new one, or `server`
    again to restart the bot)."""
    path = tmp_path / "config.yaml"
    connection = {"sync_timeout": 1, "timer_interval": 0.2, **config.pop("connection", {})}
    path.write_text(yaml.safe_dump({"homeserver": "http://fake.invalid", "user_id": BOT, "access_token": "token",
                                    "rooms": {"organizing": [ORG]}, "connection": connection, **config}))
    loaded = load_config(path, environ={})
    server = server or FakeHomeserver()

    async def connect(_config):
        return FakeClient(server)

    async def no_identity(_config, _client):
        return None

    return server, Runtime(loaded, all_features(loaded), connect=connect, prove_identity=no_identity,
                           read_reports=False)


@pytest.fixture
async def bot(tmp_path):
    server, runtime = fake_bot(tmp_path)
    yield server, runtime
    runtime.stop()


async def start(runtime: Runtime) -> asyncio.Task:
    task = asyncio.create_task(runtime.run())
    await asyncio.wait_for(runtime.ready.wait(), 5)
    return task


def replies_to(server: FakeHomeserver, event_id: str) -> list:
    return [r for r in server.sent() if (r.body.get("m.relates_to") or {}).get("m.in_reply_to", {})
            .get("event_id") == event_id]


async def test_the_first_start_acts_on_no_history_and_each_command_is_answered_once(bot):
    server, runtime = bot
    old = server.message(BOB, "!help", 20)
    server.deliver(join={ORG: [server.member(BOT, "join", 10), server.member(BOB, "join", 11), old]})
    task = await start(runtime)
    new = server.message(BOB, "!help", 30)
    server.deliver(join={ORG: [new]})
    await server.wait_for(lambda: replies_to(server, new["event_id"]))
    server.deliver(join={ORG: [new]})  # the same event again, as after a crash before the position was saved
    marker = server.message(BOB, "!help", 40)
    server.deliver(join={ORG: [marker]})
    await server.wait_for(lambda: replies_to(server, marker["event_id"]))
    assert len(replies_to(server, new["event_id"])) == 1
    assert replies_to(server, old["event_id"]) == []  # history from before the first start
    runtime.stop()
    await task


async def test_a_gap_is_filled_and_answered_in_order(bot):
    server, runtime = bot
    server.deliver(join={ORG: [server.member(BOT, "join", 10), server.member(BOB, "join", 11)]})
    task = await start(runtime)
    missed = [server.message(BOB, "!help", 20 + n) for n in range(3)]
    latest = server.message(BOB, "!help", 30)
    server.deliver(join={ORG: [latest]}, limited={ORG: missed})
    await server.wait_for(lambda: replies_to(server, latest["event_id"]))
    order = [r.body["m.relates_to"]["m.in_reply_to"]["event_id"] for r in server.sent(ORG)]
    assert order == [e["event_id"] for e in [*missed, latest]]  # every one, once, oldest first
    assert any("/rooms/!org:fake/messages" in r.path for r in server.requests)
    runtime.stop()
    await task


async def test_events_before_the_bots_own_join_are_not_acted_on(bot):
    server, runtime = bot
    server.deliver(join={ORG: [server.member(BOT, "join", 10)]})
    task = await start(runtime)
    before = server.message(BOB, "!help", 50)
    after = server.message(BOB, "!help", 70)
    server.deliver(join={ORG: [before, server.member(BOT, "leave", 55), server.member(BOT, "join", 60), after]})
    await server.wait_for(lambda: replies_to(server, after["event_id"]))
    assert replies_to(server, before["event_id"]) == []  # said while the bot was out of the room
    runtime.stop()
    await task


async def test_the_first_sync_is_asked_for_before_the_identity_check_ends(tmp_path):
    """The first sync is a start's longest wait: the homeserver prepares it while the bot proves
    its identity and loads its parts. An identity check that waits for the sync request would wait
    forever if the bot asked for the sync only after it."""
    server, runtime = fake_bot(tmp_path)
    order = []

    async def identity_after_sync_request(_config, _client):
        await server.wait_for(lambda: any(r.path.endswith("/sync") for r in server.requests))
        order.append("identity proven")

    runtime._prove_identity = identity_after_sync_request
    server.deliver(join={ORG: [server.member(BOT, "join", 10), server.member(BOB, "join", 11)]})
    task = await start(runtime)
    assert order == ["identity proven"]
    asked = server.message(BOB, "!help", 30)
    server.deliver(join={ORG: [asked]})
    await server.wait_for(lambda: replies_to(server, asked["event_id"]))
    runtime.stop()
    await task


# Run in a fresh interpreter, so that what is loaded when the first sync is asked for is the
# runtime's doing alone. The bot then starts as usual and answers.
ASKED_BEFORE_LOADING = """
import asyncio, sys
from pathlib import Path
import yaml
from scorebot.config import load_config
import scorebot.matrix.runtime as runtime
from tests.support.fake_homeserver import BOT, FakeClient, FakeHomeserver

loaded_at_ask = []
asking = runtime.request_sync

def request_sync(*args, **kwargs):
    loaded_at_ask.append(sorted(m for m in sys.modules if m.startswith("scorebot.")))
    return asking(*args, **kwargs)

async def main(folder):
    runtime.request_sync = request_sync
    (folder / "config.yaml").write_text(yaml.safe_dump({
        "homeserver": "http://fake.invalid", "user_id": BOT, "access_token": "token",
        "rooms": {"organizing": ["!org:fake"]}, "connection": {"sync_timeout": 1}}))
    server = FakeHomeserver()

    async def connect(_config):
        return FakeClient(server)

    async def no_identity(_config, _client):
        return None

    # Every feature, set up from the config, as `scorebot run` does.
    bot = runtime.Runtime(load_config(folder / "config.yaml", environ={}), None, connect=connect,
                          prove_identity=no_identity, read_reports=False)
    server.deliver(join={"!org:fake": [server.member(BOT, "join", 10), server.member("@bob:fake", "join", 11)]})
    task = asyncio.create_task(bot.run())
    await asyncio.wait_for(bot.ready.wait(), 20)
    asked = server.message("@bob:fake", "!help", 30)
    server.deliver(join={"!org:fake": [asked]})
    await server.wait_for(lambda: any(r.body.get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
                                      == asked["event_id"] for r in server.sent()))
    bot.stop()
    await task
    print(" ".join(loaded_at_ask[0]))

asyncio.run(main(Path(sys.argv[1])))
"""


def test_the_first_sync_is_asked_for_before_the_features_and_their_records_load(tmp_path):
    """Building the features' classes is most of a start's own work: it happens while the
    homeserver prepares the first sync, so the ask must come first."""
    loaded = subprocess.run([sys.executable, "-c", ASKED_BEFORE_LOADING, str(tmp_path)], capture_output=True,
                            text=True, check=True, timeout=60).stdout.split()
    assert "scorebot.store" in loaded and "scorebot.config" in loaded  # the sync position and the login
    early = [m for m in loaded if m.startswith(("scorebot.features", "scorebot.dispatch", "scorebot.store.meetings",
                                                "scorebot.domain.signals", "scorebot.domain.actions"))]
    assert early == []


async def test_a_direct_chat_waiting_at_the_very_first_start_is_accepted(bot):
    server, runtime = bot
    invite = {"type": "m.room.member", "state_key": BOT, "sender": BOB,
              "content": {"membership": "invite", "is_direct": True}}
    org_invite = {**invite, "sender": "@alice:fake", "content": {"membership": "invite"}}
    server.deliver(invite={ORG: [org_invite], DM: [invite]})
    task = await start(runtime)
    await server.wait_for(lambda: any(r.path.endswith(f"/join/{ORG}") for r in server.requests))
    assert not any(r.path.endswith(f"/join/{DM}") for r in server.requests)  # bob is not known yet
    server.deliver(join={ORG: [server.member(BOT, "join", 10), server.member(BOB, "join", 11)]})
    await server.wait_for(lambda: any(r.path.endswith(f"/join/{DM}") for r in server.requests))
    assert runtime.store.direct_chat(BOB) == DM
    await server.wait_for(lambda: runtime.store.outbox_depth() == 0)  # one query: consistent while it sends
    assert len([r for r in server.requests if r.path.endswith(f"/join/{ORG}")]) == 1  # the invite's join only
    runtime.stop()
    await task


async def test_health_and_metrics_follow_the_bot(tmp_path):
    import socket

    import aiohttp
    from prometheus_client.parser import text_string_to_metric_families

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server, runtime = fake_bot(tmp_path, connection={"max_retry_wait": 0.2},
                               metrics={"listen": f"127.0.0.1:{port}", "stale_after": 0.5})
    server.deliver(join={ORG: [server.member(BOT, "join", 10), server.member(BOB, "join", 11)]})
    task = await start(runtime)
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        async def health() -> int:
            async with http.get(f"{base}/healthz") as answer:
                return answer.status

        asked = server.message(BOB, "!help", 20)
        server.deliver(join={ORG: [asked]})
        await server.wait_for(lambda: replies_to(server, asked["event_id"]))
        assert await health() == 200
        async with http.get(f"{base}/metrics") as answer:
            families = {f.name: f for f in text_string_to_metric_families(await answer.text())}
        handled = {s.labels.get("kind"): s.value for s in families["scorebot_events_handled"].samples
                   if s.name.endswith("_total")}
        sent = {s.labels.get("outcome"): s.value for s in families["scorebot_actions"].samples
                if s.name.endswith("_total")}
        assert handled.get("Message", 0) >= 1 and sent.get("sent", 0) >= 1
        assert all(not any(v.startswith(("@", "!", "$")) for v in s.labels.values())
                   for f in families.values() for s in f.samples)  # no person, room or message in a label

        def syncs(status: int | None = None) -> int:
            return sum(1 for r in server.requests if r.path.endswith("/sync") and status in (None, r.status))

        server.down = True
        # Two failed syncs in a row are at least a second apart (the first pause), past stale_after.
        await server.wait_for(lambda: syncs(502) >= 2)
        assert await health() == 503
        server.down = False
        back = syncs()
        # The sync loop is sequential: a second sync after the return means the first was handled.
        await server.wait_for(lambda: syncs() >= back + 2, timeout=10)
        assert await health() == 200
    runtime.stop()
    await task


async def test_a_catch_up_answers_while_it_is_still_reading_each_room_in_order_each_once(tmp_path, monkeypatch):
    rooms = [f"!r{n}:fake" for n in range(5)]
    server, runtime = fake_bot(tmp_path, rooms={"organizing": rooms})
    server.deliver(join={room: [server.member(BOT, "join", 10), server.member(BOB, "join", 11)] for room in rooms})
    task = await start(runtime)
    runtime.stop()
    await task

    # While the bot was down: 300 commands over five rooms, all in the first sync after the restart.
    missed = {room: [server.message(BOB, "!help", 100 + n) for n in range(60)] for room in rooms}
    server.deliver(join=missed)
    last = missed[rooms[-1]][-1]["event_id"]
    at_first_answer: list[tuple[bool, bool]] = []
    handled: list[str] = []
    signal_of = SyncLoop._signal_of

    async def recorded(loop, room_id, event, views):
        handled.append(room_id)
        return await signal_of(loop, room_id, event, views)

    monkeypatch.setattr(SyncLoop, "_signal_of", recorded)
    _, restarted = fake_bot(tmp_path, server, rooms={"organizing": rooms})
    server.on_send = lambda: at_first_answer or at_first_answer.append(
        (restarted.store.was_handled(last), all(restarted.store.was_handled(missed[room][0]["event_id"])
                                                for room in rooms)))
    task = asyncio.create_task(restarted.run())
    await server.wait_for(lambda: len(server.sent()) == 300, timeout=60)
    # The first answer went out before the backlog was read, and every room's first answer was
    # decided by then: they go out together, not one by one.
    assert at_first_answer == [(False, True)]
    assert handled[:5] == rooms  # the rooms' backlogs are read side by side, in the order things were said
    for room in rooms:
        answered = [r.body["m.relates_to"]["m.in_reply_to"]["event_id"] for r in server.sent(room)]
        assert answered == [e["event_id"] for e in missed[room]]  # in the order asked, each once
    restarted.stop()
    await task


async def test_after_downtime_in_many_rooms_the_gaps_are_fetched_a_few_at_a_time(tmp_path, monkeypatch):
    """Side by side, but never more requests at once than the outbox makes (the homeserver's limits)."""
    rooms = [f"!r{n}:fake" for n in range(3 * IN_FLIGHT)]
    server, runtime = fake_bot(tmp_path, rooms={"organizing": rooms})
    server.deliver(join={room: [server.member(BOT, "join", 10), server.member(BOB, "join", 11)] for room in rooms})
    task = await start(runtime)
    runtime.stop()
    await task

    fetching, most = 0, 0
    fill_gap = Timelines.fill_gap

    async def counted(timelines, room_id, prev_batch, since):
        nonlocal fetching, most
        fetching += 1
        most = max(most, fetching)
        for _ in range(3):  # let every other room's fetch start, if nothing holds it back
            await asyncio.sleep(0)
        try:
            return await fill_gap(timelines, room_id, prev_batch, since)
        finally:
            fetching -= 1

    monkeypatch.setattr(Timelines, "fill_gap", counted)
    asked = {room: server.message(BOB, "!help", 100) for room in rooms}
    server.deliver(join={room: [server.message(BOB, "!help", 101)] for room in rooms},
                   limited={room: [asked[room]] for room in rooms})
    _, restarted = fake_bot(tmp_path, server, rooms={"organizing": rooms})
    task = asyncio.create_task(restarted.run())
    await server.wait_for(lambda: all(replies_to(server, asked[room]["event_id"]) for room in rooms), timeout=30)
    assert 1 < most <= IN_FLIGHT  # side by side, and bounded
    restarted.stop()
    await task


async def test_a_sync_holding_only_the_bots_own_answers_asks_the_database_nothing_about_rooms(bot):
    """While the bot answers a catch-up, most syncs bring back only its own answers: there is
    nothing to act on, so no look at when it joined those rooms."""
    server, runtime = bot
    server.deliver(join={ORG: [server.member(BOT, "join", 10), server.member(BOB, "join", 11)]})
    task = await start(runtime)
    looks: list[list[str]] = []
    joined_times = runtime.store.joined_times

    def counted(room_ids):
        looks.append(room_ids)
        return joined_times(room_ids)

    runtime.store.joined_times = counted
    server.deliver(join={ORG: [server.message(BOT, "an answer the bot sent", 20)]})
    asked = server.message(BOB, "!help", 30)
    server.deliver(join={ORG: [asked]})
    await server.wait_for(lambda: replies_to(server, asked["event_id"]))
    assert looks == [[ORG]]  # only for the sync with Bob's command
    runtime.stop()
    await task
