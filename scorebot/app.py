"""The bot assembled: its features on the Matrix runtime. One function, so tests and the demo
start exactly what `scorebot run` starts."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TYPE_CHECKING

from scorebot.config import Config, ConfigError
from scorebot.matrix.cross_signing import CrossSigningError
from scorebot.matrix.runtime import Runtime
from scorebot.matrix.session import LoginFailed
from scorebot.store import SchemaTooNew, StoreError

if TYPE_CHECKING:
    from scorebot.feature import Feature

log = logging.getLogger(__name__)


def create_runtime(config: Config, features: list[Feature] | None = None) -> Runtime:
    """The runtime with `features`, or with all of them set up from `config` (loaded as it starts)."""
    return Runtime(config, features)


def run_bot(config: Config, features: list[Feature] | None = None) -> int:
    """Run until stopped; a login, database or identity problem ends it with one line and exit code 1."""
    try:
        asyncio.run(create_runtime(config, features).run())
    except LoginFailed as error:
        log.error("Login failed: %s", error)
        return 1
    except (SchemaTooNew, StoreError) as error:
        log.error("Database problem: %s", error)
        return 1
    except CrossSigningError as error:
        log.error("Cross-signing problem: %s", error)
        return 1
    except ConfigError as error:  # found only once the rooms' aliases are resolved
        print(f"config error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0
