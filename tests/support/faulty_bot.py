"""The real bot with one extra command that always fails, to show a failing handler is contained."""

import argparse

from scorebot.app import run_bot
from scorebot.cli import _load, setup_logging
from scorebot.context import Context
from scorebot.feature import Feature
from scorebot.features import all_features


class Faulty(Feature):
    def register(self, registry) -> None:
        registry.command("boom", help="Fails on purpose.")(self.boom)

    def boom(self, ctx: Context) -> None:
        raise RuntimeError("a handler failed on purpose")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--config", required=True)
    config = _load(parser.parse_args().config)
    setup_logging(config.log_level)
    raise SystemExit(run_bot(config, [*all_features(config), Faulty()]))
