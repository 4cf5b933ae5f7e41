"""config.example.yaml documents every key the bot knows, and loads once filled in."""

import dataclasses

import yaml

from scorebot.config import Config, load_config
from tests.support.paths import EXAMPLE


def keys(cls, prefix=""):
    for field in dataclasses.fields(cls):
        if field.metadata.get("internal"):
            continue
        if dataclasses.is_dataclass(field.default_factory if field.default_factory is not dataclasses.MISSING
                                    else None):
            yield from keys(field.default_factory, f"{prefix}{field.name}.")
        else:
            yield f"{prefix}{field.name}"


def flatten(data, prefix=""):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def test_every_key_is_in_the_example():
    assert set(flatten(yaml.safe_load(EXAMPLE.read_text()))) == set(keys(Config))


def test_the_example_loads_once_a_login_is_given(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(EXAMPLE.read_text().replace("access_token: null", "access_token: abc"))
    config = load_config(path, {})
    assert config.user_id == "@scorebot:example.org"
