"""Backup of a running bot, restore into a fresh folder, start: the same device and identity, and
everything it knew."""

from __future__ import annotations

import io
import os
import resource
import sqlite3
import stat
import subprocess
import sys
import tarfile
from contextlib import closing

import pytest
import yaml

from scorebot.store import Store
from scorebot.store.models import Case, GlossaryTerm, Meeting, Report
from tests.conftest import World
from tests.support.bot import BotProcess
from tests.support.meetings import meeting_room


def scorebot(*args: str, tools: str | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}"} if tools else None
    return subprocess.run([sys.executable, "-m", "scorebot", *args], capture_output=True, text=True, timeout=60,
                          env=environment)


def counts(url: str) -> dict[str, int]:
    """How many meetings, cases, reports and glossary terms a bot's database holds."""
    store = Store(url)
    store.open()
    try:
        return {model.__name__: model.select().count() for model in (Meeting, Case, Report, GlossaryTerm)}
    finally:
        store.close()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_backup_and_restore_keep_the_bot_who_it_is(world: World, database, request):
    postgres = request.getfixturevalue("postgres") if database == "postgresql" else None
    tools = str(postgres.tools) if postgres else None
    more = {"database": postgres.fresh_database()} if postgres else {}
    alice, bob, room, bot = await meeting_room(world, encrypted=True, **more)
    bot_id = world.bot_user.user_id
    added = await alice.send(room, "!glossary add Picket: a line of people standing together")
    await alice.checked(room, bot_id, added)
    await alice.send(room, "!meeting start Budget")  # a meeting, a case and a report to keep
    await alice.board_shows(room, bot_id, lambda board: "Budget" in board)
    await alice.checked(room, bot_id, await alice.send(room, f"!warn {bob.user_id} insults"))
    dm = await bob.open_direct_chat(bot_id)
    reported = await bob.send(dm, f"!report {alice.user_id} talked over me again")
    await bob.reply_to(dm, reported, bot_id, timeout=30)
    master = (bot.config_path.parent / "data" / "cross_signing.json").read_text()

    archive = bot.config_path.parent / "scorebot-backup.tar.gz"
    done = scorebot("backup", "--config", str(bot.config_path), str(archive), tools=tools)  # while the bot runs
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600
    bot.stop()
    kept = counts(more.get("database") or f"sqlite:///{bot.config_path.parent / 'data' / 'scorebot.db'}")
    assert kept["Meeting"] == kept["Case"] == kept["Report"] == 1

    # A new machine: the same config, an empty data folder.
    config = yaml.safe_load(bot.config_path.read_text())
    if postgres:  # and an empty database
        config["database"] = postgres.fresh_database()
    fresh = BotProcess.write_config(bot.config_path.parent.parent / "restored", config)
    world.bots.append(fresh)
    restored = scorebot("restore", "--config", str(fresh.config_path), str(archive), tools=tools)
    assert restored.returncode == 0, restored.stderr
    again = scorebot("restore", "--config", str(fresh.config_path), str(archive), tools=tools)
    assert again.returncode == 2 and "not empty" in again.stderr  # never over what is there
    assert (fresh.config_path.parent / "data" / "cross_signing.json").read_text() == master
    assert counts(config.get("database") or f"sqlite:///{fresh.config_path.parent / 'data' / 'scorebot.db'}") == kept

    await fresh.start_ready()
    assert "Published the bot's cross-signing identity" not in fresh.log()  # the same identity
    asked = await bob.send(room, "!define picket")  # an encrypted room: the same device keys work
    answer = await bob.reply_to(room, asked, bot_id, timeout=30)
    assert "a line of people standing together" in answer.body


def archive_of(path, files: dict[str, bytes]):
    with tarfile.open(path, "w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


def database_bytes(folder, version: int | None = None) -> bytes:
    """A scorebot database as a backup holds it; `version` makes it one from another scorebot."""
    folder.mkdir()
    store = Store(f"sqlite:///{folder / 'made.db'}")
    store.open()
    store.close()
    if version is not None:
        with closing(sqlite3.connect(folder / "made.db")) as db, db:
            db.execute("INSERT INTO schema_version VALUES (?, 'from the future', 0)", (version,))
    return (folder / "made.db").read_bytes()


def one_line_refusal(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
    assert all(word in done.stderr for word in words), done.stderr


def test_every_restore_mistake_is_one_line_and_exit_2(tmp_path):
    folder = tmp_path / "bot"
    folder.mkdir()
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({"homeserver": "http://h.invalid", "user_id": "@bot:x", "access_token": "t"}))
    data = folder / "data"

    def restore(file, **more) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "scorebot", "restore", "--config", str(config), str(file)],
                              capture_output=True, text=True, timeout=60, **more)

    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(os.urandom(5000))
    one_line_refusal(restore(junk), "not a scorebot backup")
    notes = tmp_path / "notes.txt"
    notes.write_text("my shopping list\n")
    one_line_refusal(restore(notes), "not a scorebot backup")
    one_line_refusal(restore(tmp_path / "nowhere.tar.gz"), "there is no file")
    newer = archive_of(tmp_path / "newer.tar.gz", {"scorebot.db": database_bytes(tmp_path / "future", version=999)})
    one_line_refusal(restore(newer), "newer scorebot", "999")
    assert not data.exists() or not any(data.iterdir())  # refused before anything was written

    # A full disk (here: a limit on file size), halfway through: one line, and nothing half-restored
    # left behind, so the restore can be tried again once there is room.
    big = archive_of(tmp_path / "big.tar.gz", {"scorebot.db": database_bytes(tmp_path / "now"),
                                               "crypto/keys.db": os.urandom(2_000_000)})
    limit = 1_000_000
    one_line_refusal(restore(big, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))),
                     "could not write")
    assert [path for path in data.rglob("*") if path.is_file()] == []
    assert restore(big).returncode == 0
