"""What facilitators run a meeting with, on a real homeserver: typed requests, "you're next", a
member's step back, and an agenda with timeboxes."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import time
from pathlib import Path

import aiohttp

from tests.conftest import World
from tests.support.browser import png_size
from tests.support.live_browser import LivePage
from tests.support.meetings import name, organizing, queue, speaker, start_meeting
from tests.support.paths import DOCS

FAST_TIMERS = {"sync_timeout": 5, "max_retry_wait": 1, "timer_interval": 0.3}


def mentions(seen) -> list[str]:
    return (seen.content.get("m.mentions") or {}).get("user_ids", [])


async def test_responses_and_points_of_process_take_their_place_and_the_next_speaker_is_told(world: World):
    alice, members, room, _ = await organizing(world, "bob", "carol", "dave", "erin", "frank")
    bob, carol, dave, erin, frank = members
    bot_id = world.bot_user.user_id
    await start_meeting(alice, room, bot_id)
    for member in (bob, carol, dave):
        await member.send(room, "✋")
    await alice.board_shows(room, bot_id, lambda board: queue(board) == [name(bob), name(carol), name(dave)])

    called = await alice.send(room, "!next")
    floor = await alice.wait_for(lambda s: s.sender == bot_id and "you have the floor" in s.body, what="the floor")
    assert floor.body == f"🎤 {name(bob)}, you have the floor. Next: {name(carol)}, get ready."
    assert carol.user_id in mentions(floor)  # the one after is notified
    assert called
    await alice.board_shows(room, bot_id, lambda board: speaker(board) == name(bob))

    responding = await erin.send(room, "!respond")
    await alice.checked(room, bot_id, responding)
    second = await frank.send(room, "!respond")
    answer = await frank.reply_to(room, second, bot_id)
    assert "ordinary hand" in answer.body
    board = await alice.board_shows(room, bot_id, lambda board: len(queue(board)) == 4)
    assert queue(board) == [f"↩️ {name(erin)} (direct response)", name(carol), name(dave), name(frank)]

    process = await carol.send(room, "!process we are over time")
    told = await alice.wait_for(lambda s: s.sender == bot_id and "point of process" in s.body
                                and s.room_id == room and "📋" not in s.body, what="the facilitator told")
    assert alice.user_id in mentions(told)
    await alice.checked(room, bot_id, process)
    board = await alice.board_shows(room, bot_id, lambda board: len(queue(board)) == 5)
    assert queue(board) == [f"⚙️ {name(carol)} (point of process: we are over time)",
                            f"↩️ {name(erin)} (direct response)", name(carol), name(dave), name(frank)]

    stepping = await carol.send(room, "!stack step-back")  # Carol lets Dave go first
    await alice.checked(room, bot_id, stepping)
    board = await alice.board_shows(room, bot_id, lambda board: queue(board)[2:] == [name(dave), name(carol),
                                                                                    name(frank)])
    last = await frank.send(room, "!stack step-back")  # nobody is after Frank: nothing moves
    answer = await frank.reply_to(room, last, bot_id)
    assert "Nobody is after you" in answer.body
    assert queue(alice.board(room, bot_id)[1]) == queue(board)

    before = len([s for s in alice.notices(room, bot_id) if "you have the floor" in s.body])
    await alice.send(room, "!next")
    await alice.wait_until(lambda: len([s for s in alice.notices(room, bot_id) if "you have the floor" in s.body])
                           > before, what="the floor again")
    floor = [s for s in alice.notices(room, bot_id) if "you have the floor" in s.body][-1]
    assert floor.body.startswith(f"🎤 {name(carol)}, you have the floor.")  # the point of process goes first
    assert floor.body.endswith(f"Next: {name(erin)}, get ready.") and erin.user_id in mentions(floor)


async def test_an_agenda_with_timeboxes_runs_the_meeting_and_groups_the_minutes(world: World):
    alice, (bob, carol, dave), room, _ = await organizing(world, "bob", "carol", "dave", connection=FAST_TIMERS)
    bot_id = world.bot_user.user_id
    await alice.send(room, "!meeting start Spring\nBudget 10m\nVenue 2s\nWrap-up 5m")
    await alice.board_shows(room, bot_id, lambda board: "📌 Now: Budget (10 min left)" in board)
    shown = await alice.send(room, "!agenda")
    agenda = await alice.reply_to(room, shown, bot_id)
    assert agenda.body == "📌 Agenda\n1. Budget · 10 min · now\n2. Venue · 2 s\n3. Wrap-up · 5 min"

    await bob.send(room, "✋")
    await carol.send(room, "stack")
    await alice.board_shows(room, bot_id, lambda board: queue(board) == [name(bob), name(carol)])
    await alice.send(room, "!next")
    await alice.board_shows(room, bot_id, lambda board: speaker(board) == name(bob))
    await alice.send(room, "!decision We rent the hall")
    await alice.send(room, "!done")
    await alice.board_shows(room, bot_id, lambda board: speaker(board) is None)

    await alice.send(room, "!agenda next")
    moved = await alice.wait_for(lambda s: s.sender == bot_id and s.body.startswith("📌 Item 2"), what="item 2")
    assert moved.body.startswith(f"📌 Item 2: Venue (2 s). Still waiting when it closed: {name(carol)}.")
    await alice.board_shows(room, bot_id, lambda board: "📌 Now: Venue" in board and queue(board) == [])

    def told(seen) -> bool:
        return seen.sender == bot_id and "is up. Move on" in seen.body

    overtime = await alice.wait_for(told, timeout=20, what="the box running out")
    assert overtime.body.startswith(f"{name(alice)}: the time for “Venue” is up.")
    assert alice.user_id in mentions(overtime)
    await dave.send(room, "✋")
    await alice.board_shows(room, bot_id, lambda board: queue(board) == [name(dave)])
    await asyncio.sleep(1.5)  # five more timer rounds pass: the facilitator is told once only
    assert len([s for s in alice.notices(room, bot_id) if told(s)]) == 1

    await alice.send(room, "!agenda next keep")
    kept = await alice.wait_for(lambda s: s.sender == bot_id and s.body.startswith("📌 Item 3"), what="item 3")
    assert kept.body == f"📌 Item 3: Wrap-up (5 min). The stack carries over: {name(dave)}."
    await alice.board_shows(room, bot_id, lambda board: "📌 Now: Wrap-up" in board and queue(board) == [name(dave)])
    await alice.send(room, "!next")
    await alice.board_shows(room, bot_id, lambda board: speaker(board) == name(dave))
    await alice.send(room, "!meeting end")
    minutes = await alice.wait_for(lambda s: s.sender == bot_id and s.body.startswith("# Minutes"), what="minutes")
    part = minutes.body.split("## Agenda\n")[1].split("## Speakers")[0]
    items = [block.splitlines() for block in part.strip().split("\n\n")]
    assert items[0][0].startswith("### 1. Budget (timebox 10 min, took ")
    assert [row.split(",")[0] for row in items[0][1:]] == [f"- Spoke: {name(bob)}", "- Decision: We rent the hall"]
    assert items[1] == [items[1][0]] and items[1][0].startswith("### 2. Venue (timebox 2 s, took ")
    assert items[2][0] == "### 3. Wrap-up (timebox 5 min, open when the meeting ended)"
    assert [row.split(",")[0] for row in items[2][1:]] == [f"- Spoke: {name(dave)}"]


async def test_a_vote_with_fewer_members_present_than_the_quorum_does_not_pass(world: World):
    alice, (bob, carol, _), room, _ = await organizing(world, "bob", "carol", "dave", voting={"meeting_quorum": 4})
    bot_id = world.bot_user.user_id
    direct = await bob.open_direct_chat(bot_id)
    proposed = await bob.send(direct, "!revision propose Add a section on quiet hours.")
    assert "Your proposal is #1" in (await bob.reply_to(direct, proposed, bot_id, timeout=30)).body
    await start_meeting(alice, room, bot_id, "Revisions")
    for member in (alice, bob, carol):  # three of the four eligible members are here; Dave is not
        here = await member.send(room, "!here")
        await alice.checked(room, bot_id, here)
    await alice.send(room, "!revision vote 1")
    vote = await alice.wait_for(lambda s: s.sender == bot_id and "Vote in this meeting on revision #1" in s.body,
                                what="the vote")
    for member in (alice, bob, carol):
        await member.react(room, vote.event_id, "✅")
    marker = await alice.send(room, "!agenda")  # everything before it has been handled
    await alice.reply_to(room, marker, bot_id)
    count = await alice.send(room, "!revision count 1")
    counted = (await alice.reply_to(room, count, bot_id)).body
    assert "yes 3, no 0, with 3 eligible members present" in counted
    assert "quorum for this vote is 4 eligible members present, so it does not pass" in counted
    listed = await alice.send(room, "!revision list")
    assert (await alice.reply_to(room, listed, bot_id)).body.startswith("#1 · submitted ·")  # no ballot opened


def page_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_live_board_follows_the_meeting_in_a_browser_and_dies_with_it(world: World, tmp_path):
    listen = f"127.0.0.1:{free_port()}"
    alice, (bob, carol, dave), room, _ = await organizing(world, "bob", "carol", "dave", board={"listen": listen})
    bot_id = world.bot_user.user_id
    direct = await dave.open_direct_chat(bot_id)
    declared = await dave.send(direct, "priority on")
    await dave.reply_to(direct, declared, bot_id, timeout=30)
    await alice.send(room, "!meeting start Spring\nBudget 10m\nVenue 5m")
    await alice.board_shows(room, bot_id, lambda board: "Stack · Spring" in board)
    for member in (bob, carol, dave):
        await member.send(room, "✋")
    await alice.board_shows(room, bot_id, lambda board: len(queue(board)) == 3)
    await alice.send(room, "!next")
    await alice.board_shows(room, bot_id, lambda board: speaker(board) == name(bob))
    await alice.send(room, "!respond")
    board = await alice.board_shows(room, bot_id, lambda board: len(queue(board)) == 3 and "↩️" in board)

    asked = await alice.send(room, "!board link")
    answer = (await alice.reply_to(room, asked, bot_id)).body
    link = re.search(r"http://\S+", answer).group(0)
    assert link.startswith(f"http://{listen}/board/") and len(link.rsplit("/", 1)[1]) >= 32
    refused = await bob.send(room, "!board link")  # only a facilitator gets it
    assert "only the meeting's facilitators" in (await bob.reply_to(room, refused, bot_id)).body

    browser = await LivePage().open(link)
    world.cleanups.append(browser.close)
    shown = await browser.wait_until(lambda text: name(bob) in text and name(dave) in text, what="the speaker")
    lines = page_lines(shown)
    assert lines[lines.index("🎤 Speaking") + 1] == name(bob)
    assert "📌 Budget" in shown and re.search(r"\d+:\d\d left", shown)
    assert f"↩️ {name(alice)} (direct response)" in lines  # each entry's kind, in words
    assert [line for line in lines if line in queue(board)] == queue(board)  # the room's board's queue, in order
    assert "priority" not in shown.lower() and "priority" not in (await browser.evaluate(
        "document.documentElement.outerHTML")).lower()
    await browser.evaluate("window.notReloaded = true")
    await screenshot(browser, tmp_path, "projector-board")

    await alice.send(room, "!next")
    floor = await alice.wait_for(lambda s: s.sender == bot_id and s.body.startswith(f"🎤 {name(alice)}"),
                                 what="Alice's direct response")
    assert floor
    seen_at = time.monotonic()
    shown = await browser.wait_until(lambda text: f"🎤 Speaking\n{name(alice)}" in "\n".join(page_lines(text)),
                                     timeout=5, what="the new speaker")
    assert time.monotonic() - seen_at <= 1.0, "the page took more than a second to follow"
    assert await browser.evaluate("window.notReloaded") is True
    assert page_lines(shown)[-2:] == [name(carol), name(dave)]  # the queue moved up too

    await alice.send(room, "!meeting end")
    await alice.wait_for(lambda s: s.sender == bot_id and s.body.startswith("# Minutes"), what="the minutes")
    await browser.wait_until(lambda text: "The meeting has ended." in text, what="the page to say it ended")
    async with aiohttp.ClientSession() as session:
        for url in (link, link + "/events", f"http://{listen}/board/not-a-token"):
            async with session.get(url) as response:
                assert response.status == 404, url


async def screenshot(browser: LivePage, folder: Path, name: str) -> None:
    """Kept in docs/screenshots/ for the guides; refreshed with SCOREBOT_UPDATE_SCREENSHOTS=1."""
    picture = folder / f"{name}.png"
    picture.write_bytes(await browser.screenshot())
    assert png_size(picture) == (1280, 720)
    if os.environ.get("SCOREBOT_UPDATE_SCREENSHOTS"):
        shutil.copy(picture, DOCS / f"{name}.png")
    assert (DOCS / f"{name}.png").exists(), "run with SCOREBOT_UPDATE_SCREENSHOTS=1 to keep the screenshot"
