"""Backup and restore refuse what would lose or mix things up."""

import io
import tarfile

import pytest
import yaml

from scorebot.backup import BackupError, backup, restore
from scorebot.config import load_config
from scorebot.store import Store


def config_in(folder, **more):
    folder.mkdir(exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump({"homeserver": "http://h.invalid", "user_id": "@bot:x", "access_token": "t",
                                    **more}))
    return load_config(path, environ={})


def test_an_archive_with_paths_outside_the_data_folder_is_refused(tmp_path):
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as archive:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(BackupError, match="not a scorebot backup"):
        restore(config_in(tmp_path), bad)
    assert not (tmp_path / "escape.txt").exists()


def test_a_missing_database_and_a_failing_pg_dump_are_said_plainly(tmp_path):
    with pytest.raises(BackupError, match="has the bot run here yet"):
        backup(config_in(tmp_path), tmp_path / "b.tar.gz")
    with pytest.raises(BackupError, match="pg_dump"):
        backup(config_in(tmp_path, database="postgresql://u:p@127.0.0.1:9/db"), tmp_path / "b.tar.gz")


def test_restore_keeps_sqlite_and_postgresql_apart(tmp_path, postgres):
    sqlite_backup = tmp_path / "sqlite.tar.gz"
    with tarfile.open(sqlite_backup, "w:gz") as archive:
        info = tarfile.TarInfo("scorebot.db")
        archive.addfile(info, io.BytesIO(b""))
    url = postgres.fresh_database()
    with pytest.raises(BackupError, match="a bot on SQLite; this config uses PostgreSQL"):
        restore(config_in(tmp_path / "a", database=url), sqlite_backup)
    store = Store(url)
    store.open()
    store.close()
    with pytest.raises(BackupError, match="already has tables"):
        restore(config_in(tmp_path / "b", database=url), sqlite_backup)
