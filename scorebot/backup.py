"""`scorebot backup FILE` and `scorebot restore FILE`: everything the bot must not lose, in one file.

What is in it: the database (copied with SQLite's online backup, or dumped with PostgreSQL's
`pg_dump`, so a running bot gives a consistent copy), the login session, the device's encryption
keys (`crypto/`, its databases copied the same way) and the cross-signing identity. Restored into
an empty data folder, the bot starts as the same device with the same identity: no new device, no
"identity reset" for members.
The archive holds confidential things (report texts, keys): it is written readable by its owner
only, and should be kept as carefully as the data folder itself.
"""

from __future__ import annotations

import gzip
import io
import os
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from contextlib import closing
from pathlib import Path

from playhouse.db_url import connect

from scorebot.config import Config
from scorebot.store.migrations import MIGRATIONS

DATABASE = "scorebot.db"
POSTGRES_DUMP = "scorebot.pgdump"  # pg_dump's custom format, for pg_restore


class BackupError(Exception):
    """Why a backup or a restore cannot be done; the message says what to do."""


def _sqlite_path(config: Config) -> Path | None:
    """The SQLite file, or None when the database is PostgreSQL."""
    url = config.database_url
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    if url.split("://")[0] not in ("postgres", "postgresql"):
        raise BackupError(f"cannot back up a {url.split('://')[0]} database: only SQLite and PostgreSQL")
    return None


def _postgres_tool(command: list[str], stdin: bytes | None = None) -> bytes:
    """Run pg_dump or pg_restore; their own words are the reason when they fail."""
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed: install PostgreSQL's client tools "
                          "(the same major version as the server)") from None
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{command[0]} failed: {reason[0] if reason else 'no reason given'}")
    return done.stdout


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
    if database is None:
        name, content = POSTGRES_DUMP, _postgres_tool(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", config.database_url])
    elif not database.exists():
        raise BackupError(f"there is no database at {database}: has the bot run here yet?")
    else:
        name, content = DATABASE, _copy_sqlite(database)
    fd = os.open(file, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    written = [name]
    with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as archive:
        _add(archive, name, content)
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
    """Unpack the archive into an empty data folder (and an empty PostgreSQL database, if that is the
    configured one); return what was restored."""
    data = config.data_path
    database = _sqlite_path(config)
    if data.exists() and any(data.iterdir()):
        raise BackupError(f"{data} is not empty: restore only into an empty data folder, so nothing is mixed up")
    if database is None:
        _check_empty_postgres(config.database_url)
    elif database.exists():
        raise BackupError(f"a database already exists at {database}")
    contents = _read_archive(file)
    expected, other = (POSTGRES_DUMP, DATABASE) if database is None else (DATABASE, POSTGRES_DUMP)
    if expected not in contents:
        raise BackupError(f"{file} has no database in it: not a scorebot backup" if other not in contents else
                          f"{file} is the backup of a bot on {_kind(other)}; this config uses {_kind(expected)}")
    if database is not None:
        _check_version(file, contents[DATABASE])
    written: list[Path] = []
    try:
        for name, content in contents.items():
            if name == POSTGRES_DUMP:
                _postgres_tool(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                                f"--dbname={config.database_url}"], stdin=content)
                continue
            target = database if name == DATABASE else data / name
            written.append(target)
            _write_private(target, content)
    except OSError as error:  # a full disk: take back the half-restored files, so a retry can start again
        for target in written:
            target.unlink(missing_ok=True)
            for folder in target.parents:
                if folder == data.parent or any(folder.iterdir()):
                    break
                folder.rmdir()
        raise BackupError(f"could not write {error.filename or data}: {error.strerror or error}") from None
    return list(contents)


def _read_archive(file: Path) -> dict[str, bytes]:
    """Every file in the archive, by name; refused whole if it is not a scorebot backup."""
    if not file.is_file():
        raise BackupError(f"there is no file {file}" if not file.exists() else f"{file} is not a file")
    try:
        with tarfile.open(file, mode="r:gz") as archive:
            contents = {}
            for member in archive.getmembers():
                name = Path(member.name)
                if not member.isfile() or name.is_absolute() or ".." in name.parts:
                    raise BackupError(f"{file} holds an unexpected entry ({member.name}): not a scorebot backup")
                contents[member.name] = archive.extractfile(member).read()
            return contents
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile):
        raise BackupError(f"{file} is not a scorebot backup (not a file made by 'scorebot backup')") from None


def _check_version(file: Path, content: bytes) -> None:
    """A backup from a newer scorebot is refused before anything is written: this code would not
    know its tables."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / DATABASE
        copy.write_bytes(content)
        try:
            with closing(sqlite3.connect(copy)) as db:
                found = db.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
        except sqlite3.DatabaseError:
            raise BackupError(f"{file} has no readable database in it: not a scorebot backup") from None
    known = MIGRATIONS[-1].version
    if found > known:
        raise BackupError(f"{file} was made by a newer scorebot (database version {found}; this one knows up to "
                          f"{known}): restore it with that version or a newer one")


def _kind(entry: str) -> str:
    return "PostgreSQL" if entry == POSTGRES_DUMP else "SQLite"


def _check_empty_postgres(url: str) -> None:
    database = connect(url)
    try:
        tables = database.get_tables()
    finally:
        database.close()
    if tables:
        raise BackupError("the PostgreSQL database already has tables: restore only into an empty database")


def _write_private(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
