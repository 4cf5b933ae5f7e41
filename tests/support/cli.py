"""The bot's command line, run as a volunteer runs it, and a config good enough to get past loading."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GOOD = {"homeserver": "http://127.0.0.1:9", "user_id": "@bot:example.org", "access_token": "t",
        "rooms": {"organizing": ["!abc:example.org"]}}


def scorebot(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scorebot", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)
