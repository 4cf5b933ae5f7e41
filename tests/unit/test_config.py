from pathlib import Path

import pytest
import yaml

from scorebot.config import ConfigError, load_config

BASE = {"homeserver": "https://matrix.example.org", "user_id": "@bot:example.org", "access_token": "t"}


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def error(tmp_path: Path, data, environ=None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, data), environ or {})
    return str(caught.value)


def test_minimal_config_gets_defaults_beside_the_file(tmp_path):
    config = load_config(write(tmp_path, BASE), {})
    assert config.data_path == (tmp_path / "data").resolve()
    assert config.database_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'scorebot.db'}"
    assert config.rooms.organizing == ()
    assert config.roles.moderator_level == 50
    assert config.server_name == "example.org"


def test_rooms_accept_ids_aliases_and_version_12_ids(tmp_path):
    rooms = {"organizing": ["!abc:example.org", "#general:example.org", "!Xyz-_09abc"], "igo": "!igo:example.org"}
    config = load_config(write(tmp_path, {**BASE, "rooms": rooms}), {})
    assert config.rooms.organizing == ("!abc:example.org", "#general:example.org", "!Xyz-_09abc")
    assert config.rooms.igo == "!igo:example.org"


def test_secrets_may_come_from_the_environment(tmp_path):
    data = {k: v for k, v in BASE.items() if k != "access_token"}
    config = load_config(write(tmp_path, data), {"SCOREBOT_PASSWORD": "secret"})
    assert config.password == "secret"
    assert error(tmp_path, data).startswith("access_token: missing")


def test_a_container_sets_its_data_folder_and_login_from_the_environment(tmp_path):
    environ = {"SCOREBOT_DATA_DIR": "/data", "SCOREBOT_HOMESERVER": "https://matrix.example.org",
               "SCOREBOT_USER_ID": "@bot:example.org"}
    config = load_config(write(tmp_path, {"rooms": {"organizing": ["!a:b.c"]}, "access_token": "t"}), environ)
    assert config.data_path == Path("/data")
    assert config.database_url == "sqlite:////data/scorebot.db"
    assert (config.homeserver, config.user_id) == ("https://matrix.example.org", "@bot:example.org")


def test_postgresql_url_is_kept(tmp_path):
    config = load_config(write(tmp_path, {**BASE, "database": "postgresql://bot@db/scorebot"}), {})
    assert config.database_url == "postgresql://bot@db/scorebot"


@pytest.mark.parametrize(("data", "expected"), [
    ({"user_id": "@bot:example.org", "access_token": "t"}, "homeserver: missing (required)"),
    ({**BASE, "user_id": "bot"}, "user_id: 'bot' is not a Matrix user ID"),
    ({**BASE, "homeserver": "matrix.example.org"}, "homeserver: 'matrix.example.org' is not an http(s) URL"),
    ({**BASE, "rooms": {"organizing": "!a:b.c"}}, "rooms.organizing: must be a list, got text"),
    ({**BASE, "rooms": {"organizing": ["general"]}}, "rooms.organizing[0]: 'general' is not a room ID"),
    ({**BASE, "rooms": {"kitchen": "!a:b.c"}}, "rooms.kitchen: unknown key"),
    ({**BASE, "roles": {"moderator_level": "high"}}, "roles.moderator_level: must be a whole number, got text"),
    ({**BASE, "roles": {"moderator_level": True}}, "roles.moderator_level: must be a whole number"),
    ({**BASE, "connection": {"sync_timeout": 0}}, "connection.sync_timeout: must be more than 0"),
    ({**BASE, "rooms": ["!a:b.c"]}, "rooms: must be a mapping, got a list"),
    ({**BASE, "log_level": "LOUD"}, "log_level: 'LOUD' must be one of DEBUG"),
    ({**BASE, "voting": {"eligible_rooms": ["#general:b.c"]}}, "voting.eligible_rooms[0]: '#general:b.c' is an alias"),
])
def test_each_problem_names_the_key_and_the_reason(tmp_path, data, expected):
    assert error(tmp_path, data).startswith(expected)


def test_not_yaml_and_not_a_mapping(tmp_path):
    assert "not valid YAML at line" in error(tmp_path, "homeserver: [unclosed\n")
    assert "must be a mapping" in error(tmp_path, "- a\n- b\n")


def test_yaml_errors_keep_their_reason(tmp_path):
    """A tab is the classic mistake; the admin must see that it is the tab, and where."""
    said = error(tmp_path, "homeserver: http://localhost\n\tuser_id: '@bot:localhost'\n")
    assert "at line 2, column 1" in said
    assert "tab" in said


def test_missing_file_says_how_to_start(tmp_path):
    with pytest.raises(ConfigError, match=r"config.example.yaml"):
        load_config(tmp_path / "nope.yaml", {})


def test_every_problem_is_listed_at_once_and_a_misspelled_key_gets_the_closest_one(tmp_path):
    data = {"homesever": "https://matrix.example.org", "user_id": "bot", "access_token": "t",
            "rooms": {"organizing": "!a:b.c", "modrators": "!m:b.c"}, "connection": {"sync_timeout": 0}}
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, data), {})
    said = [str(problem) for problem in caught.value.problems]
    assert said == [
        "homesever: unknown key (did you mean homeserver?)",
        "homeserver: missing (required)",
        "user_id: 'bot' is not a Matrix user ID like @name:example.org",
        "rooms.modrators: unknown key (did you mean rooms.moderators?)",
        "rooms.organizing: must be a list, got text",
        "connection.sync_timeout: must be more than 0",
    ]
    assert str(caught.value) == said[0]


def test_a_tab_deeper_in_the_file_is_named_as_the_cause(tmp_path):
    said = error(tmp_path, "homeserver: http://localhost\nrooms:\n\torganizing: []\n")
    assert "at line 3" in said and "tab character" in said and "spaces" in said
