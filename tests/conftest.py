"""The test ground: one real Synapse for the whole run, fresh users and rooms for each test."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scorebot.homeserver import LocalHomeserver
from tests.support.bot import BotProcess
from tests.support.members import Member
from tests.support.postgres import PostgresServer


@pytest.fixture(scope="session")
def homeserver(tmp_path_factory) -> LocalHomeserver:
    server = LocalHomeserver(tmp_path_factory.mktemp("synapse"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory) -> PostgresServer:
    server = PostgresServer(tmp_path_factory.mktemp("postgres"))
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """The store on both databases an admin may choose: the default SQLite file, and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'scorebot.db'}"
    return request.getfixturevalue("postgres").fresh_database()


@dataclass
class World:
    """A small organization: a bot, a moderator (alice), a member (bob), and their rooms."""

    server: LocalHomeserver
    folder: Path
    bot_user: object = None
    members: list[Member] = field(default_factory=list)
    bots: list[BotProcess] = field(default_factory=list)
    cleanups: list = field(default_factory=list)  # async callables run at the end (other kinds of members)

    def name(self, base: str) -> str:
        return f"{base}-{secrets.token_hex(3)}"

    async def member(self, base: str, admin: bool = False) -> Member:
        user = self.server.register(self.name(base), admin=admin)
        member = await Member(self.server.url, user, self.folder / user.user_id.strip("@").replace(":", "_")).start()
        self.members.append(member)
        return member

    def bot(self, config: dict, module: str = "scorebot") -> BotProcess:
        bot = BotProcess.write_config(self.folder / f"bot{len(self.bots)}", config, module)
        self.bots.append(bot)
        return bot

    def bot_config(self, organizing: list[str], **rooms) -> dict:
        return {
            "homeserver": self.server.url,
            "user_id": self.bot_user.user_id,
            "access_token": self.bot_user.access_token,
            "connection": {"sync_timeout": 5, "max_retry_wait": 1},
            "rooms": {"organizing": organizing, **rooms},
        }


@pytest.fixture
async def world(homeserver, tmp_path) -> World:
    world = World(homeserver, tmp_path)
    world.bot_user = homeserver.register(world.name("scorebot"))
    yield world
    for bot in world.bots:
        bot.stop()
    for member in world.members:
        await member.stop()
    for cleanup in world.cleanups:
        await cleanup()
