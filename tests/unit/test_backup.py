"""Backup and restore refuse what would lose or mix things up."""

import io
import tarfile

import pytest
import yaml

from scorebot.backup import BackupError, backup, restore
from scorebot.config import load_config


def config_in(folder, **more):
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


def test_postgresql_and_a_missing_database_are_said_plainly(tmp_path):
    with pytest.raises(BackupError, match="pg_dump"):
        backup(config_in(tmp_path, database="postgresql://u:p@localhost/db"), tmp_path / "b.tar.gz")
    with pytest.raises(BackupError, match="has the bot run here yet"):
        backup(config_in(tmp_path), tmp_path / "b.tar.gz")
