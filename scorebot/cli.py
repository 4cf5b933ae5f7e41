"""The `scorebot` command. Errors are turned into one clear line and an exit code here, at the edge."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from scorebot.config import Config, ConfigError, load_config

EXIT_CONFIG = 2
EXIT_FAILED = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scorebot",
        description="A Matrix bot for meetings (progressive stack) and the code of conduct. "
        "With no command: runs the bot if config.yaml exists here, or else a local demo.",
    )
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("--config", default="config.yaml", help="config file (default: config.yaml)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", parents=[config], help="run the bot")
    commands.add_parser("check-config", parents=[config], help="check the config, the login and the rooms")
    demo = commands.add_parser("demo", help="start a local homeserver with demo rooms, and the bot")
    demo.add_argument("--folder", default="data/demo", help="where the demo keeps its files")
    demo.add_argument("--port", type=int, default=8008, help="the homeserver's port (default: 8008)")
    minutes = commands.add_parser("minutes", help="list or export meeting minutes")
    what = minutes.add_subparsers(dest="action", metavar="ACTION", required=True)
    what.add_parser("list", parents=[config], help="every meeting, newest last")
    export = what.add_parser("export", parents=[config], help="one meeting's minutes, to standard output")
    export.add_argument("meeting", type=int, help="the meeting's number, from 'scorebot minutes list'")
    export.add_argument("--format", choices=("md", "html"), default="md")
    for name, text in (("backup", "write everything the bot must not lose to FILE (owner-readable)"),
                       ("restore", "put a backup FILE back into an empty data folder")):
        command = commands.add_parser(name, parents=[config], help=text)
        command.add_argument("file", help="the backup file")
    audit = commands.add_parser("audit", help="the enforcement audit log")
    audit_what = audit.add_subparsers(dest="action", metavar="ACTION", required=True)
    audit_what.add_parser("export", parents=[config], help="every step, as JSON lines, to standard output")
    return parser


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # nio logs every request and every retry at INFO; the bot says what matters itself.
    debugging = logging.getLogger().level <= logging.DEBUG
    for noisy in ("nio", "peewee", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.INFO if debugging else logging.WARNING)


def _load(path: str) -> Config:
    try:
        return load_config(path)
    except ConfigError as error:
        for problem in error.problems:  # every problem at once, one line each
            print(f"config error: {problem}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None


def _run(path: str) -> int:
    from scorebot.app import run_bot

    config = _load(path)
    setup_logging(config.log_level)
    return run_bot(config)


def _check(path: str) -> int:
    from scorebot.check import check_config

    config = _load(path)
    setup_logging("WARNING")
    logging.getLogger("nio").setLevel(logging.CRITICAL)  # the bot's own words say what matters here
    try:
        found = asyncio.run(check_config(config))
    except ConfigError as error:  # found once the rooms' aliases are resolved
        print(f"config error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    for note in found.notes:
        print(f"note: {note}")
    for problem in found.problems:
        print(f"missing: {problem}")
    for line in found.roles:
        print(line)
    if found.problems:
        return EXIT_FAILED
    print(f"config OK: {path}: checked {', '.join(found.checked)}")
    return 0


def _minutes(args) -> int:
    from scorebot.minutes_export import export_minutes, list_minutes

    config = _load(args.config)
    if args.action == "list":
        print(list_minutes(config))
        return 0
    try:
        print(export_minutes(config, args.meeting, args.format), end="")
    except LookupError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    return 0


def _audit(args) -> int:
    import json

    from scorebot.store import Store

    config = _load(args.config)
    store = Store(config.database_url)
    try:
        store.open()
        for entry in store.cases.audit_log():
            print(json.dumps(entry, ensure_ascii=False))
    finally:
        store.close()
    return 0


def _backup(args) -> int:
    from scorebot.backup import BackupError, backup, restore

    config = _load(args.config)
    try:
        done = (backup if args.command == "backup" else restore)(config, Path(args.file))
    except BackupError as error:  # the admin's mistake (a wrong file, a full data folder): one line
        print(f"{args.command} failed: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except OSError as error:  # a missing folder, a full disk, no permission
        print(f"{args.command} failed: {error.strerror or error}: {error.filename or args.file}", file=sys.stderr)
        return EXIT_CONFIG
    verb = "Backed up" if args.command == "backup" else "Restored"
    print(f"{verb} {len(done)} files: {', '.join(done)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        if Path("config.yaml").exists():
            return _run("config.yaml")
        print("No config.yaml here, so starting the local demo (see README.md to use your own server).")
        args = build_parser().parse_args(["demo"])
    if args.command == "run":
        return _run(args.config)
    if args.command == "check-config":
        return _check(args.config)
    if args.command == "audit":
        return _audit(args)
    if args.command in ("backup", "restore"):
        return _backup(args)
    if args.command == "minutes":
        return _minutes(args)
    if args.command == "demo":
        from scorebot.demo import run_demo

        setup_logging("INFO")
        return run_demo(Path(args.folder), args.port)
    return EXIT_FAILED
