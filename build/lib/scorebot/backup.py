"""`scorebot backup FILE` and `scorebot restore FILE`: everything the bot must not lose, in one file.

What is in it: the database (copied with SQLite's online backup, so a running bot gives a
consistent copy), the login session, the device's encryption keys (`crypto/`, its databases copied
the same way) and the cross-signing identity. Restored into an empty data folder, the bot starts
as the same device with the same identity: no new device, no "identity reset" for members.
The archive holds confidential things (report texts, keys): it is written readable by its owner
only, and should be kept as carefully as the data folder itself.
"""

from __future__ import annotations

import io
import os
import sqlite3
import tarfile
import tempfile
from pathlib import Path

from scorebot.config import Config

DATABASE = "scorebot.db"


class BackupError(Exception):
    """Why a backup or a restore cannot be done; the message says what to do."""


def _sqlite_path(config: Config) -> Path:
    url = config.database_url
    if not url.startswith("sqlite:///"):
        raise BackupError("the database is not SQLite: back it up with its own tools (for PostgreSQL, pg_dump), "
                          "then this command for the rest is not enough on its own")
    return Path(url.removeprefix("sqlite:///"))


def _copy_sqlite(source: Path) -> bytes:
    """A consistent copy of a SQLite database that may be in use (online backup)."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "copy.db"
        with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
            live.backup(copy)
        return target.read_bytes()


def backup(config: Config, file: Path) -> list[str]:
    """Write the archive; return what went into it."""
    data = config.data_path
    database = _sqlite_path(config)
    if not database.exists():
        raise BackupError(f"there is no database at {database}: has the bot run here yet?")
    fd = os.open(file, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    written = []
    with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as archive:
        _add(archive, DATABASE, _copy_sqlite(database))
        written.append(DATABASE)
        for path in sorted(data.rglob("*")) if data.exists() else []:
            name = path.relative_to(data).as_posix()
            if not path.is_file() or path == database or name.endswith(("-wal", "-shm", "-journal")):
                continue
            _add(archive, name, _copy_sqlite(path) if path.suffix == ".db" else path.read_bytes())
            written.append(name)
    return written


def _add(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(content))


def restore(config: Config, file: Path) -> list[str]:
    """Unpack the archive into an empty data folder; return what was restored."""
    data = config.data_path
    database = _sqlite_path(config)
    if data.exists() and any(data.iterdir()):
        raise BackupError(f"{data} is not empty: restore only into an empty data folder, so nothing is mixed up")
    if database.exists():
        raise BackupError(f"a database already exists at {database}")
    restored = []
    with tarfile.open(file, mode="r:gz") as archive:
        for member in archive.getmembers():
            name = Path(member.name)
            if not member.isfile() or name.is_absolute() or ".." in name.parts:
                raise BackupError(f"{file} holds an unexpected entry ({member.name}): not a scorebot backup")
            target = database if member.name == DATABASE else data / name
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(archive.extractfile(member).read())
            restored.append(member.name)
    if DATABASE not in restored:
        raise BackupError(f"{file} has no database in it: not a scorebot backup")
    return restored
