"""The bot's parts, one module each. Each declares its commands and reacts to signals."""

from scorebot.dispatch import Feature
from scorebot.features.help import Help
from scorebot.features.upkeep import Upkeep


def all_features() -> list[Feature]:
    return [Help(), Upkeep()]
