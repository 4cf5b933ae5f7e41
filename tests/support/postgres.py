"""A real PostgreSQL server for the tests, from PyPI (pgserver ships the server's binaries), started in
a temporary folder on a private socket, with a fresh database for each test."""

from __future__ import annotations

import secrets
import shutil
import signal
import warnings
from pathlib import Path

import psutil


class PostgresServer:
    def __init__(self, folder: Path):
        with warnings.catch_warnings():  # "XDG_RUNTIME_DIR is not set" on servers and in CI
            warnings.simplefilter("ignore")
            import pgserver
            from pgserver._commands import POSTGRES_BIN_PATH

            self.tools = POSTGRES_BIN_PATH  # pg_dump and pg_restore of the server's own version
            self.server = pgserver.get_server(folder, cleanup_mode=None)
        self.folder = folder
        # A throwaway server: nothing it writes must survive a power cut, so it need not wait for
        # the disk (each test's CREATE DATABASE would otherwise sync a whole template to it).
        self.server.psql("ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off; "
                         "ALTER SYSTEM SET full_page_writes = off; SELECT pg_reload_conf();")

    def fresh_database(self) -> str:
        """The URL of a new, empty database, as an admin would write it in `database:`."""
        name = f"scorebot_{secrets.token_hex(5)}"
        self.server.psql(f"CREATE DATABASE {name};")
        return self.server.get_uri(name)

    def stop(self) -> None:
        """Stop at once, without the checkpoint a clean stop writes, and delete its files."""
        pid = int((Path(self.server.pgdata) / "postmaster.pid").read_text().split()[0])
        server = psutil.Process(pid)
        server.send_signal(signal.SIGQUIT)  # PostgreSQL's "immediate" stop
        server.wait(timeout=30)
        self.server.cleanup()  # nothing left to stop: forgets the server
        shutil.rmtree(self.folder, ignore_errors=True)
