"""The bot's configuration: read once from YAML into frozen, validated objects.

Nothing else in scorebot reads YAML. Every error names the key and the reason in one line, so
an admin can fix a bad file without reading code. Relative paths are taken from the config file's
own folder, so `data/` sits beside `config.yaml` wherever the bot is started from.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from scorebot.domain.ids import ROOM_ALIAS, ROOM_ID, USER_ID


class ConfigError(Exception):
    """A config problem, said in one line: the key, then the reason. `problems` is every problem
    the file has (this one first), so an admin fixes them all in one go."""

    def __init__(self, key: str, reason: str, more: list[ConfigError] | None = None):
        super().__init__(f"{key}: {reason}" if key else reason)
        self.key = key
        self.reason = reason
        self.problems = [self, *(more or [])]


def _all(problems: list[ConfigError]) -> ConfigError:
    first, *rest = problems
    return ConfigError(first.key, first.reason, rest)


def _user_id(value: str) -> str | None:
    return None if USER_ID.match(value) else "is not a Matrix user ID like @name:example.org"


def _room(value: str) -> str | None:
    if ROOM_ID.match(value) or ROOM_ALIAS.match(value):
        return None
    return "is not a room ID (!abc:example.org) or alias (#name:example.org)"


def _room_id(value: str) -> str | None:
    if ROOM_ID.match(value):
        return None
    if ROOM_ALIAS.match(value):
        return "is an alias: write the room's ID here (!abc:example.org, in Element: Room settings, Advanced)"
    return "is not a room ID (!abc:example.org)"


def _url(value: str) -> str | None:
    return None if re.match(r"^https?://[^\s/]+", value) else "is not an http(s) URL"


def _positive(value: float) -> str | None:
    return None if value > 0 else "must be more than 0"


def _not_negative(value: float) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def _log_level(value: str) -> str | None:
    levels = ("DEBUG", "INFO", "WARNING", "ERROR")
    return None if value.upper() in levels else f"must be one of {', '.join(levels)}"


def _time_zone(value: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "is not a time zone name like Europe/Paris or America/New_York"
    return None


def _stack_text(value: str) -> str | None:
    return None if value.strip() and not value.startswith("!") else "must be plain words, not a !command"


def check(validator):
    """Field metadata: `validator(value)` returns a reason when the value is wrong."""
    return {"check": validator}


@dataclass(frozen=True)
class RoomsConfig:
    organizing: tuple[str, ...] = field(default=(), metadata=check(_room))
    moderators: str | None = field(default=None, metadata=check(_room))
    igo: str | None = field(default=None, metadata=check(_room))
    # Optional: the Steering Committee's room, which hears of revision proposals too.
    steering: str | None = field(default=None, metadata=check(_room))


@dataclass(frozen=True)
class RolesConfig:
    moderators: tuple[str, ...] = field(default=(), metadata=check(_user_id))
    igos: tuple[str, ...] = field(default=(), metadata=check(_user_id))
    # The Steering Committee: with the IGOs, they ratify approved revisions of the code of conduct.
    steering: tuple[str, ...] = field(default=(), metadata=check(_user_id))
    moderator_level: int = 50


@dataclass(frozen=True)
class ConnectionConfig:
    sync_timeout: float = field(default=30.0, metadata=check(_positive))
    # The longest pause between two tries while the homeserver is away.
    max_retry_wait: float = field(default=10.0, metadata=check(_positive))
    # How often timers (an automatic wrap-up, reminders) are looked at.
    timer_interval: float = field(default=5.0, metadata=check(_positive))
    # How long the marks of handled events and the records of sent actions are kept, in days.
    keep_handled_days: float = field(default=7.0, metadata=check(_positive))
    # How long an encrypted message whose key has not arrived is kept waiting for it, in seconds.
    key_wait: float = field(default=600.0, metadata=check(_positive))
    # How long a report (or another confidential message) may wait for a room the bot lost before
    # the moderators and its sender are told, in seconds. It is kept, and goes out once the bot is back.
    undeliverable_after: float = field(default=3600.0, metadata=check(_positive))


@dataclass(frozen=True)
class CommandsConfig:
    # An edit that turns a mistyped command into a right one runs it, this many seconds after it was sent.
    edit_window: float = field(default=120.0, metadata=check(_positive))


@dataclass(frozen=True)
class StackConfig:
    texts: tuple[str, ...] = field(default=("stack", "stack me", "+stack"), metadata=check(_stack_text))
    leave_texts: tuple[str, ...] = field(default=("unstack", "unstack me", "-stack"), metadata=check(_stack_text))
    significant_turns: int = field(default=2, metadata=check(_positive))
    significant_seconds: float = field(default=300.0, metadata=check(_positive))
    wrapup_after: float | None = field(default=None, metadata=check(_positive))


@dataclass(frozen=True)
class CultureConfig:
    # How long after an "ouch" a plain "oops" from the author (not a reply) still counts, in seconds.
    oops_window: float = field(default=600.0, metadata=check(_positive))
    # A YAML file of TERM: explanation; empty means the seed glossary that ships inside the package.
    glossary_seed: str | None = None


@dataclass(frozen=True)
class EnforcementConfig:
    # How many moderators other than the proposer must approve a removal.
    removal_approvals: int = field(default=1, metadata=check(_positive))
    # Seconds a removal lasts as a ban that lifts itself; null: a kick (they may rejoin if invited).
    removal_duration: float | None = field(default=None, metadata=check(_positive))
    # How long a request to stop counts for the ladder, in days (it stays in the case's history).
    warning_window_days: float = field(default=90.0, metadata=check(_positive))
    # How long a removal proposal waits for approvals, in seconds.
    proposal_expiry: float = field(default=86400.0, metadata=check(_positive))
    # Where members can read the code of conduct; mentioned when someone is asked to stop.
    code_of_conduct_url: str | None = None


@dataclass(frozen=True)
class ReportsConfig:
    # An unassigned report gets a reminder in its thread after this many seconds.
    remind_after: float = field(default=86400.0, metadata=check(_positive))
    # How often to look for reports made with Matrix's own Report button, in seconds (needs the
    # bot's account to be a server admin; otherwise this stays off).
    poll_interval: float = field(default=30.0, metadata=check(_positive))
    # A server admin's token for reading those reports, when the bot's own login is no admin (on
    # servers with the Matrix Authentication Service an admin token is issued apart). It may come
    # from SCOREBOT_REPORTS_ADMIN_TOKEN instead.
    admin_token: str | None = None


def _pattern(value: str) -> str | None:
    import re

    try:
        re.compile(value)
    except re.error as error:
        return f"is not a regular expression ({error})"
    return None


@dataclass(frozen=True)
class BrigadingConfig:
    # A wave: this many people joining one organizing room within join_wave_seconds.
    join_wave_joins: int = field(default=10, metadata=check(_positive))
    join_wave_seconds: float = field(default=600.0, metadata=check(_positive))
    # Also raise the power needed to invite to the moderator level (and make the room invite-only)
    # when a wave comes; a moderator's !unlock puts back what was there.
    lock_on_wave: bool = False
    # A flood: more than flood_messages messages from one member within flood_seconds.
    flood_messages: int = field(default=10, metadata=check(_positive))
    flood_seconds: float = field(default=10.0, metadata=check(_positive))
    # A mass mention: one message mentioning more than this many people.
    max_mentions: int = field(default=10, metadata=check(_positive))
    # Users who never count (bridges' users, by their user ID namespace): regular expressions.
    ignore_users: tuple[str, ...] = field(default=(), metadata=check(_pattern))


@dataclass(frozen=True)
class VotingConfig:
    # How long a secret ballot on a revision stays open, in seconds (one week).
    ballot_duration: float = field(default=604800.0, metadata=check(_positive))
    # Those who have not voted get a reminder this many seconds before the close.
    remind_before: float = field(default=86400.0, metadata=check(_positive))
    # Whose members may vote: room IDs (not aliases) among the configured rooms (empty: the organizing rooms).
    eligible_rooms: tuple[str, ...] = field(default=(), metadata=check(_room_id))
    # Members who joined less than this many days before a ballot opened may not vote on it.
    min_membership_days: float = field(default=0.0, metadata=check(_not_negative))
    # A meeting's vote on a revision needs at least this many eligible members present (none: no quorum,
    # as the code of conduct sets none).
    meeting_quorum: int | None = field(default=None, metadata=check(_positive))


def _listen(value: str | None) -> str | None:
    if value is None:
        return None
    host, _, port = str(value).rpartition(":")
    return None if host and port.isdigit() else "must be HOST:PORT, like 127.0.0.1:9104"


def _board_listen(value: str | None) -> str | None:
    return None if value is None or str(value).isdigit() else _listen(value)


def _public_url(value: str | None) -> str | None:
    return None if value is None or str(value).startswith(("http://", "https://")) else \
        "must be a web address, like https://board.example.org"


@dataclass(frozen=True)
class BoardConfig:
    # Where to serve the live board for a projector: HOST:PORT, or a PORT alone for 127.0.0.1
    # (loopback; put a reverse proxy in front). Off when empty.
    listen: str | None = field(default=None, metadata=check(_board_listen))
    # The address people open, as the proxy serves it; the link is this plus /board/<token>.
    # Empty: http:// and the listen address.
    public_url: str | None = field(default=None, metadata=check(_public_url))

    @property
    def address(self) -> tuple[str, int] | None:
        if self.listen is None:
            return None
        host, _, port = str(self.listen).rpartition(":")
        return host or "127.0.0.1", int(port)

    def link(self, token: str) -> str:
        host, port = self.address
        base = self.public_url or f"http://{host}:{port}"
        return f"{base.rstrip('/')}/board/{token}"


@dataclass(frozen=True)
class MetricsConfig:
    # Where to answer /healthz and /metrics (Prometheus), like 127.0.0.1:9104. Off when empty.
    listen: str | None = field(default=None, metadata=check(_listen))
    # /healthz turns unhealthy after this many seconds without a successful sync, or with an
    # action waiting that long to go out.
    stale_after: float = field(default=120.0, metadata=check(_positive))


@dataclass(frozen=True)
class CrossSigningConfig:
    # Make a new cross-signing identity when the account has one this bot's data does not hold
    # (the data folder was lost). Members then see that the bot's identity was reset.
    reset: bool = False


@dataclass(frozen=True)
class Config:
    homeserver: str = field(metadata=check(_url))
    user_id: str = field(metadata=check(_user_id))
    access_token: str | None = None
    password: str | None = None
    device_name: str = "scorebot"
    data_dir: str = "data"
    database: str | None = None
    command_prefix: str = "!"
    log_level: str = field(default="INFO", metadata=check(_log_level))
    timezone: str = field(default="UTC", metadata=check(_time_zone))
    rooms: RoomsConfig = field(default_factory=RoomsConfig)
    roles: RolesConfig = field(default_factory=RolesConfig)
    connection: ConnectionConfig = field(default_factory=ConnectionConfig)
    commands: CommandsConfig = field(default_factory=CommandsConfig)
    stack: StackConfig = field(default_factory=StackConfig)
    culture: CultureConfig = field(default_factory=CultureConfig)
    enforcement: EnforcementConfig = field(default_factory=EnforcementConfig)
    reports: ReportsConfig = field(default_factory=ReportsConfig)
    brigading: BrigadingConfig = field(default_factory=BrigadingConfig)
    voting: VotingConfig = field(default_factory=VotingConfig)
    cross_signing: CrossSigningConfig = field(default_factory=CrossSigningConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    board: BoardConfig = field(default_factory=BoardConfig)
    # Where the file was read from; relative paths are resolved against its folder.
    base_dir: Path = field(default=Path("."), metadata={"internal": True})

    @property
    def data_path(self) -> Path:
        return (self.base_dir / self.data_dir).resolve()

    @property
    def database_url(self) -> str:
        """An SQLite file under data/ unless `database` names a file or a URL."""
        if not self.database:
            return f"sqlite:///{self.data_path / 'scorebot.db'}"
        if "://" in self.database:
            return self.database
        return f"sqlite:///{(self.base_dir / self.database).resolve()}"

    @property
    def glossary_seed_path(self) -> Path:
        if self.culture.glossary_seed:
            return (self.base_dir / self.culture.glossary_seed).resolve()
        return Path(__file__).resolve().parent / "seed" / "glossary.yaml"

    @property
    def server_name(self) -> str:
        return self.user_id.split(":", 1)[1]


# Settings the environment may give or override (as SCOREBOT_<KEY>): the secrets, so they need not
# sit in a file, and what a container sets for itself (the data folder is a volume at /data).
ENVIRONMENT_KEYS = ("homeserver", "user_id", "access_token", "password", "data_dir", "database", "log_level")


# libyaml's loader where PyYAML was built with it (its wheels are): the same safe subset of YAML,
# read in a fraction of the time at every start.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_config(path: str | Path, environ: typing.Mapping[str, str] | None = None) -> Config:
    """Read, validate and return the config at `path`, or raise ConfigError."""
    path = Path(path)
    environ = os.environ if environ is None else environ
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError("", f"no config file at {path} (copy config.example.yaml to start)") from None
    except OSError as error:
        raise ConfigError("", f"cannot read {path}: {error.strerror}") from None
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(error, "problem", None)
        reason = f": {reason}" if reason else ""
        line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
        if "\t" in line[: len(line) - len(line.lstrip())] or (mark and line[mark.column : mark.column + 1] == "\t"):
            reason = f": line {mark.line + 1} has a tab character; YAML indents with spaces only (replace the tab)"
        raise ConfigError("", f"{path} is not valid YAML{where}{reason}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("", f"{path} must be a mapping of keys to values")
    data = dict(data)
    for key in ENVIRONMENT_KEYS:
        variable = f"SCOREBOT_{key.upper()}"
        if environ.get(variable):
            data[key] = environ[variable]
    if environ.get("SCOREBOT_REPORTS_ADMIN_TOKEN") and isinstance(data.get("reports", {}), dict):
        data["reports"] = {**(data.get("reports") or {}), "admin_token": environ["SCOREBOT_REPORTS_ADMIN_TOKEN"]}
    problems: list[ConfigError] = []
    config = _build(Config, data, "", problems, extra={"base_dir": path.resolve().parent})
    if not problems:
        _one_kind_per_room(config.rooms, problems)
    if not data.get("access_token") and not data.get("password"):
        problems.append(ConfigError("access_token", "missing: set access_token or password (or "
                                                    "SCOREBOT_ACCESS_TOKEN)"))
    if problems:
        raise _all(problems)
    return config


def _one_kind_per_room(rooms: RoomsConfig, problems: list[ConfigError]) -> None:
    """A room is organizing, or the moderators', the IGOs' or the steering room: never two."""
    from scorebot.domain.organization import room_kind_clash

    named = [(f"rooms.organizing[{i}]", ref) for i, ref in enumerate(rooms.organizing)]
    clash = room_kind_clash([*named, ("rooms.moderators", rooms.moderators), ("rooms.igo", rooms.igo),
                             ("rooms.steering", rooms.steering)])
    if clash:
        problems.append(ConfigError("", clash))


def _build(cls, data, prefix: str, problems: list[ConfigError], extra: dict | None = None):
    """The section `cls` from `data`; every problem found is added to `problems` (then the result
    is not used)."""
    if not isinstance(data, dict):
        raise ConfigError(prefix.rstrip("."), f"must be a mapping, got {_kind(data)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    for key in data:
        if key not in fields:
            close = difflib.get_close_matches(str(key), fields, n=1, cutoff=0.7)
            known = f"did you mean {prefix}{close[0]}?" if close else f"known here: {', '.join(sorted(fields))}"
            problems.append(ConfigError(f"{prefix}{key}", f"unknown key ({known})"))
    values = dict(extra or {})
    missing = False
    for name, spec in fields.items():
        key = f"{prefix}{name}"
        required = spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
        if name not in data:
            if required:
                problems.append(ConfigError(key, "missing (required)"))
                missing = True
            continue
        try:
            values[name] = _convert(hints[name], data[name], key, spec.metadata.get("check"), problems)
        except ConfigError as error:
            problems.append(error)
            missing = missing or required
    return None if missing else cls(**values)


def _convert(kind, value, key: str, validator, problems: list[ConfigError]):
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        if value is None:
            return None
        return _convert(options[0], value, key, validator, problems)
    if dataclasses.is_dataclass(kind):
        return _build(kind, value, f"{key}.", problems)
    if origin is tuple:
        item_kind = typing.get_args(kind)[0]
        if not isinstance(value, list):
            raise ConfigError(key, f"must be a list, got {_kind(value)}")
        return tuple(_convert(item_kind, item, f"{key}[{i}]", validator, problems) for i, item in enumerate(value))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(key, f"must be {_article(kind)}, got {_kind(value)}")
    if validator and (reason := validator(value)):
        raise ConfigError(key, f"{value!r} {reason}" if isinstance(value, str) else reason)
    return value


def _article(kind) -> str:
    return {str: "text", int: "a whole number", float: "a number", bool: "true or false"}.get(
        kind, kind.__name__
    )


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
