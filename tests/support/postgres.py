"""A real PostgreSQL server for the tests, from PyPI (pgserver ships the server's binaries), started in
a temporary folder on a private socket, with a fresh database for each test."""

from __future__ import annotations

import secrets
import warnings
from pathlib import Path


class PostgresServer:
    def __init__(self, folder: Path):
        with warnings.catch_warnings():  # "XDG_RUNTIME_DIR is not set" on servers and in CI
            warnings.simplefilter("ignore")
            import pgserver
            from pgserver._commands import POSTGRES_BIN_PATH

            self.tools = POSTGRES_BIN_PATH  # pg_dump and pg_restore of the server's own version
            self.server = pgserver.get_server(folder, cleanup_mode="delete")

    def fresh_database(self) -> str:
        """The URL of a new, empty database, as an admin would write it in `database:`."""
        name = f"scorebot_{secrets.token_hex(5)}"
        self.server.psql(f"CREATE DATABASE {name};")
        return self.server.get_uri(name)

    def stop(self) -> None:
        self.server.cleanup()
